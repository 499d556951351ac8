package dev.mailboxthreads.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZCert;
import org.zeromq.ZMQ;

/** Keys in Z85 text, and the certificate files that hold them. */
class CurveKeyPairTest {
  @TempDir Path dir;

  @Test
  void generate_twoPairs_differAndEachIsConsistent() {
    CurveKeyPair a = CurveKeyPair.generate();
    CurveKeyPair b = CurveKeyPair.generate();

    assertThat(a.publicKey()).hasSize(40).isNotEqualTo(b.publicKey());
    assertThat(a.secretKey()).hasSize(40).isNotEqualTo(a.publicKey());
    assertThat(CurveKeyPair.of(a.publicKey(), a.secretKey())).isEqualTo(a);
  }

  /** The libzmq test vector (zmq_curve_keypair's man page, the "Ironhouse" example keys). */
  @Test
  void of_libzmqTestVector_accepted() {
    String publicKey = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
    String secretKey = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

    assertThat(CurveKeyPair.of(publicKey, secretKey).publicKey()).isEqualTo(publicKey);
  }

  @Test
  void of_secretKeyOfAnotherPair_refusedNamingThePublicKeyOnly() {
    CurveKeyPair a = CurveKeyPair.generate();
    CurveKeyPair b = CurveKeyPair.generate();

    assertThatThrownBy(() -> CurveKeyPair.of(a.publicKey(), b.secretKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to the public key " + a.publicKey())
        .hasMessageNotContaining(b.secretKey());
  }

  @Test
  void of_malformedKeys_refusedWithWhatIsWrong() {
    String secret = CurveKeyPair.generate().secretKey();
    assertThatThrownBy(() -> CurveKeyPair.of("short", secret))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 5 characters");
    assertThatThrownBy(() -> CurveKeyPair.of("~".repeat(40), secret))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not Z85 at index 0");
    assertThatThrownBy(() -> CurveKeyPair.of("#".repeat(40), secret)) // 84 * 85^4... > 2^32
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than 32 bits");
    String badSecret = "~" + secret.substring(1);
    assertThatThrownBy(() -> CurveKeyPair.of(CurveKeyPair.generate().publicKey(), badSecret))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secretKey (not shown)")
        .hasMessageNotContaining(badSecret);
  }

  @Test
  void toString_showsThePublicKeyOnly() {
    CurveKeyPair pair = CurveKeyPair.generate();

    assertThat(pair.toString()).contains(pair.publicKey()).doesNotContain(pair.secretKey());
  }

  @Test
  void save_writesPublicAndOwnerOnlySecretCertificate_loadReadsThemBack() throws Exception {
    CurveKeyPair pair = CurveKeyPair.generate();

    Path secret = pair.save(dir.resolve("alice.key"));

    assertThat(secret).isEqualTo(dir.resolve("alice.key_secret"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(dir.resolve("alice.key")))
        .contains("public-key = \"" + pair.publicKey() + "\"")
        .doesNotContain(pair.secretKey()).doesNotContain("secret-key");
    assertThat(Files.readString(secret))
        .contains("secret-key = \"" + pair.secretKey() + "\"");
    assertThat(CurveKeyPair.load(secret)).isEqualTo(pair);
    assertThat(CurveKeyPair.readPublicKey(dir.resolve("alice.key"))).isEqualTo(pair.publicKey());
    assertThat(CurveKeyPair.readPublicKey(secret)).isEqualTo(pair.publicKey());
  }

  @Test
  void save_existingFile_refusedAndNothingOverwritten() throws Exception {
    CurveKeyPair first = CurveKeyPair.generate();
    first.save(dir.resolve("k"));
    String before = Files.readString(dir.resolve("k_secret"));

    assertThatThrownBy(() -> CurveKeyPair.generate().save(dir.resolve("k")))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("k");
    Files.delete(dir.resolve("k")); // only the secret one left: still refused
    assertThatThrownBy(() -> CurveKeyPair.generate().save(dir.resolve("k")))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("k_secret");

    assertThat(Files.readString(dir.resolve("k_secret"))).isEqualTo(before);
    assertThat(dir.resolve("k")).doesNotExist();
  }

  /** Files written by JeroMQ's own ZCert (the CZMQ format) load, and ours load in ZCert's reader. */
  @Test
  void certificatesOfJeromqZcert_loadBothWays() throws Exception {
    ZMQ.Curve.KeyPair raw = ZMQ.Curve.generateKeyPair();
    ZCert cert = new ZCert(raw.publicKey, raw.secretKey);
    cert.savePublic(dir.resolve("z.key").toString());
    cert.saveSecret(dir.resolve("z.key_secret").toString());

    assertThat(CurveKeyPair.load(dir.resolve("z.key_secret")))
        .isEqualTo(CurveKeyPair.of(raw.publicKey, raw.secretKey));
    assertThat(CurveKeyPair.readPublicKey(dir.resolve("z.key"))).isEqualTo(raw.publicKey);

    CurveKeyPair ours = CurveKeyPair.generate();
    ours.save(dir.resolve("ours.key"));
    assertThat(org.zeromq.ZConfig.load(dir.resolve("ours.key_secret").toString())
        .getValue("curve/secret-key")).isEqualTo(ours.secretKey());
  }

  @Test
  void load_publicCertificate_refusedAskingForTheSecretOne() throws Exception {
    CurveKeyPair.generate().save(dir.resolve("bob.key"));

    assertThatThrownBy(() -> CurveKeyPair.load(dir.resolve("bob.key")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bob.key")
        .hasMessageContaining("public certificate");
  }

  @Test
  void load_missingOrMalformedFiles_refusedNamingTheFile() throws Exception {
    assertThatThrownBy(() -> CurveKeyPair.load(dir.resolve("none")))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("none");
    Files.writeString(dir.resolve("text"), "just some text\n");
    assertThatThrownBy(() -> CurveKeyPair.readPublicKey(dir.resolve("text")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text");
    Files.writeString(dir.resolve("short"), "curve\n    public-key = \"abc\"\n");
    assertThatThrownBy(() -> CurveKeyPair.readPublicKey(dir.resolve("short")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("short").hasMessageContaining("has 3 characters");
  }

  @Test
  void readPublicKeys_directory_everyCertificateInNameOrder() throws Exception {
    CurveKeyPair a = CurveKeyPair.generate();
    CurveKeyPair b = CurveKeyPair.generate();
    a.save(dir.resolve("a.key"));
    b.save(dir.resolve("b.key"));

    Set<String> keys = CurveKeyPair.readPublicKeys(dir);

    assertThat(keys).containsExactly(a.publicKey(), b.publicKey());
    assertThat(CurveKeyPair.readPublicKeys(dir.resolve("b.key"))).containsExactly(b.publicKey());
    Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
    assertThatThrownBy(() -> CurveKeyPair.readPublicKeys(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("notes.txt");
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertThatThrownBy(() -> CurveKeyPair.readPublicKeys(empty))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no certificate");
  }

  @Test
  void curveServer_noKeysWithoutAnyClient_refused() {
    CurveKeyPair server = CurveKeyPair.generate();
    assertThatThrownBy(() -> CurveServer.allowing(server, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowingAnyClient");
    assertThatThrownBy(() -> new CurveServer(server, Set.of(server.publicKey()), true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> CurveServer.allowing(server, List.of("bad")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed client key");
    assertThatThrownBy(() -> new CurveClient(server, "bad"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serverPublicKey");
  }
}
