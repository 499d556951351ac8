package dev.mailboxthreads.remote.codectest.msg;

import java.util.List;

/** A record holding a list, for the cycle-through-a-record limit. */
public record RecList(String name, List<Object> items) {}
