package dev.mailboxthreads.mbt;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * Standard output and error as auto-flushing writers in the console's encoding (the launcher
 * makes it UTF-8): every line is out as soon as it is printed, so a consumer's lines reach a
 * pipe at once.
 */
final class Console {
  private Console() {}

  static PrintWriter out() {
    return writer(FileDescriptor.out, System.out.charset());
  }

  static PrintWriter err() {
    return writer(FileDescriptor.err, System.err.charset());
  }

  private static PrintWriter writer(FileDescriptor fd, Charset charset) {
    return new PrintWriter(new OutputStreamWriter(new FileOutputStream(fd), charset), true);
  }
}
