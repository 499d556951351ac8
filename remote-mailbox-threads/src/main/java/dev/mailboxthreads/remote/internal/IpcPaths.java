package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.remote.RemoteMailboxException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Checks an {@code ipc://} path before it is bound. JeroMQ reports every failed ipc bind as
 * "address in use", whatever the cause, and a process that dies leaves its socket file behind,
 * which blocks the next bind. So: name the real cause, and remove a socket file that no live
 * process listens on.
 */
final class IpcPaths {
  /**
   * sun_path holds 108 bytes on Linux, and the JDK keeps two of them back
   * (MAX_UNIX_DOMAIN_PATH_LEN): a 107-byte path fails with "Unix domain path too long".
   */
  static final int MAX_PATH_BYTES = 106;

  private IpcPaths() {}

  /**
   * Prepares {@code endpoint} ({@code ipc://PATH}) for binding.
   *
   * @return true if a stale socket file was removed
   * @throws RemoteMailboxException naming the cause if it cannot be bound
   */
  static boolean prepareBind(String endpoint) {
    String name = endpoint.substring("ipc://".length());
    if (name.equals("*")) {
      return false; // JeroMQ picks a fresh temporary path
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw fail(endpoint, "the path is longer than " + MAX_PATH_BYTES
          + " bytes, the limit of a Unix socket address; use a shorter path");
    }
    Path path;
    try {
      path = Path.of(name);
    } catch (InvalidPathException e) {
      throw fail(endpoint, "the path is invalid: " + e.getMessage());
    }
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw fail(endpoint, "the directory " + parent + " does not exist; create it first");
    }
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return false; // nothing there
    }
    if (!attributes.isOther() || !isSocket(path)) {
      throw fail(endpoint, "the path exists and is not a socket; remove it or choose another");
    }
    if (isLive(path)) {
      throw fail(endpoint, "the address is in use: a live process listens on this socket;"
          + " choose another path, or stop that process");
    }
    try {
      Files.deleteIfExists(path); // a socket file left by a process that died
    } catch (IOException e) {
      throw fail(endpoint, "a stale socket file is there and cannot be removed: " + e);
    }
    return true;
  }

  /** True if {@code path} is a socket (S_IFSOCK), not a named pipe or device. */
  private static boolean isSocket(Path path) {
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return (mode & 0170000) == 0140000;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false; // cannot tell: do not remove it
    }
  }

  private static boolean isLive(Path path) {
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(path));
      return true;
    } catch (ConnectException e) {
      return false; // refused: nobody listens
    } catch (IOException e) {
      return true; // cannot tell: do not remove someone else's file
    }
  }

  private static RemoteMailboxException fail(String endpoint, String why) {
    return new RemoteMailboxException("cannot publish on '" + endpoint + "': " + why, null);
  }
}
