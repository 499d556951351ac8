import static dev.mailboxthreads.MailboxThreads.*;

import dev.mailboxthreads.Address;
import java.time.Duration;

/** The README's quick start: run it with ./build example. */
public class Quickstart {
  record Ping(Address from, String text) {}

  public static void main(String[] args) {
    Thread echo = start("echo", () -> {
      while (true) {
        Ping ping = receive(Ping.class);          // selective receive by type
        ping.from().send("echo: " + ping.text()); // answer whoever asked
      }
    });
    send(echo, new Ping(self(), "hello"));         // main has a mailbox too
    System.out.println(receive(Duration.ofSeconds(1)));
  }
}
