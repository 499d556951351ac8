package dev.mailboxthreads.remote.codectest.msg;

import java.util.ArrayList;
import java.util.List;

/** An ordinary class: not Serializable, no no-argument constructor, mutable, may form cycles. */
public final class Node {
  private final String name;
  /** The next node, or null. */
  public Node next;
  /** Anything. */
  public Object any;
  /** Child nodes. */
  public final List<Node> children = new ArrayList<>();

  /** A node called {@code name}. */
  public Node(String name) {
    this.name = name;
  }

  /** The node's name. */
  public String name() {
    return name;
  }

  /** A chain of {@code length} nodes, linked through {@link #next}; returns the head. */
  public static Node chain(int length) {
    Node head = new Node("0");
    Node tail = head;
    for (int i = 1; i < length; i++) {
      tail.next = new Node(Integer.toString(i));
      tail = tail.next;
    }
    return head;
  }

  /** The number of nodes reachable through {@link #next}, this one included. */
  public int length() {
    int n = 0;
    for (Node node = this; node != null; node = node.next) {
      n++;
    }
    return n;
  }
}
