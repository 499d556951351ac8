package dev.mailboxthreads.remote.interop;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.interop.InteropSupport.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.CurveClient;
import dev.mailboxthreads.remote.CurveKeyPair;
import dev.mailboxthreads.remote.CurveServer;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.process.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CURVE between JeroMQ and the C libzmq (pyzmq), with keys in certificate files written by
 * {@link CurveKeyPair#save} (what {@code mbt keygen} writes) and read on the Python side by
 * pyzmq's {@code zmq.auth.load_certificate} and libzmq's own authenticator
 * ({@code zmq.auth.thread.ThreadAuthenticator}, which reads a directory of public
 * certificates). Both directions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CurveInteropTest {
  private static final String SCRIPT = """
      import sys, threading, os
      import msgpack, zmq, zmq.auth
      from zmq.auth.thread import ThreadAuthenticator

      HEADER = bytes([0x6D, 0x62, 0x01, 0x02, 0x00])  # docs/wire-format.md, codec 2

      def watch():
          while os.read(0, 1024):
              pass
          os._exit(3)
      threading.Thread(target=watch, daemon=True).start()

      mode, endpoint, secret_file, other_file = sys.argv[1:5]
      ctx = zmq.Context()
      public, secret = zmq.auth.load_certificate(secret_file)
      if mode == "push":  # other_file: the Java publication's public certificate
          server_public, _ = zmq.auth.load_certificate(other_file)
          s = ctx.socket(zmq.PUSH)
          s.curve_publickey, s.curve_secretkey, s.curve_serverkey = public, secret, server_public
          s.linger = 10000
          s.connect(endpoint)
          s.send(HEADER + msgpack.packb("hello over CURVE from libzmq"))
          s.close()
          print("SENT", flush=True)
      else:  # pull; other_file: a directory of allowed public certificates
          auth = ThreadAuthenticator(ctx)
          auth.start()
          auth.configure_curve(domain="*", location=other_file)
          s = ctx.socket(zmq.PULL)
          s.curve_server = True
          s.curve_publickey, s.curve_secretkey = public, secret
          port = s.bind_to_random_port("tcp://127.0.0.1")
          print("READY tcp://127.0.0.1:%d" % port, flush=True)
          s.rcvtimeo = 30000
          frame = s.recv()
          print("GOT", msgpack.unpackb(frame[5:]), flush=True)
          s.close()
          auth.stop()
      ctx.term()
      """;

  @TempDir Path dir;

  @BeforeEach
  void setUp() throws Exception {
    InteropSupport.requirePython();
    InteropSupport.drainMailbox();
    Files.writeString(dir.resolve("curve_peer.py"), SCRIPT);
  }

  @Test
  void pyzmqClientWithKeysFromOurFiles_javaCurvePublication_delivered() throws Exception {
    CurveKeyPair server = CurveKeyPair.generate();
    CurveKeyPair client = CurveKeyPair.generate();
    server.save(dir.resolve("server.key"));
    Path clientSecret = client.save(dir.resolve("client.key"));
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), PublishOptions.defaults()
          .withCodec(MsgpackCodec.defaults())
          .withCurve(CurveServer.allowingKeysIn(server, dir.resolve("client.key"))),
          "tcp://127.0.0.1:*");
      try (ChildJvm python = InteropSupport.python("curve-push", dir.resolve("curve_peer.py"),
          "push", pub.endpoints().get(0), clientSecret.toString(),
          dir.resolve("server.key").toString())) {
        assertThat(receive(WAIT)).isEqualTo("hello over CURVE from libzmq");
        python.awaitLine(l -> l.equals("SENT"), WAIT);
      }
      assertThat(pub.stats().refusedClients()).isZero();
    }
  }

  @Test
  void javaCurveClient_pyzmqCurveServerAllowingOurPublicCertificate_delivered()
      throws Exception {
    CurveKeyPair server = CurveKeyPair.generate();
    CurveKeyPair client = CurveKeyPair.generate();
    Path serverSecret = server.save(dir.resolve("server.key"));
    Path allowed = Files.createDirectory(dir.resolve("allowed"));
    client.save(allowed.resolve("client.key"));
    Files.move(allowed.resolve("client.key_secret"), dir.resolve("client.key_secret"));
    try (ChildJvm python = InteropSupport.python("curve-pull", dir.resolve("curve_peer.py"),
            "pull", "-", serverSecret.toString(), allowed.toString());
        RemoteContext ctx = RemoteContext.create()) {
      String endpoint = InteropSupport.awaitReady(python);
      send(ctx.connect(ConnectOptions.defaults().withCodec(MsgpackCodec.defaults())
          .withCurve(new CurveClient(CurveKeyPair.load(dir.resolve("client.key_secret")),
              CurveKeyPair.readPublicKey(dir.resolve("server.key")))), endpoint),
          "hello over CURVE from JeroMQ");

      assertThat(python.awaitLine(l -> l.startsWith("GOT "), WAIT))
          .isEqualTo("GOT hello over CURVE from JeroMQ");
    }
  }
}
