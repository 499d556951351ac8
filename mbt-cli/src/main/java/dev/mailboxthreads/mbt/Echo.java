package dev.mailboxthreads.mbt;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.RemoteMailboxException;
import dev.mailboxthreads.remote.RemoteThread;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The echo of {@code mbt consume --echo}: sends each {@link Ping} back to the endpoint it names,
 * through a connection made on the first ping from there and kept (the 16 most recently used).
 * A reply that cannot be queued at once (the pinging process is gone and its queue is full) is
 * dropped: a consumer never blocks on a ping.
 *
 * <p><b>Thread safety:</b> not thread-safe; used by the consumer's main thread only.
 */
final class Echo implements AutoCloseable {
  private static final int MAX_CONNECTIONS = 16;
  private static final ConnectOptions OPTIONS = ConnectOptions.defaults()
      .withCodec(Codecs.PING)
      .withSendHighWaterMark(1000)
      .withSendTimeout(Duration.ZERO)
      .withLinger(Duration.ZERO);

  private final PrintWriter err;
  /** Reply endpoint → connection, least recently used first. */
  private final Map<String, RemoteThread> connections = new LinkedHashMap<>(16, 0.75f, true);

  Echo(PrintWriter err) {
    this.err = err;
  }

  void answer(Ping ping) {
    RemoteThread back = connections.get(ping.replyTo());
    if (back == null) {
      try {
        back = Remote.connect(OPTIONS, List.of(Endpoint.parse(ping.replyTo(), false)));
      } catch (Failure e) {
        err.println("mbt consume: cannot answer a ping: " + e.getMessage());
        return;
      }
      connections.put(ping.replyTo(), back);
      if (connections.size() > MAX_CONNECTIONS) {
        Iterator<RemoteThread> eldest = connections.values().iterator();
        eldest.next().close();
        eldest.remove();
      }
    }
    try {
      back.send(ping);
    } catch (RemoteMailboxException e) { // SendTimeoutException: the pinger is gone
      err.println("mbt consume: dropped the answer to ping " + ping.sequence() + " of "
          + ping.replyTo() + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    connections.values().forEach(RemoteThread::close);
    connections.clear();
  }
}
