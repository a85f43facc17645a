// The Linux calls Swift's Glibc module leaves out: <sys/epoll.h>, and the batched
// datagram calls recvmmsg/sendmmsg (declared only under _GNU_SOURCE, which the Glibc
// module is not built with, so they are reached through syscall(2) here).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/// The kernel's struct mmsghdr: one datagram of a batch and, after the call, its length.
struct dht_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

static inline int dht_recvmmsg(int fd, struct dht_mmsghdr *messages, unsigned int count, int flags) {
    return (int)syscall(SYS_recvmmsg, fd, messages, count, flags, (void *)0);
}

static inline int dht_sendmmsg(int fd, struct dht_mmsghdr *messages, unsigned int count, int flags) {
    return (int)syscall(SYS_sendmmsg, fd, messages, count, flags);
}
