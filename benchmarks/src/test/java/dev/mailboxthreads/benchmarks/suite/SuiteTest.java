package dev.mailboxthreads.benchmarks.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.benchmarks.RingVsErlang;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SuiteTest {

  private static Table throughput() {
    return new Table("t", "Stream", "messages/s", true, List.of("ours", "a", "b"))
        .add("row", "ours", 10).add("row", "ours", 30).add("row", "ours", 20)
        .add("row", "a", 40)
        .add("row", "b", 5);
  }

  @Test
  void cellsAreMediansAndRatiosAreToTheBestOfTheRow() {
    Table t = throughput();
    assertThat(t.median("row", "ours")).isEqualTo(20);
    assertThat(t.best("row")).isEqualTo(40);
    assertThat(t.ratioToBest("row", "ours")).isEqualTo(0.5);
    assertThat(t.ratioToBest("row", "a")).isEqualTo(1.0);
    assertThat(t.markdown())
        .contains("| row | 20.0 (0.50) | **40.0 (1.00)** | 5.00 (0.13) | 0.50 |");
  }

  @Test
  void forATimeTheLowestIsBestAndOthersAreAboveOne() {
    Table t = new Table("t", "Round trip", "µs", false, List.of("ours", "raw"))
        .add("16 B", "ours", 90).add("16 B", "raw", 60);
    assertThat(t.best("16 B")).isEqualTo(60);
    assertThat(t.ratioToBest("16 B", "ours")).isEqualTo(1.5);
    assertThat(t.markdown()).contains("| 16 B | 90.0 (1.50) | **60.0 (1.00)** | 1.50 |");
  }

  @Test
  void aPeerNotRunIsADashNotAZero() {
    Table t = new Table("t", "Ring", "hops/s", true, List.of("ours", "Erlang"))
        .add("N = 10", "ours", 1e6);
    assertThat(t.markdown()).contains("| N = 10 | **1.00 M (1.00)** | - | - |");
    assertThatThrownBy(() -> t.add("N = 10", "nobody", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nobody");
  }

  @Test
  void chartIsWellFormedSvgWithEveryPeerAndEscapedText() throws Exception {
    Table t = new Table("t", "A <b> & \"c\"", "x", true, List.of("ours", "a", "b"))
        .add("row", "ours", 10).add("row", "a", 40);
    String svg = SuiteChart.render(t, "sub & title");
    DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(svg).contains("A &lt;b&gt; &amp; &quot;c&quot;").contains("not run")
        .contains("40.0 (1.00)").contains("10.0 (0.25)");
  }

  /**
   * The smoke suite end to end, as CI can run it: every contestant of every part (the Erlang
   * ring only when erl is installed), each of which checks its own counts; a lost message
   * would fail its part. Bounded: tiny counts, JMH in this JVM.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void smokeSuiteRunsEveryContestantAndWritesTheTablesAndCharts(@TempDir Path dir)
      throws Exception {
    Suite suite = new Suite(Suite.Settings.of(Suite.Level.SMOKE),
        EnumSet.allOf(Suite.Part.class));
    int status = suite.runAndWrite(dir, "--suite smoke");

    assertThat(suite.failures()).isEmpty();
    assertThat(status).isZero();
    Map<String, Table> tables = suite.tables().stream()
        .collect(Collectors.toMap(t -> t.id, t -> t));
    assertThat(tables).containsKeys("local-stream", "local-pingpong", "ring-hops",
        "ring-spawn", "ring-memory", "remote-stream", "remote-stream-mb",
        "remote-stream-sender-cpu", "remote-stream-receiver-cpu", "remote-rtt-p50",
        "remote-rtt-p99", "remote-rtt-p999", "many-senders");
    for (String id : List.of("local-stream", "local-pingpong", "remote-stream",
        "remote-rtt-p50", "many-senders")) {
      Table t = tables.get(id);
      for (String row : t.rowLabels()) {
        for (String peer : t.peers) {
          assertThat(t.median(row, peer)).as(id + " / " + row + " / " + peer).isPositive();
        }
      }
    }
    Table ring = tables.get("ring-hops");
    String row = ring.rowLabels().get(0);
    assertThat(ring.median(row, "ours")).isPositive();
    assertThat(ring.median(row, "ours, tuned JVM")).isPositive();
    assertThat(ring.median(row, "Pekko actors")).isPositive();
    if (RingVsErlang.erlangAvailable()) {
      assertThat(ring.median(row, "Erlang processes")).isPositive();
    } else {
      assertThat(suite.notes().get(Suite.Part.RING)).contains("erl");
    }
    String doc = Files.readString(dir.resolve("benchmarks-suite.md"));
    assertThat(doc).contains("## 1. Local hand-off", "## 5. Many senders", "A smoke run",
        "ours / best other", "(benchmarks-suite-remote-stream.svg)");
    for (Table t : suite.tables()) {
      assertThat(dir.resolve("benchmarks-suite-" + t.id + ".svg")).isRegularFile();
    }
    assertThat(Files.readAllLines(dir.resolve("benchmarks-suite.csv")).size()).isGreaterThan(20);
  }
}
