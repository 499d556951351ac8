package dev.mailboxthreads.remote;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures every record of the library's logger ({@code dev.mailboxthreads.remote}, through
 * System.Logger's default java.util.logging backend), at every level, from construction until
 * {@link #close()}, which restores the logger's level.
 */
final class LogCapture extends Handler {
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  /** Held here: java.util.logging keeps loggers only weakly. */
  private final Logger logger = Logger.getLogger("dev.mailboxthreads.remote");
  private final Level previousLevel;

  LogCapture() {
    previousLevel = logger.getLevel();
    setLevel(Level.ALL);
    logger.setLevel(Level.ALL);
    logger.addHandler(this);
  }

  /** The records captured so far, in order. */
  List<LogRecord> records() {
    return records;
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(previousLevel);
  }
}
