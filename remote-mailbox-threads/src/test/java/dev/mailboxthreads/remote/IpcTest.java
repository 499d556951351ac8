package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket files of {@code ipc://} endpoints: there while published, gone after close; a stale
 * one (left by a process that died) is replaced; anything else at the path is left alone.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IpcTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** S_IFMT and S_IFSOCK of st_mode. */
  private static final int TYPE_MASK = 0170000;
  private static final int SOCKET_TYPE = 0140000;

  @TempDir Path dir;

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  @Test
  void publish_ipc_socketFileExistsWhilePublishedAndIsRemovedOnClose() throws Exception {
    Path sock = dir.resolve("live.sock");
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "ipc://" + sock);

      assertThat(isSocket(sock)).as("a socket file at " + sock).isTrue();

      pub.close();

      assertThat(sock).doesNotExist();
    }
  }

  @Test
  void contextClose_removesTheSocketFiles() throws Exception {
    Path a = dir.resolve("a.sock");
    Path b = dir.resolve("b.sock");
    RemoteContext ctx = RemoteContext.create();
    ctx.publish(Thread.currentThread(), "ipc://" + a);
    ctx.publish(Thread.currentThread(), "ipc://" + b);
    assertThat(isSocket(a)).isTrue();
    assertThat(isSocket(b)).isTrue();

    ctx.close();

    assertThat(a).doesNotExist();
    assertThat(b).doesNotExist();
  }

  @Test
  void publish_staleSocketFile_isRemovedAndThePublicationWorks() throws Exception {
    Path sock = dir.resolve("stale.sock");
    leaveStaleSocketFile(sock);
    assertThat(isSocket(sock)).as("precondition: a socket file nobody listens on").isTrue();

    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "ipc://" + sock);
      send(ctx.connect("ipc://" + sock), "after the stale file");

      assertThat(receive(WAIT)).isEqualTo("after the stale file");
      assertThat(pub.stats().received()).isEqualTo(1);
    }
    assertThat(sock).doesNotExist();
  }

  @Test
  void publish_regularFileAtThePath_refusedAndTheFileIsKept() throws Exception {
    Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
    String ipc = "ipc://" + file;

    try (RemoteContext ctx = RemoteContext.create()) {
      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("exists and is not a socket");
    }
    assertThat(file).hasContent("keep me");
  }

  @Test
  void publish_directoryAtThePath_refusedAndKept() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    String ipc = "ipc://" + sub;

    try (RemoteContext ctx = RemoteContext.create()) {
      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("exists and is not a socket");
    }
    assertThat(sub).isDirectory();
  }

  /**
   * A named pipe is not a socket. Connecting a Unix socket to it is refused (ECONNREFUSED), as
   * to a stale socket file, so a check by "is it some special file?" plus a probe mistakes it
   * for a stale socket and deletes it; as root the same goes for device files
   * ({@code ipc:///dev/null}).
   */
  @Test
  void publish_namedPipeAtThePath_refusedAndTheFifoIsKept() throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(mkfifo.exitValue()).isZero();
    String ipc = "ipc://" + fifo;

    try (RemoteContext ctx = RemoteContext.create()) {
      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("not a socket");
    } finally {
      assertThat(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS))
          .as("the named pipe must not be deleted").isTrue();
    }
  }

  @Test
  void publish_pathOfAnotherLivePublication_inUseAndTheOtherKeepsWorking() throws Exception {
    Path sock = dir.resolve("shared.sock");
    String ipc = "ipc://" + sock;
    try (RemoteContext ctx = RemoteContext.create(); RemoteContext other = RemoteContext.create()) {
      Publication first = ctx.publish(Thread.currentThread(), ipc);

      assertThatThrownBy(() -> other.publish(Thread.currentThread(), ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("in use");

      assertThat(isSocket(sock)).as("the live owner's file is not removed").isTrue();
      send(other.connect(ipc), "still the first one's");
      assertThat(receive(WAIT)).isEqualTo("still the first one's");
      BadInputTest.eventually().until(() -> first.stats().delivered() == 1);
    }
  }

  @Test
  void publish_pathOfAnOpenServerSocketChannel_inUseAndTheChannelKeepsItsFile()
      throws Exception {
    Path sock = dir.resolve("channel.sock");
    String ipc = "ipc://" + sock;
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        RemoteContext ctx = RemoteContext.create()) {
      server.bind(UnixDomainSocketAddress.of(sock));

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("in use");

      assertThat(isSocket(sock)).isTrue();
      assertThat(server.isOpen()).isTrue();
    }
  }

  /** Binds a Unix socket at {@code path} and closes it: the JDK leaves the file behind. */
  private static void leaveStaleSocketFile(Path path) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
    }
  }

  private static boolean isSocket(Path path) throws Exception {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return (mode & TYPE_MASK) == SOCKET_TYPE;
  }
}
