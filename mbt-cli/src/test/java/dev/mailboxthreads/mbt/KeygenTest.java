package dev.mailboxthreads.mbt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.CurveKeyPair;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mbt keygen}: the two certificates, the secret one owner-only, the public key on
 * stdout, and one-line errors with exit 2. In-process: it opens no socket.
 */
class KeygenTest {
  @TempDir Path dir;

  /** What one run printed and returned. */
  record Run(int exitCode, List<String> stdout, List<String> stderr) {}

  static Run keygen(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 1];
    all[0] = "keygen";
    System.arraycopy(args, 0, all, 1, args.length);
    int code = Mbt.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new Run(code, out.toString().lines().toList(), err.toString().lines().toList());
  }

  @Test
  void keygen_name_writesPublicAndOwnerOnlySecretCertificatePrintsPublicKey() throws Exception {
    Path name = dir.resolve("server.key");

    Run r = keygen(name.toString());

    assertThat(r.exitCode()).isZero();
    Path secret = dir.resolve("server.key_secret");
    CurveKeyPair pair = CurveKeyPair.load(secret);
    assertThat(r.stdout()).containsExactly(pair.publicKey());
    assertThat(r.stderr()).containsExactly(
        "wrote " + name + " (public certificate: give it to peers)",
        "wrote " + secret + " (secret certificate, rw-------: keep it to yourself)");
    assertThat(CurveKeyPair.readPublicKey(name)).isEqualTo(pair.publicKey());
    assertThat(Files.readString(name)).doesNotContain(pair.secretKey());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
        .isEqualTo("rw-------");
  }

  @Test
  void keygen_twice_differentKeys() {
    Run a = keygen(dir.resolve("a.key").toString());
    Run b = keygen(dir.resolve("b.key").toString());

    assertThat(a.stdout().get(0)).hasSize(40).isNotEqualTo(b.stdout().get(0));
  }

  @Test
  void keygen_existingFile_exits2AndOverwritesNothing() throws Exception {
    Path name = dir.resolve("client.key");
    keygen(name.toString());
    String before = Files.readString(dir.resolve("client.key_secret"));

    Run r = keygen(name.toString());

    assertThat(r.exitCode()).isEqualTo(Exit.USAGE);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).containsExactly("mbt keygen: " + name + " exists already; keygen"
        + " never overwrites a key file: remove it (and its pair) or choose another NAME");
    assertThat(Files.readString(dir.resolve("client.key_secret"))).isEqualTo(before);
  }

  @Test
  void keygen_noSuchDirectory_exits2() {
    Path name = dir.resolve("missing").resolve("x.key");

    Run r = keygen(name.toString());

    assertThat(r.exitCode()).isEqualTo(Exit.USAGE);
    assertThat(r.stderr()).containsExactly("mbt keygen: no such directory: "
        + dir.resolve("missing") + "; create it first, or choose another NAME");
    assertThat(dir.resolve("missing")).doesNotExist();
  }

  @Test
  void keygen_noName_exits2WithUsageLine() {
    Run r = keygen();

    assertThat(r.exitCode()).isEqualTo(Exit.USAGE);
    assertThat(r.stderr()).singleElement().asString()
        .startsWith("mbt keygen: Missing required parameter: 'NAME'");
  }

  @Test
  void help_printsUsageAndExitCodes() {
    Run r = keygen("--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stderr()).isEmpty();
    assertThat(String.join("\n", r.stdout())).startsWith("Usage: mbt keygen")
        .contains("Exit codes:", "NAME_secret");
  }
}
