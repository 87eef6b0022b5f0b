// Raw libzmq PUB/SUB ping-pong between two processes, the floor of NeuroBus's delay-1 lockstep
// loop: each side publishes tick i and waits for the other's tick i (one 4-byte message each).
#include <zmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int last = -1, hello = 0;
static void take(void *sub, int flags) {
    char buf[64];
    int k = zmq_recv(sub, buf, sizeof buf, flags);
    if (k == 1) hello = 1;
    if (k == 4) { int v; memcpy(&v, buf, 4); if (v > last) last = v; }
}
int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: zmq_pingpong 0|1 EXCHANGES PORT\n"); return 1; }
    int side = atoi(argv[1]), n = atoi(argv[2]), port = atoi(argv[3]);
    char mine[64], theirs[64];
    snprintf(mine, sizeof mine, "tcp://127.0.0.1:%d", port + side);
    snprintf(theirs, sizeof theirs, "tcp://127.0.0.1:%d", port + 1 - side);
    void *ctx = zmq_ctx_new(), *pub = zmq_socket(ctx, ZMQ_PUB), *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_bind(pub, mine);
    zmq_connect(sub, theirs);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
    // Until the other side is heard, then 300 ms more so it hears us too.
    while (!hello) { zmq_send(pub, "h", 1, 0); if (zmq_poll(&item, 1, 10) > 0) take(sub, 0); }
    double until = now() + 0.3;
    while (now() < until) { zmq_send(pub, "h", 1, 0); if (zmq_poll(&item, 1, 10) > 0) take(sub, 0); }
    double t0 = now();
    for (int i = 0; i < n; i++) {
        zmq_send(pub, &i, 4, 0);
        while (last < i) take(sub, 0);
    }
    double dt = now() - t0;
    if (side == 0) printf("raw libzmq ping-pong: %d exchanges in %.3f s: %.0f per s (%.1f us each)\n", n, dt, n / dt, dt / n * 1e6);
    int linger = 0;
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(pub); zmq_close(sub); zmq_ctx_term(ctx);
    return 0;
}
