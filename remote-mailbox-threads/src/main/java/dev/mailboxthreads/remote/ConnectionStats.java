package dev.mailboxthreads.remote;

/**
 * Counters of a {@link RemoteThread}, read at one moment.
 *
 * @param sent messages handed to the ZeroMQ socket (from there on they are ZeroMQ's to deliver,
 *     at most once)
 * @param queued messages encoded and waiting for the socket now
 * @param timedOut sends that failed with {@link SendTimeoutException}; nothing of them was sent
 * @param discarded messages still queued when {@link RemoteThread#close()} gave up after the
 *     linger: the receiver stayed unreachable
 */
public record ConnectionStats(long sent, long queued, long timedOut, long discarded) {}
