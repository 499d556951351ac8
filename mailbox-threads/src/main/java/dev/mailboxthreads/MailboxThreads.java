package dev.mailboxthreads;

import dev.mailboxthreads.internal.Calls;
import dev.mailboxthreads.internal.Deadlines;
import dev.mailboxthreads.internal.Mailbox;
import dev.mailboxthreads.internal.Mailboxes;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Every Java thread, platform or virtual, has a mailbox: any thread can {@link #send} any object
 * to a thread, and the thread takes it with {@link #receive()}. This is the Java form of the
 * CHICKEN Scheme library mailbox-threads, with Gambit Scheme's mailbox cursor for selective
 * receive. Use it with {@code import static dev.mailboxthreads.MailboxThreads.*;}.
 *
 * {@snippet :
 * record Ping(Address from, String text) {}
 *
 * Thread echo = start(() -> {
 *   while (true) {
 *     Ping ping = receive(Ping.class);     // selective receive by type
 *     ping.from().send(ping.text());       // answer whoever asked
 *   }
 * });
 * send(echo, new Ping(self(), "hello"));
 * Object answer = receive(Duration.ofSeconds(1)); // "hello"
 * }
 *
 * <h2>Mailboxes</h2>
 * A thread gets its mailbox lazily, the first time it is sent to, receives or is addressed,
 * whoever started it (including {@code main} and pool threads); a thread that never uses its
 * mailbox pays nothing. Messages from one sender arrive in the order they were sent; nothing is
 * lost or duplicated while the receiver lives. The mailbox is unbounded and {@code send} never
 * blocks, unless the mailbox was limited with {@link #limitMailbox}: then a send to a full
 * mailbox waits, fails or drops, as its {@link Overflow} says.
 *
 * <p>When a thread ends, its mailbox ends with it: messages sent to it afterwards, and messages
 * it left unread, are dropped and counted in {@link #droppedCount()}. For threads started with
 * {@link #start} this happens as the body returns; for other threads, once the garbage
 * collector has reclaimed the {@link Thread}.
 *
 * <h2>The cursor</h2>
 * {@link #mailboxNext()} returns the message after the cursor without removing it and advances
 * the cursor; {@link #mailboxRewind()} moves the cursor back before the oldest message; {@link
 * #mailboxExtractAndRewind()} removes the message last returned by {@code mailboxNext} and
 * rewinds. Every {@code receive} rewinds too. {@link #receive(Predicate, Duration)} and {@link
 * #receive(Class, Duration)} are the selective receive built from these three.
 *
 * <h2>Timeouts, interrupts and exceptions</h2>
 * A {@link Duration} timeout of {@link Duration#ZERO} polls; a negative one is an {@link
 * IllegalArgumentException}. Timeouts never return early. Without a default value, a timeout
 * throws {@link MailboxTimeoutException}; with one, the default is returned. A thread
 * interrupted while it waits throws {@link MailboxInterruptedException} with its interrupt
 * status still set. Both are unchecked, so thread bodies stay plain lambdas; the reasons are on
 * each class.
 *
 * <h2>Request/reply</h2>
 * {@link #call(Address, Object, Duration)} sends a {@link Request} and waits, by selective
 * receive, for its reply only; the server answers with {@link Request#reply(Object)}. Late
 * replies are dropped and counted ({@link #lateReplyCount()}).
 *
 * <p><b>Thread safety:</b> {@code send}, {@code addressOf}, {@code threadOf}, {@code start},
 * {@code hasMailbox}, {@code deliverReply} and the counts may be called from any thread. {@code
 * receive}, {@code call} and the cursor methods act on the mailbox of the calling thread, which
 * is the only thread that takes messages from it.
 *
 * <p><b>Memory consistency effects:</b> actions in a thread prior to sending a message
 * <i>happen-before</i> actions subsequent to the receipt of that message (by {@code receive} or
 * {@code mailboxNext}) in the receiving thread.
 */
public final class MailboxThreads {

  private MailboxThreads() {}

  // ------------------------------------------------------------------ sending

  /**
   * Appends {@code message} to the mailbox of {@code thread} (thread-send). Never blocks, unless
   * the mailbox is limited and full (see {@link #limitMailbox}). If the thread has ended, the
   * message is dropped and counted in {@link #droppedCount()}. A thread that has not been
   * started yet can be sent to; its messages wait for it.
   *
   * @param thread the receiver
   * @param message the message; any object, shared as is (not copied)
   * @throws NullPointerException if {@code thread} or {@code message} is {@code null}
   * @throws MailboxFullException if the mailbox is full and limited with {@link Overflow#FAIL}
   * @throws MailboxInterruptedException if interrupted while waiting for room ({@link
   *     Overflow#BLOCK}); the message was not sent
   */
  public static void send(Thread thread, Object message) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(message, "message: null cannot be sent; send a value or an Optional");
    if (!thread.isAlive() && thread.getState() == Thread.State.TERMINATED) {
      Mailboxes.countDropped(1);
      return;
    }
    Mailbox m = Mailboxes.of(thread);
    if (m.deliver(message) == Mailbox.REFUSED_FULL) {
      throw m.full();
    }
  }

  /**
   * Like {@link #send(Thread, Object)}, but tells whether the message went into the mailbox.
   *
   * @param thread the receiver
   * @param message the message
   * @return true if appended to the mailbox; false if dropped because the thread has ended or
   *     its mailbox is full ({@link Overflow#DROP}; both counted in {@link #droppedCount()}), or
   *     refused because its mailbox is full ({@link Overflow#FAIL}; not counted)
   * @throws NullPointerException if {@code thread} or {@code message} is {@code null}
   * @throws MailboxInterruptedException if interrupted while waiting for room ({@link
   *     Overflow#BLOCK}); the message was not sent
   */
  public static boolean trySend(Thread thread, Object message) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(message, "message: null cannot be sent; send a value or an Optional");
    if (!thread.isAlive() && thread.getState() == Thread.State.TERMINATED) {
      Mailboxes.countDropped(1);
      return false;
    }
    return Mailboxes.of(thread).offer(message);
  }

  /**
   * Sends {@code message} to {@code address}: the same as {@code address.send(message)}, so that
   * local and remote addresses are sent to with one call.
   *
   * @param address a local or remote address
   * @param message the message
   * @throws NullPointerException if either is {@code null}
   */
  public static void send(Address address, Object message) {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(message, "message: null cannot be sent; send a value or an Optional");
    address.send(message);
  }

  /**
   * The address of {@code thread}'s mailbox. Sending through it skips the lookup that {@link
   * #send(Thread, Object)} does on every call; it does not keep the thread alive.
   *
   * @param thread the thread
   * @return its address; equal to every other address of the same thread
   */
  public static Address addressOf(Thread thread) {
    Objects.requireNonNull(thread, "thread");
    return Mailboxes.of(thread);
  }

  /**
   * The address of the calling thread, to put in a message so that the receiver can answer
   * (Erlang's {@code self()}).
   *
   * @return {@code addressOf(Thread.currentThread())}
   */
  public static Address self() {
    return Mailboxes.of(Thread.currentThread());
  }

  /**
   * The thread behind a local address: {@code Optional.of(thread)} for an address made by {@link
   * #addressOf(Thread)} or {@link #self()} whose thread has not been collected, empty for any
   * other address (a remote one, say). Transports use it to tell local addresses from others.
   *
   * @param address any address
   * @return its local thread, if it is a local address
   */
  public static Optional<Thread> threadOf(Address address) {
    Objects.requireNonNull(address, "address");
    return address instanceof Mailbox m ? Optional.ofNullable(m.get()) : Optional.empty();
  }

  /** Whether {@code address} is a mailbox of this JVM, whether or not its thread still lives. */
  static boolean isLocal(Address address) {
    return address instanceof Mailbox;
  }

  // ------------------------------------------------------------------ request/reply

  /**
   * Request/reply: sends {@code request} to {@code target} as a {@link Request} that carries the
   * calling thread's address and a fresh correlation id, then waits, by selective receive, for
   * the reply to this call only: every other message stays in the mailbox, in order. The
   * server takes the {@link Request} and answers with {@link Request#reply(Object)}.
   *
   * {@snippet :
   * // server
   * start(() -> {
   *   while (true) {
   *     Request r = receive(Request.class);
   *     r.reply("echo: " + r.body());
   *   }
   * });
   * // client
   * Object answer = call(server, "hello", Duration.ofSeconds(1)); // "echo: hello"
   * }
   *
   * <p>On timeout (or interrupt) the call is given up: its reply, should it come later, is
   * dropped and counted in {@link #lateReplyCount()}, never left in the mailbox. A reply that
   * was already being delivered when the time ran out is returned rather than dropped.
   *
   * <p>Across processes (the remote module), the reply address travels as the endpoints of a
   * publication of the calling process, so that process must publish the calling thread or
   * another one; see the remote module's {@code RemoteThread}.
   *
   * @param target the server; a local or remote address
   * @param request what to ask; not null
   * @param timeout how long to wait for the reply; {@link Duration#ZERO} takes only a reply that
   *     is already there, which no reply can be
   * @return the reply's body
   * @throws CallTimeoutException if no reply came within {@code timeout}
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws MailboxInterruptedException if interrupted while waiting; the call is given up
   * @throws RuntimeException whatever sending to {@code target} throws (the remote module's
   *     {@code UnencodableMessageException}, say); the call is given up
   */
  public static Object call(Address target, Object request, Duration timeout) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(request, "request: null cannot be sent; send a value or an Optional");
    long nanos = Deadlines.toNanos(timeout);
    Thread me = Thread.currentThread();
    Mailbox mine = Mailboxes.of(me);
    Calls.Pending pending = Calls.register(me);
    long id = pending.id();
    try {
      target.send(new Request(request, mine, id));
    } catch (RuntimeException | Error e) {
      pending.done();
      throw e;
    }
    Predicate<Object> isMyReply = m -> m instanceof Reply r && r.correlationId() == id;
    Object reply;
    try {
      reply = mine.takeMatching(isMyReply, nanos);
    } catch (MailboxInterruptedException e) {
      if (!pending.abandon()) {
        takeClaimedReply(mine, isMyReply); // it is coming: take it out, it has nowhere to go
      }
      throw e;
    }
    if (reply == null) {
      if (pending.abandon()) {
        throw new CallTimeoutException(target, request, timeout, id);
      }
      reply = mine.takeMatching(isMyReply, Deadlines.FOREVER); // claimed in time, appended now
    }
    pending.done();
    return ((Reply) reply).body();
  }

  /** Takes a reply that is sure to arrive, with the interrupt status cleared meanwhile. */
  private static void takeClaimedReply(Mailbox mine, Predicate<Object> isMyReply) {
    boolean interrupted = Thread.interrupted();
    try {
      mine.takeMatching(isMyReply, Deadlines.FOREVER);
      Calls.countLate();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Hands a reply to the thread whose {@link #call} waits for it, found by its correlation id,
   * and tells whether it went there. For transports: {@link Request#reply(Object)} calls it for
   * a local caller, and the remote module for a reply received from another process. A reply
   * that no call waits for (the call timed out or was interrupted, had its reply already, or
   * never was in this JVM) is dropped and counted in {@link #lateReplyCount()}.
   *
   * @param reply the reply
   * @return true if delivered to the waiting caller; false if dropped and counted
   */
  public static boolean deliverReply(Reply reply) {
    Objects.requireNonNull(reply, "reply");
    Thread caller = Calls.claim(reply.correlationId());
    if (caller == null) {
      return false;
    }
    if (!Mailboxes.of(caller).offerIgnoringLimit(reply)) { // the call waits: never refused
      Calls.countLate(); // the caller ended between claim and offer (the mailbox counted it too)
      return false;
    }
    return true;
  }

  /**
   * Replies dropped because no {@link #call} waited for them any more: they came after their
   * call timed out or was interrupted, answered a call twice, or answered a call this JVM never
   * made. They are never left in a mailbox.
   *
   * @return the count since the library was loaded, for the whole JVM
   */
  public static long lateReplyCount() {
    return Calls.late();
  }

  // ------------------------------------------------------------------ receiving

  /**
   * Removes and returns the oldest message of the calling thread's mailbox, waiting as long as it
   * is empty (thread-receive). Rewinds the cursor.
   *
   * @return the message
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static Object receive() {
    return mine().take();
  }

  /**
   * Like {@link #receive()}, waiting at most {@code timeout}.
   *
   * @param timeout how long to wait; {@link Duration#ZERO} polls
   * @return the message
   * @throws MailboxTimeoutException if no message arrived in time
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static Object receive(Duration timeout) {
    Object m = mine().take(Deadlines.toNanos(timeout));
    if (m == null) {
      throw new MailboxTimeoutException(timeout);
    }
    return m;
  }

  /**
   * Like {@link #receive()}, waiting at most {@code timeout}, then returning {@code
   * defaultValue}.
   *
   * @param timeout how long to wait; {@link Duration#ZERO} polls
   * @param defaultValue returned on timeout; may be {@code null}
   * @return the message, or {@code defaultValue}
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static Object receive(Duration timeout, Object defaultValue) {
    Object m = mine().take(Deadlines.toNanos(timeout));
    return m == null ? defaultValue : m;
  }

  /**
   * Selective receive: removes and returns the oldest message that {@code filter} accepts,
   * leaving the others in their order, waiting as long as none matches. Rewinds the cursor.
   *
   * @param filter tested on each message, oldest first, at most once per message per call
   * @return the first matching message
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static Object receive(Predicate<Object> filter) {
    Objects.requireNonNull(filter, "filter");
    return mine().takeMatching(filter, Deadlines.FOREVER);
  }

  /**
   * Selective receive with a timeout; see {@link #receive(Predicate)}.
   *
   * @param filter tested on each message, oldest first
   * @param timeout how long to wait for a match; {@link Duration#ZERO} looks only at what is
   *     already there
   * @return the first matching message
   * @throws MailboxTimeoutException if no message matched in time
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static Object receive(Predicate<Object> filter, Duration timeout) {
    Objects.requireNonNull(filter, "filter");
    Object m = mine().takeMatching(filter, Deadlines.toNanos(timeout));
    if (m == null) {
      throw new MailboxTimeoutException(timeout);
    }
    return m;
  }

  /**
   * Selective receive by type: the oldest message that is an instance of {@code type}.
   *
   * @param type the class wanted
   * @param <T> its type
   * @return the first message of that type
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static <T> T receive(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return type.cast(mine().takeMatching(type::isInstance, Deadlines.FOREVER));
  }

  /**
   * Selective receive by type with a timeout.
   *
   * @param type the class wanted
   * @param timeout how long to wait for one
   * @param <T> its type
   * @return the first message of that type
   * @throws MailboxTimeoutException if none arrived in time
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static <T> T receive(Class<T> type, Duration timeout) {
    Objects.requireNonNull(type, "type");
    Object m = mine().takeMatching(type::isInstance, Deadlines.toNanos(timeout));
    if (m == null) {
      throw new MailboxTimeoutException(timeout);
    }
    return type.cast(m);
  }

  // ------------------------------------------------------------------ the cursor

  /**
   * Returns the message after the cursor without removing it, and advances the cursor to it,
   * waiting as long as there is none (thread-mailbox-next).
   *
   * @return the message
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static Object mailboxNext() {
    return mine().next(Deadlines.FOREVER);
  }

  /**
   * Like {@link #mailboxNext()}, waiting at most {@code timeout}; the cursor does not move on
   * timeout.
   *
   * @param timeout how long to wait for a message newer than the cursor
   * @return the message
   * @throws MailboxTimeoutException if none arrived in time
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static Object mailboxNext(Duration timeout) {
    Object m = mine().next(Deadlines.toNanos(timeout));
    if (m == null) {
      throw new MailboxTimeoutException(timeout);
    }
    return m;
  }

  /**
   * Like {@link #mailboxNext()}, waiting at most {@code timeout}, then returning {@code
   * defaultValue}; the cursor does not move on timeout.
   *
   * @param timeout how long to wait
   * @param defaultValue returned on timeout; may be {@code null}
   * @return the message, or {@code defaultValue}
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws MailboxInterruptedException if interrupted while waiting
   */
  public static Object mailboxNext(Duration timeout, Object defaultValue) {
    Object m = mine().next(Deadlines.toNanos(timeout));
    return m == null ? defaultValue : m;
  }

  /** Moves the cursor of the calling thread's mailbox back before the oldest message. */
  public static void mailboxRewind() {
    Mailbox m = Mailboxes.peek(Thread.currentThread());
    if (m != null) {
      m.rewind();
    }
  }

  /**
   * Removes the message that {@link #mailboxNext()} last returned, if it returned one since the
   * last rewind or receive, and rewinds the cursor (thread-mailbox-extract-and-rewind).
   */
  public static void mailboxExtractAndRewind() {
    Mailbox m = Mailboxes.peek(Thread.currentThread());
    if (m != null) {
      m.extractAndRewind();
    }
  }

  /**
   * Number of messages waiting in the calling thread's mailbox (Erlang's
   * {@code message_queue_len}). Walks the mailbox: meant for monitoring and tests.
   *
   * @return the count
   */
  public static int mailboxSize() {
    Mailbox m = Mailboxes.peek(Thread.currentThread());
    return m == null ? 0 : m.size();
  }

  // ------------------------------------------------------------------ threads

  /**
   * Starts a virtual thread that runs {@code body} (make-thread + thread-start!). Its mailbox is
   * closed as soon as the body returns or throws.
   *
   * @param body what the thread does
   * @return the started thread
   */
  public static Thread start(Runnable body) {
    return start(Thread.ofVirtual(), body);
  }

  /**
   * Starts a named virtual thread that runs {@code body}.
   *
   * @param name the thread's name
   * @param body what the thread does
   * @return the started thread
   */
  public static Thread start(String name, Runnable body) {
    Objects.requireNonNull(name, "name");
    return start(Thread.ofVirtual().name(name), body);
  }

  /**
   * Starts a thread made by {@code builder} (for example {@code Thread.ofPlatform().daemon()})
   * that runs {@code body}. Its mailbox is closed as soon as the body returns or throws.
   *
   * @param builder makes the thread, platform or virtual
   * @param body what the thread does
   * @return the started thread
   */
  public static Thread start(Thread.Builder builder, Runnable body) {
    Thread thread = unstarted(builder, body);
    thread.start();
    return thread;
  }

  /**
   * Makes a thread that runs {@code body}, without starting it (make-thread). It can be sent
   * to before it starts.
   *
   * @param builder makes the thread, platform or virtual
   * @param body what the thread does
   * @return the thread, not started
   */
  public static Thread unstarted(Thread.Builder builder, Runnable body) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(body, "body");
    // The thread is read again after the body rather than kept in a local: a value kept across
    // body.run() would take a slot in this frame, which every parked virtual thread started here
    // keeps on the heap.
    return builder.unstarted(() -> {
      try {
        body.run();
      } catch (Throwable t) {
        // Report it as the JVM would, but before the mailbox closes: otherwise a send during
        // the handler would create a fresh mailbox for a thread that is about to end.
        Thread me = Thread.currentThread();
        try {
          me.getUncaughtExceptionHandler().uncaughtException(me, t);
        } catch (Throwable ignored) {
          // the JVM ignores what an uncaught-exception handler throws, too
        }
      } finally {
        Mailboxes.threadEnded(Thread.currentThread());
      }
    });
  }

  /**
   * True if {@code thread} has a mailbox now (thread?): it has been sent to, has received or has
   * been addressed, and its mailbox has not been closed (a thread started with {@link #start}
   * loses it as it ends, any other thread when it is collected). Every thread gets one when it
   * needs it; this only tells whether it has, and never creates one.
   *
   * @param thread the thread
   * @return whether a mailbox exists for it
   */
  public static boolean hasMailbox(Thread thread) {
    Objects.requireNonNull(thread, "thread");
    return Mailboxes.peek(thread) != null;
  }

  /**
   * Messages dropped because their receiver had ended (sent after it ended, or left unread in
   * its mailbox when it ended) or because its mailbox was full and limited with {@link
   * Overflow#DROP}. Nothing else drops a local message.
   *
   * @return the count since the library was loaded, for the whole JVM
   */
  public static long droppedCount() {
    return Mailboxes.dropped();
  }

  /**
   * The part of {@link #droppedCount()} dropped because a mailbox was full ({@link
   * Overflow#DROP}).
   *
   * @return the count since the library was loaded, for the whole JVM
   */
  public static long droppedWhenFullCount() {
    return Mailboxes.droppedFull();
  }

  // ------------------------------------------------------------------ limits

  /**
   * Limits the mailbox of {@code thread} to {@code capacity} messages; a send to it while it is
   * full does what {@code whenFull} says: waits for room, fails, or drops and counts the message.
   * Mailboxes are unbounded until limited. Calling it again replaces the limit; messages already
   * in the mailbox stay, and count only toward the limit they were sent under, so a new limit
   * applies to messages sent from now on. Senders waiting under the old limit try again under
   * the new one.
   *
   * <p>{@link Overflow#BLOCK} is back-pressure between local threads; a thread that sends to its
   * own full mailbox gets a {@link MailboxFullException} rather than waiting for itself.
   *
   * @param thread the receiver; need not be started yet
   * @param capacity the most messages its mailbox holds, at least 1
   * @param whenFull what a send to a full mailbox does
   * @throws IllegalArgumentException if {@code capacity} is less than 1
   * @throws NullPointerException if {@code thread} or {@code whenFull} is {@code null}
   */
  public static void limitMailbox(Thread thread, int capacity, Overflow whenFull) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(whenFull, "whenFull");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1 message, not " + capacity
          + "; to remove a limit use unlimitMailbox");
    }
    Mailboxes.of(thread).limit(Mailboxes.bound(capacity, whenFull));
  }

  /**
   * Removes the limit of the mailbox of {@code thread}, if it has one; senders waiting for room
   * go on at once.
   *
   * @param thread the receiver
   * @throws NullPointerException if {@code thread} is {@code null}
   */
  public static void unlimitMailbox(Thread thread) {
    Objects.requireNonNull(thread, "thread");
    Mailbox m = Mailboxes.peek(thread);
    if (m != null) {
      m.limit(null);
    }
  }

  /**
   * The capacity {@code thread}'s mailbox is limited to, or -1 when it is unbounded.
   *
   * @param thread the thread
   * @return the capacity, or -1
   * @throws NullPointerException if {@code thread} is {@code null}
   */
  public static int mailboxCapacity(Thread thread) {
    Objects.requireNonNull(thread, "thread");
    Mailbox m = Mailboxes.peek(thread);
    return m == null ? -1 : m.capacity();
  }

  private static Mailbox mine() {
    return Mailboxes.of(Thread.currentThread());
  }
}
