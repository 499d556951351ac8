package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.remote.CodecException;
import dev.mailboxthreads.remote.DropReason;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.UnencodableMessageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.exception.InsecureException;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.memory.MemoryUtils;
import org.apache.fory.resolver.TypeChecker;
import org.apache.fory.resolver.TypeResolver;

/**
 * The engine behind {@code JavaCodec}: an Apache Fory pool configured for untrusted input, built
 * in the background, plus the translation of Fory's failures into this library's exceptions. Not
 * part of the API; {@code JavaCodec} documents the behaviour.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread, concurrently.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Fory configuration, and why:
 *
 * <ul>
 *   <li>{@code withXlang(false)}: Java's own format (records, enums, arbitrary classes).
 *   <li>{@code withRefTracking(true)}: shared references and cycles survive.
 *   <li>{@code requireClassRegistration(false)} with {@link AllowList} as the {@link TypeChecker}:
 *       class names travel on the wire (no registration order to keep in step between
 *       processes); Fory asks the checker about every class that is not one of its built-in
 *       types, on encode and, before {@code Class.forName}, on decode.
 *   <li>{@code withCompatible(true)}: field layout travels inline (scoped meta share), so every
 *       frame stands alone and sender and receiver may differ by added or removed fields.
 *   <li>{@code withDeserializeUnknownClass(false)}: a class the receiver cannot load is an error,
 *       not a placeholder object handed to the application. (Compatible mode turns it on by
 *       default.)
 *   <li>{@code withCodegen(true)}, {@code withAsyncCompilation(false)}: generated serializers are
 *       about 40% faster than the interpreter; generation runs once per class, shared by the
 *       whole pool, in the thread that first meets the class (or in warm-up).
 *   <li>{@code withMaxDepth(n)}: Fory's default of 50 refuses ordinary linked structures.
 *   <li>{@code buildThreadSafeForyPool(n)}: a fixed pool claimed with compare-and-set, waiters
 *       park on a semaphore; fine for virtual threads. Never {@code ThreadLocalFory}, which
 *       builds one Fory per virtual thread.
 * </ul>
 *
 * <p>Concurrency: {@link #init} builds the pool once; the background thread runs it, and a caller
 * that arrives first runs it itself ({@link FutureTask#run} is a no-op for everyone else, who
 * then waits in {@link FutureTask#get}). {@link #fory} is written once, by the thread that built
 * the pool, before {@code init} completes; it is volatile so the fast path is one volatile read.
 * A pooled {@link Fory} and its buffer are used by one thread at a time: the pool hands them out
 * exclusively between {@code execute}'s borrow and release.
 */
public final class ForyCodecSupport {
  /** Payload tag: an Apache Fory encoding follows. */
  static final byte TAG_FORY = 0;
  /** Payload tag: the message is a String, in UTF-8, that follows. */
  static final byte TAG_STRING = 1;



  /**
   * JDK classes allowed by every codec. Fory's built-in types (String, boxes, the common
   * collections, java.time, UUID, BigDecimal, Optional, ...) never reach the checker; these names
   * matter for arrays of them, for JDK enums, for declared field types and for the JDK classes
   * Fory has no built-in serializer for.
   */
  static final Set<String> JDK_CLASSES =
      Set.of(
          // java.lang values and the interfaces that appear as declared types
          "java.lang.Object",
          "java.lang.String",
          "java.lang.Boolean",
          "java.lang.Byte",
          "java.lang.Short",
          "java.lang.Character",
          "java.lang.Integer",
          "java.lang.Long",
          "java.lang.Float",
          "java.lang.Double",
          "java.lang.Number",
          "java.lang.Enum",
          "java.lang.Record",
          "java.lang.CharSequence",
          "java.lang.Comparable",
          // java.math
          "java.math.BigInteger",
          "java.math.BigDecimal",
          "java.math.MathContext",
          "java.math.RoundingMode",
          // java.util values
          "java.util.UUID",
          "java.util.Optional",
          "java.util.OptionalInt",
          "java.util.OptionalLong",
          "java.util.OptionalDouble",
          "java.util.Date",
          "java.util.Locale",
          "java.util.Currency",
          "java.util.BitSet",
          // collection interfaces (declared types)
          "java.util.Collection",
          "java.util.SequencedCollection",
          "java.util.List",
          "java.util.Set",
          "java.util.SequencedSet",
          "java.util.SortedSet",
          "java.util.NavigableSet",
          "java.util.Queue",
          "java.util.Deque",
          "java.util.Map",
          "java.util.SequencedMap",
          "java.util.SortedMap",
          "java.util.NavigableMap",
          "java.util.Map$Entry",
          "java.util.concurrent.ConcurrentMap",
          "java.util.concurrent.ConcurrentNavigableMap",
          // collections
          "java.util.ArrayList",
          "java.util.LinkedList",
          "java.util.ArrayDeque",
          "java.util.PriorityQueue",
          "java.util.Vector",
          "java.util.Stack",
          "java.util.HashSet",
          "java.util.LinkedHashSet",
          "java.util.TreeSet",
          "java.util.EnumSet",
          "java.util.RegularEnumSet",
          "java.util.JumboEnumSet",
          "java.util.HashMap",
          "java.util.LinkedHashMap",
          "java.util.TreeMap",
          "java.util.Hashtable",
          "java.util.EnumMap",
          "java.util.AbstractMap$SimpleEntry",
          "java.util.AbstractMap$SimpleImmutableEntry",
          "java.util.KeyValueHolder",
          "java.util.Arrays$ArrayList",
          "java.util.concurrent.ConcurrentHashMap",
          "java.util.concurrent.ConcurrentSkipListMap",
          "java.util.concurrent.ConcurrentSkipListSet",
          "java.util.concurrent.CopyOnWriteArrayList",
          "java.util.concurrent.CopyOnWriteArraySet",
          "java.util.concurrent.ConcurrentLinkedQueue",
          "java.util.concurrent.ConcurrentLinkedDeque",
          "java.util.concurrent.TimeUnit",
          // Fory's built-in values, so that arrays of them are allowed as they are
          "java.lang.StringBuilder",
          "java.lang.StringBuffer",
          "java.net.URI",
          "java.util.regex.Pattern",
          "java.util.concurrent.atomic.AtomicBoolean",
          "java.util.concurrent.atomic.AtomicInteger",
          "java.util.concurrent.atomic.AtomicLong",
          "java.util.concurrent.atomic.AtomicReference");

  /**
   * JDK name prefixes allowed by every codec: java.time (values only), and the JDK's collection
   * wrappers ({@code Collections.unmodifiableList}, {@code List.of}, ...).
   */
  static final List<String> JDK_PREFIXES =
      List.of("java.time.", "java.util.Collections$", "java.util.ImmutableCollections$");

  /** Names of the roots under which a JDK class lives: refused as {@code allowPackage}. */
  private static final List<String> JDK_ROOTS =
      List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");

  /**
   * Fory 1.6.0's messages for a refused class (and its bounds check), matched to name what was
   * refused; tests pin them (a Fory upgrade that changes them shows up as a wrong drop reason or
   * message, not as a hole: refusal does not depend on them). A holder, so that a process that
   * never meets a refusal never compiles them: regex classes cost a fresh JVM milliseconds.
   */
  private static final class Refusals {
    static final Pattern FORBIDDEN_ON_DECODE =
        Pattern.compile("Class (\\S+) is forbidden for deserialization");
    static final Pattern NOT_ALLOWED_ON_ENCODE =
        Pattern.compile("(?:class|interface) (\\S+) is not registered");
    static final Pattern DISALLOWED = Pattern.compile("^(\\S+) hit disallowed list");
    static final Pattern NOT_SERIALIZABLE =
        Pattern.compile("Class (?:class|interface) (\\S+) doesn't support serialization");
    static final Pattern NOT_FOUND = Pattern.compile("Class (\\S+) not found from");
    /** Fory 1.6.0's bounds check: a read past the end of the payload, or a length beyond it. */
    static final Pattern BEYOND_THE_BYTES =
        Pattern.compile("readerIndex\\((\\d+)\\) \\+ length\\((\\d+)\\) exceeds size\\((\\d+)\\)");
  }

  private static final String FORY_INTERRUPTED_BORROW = "Interrupted while borrowing";

  /**
   * The decoding limits, passed to Fory as they are.
   *
   * @param maxDepth deepest nesting, at least 2 ({@code withMaxDepth})
   * @param maxGraphBytes Fory's estimate of the memory a payload may make it allocate, summed
   *     over the whole graph and reserved before each allocation ({@code withMaxGraphMemoryBytes})
   * @param maxUnbackedElements collection and map elements a payload may announce beyond the
   *     bytes left in it ({@code withMaxUnbackedContainerItems})
   */
  public record Limits(int maxDepth, long maxGraphBytes, int maxUnbackedElements) {}

  private final AllowList allowList;
  private final int maxDepth;
  private final Limits limits;
  private final FutureTask<ThreadSafeFory> init;

  /** Written once by the thread that builds the pool; see the class notes. */
  private volatile ThreadSafeFory fory;

  /**
   * Creates the engine and starts a daemon thread that builds its Fory pool once {@link
   * WarmUpGate} opens (a caller that needs the pool sooner builds it itself).
   *
   * @param allowList the classes allowed to be encoded and decoded
   * @param limits the decoding limits
   * @param classLoader loads the classes named in received payloads
   * @param poolSize Fory instances in the pool, at least 1
   * @param warmUpSamples round-tripped by the daemon thread once the pool is built, so their
   *     classes' serializers are generated before the first real message
   */
  public ForyCodecSupport(
      AllowList allowList,
      Limits limits,
      ClassLoader classLoader,
      int poolSize,
      List<Object> warmUpSamples) {
    this.allowList = Objects.requireNonNull(allowList, "allowList");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.maxDepth = limits.maxDepth();
    Objects.requireNonNull(classLoader, "classLoader");
    List<Object> samples = List.copyOf(warmUpSamples);
    this.init =
        new FutureTask<>(
            () -> {
              ThreadSafeFory built = buildFory(allowList, limits, classLoader, poolSize);
              fory = built;
              return built;
            });
    Thread.ofPlatform()
        .daemon()
        .name("JavaCodec-init")
        .start(
            () -> {
              WarmUpGate.await(); // see WarmUpGate: not while a fresh process sends its first
              init.run();
              if (fory != null) {
                samples.forEach(this::warmUpQuietly);
              }
            });
  }

  /** The class of local addresses (the core's mailbox), found without creating a mailbox. */
  static final Class<?> LOCAL_ADDRESS_CLASS =
      MailboxThreads.addressOf(Thread.ofPlatform().unstarted(() -> { })).getClass();

  /** Address classes, allowed by every codec, and carried as endpoint lists. */
  static final Set<String> ADDRESS_CLASSES = Set.of(
      "dev.mailboxthreads.Address", RemoteThread.class.getName(), LOCAL_ADDRESS_CLASS.getName());

  private static ThreadSafeFory buildFory(
      AllowList allowList, Limits limits, ClassLoader classLoader, int poolSize) {
    ThreadSafeFory pool = Fory.builder()
        .withXlang(false)
        .withRefTracking(true)
        .requireClassRegistration(false)
        .withTypeChecker(allowList)
        .withCompatible(true)
        .withDeserializeUnknownClass(false)
        .withCodegen(true)
        .withAsyncCompilation(false)
        .withMaxDepth(limits.maxDepth())
        .withMaxGraphMemoryBytes(limits.maxGraphBytes())
        .withMaxUnbackedContainerItems(limits.maxUnbackedElements())
        .withClassLoader(classLoader)
        .buildThreadSafeForyPool(poolSize);
    for (Class<?> type : List.of(RemoteThread.class, LOCAL_ADDRESS_CLASS)) {
      pool.registerSerializer(type, r -> new AddressSerializer(r.getConfig(), type));
    }
    return pool;
  }

  /** The pool, waiting for (or doing) its construction the first time. */
  private ThreadSafeFory fory() {
    ThreadSafeFory f = fory;
    return f != null ? f : awaitFory();
  }

  private ThreadSafeFory awaitFory() {
    init.run(); // builds here if the daemon thread has not started yet; else a no-op
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return init.get();
        } catch (InterruptedException e) {
          interrupted = true; // the build is short and cannot be abandoned half-way: wait on
        } catch (ExecutionException e) {
          throw new IllegalStateException(
              "JavaCodec could not start Apache Fory: "
                  + e.getCause()
                  + ". On JDK 24 and later run the JVM with"
                  + " --add-opens=java.base/java.lang.invoke=ALL-UNNAMED (on the module path:"
                  + " =org.apache.fory.core)",
              e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Whether the Fory pool is built, for tests.
   *
   * @return true once encode and decode no longer wait for the pool
   */
  public boolean isReady() {
    return fory != null;
  }

  /**
   * Calls {@code call.apply(pool, argument)}, which borrows a pooled Fory. The pool's borrow throws
   * when the thread is interrupted while every instance is in use; a send must not fail because
   * of an interrupt, so wait again with the interrupt cleared and restore it afterwards (as {@code
   * Semaphore.acquireUninterruptibly} does). Nothing has been read or written when the borrow
   * fails, so the call can be repeated.
   */
  private static <T, R> R uninterruptibly(
      ThreadSafeFory pool, T argument, BiFunction<ThreadSafeFory, T, R> call) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return call.apply(pool, argument);
        } catch (RuntimeException e) {
          if (!isInterruptedBorrow(e)) {
            throw e;
          }
          interrupted = true;
          Thread.interrupted();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean isInterruptedBorrow(RuntimeException e) {
    return e.getClass() == RuntimeException.class
        && e.getCause() instanceof InterruptedException
        && e.getMessage() != null
        && e.getMessage().startsWith(FORY_INTERRUPTED_BORROW);
  }

  /**
   * Encodes {@code message} after {@code headroom} zero bytes: the pooled Fory writes into its own
   * reusable buffer, starting at {@code headroom}, and the result is copied once into an array of
   * the exact size.
   *
   * @param message not null
   * @param headroom 0 or more
   * @return headroom zero bytes, then the payload
   * @throws UnencodableMessageException if the message cannot be encoded
   * @throws IllegalStateException if Fory cannot start in this JVM
   */
  public byte[] encode(Object message, int headroom) {
    if (message.getClass() == String.class) {
      // Strings, the commonest message, skip Fory: no pool, and no wait for its start-up
      byte[] utf8 = ((String) message).getBytes(StandardCharsets.UTF_8);
      byte[] frame = new byte[headroom + 1 + utf8.length];
      frame[headroom] = TAG_STRING;
      System.arraycopy(utf8, 0, frame, headroom + 1, utf8.length);
      return frame;
    }
    ThreadSafeFory pool = fory(); // outside the try: a JVM that cannot run Fory is no message's fault
    Function<Fory, byte[]> encodeOnBorrowedFory =
        f -> {
          MemoryBuffer buffer = f.getBuffer();
          try {
            buffer.ensure(headroom + 1);
            buffer.writerIndex(headroom);
            buffer.writeByte(TAG_FORY);
            f.serialize(buffer, message);
            int end = buffer.writerIndex();
            byte[] frame = new byte[end];
            buffer.get(headroom, frame, headroom, end - headroom);
            return frame;
          } finally {
            buffer.writerIndex(0);
            f.resetBuffer(); // drops a buffer grown past Fory's limit
          }
        };
    try {
      return uninterruptibly(pool, encodeOnBorrowedFory, ThreadSafeFory::execute);
    } catch (RuntimeException | StackOverflowError e) {
      throw unencodable(message, e);
    }
  }

  /**
   * Decodes the payload in {@code frame[offset, offset + length)} without copying it.
   *
   * @param frame the frame
   * @param offset where the payload starts
   * @param length its length
   * @return the message, not null
   * @throws CodecException if the payload does not decode to exactly one non-null message
   * @throws IllegalStateException if Fory cannot start in this JVM
   */
  public Object decode(byte[] frame, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, frame.length);
    if (length == 0) {
      throw new CodecException(DropReason.UNDECODABLE, "empty payload", null);
    }
    byte tag = frame[offset];
    if (tag == TAG_STRING) {
      return new String(frame, offset + 1, length - 1, StandardCharsets.UTF_8);
    }
    if (tag != TAG_FORY) {
      throw new CodecException(DropReason.UNDECODABLE,
          "unknown payload tag " + (tag & 0xFF) + " (JavaCodec writes 0 or 1)", null);
    }
    offset++;
    length--;
    if (length == 0) {
      throw new CodecException(DropReason.UNDECODABLE, "empty payload", null);
    }
    ThreadSafeFory pool = fory();
    MemoryBuffer buffer = MemoryUtils.wrap(frame, offset, length);
    Object message;
    try {
      message = uninterruptibly(pool, buffer, ThreadSafeFory::deserialize);
    } catch (RuntimeException | StackOverflowError e) {
      throw undecodable(length, e);
    }
    if (message == null) {
      throw new CodecException(DropReason.UNDECODABLE, "the payload encodes null", null);
    }
    int left = length - buffer.readerIndex();
    if (left != 0) {
      throw new CodecException(
          DropReason.UNDECODABLE,
          left + " bytes follow the message in a " + length + "-byte payload",
          null);
    }
    return message;
  }

  /**
   * Encodes and decodes {@code sample}, so its classes' serializers exist before real traffic.
   *
   * @param sample a message
   * @throws UnencodableMessageException if it cannot be encoded
   * @throws CodecException if it does not decode (too deep, say)
   */
  public void warmUp(Object sample) {
    Objects.requireNonNull(sample, "sample");
    byte[] bytes = encode(sample, 0);
    decode(bytes, 0, bytes.length);
  }

  private void warmUpQuietly(Object sample) {
    try {
      warmUp(sample);
    } catch (RuntimeException e) {
      Logs.remote().log(
          System.Logger.Level.WARNING,
          "JavaCodec warm-up: a sample of " + sample.getClass().getName() + " failed: " + e);
    }
  }

  /**
   * Describes the configuration, for {@code toString}.
   *
   * @return a short description
   */
  public String describe() {
    return allowList.describe() + ", maxDepth=" + maxDepth + ", maxGraphBytes="
        + limits.maxGraphBytes() + ", maxUnbackedElements=" + limits.maxUnbackedElements();
  }

  // ------------------------------------------------------------------ failures

  private UnencodableMessageException unencodable(Object message, Throwable e) {
    String type = message.getClass().getName();
    Throwable root = root(e);
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof UnencodableMessageException u) {
        return new UnencodableMessageException("a " + type + " message cannot be sent: "
            + u.getMessage(), u); // an address that cannot travel, say
      }
    }
    if (root instanceof StackOverflowError) {
      return new UnencodableMessageException(
          "a " + type + " message is nested too deeply to encode (the encoder ran out of stack):"
              + " a linked structure this deep cannot be sent by JavaCodec, and the receiver"
              + " would refuse anything deeper than maxDepth " + maxDepth + " anyway; send long"
              + " chains as a list or an array",
          null);
    }
    String refused = refusedClass(e, Refusals.NOT_ALLOWED_ON_ENCODE);
    if (refused == null) {
      refused = refusedClass(e, Refusals.DISALLOWED);
    }
    if (refused == null) {
      refused = match(Refusals.NOT_SERIALIZABLE, root.getMessage());
    }
    if (refused != null) {
      return new UnencodableMessageException(notSendable(readableName(refused), type), e);
    }
    return new UnencodableMessageException(
        "a " + type + " message could not be encoded by JavaCodec: " + root, e);
  }

  private static String notSendable(String refused, String messageType) {
    String where = refused.equals(messageType) ? "" : " (inside a " + messageType + " message)";
    if (refused.contains("$$Lambda") || refused.indexOf('/') >= 0) {
      return "a lambda or method reference"
          + where
          + " cannot be sent: "
          + refused
          + " is code of this process. Send a record that describes the work instead";
    }
    String element = elementName(refused);
    if (isJdkName(element)) {
      return refused
          + where
          + " is not sent by JavaCodec: only the JDK's value and collection types are allowed"
          + " by default. Threads, locks, streams, sockets and other resources belong to this"
          + " process and can never be sent; send a value that describes them instead. If "
          + element
          + " is a plain value, allow it on both sides with JavaCodec.builder().allow("
          + element
          + ".class)";
    }
    return refused
        + where
        + " is not allowed by this JavaCodec, so nothing was sent. Allow it on both sides,"
        + " sender and receiver, with JavaCodec.builder().allow("
        + sourceName(element)
        + ".class) or .allowPackage(\""
        + packageOf(element)
        + "\")";
  }

  private CodecException undecodable(int length, Throwable e) {
    Throwable root = root(e);
    if (root instanceof StackOverflowError) {
      return new CodecException(
          DropReason.UNDECODABLE,
          "the " + length + "-byte payload nests too deeply for the decoder's stack",
          root); // the cause tells a publication to retry on a bigger stack (direct receive)
    }
    String refused = refusedClass(e, Refusals.FORBIDDEN_ON_DECODE);
    if (refused == null) {
      refused = refusedClass(e, Refusals.DISALLOWED);
    }
    if (refused != null) {
      String name = sanitize(readableName(refused));
      String element = elementName(name);
      return new CodecException(
          DropReason.FORBIDDEN_CLASS,
          "the payload names "
              + name
              + ", which this JavaCodec does not allow; nothing was built from it. If the sender"
              + " is trusted and "
              + element
              + " is meant to be sent, allow it here too: JavaCodec.builder().allow("
              + sourceName(element)
              + ".class) or .allowPackage(\""
              + packageOf(element)
              + "\")",
          root);
    }
    String missing = missingClass(e);
    if (missing != null) {
      return new CodecException(
          DropReason.UNDECODABLE,
          "the payload names "
              + sanitize(readableName(missing))
              + ", which is allowed but was not found by this JavaCodec's class loader: deploy"
              + " the class on the receiving side, or pass its loader with"
              + " JavaCodec.builder().classLoader(...)",
          root);
    }
    String detail = sanitize(String.valueOf(root.getMessage()));
    if (root instanceof InsecureException && detail.startsWith("Read depth exceed")) {
      return new CodecException(
          DropReason.UNDECODABLE,
          "the payload nests deeper than maxDepth "
              + maxDepth
              + "; if that is legitimate, raise it on both sides with"
              + " JavaCodec.builder().maxDepth(...)",
          root);
    }
    if (root instanceof InsecureException && detail.contains("exceeds maxGraphMemoryBytes")) {
      return new CodecException(
          DropReason.UNDECODABLE,
          "the " + length + "-byte payload would build an object graph larger than maxGraphBytes "
              + limits.maxGraphBytes() + " (as Apache Fory estimates it; nothing that large was"
              + " allocated); if that is legitimate, raise it on the receiving side with"
              + " JavaCodec.builder().maxGraphBytes(...)",
          root);
    }
    if (root instanceof InsecureException && detail.contains("maxUnbackedContainerItems")) {
      return new CodecException(
          DropReason.UNDECODABLE,
          "the " + length + "-byte payload announces more collection or map elements than its"
              + " bytes can hold, beyond maxUnbackedElements " + limits.maxUnbackedElements()
              + "; if that is legitimate (large collections of records without components), raise"
              + " it on the receiving side with JavaCodec.builder().maxUnbackedElements(...)",
          root);
    }
    Matcher beyond = Refusals.BEYOND_THE_BYTES.matcher(detail);
    if (root instanceof IndexOutOfBoundsException && beyond.find()) {
      long readerIndex = Long.parseLong(beyond.group(1)); // Fory's buffer starts after the tag
      long needed = Long.parseLong(beyond.group(2));
      long left = Long.parseLong(beyond.group(3)) - readerIndex;
      return new CodecException(
          DropReason.UNDECODABLE,
          "the payload is cut short or announces more than it holds: at offset "
              + (readerIndex + 1) + " it needs " + needed + " more byte(s), and " + left
              + " are left (a length or count larger than the bytes that follow is refused"
              + " before anything that size is allocated)",
          root);
    }
    return new CodecException(
        DropReason.UNDECODABLE,
        "undecodable " + length + "-byte payload: " + root.getClass().getSimpleName() + ": " + detail,
        root);
  }

  /** The class an allowed name referred to that the receiver could not load, or null. */
  private static String missingClass(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String name = match(Refusals.NOT_FOUND, t.getMessage());
      if (name != null) {
        return name;
      }
      if (t instanceof ClassNotFoundException && t.getMessage() != null) {
        return t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The class named by the first InsecureException in the chain that matches {@code p}. */
  private static String refusedClass(Throwable e, Pattern p) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InsecureException) {
        String name = match(p, t.getMessage());
        if (name != null) {
          return name;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String match(Pattern p, String text) {
    if (text == null) {
      return null;
    }
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1) : null;
  }

  /**
   * The innermost cause. Fory's {@code DeserializationException} may carry the objects read so
   * far and print them in {@code getMessage}, running their {@code toString}; the root cause
   * does not.
   */
  private static Throwable root(Throwable e) {
    Throwable r = e;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r;
  }

  /** {@code [[Lcom.acme.Point;} reads as {@code com.acme.Point[][]}; other names stay. */
  static String readableName(String name) {
    int dims = 0;
    while (dims < name.length() && name.charAt(dims) == '[') {
      dims++;
    }
    if (dims == 0) {
      return name;
    }
    String element;
    if (name.charAt(name.length() - 1) == ';' && dims < name.length() - 1
        && name.charAt(dims) == 'L') {
      element = name.substring(dims + 1, name.length() - 1);
    } else if (name.length() == dims + 1) {
      element = primitiveName(name.charAt(dims));
    } else {
      return name;
    }
    return element + "[]".repeat(dims);
  }

  private static String primitiveName(char descriptor) {
    return switch (descriptor) {
      case 'Z' -> "boolean";
      case 'B' -> "byte";
      case 'C' -> "char";
      case 'S' -> "short";
      case 'I' -> "int";
      case 'J' -> "long";
      case 'F' -> "float";
      case 'D' -> "double";
      default -> String.valueOf(descriptor);
    };
  }

  private static String elementName(String readable) {
    int bracket = readable.indexOf('[');
    return bracket < 0 ? readable : readable.substring(0, bracket);
  }

  /** {@code com.acme.Outer$Inner} is written {@code com.acme.Outer.Inner} in source. */
  private static String sourceName(String binaryName) {
    return binaryName.replace('$', '.');
  }

  private static String packageOf(String binaryName) {
    int dot = binaryName.lastIndexOf('.');
    return dot < 0 ? "" : binaryName.substring(0, dot);
  }

  /**
   * Whether a class or package name lies under a JDK root: {@code java.}, {@code javax.}, {@code
   * jdk.}, {@code sun.} or {@code com.sun.}.
   *
   * @param binaryName a binary class name, or a package name followed by a dot
   * @return true for a JDK name
   */
  public static boolean isJdkName(String binaryName) {
    for (String root : JDK_ROOTS) {
      if (binaryName.startsWith(root)) {
        return true;
      }
    }
    return false;
  }

  /** Names from received bytes go into log lines: cut them short and drop control characters. */
  private static String sanitize(String text) {
    StringBuilder b = new StringBuilder(Math.min(text.length(), 200));
    for (int i = 0; i < text.length() && b.length() < 200; i++) {
      char c = text.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    if (text.length() > 200) {
      b.append("...");
    }
    return b.toString();
  }

  // ------------------------------------------------------------------ allow list

  /**
   * The classes a codec allows: exact binary names and package prefixes, plus the JDK's value and
   * collection types. Fory asks {@link #checkType} about every class that is not one of its
   * built-in types, by name, before loading it; arrays come as JVM descriptors ({@code
   * [[Lcom.acme.Point;}, {@code [[J}). Fory caches positive answers per name.
   *
   * <p><b>Thread safety:</b> immutable; safe for concurrent use.
   */
  public static final class AllowList implements TypeChecker {
    private final Set<String> classes;
    private final String[] packagePrefixes;
    private final List<String> userClasses;
    private final List<String> userPackages;

    /**
     * Creates the list.
     *
     * @param classes binary names allowed exactly, besides the JDK defaults
     * @param packages package names whose classes (and subpackages' classes) are allowed
     */
    public AllowList(Set<String> classes, Set<String> packages) {
      this.userClasses = List.copyOf(classes);
      this.userPackages = List.copyOf(packages);
      java.util.HashSet<String> all = new java.util.HashSet<>(JDK_CLASSES);
      all.addAll(ADDRESS_CLASSES);
      all.addAll(classes);
      this.classes = Set.copyOf(all);
      List<String> prefixes = new ArrayList<>(JDK_PREFIXES);
      for (String p : packages) {
        prefixes.add(p + ".");
      }
      this.packagePrefixes = prefixes.toArray(new String[0]);
    }

    @Override
    public boolean checkType(TypeResolver resolver, String className) {
      return allows(className);
    }

    /**
     * Whether a class name is allowed.
     *
     * @param className a binary name, or a JVM array descriptor
     * @return true if allowed
     */
    public boolean allows(String className) {
      String element = className;
      int dims = 0;
      while (dims < className.length() && className.charAt(dims) == '[') {
        dims++;
      }
      if (dims > 0) {
        if (className.length() == dims + 1) {
          return "ZBCSIJFD".indexOf(className.charAt(dims)) >= 0; // int[][] and so on
        }
        if (className.charAt(dims) != 'L' || !className.endsWith(";")) {
          return false;
        }
        element = className.substring(dims + 1, className.length() - 1);
      }
      if (element.indexOf('/') >= 0 || element.contains("$$Lambda")) {
        return false; // hidden classes (lambdas, method references) are code, never data
      }
      if (classes.contains(element)) {
        return true;
      }
      for (String prefix : packagePrefixes) {
        if (element.startsWith(prefix)) {
          return true;
        }
      }
      return false;
    }

    String describe() {
      return "allowed: the JDK's values and collections, classes "
          + userClasses
          + ", packages "
          + userPackages;
    }
  }
}
