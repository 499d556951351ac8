package dev.mailboxthreads.mbt;

/**
 * The message of {@code mbt ping}. The pinging process publishes a thread on {@code replyTo} and
 * sends pings to a consumer started with {@code mbt consume --echo}, which connects to {@code
 * replyTo} (once: the connection is kept for later pings) and sends the same ping back. The
 * round trip is timed by the pinging process alone, so the two clocks never meet.
 *
 * <p>Both sides' codecs must allow this class: {@link Codecs#PING}.
 *
 * @param replyTo the endpoint the pinging process publishes on, e.g. {@code
 *     tcp://127.0.0.1:41234}
 * @param sequence 0 for the first ping (the one that pays for connecting back), then 1, 2, ...
 */
public record Ping(String replyTo, long sequence) {}
