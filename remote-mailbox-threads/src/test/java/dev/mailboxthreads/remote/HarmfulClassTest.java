package dev.mailboxthreads.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.codectest.IsolatingClassLoader;
import dev.mailboxthreads.remote.codectest.RecordingClassLoader;
import dev.mailboxthreads.remote.codectest.Tripwires;
import dev.mailboxthreads.remote.codectest.msg.Envelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.fory.Fory;
import org.apache.fory.config.ForyBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A class whose construction would be harmful must never be loaded, initialized or instantiated
 * from received bytes, whatever the bytes claim. The harmful classes are the tripwires of {@code
 * codectest.evil}: each reports its static initializer, constructor, {@code readObject} and
 * {@code readResolve} to {@link Tripwires}. The payloads are built outside the codec under test
 * (JavaCodecTest builds them with a permissive JavaCodec): by Apache Fory configured in every
 * way that changes how a class is named on the wire, by the JDK's own serialization, by naming
 * the class in MessagePack, and then by mutating all of those at random. The receivers are a
 * strict {@link JavaCodec} whose class loader records every class asked for, and {@link
 * MsgpackCodec}.
 */
class HarmfulClassTest {
  private static final String EVIL = JavaCodecTest.EVIL;
  private static final List<String> TRIPWIRES = List.of(
      EVIL + ".Tripwire", EVIL + ".TripwireRecord", EVIL + ".SerializableTripwire");
  private static final int MUTATIONS_PER_PAYLOAD = 300;

  /** The sender's copies of the tripwires; firing them there is expected. */
  private static final IsolatingClassLoader SENDER =
      new IsolatingClassLoader(HarmfulClassTest.class.getClassLoader(), EVIL + ".");

  private static Map<String, byte[]> crafted;

  @BeforeAll
  static void craft() throws Exception {
    crafted = new LinkedHashMap<>();
    Map<String, Function<ForyBuilder, ForyBuilder>> configs = new LinkedHashMap<>();
    configs.put("as JavaCodec writes", b -> b);
    configs.put("not compatible", b -> b.withCompatible(false));
    configs.put("no reference tracking", b -> b.withRefTracking(false));
    configs.put("interpreted, no codegen", b -> b.withCodegen(false));
    configs.put("registered by id", b -> b.requireClassRegistration(true));
    for (String name : TRIPWIRES) {
      Class<?> type = SENDER.loadClass(name);
      Object tripwire = type.isRecord()
          ? type.getDeclaredConstructor(int.class).newInstance(1)
          : type.getDeclaredConstructor().newInstance();
      String simple = type.getSimpleName();
      for (Map.Entry<String, Function<ForyBuilder, ForyBuilder>> c : configs.entrySet()) {
        Fory fory = c.getValue().apply(Fory.builder()
                .withXlang(false)
                .withRefTracking(true)
                .withCompatible(true)
                .requireClassRegistration(false)
                .withClassLoader(SENDER))
            .build();
        if (c.getKey().equals("registered by id")) {
          fory.register(type);
          fory.register(Envelope.class);
        }
        crafted.put(simple + ", Fory " + c.getKey(), tagged(0, fory.serialize(tripwire)));
        crafted.put(simple + " in a record, Fory " + c.getKey(),
            tagged(0, fory.serialize(new Envelope("t", tripwire))));
        crafted.put(simple + " in a list, Fory " + c.getKey(),
            tagged(0, fory.serialize(new ArrayList<>(List.of("ok", tripwire)))));
      }
      if (tripwire instanceof java.io.Serializable) {
        byte[] jdk = jdkSerialized(tripwire);
        crafted.put(simple + ", JDK serialization after tag 0", tagged(0, jdk));
        crafted.put(simple + ", JDK serialization after tag 1", tagged(1, jdk));
        crafted.put(simple + ", JDK serialization, no tag", jdk);
      }
    }
  }

  private static byte[] tagged(int tag, byte[] body) {
    byte[] b = new byte[body.length + 1];
    b[0] = (byte) tag;
    System.arraycopy(body, 0, b, 1, body.length);
    return b;
  }

  private static byte[] jdkSerialized(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  @Test
  @Timeout(120)
  void javaCodec_craftedAndMutatedPayloadsNamingHarmfulClasses_neverLoadOrRunThem() {
    RecordingClassLoader receiverLoader = new RecordingClassLoader(getClass().getClassLoader());
    JavaCodec strict =
        JavaCodec.builder().allowPackage(JavaCodecTest.MSG).classLoader(receiverLoader).build();
    Random random = new Random(20261205);
    int refusedAsForbidden = 0;
    int decodes = 0;

    for (Map.Entry<String, byte[]> e : crafted.entrySet()) {
      byte[] payload = e.getValue();
      if (decode(strict, payload) == DropReason.FORBIDDEN_CLASS) {
        refusedAsForbidden++;
      }
      decodes++;
      for (int i = 0; i < MUTATIONS_PER_PAYLOAD; i++) {
        decode(strict, mutate(payload, random));
        decodes++;
      }
      assertNothingRan(e.getKey(), receiverLoader);
    }

    assertThat(refusedAsForbidden).as("crafted payloads refused as FORBIDDEN_CLASS")
        .isPositive();
    assertThat(decodes).isEqualTo(crafted.size() * (MUTATIONS_PER_PAYLOAD + 1));
    assertThat(Tripwires.ranIn(SENDER)).as("the tripwires do fire where they are built")
        .extracting(Tripwires.Event::what).contains("constructor", "static initializer");
  }

  /** The JDK serialization stream's hooks would fire in the sender if they ran at all. */
  @Test
  void serializableTripwire_jdkRoundTrip_firesItsHooks_theControl() throws Exception {
    IsolatingClassLoader loader = new IsolatingClassLoader(getClass().getClassLoader(), EVIL + ".");
    Object tripwire = loader.loadClass(EVIL + ".SerializableTripwire")
        .getDeclaredConstructor().newInstance();
    byte[] jdk = jdkSerialized(tripwire);
    try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(jdk)) {
      @Override
      protected Class<?> resolveClass(java.io.ObjectStreamClass desc)
          throws ClassNotFoundException {
        return Class.forName(desc.getName(), false, loader);
      }
    }) {
      in.readObject();
    }

    assertThat(Tripwires.ranIn(loader)).extracting(Tripwires.Event::what)
        .contains("readObject", "readResolve");
  }

  @Test
  void msgpackCodec_payloadsNamingHarmfulClasses_decodeAsPlainValuesOnly() {
    Random random = new Random(7);
    HexFormat hex = HexFormat.of();
    List<byte[]> payloads = new ArrayList<>();
    for (String name : TRIPWIRES) {
      byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
      payloads.add(MsgpackCodec.defaults().encode(name, 0));
      payloads.add(MsgpackCodec.defaults().encode(Map.of("@class", name, "command", "x"), 0));
      payloads.add(MsgpackCodec.defaults().encode(List.of(name, utf8), 0));
      // an extension of an unknown type, and of the address type, holding the name
      payloads.add(concat(hex.parseHex("c7" + String.format("%02x", utf8.length) + "2a"), utf8));
      payloads.add(concat(hex.parseHex("c7" + String.format("%02x", utf8.length) + "01"), utf8));
    }
    for (byte[] payload : crafted.values()) {
      payloads.add(payload); // Fory and JDK bytes, fed to the wrong codec
    }

    for (byte[] payload : payloads) {
      for (int i = 0; i <= MUTATIONS_PER_PAYLOAD; i++) {
        byte[] p = i == 0 ? payload : mutate(payload, random);
        try {
          Object value = MsgpackCodec.defaults().decode(p, 0, p.length);
          assertThat(value.getClass().getName()).doesNotContain(".evil.");
        } catch (CodecException e) {
          assertThat(e.reason()).isEqualTo(DropReason.UNDECODABLE);
        }
      }
    }
    assertNothingRan("MessagePack", null);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** Decodes; the outcome must be a value of no harmful class, or a CodecException. */
  private static DropReason decode(JavaCodec codec, byte[] payload) {
    try {
      Object value = codec.decode(payload, 0, payload.length);
      assertThat(value.getClass().getName()).doesNotContain(".evil.");
      return null;
    } catch (CodecException e) {
      assertThat(e.reason()).isIn(DropReason.UNDECODABLE, DropReason.FORBIDDEN_CLASS);
      return e.reason();
    }
  }

  /** One to four random edits: bit flips, byte overwrites, a cut, or a duplicated span. */
  static byte[] mutate(byte[] payload, Random random) {
    byte[] p = payload.clone();
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits && p.length > 1; i++) {
      int at = random.nextInt(p.length);
      switch (random.nextInt(4)) {
        case 0 -> p[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> p[at] = (byte) random.nextInt(256);
        case 2 -> p = java.util.Arrays.copyOf(p, Math.max(1, at));
        default -> {
          int len = 1 + random.nextInt(Math.min(16, p.length - at));
          byte[] q = new byte[p.length + len];
          System.arraycopy(p, 0, q, 0, at + len);
          System.arraycopy(p, at, q, at + len, p.length - at);
          p = q;
        }
      }
    }
    return p;
  }

  private static void assertNothingRan(String what, RecordingClassLoader receiverLoader) {
    assertThat(Tripwires.ranIn(HarmfulClassTest.class.getClassLoader()))
        .as("%s: tripwires run in the application class loader", what).isEmpty();
    if (receiverLoader != null) {
      assertThat(Tripwires.ranIn(receiverLoader)).as("%s: tripwires run by the receiver", what)
          .isEmpty();
      assertThat(receiverLoader.requested()).as("%s: classes the receiver asked for", what)
          .doesNotContainAnyElementsOf(TRIPWIRES);
    }
  }
}
