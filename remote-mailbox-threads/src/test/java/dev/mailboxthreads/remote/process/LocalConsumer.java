package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;

import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A consumer in the test JVM: a virtual thread, published on endpoints, that stamps each message
 * with the wall-clock time at which its {@code receive} returned and hands it to the test. Its
 * own thread, not the test's, so messages of one test never wait in the mailbox of the next.
 *
 * <p><b>Thread safety:</b> {@link #await} from one test thread; {@link #close()} from any.
 */
final class LocalConsumer implements AutoCloseable {
  /**
   * A message as received.
   *
   * @param message the message
   * @param epochMillis {@link System#currentTimeMillis()} right after {@code receive} returned
   */
  record Arrival(String message, long epochMillis) {}

  private static final Object STOP = new Object();

  private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
  /** Arrivals taken by await that did not match; test thread only. */
  private final List<Arrival> skipped = new ArrayList<>();
  private final Thread thread;
  private final Publication publication;

  LocalConsumer(RemoteContext context, String... endpoints) {
    this(context, PublishOptions.defaults(), endpoints);
  }

  LocalConsumer(RemoteContext context, PublishOptions options, String... endpoints) {
    thread = MailboxThreads.start("local-consumer", () -> {
      for (Object m = receive(); m != STOP; m = receive()) {
        arrivals.add(new Arrival(String.valueOf(m), System.currentTimeMillis()));
      }
    });
    try {
      publication = context.publish(thread, options, endpoints);
    } catch (RuntimeException e) {
      send(thread, STOP);
      throw e;
    }
  }

  /**
   * The publication's bound endpoints.
   *
   * @return the endpoints, wildcard ports resolved
   */
  List<String> endpoints() {
    return publication.endpoints();
  }

  /**
   * The publication.
   *
   * @return the publication
   */
  Publication publication() {
    return publication;
  }

  /**
   * Waits for the next message that matches {@code filter}; others are set aside.
   *
   * @throws AssertionError if none arrives within {@code timeout}
   */
  Arrival await(Predicate<String> filter, Duration timeout) throws InterruptedException {
    return poll(filter, timeout).orElseThrow(() -> new AssertionError("no matching message within "
        + timeout + "; received meanwhile: " + skipped + "; " + publication.stats()));
  }

  /**
   * Like {@link #await}, but a timeout is an answer, not a failure.
   *
   * @return the arrival, or empty if none matched within {@code timeout}
   */
  Optional<Arrival> poll(Predicate<String> filter, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (;;) {
      Arrival a = arrivals.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (a == null) {
        return Optional.empty();
      }
      if (filter.test(a.message())) {
        return Optional.of(a);
      }
      skipped.add(a);
    }
  }

  /**
   * Messages taken by {@link #await} or {@link #poll} that did not match.
   *
   * @return a copy
   */
  List<Arrival> skipped() {
    return List.copyOf(skipped);
  }

  /** Closes the publication and ends the thread, waiting for it (bounded). */
  @Override
  public void close() {
    publication.close();
    send(thread, STOP);
    try {
      thread.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the test timed out; the thread ends anyway
    }
  }
}
