package dev.mailboxthreads.remote.internal;

/**
 * The frame header; docs/wire-format.md draws it.
 *
 * <pre>
 *  0      1      2         3          4        5
 *  +------+------+---------+----------+--------+---------------------------+
 *  | 'm'  | 'b'  | version | codec id | flags  | [metadata] payload ...    |
 *  | 0x6D | 0x62 |  0x01   |  0..255  |        |                           |
 *  +------+------+---------+----------+--------+---------------------------+
 *  flags bit 0: a metadata section follows the header:
 *               u32 big-endian length L, then L bytes, then the payload.
 *  other flag bits: reserved, must be 0.
 * </pre>
 */
public final class Frames {
  /** Bytes before the payload when there is no metadata. */
  public static final int HEADER_BYTES = 5;

  static final byte MAGIC_0 = 0x6D;
  static final byte MAGIC_1 = 0x62;
  static final byte VERSION = 1;
  static final int FLAG_METADATA = 1;

  private Frames() {}

  /**
   * Writes the header into the first {@link #HEADER_BYTES} bytes of {@code frame}.
   *
   * @param frame at least HEADER_BYTES long
   * @param codecId 0..255
   */
  public static void writeHeader(byte[] frame, int codecId) {
    frame[0] = MAGIC_0;
    frame[1] = MAGIC_1;
    frame[2] = VERSION;
    frame[3] = (byte) codecId;
    frame[4] = 0;
  }

  /**
   * Where the payload of {@code frame} starts, or -1 if the header is malformed.
   *
   * @param frame a received frame
   * @return the payload offset, or -1
   */
  public static int payloadOffset(byte[] frame) {
    if (frame.length < HEADER_BYTES
        || frame[0] != MAGIC_0
        || frame[1] != MAGIC_1
        || frame[2] != VERSION) {
      return -1;
    }
    int flags = frame[4] & 0xFF;
    if ((flags & ~FLAG_METADATA) != 0) {
      return -1;
    }
    if ((flags & FLAG_METADATA) == 0) {
      return HEADER_BYTES;
    }
    if (frame.length < HEADER_BYTES + 4) {
      return -1;
    }
    long length = ((frame[5] & 0xFFL) << 24) | ((frame[6] & 0xFF) << 16)
        | ((frame[7] & 0xFF) << 8) | (frame[8] & 0xFF);
    long offset = HEADER_BYTES + 4 + length;
    return offset > frame.length ? -1 : (int) offset;
  }

  /**
   * The codec id of a frame whose header is well formed.
   *
   * @param frame the frame
   * @return 0..255
   */
  public static int codecId(byte[] frame) {
    return frame[3] & 0xFF;
  }
}
