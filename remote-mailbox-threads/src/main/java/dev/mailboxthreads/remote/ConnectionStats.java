package dev.mailboxthreads.remote;

/**
 * Counters of a {@link RemoteThread}, read at one moment.
 *
 * @param sent messages handed to the ZeroMQ socket (from there on they are ZeroMQ's to deliver,
 *     at most once); those moved to {@code discarded} at close are no longer counted here
 * @param queued messages encoded and waiting for the socket now
 * @param timedOut sends that failed with {@link SendTimeoutException}; nothing of them was sent
 * @param discarded messages that {@link RemoteThread#close()} gave up on after the linger: those
 *     still queued when the receiver stayed unreachable, plus, when no receiver ever completed a
 *     handshake with the connection (nothing listened, or CURVE refused it), every message
 *     handed to ZeroMQ, which could deliver none of them (a WARNING log line says so)
 */
public record ConnectionStats(long sent, long queued, long timedOut, long discarded) {}
