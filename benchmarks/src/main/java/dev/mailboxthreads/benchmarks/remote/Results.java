package dev.mailboxthreads.benchmarks.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every measurement of a run, one value per round (or per fresh JVM), by test, contestant and
 * metric; summaries are the median, minimum and maximum over the rounds.
 *
 * <p><b>Thread safety:</b> confined to the thread that runs the benchmark.
 */
final class Results {
  record Key(String test, Options.Contestant contestant, String metric) {}

  private final Map<Key, List<Double>> values = new LinkedHashMap<>();

  void add(String test, Options.Contestant contestant, String metric, double value) {
    values.computeIfAbsent(new Key(test, contestant, metric), k -> new ArrayList<>()).add(value);
  }

  /** The values in the order measured; empty if none. */
  List<Double> values(String test, Options.Contestant contestant, String metric) {
    return values.getOrDefault(new Key(test, contestant, metric), List.of());
  }

  boolean has(String test, Options.Contestant contestant, String metric) {
    return !values(test, contestant, metric).isEmpty();
  }

  double median(String test, Options.Contestant contestant, String metric) {
    return median(values(test, contestant, metric));
  }

  double min(String test, Options.Contestant contestant, String metric) {
    return values(test, contestant, metric).stream().mapToDouble(Double::doubleValue).min()
        .orElse(Double.NaN);
  }

  double max(String test, Options.Contestant contestant, String metric) {
    return values(test, contestant, metric).stream().mapToDouble(Double::doubleValue).max()
        .orElse(Double.NaN);
  }

  /** Every value, by test, contestant label and metric, in the order measured. */
  Map<String, Map<String, Map<String, List<Double>>>> asMap() {
    Map<String, Map<String, Map<String, List<Double>>>> map = new LinkedHashMap<>();
    values.forEach((k, list) -> map.computeIfAbsent(k.test(), t -> new LinkedHashMap<>())
        .computeIfAbsent(k.contestant().label, c -> new LinkedHashMap<>())
        .put(k.metric(), List.copyOf(list)));
    return map;
  }

  /** The median; the mean of the two middle values for an even count. */
  static double median(List<Double> list) {
    if (list.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(list);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /**
   * Writes {@code test,contestant,transport,payload_bytes,round,metric,value}: one row per
   * round, then rows for round = median, min and max.
   */
  void writeCsv(Path file, Options o) {
    StringBuilder sb = new StringBuilder("test,contestant,transport,payload_bytes,round,metric,value\n");
    String transport = o.transport().name().toLowerCase(Locale.ROOT);
    values.forEach((k, list) -> {
      String prefix = k.test() + "," + k.contestant().name().toLowerCase(Locale.ROOT) + ","
          + transport + "," + o.payloadBytes() + ",";
      for (int i = 0; i < list.size(); i++) {
        sb.append(prefix).append(i + 1).append(',').append(k.metric()).append(',')
            .append(plain(list.get(i))).append('\n');
      }
      sb.append(prefix).append("median,").append(k.metric()).append(',')
          .append(plain(median(list))).append('\n');
      sb.append(prefix).append("min,").append(k.metric()).append(',')
          .append(plain(min(k.test(), k.contestant(), k.metric()))).append('\n');
      sb.append(prefix).append("max,").append(k.metric()).append(',')
          .append(plain(max(k.test(), k.contestant(), k.metric()))).append('\n');
    });
    try {
      Files.writeString(file, sb, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String plain(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** A text table: the first column left-aligned, the others right-aligned. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table row(String... cells) {
      rows.add(cells);
      return this;
    }

    @Override
    public String toString() {
      int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
      int[] width = new int[columns];
      for (String[] r : rows) {
        for (int c = 0; c < r.length; c++) {
          width[c] = Math.max(width[c], r[c].length());
        }
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < rows.size(); i++) {
        String[] r = rows.get(i);
        StringBuilder line = new StringBuilder("| ");
        for (int c = 0; c < columns; c++) {
          String cell = c < r.length ? r[c] : "";
          String pad = " ".repeat(width[c] - cell.length());
          line.append(c == 0 ? cell + pad : pad + cell).append(" | ");
        }
        sb.append(line.toString().stripTrailing()).append('\n');
        if (i == 0) {
          StringBuilder rule = new StringBuilder("|");
          for (int c = 0; c < columns; c++) {
            rule.append(c == 0 ? "-" : "").append("-".repeat(width[c] + (c == 0 ? 0 : 1)))
                .append(c == 0 ? "-|" : ":|");
          }
          sb.append(rule).append('\n');
        }
      }
      return sb.toString();
    }
  }
}
