package dev.mailboxthreads.benchmarks.remote;

import dev.mailboxthreads.benchmarks.remote.Options.Contestant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of a run as a chart a person can open: a hand-written SVG of grouped horizontal
 * bars, one group per test (stream msg/s, round-trip median µs, cold start ms), ours and raw
 * JeroMQ side by side, each bar the median over the rounds with a min..max whisker, its value
 * and the ours/raw ratio labelled.
 *
 * <p>No dependency: the SVG is plain text, every text escaped for XML.
 */
final class ResultsChart {
  /** One group of bars: a test's headline metric. */
  private record Group(String test, String metric, String title, String format,
      boolean higherIsBetter) {}

  private static final List<Group> GROUPS = List.of(
      new Group(RemoteBench.STREAM, "msg_per_s", "Stream, msg/s", "%,.0f", true),
      new Group(RemoteBench.RTT, "p50_us", "Round trip, median (p50) µs", "%,.1f", false),
      new Group(RemoteBench.COLD, "connect_to_delivery_ms", "Cold start, connect → delivery ms",
          "%,.0f", false));

  private static final int WIDTH = 860;
  private static final int LABEL_X = 20;
  private static final int BAR_X = 130;
  private static final int BAR_MAX = 520;
  private static final int BAR_HEIGHT = 20;
  private static final int GROUP_HEIGHT = 92;
  private static final String OURS_COLOUR = "#2b6cb0";
  private static final String RAW_COLOUR = "#a0aec0";
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private ResultsChart() {}

  /** {@code file} with its extension (if any) replaced by {@code .svg}. */
  static Path svgPath(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    return file.resolveSibling(base + ".svg");
  }

  /** Writes {@link #render} to {@code file} in UTF-8. */
  static void write(Path file, Results results, Options options, Jvm.Host host, Instant date,
      String failure) {
    try {
      Files.writeString(file, render(results, options, host, date, failure),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * The chart as an SVG document.
   *
   * @param failure why the run failed, or null; shown under the title if not null
   */
  static String render(Results results, Options options, Jvm.Host host, Instant date,
      String failure) {
    List<Group> groups = new ArrayList<>();
    for (Group g : GROUPS) {
      if (options.contestants().stream().anyMatch(c -> results.has(g.test(), c, g.metric()))) {
        groups.add(g);
      }
    }
    int top = failure == null ? 112 : 132;
    int height = top + Math.max(1, groups.size()) * GROUP_HEIGHT + 30;
    StringBuilder sb = new StringBuilder();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">%n",
        WIDTH, height, WIDTH, height));
    String title = "mailbox-threads remote benchmark, " + DATE.format(date);
    sb.append("<title>").append(escape(title)).append("</title>\n");
    sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n",
        WIDTH, height));
    text(sb, LABEL_X, 28, "font-size=\"17\" font-weight=\"bold\"", title);
    text(sb, LABEL_X, 50, "", String.format(Locale.ROOT,
        "payload %d B, transport %s, codec %s, HWM %,d, %d round(s) per contestant",
        options.payloadBytes(), options.transport().name().toLowerCase(Locale.ROOT),
        options.codec() == Options.Codec.DEFAULT ? "default" : "utf8", options.highWaterMark(),
        options.rounds()));
    text(sb, LABEL_X, 68, "", String.format(Locale.ROOT, "machine: nproc %d, %s, %s",
        host.processors(), host.cpuModel(), host.os()));
    text(sb, LABEL_X, 86, "", "JDK: " + host.jdk());
    if (failure != null) {
      text(sb, LABEL_X, 106, "fill=\"#c53030\" font-weight=\"bold\"",
          "FAILED: " + failure + " (the figures are not to be used)");
    }
    int y = top;
    if (groups.isEmpty()) {
      text(sb, LABEL_X, y + 24, "", "no results");
    }
    for (Group g : groups) {
      group(sb, results, options, g, y);
      y += GROUP_HEIGHT;
    }
    text(sb, LABEL_X, height - 12, "font-size=\"11\" fill=\"#4a5568\"",
        "bars: median over the rounds (cold start: over the fresh JVMs); whiskers: min .. max;"
            + " written by RemoteBench --out");
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static void group(StringBuilder sb, Results results, Options options, Group g, int y) {
    List<Contestant> contestants = options.contestants().stream()
        .filter(c -> results.has(g.test(), c, g.metric())).toList();
    double scale = contestants.stream().mapToDouble(c -> results.max(g.test(), c, g.metric()))
        .filter(v -> v > 0 && Double.isFinite(v)).max().orElse(1);
    String heading =
        g.title() + (g.higherIsBetter() ? " (higher is better)" : " (lower is better)");
    sb.append("<g class=\"test\" id=\"").append(escape(g.test())).append("\">\n");
    text(sb, LABEL_X, y + 16, "font-weight=\"bold\"", heading);
    if (contestants.contains(Contestant.OURS) && contestants.contains(Contestant.RAW)) {
      double ratio = results.median(g.test(), Contestant.OURS, g.metric())
          / results.median(g.test(), Contestant.RAW, g.metric());
      text(sb, WIDTH - 20, y + 16, "text-anchor=\"end\" font-weight=\"bold\" class=\"ratio\"",
          String.format(Locale.ROOT, "ours / raw = %.2f", ratio));
    }
    int barY = y + 26;
    for (Contestant c : contestants) {
      double median = results.median(g.test(), c, g.metric());
      double min = results.min(g.test(), c, g.metric());
      double max = results.max(g.test(), c, g.metric());
      double length = Math.max(1, BAR_MAX * clamp(median / scale));
      text(sb, LABEL_X, barY + 15, "", c.label);
      sb.append(String.format(Locale.ROOT, "<rect class=\"bar %s\" x=\"%d\" y=\"%d\""
          + " width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", c.name().toLowerCase(Locale.ROOT),
          BAR_X, barY, length, BAR_HEIGHT, c == Contestant.OURS ? OURS_COLOUR : RAW_COLOUR));
      double end = BAR_X + length;
      if (results.values(g.test(), c, g.metric()).size() > 1) {
        double x1 = BAR_X + BAR_MAX * clamp(min / scale);
        double x2 = BAR_X + BAR_MAX * clamp(max / scale);
        int mid = barY + BAR_HEIGHT / 2;
        sb.append(String.format(Locale.ROOT, "<path class=\"whisker\" d=\"M%.1f %dH%.1fM%.1f %dV%d"
            + "M%.1f %dV%d\" stroke=\"#1a202c\" stroke-width=\"1.5\" fill=\"none\"/>%n",
            x1, mid, x2, x1, mid - 6, mid + 6, x2, mid - 6, mid + 6));
        end = Math.max(end, x2);
      }
      text(sb, end + 6, barY + 15, "class=\"value\"", String.format(Locale.ROOT, g.format(),
          median));
      barY += BAR_HEIGHT + 8;
    }
    sb.append("</g>\n");
  }

  private static double clamp(double fraction) {
    return Double.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) : 0;
  }

  private static void text(StringBuilder sb, double x, double y, String attributes,
      String content) {
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\"", x, y));
    if (!attributes.isEmpty()) {
      sb.append(' ').append(attributes);
    }
    sb.append('>').append(escape(content)).append("</text>\n");
  }

  /**
   * {@code s} as XML character data or attribute value: markup characters as entities, and the
   * characters XML 1.0 cannot hold at all (control characters, lone surrogates) as '?'.
   */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          if (Character.isHighSurrogate(ch) && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(ch).append(s.charAt(++i));
          } else if (Character.isSurrogate(ch) || ch == 0xFFFE || ch == 0xFFFF
              || (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')) {
            sb.append('?');
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.toString();
  }
}
