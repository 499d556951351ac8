package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static dev.mailboxthreads.TestThreads.awaitParked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailboxthreads.TestThreads.Kind;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Addresses: identity, equality, {@code self()} on any thread, and sending through them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AddressTest {

  @ParameterizedTest
  @EnumSource(Kind.class)
  void twoAddressesOfTheSameThread_areEqual(Kind kind) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    var t = TestThreads.spawn(kind, () -> {
      release.await();
      return self();
    });
    Address a = addressOf(t.thread());
    Address b = addressOf(t.thread());
    release.countDown();
    Address fromInside = t.join();
    assertThat(a).isEqualTo(b).isEqualTo(fromInside).hasSameHashCodeAs(b);
    assertThat(fromInside).isEqualTo(a).hasSameHashCodeAs(a);
  }

  /** The registry's design note: a mailbox is its thread's address; addressOf allocates nothing. */
  @Test
  void addressOf_sameThread_returnsSameInstance() throws Exception {
    List<Address> got = TestThreads.call(() -> List.of(
        self(), addressOf(Thread.currentThread()), self()));
    assertThat(got.get(0)).isSameAs(got.get(1)).isSameAs(got.get(2));
  }

  @Test
  void addressOf_differentThreads_notEqual() {
    Thread t1 = Thread.ofVirtual().unstarted(() -> {});
    Thread t2 = Thread.ofVirtual().unstarted(() -> {});
    assertThat(addressOf(t1)).isNotEqualTo(addressOf(t2)).isNotEqualTo(null).isNotEqualTo("x");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void address_toString_namesTheThread(Kind kind) throws Exception {
    var t = TestThreads.spawn(kind, () -> self().toString());
    String inside = t.join();
    assertThat(inside).contains(t.thread().getName().isEmpty()
        ? String.valueOf(t.thread().threadId())
        : t.thread().getName());
    assertThat(inside).contains(kind == Kind.VIRTUAL ? "virtual" : "thread #");
    Thread virtual = Thread.ofVirtual().name("the-receiver").unstarted(() -> {});
    Thread platform = Thread.ofPlatform().name("platform-receiver").unstarted(() -> {});
    assertThat(addressOf(virtual).toString()).contains("the-receiver").contains("virtual");
    assertThat(addressOf(platform).toString()).contains("platform-receiver")
        .doesNotContain("virtual");
  }

  @Test
  void self_onMainLikePlatformThread_isItsAddressAndDelivers() {
    // the JUnit thread: a platform thread the library did not start
    Thread me = Thread.currentThread();
    assertThat(me.isVirtual()).isFalse();
    Address a = self();
    assertThat(a).isEqualTo(addressOf(me));
    a.send("to myself");
    send(a, "again");
    assertThat(receive(Duration.ZERO)).isEqualTo("to myself");
    assertThat(receive(Duration.ZERO)).isEqualTo("again");
    assertThat(mailboxSize()).isZero();
  }

  @Test
  void self_onPoolThread_isItsAddressAndReceivesThere() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor(); // platform threads
    try {
      Future<Object[]> who = pool.submit(() -> new Object[] {Thread.currentThread(), self()});
      Object[] r = who.get(20, TimeUnit.SECONDS);
      Thread poolThread = (Thread) r[0];
      Address poolAddress = (Address) r[1];
      assertThat(poolThread.isVirtual()).isFalse();
      assertThat(poolAddress).isEqualTo(addressOf(poolThread));

      // a request with self() in it: the echo thread answers the pool thread
      Thread echo = start(() -> {
        Object[] req = (Object[]) receive(TestThreads.PATIENCE);
        ((Address) req[0]).send("echo: " + req[1]);
      });
      Future<Object> answer = pool.submit(() -> {
        send(echo, new Object[] {self(), "ping"});
        return receive(TestThreads.PATIENCE);
      });
      assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("echo: ping");

      // and a message sent from here through the address is taken by the next task there
      poolAddress.send("from the test thread");
      assertThat(pool.submit(() -> receive(TestThreads.PATIENCE)).get(20, TimeUnit.SECONDS))
          .isEqualTo("from the test thread");
      assertThat(pool.submit(MailboxThreads::mailboxSize).get(20, TimeUnit.SECONDS)).isZero();
      echo.join();
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sendThroughAddress_sameAsStaticSend(Kind kind) throws Exception {
    CountDownLatch ready = new CountDownLatch(1);
    var receiver = TestThreads.spawn(kind, () -> {
      ready.countDown();
      return List.of(receive(), receive(), receive(), receive());
    });
    ready.await();
    Address a = addressOf(receiver.thread());
    a.send(1);
    send(a, 2);
    send(receiver.thread(), 3);
    awaitParked(receiver.thread());
    a.send(4);
    assertThat(receiver.join()).containsExactly(1, 2, 3, 4);
  }

  /** Holding an address does not keep its thread alive (the mailbox references it weakly). */
  @Test
  void address_doesNotKeepItsThreadAlive() throws Exception {
    Object[] held = addressOfEndedPlainThread();
    Address address = (Address) held[0];
    @SuppressWarnings("unchecked")
    WeakReference<Thread> thread = (WeakReference<Thread>) held[1];
    await("thread collected while its address is held")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          System.gc();
          return thread.get() == null;
        });
    long before = droppedCount();
    address.send("to a collected thread");
    assertThat(droppedCount() - before).isEqualTo(1);
  }

  private static Object[] addressOfEndedPlainThread() throws InterruptedException {
    Thread t = Thread.ofVirtual().start(() -> receive(Duration.ZERO, null)); // uses its mailbox
    assertThat(t.join(TestThreads.PATIENCE)).isTrue();
    return new Object[] {addressOf(t), new WeakReference<>(t)};
  }
}
