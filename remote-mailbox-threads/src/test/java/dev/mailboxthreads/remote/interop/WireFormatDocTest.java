package dev.mailboxthreads.remote.interop;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.interop.InteropSupport.WAIT;
import static dev.mailboxthreads.remote.interop.InteropSupport.assertDecoded;
import static dev.mailboxthreads.remote.interop.InteropSupport.listOf;
import static dev.mailboxthreads.remote.interop.InteropSupport.mapOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python producer and consumer printed in docs/wire-format.md, run exactly as printed: each
 * is the code block after its {@code <!-- WireFormatDocTest: NAME -->} marker, written to a file
 * and run by {@code /usr/bin/python3} against this JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireFormatDocTest {
  /** The module directory is surefire's working directory. */
  private static final Path DOC = Path.of("../docs/wire-format.md");
  private static final int MAX_LINES = 25;

  record Order(String item, int qty) {}

  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    InteropSupport.requirePython();
    InteropSupport.drainMailbox();
  }

  /** The code block that follows the marker for {@code name}, as printed. */
  static String printedProgram(String name) throws IOException {
    String doc = Files.readString(DOC);
    String marker = "<!-- WireFormatDocTest: " + name + " -->\n```python\n";
    int start = doc.indexOf(marker);
    assertThat(start).as("marker for %s in %s", name, DOC.toAbsolutePath()).isNotNegative();
    start += marker.length();
    int end = doc.indexOf("```\n", start);
    assertThat(end).as("end of the %s block", name).isPositive();
    return doc.substring(start, end);
  }

  private Path write(String name) throws IOException {
    String program = printedProgram(name);
    assertThat(program.lines().count()).as("%s stays short", name).isLessThan(MAX_LINES);
    return Files.writeString(dir.resolve(name), program);
  }

  @Test
  void printedProducer_sendsToAJavaPublication_asDocumented() throws Exception {
    Path producer = write("producer.py");
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(),
          PublishOptions.defaults().withCodec(MsgpackCodec.defaults()), "tcp://127.0.0.1:*");

      try (ChildJvm python = InteropSupport.python("producer", producer, pub.endpoints().get(0))) {
        assertThat(python.awaitExit(WAIT)).as("exit status; %s", python.describe()).isZero();
      }

      assertDecoded(receive(WAIT), "carrot");
      assertDecoded(receive(WAIT), mapOf("item", "egg", "qty", 2L));
      assertDecoded(receive(WAIT), listOf(1L, 2.5d, null, new byte[] {0}));
    }
  }

  @Test
  void printedConsumer_receivesFromAJavaConnect_asDocumented() throws Exception {
    Path consumer = write("consumer.py");
    try (ChildJvm python = InteropSupport.python("consumer", consumer, "tcp://127.0.0.1:*");
        RemoteContext ctx = RemoteContext.create()) {
      String waiting = python.awaitLine(l -> l.startsWith("waiting for things to consume on "),
          WAIT);
      String endpoint = waiting.substring("waiting for things to consume on ".length());
      RemoteThread peer = ctx.connect(
          ConnectOptions.defaults().withCodec(MsgpackCodec.defaults()), endpoint);

      send(peer, "carrot");
      send(peer, new Order("egg", 2));

      assertThat(python.awaitLines(l -> l.startsWith("nom nom nom:"), 2, WAIT))
          .containsExactly("nom nom nom: carrot", "nom nom nom: {'item': 'egg', 'qty': 2}");
    }
  }
}
