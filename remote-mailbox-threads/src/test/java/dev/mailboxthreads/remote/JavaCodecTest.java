package dev.mailboxthreads.remote;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.mailboxthreads.remote.codectest.IsolatingClassLoader;
import dev.mailboxthreads.remote.codectest.RecordingClassLoader;
import dev.mailboxthreads.remote.codectest.Tripwires;
import dev.mailboxthreads.remote.codectest.msg.Blocker;
import dev.mailboxthreads.remote.codectest.msg.Color;
import dev.mailboxthreads.remote.codectest.msg.Envelope;
import dev.mailboxthreads.remote.codectest.msg.Node;
import dev.mailboxthreads.remote.codectest.msg.Point;
import dev.mailboxthreads.remote.codectest.msg.RecList;
import dev.mailboxthreads.remote.codectest.msg.Shape;
import dev.mailboxthreads.remote.codectest.msg.WithReadObject;
import dev.mailboxthreads.remote.codectest.msg.sub.Deep;
import java.io.ByteArrayInputStream;
import java.io.ObjectInputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The default codec: what it carries, what it refuses, and how it fails. */
class JavaCodecTest {
  static final String MSG = "dev.mailboxthreads.remote.codectest.msg";
  static final String EVIL = "dev.mailboxthreads.remote.codectest.evil";
  static final String MSGEVIL = "dev.mailboxthreads.remote.codectest.msgevil";
  static final String TRIPWIRE = EVIL + ".Tripwire";
  static final String TRIPWIRE_RECORD = EVIL + ".TripwireRecord";
  static final String SNEAKY = MSGEVIL + ".Sneaky";

  /** Shared by the tests that only need the test messages allowed. */
  static final JavaCodec CODEC = JavaCodec.builder().allowPackage(MSG).build();

  static Object roundTrip(JavaCodec codec, Object message) {
    byte[] frame = codec.encode(message, 0);
    return codec.decode(frame, 0, frame.length);
  }

  static Object roundTrip(Object message) {
    return roundTrip(CODEC, message);
  }

  private record PrivateRecord(int a, String b) {}

  @Nested
  class Carries {
    @Test
    void roundTrip_record_equalRecord() {
      assertThat(roundTrip(new Point(3, 4, "hello"))).isEqualTo(new Point(3, 4, "hello"));
    }

    @Test
    void roundTrip_privateNestedAndLocalRecords_equal() {
      record Local(long id, List<String> tags) {}
      JavaCodec codec = JavaCodec.builder().allow(PrivateRecord.class, Local.class).build();

      assertThat(roundTrip(codec, new PrivateRecord(1, "b"))).isEqualTo(new PrivateRecord(1, "b"));
      assertThat(roundTrip(codec, new Local(7, List.of("x")))).isEqualTo(new Local(7, List.of("x")));
    }

    @Test
    void roundTrip_ordinaryClassWithoutSerializableOrNoArgConstructor_stateRestored() {
      Node node = new Node("n");
      node.any = new Point(1, 2, "p");
      node.children.add(new Node("child"));

      Node back = (Node) roundTrip(node);

      assertThat(back.name()).isEqualTo("n");
      assertThat(back.any).isEqualTo(new Point(1, 2, "p"));
      assertThat(back.children).extracting(Node::name).containsExactly("child");
    }

    @Test
    void roundTrip_stringsAndBoxedValues_equalAndSameTypes() {
      Object[] values = {
        "", "héllo wörld ✓", "x".repeat(10_000), 7, 7L, (short) 7, (byte) 7, 'c', 1.5f, 2.5d,
        true, Integer.MIN_VALUE, Long.MAX_VALUE, Double.NaN
      };
      for (Object value : values) {
        Object back = roundTrip(JavaCodec.defaults(), value);
        assertThat(back).isEqualTo(value).hasSameClassAs(value);
      }
    }

    @Test
    void roundTrip_enums_sameConstants() {
      Object[] back = (Object[]) roundTrip(new Object[] {Color.RED, Color.BLUE});

      assertThat(back).containsExactly(Color.RED, Color.BLUE);
      assertThat(back[1]).isSameAs(Color.BLUE);
    }

    @Test
    void roundTrip_arrays_includingMultiDimensionalPrimitive() {
      int[] ints = {1, 2, 3};
      long[][] longs = {{1}, {2, 3}, {}};
      double[][][] cube = {{{1.5, 2.5}}, {{3.5}}};
      String[] strings = {"a", null, "c"};
      Integer[] boxed = {1, null};
      Point[] points = {new Point(1, 1, null), null};
      Object[] mixed = {1, "two", new Point(3, 3, "3"), new int[] {4}};

      for (Object array : List.of(ints, longs, cube, strings, boxed, points, mixed)) {
        Object back = roundTrip(array);
        assertThat(back).hasSameClassAs(array);
        assertThat(Arrays.deepEquals(new Object[] {array}, new Object[] {back})).isTrue();
      }
    }

    @Test
    void roundTrip_collections_equalAndSameTypes() {
      List<Object> values =
          List.of(
              new ArrayList<>(List.of(1, "a")),
              new LinkedList<>(List.of(1, 2)),
              new ArrayDeque<>(List.of(1, 2)),
              new HashMap<>(Map.of("k", 1)),
              new TreeMap<>(Map.of("b", 1, "a", 2)),
              new TreeSet<>(Set.of(3, 1, 2)),
              new ConcurrentHashMap<>(Map.of(1, 2)),
              new EnumMap<>(Map.of(Color.RED, 1)),
              EnumSet.of(Color.BLUE),
              Collections.emptyList(),
              Collections.singletonList(2),
              Arrays.asList(3, 4));
      for (Object value : values) {
        Object back = roundTrip(value);
        assertThat(back).hasSameClassAs(value);
        assertThat(back.toString()).isEqualTo(value.toString());
      }
    }

    @Test
    void roundTrip_linkedHashMap_keepsOrder() {
      LinkedHashMap<String, Integer> map = new LinkedHashMap<>();
      map.put("z", 1);
      map.put("a", 2);
      map.put("m", 3);

      @SuppressWarnings("unchecked")
      Map<String, Integer> back = (Map<String, Integer>) roundTrip(map);

      assertThat(back).isInstanceOf(LinkedHashMap.class);
      assertThat(back.keySet()).containsExactly("z", "a", "m");
    }

    @Test
    void roundTrip_immutableCollections_stayUnmodifiable() {
      List<Object> values =
          List.of(
              List.of(1, 2, 3),
              Set.of("a", "b"),
              Map.of("k", 1),
              Collections.unmodifiableList(new ArrayList<>(List.of(1))));
      for (Object value : values) {
        Object back = roundTrip(JavaCodec.defaults(), value);
        assertThat(back).isEqualTo(value);
        assertThatThrownBy(() -> mutate(back)).isInstanceOf(UnsupportedOperationException.class);
      }
    }

    @SuppressWarnings("unchecked")
    private static void mutate(Object collection) {
      if (collection instanceof Map<?, ?> m) {
        ((Map<Object, Object>) m).put("new", 1);
      } else {
        ((java.util.Collection<Object>) collection).add(1);
      }
    }

    @Test
    void roundTrip_javaTimeUuidBigNumbersOptional_equal() {
      List<Object> values =
          List.of(
              Instant.ofEpochSecond(5, 7),
              LocalDate.of(2024, 2, 29),
              Duration.ofMillis(1500),
              ZonedDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneId.of("Europe/Paris")),
              java.time.DayOfWeek.MONDAY,
              UUID.randomUUID(),
              new BigDecimal("1.25"),
              new BigInteger("123456789012345678901234567890"),
              Optional.of("x"),
              Optional.empty(),
              java.util.concurrent.TimeUnit.SECONDS);
      for (Object value : values) {
        assertThat(roundTrip(JavaCodec.defaults(), value)).isEqualTo(value);
      }
    }

    @Test
    void roundTrip_sharedReference_decodesAsOneObject() {
      Point p = new Point(1, 2, "shared");
      Node n = new Node("n");
      n.any = p;

      Object[] back = (Object[]) roundTrip(new Object[] {p, p, n});

      assertThat(back[0]).isSameAs(back[1]);
      assertThat(((Node) back[2]).any).isSameAs(back[0]);
    }

    @Test
    void roundTrip_listContainingItself_cycleRestored() {
      List<Object> list = new ArrayList<>();
      list.add(list);
      list.add("x");

      List<?> back = (List<?>) roundTrip(JavaCodec.defaults(), list);

      assertThat(back.get(0)).isSameAs(back);
      assertThat(back.get(1)).isEqualTo("x");
    }

    @Test
    void roundTrip_twoObjectsPointingAtEachOther_cycleRestored() {
      Node a = new Node("a");
      Node b = new Node("b");
      a.next = b;
      b.next = a;

      Node back = (Node) roundTrip(a);

      assertThat(back.next.name()).isEqualTo("b");
      assertThat(back.next.next).isSameAs(back);
    }

    /** The documented limit: a record cannot exist before its components. */
    @Test
    void roundTrip_cycleThroughRecord_backReferenceNotRestored() {
      List<Object> items = new ArrayList<>();
      RecList record = new RecList("r", items);
      items.add(record);

      RecList back = (RecList) roundTrip(record);

      assertThat(back.name()).isEqualTo("r");
      assertThat(back.items()).hasSize(1);
      assertThat(back.items().get(0)).isNotSameAs(back);
    }

    @Test
    void roundTrip_chainAsDeepAsMaxDepthAllows_restored() {
      assertThat(((Node) roundTrip(Node.chain(900))).length()).isEqualTo(900);
    }

    @Test
    void roundTrip_largeMessageThenSmallOne_bothEqual() {
      byte[] big = new byte[4 << 20];
      Arrays.fill(big, (byte) 7);

      assertThat((byte[]) roundTrip(JavaCodec.defaults(), big)).isEqualTo(big);
      assertThat(roundTrip(JavaCodec.defaults(), "small")).isEqualTo("small");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 9, 63, 64, 65, 1000})
    void encode_headroom_leavesThatManyZeroBytesBeforeThePayload(int headroom) {
      Point p = new Point(1, 2, "h");
      byte[] plain = CODEC.encode(p, 0);

      byte[] frame = CODEC.encode(p, headroom);

      assertThat(frame).hasSize(headroom + plain.length);
      for (int i = 0; i < headroom; i++) {
        assertThat(frame[i]).as("byte %d", i).isZero();
      }
      assertThat(Arrays.copyOfRange(frame, headroom, frame.length)).isEqualTo(plain);
      assertThat(CODEC.decode(frame, headroom, plain.length)).isEqualTo(p);
    }

    @Test
    void decode_sliceOfALargerArray_readsOnlyTheSlice() {
      byte[] payload = CODEC.encode(new Point(5, 6, "slice"), 0);
      byte[] frame = new byte[payload.length + 20];
      Arrays.fill(frame, (byte) 0x5A);
      System.arraycopy(payload, 0, frame, 7, payload.length);

      assertThat(CODEC.decode(frame, 7, payload.length)).isEqualTo(new Point(5, 6, "slice"));
    }

    @Test
    void id_isOne() {
      assertThat(JavaCodec.defaults().id()).isEqualTo(1);
      assertThat(CODEC.id()).isEqualTo(1);
    }

    @Test
    void toString_namesAllowedClassesPackagesAndMaxDepth() {
      JavaCodec codec =
          JavaCodec.builder().allow(Point.class).allowPackage("com.acme").maxDepth(77).build();

      assertThat(codec.toString())
          .contains(Point.class.getName())
          .contains("com.acme")
          .contains("maxDepth=77");
    }
  }

  @Nested
  class Refuses {
    /**
     * A permissive sender builds each payload around tripwires defined by its own class loader;
     * a strict receiver, whose loader records every class asked for, must refuse the payload
     * without asking for (so without loading, initializing or instantiating) the tripwire class.
     */
    static Stream<Arguments> payloadsWithAForbiddenClass() {
      Function<Object, Object> direct = e -> e;
      Function<Object, Object> inRecordField = e -> new Envelope("t", e);
      Function<Object, Object> inList = e -> new ArrayList<>(List.of("ok", e));
      Function<Object, Object> asMapValue = e -> new HashMap<>(Map.of("k", e));
      Function<Object, Object> inArray =
          e -> {
            Object array = Array.newInstance(e.getClass(), 1);
            Array.set(array, 0, e);
            return array;
          };
      Function<Object, Object> inArrayInRecord = e -> new Envelope("t", inArray.apply(e));
      return Stream.of(
          Arguments.of("direct", TRIPWIRE, direct),
          Arguments.of("in a record field", TRIPWIRE, inRecordField),
          Arguments.of("in a list", TRIPWIRE, inList),
          Arguments.of("as a map value", TRIPWIRE, asMapValue),
          Arguments.of("in an array", TRIPWIRE, inArray),
          Arguments.of("in an array in a record", TRIPWIRE, inArrayInRecord),
          Arguments.of("a record, in a list", TRIPWIRE_RECORD, inList),
          Arguments.of("look-alike package, in a record field", SNEAKY, inRecordField),
          Arguments.of("look-alike package, direct", SNEAKY, direct));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("payloadsWithAForbiddenClass")
    void decode_forbiddenClass_refusedWithoutLoadingInitializingOrInstantiatingIt(
        String where, String forbidden, Function<Object, Object> wrap) throws Exception {
      IsolatingClassLoader senderLoader =
          new IsolatingClassLoader(getClass().getClassLoader(), EVIL + ".", MSGEVIL + ".");
      Object tripwire = newInstance(senderLoader, forbidden);
      JavaCodec permissive =
          JavaCodec.builder()
              .allowPackage(MSG, EVIL, MSGEVIL)
              .classLoader(senderLoader)
              .build();
      byte[] payload = permissive.encode(wrap.apply(tripwire), 0);
      RecordingClassLoader receiverLoader = new RecordingClassLoader(getClass().getClassLoader());
      JavaCodec strict = JavaCodec.builder().allowPackage(MSG).classLoader(receiverLoader).build();

      CodecException refused =
          catchThrowableOfType(
              CodecException.class, () -> strict.decode(payload, 0, payload.length));

      assertThat(refused).as(where).isNotNull();
      assertThat(refused.reason()).isEqualTo(DropReason.FORBIDDEN_CLASS);
      assertThat(refused.getMessage())
          .contains(forbidden)
          .contains("JavaCodec.builder().allow(" + forbidden + ".class)");
      assertThat(receiverLoader.requested()).doesNotContain(forbidden);
      assertThat(Tripwires.ranIn(getClass().getClassLoader())).isEmpty();
      assertThat(Tripwires.ranIn(receiverLoader)).isEmpty();
      assertThat(Tripwires.ranIn(senderLoader)).isNotEmpty(); // the tripwire does work
    }

    /** The control for the test above: allowed, the same payload does build the tripwire. */
    @Test
    void decode_tripwireWhenAllowed_isInitializedAndInstantiated() throws Exception {
      IsolatingClassLoader senderLoader =
          new IsolatingClassLoader(getClass().getClassLoader(), EVIL + ".");
      JavaCodec sender =
          JavaCodec.builder().allowPackage(MSG, EVIL).classLoader(senderLoader).build();
      byte[] payload = sender.encode(new Envelope("t", newInstance(senderLoader, TRIPWIRE)), 0);
      IsolatingClassLoader receiverLoader =
          new IsolatingClassLoader(getClass().getClassLoader(), EVIL + ".");
      JavaCodec receiver =
          JavaCodec.builder().allowPackage(MSG, EVIL).classLoader(receiverLoader).build();

      Envelope back = (Envelope) receiver.decode(payload, 0, payload.length);

      assertThat(back.payload().getClass().getClassLoader()).isSameAs(receiverLoader);
      assertThat(Tripwires.ranIn(receiverLoader))
          .extracting(Tripwires.Event::what)
          .contains("static initializer");
    }

    private static Object newInstance(ClassLoader loader, String className) throws Exception {
      Class<?> type = loader.loadClass(className);
      return type.isRecord()
          ? type.getDeclaredConstructor(int.class).newInstance(1)
          : type.getDeclaredConstructor().newInstance();
    }

    @Test
    void decode_afterRefusal_sameCodecStillDecodes() throws Exception {
      IsolatingClassLoader senderLoader =
          new IsolatingClassLoader(getClass().getClassLoader(), EVIL + ".");
      JavaCodec sender =
          JavaCodec.builder().allowPackage(MSG, EVIL).classLoader(senderLoader).build();
      byte[] evil = sender.encode(newInstance(senderLoader, TRIPWIRE), 0);
      JavaCodec strict = JavaCodec.builder().allowPackage(MSG).build();

      assertThatThrownBy(() -> strict.decode(evil, 0, evil.length))
          .isInstanceOf(CodecException.class);
      byte[] ok = strict.encode(new Point(1, 2, "ok"), 0);
      assertThat(strict.decode(ok, 0, ok.length)).isEqualTo(new Point(1, 2, "ok"));
    }

    @Test
    void decode_userClassWithDefaults_forbidden() {
      byte[] payload = CODEC.encode(new Point(1, 2, "p"), 0);

      assertThatThrownBy(() -> JavaCodec.defaults().decode(payload, 0, payload.length))
          .isInstanceOfSatisfying(
              CodecException.class,
              e -> assertThat(e.reason()).isEqualTo(DropReason.FORBIDDEN_CLASS))
          .hasMessageContaining(Point.class.getName());
    }

    @Test
    void decode_allowedClassMissingOnTheReceiver_undecodableNamingIt() throws Exception {
      byte[] payload = CODEC.encode(new Envelope("t", new Deep("d")), 0);
      RecordingClassLoader hiding =
          new RecordingClassLoader(getClass().getClassLoader(), Set.of(Deep.class.getName()));
      JavaCodec receiver = JavaCodec.builder().allowPackage(MSG).classLoader(hiding).build();

      // Fory falls back to the decoding thread's context loader: hide the class there too
      FutureTask<Throwable> decode =
          new FutureTask<>(() -> catchThrowableOfType(
              CodecException.class, () -> receiver.decode(payload, 0, payload.length)));
      Thread thread = new Thread(decode);
      thread.setContextClassLoader(hiding);
      thread.start();
      CodecException e = (CodecException) decode.get(30, SECONDS);

      assertThat(e).isNotNull();
      assertThat(e.reason()).isEqualTo(DropReason.UNDECODABLE);
      assertThat(e.getMessage()).contains(Deep.class.getName()).contains("not found");
    }

    @Test
    void decode_classWithReadObject_hookGetsForysStreamNotTheJdks() {
      WithReadObject.lastStreamClass = null;

      WithReadObject back = (WithReadObject) roundTrip(new WithReadObject(5));

      assertThat(back.value).isEqualTo(5);
      assertThat(WithReadObject.lastStreamClass).isNotNull().isNotEqualTo(ObjectInputStream.class);
      assertThat(WithReadObject.lastStreamClass.getName()).startsWith("org.apache.fory.");
    }

    @Test
    void encode_unallowedClass_unencodableNamingClassAndHowToAllowIt() {
      assertThatThrownBy(() -> JavaCodec.defaults().encode(new Point(1, 2, "p"), 0))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining(Point.class.getName())
          .hasMessageContaining("JavaCodec.builder().allow(" + Point.class.getName() + ".class)")
          .hasMessageContaining("both sides");
    }

    @Test
    void encode_unallowedClassNestedInAllowedOnes_unencodableNamingTheNestedClass() {
      JavaCodec codec = JavaCodec.builder().allow(Envelope.class).build();
      Object message = new Envelope("t", new ArrayList<>(List.of(new Point(1, 2, "p"))));

      assertThatThrownBy(() -> codec.encode(message, 0))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining(Point.class.getName() + " (inside a " + Envelope.class.getName())
          .hasMessageContaining(".allow(" + Point.class.getName() + ".class)");
    }

    @Test
    void encode_arrayOfUnallowedClass_unencodableNamingTheElementClass() {
      assertThatThrownBy(() -> JavaCodec.defaults().encode(new Point[] {new Point(1, 1, "")}, 0))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining(Point.class.getName() + "[]")
          .hasMessageContaining(".allow(" + Point.class.getName() + ".class)");
    }

    @Test
    void encode_processResources_unencodableSayingTheyCannotBeSent() throws Exception {
      try (Socket socket = new Socket()) {
        assertResourcesUnencodable(
            List.of(
                Thread.currentThread(),
                Thread.ofVirtual().unstarted(() -> {}),
                new ReentrantLock(),
                socket,
                new ByteArrayInputStream(new byte[1])));
      }
    }

    private void assertResourcesUnencodable(List<Object> resources) {
      for (Object resource : resources) {
        for (JavaCodec codec : List.of(JavaCodec.defaults(), CODEC)) {
          assertThatThrownBy(() -> codec.encode(resource, 0))
              .as(resource.getClass().getName())
              .isInstanceOf(UnencodableMessageException.class)
              .hasMessageContaining(resource.getClass().getName())
              .hasMessageContaining("can never be sent");
        }
        assertThatThrownBy(() -> CODEC.encode(new Envelope("t", resource), 0))
            .as("inside a record: " + resource.getClass().getName())
            .isInstanceOf(UnencodableMessageException.class)
            .hasMessageContaining(resource.getClass().getName())
            .hasMessageContaining("inside a " + Envelope.class.getName())
            .hasMessageContaining("can never be sent");
      }
    }

    @Test
    void encode_allowedRecordDeclaringAThreadField_unencodableNamingThread() {
      record Job(String name, Thread worker) {}
      JavaCodec codec = JavaCodec.builder().allow(Job.class).build();

      for (Thread worker : Arrays.asList(Thread.currentThread(), null)) {
        assertThatThrownBy(() -> codec.encode(new Job("j", worker), 0))
            .isInstanceOf(UnencodableMessageException.class)
            .hasMessageContaining("java.lang.Thread")
            .hasMessageContaining("can never be sent");
      }
    }

    @Test
    void encode_lambdaOrMethodReference_unencodableSayingItIsCode() {
      Runnable lambda = () -> {};
      Function<String, Integer> reference = String::length;
      JavaCodec codecAllowingThisPackage =
          JavaCodec.builder().allowPackage("dev.mailboxthreads.remote").build();

      for (Object code : List.of(lambda, reference)) {
        for (JavaCodec codec : List.of(JavaCodec.defaults(), codecAllowingThisPackage)) {
          assertThatThrownBy(() -> codec.encode(code, 0))
              .isInstanceOf(UnencodableMessageException.class)
              .hasMessageContaining("lambda or method reference")
              .hasMessageContaining("cannot be sent");
        }
      }
    }

    @Test
    void encode_chainTooDeepForTheStack_unencodableNotAnError() throws Exception {
      CODEC.warmUp(new Node("serializer generated on this thread's ample stack"));
      Node chain = Node.chain(100_000);
      FutureTask<Throwable> encode =
          new FutureTask<>(() -> catchThrowableOfType(
              UnencodableMessageException.class, () -> CODEC.encode(chain, 0)));
      new Thread(null, encode, "small-stack", 256 << 10).start();

      Throwable e = encode.get(60, SECONDS);

      assertThat(e).isNotNull().hasMessageContaining("nested too deeply");
      assertThat(roundTrip(new Point(1, 2, "after"))).isEqualTo(new Point(1, 2, "after"));
    }

    @Test
    void decode_deeperThanMaxDepth_undecodableSayingHowToRaiseIt() {
      JavaCodec shallow = JavaCodec.builder().allowPackage(MSG).maxDepth(100).build();
      byte[] payload = CODEC.encode(Node.chain(200), 0);

      assertThatThrownBy(() -> shallow.decode(payload, 0, payload.length))
          .isInstanceOfSatisfying(
              CodecException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.UNDECODABLE))
          .hasMessageContaining("maxDepth 100")
          .hasMessageContaining("maxDepth(");
    }
  }

  @Nested
  class Allowing {
    @Test
    void allowPackage_coversSubpackagesButNotLookAlikePackages() throws Exception {
      JavaCodec codec = JavaCodec.builder().allowPackage(MSG).build();
      // a copy in its own loader, so that the application loader's Sneaky stays untouched
      Object sneaky =
          new IsolatingClassLoader(getClass().getClassLoader(), MSGEVIL + ".")
              .loadClass(SNEAKY)
              .getDeclaredConstructor()
              .newInstance();

      assertThat(roundTrip(codec, new Deep("sub"))).isEqualTo(new Deep("sub"));
      assertThatThrownBy(() -> codec.encode(sneaky, 0))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining(SNEAKY + " is not allowed");
    }

    @Test
    void allow_oneClass_allowsExactlyThatClass() {
      JavaCodec codec = JavaCodec.builder().allow(Point.class).build();

      assertThat(roundTrip(codec, new Point(1, 2, "p"))).isEqualTo(new Point(1, 2, "p"));
      assertThatThrownBy(() -> codec.encode(new Deep("d"), 0))
          .isInstanceOf(UnencodableMessageException.class);
    }

    @Test
    void allow_enumWithConstantBodies_allowsAllItsConstants() {
      JavaCodec codec = JavaCodec.builder().allow(Color.class).build();

      assertThat(roundTrip(codec, Color.BLUE)).isSameAs(Color.BLUE);
      assertThat(roundTrip(codec, List.of(Color.RED, Color.BLUE)))
          .isEqualTo(List.of(Color.RED, Color.BLUE));
    }

    @Test
    void allow_sealedInterface_allowsItsPermittedRecords() {
      JavaCodec codec = JavaCodec.builder().allow(Shape.class).build();

      assertThat(roundTrip(codec, new Shape.Circle(1))).isEqualTo(new Shape.Circle(1));
      assertThat(roundTrip(codec, new Shape.Square(2))).isEqualTo(new Shape.Square(2));
    }

    @Test
    void allow_arrayClass_allowsItsElementClass() {
      JavaCodec codec = JavaCodec.builder().allow(Point[][].class).build();

      assertThat(roundTrip(codec, new Point(1, 2, "p"))).isEqualTo(new Point(1, 2, "p"));
    }

    @Test
    void allow_jdkValueOutsideTheDefaults_allowsIt() {
      Object point = new java.awt.Point(3, 4);
      assertThatThrownBy(() -> JavaCodec.defaults().encode(point, 0))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining("allow(java.awt.Point.class)");

      JavaCodec codec = JavaCodec.builder().allow(java.awt.Point.class).build();

      assertThat(roundTrip(codec, point)).isEqualTo(point);
    }

    @Test
    void allow_primitiveOrLambdaClass_rejected() {
      Runnable lambda = () -> {};

      assertThatThrownBy(() -> JavaCodec.builder().allow(int.class))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("int");
      assertThatThrownBy(() -> JavaCodec.builder().allow(lambda.getClass()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("never be sent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "com.acme.", ".com", "com..acme", "com.acme.*", "com.*", "1abc", "a b"})
    void allowPackage_notAPackageName_rejectedNamingIt(String name) {
      assertThatThrownBy(() -> JavaCodec.builder().allowPackage(name))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"" + name + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "java.util", "javax.naming", "jdk.internal", "sun.misc", "com.sun.rowset"})
    void allowPackage_jdkPackage_rejected(String name) {
      assertThatThrownBy(() -> JavaCodec.builder().allowPackage(name))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("one by one");
    }

    @Test
    void allowPackage_packageMerelyStartingWithAJdkRoot_accepted() {
      JavaCodec codec = JavaCodec.builder().allowPackage("javafoo.bar", "sunny.day").build();

      assertThat(codec.toString()).contains("javafoo.bar").contains("sunny.day");
    }

    @Test
    void maxDepth_belowTwo_rejectedNamingTheValue() {
      assertThatThrownBy(() -> JavaCodec.builder().maxDepth(1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxDepth < 2: 1");
    }

    @Test
    void encode_nullMessageOrNegativeHeadroom_rejected() {
      assertThatThrownBy(() -> CODEC.encode(null, 0)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> CODEC.encode("x", -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("headroom < 0: -1");
    }

    @Test
    void decode_rangeOutsideTheArray_indexOutOfBounds() {
      assertThatThrownBy(() -> CODEC.decode(new byte[4], 2, 3))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> CODEC.decode(new byte[4], -1, 2))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Nested
  class Garbage {
    static final List<Object> SAMPLES =
        List.of(
            "sixteen chars!!!",
            new Point(3, 4, "hello"),
            new Envelope("t", new ArrayList<>(List.of(1, "two", new HashMap<>(Map.of("k", 3L))))),
            new long[][] {{1, 2}, {3}},
            List.of(Color.BLUE, Optional.of(UUID.nameUUIDFromBytes(new byte[1]))));

    static void assertDecodesOrUndecodable(byte[] bytes, int offset, int length) {
      try {
        assertThat(CODEC.decode(bytes, offset, length)).isNotNull();
      } catch (CodecException e) {
        assertThat(e.reason()).isIn(DropReason.UNDECODABLE, DropReason.FORBIDDEN_CLASS);
      }
    }

    @Test
    void decode_emptyPayload_undecodable() {
      assertThatThrownBy(() -> CODEC.decode(new byte[3], 1, 0))
          .isInstanceOfSatisfying(
              CodecException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.UNDECODABLE));
    }

    @Test
    void decode_everyTruncation_undecodable() {
      // A String travels as a tag and its UTF-8 bytes to the end of the frame, which ZeroMQ
      // delivers whole or not at all: there is no length to contradict, so Strings are exempt.
      for (Object sample : SAMPLES.stream().filter(m -> !(m instanceof String)).toList()) {
        byte[] bytes = CODEC.encode(sample, 0);
        for (int length = 0; length < bytes.length; length++) {
          int n = length;
          assertThatThrownBy(() -> CODEC.decode(bytes, 0, n))
              .as("%s cut to %d of %d bytes", sample, n, bytes.length)
              .isInstanceOfSatisfying(
                  CodecException.class,
                  e -> assertThat(e.reason()).isEqualTo(DropReason.UNDECODABLE));
        }
      }
    }

    @Test
    void decode_trailingBytes_undecodable() {
      byte[] payload = CODEC.encode(new Point(1, 2, "p"), 0);
      byte[] longer = Arrays.copyOf(payload, payload.length + 3);

      assertThatThrownBy(() -> CODEC.decode(longer, 0, longer.length))
          .isInstanceOfSatisfying(
              CodecException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.UNDECODABLE))
          .hasMessageContaining("3 bytes follow the message");
    }

    @Test
    void decode_everySingleBitFlip_decodesOrThrowsCodecException() {
      for (Object sample : SAMPLES) {
        byte[] bytes = CODEC.encode(sample, 0);
        for (int bit = 0; bit < bytes.length * 8; bit++) {
          byte[] flipped = bytes.clone();
          flipped[bit / 8] ^= (byte) (1 << (bit % 8));
          assertDecodesOrUndecodable(flipped, 0, flipped.length);
        }
      }
    }

    @Test
    void decode_payloadOfNull_undecodable() {
      byte[] header = CODEC.encode(1L, 0); // the payload tag, then Fory's header bitmap
      byte[] nullPayload = {header[0], header[1], -3}; // Fory's null flag after the bitmap

      assertThatThrownBy(() -> CODEC.decode(nullPayload, 0, 3))
          .isInstanceOfSatisfying(
              CodecException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.UNDECODABLE))
          .hasMessageContaining("null");
    }

    static Stream<Arguments> containersWithALengthToInflate() {
      Function<Integer, Object> list = n -> new ArrayList<>(Collections.nCopies(n, 7));
      Function<Integer, Object> map =
          n -> {
            Map<Object, Object> m = new HashMap<>();
            for (int i = 0; i < n; i++) {
              m.put(1000 + i, 7);
            }
            return m;
          };
      Function<Integer, Object> objects = n -> Collections.nCopies(n, 7).toArray();
      Function<Integer, Object> ints = n -> new int[n];
      Function<Integer, Object> longs = n -> new long[n];
      // a String alone skips Fory (and has no length to inflate); inside a list it is Fory's
      Function<Integer, Object> string = n -> new ArrayList<>(List.of("x".repeat(n)));
      Function<Integer, Object> listInRecord = n -> new Envelope("t", list.apply(n));
      return Stream.of(
          Arguments.of("ArrayList", list),
          Arguments.of("HashMap", map),
          Arguments.of("Object[]", objects),
          Arguments.of("int[]", ints),
          Arguments.of("long[]", longs),
          Arguments.of("String in a list", string),
          Arguments.of("ArrayList in a record", listInRecord));
    }

    /**
     * Encodes a 5-element container, finds its length (where the 6-element encoding first
     * differs), and claims 2^31-1 elements there instead, in a message of a few dozen bytes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("containersWithALengthToInflate")
    @Timeout(30)
    void decode_smallPayloadClaimingHugeLength_undecodableFastWithoutAllocatingIt(
        String shape, Function<Integer, Object> make) {
      byte[] five = CODEC.encode(make.apply(5), 0);
      byte[] six = CODEC.encode(make.apply(6), 0);
      int at = 0;
      while (five[at] == six[at]) {
        at++;
      }
      byte[] claim = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
      byte[] crafted = new byte[five.length - 1 + claim.length];
      System.arraycopy(five, 0, crafted, 0, at);
      System.arraycopy(claim, 0, crafted, at, claim.length);
      System.arraycopy(five, at + 1, crafted, at + claim.length, five.length - at - 1);
      assertThat(CODEC.decode(five, 0, five.length)).as("the original decodes").isNotNull();
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
      long start = System.nanoTime();

      Throwable e = catchThrowableOfType(
          CodecException.class, () -> CODEC.decode(crafted, 0, crafted.length));

      long millis = (System.nanoTime() - start) / 1_000_000;
      long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
      assertThat(e).as("%s in %d bytes", shape, crafted.length).isNotNull();
      assertThat(((CodecException) e).reason()).isEqualTo(DropReason.UNDECODABLE);
      assertThat(millis).as("milliseconds").isLessThan(2_000);
      assertThat(allocated).as("bytes allocated").isLessThan(16L << 20);
    }

    @Test
    void decode_afterGarbage_sameCodecStillDecodes() {
      byte[] garbage = new byte[64];
      new java.util.Random(42).nextBytes(garbage);
      assertDecodesOrUndecodable(garbage, 0, garbage.length);

      assertThat(roundTrip(new Point(1, 2, "ok"))).isEqualTo(new Point(1, 2, "ok"));
    }
  }

  @Nested
  class Concurrency {
    @Test
    @Timeout(120)
    void encodeAndDecode_2000VirtualThreadsAtOnce_everyMessageRoundTrips() throws Exception {
      int threads = 2_000;
      int messagesEach = 20;
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Object>>> results = new ArrayList<>();
      try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int t = 0; t < threads; t++) {
          int id = t;
          results.add(
              executor.submit(
                  () -> {
                    start.await();
                    List<Object> decoded = new ArrayList<>();
                    for (int k = 0; k < messagesEach; k++) {
                      Object message =
                          k % 2 == 0 ? new Point(id, k, "t" + id) : List.of(id, k, "s" + id);
                      byte[] frame = CODEC.encode(message, 5);
                      decoded.add(CODEC.decode(frame, 5, frame.length - 5));
                    }
                    return decoded;
                  }));
        }
        start.countDown();
        for (int t = 0; t < threads; t++) {
          List<Object> decoded = results.get(t).get();
          assertThat(decoded).hasSize(messagesEach);
          for (int k = 0; k < messagesEach; k++) {
            Object expected = k % 2 == 0 ? new Point(t, k, "t" + t) : List.of(t, k, "s" + t);
            assertThat(decoded.get(k)).isEqualTo(expected);
          }
        }
      }
    }

    /**
     * A sender interrupted while every pooled Fory is in use (here: the only one, held by a
     * message whose writeObject waits) waits for one instead of failing, and keeps its interrupt
     * status.
     */
    @Test
    @Timeout(60)
    void encode_interruptedWhileThePoolIsExhausted_waitsEncodesAndKeepsTheInterrupt()
        throws Exception {
      JavaCodec codec = JavaCodec.builder().allowPackage(MSG).poolSize(1).build();
      codec.warmUp("warm");
      Blocker blocker = new Blocker();
      FutureTask<byte[]> holder = new FutureTask<>(() -> codec.encode(blocker, 0));
      FutureTask<Boolean> interruptedSender =
          new FutureTask<>(
              () -> {
                Thread.currentThread().interrupt();
                // not a bare String: those skip the pool
                byte[] frame = codec.encode(List.of("while interrupted"), 0);
                boolean stillInterrupted = Thread.interrupted();
                assertThat(codec.decode(frame, 0, frame.length))
                    .isEqualTo(List.of("while interrupted"));
                return stillInterrupted;
              });
      Thread sender = new Thread(interruptedSender, "interrupted-sender");
      try {
        new Thread(holder, "holder").start();
        blocker.entered.await();
        sender.start();

        await().atMost(Duration.ofSeconds(30))
            .until(() -> sender.getState() == Thread.State.WAITING || interruptedSender.isDone());
        assertThat(interruptedSender).as("waits for the pooled Fory").isNotDone();
      } finally {
        blocker.release.countDown();
      }

      assertThat(interruptedSender.get(30, SECONDS)).as("interrupt status kept").isTrue();
      assertThat(holder.get(30, SECONDS)).isNotEmpty();
    }
  }

  @Nested
  class ColdStart {
    @Test
    void defaults_calledTwice_sameInstance() {
      assertThat(JavaCodec.defaults()).isSameAs(JavaCodec.defaults());
    }

    @Test
    @Timeout(60)
    void build_withoutAnyEncode_becomesReadyInTheBackground() {
      JavaCodec codec = JavaCodec.builder().allow(Point.class).build();

      await().atMost(Duration.ofSeconds(30)).until(codec::isReady);
      await().atMost(Duration.ofSeconds(30)).until(JavaCodec.defaults()::isReady);
    }

    @Test
    void warmUp_allowedSamples_thenRoundTrips() {
      JavaCodec codec = JavaCodec.builder().allowPackage(MSG).build();

      codec.warmUp(new Point(1, 2, "p"), new Node("n"), List.of(1));

      assertThat(roundTrip(codec, new Point(3, 4, "q"))).isEqualTo(new Point(3, 4, "q"));
    }

    @Test
    void warmUp_unallowedSample_throwsUnencodableNamingIt() {
      assertThatThrownBy(() -> JavaCodec.defaults().warmUp("fine", new Point(1, 2, "p")))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining(Point.class.getName());
    }

    @Test
    @Timeout(60)
    void builderWarmUp_failingSample_loggedAndTheCodecStillWorks() {
      JavaCodec codec =
          JavaCodec.builder().allow(Point.class).warmUp(new Deep("not allowed"), new Point(0, 0, "")).build();

      await().atMost(Duration.ofSeconds(30)).until(codec::isReady);
      assertThat(roundTrip(codec, new Point(1, 2, "p"))).isEqualTo(new Point(1, 2, "p"));
    }
  }
}
