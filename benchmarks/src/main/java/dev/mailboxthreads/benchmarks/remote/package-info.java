/**
 * The end-to-end remote benchmark: {@link dev.mailboxthreads.benchmarks.remote.RemoteBench}
 * starts a second JVM and measures, against raw JeroMQ between the same two JVMs, the stream
 * throughput of {@code send(remote, msg)}, the round trip through two mailboxes, and the cold
 * start of a fresh JVM that connects and sends one message. Not JMH: the contestants need two
 * processes, and the cold start needs fresh ones. docs/benchmarks-remote.md has the command and
 * the figures.
 *
 * <p>Layout: {@code RemoteBench} runs the rounds and prints the tables ({@code Options} parses
 * the command line, {@code Results} keeps the values and writes the CSV); {@code ReceiverJvm} is
 * both the parent's handle on the receiver JVM and the receiver's command loop; {@code Stream},
 * {@code RoundTrip} and {@code ColdStart} each hold both halves of one test (the part that runs in
 * the sending JVM and the part that runs in the receiving one), for our library and for raw
 * JeroMQ side by side. {@code Endpoints} gives fresh tcp or ipc endpoints and the connect settings
 * both contestants share; {@code Utf8Codec} is the diagnostic {@code --codec utf8}.
 *
 * <p>Every JVM involved is a platform-thread program; nothing here is meant as an example of how
 * to use the library, except the lines that call {@code send}, {@code receive}, {@code publish}
 * and {@code connect}.
 */
package dev.mailboxthreads.benchmarks.remote;
