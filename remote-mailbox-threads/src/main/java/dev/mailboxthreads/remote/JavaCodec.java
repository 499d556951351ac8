package dev.mailboxthreads.remote;

import dev.mailboxthreads.remote.internal.ForyCodecSupport;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The default codec: carries arbitrary Java object graphs, as Scheme's s11n carries any Scheme
 * value, and refuses to build from received bytes anything it was not told to allow. Wire id 1.
 *
 * <p>What it carries: records; ordinary classes, without {@code Serializable} and without a
 * no-argument constructor; enums; {@code String}s and boxed values; arrays, including
 * multi-dimensional primitive arrays; the JDK's collections and maps ({@code ArrayList}, {@code
 * HashMap}, {@code LinkedHashMap} in order, {@code TreeMap}, {@code List.of} and friends, which
 * stay unmodifiable, {@code Collections.unmodifiableList}, {@code EnumMap}, {@code
 * ConcurrentHashMap}, ...); {@code java.time}, {@code UUID}, {@code BigDecimal}, {@code
 * Optional}; {@link dev.mailboxthreads.Address addresses} (a published local thread's, or a
 * {@link RemoteThread}), which travel as endpoint lists and decode as described in {@link
 * Addresses}: declare such fields as {@code Address}. Shared references stay shared and cycles
 * survive: a list that contains itself, or
 * two objects that point at each other, decode as such.
 *
 * <p><b>Known limit:</b> a cycle that passes through a record (a record whose list contains the
 * record itself) cannot be restored, because a record cannot exist before its components: the
 * back-reference decodes as {@code null} or as a different object. Cycles through ordinary
 * classes and collections are fine.
 *
 * <h2>What is allowed</h2>
 *
 * Decoding is safe by default: only allowed classes are ever loaded, initialized or instantiated
 * from received bytes. Anything else is refused before its class is even loaded, with a {@link
 * CodecException} whose {@link CodecException#reason() reason} is {@link
 * DropReason#FORBIDDEN_CLASS} and whose message names the class and how to allow it. Allowed are:
 *
 * <ul>
 *   <li>the JDK's value and collection types: {@code String}, the boxes, {@code java.math},
 *       {@code java.time}, {@code UUID}, {@code Optional}, {@code Date}, {@code Locale}, {@code
 *       Currency}, {@code BitSet}, the collections and maps of {@code java.util} and the
 *       concurrent ones of {@code java.util.concurrent}, and {@code TimeUnit}; also what Apache
 *       Fory, which does the encoding, serializes as built-in values: {@code StringBuilder},
 *       {@code StringBuffer}, {@code URI}, {@code Pattern}, the {@code
 *       java.util.concurrent.atomic} numbers, {@code ByteBuffer}, the {@code java.sql} dates,
 *       {@code Class} objects of allowed classes, and {@code Throwable}, {@code Exception},
 *       {@code RuntimeException}, {@code IllegalArgumentException}, {@code
 *       IllegalStateException}, {@code NullPointerException}, {@code IndexOutOfBoundsException}
 *       and {@code IOException} with their stack traces (other exceptions must be allowed);
 *   <li>the classes given to {@link Builder#allow(Class[])}, and, for a sealed type, its
 *       permitted subclasses;
 *   <li>every class of the packages given to {@link Builder#allowPackage(String[])} and of their
 *       subpackages.
 * </ul>
 *
 * <p>Encoding applies the same list, so a message that contains a class the receiver would refuse
 * fails in the sender, in {@code send}, with an {@link UnencodableMessageException} that names the
 * class and says to allow it on both sides. Some things can never be sent: threads, locks,
 * streams, sockets and other resources that belong to this process, lambdas and method
 * references. Both sides must use codecs built with the same allowed classes (the receiver may
 * allow more).
 *
 * <p>Java serialization's hooks: an allowed class that defines {@code writeObject}/{@code
 * readObject} is encoded and decoded by calling them with Fory's own implementation of the object
 * streams, which reads every nested object through the same allow list (and Fory logs once per
 * such class that this is slower than a plain class). The JDK's {@code ObjectInputStream} never
 * runs on received bytes: Fory runs one only on bytes it produced itself, to find the key type of
 * an empty {@code EnumMap} being sent. {@code writeReplace}/{@code readResolve} are honoured, and
 * the replacement's class must be allowed too.
 *
 * <h2>Untrusted input</h2>
 *
 * Garbage, truncated or altered bytes only ever produce a {@link CodecException} with reason
 * {@link DropReason#UNDECODABLE}: never another exception, never an {@code Error}. Three limits,
 * each set on the {@link Builder}, bound what a payload can make the receiver build:
 *
 * <ul>
 *   <li><b>length</b>: Apache Fory reads the length of an array, string, collection or map and
 *       checks it against the bytes left in the payload before it allocates anything: an element
 *       takes at least one byte (a primitive array element its full width), so a small payload
 *       claiming 2<sup>31</sup> elements is refused at once. Only elements of a type whose
 *       encoding may be empty (a record without components, say) may be announced beyond the
 *       bytes present, at most {@link Builder#maxUnbackedElements(int) maxUnbackedElements} per
 *       payload (default {@value #DEFAULT_MAX_UNBACKED_ELEMENTS}). So a collection's length is
 *       bounded by the payload's size (itself bounded by {@code maxMessageBytes}) plus that
 *       allowance.
 *   <li><b>graph size</b>: before each array, collection, map or object is allocated, Fory adds
 *       its estimated size to the payload's running total; a payload whose total would pass
 *       {@link Builder#maxGraphBytes(long) maxGraphBytes} (default 128 MiB, eight times the
 *       default {@code maxMessageBytes}) is refused before that allocation. This bounds the
 *       amplification of nested containers, each announcing as many elements as there are bytes
 *       left.
 *   <li><b>depth</b>: graphs nested deeper than {@link Builder#maxDepth(int) maxDepth} (default
 *       {@value #DEFAULT_MAX_DEPTH}) are refused, and so is a payload that needs more stack than
 *       the decoding thread has.
 * </ul>
 *
 * <p>The encoder
 * does not count depth: a graph nested so deeply that the encoder runs out of stack (with the
 * default 1 MB stack, a linked list of one or two thousand nodes) fails in the sender with an
 * {@link UnencodableMessageException}, but one merely deeper than the receiver's {@code maxDepth}
 * is sent, and dropped by the receiver.
 *
 * <h2>Cold start</h2>
 *
 * Apache Fory takes about a quarter of a second to start, and generates a serializer for each
 * class the first time it meets it (a few hundred milliseconds for the first class, less for the
 * next). A codec does that in a daemon thread, which {@link #defaults()} starts when this class
 * is initialized and {@link Builder#build()} when it returns. The thread starts its work as soon
 * as the process has a publication, or a connection has completed its first handshake, and at
 * the latest a second after it started: on a machine with few cores, a second of Fory's start-up
 * running beside a fresh process's first {@code connect} and {@code send} made both slower (the
 * {@code connect} call took about 70 ms longer), and a {@code String} never needs Fory. So a
 * program that builds its codec, connects and then sends pays less of it, or none. To have your
 * message classes ready too, name samples with {@link Builder#warmUp(Object[])} (done in that
 * same thread) or call {@link #warmUp(Object[])}. An {@code encode} or {@code decode} that comes
 * first does the rest itself, or waits for it.
 *
 * <h2>Wire format</h2>
 *
 * The payload starts with a tag byte. Tag 1: the message is a {@code String}, whose UTF-8
 * bytes run to the end of the payload; Strings skip Apache Fory altogether, so they neither wait
 * for its start-up nor for a pooled instance. Tag 0: Apache Fory 1.6's Java format follows, with
 * reference tracking and compatible mode: each payload carries the names of its classes and
 * their field layout, so sender and receiver need no shared registration order, and may differ
 * by fields added or removed. Messages of an
 * allowed class the receiver cannot load are {@link DropReason#UNDECODABLE}.
 *
 * <h2>JVM flags</h2>
 *
 * On JDK 24 and later, run with {@code --add-opens=java.base/java.lang.invoke=ALL-UNNAMED} (on the
 * module path: {@code =org.apache.fory.core}); without it Fory falls back to {@code
 * sun.misc.Unsafe}, which prints a warning, and fails under {@code
 * --sun-misc-unsafe-memory-access=deny}. JDK 21 needs no flag.
 *
 * <p><b>Thread safety:</b> a {@code JavaCodec} is safe for concurrent use by any number of
 * threads, platform or virtual: {@code encode} from every sending thread, {@code decode} from any.
 * Encoding borrows one of a fixed pool of Fory instances for the duration of the call; a thread
 * that finds them all in use waits (parked, so a virtual thread frees its carrier), and an
 * interrupt does not make it fail (the interrupt status is kept). {@link Builder} is not
 * thread-safe.
 *
 * <p><b>Memory consistency effects:</b> {@code encode} reads the message in the calling thread,
 * so it sees what that thread wrote before; a message that another thread changes meanwhile may be
 * encoded half-changed. The decoded object is a new graph, built by the decoding thread, that
 * shares nothing with the sender's objects.
 */
public final class JavaCodec implements Codec {

  /** The default {@link Builder#maxDepth(int) maxDepth}. */
  public static final int DEFAULT_MAX_DEPTH = 1000;

  /** The default {@link Builder#maxGraphBytes(long) maxGraphBytes}: 128 MiB. */
  public static final long DEFAULT_MAX_GRAPH_BYTES = 128L << 20;

  /** The default {@link Builder#maxUnbackedElements(int) maxUnbackedElements}. */
  public static final int DEFAULT_MAX_UNBACKED_ELEMENTS = 8192;

  private static final int ID = 1;

  /** Created, and its Fory build started, when this class is initialized. */
  private static final JavaCodec DEFAULTS = new Builder().build();

  private final ForyCodecSupport support;

  private JavaCodec(ForyCodecSupport support) {
    this.support = support;
  }

  /**
   * The shared default codec: allows only the JDK's value and collection types (see the class
   * description), with the default limits. Referencing it is cheap; its Fory instance is built
   * in a daemon thread started when this class was initialized (see "Cold start" above).
   *
   * @return the shared instance
   */
  public static JavaCodec defaults() {
    return DEFAULTS;
  }

  /**
   * A builder for a codec that allows more classes, or has other limits or another class
   * loader.
   *
   * {@snippet :
   * JavaCodec codec = JavaCodec.builder()
   *     .allowPackage("com.acme.orders")      // com.acme.orders.* and its subpackages
   *     .allow(Money.class)                   // one class
   *     .warmUp(new Order(1, "apple", 2))     // serializer generated in the background
   *     .build();
   * }
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The wire id of this codec, {@code 1}.
   *
   * @return 1
   */
  @Override
  public int id() {
    return ID;
  }

  /**
   * Encodes {@code message} and all it refers to.
   *
   * @param message the message, not null
   * @param headroom bytes to leave free (zero) at the start of the array, 0 or more
   * @return a new array: {@code headroom} zero bytes, then the payload
   * @throws UnencodableMessageException if the message, or something it refers to, is of a class
   *     this codec does not allow, can never be sent, or is nested too deeply; nothing was sent
   * @throws IllegalArgumentException if {@code headroom} is negative
   * @throws IllegalStateException if Apache Fory cannot start in this JVM (see JVM flags above)
   */
  @Override
  public byte[] encode(Object message, int headroom) {
    Objects.requireNonNull(message, "message");
    if (headroom < 0) {
      throw new IllegalArgumentException("headroom < 0: " + headroom);
    }
    return support.encode(message, headroom);
  }

  /**
   * Decodes the payload in {@code frame[offset, offset + length)}, reading it in place.
   *
   * @param frame the received frame
   * @param offset where the payload starts
   * @param length the payload's length; it must hold exactly one message
   * @return the message, not null
   * @throws CodecException with {@link DropReason#FORBIDDEN_CLASS} if the payload names a class
   *     this codec does not allow (nothing was built from it), with {@link
   *     DropReason#UNDECODABLE} for anything else that is wrong with the bytes
   * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not lie in {@code
   *     frame}
   * @throws IllegalStateException if Apache Fory cannot start in this JVM (see JVM flags above)
   */
  @Override
  public Object decode(byte[] frame, int offset, int length) {
    Objects.requireNonNull(frame, "frame");
    return support.decode(frame, offset, length);
  }

  /**
   * Encodes and decodes each sample in the calling thread, so that the serializers for their
   * classes exist before the first real message (generating one costs up to a few hundred
   * milliseconds). Waits for this codec's Fory instance if it is still being built.
   *
   * @param samples messages of the classes to prepare
   * @throws UnencodableMessageException if a sample cannot be encoded; the message says why
   * @throws CodecException if a sample does not decode (it nests deeper than {@code maxDepth})
   */
  public void warmUp(Object... samples) {
    for (Object sample : samples) {
      support.warmUp(Objects.requireNonNull(sample, "sample"));
    }
  }

  /** For tests: whether the Fory instance is built. */
  boolean isReady() {
    return support.isReady();
  }

  /**
   * Describes this codec's configuration.
   *
   * @return for example {@code JavaCodec[id=1, allowed: the JDK's values and collections,
   *     classes [com.acme.Order], packages [], maxDepth=1000, maxGraphBytes=134217728,
   *     maxUnbackedElements=8192]}
   */
  @Override
  public String toString() {
    return "JavaCodec[id=" + ID + ", " + support.describe() + "]";
  }

  /**
   * Builds a {@link JavaCodec}. Each {@code allow...} call adds to what was allowed before.
   *
   * <p><b>Thread safety:</b> not thread-safe; use a builder from one thread. The codec it builds
   * is thread-safe.
   */
  public static final class Builder {
    /** A holder: only a builder that is given a package compiles it. */
    private static final class PackageName {
      static final Pattern PATTERN =
          Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
              + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");
    }

    private final Set<String> classes = new LinkedHashSet<>();
    private final Set<String> packages = new LinkedHashSet<>();
    private final List<Object> warmUpSamples = new ArrayList<>();
    private int maxDepth = DEFAULT_MAX_DEPTH;
    private long maxGraphBytes = DEFAULT_MAX_GRAPH_BYTES;
    private int maxUnbackedElements = DEFAULT_MAX_UNBACKED_ELEMENTS;
    private ClassLoader classLoader;
    private int poolSize = defaultPoolSize();

    private Builder() {}

    /**
     * Allows these classes to be encoded and decoded. For a sealed class or interface, its
     * permitted subclasses are allowed too, recursively; any other interface or abstract class
     * allows only itself (as a declared type), not its implementations. An array class allows
     * its element class. Allow the same classes on the sending and the receiving side.
     *
     * @param types the classes
     * @return this builder
     * @throws IllegalArgumentException for a primitive type, or a lambda or other hidden class
     */
    public Builder allow(Class<?>... types) {
      for (Class<?> type : types) {
        Objects.requireNonNull(type, "type");
        Class<?> element = type;
        while (element.isArray()) {
          element = element.getComponentType();
        }
        if (element.isPrimitive()) {
          throw new IllegalArgumentException(
              "allow(" + type.getName() + "): primitives and their arrays are always allowed");
        }
        if (element.isHidden()) {
          throw new IllegalArgumentException(
              "allow(" + element.getName() + "): lambdas, method references and other hidden"
                  + " classes are code, and can never be sent");
        }
        addWithPermittedSubclasses(element);
      }
      return this;
    }

    private void addWithPermittedSubclasses(Class<?> type) {
      if (classes.add(type.getName()) && type.isSealed()) {
        for (Class<?> sub : type.getPermittedSubclasses()) {
          addWithPermittedSubclasses(sub);
        }
      }
    }

    /**
     * Allows every class of these packages and of their subpackages: {@code "com.acme"} allows
     * {@code com.acme.Order} and {@code com.acme.billing.Invoice}, but not {@code
     * com.acmeevil.Payload}. Allow the same packages on the sending and the receiving side.
     *
     * @param packageNames package names such as {@code "com.acme"}: no trailing dot or {@code *}
     * @return this builder
     * @throws IllegalArgumentException for a name that is not a package name, or a JDK package
     *     ({@code java...}, {@code javax...}, {@code jdk...}, {@code sun...}, {@code com.sun...}),
     *     whose classes include threads, locks and streams: allow JDK classes one by one
     */
    public Builder allowPackage(String... packageNames) {
      for (String name : packageNames) {
        Objects.requireNonNull(name, "packageName");
        if (!PackageName.PATTERN.matcher(name).matches()) {
          throw new IllegalArgumentException(
              "allowPackage(\"" + name + "\"): not a package name; write it as in a package"
                  + " declaration, e.g. \"com.acme\" (it covers subpackages)");
        }
        if (ForyCodecSupport.isJdkName(name + ".")) {
          throw new IllegalArgumentException(
              "allowPackage(\"" + name + "\"): a JDK package holds threads, locks, streams and"
                  + " other things that must not be sent; allow JDK classes one by one with"
                  + " allow(X.class)");
        }
        packages.add(name);
      }
      return this;
    }

    /**
     * Sets the deepest nesting a payload may have, counted in objects from the message inward;
     * deeper payloads are refused ({@link DropReason#UNDECODABLE}). Decoding recurses, so this
     * also bounds the stack the decoding thread needs: up to about 1 KB per level (nested lists
     * are the worst case), so about 1 MB for the default, a platform thread's default stack
     * size. A payload that needs more stack than the decoding thread has is refused as well. Use
     * the same value on both sides.
     *
     * @param maxDepth at least 2; default {@value #DEFAULT_MAX_DEPTH}
     * @return this builder
     * @throws IllegalArgumentException if {@code maxDepth < 2}
     */
    public Builder maxDepth(int maxDepth) {
      if (maxDepth < 2) {
        throw new IllegalArgumentException("maxDepth < 2: " + maxDepth);
      }
      this.maxDepth = maxDepth;
      return this;
    }

    /**
     * Sets the largest object graph a payload may make the decoder build, in bytes as Apache
     * Fory estimates them (object headers and fields, four bytes per reference slot of an array
     * or collection, the full width of primitive arrays and strings), summed over the whole
     * message. Each amount is reserved before its allocation, so a payload over the limit is
     * refused ({@link DropReason#UNDECODABLE}) before the allocation that would pass it. Only the
     * receiving side applies it.
     *
     * @param maxGraphBytes more than 0; default 128 MiB ({@value #DEFAULT_MAX_GRAPH_BYTES})
     * @return this builder
     * @throws IllegalArgumentException if {@code maxGraphBytes <= 0}
     */
    public Builder maxGraphBytes(long maxGraphBytes) {
      if (maxGraphBytes <= 0) {
        throw new IllegalArgumentException("maxGraphBytes <= 0: " + maxGraphBytes);
      }
      this.maxGraphBytes = maxGraphBytes;
      return this;
    }

    /**
     * Sets how many collection and map elements a payload may announce beyond the bytes left in
     * it, summed over the whole message. Every other length is checked against the bytes
     * present (an element takes at least one byte); this allowance is for collections whose
     * elements' encoding may be empty, such as a list of records without components. A payload
     * that needs more is refused ({@link DropReason#UNDECODABLE}) before the collection is
     * allocated. Only the receiving side applies it.
     *
     * @param maxUnbackedElements 0 or more; default {@value #DEFAULT_MAX_UNBACKED_ELEMENTS}
     * @return this builder
     * @throws IllegalArgumentException if {@code maxUnbackedElements < 0}
     */
    public Builder maxUnbackedElements(int maxUnbackedElements) {
      if (maxUnbackedElements < 0) {
        throw new IllegalArgumentException("maxUnbackedElements < 0: " + maxUnbackedElements);
      }
      this.maxUnbackedElements = maxUnbackedElements;
      return this;
    }

    /**
     * Sets the class loader that loads the (allowed) classes named in received payloads. By
     * default, the context class loader of the thread that calls {@link #build()}, or this
     * library's loader if there is none. If a class is not found there, the decoding thread's
     * context class loader is tried.
     *
     * @param classLoader the loader
     * @return this builder
     */
    public Builder classLoader(ClassLoader classLoader) {
      this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
      return this;
    }

    /**
     * Names samples of your messages, which the codec encodes and decodes in its daemon thread
     * right after building its Fory instance, so that their serializers are ready before the
     * first real message. A sample that fails is logged (logger {@code
     * dev.mailboxthreads.remote}, level {@code WARNING}) and skipped; call {@link
     * JavaCodec#warmUp(Object[])} instead to have failures thrown.
     *
     * @param samples messages, kept by the codec until the warm-up ran
     * @return this builder
     */
    public Builder warmUp(Object... samples) {
      for (Object sample : samples) {
        warmUpSamples.add(Objects.requireNonNull(sample, "sample"));
      }
      return this;
    }

    /** For tests: the number of pooled Fory instances. */
    Builder poolSize(int poolSize) {
      if (poolSize < 1) {
        throw new IllegalArgumentException("poolSize < 1: " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /**
     * Builds the codec and starts the daemon thread that builds its Fory instance (see "Cold
     * start" in the class description); returns at once.
     *
     * @return a new codec
     */
    public JavaCodec build() {
      ClassLoader loader = classLoader;
      if (loader == null) {
        loader = Thread.currentThread().getContextClassLoader();
      }
      if (loader == null) {
        loader = JavaCodec.class.getClassLoader();
      }
      return new JavaCodec(
          new ForyCodecSupport(
              new ForyCodecSupport.AllowList(classes, packages),
              new ForyCodecSupport.Limits(maxDepth, maxGraphBytes, maxUnbackedElements),
              loader,
              poolSize,
              warmUpSamples));
    }

    /**
     * Four Fory instances per processor, as Fory's own default, but at most 32: an encode holds
     * one for well under a microsecond and never blocks, so more only cost start-up time and
     * memory (each is some tens of kilobytes).
     */
    private static int defaultPoolSize() {
      return Math.max(4, Math.min(32, 4 * Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public String toString() {
      return "JavaCodec.Builder[classes=" + classes + ", packages=" + packages
          + ", maxDepth=" + maxDepth + ", maxGraphBytes=" + maxGraphBytes
          + ", maxUnbackedElements=" + maxUnbackedElements + "]";
    }
  }
}
