package dev.mailboxthreads.benchmarks.suite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One table of the suite: rows (a benchmark and its settings) by peers, each cell the median of
 * the measurements in this run, and the ratio of each cell to the best cell of its row.
 *
 * <p><b>Thread safety:</b> confined to the suite's thread.
 */
public final class Table {
  /** The file-name part of the table's chart, e.g. {@code local}. */
  final String id;
  /** The table's title. */
  final String title;
  /** The unit of the cells, e.g. {@code messages/s}. */
  final String unit;
  /** Whether a higher value is better (throughput) or a lower (time, bytes). */
  final boolean higherIsBetter;
  /** The peers, in column order; the first is ours. */
  final List<String> peers;
  /** Whether the first peer is ours, and the table ends with ours / best other. */
  final boolean oursFirst;
  /** Rows in order: label, then per peer its values (one per fork, round, ...). */
  final Map<String, Map<String, List<Double>>> rows = new LinkedHashMap<>();

  /**
   * A new empty table.
   *
   * @param id chart file name part
   * @param title title
   * @param unit unit of the cells
   * @param higherIsBetter whether higher is better
   * @param peers the columns; the first is ours
   */
  public Table(String id, String title, String unit, boolean higherIsBetter, List<String> peers) {
    this(id, title, unit, higherIsBetter, peers, true);
  }

  /**
   * A new empty table.
   *
   * @param id chart file name part
   * @param title title
   * @param unit unit of the cells
   * @param higherIsBetter whether higher is better
   * @param peers the columns
   * @param oursFirst whether the first column is ours, compared to the best of the others in
   *     a last column
   */
  public Table(String id, String title, String unit, boolean higherIsBetter, List<String> peers,
      boolean oursFirst) {
    this.oursFirst = oursFirst;
    this.id = id;
    this.title = title;
    this.unit = unit;
    this.higherIsBetter = higherIsBetter;
    this.peers = List.copyOf(peers);
  }

  /**
   * Adds a measurement.
   *
   * @param row the row's label
   * @param peer one of {@link #peers}
   * @param value the measurement
   * @return this table
   */
  public Table add(String row, String peer, double value) {
    if (!peers.contains(peer)) {
      throw new IllegalArgumentException("no peer " + peer + " in " + peers);
    }
    rows.computeIfAbsent(row, r -> new LinkedHashMap<>())
        .computeIfAbsent(peer, p -> new ArrayList<>()).add(value);
    return this;
  }

  /**
   * The median of a cell, NaN if it has no value.
   *
   * @param row the row
   * @param peer the peer
   * @return the median
   */
  public double median(String row, String peer) {
    List<Double> v = rows.getOrDefault(row, Map.of()).getOrDefault(peer, List.of());
    if (v.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(v);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /**
   * The best median of a row (highest or lowest), NaN if the row is empty.
   *
   * @param row the row
   * @return the best median
   */
  public double best(String row) {
    double best = Double.NaN;
    for (String p : peers) {
      double m = median(row, p);
      if (!Double.isNaN(m) && (Double.isNaN(best) || (higherIsBetter ? m > best : m < best))) {
        best = m;
      }
    }
    return best;
  }

  /**
   * A cell's median divided by the best of its row: 1 for the best; below 1 for a worse
   * throughput, above 1 for a worse time or size.
   *
   * @param row the row
   * @param peer the peer
   * @return the ratio, NaN for an empty cell
   */
  public double ratioToBest(String row, String peer) {
    return median(row, peer) / best(row);
  }

  /**
   * The labels of the rows.
   *
   * @return the rows, in order
   */
  public List<String> rowLabels() {
    return List.copyOf(rows.keySet());
  }

  /**
   * The table in Markdown: one column per peer ({@code median (ratio to the row's best)}, the
   * best in bold), then ours divided by the best other peer (not a variant of ours: {@link
   * #isOurs}).
   *
   * @return the Markdown text, ending with a newline
   */
  public String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| ").append(title).append(" (").append(unit).append(", ")
        .append(higherIsBetter ? "higher" : "lower").append(" is better) |");
    for (String p : peers) {
      sb.append(' ').append(p).append(" |");
    }
    sb.append(oursFirst ? " ours / best other |\n|---|" : "\n|---|");
    sb.append("---:|".repeat(peers.size() + (oursFirst ? 1 : 0))).append('\n');
    String ours = peers.get(0);
    for (String row : rows.keySet()) {
      sb.append("| ").append(row).append(" |");
      double bestOther = Double.NaN;
      for (String p : peers) {
        double m = median(row, p);
        if (Double.isNaN(m)) {
          sb.append(" - |");
          continue;
        }
        String cell = format(m) + " (" + String.format(Locale.ROOT, "%.2f", ratioToBest(row, p))
            + ")";
        sb.append(' ').append(m == best(row) ? "**" + cell + "**" : cell).append(" |");
        if (!isOurs(p, ours) && (Double.isNaN(bestOther)
            || (higherIsBetter ? m > bestOther : m < bestOther))) {
          bestOther = m;
        }
      }
      double o = median(row, ours);
      if (oursFirst) {
        sb.append(Double.isNaN(o) || Double.isNaN(bestOther) ? " - |"
            : String.format(Locale.ROOT, " %.2f |", o / bestOther));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * Whether a column is ours or a variant of ours ("ours msgpack", "ours, tuned JVM"), which
   * the last column does not count as another peer.
   */
  static boolean isOurs(String peer, String ours) {
    return peer.equals(ours) || peer.startsWith(ours + " ") || peer.startsWith(ours + ",");
  }

  /**
   * Every value as CSV rows {@code table,row,peer,index,value}.
   *
   * @return the rows, each ending with a newline
   */
  public String csv() {
    StringBuilder sb = new StringBuilder();
    rows.forEach((row, cells) -> cells.forEach((peer, values) -> {
      for (int i = 0; i < values.size(); i++) {
        sb.append(csvField(id)).append(',').append(csvField(row)).append(',')
            .append(csvField(peer)).append(',').append(i + 1).append(',')
            .append(values.get(i)).append('\n');
      }
    }));
    return sb.toString();
  }

  private static String csvField(String s) {
    return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  /**
   * A number with 3 significant figures and a k / M / G suffix.
   *
   * @param v the number
   * @return its text
   */
  static String format(double v) {
    double a = Math.abs(v);
    if (a >= 1e9) {
      return String.format(Locale.ROOT, "%.3g G", v / 1e9);
    }
    if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.3g M", v / 1e6);
    }
    if (a >= 1e4) {
      return String.format(Locale.ROOT, "%.3g k", v / 1e3);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }
}
