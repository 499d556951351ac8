package dev.mailboxthreads.remote.codectest.msg;

/** A sealed interface: allowing it allows its permitted records. */
public sealed interface Shape {
  /** A circle. */
  record Circle(double radius) implements Shape {}

  /** A square. */
  record Square(double side) implements Shape {}
}
