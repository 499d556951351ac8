package dev.mailboxthreads.remote.process;

import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;

/**
 * A producer JVM that sends {@code "NAME:SEQ"} to the endpoint as fast as it can until it is
 * killed, printing {@code SENT <n>} after every 10,000 messages. The crash tests kill it with
 * SIGKILL in the middle of its stream.
 *
 * <p>Arguments: endpoint, name.
 */
public final class EndlessProducer {
  private EndlessProducer() {}

  /**
   * Runs the producer.
   *
   * @param args endpoint, name
   */
  public static void main(String[] args) {
    ParentLink.haltWhenParentGone();
    RemoteContext context = RemoteContext.create();
    RemoteThread remote = context.connect(args[0]);
    String prefix = args[1] + ":";
    for (long seq = 0; ; seq++) {
      remote.send(prefix + seq);
      if ((seq + 1) % 10_000 == 0) {
        ParentLink.say("SENT " + (seq + 1));
      }
    }
  }
}
