// Raw libzmq PUB -> SUB throughput between two processes (Tests/Benchmarks/bus-vs-raw.sh): the
// ceiling for any spike transport built on libzmq. The parent binds a PUB socket on ENDPOINT, the
// forked child connects a SUB socket subscribed to everything; both high-water marks are 0
// (unlimited), so nothing is dropped. Once the subscription is known to be in place, the parent
// sends COUNT single-frame messages of MSG_SIZE zero bytes as fast as zmq_send takes them. The
// child times from the first data message to the last and prints, on stdout:
//   ENDPOINT size=MSG_SIZE msgs=COUNT msgs/s=R MB/s=B
// where R = (COUNT - 1) / that time and B = R * MSG_SIZE / 1e6 (MB = 10^6 bytes).
//
// Handshake: before the data, the parent publishes empty messages every 10 ms until the child
// reports through a pipe that one arrived (that is, the subscription has reached the publisher);
// the child skips empty messages, so MSG_SIZE must be at least 1.
// Every wait is bounded: 10 s for the handshake, 10 s for any one data message.
// Exit codes: 0 done, 1 usage or setup error (bad endpoint, address in use), 2 handshake timed
// out, 3 the data stalled (the child then reports how many messages arrived on stderr).
//
// Build: gcc -O2 -o /tmp/zmq_pubsub_thr Tests/Benchmarks/zmq_pubsub_thr.c -lzmq
// Run:   /tmp/zmq_pubsub_thr tcp://127.0.0.1:27240 184 200000
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

enum { HANDSHAKE_MS = 10000, STALL_MS = 10000, PROBE_MS = 10 };

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int fail(const char *what) {
    fprintf(stderr, "zmq_pubsub_thr: %s: %s\n", what, zmq_strerror(zmq_errno()));
    return 1;
}

// Child: receive COUNT messages of SIZE bytes; `ready` is the pipe's write end.
static int subscriber(const char *endpoint, size_t size, long count, int ready) {
    void *ctx = zmq_ctx_new(), *sub = zmq_socket(ctx, ZMQ_SUB);
    int zero = 0, timeout = PROBE_MS * 10;
    if (!sub) return fail("zmq_socket");
    zmq_setsockopt(sub, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect(sub, endpoint) != 0) return fail("zmq_connect");

    int rc = 0, told = 0;
    long got = 0;
    double t0 = 0, t1 = 0, deadline = seconds() + HANDSHAKE_MS / 1000.0;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    while (got < count) {
        if (zmq_msg_recv(&msg, sub, 0) < 0) {
            if (zmq_errno() == EINTR) continue;
            if (zmq_errno() != EAGAIN) { rc = fail("zmq_msg_recv"); break; }
            if (seconds() < deadline) continue;
            if (got == 0 && !told) {
                fprintf(stderr, "zmq_pubsub_thr: no message from %s within %d ms\n", endpoint, HANDSHAKE_MS);
                rc = 2;
            } else {
                fprintf(stderr, "zmq_pubsub_thr: stalled after %ld of %ld messages\n", got, count);
                rc = 3;
            }
            break;
        }
        if (zmq_msg_size(&msg) == 0) {  // handshake probe
            if (!told) {
                told = 1;
                if (write(ready, "r", 1) != 1) { perror("zmq_pubsub_thr: write"); rc = 1; break; }
                deadline = seconds() + STALL_MS / 1000.0;
            }
            continue;
        }
        t1 = seconds();
        if (got++ == 0) {
            t0 = t1;
            timeout = STALL_MS;  // from now on a single wait may last the whole stall bound
            zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
        }
        deadline = t1 + STALL_MS / 1000.0;
    }
    zmq_msg_close(&msg);
    if (rc == 0) {
        double dt = t1 - t0, rate = dt > 0 ? (count - 1) / dt : 0;
        printf("%s size=%zu msgs=%ld msgs/s=%.3e MB/s=%.1f\n", endpoint, size, got, rate, rate * size / 1e6);
        fflush(stdout);
    }
    zmq_close(sub);
    zmq_ctx_term(ctx);
    return rc;
}

// Parent: wait for the child's exit status, killing it if told to.
static int reap(pid_t child, int kill_it) {
    int status = 0;
    if (kill_it) kill(child, SIGTERM);
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: zmq_pubsub_thr ENDPOINT MSG_SIZE COUNT\n");
        return 1;
    }
    const char *endpoint = argv[1];
    char *end1, *end2;
    long size = strtol(argv[2], &end1, 10), count = strtol(argv[3], &end2, 10);
    if (*end1 || *end2 || size < 1 || count < 2) {
        fprintf(stderr, "zmq_pubsub_thr: MSG_SIZE must be >= 1 and COUNT >= 2\n");
        return 1;
    }
    int ready[2];
    if (pipe(ready) != 0) { perror("zmq_pubsub_thr: pipe"); return 1; }
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) { perror("zmq_pubsub_thr: fork"); return 1; }
    if (child == 0) {
        close(ready[0]);
        _exit(subscriber(endpoint, (size_t)size, count, ready[1]));
    }
    close(ready[1]);

    void *ctx = zmq_ctx_new(), *pub = zmq_socket(ctx, ZMQ_PUB);
    int zero = 0, linger = 1000;
    zmq_setsockopt(pub, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(pub, endpoint) != 0) {
        int rc = fail("zmq_bind");
        zmq_close(pub);
        zmq_ctx_term(ctx);
        reap(child, 1);
        return rc;
    }

    // Probe until the child has seen a message, so none of the data meets a missing subscription.
    int rc = 2;
    struct pollfd pfd = { ready[0], POLLIN, 0 };
    for (double deadline = seconds() + HANDSHAKE_MS / 1000.0; seconds() < deadline;) {
        zmq_send(pub, "", 0, ZMQ_DONTWAIT);
        int n = poll(&pfd, 1, PROBE_MS);
        if (n > 0) { rc = 0; break; }  // a byte, or EOF if the child gave up
        if (n < 0 && errno != EINTR) { perror("zmq_pubsub_thr: poll"); rc = 1; break; }
    }
    char byte;
    if (rc == 0 && read(ready[0], &byte, 1) != 1) rc = 1;  // the child exited: its status says why
    if (rc != 0) {
        if (rc == 2) fprintf(stderr, "zmq_pubsub_thr: no subscriber on %s within %d ms\n", endpoint, HANDSHAKE_MS);
        zmq_close(pub);
        zmq_ctx_term(ctx);
        int child_rc = reap(child, rc == 2);
        return rc == 2 ? 2 : (child_rc ? child_rc : 1);
    }

    char *buf = calloc(1, (size_t)size);
    if (!buf) { fprintf(stderr, "zmq_pubsub_thr: out of memory\n"); reap(child, 1); return 1; }
    for (long i = 0; i < count; i++) {
        if (zmq_send(pub, buf, (size_t)size, 0) < 0) {
            if (zmq_errno() == EINTR) { i--; continue; }
            fail("zmq_send");
            rc = 1;
            break;
        }
    }
    free(buf);
    int child_rc = reap(child, rc != 0);  // bounded: the child gives up after STALL_MS of silence
    zmq_close(pub);
    zmq_ctx_term(ctx);
    return rc ? rc : child_rc;
}
