/*
 * krpc_ping: measures how many KRPC pings one DHT node answers per second.
 *
 *   krpc_ping HOST_IP PORT [SECONDS=5] [WINDOW=64]
 *
 * Keeps WINDOW pings outstanding on one UDP socket, refilling a slot as each reply
 * arrives (a slot silent for 1 s is re-sent and counted lost), and prints replies per
 * second and round-trip percentiles. Works against anything that echoes the `t` of a
 * KRPC query: our node, libtorrent, or the udp_echo floor.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WINDOW 1024
#define MAX_SAMPLES 20000000

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int compare_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Writes a ping query with transaction id `tid` into buf; returns its length. */
static size_t build_ping(unsigned char *buf, uint16_t tid) {
    static const char head[] = "d1:ad2:id20:krpcpingprobe0000000e1:q4:ping1:t2:";
    static const char tail[] = "1:y1:qe";
    size_t n = sizeof head - 1;
    memcpy(buf, head, n);
    buf[n++] = (unsigned char)(tid >> 8);
    buf[n++] = (unsigned char)(tid & 0xff);
    memcpy(buf + n, tail, sizeof tail - 1);
    return n + sizeof tail - 1;
}

/* Finds the 2-byte transaction id in a reply; -1 if there is none. */
static int reply_tid(const unsigned char *buf, ssize_t len) {
    static const char key[] = "1:t2:";
    for (ssize_t i = 0; i + 7 <= len; i++)
        if (memcmp(buf + i, key, 5) == 0) return (buf[i + 5] << 8) | buf[i + 6];
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST_IP PORT [SECONDS=5] [WINDOW=64]\n", argv[0]);
        return 64;
    }
    double seconds = argc > 3 ? atof(argv[3]) : 5.0;
    int window = argc > 4 ? atoi(argv[4]) : 64;
    if (window < 1 || window > MAX_WINDOW || seconds <= 0) {
        fprintf(stderr, "krpc_ping: window must be 1..%d and seconds > 0\n", MAX_WINDOW);
        return 64;
    }
    struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) {
        fprintf(stderr, "krpc_ping: bad address %s\n", argv[1]);
        return 64;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&target, sizeof target) < 0) {
        perror("krpc_ping: socket");
        return 1;
    }
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);

    /* Slot i owns tids congruent to i modulo the window; sent[i] is its send time. */
    uint64_t sent[MAX_WINDOW];
    uint16_t tid[MAX_WINDOW];
    uint32_t *rtt_us = malloc(sizeof(uint32_t) * MAX_SAMPLES);
    if (!rtt_us) return 1;
    unsigned char buf[1600];
    uint64_t start = now_ns(), deadline = start + (uint64_t)(seconds * 1e9);
    long replies = 0, lost = 0;
    for (int i = 0; i < window; i++) {
        tid[i] = (uint16_t)i;
        sent[i] = now_ns();
        send(fd, buf, build_ping(buf, tid[i]), 0);
    }
    while (now_ns() < deadline) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) > 0) {
            ssize_t n;
            while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) >= 0) {
                int t = reply_tid(buf, n);
                if (t < 0) continue;
                int slot = t % window;
                if (tid[slot] != (uint16_t)t) continue; /* a late reply to a re-sent ping */
                uint64_t now = now_ns();
                if (replies < MAX_SAMPLES) rtt_us[replies] = (uint32_t)((now - sent[slot]) / 1000);
                replies++;
                tid[slot] = (uint16_t)(tid[slot] + window);
                sent[slot] = now;
                send(fd, buf, build_ping(buf, tid[slot]), 0);
            }
        }
        uint64_t now = now_ns();
        for (int i = 0; i < window; i++) {
            if (now - sent[i] > 1000000000ull) {
                lost++;
                tid[i] = (uint16_t)(tid[i] + window);
                sent[i] = now;
                send(fd, buf, build_ping(buf, tid[i]), 0);
            }
        }
    }
    double elapsed = (now_ns() - start) / 1e9;
    long samples = replies < MAX_SAMPLES ? replies : MAX_SAMPLES;
    qsort(rtt_us, (size_t)samples, sizeof *rtt_us, compare_u32);
    #define PCT(p) (samples ? rtt_us[(long)((p) * (samples - 1))] : 0)
    printf("{\"replies_per_s\": %.0f, \"replies\": %ld, \"lost\": %ld, \"window\": %d, "
           "\"rtt_p50_us\": %u, \"rtt_p90_us\": %u, \"rtt_p99_us\": %u}\n",
           replies / elapsed, replies, lost, window, PCT(0.5), PCT(0.9), PCT(0.99));
    free(rtt_us);
    close(fd);
    return 0;
}
