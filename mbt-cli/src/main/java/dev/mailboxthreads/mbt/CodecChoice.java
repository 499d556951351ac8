package dev.mailboxthreads.mbt;

/**
 * What {@code --codec} selects: the library's default codec, for Java peers, or the interop
 * codec, for peers in other languages (docs/wire-format.md). Both ends must choose the same.
 */
enum CodecChoice {
  /** {@code JavaCodec}, the library's default. */
  java,
  /** {@code MsgpackCodec}: one MessagePack value per message. */
  msgpack
}
