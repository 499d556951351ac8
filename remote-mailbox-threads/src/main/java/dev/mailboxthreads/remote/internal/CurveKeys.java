package dev.mailboxthreads.remote.internal;

import java.util.Objects;
import org.zeromq.ZMQ;

/** Checks CURVE keys in Z85 text (ZeroMQ RFC 32), for the public API and for decoded addresses. */
public final class CurveKeys {
  /** Length of a key in Z85 text. */
  public static final int Z85_LENGTH = 40;

  private static final String Z85_ALPHABET =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

  private CurveKeys() {}

  /**
   * Checks that {@code key} is a CURVE key in Z85 text: 40 characters of the Z85 alphabet, each
   * group of 5 within 32 bits.
   *
   * @param key the key
   * @param what what the key is, for the message; a name containing "secret" hides the key
   * @return the key
   * @throws IllegalArgumentException naming {@code what} (and the key, unless it is secret)
   */
  public static String check(String key, String what) {
    Objects.requireNonNull(key, what);
    boolean secret = what.contains("secret");
    String shown = secret ? "" : " \"" + key + "\"";
    if (key.length() != Z85_LENGTH) {
      throw new IllegalArgumentException(what + shown + " has " + key.length()
          + " characters; a CURVE key in Z85 text has 40 (mbt keygen writes such keys)");
    }
    for (int i = 0; i < key.length(); i++) {
      if (Z85_ALPHABET.indexOf(key.charAt(i)) < 0) {
        throw new IllegalArgumentException(what + shown + " has a character that is not Z85 at"
            + " index " + i + "; a CURVE key is 40 characters of the Z85 alphabet (RFC 32)");
      }
    }
    if (!ZMQ.Curve.z85Encode(ZMQ.Curve.z85Decode(key)).equals(key)) {
      throw new IllegalArgumentException(what + shown + " is not valid Z85: a group of 5"
          + " characters is larger than 32 bits");
    }
    return key;
  }
}
