/*
 * udp_echo: the kernel loopback floor for krpc_ping. Sends every datagram straight
 * back to its sender, with no parsing, so the round trips it sustains are what the
 * kernel and one thread can do.
 *
 *   udp_echo PORT [SECONDS=30]
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT [SECONDS=30]\n", argv[0]);
        return 64;
    }
    int seconds = argc > 2 ? atoi(argv[2]) : 30;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("udp_echo: bind");
        return 1;
    }
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    time_t end = time(NULL) + seconds;
    unsigned char buf[1600];
    while (time(NULL) < end) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 200) <= 0) continue;
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t n;
        while ((n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &len)) >= 0) {
            sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
            len = sizeof from;
        }
    }
    close(fd);
    return 0;
}
