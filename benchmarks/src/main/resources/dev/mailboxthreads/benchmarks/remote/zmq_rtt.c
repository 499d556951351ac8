/*
 * Round trip through libzmq itself (the C library), for RemoteBench's "libzmq" contestant:
 * the baseline the p99.9 target names. Built by the harness with
 *   gcc -O2 -o zmq_rtt zmq_rtt.c -lzmq      (Debian: gcc, libzmq3-dev)
 *
 *   zmq_rtt server BIND COUNT
 *     a REP socket bound to BIND; prints "bound ENDPOINT", echoes COUNT requests, prints
 *     "done COUNT".
 *   zmq_rtt client ENDPOINT TOTAL WARMUP PAYLOAD_BYTES
 *     a REQ socket connected to ENDPOINT; TOTAL requests of PAYLOAD_BYTES one at a time, each
 *     reply compared with its request; prints the round-trip time of each request after the
 *     first WARMUP, in nanoseconds (CLOCK_MONOTONIC), one per line, then "done".
 *
 * Every failure prints "error: ..." on stderr and exits with status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static int fail(const char *what) {
  fprintf(stderr, "error: %s: %s\n", what, zmq_strerror(zmq_errno()));
  return 1;
}

static long long now_nanos(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* A socket of the given type with its linger and receive timeout, in milliseconds. */
static void *open_socket(void *ctx, int type, int linger, int timeout) {
  void *socket = zmq_socket(ctx, type);
  zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
  return socket;
}

static int server(const char *bind, long count) {
  void *ctx = zmq_ctx_new();
  void *rep = open_socket(ctx, ZMQ_REP, 1000, 60000);
  if (zmq_bind(rep, bind) != 0) {
    return fail("bind");
  }
  char endpoint[256];
  size_t size = sizeof endpoint;
  if (zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, endpoint, &size) != 0) {
    return fail("last endpoint");
  }
  printf("bound %s\n", endpoint);
  fflush(stdout);
  zmq_msg_t m;
  zmq_msg_init(&m);
  for (long i = 0; i < count; i++) {
    if (zmq_msg_recv(&m, rep, 0) < 0) {
      return fail("server receive");
    }
    if (zmq_msg_send(&m, rep, 0) < 0) {
      return fail("server send");
    }
  }
  zmq_msg_close(&m);
  printf("done %ld\n", count);
  fflush(stdout);
  zmq_close(rep);
  zmq_ctx_term(ctx);
  return 0;
}

static int client(const char *endpoint, long total, long warmup, size_t payload_bytes) {
  char *payload = malloc(payload_bytes + 1);
  char *reply = malloc(payload_bytes + 1);
  long long *nanos = malloc(sizeof(long long) * (size_t) (total > warmup ? total - warmup : 1));
  if (payload == NULL || reply == NULL || nanos == NULL) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < payload_bytes; i++) {
    payload[i] = (char) ('a' + i % 26);
  }
  void *ctx = zmq_ctx_new();
  void *req = open_socket(ctx, ZMQ_REQ, 0, 10000);
  if (zmq_connect(req, endpoint) != 0) {
    return fail("connect");
  }
  for (long i = 0; i < total; i++) {
    long long t = now_nanos();
    if (zmq_send(req, payload, payload_bytes, 0) < 0) {
      return fail("client send");
    }
    int n = zmq_recv(req, reply, payload_bytes + 1, 0);
    long long dt = now_nanos() - t;
    if (n < 0) {
      return fail("client receive");
    }
    if ((size_t) n != payload_bytes || memcmp(reply, payload, payload_bytes) != 0) {
      fprintf(stderr, "error: reply %ld is wrong (%d bytes)\n", i, n);
      return 1;
    }
    if (i >= warmup) {
      nanos[i - warmup] = dt;
    }
  }
  for (long i = 0; i < total - warmup; i++) {
    printf("%lld\n", nanos[i]);
  }
  printf("done\n");
  fflush(stdout);
  zmq_close(req);
  zmq_ctx_term(ctx);
  free(payload);
  free(reply);
  free(nanos);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "server") == 0) {
    return server(argv[2], atol(argv[3]));
  }
  if (argc == 6 && strcmp(argv[1], "client") == 0) {
    return client(argv[2], atol(argv[3]), atol(argv[4]), (size_t) atol(argv[5]));
  }
  fprintf(stderr, "usage: zmq_rtt server BIND COUNT | zmq_rtt client ENDPOINT TOTAL WARMUP"
      " PAYLOAD_BYTES\n");
  return 64;
}
