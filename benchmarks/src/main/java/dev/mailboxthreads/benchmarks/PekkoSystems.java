package dev.mailboxthreads.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;

/**
 * The Pekko peer's actor systems, as a user would configure them: Pekko 1.7.0 classic actors
 * (the typed API is a layer over them; both use the same mailboxes and dispatchers), the
 * default dispatcher and mailbox, logging at WARNING.
 *
 * <p>Remote: Artery over TCP (Pekko's default transport), canonical address 127.0.0.1 with port
 * 0, so the system binds an ephemeral port, which {@link #address} reads back. Messages are
 * {@code byte[]} payloads, which Pekko's {@code reference.conf} binds to its {@code
 * ByteArraySerializer} (the bytes as they are: the same bytes raw JeroMQ sends), plus {@code
 * String}, {@code Long} control messages (Pekko's primitive serializers). Java serialization
 * stays off, as Pekko ships it.
 */
public final class PekkoSystems {
  private PekkoSystems() {}

  private static final String COMMON = """
      pekko.loglevel = WARNING
      pekko.stdout-loglevel = WARNING
      pekko.log-dead-letters = off
      pekko.log-dead-letters-during-shutdown = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.jvm-shutdown-hooks = off
      """;

  /**
   * A local actor system with Pekko's defaults.
   *
   * @param name the system's name
   * @return the started system
   */
  public static ActorSystem local(String name) {
    return ActorSystem.create(name, ConfigFactory.parseString(COMMON)
        .withFallback(ConfigFactory.load()));
  }

  /**
   * A remote-enabled system: Artery TCP on 127.0.0.1, an ephemeral port.
   *
   * @param name the system's name
   * @param outboundQueue Artery's outbound message queue per peer (messages beyond it are
   *     dropped by Pekko, so a sender must keep fewer than this in flight)
   * @return the started system
   */
  public static ActorSystem remote(String name, int outboundQueue) {
    Config config = ConfigFactory.parseString(COMMON + """
        pekko.actor.provider = remote
        pekko.remote.artery.enabled = on
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        pekko.remote.artery.advanced.outbound-message-queue-size = %d
        """.formatted(outboundQueue)).withFallback(ConfigFactory.load());
    return ActorSystem.create(name, config);
  }

  /**
   * The address other systems reach {@code system} by, e.g. {@code pekko://n@127.0.0.1:41234}.
   *
   * @param system a remote-enabled system
   * @return its address
   */
  public static Address address(ActorSystem system) {
    return ((ExtendedActorSystem) system).provider().getDefaultAddress();
  }

  /**
   * Terminates {@code system} and waits (30 s at most) for its end.
   *
   * @param system the system, or null
   */
  public static void terminate(ActorSystem system) {
    if (system == null) {
      return;
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while terminating " + system.name(), e);
    } catch (Exception e) {
      throw new IllegalStateException(system.name() + " did not terminate within "
          + Duration.ofSeconds(30), e);
    }
  }
}
