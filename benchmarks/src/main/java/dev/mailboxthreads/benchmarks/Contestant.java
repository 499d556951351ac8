package dev.mailboxthreads.benchmarks;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.MailboxThreads;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * What carries the messages: our mailbox, or a baseline queue with the owner parking on it. A
 * JMH parameter; JMH runs each value in its own fork, so the {@link Inbox} calls in the hot
 * loops see one implementation and are inlined.
 */
public enum Contestant {
  /**
   * Ours: {@code MailboxThreads.send(Address, m)} to the owner, {@code MailboxThreads.receive()}
   * in the owner. The owner is made with {@code MailboxThreads.unstarted}, as users do.
   */
  MAILBOX {
    @Override
    Thread newThread(Thread.Builder builder, Runnable body) {
      return MailboxThreads.unstarted(builder, body);
    }

    @Override
    Inbox inboxOf(Thread owner) {
      return new MailboxInbox(MailboxThreads.addressOf(owner));
    }
  },
  /** {@code LinkedBlockingQueue.put} / {@code take}: two locks and conditions. */
  LINKED_BLOCKING_QUEUE {
    @Override
    Inbox inboxOf(Thread owner) {
      return new LinkedBlockingQueueInbox();
    }
  },
  /** {@code LinkedTransferQueue.put} / {@code take}: lock-free dual queue, spins then parks. */
  LINKED_TRANSFER_QUEUE {
    @Override
    Inbox inboxOf(Thread owner) {
      return new LinkedTransferQueueInbox();
    }
  },
  /**
   * JCTools {@code MpscUnboundedArrayQueue} with the owner parking when it is empty, and the
   * producer unparking it when it is flagged as waiting: the practical ceiling for an MPSC
   * hand-off that does not spin.
   */
  JCTOOLS_MPSC_PARK {
    @Override
    Inbox inboxOf(Thread owner) {
      return new JctoolsParkingInbox();
    }
  },
  /**
   * Not a mailbox: one slot, the owner parking while it is empty and the sender unparking it.
   * It holds one message at a time (a second one fails), so it serves only where that is all a
   * thread is ever sent, as in {@link Ring}. There it is the floor of a hop: the JDK's unpark,
   * submit, thaw, park and freeze, with next to nothing else, so a mailbox's ring cannot be
   * faster than this one's.
   */
  ONE_SLOT_PARK {
    @Override
    Inbox inboxOf(Thread owner) {
      return new OneSlotInbox(owner);
    }
  };

  /**
   * A thread that will run {@code body}, not started.
   *
   * @param builder makes the thread
   * @param body what it runs
   * @return the unstarted thread
   */
  Thread newThread(Thread.Builder builder, Runnable body) {
    return builder.unstarted(body);
  }

  /**
   * The inbox of {@code owner}, which may not have started yet.
   *
   * @param owner the only thread that will receive from it
   * @return a new inbox
   */
  abstract Inbox inboxOf(Thread owner);

  /** Ours, through the public API only. */
  static final class MailboxInbox implements Inbox {
    private final Address address;

    MailboxInbox(Address address) {
      this.address = address;
    }

    @Override
    public void send(Object message) {
      MailboxThreads.send(address, message);
    }

    @Override
    public Object receive() {
      return MailboxThreads.receive();
    }
  }

  /** Baseline: a {@link LinkedBlockingQueue} per owner. */
  static final class LinkedBlockingQueueInbox implements Inbox {
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();

    @Override
    public void send(Object message) {
      queue.offer(message); // unbounded: never blocks, same as put
    }

    @Override
    public Object receive() throws InterruptedException {
      return queue.take();
    }
  }

  /** Baseline: a {@link LinkedTransferQueue} per owner. */
  static final class LinkedTransferQueueInbox implements Inbox {
    private final LinkedTransferQueue<Object> queue = new LinkedTransferQueue<>();

    @Override
    public void send(Object message) {
      queue.offer(message); // asynchronous, like put
    }

    @Override
    public Object receive() throws InterruptedException {
      return queue.take();
    }
  }

  /**
   * Baseline ceiling: JCTools MPSC queue plus the waiting-flag protocol.
   *
   * <p>Concurrency: the owner publishes itself in {@code waiting} (volatile write) and then
   * polls with {@code poll()}, which reads the producer index (volatile read) and, if a producer
   * has claimed a slot but not yet filled it, spins until the element is visible. A producer
   * claims its slot with a CAS of the producer index (volatile read-write), fills it, and then
   * reads {@code waiting}. Volatile accesses are sequentially consistent, so either the owner's
   * poll sees the claimed slot, or the producer sees the owner waiting and unparks it: no lost
   * wake-up. The CAS of {@code waiting} to null lets only one of several producers unpark.
   */
  static final class JctoolsParkingInbox implements Inbox {
    private static final VarHandle WAITING;

    static {
      try {
        WAITING =
            MethodHandles.lookup()
                .findVarHandle(JctoolsParkingInbox.class, "waiting", Thread.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final MpscUnboundedArrayQueue<Object> queue = new MpscUnboundedArrayQueue<>(1024);

    /** The owner while it is about to park or parked; null otherwise. */
    @SuppressWarnings("unused") // accessed through WAITING as well
    private volatile Thread waiting;

    @Override
    public void send(Object message) {
      queue.offer(message);
      Thread w = waiting; // after the CAS of the producer index in offer: see the class notes
      if (w != null && WAITING.compareAndSet(this, w, null)) {
        LockSupport.unpark(w);
      }
    }

    @Override
    public Object receive() {
      Object m = queue.relaxedPoll();
      if (m != null) {
        return m;
      }
      Thread me = Thread.currentThread();
      for (;;) {
        waiting = me;
        m = queue.poll(); // re-check after publishing ourselves
        if (m == null) {
          LockSupport.park(this);
          m = queue.poll();
        }
        if (m != null) {
          // racy, but benign: a producer may have cleared it already, or may still unpark us
          // once more, which only makes a later park return early and loop
          WAITING.setRelease(this, (Thread) null);
          return m;
        }
      }
    }
  }

  /**
   * The floor of a ring's hop ({@link #ONE_SLOT_PARK}).
   *
   * <p>Concurrency: the sender CASes its message into the empty {@code slot} (a volatile
   * read-write; a full slot fails the send and keeps its message) and then unparks the owner; the owner reads the slot and parks
   * while it is empty. An unpark that comes before the park leaves the permit set, so the park
   * returns at once and the owner reads the slot again: no lost wake-up.
   */
  static final class OneSlotInbox implements Inbox {
    private static final VarHandle SLOT;

    static {
      try {
        SLOT = MethodHandles.lookup().findVarHandle(OneSlotInbox.class, "slot", Object.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final Thread owner;

    /** The message not yet taken, or null; see the class notes. */
    @SuppressWarnings("unused") // accessed through SLOT as well
    private volatile Object slot;

    OneSlotInbox(Thread owner) {
      this.owner = owner;
    }

    @Override
    public void send(Object message) {
      if (!SLOT.compareAndSet(this, (Object) null, message)) {
        throw new IllegalStateException("a one-slot inbox was sent a second message before its"
            + " owner took the first; use it only where one message at a time is in flight");
      }
      LockSupport.unpark(owner);
    }

    @Override
    public Object receive() {
      Object m;
      while ((m = slot) == null) {
        LockSupport.park(this);
      }
      slot = null;
      return m;
    }
  }
}
