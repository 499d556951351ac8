#!/usr/bin/python3
"""A Python peer for the interop tests (dev.mailboxthreads.remote.interop): pyzmq (libzmq) and
msgpack, speaking docs/wire-format.md with the interop codec, MsgpackCodec (codec id 2).

Usage: interop_peer.py MODE ENDPOINT [ARGS]

  push ENDPOINT      connect a PUSH socket, send SAMPLES (one message each), print SENT <n>
  send ENDPOINT TEXT...  connect a PUSH socket, send each TEXT as a string, print SENT <n>
  pull ENDPOINT N    bind a PULL socket, print READY <endpoint> and EXPECTING <len(EXPECTED)>,
                     receive N messages, compare the i-th with EXPECTED[i] (type and value),
                     print OK <i> or BAD <i> ..., then DONE ok=<n> bad=<n>
  count ENDPOINT     bind a PULL socket, print READY <endpoint>, then GOT <message> for each
                     message until it receives "stop"
  garbage ENDPOINT   connect a PUSH socket, send bad frames, print EXPECT <DropReason> <n> per
                     reason, then send the good message "still alive", print SENT <total frames>
  hold ENDPOINT      bind a PULL socket, print READY <endpoint>, then GOT <message> for each
                     message, until stdin closes (or the process is killed)
  answer ENDPOINT N  bind a PULL socket, print READY <endpoint>, answer N Java calls: each
                     request's reply is {"answer": <request>, "id": <correlation id>}, sent to
                     the request's reply endpoints; print ANSWERED <id> for each
  forward ENDPOINT   bind a PULL socket, print READY <endpoint>; receive {"to": <address>,
                     "text": T}, send {"text": T upper-cased, "from": <an address of this
                     peer's socket>} to the address, then print GOT <message> for the next one

Talks to the test through stdout, one line per fact, flushed. Ends when its stdin closes (the
test's lifeline, as ParentLink is for child JVMs) and never blocks longer than TIMEOUT_MS.
"""
import os
import sys
import threading

import msgpack
import zmq

TIMEOUT_MS = 30_000
HEADER = bytes([0x6D, 0x62, 0x01, 0x02, 0x00])  # 'm' 'b', version 1, codec 2, no flags


def say(line):
    print(line, flush=True)


def exit_when_stdin_ends():
    def watch():
        # os.read, not sys.stdin: a daemon thread blocked in a buffered read makes the
        # interpreter abort at exit (it cannot take the buffer's lock)
        while os.read(0, 1024):
            pass
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def frame(message, **pack_options):
    return HEADER + msgpack.packb(message, **pack_options)


def payload(frame_bytes):
    """The MessagePack payload of a frame, after its header and optional metadata section."""
    if frame_bytes[:3] != b"mb\x01" or frame_bytes[3] != 2:
        raise ValueError("not an interop-codec frame: %r" % frame_bytes[:5])
    start = 5
    if frame_bytes[4] & 1:
        start = 9 + int.from_bytes(frame_bytes[5:9], "big")
    return frame_bytes[start:]


def unpack(frame_bytes):
    return msgpack.unpackb(payload(frame_bytes), strict_map_key=False, timestamp=0)


# What `push` sends, in this order; the Java test (PythonToJavaTest) expects them decoded as
# the Java values listed there.
SAMPLES = [
    True,
    False,
    0,
    -1,
    2**63 - 1,
    -(2**63),
    2**64 - 1,
    1.5,
    float("inf"),
    "carrot",
    "h\u00e9llo \u2713 \U0001d11e",
    "",
    b"\x00\x01\xff",
    [1, "two", None, 3.25, [], {}],
    (1, 2),
    {"name": "egg", "count": 2, "nested": {"list": [[True], {"deep": None}]}},
    {1: "one", -2: "minus two"},
    msgpack.Timestamp(1_700_000_000, 123_456_789),
]
SINGLE_FLOAT = 0.25  # sent last, as a MessagePack float 32

# What `pull` expects, in this order; the Java test (JavaToPythonTest) sends the Java values
# listed there. Types are compared exactly: True is not 1, 1 is not 1.0.
EXPECTED = [
    "carrot",
    42,
    -7,
    2**63 - 1,
    2**64 - 1,
    3.5,
    1.5,
    True,
    b"\x00\x01\xff",
    ["a", 1, None, False],
    {"name": "egg", "count": 2, "tags": ["x", "y"]},
    {"item": "egg", "qty": 2, "color": "GREEN", "prices": [1.25, 2.5]},
    "RED",
    msgpack.Timestamp(1_700_000_000, 123_456_789),
    "h\u00e9llo \u2713 \U0001d11e",
    "\u00df",
    [1, 2, 3],
    ["p", "q"],
    {1: "one", 2: "two"},
    {"empty string": "", "empty list": [], "empty map": {}, "nothing": None},
]


def same(got, want):
    """Equal in value and in type, recursively, and maps in the same key order."""
    if type(got) is not type(want):
        return False
    if isinstance(want, list):
        return len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    if isinstance(want, dict):
        return list(got.keys()) == list(want.keys()) and all(
            same(got[k], want[k]) for k in want
        )
    return got == want


def bound_pull(ctx, endpoint):
    pull = ctx.socket(zmq.PULL)
    pull.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    pull.setsockopt(zmq.LINGER, 0)
    pull.bind(endpoint)
    say("READY " + pull.getsockopt_string(zmq.LAST_ENDPOINT))
    return pull


def connected_push(ctx, endpoint):
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    push.setsockopt(zmq.LINGER, TIMEOUT_MS)  # close waits (bounded) until all is delivered
    push.connect(endpoint)
    return push


def run_push(ctx, endpoint):
    push = connected_push(ctx, endpoint)
    for sample in SAMPLES:
        push.send(frame(sample))
    push.send(frame(SINGLE_FLOAT, use_single_float=True))
    push.close()
    say("SENT %d" % (len(SAMPLES) + 1))


def run_send(ctx, endpoint, texts):
    push = connected_push(ctx, endpoint)
    for text in texts:
        push.send(frame(text))
    push.close()
    say("SENT %d" % len(texts))


def run_pull(ctx, endpoint, n):
    pull = bound_pull(ctx, endpoint)
    say("EXPECTING %d" % len(EXPECTED))
    ok = bad = 0
    for i in range(n):
        got = unpack(pull.recv())
        if i < len(EXPECTED) and same(got, EXPECTED[i]):
            ok += 1
            say("OK %d" % i)
        else:
            bad += 1
            want = EXPECTED[i] if i < len(EXPECTED) else "(nothing)"
            say("BAD %d got=%r want=%r" % (i, got, want))
    say("DONE ok=%d bad=%d" % (ok, bad))


def run_count(ctx, endpoint):
    pull = bound_pull(ctx, endpoint)
    while True:
        got = unpack(pull.recv())
        say("GOT %s" % (got,))
        if got == "stop":
            return


def run_hold(ctx, endpoint):
    pull = bound_pull(ctx, endpoint)
    pull.setsockopt(zmq.RCVTIMEO, -1)  # until stdin closes or the test kills us
    while True:
        say("GOT %s" % (unpack(pull.recv()),))


def envelope(frame_bytes):
    """(kind, correlation id bytes, reply endpoints) of a frame's call envelope, or None."""
    if not frame_bytes[4] & 1:
        return None
    length = int.from_bytes(frame_bytes[5:9], "big")
    meta = frame_bytes[9:9 + length]
    kind, correlation_id, reply_to = meta[0], meta[1:9], []
    if kind == 1:
        at = 10
        for _ in range(meta[9]):
            n = int.from_bytes(meta[at:at + 2], "big")
            reply_to.append(meta[at + 2:at + 2 + n].decode("utf-8"))
            at += 2 + n
    return kind, correlation_id, reply_to


def reply_frame(correlation_id, message):
    meta = bytes([2]) + correlation_id  # kind 2: a reply to this id
    return (bytes([0x6D, 0x62, 0x01, 0x02, 0x01]) + len(meta).to_bytes(4, "big") + meta
            + msgpack.packb(message))


def run_answer(ctx, endpoint, n):
    pull = bound_pull(ctx, endpoint)
    for _ in range(n):
        request = pull.recv()
        kind, correlation_id, reply_to = envelope(request)
        assert kind == 1, "not a request: %r" % (request[:16],)
        push = connected_push(ctx, reply_to[0])
        push.send(reply_frame(correlation_id, {
            "answer": unpack(request), "id": int.from_bytes(correlation_id, "big", signed=True)}))
        push.close()
        say("ANSWERED %d" % int.from_bytes(correlation_id, "big", signed=True))


def address(endpoints):
    return msgpack.ExtType(1, msgpack.packb(endpoints))


def endpoints_of(ext):
    assert isinstance(ext, msgpack.ExtType) and ext.code == 1, "not an address: %r" % (ext,)
    return msgpack.unpackb(ext.data)


def run_forward(ctx, endpoint):
    pull = bound_pull(ctx, endpoint)
    mine = pull.getsockopt_string(zmq.LAST_ENDPOINT)
    message = unpack(pull.recv())
    push = connected_push(ctx, endpoints_of(message["to"])[0])
    push.send(frame({"text": message["text"].upper(), "from": address([mine])}))
    push.close()
    say("GOT %s" % (unpack(pull.recv()),))


def run_garbage(ctx, endpoint, max_message_bytes):
    push = connected_push(ctx, endpoint)
    expect = {}
    frames = 0

    def bad(reason, *parts):
        nonlocal frames
        if len(parts) == 1:
            push.send(parts[0])
        else:
            push.send_multipart(list(parts))
        expect[reason] = expect.get(reason, 0) + 1
        frames += 1

    random_bytes = b"\x00" + os.urandom(63)  # not 'm': malformed whatever the rest is
    bad("MALFORMED_FRAME", b"")
    bad("MALFORMED_FRAME", random_bytes)
    bad("MALFORMED_FRAME", b"mb\x01\x02")  # shorter than the header
    bad("MALFORMED_FRAME", b"mb\x02\x02\x00" + msgpack.packb("version 2"))
    bad("MALFORMED_FRAME", b"MB\x01\x02\x00" + msgpack.packb("wrong magic"))
    bad("MALFORMED_FRAME", b"mb\x01\x02\x02" + msgpack.packb("reserved flag"))
    bad("MALFORMED_FRAME", b"mb\x01\x02\x01" + (1000).to_bytes(4, "big") + b"short")
    bad("MALFORMED_FRAME", frame("part one"), frame("part two"))  # two frames
    bad("UNKNOWN_CODEC", b"mb\x01\x01\x00" + msgpack.packb("codec 1 is JavaCodec"))
    bad("UNKNOWN_CODEC", b"mb\x01\x63\x00" + msgpack.packb("codec 99"))
    bad("TOO_LARGE", frame("x" * (max_message_bytes + 1)))
    bad("UNDECODABLE", HEADER)  # no payload
    bad("UNDECODABLE", HEADER + b"\xc1")  # never used in MessagePack
    bad("UNDECODABLE", HEADER + b"\x92\x01")  # an array of 2 with 1 element
    bad("UNDECODABLE", HEADER + msgpack.packb("one") + msgpack.packb("two"))
    bad("UNDECODABLE", HEADER + b"\xdd\xff\xff\xff\xff")  # claims 4 G elements
    bad("UNDECODABLE", HEADER + b"\xdb\x7f\xff\xff\xff" + b"abc")  # claims a 2 GB string
    bad("UNDECODABLE", HEADER + b"\xa3\xff\xfe\xfd")  # not UTF-8
    bad("UNDECODABLE", frame(None))  # a nil message
    bad("UNDECODABLE", frame({(1, 2): "array key"}))
    bad("UNDECODABLE", HEADER + b"\x82\xa1a\x01\xa1a\x02")  # key "a" twice
    bad("UNDECODABLE", frame(msgpack.ExtType(1, msgpack.packb("not an array"))))
    bad("UNDECODABLE", frame(msgpack.ExtType(1, msgpack.packb(["no-such-transport://x"]))))
    bad("UNDECODABLE", frame(msgpack.ExtType(42, b"what")))
    # 1001 nested arrays of one element: deeper than MsgpackCodec's default maxDepth, 1000
    bad("UNDECODABLE", HEADER + b"\x91" * 1001 + msgpack.packb("bottom"))
    for reason in sorted(expect):
        say("EXPECT %s %d" % (reason, expect[reason]))
    push.send(frame("still alive"))
    push.close()
    say("SENT %d" % (frames + 1))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    mode, endpoint = argv[1], argv[2]
    exit_when_stdin_ends()
    ctx = zmq.Context()
    try:
        if mode == "push":
            run_push(ctx, endpoint)
        elif mode == "send":
            run_send(ctx, endpoint, argv[3:])
        elif mode == "pull":
            run_pull(ctx, endpoint, int(argv[3]))
        elif mode == "count":
            run_count(ctx, endpoint)
        elif mode == "hold":
            run_hold(ctx, endpoint)
        elif mode == "answer":
            run_answer(ctx, endpoint, int(argv[3]))
        elif mode == "forward":
            run_forward(ctx, endpoint)
        elif mode == "garbage":
            run_garbage(ctx, endpoint, int(argv[3]))
        else:
            sys.exit("unknown mode %r\n%s" % (mode, __doc__))
    finally:
        ctx.destroy(linger=0)


if __name__ == "__main__":
    main(sys.argv)
