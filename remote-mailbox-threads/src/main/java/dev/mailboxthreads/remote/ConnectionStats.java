package dev.mailboxthreads.remote;

/**
 * Counters of a {@link RemoteThread}, read at one moment.
 *
 * @param sent messages handed to the ZeroMQ socket (from there on they are ZeroMQ's to deliver,
 *     at most once); those moved to {@code discarded} at close are no longer counted here
 * @param queued messages encoded and waiting for the socket now
 * @param timedOut sends that failed with {@link SendTimeoutException}; nothing of them was sent
 * @param discarded messages that {@link RemoteThread#close()} gave up on after the linger: those
 *     still queued when the receiver stayed unreachable, plus those handed to ZeroMQ while no
 *     receiver was connected, when none connected again before the linger ended: if no receiver
 *     ever completed a handshake with the connection (nothing listened, or CURVE refused it),
 *     every message handed to ZeroMQ; if one did and then went away, every message handed over
 *     after the connection saw it go. ZeroMQ could deliver none of them; a WARNING log line
 *     says how many. Not counted, because they cannot be known without acknowledgements (at
 *     most once): messages handed over while the receiver still looked connected that were in
 *     ZeroMQ's queue, its engine or the kernel when it went; and, with several endpoints, those
 *     the round-robin gave to a down endpoint while another was connected
 */
public record ConnectionStats(long sent, long queued, long timedOut, long discarded) {}
