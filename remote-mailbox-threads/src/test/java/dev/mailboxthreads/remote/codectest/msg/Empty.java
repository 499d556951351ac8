package dev.mailboxthreads.remote.codectest.msg;

/** A record without components: a list of them is where lengths may outrun the bytes. */
public record Empty() {}
