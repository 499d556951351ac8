package dev.mailboxthreads.mbt;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code mbt} command: the seed's example ({@code mbt demo}), a consumer, a producer, a
 * ping and a soak test for threads published with remote-mailbox-threads. Run it through the
 * {@code ./mbt} launcher at the repository root, or as {@code java -jar mbt/target/mbt.jar}.
 * This module is the only code of the project that prints or calls {@link System#exit};
 * docs/mbt.md describes the commands, their output and exit codes.
 *
 * <p><b>Thread safety:</b> {@link #main} is meant to be called once per JVM.
 */
@Command(
    name = "mbt",
    mixinStandardHelpOptions = true,
    versionProvider = Mbt.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    description = {
        "Mailbox threads from the command line: a thread published on a ZeroMQ endpoint receives"
            + " what other processes send to it.",
        "",
        "  mbt demo",
        "  mbt consume tcp://127.0.0.1:5555 ipc:///tmp/nomnom",
        "  mbt produce tcp://127.0.0.1:5555 -- carrot egg",
        "  mbt consume --echo tcp://127.0.0.1:5555 & mbt ping tcp://127.0.0.1:5555",
        "  mbt keygen server.key",
        "  mbt soak --minutes 10",
        ""},
    commandListHeading = "%nCommands:%n",
    subcommands = {
        DemoCommand.class, ConsumeCommand.class, ProduceCommand.class, PingCommand.class,
        BenchCommand.class, SoakCommand.class, DemoProducerCommand.class,
        KeygenCommand.class},
    exitCodeListHeading = "%nExit codes (every command):%n",
    exitCodeList = {
        "  0:success",
        "  1:unexpected failure (a bug: MBT_DEBUG=1 shows the stack trace)",
        "  2:usage: unknown option, malformed endpoint, bad JSON",
        "  3:the launcher found no JDK 21+ or Maven, or could not build mbt",
        "  4:cannot publish: address in use, no such interface, bad ipc path",
        "  5:peer not reachable: nobody listening, no answer, not delivered in time",
        "  6:a check failed (mbt soak: a message lost or reordered, heap or threads grew)",
        "130:stopped with Ctrl-C (SIGINT)"},
    footer = {"", "Every command has --help. More: docs/mbt.md"})
public final class Mbt implements Callable<Integer> {
  /*
   * Implementation notes. Commands run on the main thread. Everything they open that must be
   * closed at exit (the RemoteContext, child processes, temporary directories) is registered
   * with the Session, which main's finally and the shutdown hook both close (idempotent). On
   * Ctrl-C the JVM runs the hook while the main thread may still be blocked or about to fail
   * because its sockets were closed under it: the hook marks the session as stopping first, and
   * the failure handler then prints nothing, so Ctrl-C never shows an error or a stack trace.
   */

  @Spec private CommandSpec spec;

  private Mbt() {}

  /**
   * Runs {@code mbt} with the command line and exits with its exit code.
   *
   * @param args the command line, e.g. {@code consume tcp://127.0.0.1:*}
   */
  public static void main(String[] args) {
    configureLogging();
    Session session = Session.current();
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("mbt-exit").unstarted(() -> {
      session.markStopping();
      session.close();
    }));
    int code;
    PrintWriter out = Console.out();
    PrintWriter err = Console.err();
    try {
      code = run(out, err, args);
    } finally {
      session.close();
      out.flush();
      err.flush();
    }
    System.exit(code);
  }

  /** Runs a command line with the given output streams; returns the exit code. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new Mbt());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.registerConverter(Duration.class, Durations::parse);
    commandLine.setParameterExceptionHandler(Mbt::usageError);
    commandLine.setExecutionExceptionHandler(Mbt::failure);
    return commandLine.execute(args);
  }

  /** {@code mbt} with no command: the help, on standard output. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return Exit.OK;
  }

  /** A usage error: one line that names the command and what to do. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    String name = commandLine.getCommandSpec().qualifiedName();
    StringBuilder line = new StringBuilder(name).append(": ").append(e.getMessage());
    if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      line.append("; did you mean '").append(u.getSuggestions().get(0)).append("'?");
    }
    line.append(" (see '").append(name).append(" --help')");
    commandLine.getErr().println(line);
    return Exit.USAGE;
  }

  /** A command failed: one line, no stack trace (unless MBT_DEBUG is set for a bug). */
  private static int failure(Exception e, CommandLine commandLine, ParseResult parsed) {
    if (Session.current().isStopping()) {
      return Exit.INTERRUPTED; // Ctrl-C closed what the command was using: say nothing
    }
    PrintWriter err = commandLine.getErr();
    String name = commandLine.getCommandSpec().qualifiedName();
    if (e instanceof Failure f) {
      err.println(name + ": " + f.getMessage());
      return f.exitCode();
    }
    boolean debug = System.getenv("MBT_DEBUG") != null;
    err.println(name + ": unexpected failure: " + e
        + (debug ? "" : " (run again with MBT_DEBUG=1 to see the stack trace, and report it)"));
    if (debug) {
      e.printStackTrace(err);
    }
    return Exit.FAILED;
  }

  /**
   * One line per log record on standard error ("mbt: WARNING: ..."), instead of the JDK's two
   * lines with a time stamp; the library logs dropped frames and stale socket files this way.
   */
  private static void configureLogging() {
    String format = System.getenv("MBT_DEBUG") != null
        ? "mbt: %4$s: %5$s%6$s%n"
        : "mbt: %4$s: %5$s%n";
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", format);
    }
  }

  /** The version line: mbt's version, with the JDK's. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"mbt " + version() + " (mailbox-threads for Java) on Java "
          + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }

    static String version() {
      Properties p = new Properties();
      try (InputStream in = Mbt.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          return "unknown";
        }
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return p.getProperty("version", "unknown");
    }
  }
}
