package dev.mailboxthreads.remote.interop;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.interop.InteropSupport.WAIT;
import static dev.mailboxthreads.remote.interop.InteropSupport.awaitReady;
import static dev.mailboxthreads.remote.interop.InteropSupport.isSocket;
import static dev.mailboxthreads.remote.interop.InteropSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteMailboxException;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.process.ChildJvm;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ipc://} between JeroMQ and the C libzmq (through pyzmq): both bind and connect real Unix
 * domain socket files, so each side reaches the other; our socket file goes away on close; a path
 * on which a libzmq socket listens is refused with a clear error and left alone; a file left by a
 * libzmq process that was killed is replaced.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IpcInteropTest {
  private static final PublishOptions PUBLISH =
      PublishOptions.defaults().withCodec(MsgpackCodec.defaults());
  private static final ConnectOptions CONNECT =
      ConnectOptions.defaults().withCodec(MsgpackCodec.defaults());

  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    InteropSupport.requirePython();
    InteropSupport.drainMailbox();
  }

  @Test
  void javaPublicationOnIpc_pyzmqConnectsAndSends_socketFileRemovedOnClose() throws Exception {
    Path sock = dir.resolve("java.sock");
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), PUBLISH, "ipc://" + sock);
      assertThat(isSocket(sock)).as("a Unix socket file at " + sock).isTrue();

      try (ChildJvm python = peer("send", "ipc://" + sock, "carrot", "egg")) {
        assertThat(receive(WAIT)).isEqualTo("carrot");
        assertThat(receive(WAIT)).isEqualTo("egg");
        assertThat(python.awaitExit(WAIT)).isZero();
      }

      pub.close();
      assertThat(sock).as("removed on close").doesNotExist();
    }
  }

  @Test
  void javaConnect_toIpcBoundByPyzmq_delivers() throws Exception {
    Path sock = dir.resolve("py.sock");
    try (ChildJvm python = peer("hold", "ipc://" + sock);
        RemoteContext ctx = RemoteContext.create()) {
      assertThat(awaitReady(python)).isEqualTo("ipc://" + sock);
      assertThat(isSocket(sock)).as("libzmq's socket file").isTrue();
      RemoteThread remote = ctx.connect(CONNECT, "ipc://" + sock);

      send(remote, "to python");

      assertThat(python.awaitLine(l -> l.startsWith("GOT "), WAIT)).isEqualTo("GOT to python");
    }
  }

  /** A Java connect made before pyzmq binds: JeroMQ retries, and what was sent waits for it. */
  @Test
  void javaConnect_beforePyzmqBinds_deliveredOnceItIsThere() throws Exception {
    Path sock = dir.resolve("later.sock");
    try (RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect(CONNECT, "ipc://" + sock);
      send(remote, "sent early");

      try (ChildJvm python = peer("hold", "ipc://" + sock)) {
        awaitReady(python);
        assertThat(python.awaitLine(l -> l.startsWith("GOT "), WAIT))
            .isEqualTo("GOT sent early");
      }
    }
  }

  @Test
  void publish_onPathWherePyzmqListens_inUseError_andPyzmqKeepsItsSocket() throws Exception {
    Path sock = dir.resolve("taken.sock");
    String ipc = "ipc://" + sock;
    try (ChildJvm python = peer("hold", ipc); RemoteContext ctx = RemoteContext.create()) {
      awaitReady(python);

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), PUBLISH, ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("in use: a live process listens on this socket");

      assertThat(isSocket(sock)).as("python's socket file is left alone").isTrue();
      send(ctx.connect(CONNECT, ipc), "still python's");
      assertThat(python.awaitLine(l -> l.startsWith("GOT "), WAIT))
          .isEqualTo("GOT still python's");
    }
  }

  /**
   * A libzmq process killed with SIGKILL leaves its socket file; nobody listens on it any more,
   * so publish removes it, binds, and a new pyzmq peer reaches the Java thread there.
   */
  @Test
  void publish_onFileLeftByKilledPyzmq_replacesIt_andPyzmqPeersReachJava() throws Exception {
    Path sock = dir.resolve("stale.sock");
    String ipc = "ipc://" + sock;
    try (ChildJvm python = peer("hold", ipc)) {
      awaitReady(python);
      python.kill();
    }
    assertThat(isSocket(sock)).as("precondition: the killed process left its file").isTrue();

    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), PUBLISH, ipc);
      try (ChildJvm python = peer("send", ipc, "after the stale file")) {
        assertThat(receive(WAIT)).isEqualTo("after the stale file");
        assertThat(python.awaitExit(WAIT)).isZero();
      }
      pub.close();
      assertThat(sock).doesNotExist();
    }
  }
}
