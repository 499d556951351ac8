package dev.mailboxthreads.mbt;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.TypeConversionException;

/** Parses durations as people type them: {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1.5s}. */
final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

  private Durations() {}

  /**
   * Parses {@code text}: a number with a unit ({@code ms}, {@code s}, {@code m}, {@code h}; no
   * unit means seconds) or an ISO-8601 duration such as {@code PT10S}.
   *
   * @throws TypeConversionException naming the text and the accepted forms (picocli turns it
   *     into a usage error)
   */
  static Duration parse(String text) {
    Matcher m = SIMPLE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      double value = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      double millis = value * switch (unit) {
        case "ms" -> 1;
        case "s" -> 1_000;
        case "m" -> 60_000;
        default -> 3_600_000;
      };
      if (millis > 1e12) { // 31 years
        throw new TypeConversionException("duration too long: '" + text + "'");
      }
      return Duration.ofNanos(Math.round(millis * 1_000_000));
    }
    try {
      Duration d = Duration.parse(text);
      if (d.isNegative()) {
        throw new TypeConversionException("negative duration: '" + text + "'");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new TypeConversionException("'" + text + "' is not a duration; write e.g. 10s,"
          + " 500ms or 2m");
    }
  }

  /** For messages: {@code 10s}, {@code 500ms}, {@code 1.5s}. */
  static String format(Duration d) {
    long millis = d.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }
}
