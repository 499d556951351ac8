package dev.mailboxthreads.remote.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes the tick-long stall out of JeroMQ's command signalling for the two threads of a context
 * that wait in a selector of their own (the I/O thread and the reaper), by making each signal
 * count before it wakes the reader. Installed by the context's thread factory ({@link
 * #wrap(Runnable)}), in the poller's own thread before its first wait.
 *
 * <p><b>The race.</b> A command to one of those threads is an entry in its mailbox's queue plus
 * a signal: {@code zmq.Signaler.send()} writes a byte to a pipe, then increments a counter. The
 * reader's selector sees the byte, but its non-blocking {@code waitEvent(0)} trusts only the
 * counter. The write wakes the reader, and the kernel often runs it on the writer's vCPU and
 * preempts the writer there, before the increment; the reader then finds the byte without the
 * count, does not read it, and its level-triggered selector returns again and again until the
 * writer runs again, at the next scheduler tick (4 ms at HZ=250). That was the round trip's
 * p99.9 (docs/benchmarks.md, "Session 9": with the counter first, p99 1.3–1.7 ms fell to
 * 0.21–0.26 ms).
 *
 * <p><b>The change,</b> without JeroMQ's code: the signaler's write end ({@code Signaler.w}, a
 * {@link Pipe.SinkChannel}) is replaced by {@link CountFirstSink}, which increments the same
 * counter before it writes and takes it back after the write returns; {@code Signaler.send()}
 * then increments it as before. So a reader woken by the byte already sees it counted. The
 * counter is one short only between the take-back and JeroMQ's increment, a few instructions
 * with no system call, where a preemption is a tick's chance, not the wake-up's; it is one over
 * only before the byte is written, where a reader that reads spins until the write (that writer
 * is running). Bytes and counts still match one for one when no signal is in flight.
 *
 * <p><b>Safety.</b> The reader (the poller thread) installs the sink itself before it first
 * reads; a writer that still reads the old {@code w} (a plain field read of a final field,
 * which the JIT does not fold for such classes) writes to the same pipe the old way, which is
 * JeroMQ's behaviour and correct, only not spared the race. Six private fields of JeroMQ 0.7.0
 * are read by reflection ({@code Poller.fdTable}, {@code Poller.Handle.handler}, the handler's
 * {@code mailbox}, {@code Mailbox.signaler}, {@code Signaler.w} and {@code Signaler.wcursor}),
 * and {@code Signaler.w} is written; if any is missing or of another type, nothing is changed
 * and one log line (INFO, once per JVM) says so. {@code w} is final: JDK 25 lets reflection set
 * it; JEP 500 plans for later JDKs to warn about that and, eventually, refuse, and a refusal
 * leaves JeroMQ as it is, with the same log line. {@code
 * -Ddev.mailboxthreads.remote.countFirstSignals=false} turns it off.
 */
public final class CountFirstSignals {
  /** Whether to install the sink; {@code -Ddev.mailboxthreads.remote.countFirstSignals=false}. */
  static final boolean ENABLED =
      !"false".equals(System.getProperty("dev.mailboxthreads.remote.countFirstSignals"));
  private static final AtomicBoolean LOGGED = new AtomicBoolean();
  private static final Field FD_TABLE;
  private static final Field HANDLER;
  /** Mailbox.signaler (this and the next two: for the tests; null or unusable if unavailable). */
  static final Field SIGNALER;
  /** Signaler.w, the write end. */
  static final Field SINK;
  /** Signaler.wcursor, the signals written. */
  static final Field COUNTER;
  /** Signalers changed so far, for tests and diagnostics. */
  private static final AtomicLong INSTALLED = new AtomicLong();

  static {
    Field fdTable = null;
    Field handler = null;
    Field signaler = null;
    Field sink = null;
    Field counter = null;
    try {
      fdTable = accessible(zmq.poll.Poller.class.getDeclaredField("fdTable"));
      handler = accessible(zmq.poll.Poller.Handle.class.getDeclaredField("handler"));
      signaler = accessible(zmq.Mailbox.class.getDeclaredField("signaler"));
      Class<?> signalerClass = signaler.getType();
      sink = accessible(signalerClass.getDeclaredField("w"));
      counter = accessible(signalerClass.getDeclaredField("wcursor"));
      if (!Collection.class.isAssignableFrom(fdTable.getType())
          || sink.getType() != Pipe.SinkChannel.class || counter.getType() != AtomicLong.class) {
        unavailable("their types changed", null);
        fdTable = null;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable("they cannot be read", e);
      fdTable = null;
    }
    FD_TABLE = fdTable;
    HANDLER = handler;
    SIGNALER = signaler;
    SINK = sink;
    COUNTER = counter;
  }

  private CountFirstSignals() {}

  private static Field accessible(Field f) {
    f.setAccessible(true);
    return f;
  }

  private static void unavailable(String why, Throwable cause) {
    if (LOGGED.getAndSet(true)) {
      return;
    }
    Logs.remote().log(Level.INFO, "JeroMQ's signaler fields (Poller.fdTable, Mailbox.signaler,"
        + " Signaler.w, Signaler.wcursor) are not available here (" + why + "): its I/O threads"
        + " keep JeroMQ's own signalling, whose race can stall a round trip for a scheduler tick"
        + " (docs/remote.md, \"JeroMQ traps\")", cause);
  }

  /**
   * What a context's thread factory runs instead of {@code runnable}: if it is a JeroMQ poller,
   * first the change above for the mailboxes it waits on, in that thread; then {@code runnable}.
   *
   * @param runnable what JeroMQ gave the thread factory
   * @return the runnable to start
   */
  public static Runnable wrap(Runnable runnable) {
    if (!ENABLED || FD_TABLE == null || !(runnable instanceof zmq.poll.Poller poller)) {
      return runnable;
    }
    return () -> {
      install(poller);
      runnable.run();
    };
  }

  /**
   * Signalers changed so far in this JVM.
   *
   * @return the count
   */
  public static long installed() {
    return INSTALLED.get();
  }

  /** Called by the poller's thread before its loop: the handles were added before its start. */
  private static void install(zmq.poll.Poller poller) {
    try {
      for (Object handle : ((Collection<?>) FD_TABLE.get(poller)).toArray()) {
        Object handler = HANDLER.get(handle);
        Field mailboxField = mailboxField(handler.getClass());
        // an engine or a listener has no mailbox of its own: only the poller's owner has one
        if (mailboxField != null && mailboxField.get(handler) instanceof zmq.Mailbox mailbox) {
          install(mailbox);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable("setting them failed", e);
    }
  }

  /**
   * Gives {@code mailbox}'s signaler a {@link CountFirstSink} around its current write end,
   * unless it has one. Call from the mailbox's reader, before it reads.
   *
   * @return whether the sink was installed now
   */
  static boolean install(zmq.Mailbox mailbox) throws ReflectiveOperationException {
    if (FD_TABLE == null) {
      return false;
    }
    Object signaler = SIGNALER.get(mailbox);
    Pipe.SinkChannel sink = (Pipe.SinkChannel) SINK.get(signaler);
    if (sink instanceof CountFirstSink) {
      return false;
    }
    SINK.set(signaler, new CountFirstSink(sink, (AtomicLong) COUNTER.get(signaler)));
    INSTALLED.incrementAndGet();
    return true;
  }

  /** The {@code mailbox} field of an IOThread or a Reaper, or null. */
  private static Field mailboxField(Class<?> type) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField("mailbox");
        return f.getType() == zmq.Mailbox.class ? accessible(f) : null;
      } catch (NoSuchFieldException e) {
        // the superclass may have it
      }
    }
    return null;
  }

  /**
   * A pipe's write end that forwards to the pipe's own sink; subclasses change {@link
   * #write(ByteBuffer)}. Thread safety: as the pipe's sink.
   */
  abstract static class ForwardingSink extends Pipe.SinkChannel {
    /** The pipe's own write end. */
    final Pipe.SinkChannel pipe;

    ForwardingSink(Pipe.SinkChannel pipe) {
      super(pipe.provider());
      this.pipe = pipe;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return pipe.write(srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
      return pipe.write(srcs);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
      pipe.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
      pipe.configureBlocking(block);
    }
  }

  /**
   * A signaler's write end that counts a signal before writing it (see the class comment).
   * Thread safety: as the pipe's sink, plus an atomic counter.
   */
  static final class CountFirstSink extends ForwardingSink {
    private final AtomicLong counter;

    CountFirstSink(Pipe.SinkChannel pipe, AtomicLong counter) {
      super(pipe);
      this.counter = counter;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      counter.incrementAndGet(); // counted before the byte can wake the reader
      try {
        return pipe.write(src);
      } finally {
        counter.decrementAndGet(); // Signaler.send() counts it for good next
      }
    }
  }
}
