// Swift's Glibc module does not import <sys/epoll.h>; this module map exposes it.
#include <sys/epoll.h>
