package dev.mailboxthreads.benchmarks.suite;

import java.util.List;
import java.util.Locale;

/**
 * A {@link Table} as an SVG chart: one group of horizontal bars per row, one bar per peer,
 * each bar scaled to the largest median of its row (rows differ by orders of magnitude), and
 * labelled with its median and its ratio to the row's best. Hand-written SVG, no dependency;
 * every text escaped for XML.
 */
final class SuiteChart {
  private static final int WIDTH = 900;
  private static final int LABEL_X = 20;
  private static final int BAR_X = 200;
  private static final int BAR_MAX = 500;
  private static final int BAR_HEIGHT = 16;
  private static final int BAR_GAP = 4;
  private static final List<String> COLOURS =
      List.of("#2b6cb0", "#a0aec0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c");

  private SuiteChart() {}

  /**
   * Renders {@code table}.
   *
   * @param table the table
   * @param subtitle a line under the title (date, host, load)
   * @return the SVG document
   */
  static String render(Table table, String subtitle) {
    List<String> rows = table.rowLabels();
    int group = table.peers.size() * (BAR_HEIGHT + BAR_GAP) + 28;
    int height = 90 + rows.size() * group + 20 + 20 * ((table.peers.size() + 3) / 4);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        WIDTH, height, WIDTH, height));
    sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n",
        WIDTH, height));
    text(sb, LABEL_X, 28, "font-size=\"16\" font-weight=\"bold\"",
        table.title + " (" + table.unit + ", " + (table.higherIsBetter ? "higher" : "lower")
            + " is better)");
    text(sb, LABEL_X, 48, "fill=\"#4a5568\"", subtitle);
    text(sb, LABEL_X, 66, "fill=\"#4a5568\"", "each bar: median of the run; in parentheses its"
        + " ratio to the best of its row; bars scaled per row");
    int y = 90;
    for (String row : rows) {
      text(sb, LABEL_X, y + 12, "font-weight=\"bold\"", row);
      double max = 0;
      for (String p : table.peers) {
        double m = table.median(row, p);
        if (!Double.isNaN(m)) {
          max = Math.max(max, m);
        }
      }
      int barY = y + 20;
      for (int i = 0; i < table.peers.size(); i++) {
        String p = table.peers.get(i);
        double m = table.median(row, p);
        text(sb, LABEL_X + 10, barY + 12, "", p);
        if (Double.isNaN(m)) {
          text(sb, BAR_X, barY + 12, "fill=\"#718096\"", "not run");
        } else {
          double length = max > 0 ? Math.max(1, BAR_MAX * m / max) : 1;
          sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\""
              + " height=\"%d\" fill=\"%s\"/>%n", BAR_X, barY, length, BAR_HEIGHT,
              COLOURS.get(i % COLOURS.size())));
          boolean best = m == table.best(row);
          text(sb, BAR_X + length + 6, barY + 12, best ? "font-weight=\"bold\"" : "",
              Table.format(m) + " (" + String.format(Locale.ROOT, "%.2f",
                  table.ratioToBest(row, p)) + ")");
        }
        barY += BAR_HEIGHT + BAR_GAP;
      }
      y += group;
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static void text(StringBuilder sb, double x, double y, String attributes, String s) {
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>%n", x, y,
        attributes, escape(s)));
  }

  /**
   * {@code s} with the XML special characters escaped.
   *
   * @param s any text
   * @return the escaped text
   */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
