package dev.mailboxthreads.benchmarks;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.mailboxthreads.remote.JavaCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 3's choice of serializer for the default codec, measured: one encode and one decode of a
 * small record (and of a list of 16 of them), in nanoseconds, through
 * <ul>
 *   <li>{@code javaCodec}: the library's default codec, {@link JavaCodec} (Apache Fory 1.6 with
 *       its allow list, plus our frame's codec tag), exactly as a publication and a connection
 *       use it;
 *   <li>{@code kryo}: Kryo 5 with registration required (its safe mode: only registered classes
 *       are built from bytes), one instance and buffers per thread, as Kryo must be used;
 *   <li>{@code jdk}: JDK serialization with an {@link ObjectInputFilter} that allows only these
 *       classes (never an unfiltered {@code ObjectInputStream} on received bytes).
 * </ul>
 * The record is {@code Serializable} for the JDK's sake only; JavaCodec and Kryo do not need it.
 * Each call checks what it decoded, so a contestant cannot win by decoding nothing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecChoice {
  /** A small record: a market quote. */
  public record Quote(long id, String symbol, double price, int size) implements Serializable {}

  /** What is sent: one record, or a list of 16. */
  @Param({"record", "list16"})
  public String shape;

  private Object message;
  private JavaCodec javaCodec;
  private Kryo kryo;
  private Output kryoOut;
  private final Input kryoIn = new Input();
  private ObjectInputFilter jdkFilter;

  /** Builds the message and the three serializers. */
  @Setup
  public void setUp() {
    Quote q = new Quote(42L, "ACME", 101.25, 300);
    if (shape.equals("record")) {
      message = q;
    } else {
      List<Quote> l = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        l.add(new Quote(i, "SYM" + i, 100.0 + i, 10 * i));
      }
      message = l;
    }
    javaCodec = JavaCodec.builder().allow(Quote.class).build();
    kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    kryo.register(Quote.class);
    kryo.register(ArrayList.class);
    kryoOut = new Output(256, -1);
    jdkFilter = ObjectInputFilter.allowFilter(
        c -> c == Quote.class || c == ArrayList.class || c == Object[].class
            || c == String.class,
        ObjectInputFilter.Status.REJECTED);
    for (Object back : List.of(javaCodec(), kryo(), jdk())) {
      if (!back.equals(message)) {
        throw new IllegalStateException("a round trip changed the message: " + back);
      }
    }
  }

  /**
   * The library's default codec.
   *
   * @return the decoded message
   */
  @Benchmark
  public Object javaCodec() {
    byte[] bytes = javaCodec.encode(message, 0);
    return checked(javaCodec.decode(bytes, 0, bytes.length));
  }

  /**
   * Kryo 5, registration required.
   *
   * @return the decoded message
   */
  @Benchmark
  public Object kryo() {
    kryoOut.reset();
    kryo.writeClassAndObject(kryoOut, message);
    byte[] bytes = kryoOut.toBytes();
    kryoIn.setBuffer(bytes);
    return checked(kryo.readClassAndObject(kryoIn));
  }

  /**
   * JDK serialization with an allow-list filter.
   *
   * @return the decoded message
   */
  @Benchmark
  public Object jdk() {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
      try (ObjectOutputStream out = new ObjectOutputStream(buf)) {
        out.writeObject(message);
      }
      try (ObjectInputStream in = new ObjectInputStream(
          new ByteArrayInputStream(buf.toByteArray()))) {
        in.setObjectInputFilter(jdkFilter);
        return checked(in.readObject());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private Object checked(Object back) {
    if (back.getClass() != message.getClass()) {
      throw new IllegalStateException("decoded a " + back.getClass());
    }
    return back;
  }
}
