package dev.mailboxthreads.mbt;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code mbt bench}: hands its arguments to the remote benchmark harness, {@code
 * dev.mailboxthreads.benchmarks.remote.RemoteBench} of the benchmarks module. mbt does not
 * depend on that module (it is never deployed): the {@code ./mbt} launcher builds
 * benchmarks/target/benchmarks.jar on first use and puts it on the class path for this command
 * only.
 */
@Command(
    name = "bench",
    customSynopsis = {"mbt bench [ARGS...]", "       mbt bench -- --help"},
    mixinStandardHelpOptions = true,
    versionProvider = Mbt.Version.class,
    description = {
        "Runs the remote benchmark harness of the benchmarks module.",
        "",
        "Runs the remote benchmark harness (dev.mailboxthreads.benchmarks.remote.RemoteBench,"
            + " in the benchmarks module) with ARGS; its own options are documented there and in"
            + " docs/benchmarks-remote.md. Run it as './mbt bench ARGS' from the repository: the"
            + " launcher builds benchmarks/target/benchmarks.jar on first use. The harness's"
            + " own help: mbt bench -- --help",
        "",
        "Example: mbt bench --quick --out results.csv (the figures as CSV, and a chart of them"
            + " in results.svg)",
        "",
        "With --suite smoke|full it runs the comparison suite instead (dev.mailboxthreads"
            + ".benchmarks.suite.Suite): local hand-off, ring, remote stream and round trip, many"
            + " senders, against LinkedTransferQueue, JCTools, Pekko, raw JeroMQ and Erlang;"
            + " 'full' writes docs/benchmarks-suite.md and its charts (docs/benchmarks.md), 'smoke'"
            + " checks every contestant in under a minute. Its options: mbt bench -- --suite full --help",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done",
        "2:the harness is not on the class path (run ./mbt bench from the repository)",
        "n:otherwise, the harness's own"})
final class BenchCommand implements Callable<Integer> {
  static final String HARNESS = "dev.mailboxthreads.benchmarks.remote.RemoteBench";
  static final String SUITE = "dev.mailboxthreads.benchmarks.suite.Suite";

  @Unmatched private List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    // --suite smoke|full: the comparison suite (every peer, every part), not the remote harness
    String target = args.contains("--suite") ? SUITE : HARNESS;
    Method main;
    try {
      main = Class.forName(target).getMethod("main", String[].class);
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      throw Failure.usage("the benchmark harness " + target + " is not on the class path: run"
          + " './mbt bench' from the repository, which builds the benchmarks module");
    }
    try {
      main.invoke(null, (Object) args.toArray(String[]::new));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
    return Exit.OK;
  }
}
