package dev.mailboxthreads.benchmarks.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.benchmarks.remote.Options.Contestant;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ResultsChartTest {
  private static final Instant DATE = Instant.parse("2026-12-04T22:46:00Z");
  private static final Jvm.Host HOST =
      new Jvm.Host(2, "AMD EPYC <\"fast\" & 'cheap'>", "Temurin 25.0.3+9-LTS", "Linux 6.18 amd64");

  private static Results results() {
    Results r = new Results();
    for (double v : new double[] {1_688_221, 1_573_607, 2_251_999}) {
      r.add(RemoteBench.STREAM, Contestant.OURS, "msg_per_s", v);
    }
    for (double v : new double[] {2_910_127, 2_381_368, 3_395_281}) {
      r.add(RemoteBench.STREAM, Contestant.RAW, "msg_per_s", v);
    }
    r.add(RemoteBench.RTT, Contestant.OURS, "p50_us", 128.9);
    r.add(RemoteBench.RTT, Contestant.RAW, "p50_us", 70.8);
    r.add(RemoteBench.COLD, Contestant.OURS, "connect_to_delivery_ms", 240);
    r.add(RemoteBench.COLD, Contestant.RAW, "connect_to_delivery_ms", 126);
    return r;
  }

  private static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> texts(Document doc) {
    NodeList nodes = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
    List<String> list = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      list.add(nodes.item(i).getTextContent());
    }
    return list;
  }

  @Test
  void rendersValidSvgWithBarsValuesAndRatios() throws Exception {
    Options options = Options.parse(new String[] {"--payload", "256", "--transport", "ipc"});
    String svg = ResultsChart.render(results(), options, HOST, DATE, null);

    Document doc = parse(svg);
    assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
    NodeList rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
    int bars = 0;
    for (int i = 0; i < rects.getLength(); i++) {
      Element e = (Element) rects.item(i);
      if (e.getAttribute("class").startsWith("bar ")) {
        bars++;
        assertThat(Double.parseDouble(e.getAttribute("width"))).isBetween(1.0, 520.0);
      }
    }
    assertThat(bars).isEqualTo(6);
    List<String> texts = texts(doc);
    assertThat(texts).contains("ours", "raw JeroMQ", "1,688,221", "2,910,127", "128.9", "70.8",
        "240", "126", "ours / raw = 0.58", "ours / raw = 1.82", "ours / raw = 1.90");
    assertThat(texts).anySatisfy(t -> assertThat(t)
        .contains("2026-12-04 22:46 UTC"));
    assertThat(texts).anySatisfy(t -> assertThat(t)
        .contains("payload 256 B", "transport ipc"));
    // escaped in the file, intact once parsed
    assertThat(texts).anySatisfy(t -> assertThat(t)
        .contains("nproc 2", "AMD EPYC <\"fast\" & 'cheap'>", "Linux 6.18"));
    assertThat(texts).contains("JDK: Temurin 25.0.3+9-LTS");
    assertThat(svg).doesNotContain("<\"fast\"");
    // three rounds of stream: whiskers
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path").getLength())
        .isEqualTo(2);
  }

  @Test
  void rendersOnlyWhatWasMeasuredAndTheFailure() throws Exception {
    Results r = new Results();
    r.add(RemoteBench.RTT, Contestant.OURS, "p50_us", 100);
    Options options = Options.parse(new String[] {"--contestants", "ours", "--only", "rtt"});
    Document doc = parse(ResultsChart.render(r, options, HOST, DATE, "lost\u0001 <3> messages"));

    List<String> texts = texts(doc);
    assertThat(texts).contains("100.0");
    assertThat(texts).noneMatch(t -> t.contains("ours / raw") || t.startsWith("Stream"));
    assertThat(texts).anyMatch(t -> t.startsWith("FAILED: lost? <3> messages"));
    assertThat(parse(ResultsChart.render(new Results(), options, HOST, DATE, null)))
        .satisfies(d -> assertThat(texts(d)).contains("no results"));
  }

  @Test
  void chartGoesNextToTheCsv() {
    assertThat(ResultsChart.svgPath(Path.of("/tmp/results.csv")))
        .isEqualTo(Path.of("/tmp/results.svg"));
    assertThat(ResultsChart.svgPath(Path.of("out/run.1.csv"))).isEqualTo(Path.of("out/run.1.svg"));
    assertThat(ResultsChart.svgPath(Path.of("results"))).isEqualTo(Path.of("results.svg"));
    assertThat(Options.parse(new String[] {"--out", "r.csv"}).out()).isEqualTo(Path.of("r.csv"));
    assertThatThrownBy(() -> Options.parse(new String[] {"--out", "r.svg"}))
        .isInstanceOf(Options.UsageException.class);
  }
}
