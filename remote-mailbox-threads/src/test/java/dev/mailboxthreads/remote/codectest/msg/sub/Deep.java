package dev.mailboxthreads.remote.codectest.msg.sub;

/** In a subpackage of the allowed package. */
public record Deep(String text) {}
