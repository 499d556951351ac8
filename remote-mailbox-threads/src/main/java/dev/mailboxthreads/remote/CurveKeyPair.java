package dev.mailboxthreads.remote;

import dev.mailboxthreads.remote.internal.CurveKeys;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import javax.crypto.KeyAgreement;
import org.zeromq.ZCert;
import org.zeromq.ZConfig;
import org.zeromq.ZMQ;

/**
 * A CURVE key pair (CurveZMQ, ZeroMQ RFC 26): a long-term public key, which may be shown to
 * anyone, and its secret key. Keys are held and written as Z85 text (ZeroMQ RFC 32), 40
 * characters each, as {@code zmq_curve_keypair} prints them.
 *
 * <p>Key files are ZeroMQ certificates in the ZPL format that CZMQ's {@code zcert}, pyzmq's
 * {@code zmq.auth} and JeroMQ's {@code ZCert} write and read: {@link #save(Path)} writes a
 * public certificate {@code NAME} and a secret certificate {@code NAME_secret}, readable and
 * writable by the owner only; {@link #load(Path)} reads a secret certificate back and {@link
 * #readPublicKey(Path)} takes the public key from either. {@code mbt keygen} writes such a pair.
 *
 * <p>{@link #toString()} never shows the secret key.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class CurveKeyPair {
  /** Length of a key in Z85 text. */
  static final int Z85_LENGTH = CurveKeys.Z85_LENGTH;
  /** Suffix of the secret certificate's file name, as CZMQ and pyzmq name it. */
  public static final String SECRET_SUFFIX = "_secret";

  private final String publicKey;
  private final String secretKey;

  private CurveKeyPair(String publicKey, String secretKey) {
    this.publicKey = publicKey;
    this.secretKey = secretKey;
  }

  /**
   * A new random key pair.
   *
   * @return the pair
   */
  public static CurveKeyPair generate() {
    ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
    return new CurveKeyPair(pair.publicKey, pair.secretKey);
  }

  /**
   * A key pair from its two keys in Z85 text.
   *
   * @param publicKey the public key, 40 Z85 characters
   * @param secretKey the secret key, 40 Z85 characters
   * @return the pair
   * @throws IllegalArgumentException if a key is not 40 Z85 characters, or the secret key does
   *     not belong to the public key
   */
  public static CurveKeyPair of(String publicKey, String secretKey) {
    checkKey(publicKey, "publicKey");
    checkKey(Objects.requireNonNull(secretKey, "secretKey"), "secretKey (not shown)");
    if (!Arrays.equals(publicKeyOf(ZMQ.Curve.z85Decode(secretKey)),
        ZMQ.Curve.z85Decode(publicKey))) {
      throw new IllegalArgumentException("the secret key does not belong to the public key "
          + publicKey + "; take both from the same secret certificate (mbt keygen writes one)");
    }
    return new CurveKeyPair(publicKey, secretKey);
  }

  /**
   * Reads a key pair from a secret certificate, as written by {@link #save(Path)}, {@code mbt
   * keygen}, CZMQ's {@code zcert_save_secret} or pyzmq's {@code zmq.auth.create_certificates}.
   *
   * @param secretCertificate the file, usually named {@code NAME_secret}
   * @return the pair
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException if it is not a secret certificate with a valid key pair;
   *     the message names the file
   */
  public static CurveKeyPair load(Path secretCertificate) {
    ZConfig config = readCertificate(secretCertificate);
    String publicKey = config.getValue("curve/public-key");
    String secretKey = config.getValue("curve/secret-key");
    if (secretKey == null) {
      throw new IllegalArgumentException(secretCertificate + " has no curve/secret-key: it is a"
          + " public certificate; give the secret one (NAME" + SECRET_SUFFIX + ")");
    }
    if (publicKey == null) {
      throw new IllegalArgumentException(secretCertificate + " has no curve/public-key");
    }
    try {
      return of(publicKey, secretKey);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(secretCertificate + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the public key of a certificate, public or secret.
   *
   * @param certificate the file
   * @return the public key, 40 Z85 characters
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException if it holds no valid curve/public-key; the message names
   *     the file
   */
  public static String readPublicKey(Path certificate) {
    String key = readCertificate(certificate).getValue("curve/public-key");
    if (key == null) {
      throw new IllegalArgumentException(certificate + " has no curve/public-key: is it a"
          + " ZeroMQ certificate? (mbt keygen writes one)");
    }
    try {
      checkKey(key, "curve/public-key");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(certificate + ": " + e.getMessage(), e);
    }
    return key;
  }

  /**
   * Reads the public keys of certificates: of one file, or of every regular file in a directory
   * (as CZMQ's certificate store does), in name order. Secret certificates count with their
   * public key, so a directory of {@code mbt keygen} output can be given as it is.
   *
   * @param fileOrDirectory a certificate, or a directory of certificates only
   * @return the keys, in the order read, without duplicates
   * @throws UncheckedIOException if a file cannot be read
   * @throws IllegalArgumentException if a file holds no valid public key (the message names it),
   *     or a directory holds no file
   */
  public static Set<String> readPublicKeys(Path fileOrDirectory) {
    Objects.requireNonNull(fileOrDirectory, "fileOrDirectory");
    if (!Files.isDirectory(fileOrDirectory)) {
      return Set.of(readPublicKey(fileOrDirectory));
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(fileOrDirectory)) {
      list.filter(Files::isRegularFile).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + fileOrDirectory, e);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(fileOrDirectory + " holds no certificate file");
    }
    Set<String> keys = new LinkedHashSet<>();
    for (Path file : files) {
      keys.add(readPublicKey(file));
    }
    return keys;
  }

  /**
   * Writes this pair as two certificates: {@code publicCertificate} with the public key, to be
   * handed to peers, and {@code publicCertificate + "_secret"} with both keys, created readable
   * and writable by its owner only ({@code rw-------}) before anything is written to it.
   * Existing files are never overwritten.
   *
   * @param publicCertificate where the public certificate goes; its parent directory must exist
   * @return the secret certificate's path
   * @throws FileAlreadyExistsException if either file exists; neither is written then
   * @throws IOException if writing fails, or the file system cannot restrict permissions (not
   *     POSIX); nothing of the secret is left behind then
   */
  public Path save(Path publicCertificate) throws IOException {
    Objects.requireNonNull(publicCertificate, "publicCertificate");
    Path secretCertificate = publicCertificate.resolveSibling(
        publicCertificate.getFileName() + SECRET_SUFFIX);
    for (Path p : List.of(publicCertificate, secretCertificate)) {
      if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(p.toString(), null,
            "will not overwrite a key file; remove it or choose another name");
      }
    }
    ZCert cert = new ZCert(publicKey, secretKey);
    try {
      Files.createFile(secretCertificate,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      throw new IOException("cannot create " + secretCertificate + " readable by its owner only:"
          + " the file system has no POSIX permissions; write keys on another one", e);
    }
    try {
      write(secretCertificate, cert::saveSecret);
      Files.createFile(publicCertificate);
      write(publicCertificate, cert::savePublic);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(secretCertificate);
      throw e;
    }
    return secretCertificate;
  }

  private interface CertWriter {
    void writeTo(Writer writer) throws IOException;
  }

  private static void write(Path file, CertWriter cert) throws IOException {
    StringWriter text = new StringWriter();
    cert.writeTo(text);
    Files.writeString(file, text.toString(), StandardCharsets.UTF_8,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * The public key.
   *
   * @return 40 Z85 characters
   */
  public String publicKey() {
    return publicKey;
  }

  /**
   * The secret key. Keep it out of logs and messages.
   *
   * @return 40 Z85 characters
   */
  public String secretKey() {
    return secretKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CurveKeyPair other
        && publicKey.equals(other.publicKey) && secretKey.equals(other.secretKey);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  /** Shows the public key only. */
  @Override
  public String toString() {
    return "CurveKeyPair[public " + publicKey + "]";
  }

  /**
   * Checks that {@code key} is a CURVE key in Z85 text: 40 characters of the Z85 alphabet, each
   * group of 5 within 32 bits.
   *
   * @throws IllegalArgumentException naming {@code what} (and the key, unless it is secret)
   */
  static String checkKey(String key, String what) {
    return CurveKeys.check(key, what);
  }

  private static ZConfig readCertificate(Path file) {
    Objects.requireNonNull(file, "certificate");
    if (!Files.isRegularFile(file)) {
      throw new UncheckedIOException(new java.nio.file.NoSuchFileException(file.toString(), null,
          "no such certificate file (mbt keygen writes one)"));
    }
    try {
      return ZConfig.load(file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the certificate " + file, e);
    } catch (ZConfig.ReadException e) {
      throw new IllegalArgumentException(file + " is not a ZeroMQ certificate (ZPL): "
          + e.getMessage() + " at line " + e.currentLineNumber, e);
    }
  }

  /**
   * The X25519 public key of a secret key: the scalar multiplication of the base point, done by
   * the JDK's X25519 key agreement with the base point (u = 9) as the peer key. Little-endian
   * u-coordinates (RFC 7748), as NaCl and CurveZMQ use.
   */
  private static byte[] publicKeyOf(byte[] secret) {
    try {
      KeyFactory factory = KeyFactory.getInstance("X25519");
      PrivateKey priv = factory.generatePrivate(
          new XECPrivateKeySpec(NamedParameterSpec.X25519, secret));
      PublicKey base = factory.generatePublic(
          new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.valueOf(9)));
      KeyAgreement agreement = KeyAgreement.getInstance("X25519");
      agreement.init(priv);
      agreement.doPhase(base, true);
      return agreement.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's X25519 is unavailable", e);
    }
  }
}
