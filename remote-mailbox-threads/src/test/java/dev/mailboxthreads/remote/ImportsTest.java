package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.*;
import static dev.mailboxthreads.remote.RemoteMailboxThreads.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.Address;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The core and the remote static API imported together on demand, as the README and
 * RemoteMailboxThreads' javadoc show: every method name of both classes is called unqualified
 * below. That this file compiles (no ambiguous or shadowed name) is the point; the assertions
 * are only a sanity check. Also: the static {@code publish} and {@code connect} work on the
 * default context without creating one.
 *
 * <p>The default context is never closed here: a shutdown hook closes it at JVM exit.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ImportsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  @Test
  void coreAndRemoteStaticImports_everyNameUnqualified_compileAndWork() throws Exception {
    // remote, on the default context
    try (Publication pub = publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        Publication pub2 = publish(Thread.currentThread(), PublishOptions.defaults(),
            "inproc://imports");
        RemoteThread remote = connect(pub.endpoints().get(0));
        RemoteThread remote2 = connect(ConnectOptions.defaults(), "inproc://imports")) {
      send(remote, "remote 1");                 // send(Address, Object)
      send(remote2, "remote 2");
      assertThat(receive(WAIT)).isIn("remote 1", "remote 2");
      assertThat(receive(String.class, WAIT)).isIn("remote 1", "remote 2");
      assertThat(pub2.thread()).isSameAs(Thread.currentThread());
    }
    assertThat(defaultContext().isClosed()).isFalse();

    // core
    Thread me = Thread.currentThread();
    Address mine = self();
    assertThat(addressOf(me)).isEqualTo(mine);
    send(me, "a");                              // send(Thread, Object)
    send(mine, "b");                            // send(Address, Object)
    assertThat(trySend(me, "c")).isTrue();
    send(me, 4);
    assertThat(mailboxSize()).isEqualTo(4);

    assertThat(mailboxNext()).isEqualTo("a");
    assertThat(mailboxNext(WAIT)).isEqualTo("b");
    assertThat(mailboxNext(Duration.ZERO, "none")).isEqualTo("c");
    mailboxExtractAndRewind();                  // takes "c"
    assertThat(mailboxNext()).isEqualTo("a");
    mailboxRewind();
    assertThat(receive(Integer.class)).isEqualTo(4);
    assertThat(receive(m -> m.equals("b"))).isEqualTo("b");
    assertThat(receive(m -> m.equals("a"), WAIT)).isEqualTo("a");
    assertThat(receive(Duration.ZERO, "empty")).isEqualTo("empty");
    send(me, "d");
    assertThat(receive()).isEqualTo("d");

    CountDownLatch ran = new CountDownLatch(3);
    Thread t1 = start(ran::countDown);
    Thread t2 = start("imports-named", ran::countDown);
    Thread t3 = start(Thread.ofPlatform().name("imports-platform"), ran::countDown);
    Thread t4 = unstarted(Thread.ofVirtual(), () -> send(me, "from t4"));
    assertThat(hasMailbox(t4)).isFalse();
    t4.start();
    assertThat(receive(WAIT)).isEqualTo("from t4");
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    for (Thread t : new Thread[] {t1, t2, t3, t4}) {
      t.join();
    }
    assertThat(droppedCount()).isNotNegative();
  }

  @Test
  void defaultContext_publishAndConnect_workWithoutCreatingAContext() {
    Publication pub = publish(Thread.currentThread(), "tcp://127.0.0.1:*");
    RemoteThread remote = connect(pub.endpoints().get(0));
    try {
      send(remote, "through the default context");

      assertThat(receive(WAIT)).isEqualTo("through the default context");
      assertThat(defaultContext()).isSameAs(RemoteMailboxThreads.defaultContext());
      assertThat(defaultContext().isClosed()).isFalse();
    } finally {
      remote.close(); // connections first, so that nothing waits for a linger
      pub.close();
    }
    assertThat(defaultContext().isClosed()).as("closing its members keeps it open").isFalse();
    // and it still works afterwards
    try (Publication again = publish(Thread.currentThread(), "inproc://default-again");
        RemoteThread r = connect("inproc://default-again")) {
      send(r, "again");
      assertThat(receive(WAIT)).isEqualTo("again");
      BadInputTest.eventually().until(() -> again.stats().delivered() == 1);
    }
  }
}
