package dev.mailboxthreads.remote.codectest.msg;

/** A small record message. */
public record Point(int x, int y, String label) {}
