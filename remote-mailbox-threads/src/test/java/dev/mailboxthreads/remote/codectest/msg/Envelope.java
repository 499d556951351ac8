package dev.mailboxthreads.remote.codectest.msg;

/** A record with a field of declared type Object. */
public record Envelope(String topic, Object payload) {}
