package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.MailboxFullException;
import dev.mailboxthreads.MailboxInterruptedException;
import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.Reply;
import dev.mailboxthreads.Request;
import dev.mailboxthreads.remote.Codec;
import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.CodecException;
import dev.mailboxthreads.remote.DropReason;
import dev.mailboxthreads.remote.JavaCodec;
import dev.mailboxthreads.remote.PublicationStats;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteMailboxException;
import dev.mailboxthreads.spi.OwnerWaits;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

/**
 * The message loop of one publication: a platform thread that owns a PULL socket bound to the
 * publication's endpoints, decodes each frame and puts the message in the published thread's
 * mailbox.
 *
 * <p><b>Thread safety:</b> {@link #start}, {@link #close} and the diagnostics may be called from
 * any thread; {@code drainAsOwner} by the published thread while it holds the socket (direct
 * receive, {@link OwnerReceive}); everything else runs on the loop's own thread. One thread at a
 * time touches the socket: the loop, or the published thread it lent the socket to.
 */
public final class PublicationLoop implements Runnable {
  /*
   * Waiting: the loop waits inside JeroMQ until a pipe has a frame (SocketWait), then drains the
   * socket with non-blocking receives until EAGAIN. close() sets `closing` and cancels the wait
   * (SocketWait.cancel: safe from any thread, interrupted or not, and touches no socket state
   * but its command mailbox). Waiting in a Selector of our own on the socket's signalling channel,
   * as this loop did before, could busy-loop until a 4 ms scheduler tick (SocketWait's notes):
   * a two-JVM round trip on 2 vCPUs had a median of 123-140 us with it and 82-92 us without, p99
   * 7.8 ms against 3.7 ms, in interleaved runs under the same load (docs/benchmarks-remote.md).
   */
  private static final AtomicInteger IDS = new AtomicInteger();
  /**
   * Decoding recurses once per level of the message's object graph; JavaCodec's default depth
   * limit (1000) needs up to about 1 MB, a platform thread's default stack.
   */
  private static final long DECODER_STACK_BYTES = 4L << 20;
  /** Frames taken per wake-up before looking at `closing` again. */
  private static final int BATCH = 4096;

  private final ZMQ.Context context;
  private final Thread target;
  private final PublishOptions options;
  private final List<String> requested;
  private final Function<List<String>, Address> addresses;
  private final Counters counters = new Counters();
  private final CompletableFuture<List<String>> bound = new CompletableFuture<>();
  private final Thread ioThread;
  /** The context's ZAP handler when the options have CURVE, else null. */
  private final ZapHandler zap;

  /** Set once by close(); read by the loop. */
  private volatile boolean closing;
  /** The ZMQ_RCVHWM given to the socket at set-up (receiveHwm); written once by the I/O thread. */
  private volatile int socketReceiveHwm = -1;

  /*
   * Delivering to a mailbox limited with Overflow.BLOCK waits for room: back-pressure, through
   * ZeroMQ's high-water marks, to the senders. close() must still end the loop then, and may
   * interrupt the loop's thread only while it waits in the mailbox (an interrupt inside JeroMQ
   * would close its channels). `phase` arbitrates. The loop sets DELIVERING, then reads
   * `closing` (if set, it sends with its interrupt status set, so a full BLOCK mailbox refuses
   * at once), sends, and CASes DELIVERING back to IDLE. close() sets `closing`, then CASes
   * DELIVERING to INTERRUPTING, interrupts the thread and sets INTERRUPTED. A loop whose CAS
   * fails waits for INTERRUPTED; either way it clears its interrupt status before it touches
   * the socket again. Dekker on (closing, phase): close sees DELIVERING or the loop sees closing.
   */
  private static final int IDLE = 0;
  private static final int DELIVERING = 1;
  private static final int INTERRUPTING = 2;
  private static final int INTERRUPTED = 3;
  private static final VarHandle PHASE;

  static {
    try {
      PHASE = MethodHandles.lookup().findVarHandle(PublicationLoop.class, "phase", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** IDLE, DELIVERING, INTERRUPTING or INTERRUPTED; see above. */
  private volatile int phase;
  /**
   * Set by handle() when the codec ran out of stack on the published thread (direct receive);
   * that thread's only.
   */
  private boolean ownerStackOverflow;

  /** The loop's wait for frames, which close() cancels, and the owner's request nudges. */
  private final SocketWait wait = new SocketWait();
  /** Lends the socket to the published thread while it waits (OwnerReceive), or null. */
  private final OwnerReceive direct;

  /**
   * Creates the loop; call {@link #start()} next.
   *
   * @param context the ZeroMQ context
   * @param target the published thread
   * @param options the publication's options
   * @param endpoints checked endpoints
   * @param addresses turns the checked endpoints of an address received in a message (or a
   *     request's reply endpoints) into an address; bound to the loop's thread for codecs
   */
  public PublicationLoop(ZMQ.Context context, Thread target, PublishOptions options,
      List<String> endpoints, Function<List<String>, Address> addresses) {
    this(context, target, options, endpoints, addresses, null);
  }

  /**
   * Creates the loop; call {@link #start()} next.
   *
   * @param context the ZeroMQ context
   * @param target the published thread
   * @param options the publication's options
   * @param endpoints checked endpoints
   * @param addresses see the other constructor
   * @param zap the context's ZAP handler, started; required when the options have CURVE
   */
  public PublicationLoop(ZMQ.Context context, Thread target, PublishOptions options,
      List<String> endpoints, Function<List<String>, Address> addresses, ZapHandler zap) {
    if (options.curve() != null && zap == null) {
      throw new IllegalArgumentException("CURVE needs the context's ZAP handler");
    }
    this.zap = zap;
    this.context = context;
    this.target = target;
    this.options = options;
    this.requested = List.copyOf(endpoints);
    this.addresses = addresses;
    this.ioThread = Thread.ofPlatform()
        .daemon()
        .stackSize(DECODER_STACK_BYTES)
        .name("mbt-publication-" + IDS.incrementAndGet())
        .unstarted(this);
    this.direct = OwnerReceive.eligible(target) ? new OwnerReceive(this, target, ioThread) : null;
  }

  /**
   * Starts the loop and waits until every endpoint is bound.
   *
   * @return the endpoints actually bound (a wildcard port replaced by the port chosen)
   * @throws RemoteMailboxException if an endpoint cannot be bound; nothing stays bound then
   */
  public List<String> start() {
    return IoThreads.start(ioThread, bound, "publish on " + requested);
  }

  /** Stops the loop, unbinds, and returns once the loop's thread has ended. Idempotent. */
  public void close() {
    closing = true;
    if (PHASE.compareAndSet(this, DELIVERING, INTERRUPTING)) {
      ioThread.interrupt(); // it may be waiting for room in a full mailbox (Overflow.BLOCK)
      phase = INTERRUPTED;
    }
    wait.cancel();
    LockSupport.unpark(ioThread); // it may sleep while its socket is lent
    awaitEnd();
  }

  /**
   * How many times the published thread waited holding the socket (direct receive, {@link
   * OwnerReceive}), for tests and diagnostics.
   *
   * @return the count so far; 0 when the thread is not eligible or it is turned off
   */
  public long directWaits() {
    return direct == null ? 0 : direct.epoch();
  }

  /**
   * The ZMQ_RCVHWM the socket was given, for tests: see {@link #receiveHwm}.
   *
   * @return the value, or -1 before the socket is set up
   */
  public int socketReceiveHighWaterMark() {
    return socketReceiveHwm;
  }

  /**
   * How many times the loop took the socket back from a published thread that had stopped
   * waiting (direct receive), for tests and diagnostics.
   *
   * @return the count so far
   */
  public long directTakenBack() {
    return direct == null ? 0 : direct.takenBack();
  }

  /**
   * Whether the published thread waits in the socket now (direct receive), for tests.
   *
   * @return true while it does
   */
  public boolean ownerWaitsInSocket() {
    return direct != null && direct.holder() == OwnerReceive.OWNER;
  }

  /**
   * Any thread: this publication is now the way back for replies to calls made by threads other
   * than the published one, so it stops lending its socket to the published thread (a reply
   * for another thread must not wait while the published thread works).
   */
  public void servesOtherThreadsReplies() {
    if (direct != null) {
      direct.share();
    }
  }

  /** Whether close() was called; any thread. */
  boolean isClosing() {
    return closing;
  }

  /** The owner, waiting while the loop holds the socket: asks for it (OwnerReceive). */
  void nudge() {
    wait.cancel();
  }

  /** The resolver codecs use for addresses in this publication's messages. */
  Function<List<String>, Address> resolver() {
    return addresses;
  }

  private void awaitEnd() {
    IoThreads.join(ioThread);
  }

  /**
   * The counters now.
   *
   * @return a snapshot
   */
  public PublicationStats stats() {
    return counters.snapshot();
  }

  /**
   * The loop's thread, for tests and diagnostics.
   *
   * @return the I/O thread
   */
  public Thread ioThread() {
    return ioThread;
  }

  @Override
  public void run() {
    ZMQ.Socket socket = null;
    List<String> actual = new ArrayList<>();
    AutoCloseable zapRegistration = null;
    HandshakeWatch watch = null;
    boolean installed = false;
    DecodingScope.bind(addresses);
    WarmUpGate.open(); // a publication decodes whatever comes: its codec warms up at once
    try {
      try {
        socket = context.socket(SocketType.PULL);
        socket.setLinger(0);
        if (options.curve() != null) {
          // before any bind: a CURVE socket without a registered policy would let anyone in
          String domain = ioThread.getName();
          zapRegistration = zap.register(domain, options.curve(), domain + " on " + requested,
              counters::refusedClient);
          socket.setZapDomain(domain);
          socket.setCurveServer(true);
          socket.setCurveSecretKey(ZMQ.Curve.z85Decode(options.curve().keys().secretKey()));
        }
        // the socket's monitor, before any bind: counts failed handshakes on the receiver
        watch = new HandshakeWatch(ioThread.getName() + " on " + requested,
            counters::failedHandshake);
        if (!socket.setEventHook(watch, HandshakeWatch.EVENTS)) {
          throw new RemoteMailboxException("cannot watch the publication's handshakes on "
              + requested + " (the context is closing?)", null);
        }
        socketReceiveHwm = receiveHwm(options.receiveHighWaterMark(), options.codec());
        socket.setRcvHWM(socketReceiveHwm);
        // JeroMQ reserves a frame's buffer as soon as it reads the frame's announced size: a peer
        // announcing 2 GiB makes the context's I/O thread die of OutOfMemoryError. With a limit,
        // JeroMQ drops such a peer's connection before allocating. The limit is twice ours, so
        // that a frame somewhat over maxMessageBytes still reaches us and is counted TOO_LARGE.
        socket.setMaxMsgSize(hardFrameLimit(options.maxMessageBytes()));
        for (String endpoint : requested) {
          actual.add(bind(socket, endpoint));
        }
        wait.open(socket);
        if (direct != null) {
          direct.open(socket);
          installed = OwnerWaits.install(target, direct);
        }
      } catch (RuntimeException e) {
        bound.completeExceptionally(e);
        return;
      }
      bound.complete(List.copyOf(actual));
      loop(socket);
    } catch (RuntimeException | Error e) {
      Logs.remote().log(Level.ERROR, "publication " + actual + " stopped by an unexpected failure", e);
    } finally {
      if (direct != null) {
        if (installed) {
          OwnerWaits.remove(target, direct);
        }
        direct.closeForGood(); // before anything else touches the socket
        boolean counted = direct.deferredCounted();
        byte[] left = direct.takeDeferred();
        if (left != null && socket != null) {
          takeLeft(socket, left, counted); // delivered or counted like the others
        }
      }
      if (watch != null) {
        watch.stop(); // before unbinding: nothing seen while closing is a failed handshake
      }
      if (socket != null) {
        for (String endpoint : actual) {
          try {
            socket.unbind(endpoint);
          } catch (RuntimeException ignored) {
            // closing anyway
          }
        }
        wait.closing();
        socket.close();
        awaitReleased(actual);
      }
      if (zapRegistration != null) {
        try {
          zapRegistration.close(); // after the socket: no handshake of it can need the policy
        } catch (Exception ignored) {
          // cannot fail
        }
      }
      bound.completeExceptionally(new RemoteMailboxException("publication closed", null));
    }
  }

  /**
   * ZMQ_RCVHWM for a publication's receiveHighWaterMark and codec. ZeroMQ counts messages, and a
   * batch frame (up to SenderLoop.MAX_GROUP frames, docs/wire-format.md) is one; unscaled, a slow
   * receiver could hold 256 times as many frames, and up to 64 KiB per message, as the setting
   * says. So where the senders batch by default (JavaCodec: ConnectOptions.batches()) it is
   * scaled like the sender's ZMQ_SNDHWM, and full batches hold about the setting's number of
   * frames. Other codecs' senders (peers in other languages, Java connections unless told to
   * batch) send lone frames, and for them a scaled mark is a pipe of 390 frames instead of
   * 100,000: ZeroMQ's reader then posts a credit command to the I/O thread every 195 frames read
   * (its low-water mark), and the interop codec's 16 B stream ran at 1.6-1.8 M messages/s
   * instead of 2.5-2.7 M (docs/benchmarks.md, "Session 11"). So they get the setting as it is,
   * but at most ConnectOptions.ZMQ_MAX_UNBATCHED (4,096) frames, as a connection that does not
   * batch: ZeroMQ counts messages, not bytes, and 100,000 frames of 4 KiB were 400 MB (docs,
   * "Session 12"). 0 (no limit) stays 0.
   */
  static int receiveHwm(int receiveHighWaterMark, Codec codec) {
    if (receiveHighWaterMark == 0) {
      return 0;
    }
    if (!(codec instanceof JavaCodec)) {
      return Math.min(receiveHighWaterMark, ConnectOptions.ZMQ_MAX_UNBATCHED);
    }
    return Math.max(1, receiveHighWaterMark / SenderLoop.MAX_GROUP);
  }

  /**
   * The frame size above which ZeroMQ drops the sender's connection instead of reading the
   * frame: twice {@code maxMessageBytes}, at least 1 MiB more.
   */
  static long hardFrameLimit(int maxMessageBytes) {
    return Math.max(2L * maxMessageBytes, maxMessageBytes + (1L << 20));
  }

  /**
   * Waits, up to a second, until the endpoints are free again. JeroMQ closes a listener
   * asynchronously, on its I/O thread; and the JDK defers closing a channel registered with a
   * selector until that selector's next select, so the port stays bound a little longer still.
   */
  private static void awaitReleased(List<String> endpoints) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    for (String endpoint : endpoints) {
      while (isBound(endpoint) && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(100_000);
      }
    }
  }

  private static boolean isBound(String endpoint) {
    if (endpoint.startsWith("ipc://")) {
      return Files.exists(Path.of(endpoint.substring(6)), LinkOption.NOFOLLOW_LINKS);
    }
    if (!endpoint.startsWith("tcp://")) {
      return false; // inproc: unbound synchronously
    }
    String rest = endpoint.substring(6);
    int colon = rest.lastIndexOf(':');
    String host = rest.substring(0, colon);
    if (host.equals("0.0.0.0") || host.equals("*")) {
      host = "127.0.0.1";
    } else if (host.equals("[::]")) {
      host = "::1";
    } else if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    try (SocketChannel probe = SocketChannel.open()) {
      probe.connect(new InetSocketAddress(host, Integer.parseInt(rest.substring(colon + 1))));
      return true;
    } catch (ConnectException e) {
      return false; // refused: nothing listens
    } catch (IOException | RuntimeException e) {
      return false; // cannot tell; do not wait
    }
  }

  private static String bind(ZMQ.Socket socket, String endpoint) {
    if (endpoint.startsWith("ipc://") && IpcPaths.prepareBind(endpoint)) {
      Logs.remote().log(Level.INFO, "removed a stale socket file (no process listened on it) to bind "
          + endpoint);
    }
    boolean ok;
    try {
      ok = socket.bind(endpoint);
    } catch (ZMQException | IllegalArgumentException e) {
      throw ZmqErrors.bindFailed(endpoint, ZmqErrors.errno(socket, e), e);
    }
    if (!ok) {
      throw ZmqErrors.bindFailed(endpoint, socket.errno(), null);
    }
    String last = socket.getLastEndpoint();
    return last == null ? endpoint : last;
  }

  private void loop(ZMQ.Socket socket) {
    while (!closing) {
      if (direct != null) {
        if (direct.holder() != OwnerReceive.LOOP && !direct.sleepWhileLent()) {
          continue; // still lent (or closing: the loop's end takes it back)
        }
        // the loop holds the socket: a frame the owner left with it goes before any other,
        // whether the loop saw the hand-back while it slept or only now
        boolean counted = direct.deferredCounted();
        byte[] left = direct.takeDeferred();
        if (left != null) {
          takeLeft(socket, left, counted);
        }
      }
      if (drain(socket)) {
        continue; // a full batch: there may be more
      }
      if (direct != null && direct.lendIfWanted()) {
        continue;
      }
      // waits in JeroMQ for a frame (see the notes); false: a second passed, or close()
      // cancelled it or interrupted a delivery (both set `closing` first), or the owner asked
      // for the socket (OwnerReceive), or the context ends
      if (!wait.await(socket, zmq.ZMQ.ZMQ_POLLIN, 1000, true) && SocketWait.terminated(socket)) {
        closing = true;
      }
      if (!closing) {
        wait.takeCancel(); // a nudge; close() sets `closing` before it cancels, so none is lost
      }
    }
  }

  /** Takes up to BATCH frames; true if it took a full batch. */
  private boolean drain(ZMQ.Socket socket) {
    for (int i = 0; i < BATCH; i++) {
      byte[] frame;
      try {
        frame = socket.recv(ZMQ.DONTWAIT);
      } catch (ZMQException e) {
        if (e.getErrorCode() == ZError.ETERM) {
          closing = true;
          return false;
        }
        throw e;
      }
      if (frame == null) {
        return false;
      }
      take(socket, frame);
    }
    return true;
  }

  /**
   * The published thread, holding the socket while it waits (OwnerReceive): takes up to
   * OWNER_BATCH frames and delivers them to its own mailbox. A batch over MAX_BATCH_BYTES, the
   * first of several parts, or a frame whose decoding overflowed this thread's stack, is left
   * to the loop with the socket.
   *
   * @return the frames taken, or -1 if one was left to the loop (which must hold the socket
   *     next)
   * @throws ZMQException as the socket's receive does (EINTR, ETERM)
   */
  int drainAsOwner(ZMQ.Socket socket, OwnerReceive owner) {
    int taken = 0;
    while (taken < OwnerReceive.OWNER_BATCH) {
      byte[] frame = socket.recv(ZMQ.DONTWAIT);
      if (frame == null) {
        break;
      }
      if (socket.hasReceiveMore()) {
        owner.defer(frame, false);
        return -1;
      }
      if (Frames.isBatch(frame)) {
        if (frame.length > OwnerReceive.MAX_BATCH_BYTES) {
          owner.defer(frame, false); // a stream: the loop decodes it while the owner consumes
          return -1;
        }
        unbatch(frame);
      } else {
        counters.received();
        ownerStackOverflow = false;
        handle(frame, 0, frame.length);
        if (ownerStackOverflow) {
          owner.defer(frame, true); // the loop's bigger stack decodes it (counted already)
          return -1;
        }
      }
      taken++;
    }
    return taken;
  }

  /**
   * The loop: handles a frame the published thread left with the socket (direct receive).
   *
   * @param counted whether it was counted as received already
   */
  private void takeLeft(ZMQ.Socket socket, byte[] frame, boolean counted) {
    if (counted) {
      handle(frame, 0, frame.length);
    } else {
      take(socket, frame);
    }
  }

  /** Handles one frame received from the socket: a message, a batch, or the first of parts. */
  private void take(ZMQ.Socket socket, byte[] frame) {
    if (socket.hasReceiveMore()) {
      counters.received();
      while (socket.hasReceiveMore()) {
        socket.recv(ZMQ.DONTWAIT);
      }
      drop(DropReason.MALFORMED_FRAME, "a message of several frames (expected one)");
      return;
    }
    if (Frames.isBatch(frame)) {
      unbatch(frame);
    } else {
      counters.received();
      handle(frame, 0, frame.length);
    }
  }

  /**
   * Handles each frame of a batch (docs/wire-format.md, "Batch frame") in order, as if it had
   * come alone: each counts as received, and each is delivered or dropped by itself. A batch
   * without frames, an inner batch, or a length that runs past the end counts as one received
   * frame dropped as MALFORMED_FRAME; after a length past the end nothing more is read. Inner
   * frames are read in place, without a copy (codecs decode from an offset and a length).
   */
  private void unbatch(byte[] batch) {
    int p = Frames.HEADER_BYTES;
    if (p == batch.length) {
      counters.received();
      drop(DropReason.MALFORMED_FRAME, "an empty batch (a batch carries one or more frames;"
          + " see docs/wire-format.md)");
      return;
    }
    while (p + 4 <= batch.length) {
      long len = ((batch[p] & 0xFFL) << 24) | ((batch[p + 1] & 0xFF) << 16)
          | ((batch[p + 2] & 0xFF) << 8) | (batch[p + 3] & 0xFF);
      p += 4;
      counters.received();
      if (len > batch.length - p) {
        drop(DropReason.MALFORMED_FRAME, "a batch whose frame of " + len + " bytes runs past"
            + " the batch's end (" + (batch.length - p) + " bytes left; see"
            + " docs/wire-format.md)");
        return;
      }
      int start = p;
      p += (int) len;
      if (Frames.isBatch(batch, start, (int) len)) {
        drop(DropReason.MALFORMED_FRAME, "a batch inside a batch (batches do not nest; see"
            + " docs/wire-format.md)");
        continue;
      }
      handle(batch, start, (int) len);
    }
    if (p != batch.length) {
      counters.received();
      drop(DropReason.MALFORMED_FRAME, "a batch with " + (batch.length - p)
          + " trailing byte(s), too few for a frame length (see docs/wire-format.md)");
    }
  }

  /** Checks, decodes and delivers the frame in {@code buf[start, start + length)}. */
  private void handle(byte[] buf, int start, int length) {
    if (length > options.maxMessageBytes()) {
      drop(DropReason.TOO_LARGE, "a frame of " + length + " bytes (maxMessageBytes is "
          + options.maxMessageBytes() + ")");
      return;
    }
    int offset = Frames.payloadOffset(buf, start, length);
    if (offset < 0) {
      drop(DropReason.MALFORMED_FRAME, "a frame of " + length
          + " bytes without a valid header (see docs/wire-format.md)");
      return;
    }
    Codec codec = options.codec();
    if (Frames.codecId(buf, start) != codec.id()) {
      drop(DropReason.UNKNOWN_CODEC, "a frame of codec " + Frames.codecId(buf, start)
          + " (this publication decodes codec " + codec.id() + ")");
      return;
    }
    Envelope envelope;
    try {
      envelope = Frames.envelope(buf, start);
    } catch (IllegalArgumentException e) {
      drop(DropReason.MALFORMED_FRAME, "a frame whose metadata is not a valid call envelope: "
          + sanitize(e.getMessage()) + " (see docs/wire-format.md)");
      return;
    }
    Object message;
    try {
      message = codec.decode(buf, offset, start + length - offset);
    } catch (CodecException e) {
      if (!leftToLoop(e)) {
        drop(e.reason(), e.getMessage());
      }
      return;
    } catch (StackOverflowError e) {
      if (!leftToLoop(e)) {
        drop(DropReason.UNDECODABLE, "the codec failed: " + e);
      }
      return;
    } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
      drop(DropReason.UNDECODABLE, "the codec failed: " + e);
      return;
    }
    if (message == null) {
      drop(DropReason.UNDECODABLE, "the codec decoded null");
      return;
    }
    if (envelope != null && !envelope.request()) {
      if (MailboxThreads.deliverReply(new Reply(envelope.correlationId(), message))) {
        counters.delivered();
      } else {
        drop(DropReason.LATE_REPLY, "a reply to call " + envelope.correlationId()
            + ", which no call of this process waits for (it timed out, was interrupted or was"
            + " answered already)");
      }
      return;
    }
    if (envelope != null) {
      Address replyTo;
      try {
        replyTo = addresses.apply(envelope.replyTo());
      } catch (RuntimeException e) {
        drop(DropReason.UNDECODABLE, "a request whose reply address cannot be used: " + e);
        return;
      }
      message = new Request(message, replyTo, envelope.correlationId());
    }
    int outcome = handOver(message);
    if (outcome == HANDED_OVER) {
      counters.delivered();
    } else if (outcome == FULL_AT_CLOSE) {
      drop(DropReason.RECEIVER_FULL, "a message for " + target + ", whose mailbox was full"
          + " (Overflow.BLOCK) when the publication closed");
    } else if (target.isAlive() || target.getState() != Thread.State.TERMINATED) {
      drop(DropReason.RECEIVER_FULL, "a message for " + target + ", whose mailbox is full"
          + " (limitMailbox with Overflow.FAIL or DROP)");
    } else {
      drop(DropReason.RECEIVER_ENDED, "a message for " + target + ", which has ended");
    }
  }

  /**
   * Direct receive: whether decoding failed on the published thread for want of stack (the
   * failure, or a cause of it, is a StackOverflowError); then the frame is left to the loop,
   * whose stack is bigger (see drainAsOwner), and nothing is dropped.
   */
  private boolean leftToLoop(Throwable e) {
    if (Thread.currentThread() != target) {
      return false;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StackOverflowError) {
        ownerStackOverflow = true;
        return true;
      }
    }
    return false;
  }

  private static final int HANDED_OVER = 0;
  private static final int NOT_TAKEN = 1;
  private static final int FULL_AT_CLOSE = 2;

  /** Puts {@code message} in the target's mailbox; see the notes at {@code phase}. */
  private int handOver(Object message) {
    if (Thread.currentThread() == target) {
      // direct receive (OwnerReceive): the owner delivers to its own mailbox, never waiting;
      // the mailbox is unbounded unless limited since the owner took the socket
      try {
        return MailboxThreads.trySend(target, message) ? HANDED_OVER : NOT_TAKEN;
      } catch (MailboxFullException e) {
        return NOT_TAKEN;
      }
    }
    phase = DELIVERING;
    boolean closingNow = closing;
    if (closingNow) {
      Thread.currentThread().interrupt(); // a full BLOCK mailbox refuses at once
    }
    int outcome;
    try {
      outcome = MailboxThreads.trySend(target, message) ? HANDED_OVER : NOT_TAKEN;
    } catch (MailboxInterruptedException e) {
      outcome = FULL_AT_CLOSE;
    }
    if (!PHASE.compareAndSet(this, DELIVERING, IDLE)) {
      while (phase != INTERRUPTED) {
        Thread.onSpinWait(); // close() is between its CAS and its interrupt
      }
      phase = IDLE;
      closingNow = true;
    }
    if (closingNow) {
      Thread.interrupted(); // never carry an interrupt into JeroMQ
    }
    return outcome;
  }

  /** Text from received bytes goes into log lines: cut it short, drop control characters. */
  private static String sanitize(String text) {
    StringBuilder b = new StringBuilder(Math.min(text.length(), 300));
    for (int i = 0; i < text.length() && b.length() < 300; i++) {
      char c = text.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return text.length() > 300 ? b + "..." : b.toString();
  }

  private void drop(DropReason reason, String what) {
    long n = counters.dropped(reason);
    Level level = n == 1 ? Level.WARNING : Level.DEBUG;
    if (Logs.remote().isLoggable(level)) {
      Logs.remote().log(level, "publication " + requested + " dropped " + what + " [" + reason + ", "
          + n + " so far" + (n == 1 ? "; later drops of this reason are logged at DEBUG" : "")
          + "]");
    }
  }
}
