package dev.mailboxthreads.benchmarks.remote;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.PublishOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The command line of {@link RemoteBench}.
 *
 * @param payloadBytes size of each message's payload: 16, 256 or 4096
 * @param transport tcp (127.0.0.1, ephemeral ports) or ipc (under a temporary directory)
 * @param streamMessages messages per stream round (N)
 * @param streamWarmupMessages messages of the one unreported warm-up round per contestant
 * @param highWaterMark SNDHWM and RCVHWM of both contestants (ours: also its sender queue)
 * @param codec the codec ours uses: the library's default, or the diagnostic {@link Utf8Codec}
 * @param rounds rounds per contestant (stream and round trip)
 * @param roundTrips measured round trips per round
 * @param roundTripWarmup unreported round trips before each round
 * @param coldJvms fresh JVMs per contestant in the cold-start test
 * @param tests which tests to run
 * @param contestants which contestants to run
 * @param timeoutSeconds the most one stream round or one cold JVM may take before the run fails
 * @param csv where to write the CSV, or null
 * @param out where to write the CSV and, next to it, the chart ({@link ResultsChart}), or null
 * @param childJvmArgs extra arguments for every JVM started (receiver and cold senders)
 * @param senders the numbers of virtual sender threads of the many-senders test
 */
record Options(
    int payloadBytes,
    Transport transport,
    long streamMessages,
    long streamWarmupMessages,
    int highWaterMark,
    Codec codec,
    int rounds,
    int roundTrips,
    int roundTripWarmup,
    int coldJvms,
    Set<Test> tests,
    Set<Contestant> contestants,
    int timeoutSeconds,
    Path csv,
    Path out,
    List<String> childJvmArgs,
    List<Integer> senders) {

  enum Transport { TCP, IPC }

  enum Test { STREAM, RTT, COLD, MANY }

  /** The codec of our contestant; the same in every JVM of a run. */
  enum Codec {
    /** Whatever {@code JavaCodec.defaults()} is: what users get. */
    DEFAULT,
    /** {@link Utf8Codec}: Strings as bytes, to measure the library without the codec. */
    UTF8,
    /** {@code MsgpackCodec}, the interop codec (peers in other languages). */
    MSGPACK;

    /** Connection options with this codec and {@code hwm}, the library's defaults otherwise. */
    ConnectOptions connectOptions(int hwm) {
      return switch (this) {
        case DEFAULT -> ConnectOptions.defaults().withSendHighWaterMark(hwm);
        // not ConnectOptions.defaults().withCodec(...): that would initialize the default codec
        case UTF8 -> new ConnectOptions(Utf8Codec.INSTANCE, hwm, Duration.ofSeconds(10),
            Duration.ofSeconds(5), 16 << 20);
        case MSGPACK -> ConnectOptions.defaults().withCodec(MsgpackCodec.defaults())
            .withSendHighWaterMark(hwm);
      };
    }

    /** Publication options with this codec and {@code hwm}, the library's defaults otherwise. */
    PublishOptions publishOptions(int hwm) {
      return switch (this) {
        case DEFAULT -> PublishOptions.defaults().withReceiveHighWaterMark(hwm);
        case UTF8 -> new PublishOptions(Utf8Codec.INSTANCE, hwm, 16 << 20);
        case MSGPACK -> PublishOptions.defaults().withCodec(MsgpackCodec.defaults())
            .withReceiveHighWaterMark(hwm);
      };
    }

    /** A description for the report, without initializing a codec not used. */
    String describe() {
      return switch (this) {
        case DEFAULT -> {
          dev.mailboxthreads.remote.Codec c = ConnectOptions.defaults().codec();
          yield "default " + c.getClass().getName() + " (id " + c.id() + ")";
        }
        case UTF8 -> Utf8Codec.INSTANCE.toString();
        case MSGPACK -> MsgpackCodec.defaults().toString();
      };
    }
  }

  enum Contestant {
    /** This library: RemoteContext, send(remote, msg), publications and mailboxes. */
    OURS("ours"),
    /** JeroMQ sockets used directly, with the same options. */
    RAW("raw JeroMQ"),
    /**
     * Raw JeroMQ with our topology: a PUSH/PULL pair each way, each side's PULL bound and the
     * other's PUSH connected to it (two TCP connections, as ours uses), where REQ/REP sends the
     * reply back on the request's connection. Round trip only: what our sockets cost before
     * the library adds anything.
     */
    RAW_PAIR("raw PUSH/PULL pair"),
    /** This library with the interop codec, {@code MsgpackCodec}, whatever --codec says. */
    OURS_MSGPACK("ours msgpack"),
    /**
     * Pekko 1.7.0 remote actors over Artery TCP, {@code byte[]} payloads (Pekko's
     * ByteArraySerializer); see {@link PekkoRemote}.
     */
    PEKKO("Pekko Artery"),
    /**
     * libzmq, the C library, REQ/REP between two C processes ({@link Libzmq}): round trip only,
     * the baseline of the p99.9 target.
     */
    LIBZMQ("libzmq (C)");

    final String label;

    Contestant(String label) {
      this.label = label;
    }

    /** The codec this contestant uses when it is one of ours. */
    Codec codec(Options o) {
      return this == OURS_MSGPACK ? Codec.MSGPACK : o.codec();
    }
  }

  static final String USAGE = """
      usage: RemoteBench [options]
        --payload 16|256|4096     payload bytes per message (default 16)
        --transport tcp|ipc       tcp://127.0.0.1:* or ipc:// under a temp dir (default tcp)
        --messages N              stream messages per round (default 2,000,000 at 16 B,
                                  1,000,000 at 256 B, 250,000 at 4096 B)
        --warmup-messages N       stream warm-up messages per contestant (default: messages;
                                  on 2 busy cores C2 needs a few seconds per JVM)
        --hwm N                   high-water mark for both contestants (default 100,000,
                                  the library's default)
        --codec default|utf8|msgpack  ours with the library's default codec (default), with a
                                  Strings-as-UTF-8 codec (the library alone), or MsgpackCodec
        --rounds N                rounds per contestant, alternating (default 3)
        --round-trips N           measured round trips per round (default 10,000)
        --round-trip-warmup N     warm-up round trips before each round (default 20,000:
                                  each round opens new sockets, which deoptimizes hot code,
                                  and on 2 busy cores the JIT then recompiles for seconds,
                                  its long runs delaying woken threads by up to 4 ms)
        --cold-jvms N             fresh JVMs per contestant for the cold start (default 5)
        --only stream,rtt,cold,many  run only these tests (default stream,rtt,cold); many:
                                  ours with --senders virtual threads sending at once to one
                                  remote thread, against one sender, --messages in total
        --senders N,N             virtual sender threads of the many test (default 1000,100000)
        --contestants ours,raw,msgpack,pekko,libzmq  run only these contestants (default
                                  ours,raw); msgpack: ours with MsgpackCodec; pekko: Pekko
                                  remote actors (Artery TCP, byte[] payloads); libzmq: REQ/REP
                                  in C, round trip only (needs gcc and libzmq3-dev, skipped
                                  with a message without them); cold start: ours and raw only
        --timeout-seconds N       fail a stream round or cold JVM that takes longer (default 60)
        --csv FILE                also write every measurement as CSV
        --out FILE                write the CSV to FILE and a chart (SVG) next to it: FILE
                                  with its extension replaced by .svg, e.g. results.svg
        --child-jvm-arg ARG       add ARG to the JVMs this starts (repeatable), e.g.
                                  --child-jvm-arg -XX:StartFlightRecording=filename=r.jfr
        --quick                   a smoke run: small counts, 1 round, 2 cold JVMs
      """;

  static Options parse(String[] args) {
    int payload = 16;
    Transport transport = Transport.TCP;
    long messages = -1;
    long warmup = -1;
    int hwm = 100_000;
    Codec codec = Codec.DEFAULT;
    int rounds = 3;
    int roundTrips = 10_000;
    int roundTripWarmup = 20_000;
    int coldJvms = 5;
    Set<Test> tests = EnumSet.of(Test.STREAM, Test.RTT, Test.COLD);
    Set<Contestant> contestants = EnumSet.of(Contestant.OURS, Contestant.RAW);
    int timeout = 60;
    Path csv = null;
    Path out = null;
    List<String> childArgs = new ArrayList<>();
    boolean quick = false;
    List<Integer> senders = List.of(1_000, 100_000);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> quick = true;
        case "-h", "--help" -> throw new UsageException(null);
        default -> {
          if (i + 1 >= args.length) {
            throw new UsageException("missing value after " + a);
          }
          String v = args[++i];
          switch (a) {
            case "--payload" -> {
              payload = positiveInt(a, v);
              if (payload != 16 && payload != 256 && payload != 4096) {
                throw new UsageException("--payload must be 16, 256 or 4096: " + v);
              }
            }
            case "--transport" -> transport = switch (v.toLowerCase(Locale.ROOT)) {
              case "tcp" -> Transport.TCP;
              case "ipc" -> Transport.IPC;
              default -> throw new UsageException("--transport must be tcp or ipc: " + v);
            };
            case "--messages" -> messages = positiveLong(a, v);
            case "--warmup-messages" -> warmup = nonNegativeLong(a, v);
            case "--hwm" -> hwm = positiveInt(a, v);
            case "--codec" -> codec = switch (v.toLowerCase(Locale.ROOT)) {
              case "default" -> Codec.DEFAULT;
              case "utf8" -> Codec.UTF8;
              case "msgpack" -> Codec.MSGPACK;
              default -> throw new UsageException("--codec must be default, utf8 or msgpack: "
                  + v);
            };
            case "--rounds" -> rounds = positiveInt(a, v);
            case "--round-trips" -> roundTrips = positiveInt(a, v);
            case "--round-trip-warmup" -> roundTripWarmup = (int) nonNegativeLong(a, v);
            case "--cold-jvms" -> coldJvms = positiveInt(a, v);
            case "--only" -> {
              tests = EnumSet.noneOf(Test.class);
              for (String t : v.split(",")) {
                tests.add(switch (t.trim().toLowerCase(Locale.ROOT)) {
                  case "stream" -> Test.STREAM;
                  case "rtt", "round-trip" -> Test.RTT;
                  case "cold", "cold-start" -> Test.COLD;
                  case "many", "many-senders" -> Test.MANY;
                  default -> throw new UsageException("--only takes stream, rtt, cold, many: "
                      + t);
                });
              }
            }
            case "--contestants" -> {
              contestants = EnumSet.noneOf(Contestant.class);
              for (String c : v.split(",")) {
                contestants.add(switch (c.trim().toLowerCase(Locale.ROOT)) {
                  case "ours" -> Contestant.OURS;
                  case "raw" -> Contestant.RAW;
                  case "raw-pair", "rawpair" -> Contestant.RAW_PAIR;
                  case "msgpack", "ours-msgpack" -> Contestant.OURS_MSGPACK;
                  case "pekko" -> Contestant.PEKKO;
                  case "libzmq" -> Contestant.LIBZMQ;
                  default -> throw new UsageException("--contestants takes ours, raw, raw-pair,"
                      + " msgpack, pekko, libzmq: " + c);
                });
              }
            }
            case "--timeout-seconds" -> timeout = positiveInt(a, v);
            case "--csv" -> csv = Path.of(v);
            case "--out" -> {
              out = Path.of(v);
              if (ResultsChart.svgPath(out).equals(out)) {
                throw new UsageException("--out takes the CSV file, the chart goes next to it"
                    + " as .svg: " + v);
              }
            }
            case "--child-jvm-arg" -> childArgs.add(v);
            case "--senders" -> {
              List<Integer> list = new ArrayList<>();
              for (String n : v.split(",")) {
                list.add(positiveInt(a, n.trim()));
              }
              senders = List.copyOf(list);
            }
            default -> throw new UsageException("unknown option: " + a);
          }
        }
      }
    }
    if (messages < 0) {
      messages = quick ? 100_000 : switch (payload) {
        case 16 -> 2_000_000;
        case 256 -> 1_000_000;
        default -> 250_000;
      };
    }
    if (warmup < 0) {
      warmup = messages;
    }
    if (quick) {
      rounds = 1;
      roundTrips = Math.min(roundTrips, 2_000);
      roundTripWarmup = Math.min(roundTripWarmup, 500);
      coldJvms = Math.min(coldJvms, 2);
    }
    if (tests.isEmpty() || contestants.isEmpty()) {
      throw new UsageException("nothing to run");
    }
    return new Options(payload, transport, messages, warmup, hwm, codec, rounds, roundTrips,
        roundTripWarmup, coldJvms, tests, contestants, timeout, csv, out, List.copyOf(childArgs),
        senders);
  }

  private static int positiveInt(String option, String value) {
    long v = positiveLong(option, value);
    if (v > Integer.MAX_VALUE) {
      throw new UsageException(option + " is too large: " + value);
    }
    return (int) v;
  }

  private static long positiveLong(String option, String value) {
    long v = nonNegativeLong(option, value);
    if (v == 0) {
      throw new UsageException(option + " must be at least 1: " + value);
    }
    return v;
  }

  private static long nonNegativeLong(String option, String value) {
    try {
      long v = Long.parseLong(value.replace("_", "").replace(",", ""));
      if (v < 0) {
        throw new UsageException(option + " must not be negative: " + value);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException(option + " takes a number: " + value);
    }
  }

  /** A bad command line; the message says what is wrong, null for --help. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
