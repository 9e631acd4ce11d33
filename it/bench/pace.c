/*
 * pace: an open-loop HTTP/1.1 keep-alive load at a fixed request rate, for the added-latency rounds of l7.sh.
 *
 *   cc -O2 -o pace it/bench/pace.c
 *   pace load HOST PORT PATH RATE CONNECTIONS SECONDS [SERVE_PORT]
 *   pace serve PORT SECONDS
 *   pace gaps SECONDS
 *
 * load: request i is due at start + i / RATE and goes on connection i % CONNECTIONS. Its latency runs from the time
 * it was due to the last byte of its response, not from the time it was sent: a request that waits behind a slow
 * response on its connection is charged for the wait. wrk and h2load start the clock when they send, so a stalled
 * connection hides exactly the waits a latency target is about ("coordinated omission"), and wrk's Lua pacing costs
 * more CPU than the load core has at these rates. Until the last request is due, load polls without sleeping: it
 * owns its core, its timing then has no wake-up latency, and a virtual machine's costly timer and halt exits do not
 * eat the core.
 *
 * With SERVE_PORT, load is the backend too: it answers every request arriving on 127.0.0.1:SERVE_PORT with 200 and
 * a 1 KiB body, in the same event loop. Where the generator and the backend share one core, two processes taking
 * turns on it cost a context switch per message and saturate that core at rates a proxy on the other core handles
 * easily; one process does not.
 *
 * Before the clock starts, one request goes on every connection and is answered (so a proxy has opened its upstream
 * connections; one the proxy closes meanwhile is opened again, unprimed). Then load prints one line of key=value pairs, times in microseconds:
 *   due sent ok errors rate p50 p90 p99 p999 max lag_p99
 * ok counts 2xx responses; errors counts the rest: other statuses, requests lost with a broken connection and
 * requests still unanswered 5 s after the last was due. The percentiles are over every due request, a failed one
 * ranking above every answered one and printed as "failed" where a percentile lands on it: a proxy cannot improve
 * them by dropping its slowest requests. lag_p99 is how late this program noticed a request was due (99th
 * percentile): near zero, or the load core itself is the bottleneck.
 *
 * serve: only the backend (the same 1 KiB answer) on 127.0.0.1:PORT for SECONDS, sleeping between requests: a hop
 * that does no proxying, to measure what crossing to another core costs on this host.
 *
 * gaps: spins on its core for SECONDS and prints how often the clock jumped by more than 0.5 ms between two reads
 *   gaps longest_us total_us
 * On a virtual machine those are the times the host ran something else on this virtual CPU; every request in
 * flight on that core waits them out.
 *
 * Exit status: 0 when it measured, 2 on bad arguments or a response it cannot read (it names what).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_BUFFER 65536
#define BODY_BYTES 1024
#define DRAIN_NS 5000000000LL
#define GAP_NS 500000
#define FAILED UINT32_MAX /* the latency recorded for a request that got no 2xx */

/* Every epoll registration points at a struct whose first member is its kind. */
enum kind { CLIENT, SERVED, LISTENER };

/* A connection this program sends requests on. */
struct conn {
    enum kind kind;
    int fd;
    uint64_t next;     /* the index of the next request this connection sends */
    uint64_t pending;  /* requests due on this connection and not sent yet */
    int busy;          /* a request is in flight */
    int64_t due_ns;    /* the in-flight request's due time */
    size_t have;       /* header bytes buffered so far */
    int64_t body_left; /* body bytes still to read; -1 while reading the header */
    int status;
    int closing;       /* the last response said Connection: close */
    char buf[READ_BUFFER];
};

/* A connection this program answers requests on, as the backend. */
struct served {
    enum kind kind;
    int fd;
    size_t have;
    char buf[READ_BUFFER];
};

/* The backend side: a listener and the one answer it gives every request. */
struct backend {
    enum kind kind; /* LISTENER: the backend itself is what the listener's epoll registration points at */
    int listener;
    size_t answer_len;
    char answer[BODY_BYTES + 128];
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void fail(const char *what) {
    fprintf(stderr, "pace: %s\n", what);
    exit(2);
}

static void watch(int epoll, int fd, const void *owner) {
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = (void *) owner};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl failed");
}

static int open_conn(const struct addrinfo *to, int epoll, struct conn *c) {
    int fd = socket(to->ai_family, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* A blocking connect: loopback answers at once, and the connections open before the clock starts. */
    if (connect(fd, to->ai_addr, to->ai_addrlen) != 0) {
        close(fd);
        return -1;
    }
    watch(epoll, fd, c);
    c->kind = CLIENT;
    c->fd = fd;
    c->busy = 0;
    c->closing = 0;
    c->have = 0;
    c->body_left = -1;
    return 0;
}

/* Drops a client connection (closed, broken or told to close) from the loop and opens it again. */
static void reopen_conn(const struct addrinfo *to, int epoll, struct conn *c) {
    epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (open_conn(to, epoll, c) != 0) fail("lost a connection and cannot reconnect");
}

static void listen_on(struct backend *b, int epoll, const char *port) {
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(port))};
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    if (fd < 0) fail("cannot open a socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *) &at, sizeof at) != 0 || listen(fd, 4096) != 0) {
        fail("cannot listen on the backend port (is another backend still on it?)");
    }
    int head = snprintf(b->answer, sizeof b->answer,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", BODY_BYTES);
    memset(b->answer + head, 'x', BODY_BYTES);
    b->answer_len = (size_t) head + BODY_BYTES;
    b->kind = LISTENER;
    b->listener = fd;
    watch(epoll, fd, b);
}

/* The value of header NAME in a header block that ends with "\r\n\r\n", or NULL. */
static const char *header_value(const char *block, const char *name) {
    size_t len = strlen(name);
    for (const char *line = strstr(block, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, name, len) == 0 && line[2 + len] == ':') {
            const char *value = line + 3 + len;
            while (*value == ' ' || *value == '\t') value++;
            return value;
        }
    }
    return NULL;
}

/* Answers every whole request buffered on a served connection; returns -1 when the connection is done. */
static int answer_requests(struct served *s, const struct backend *b) {
    ssize_t got = recv(s->fd, s->buf + s->have, READ_BUFFER - 1 - s->have, 0);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (got <= 0) return -1;
    s->have += (size_t) got;
    s->buf[s->have] = '\0';
    char *end;
    while ((end = strstr(s->buf, "\r\n\r\n")) != NULL) {
        const char *length = header_value(s->buf, "content-length");
        if ((length && atoll(length) != 0) || header_value(s->buf, "transfer-encoding")) {
            fail("a request to the backend has a body (the proxies under test forward GET / without one)");
        }
        if (send(s->fd, b->answer, b->answer_len, MSG_NOSIGNAL) != (ssize_t) b->answer_len) return -1;
        size_t used = (size_t) (end + 4 - s->buf);
        memmove(s->buf, end + 4, s->have - used + 1);
        s->have -= used;
    }
    if (s->have == READ_BUFFER - 1) fail("a request header to the backend is larger than 64 KiB");
    return 0;
}

/* Handles an event on the backend's listener or one of its connections. */
static void on_backend_event(int epoll, struct backend *b, void *owner) {
    if (*(enum kind *) owner == LISTENER) {
        int fd = accept4(b->listener, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct served *s = calloc(1, sizeof *s);
        if (!s) fail("out of memory");
        s->kind = SERVED;
        s->fd = fd;
        watch(epoll, fd, s);
        return;
    }
    struct served *s = owner;
    if (answer_requests(s, b) != 0) {
        close(s->fd);
        free(s);
    }
}

static int compare_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

static uint32_t percentile(const uint32_t *sorted, uint64_t n, double p) {
    return n == 0 ? 0 : sorted[(uint64_t) ((double) (n - 1) * p)];
}

/* Reads what a client connection has; DONE once a whole response is in (c->status set), BROKEN when it closed. */
enum read_result { PARTIAL, DONE, BROKEN };

static enum read_result read_response(struct conn *c) {
    for (;;) {
        char *into = c->body_left < 0 ? c->buf + c->have : c->buf;
        size_t room = c->body_left < 0 ? READ_BUFFER - 1 - c->have : READ_BUFFER;
        if (room == 0) fail("a response header is larger than 64 KiB");
        ssize_t got = recv(c->fd, into, room, MSG_DONTWAIT);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return PARTIAL;
        if (got <= 0) return BROKEN;
        int64_t body_bytes = got;
        if (c->body_left < 0) {
            c->have += (size_t) got;
            c->buf[c->have] = '\0';
            char *end = strstr(c->buf, "\r\n\r\n");
            if (!end) continue;
            if (strncmp(c->buf, "HTTP/1.", 7) != 0) fail("a response does not start with HTTP/1.x");
            c->status = atoi(c->buf + 9);
            const char *length = header_value(c->buf, "content-length");
            if (!length) fail("a response has no Content-Length (chunked or close-delimited bodies are not read)");
            const char *connection = header_value(c->buf, "connection");
            c->closing = connection && strncasecmp(connection, "close", 5) == 0;
            c->body_left = atoll(length);
            body_bytes = (int64_t) c->have - (end + 4 - c->buf);
        }
        c->body_left -= body_bytes;
        if (c->body_left <= 0) {
            if (!c->busy) fail("a response arrived with no request in flight");
            c->busy = 0;
            c->have = 0;
            c->body_left = -1;
            /* Nothing more comes before the next request: no recv that would only say EAGAIN. */
            return DONE;
        }
    }
}

/* One request on every connection, answered before the clock starts: the proxy opens its upstream connections. */
static void prime(int epoll, struct backend *backend, struct conn *conns, long connections, const struct addrinfo *to,
                  const char *request, size_t request_len) {
    long waiting = 0;
    for (long i = 0; i < connections; i++) {
        if (send(conns[i].fd, request, request_len, MSG_NOSIGNAL) != (ssize_t) request_len) {
            fail("cannot send on a new connection");
        }
        conns[i].busy = 1;
        waiting++;
    }
    struct epoll_event events[256];
    for (int64_t give_up = now_ns() + DRAIN_NS; waiting > 0;) {
        if (now_ns() > give_up) fail("the first request on each connection was not answered within 5 s");
        int n = epoll_wait(epoll, events, 256, 100);
        if (n < 0 && errno != EINTR) fail("epoll_wait failed");
        for (int e = 0; e < n; e++) {
            if (*(enum kind *) events[e].data.ptr != CLIENT) {
                on_backend_event(epoll, backend, events[e].data.ptr);
                continue;
            }
            struct conn *c = events[e].data.ptr;
            int was_busy = c->busy;
            enum read_result result = read_response(c);
            if (result == PARTIAL) continue;
            if (was_busy) waiting--; /* a close after the answer is no second answer */
            if (result == BROKEN || c->closing) {
                reopen_conn(to, epoll, c);
            }
        }
    }
}

static void print_latency(const char *name, const uint32_t *sorted, uint64_t n, double p) {
    uint32_t value = percentile(sorted, n, p);
    if (value == FAILED) printf(" %s=failed", name); else printf(" %s=%u", name, value);
}

static int run_load(int argc, char **argv) {
    double rate = atof(argv[4]);
    long connections = atol(argv[5]);
    double seconds = atof(argv[6]);
    if (rate <= 0 || connections < 1 || seconds <= 0) fail("RATE, CONNECTIONS and SECONDS must be positive");
    uint64_t due_total = (uint64_t) (rate * seconds);
    double interval_ns = 1e9 / rate;

    char request[1024];
    int request_len = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n", argv[3], argv[1],
                               argv[2]);
    if (request_len <= 0 || (size_t) request_len >= sizeof request) fail("PATH is too long");

    int epoll = epoll_create1(0);
    struct backend backend;
    if (argc == 8) listen_on(&backend, epoll, argv[7]);

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *to;
    if (getaddrinfo(argv[1], argv[2], &hints, &to) != 0) fail("cannot resolve HOST PORT");
    struct conn *conns = calloc((size_t) connections, sizeof *conns);
    /* One entry per due request: its latency when it got a 2xx, FAILED otherwise (failures rank above every success,
     * so a proxy cannot improve its percentiles by dropping its slowest requests). */
    uint32_t *latency_us = malloc(sizeof *latency_us * (due_total + 1));
    uint32_t *lag_us = malloc(sizeof *lag_us * (due_total + 1));
    if (!conns || !latency_us || !lag_us) fail("out of memory");
    for (long i = 0; i < connections; i++) {
        conns[i].next = (uint64_t) i;
        if (open_conn(to, epoll, &conns[i]) != 0) fail("cannot connect to HOST PORT");
    }
    prime(epoll, &backend, conns, connections, to, request, (size_t) request_len);

    uint64_t released = 0, sent = 0, ok = 0, errors = 0, answered = 0;
    int64_t start = now_ns() + 1000000, last_done = start;
    struct epoll_event events[256];
    for (;;) {
        int64_t now = now_ns();
        /* Release every request now due to its connection, then send on each idle connection that has one. */
        while (released < due_total && start + (int64_t) (released * interval_ns) <= now) {
            lag_us[released] = (uint32_t) ((now - start - (int64_t) (released * interval_ns)) / 1000);
            conns[released % (uint64_t) connections].pending++;
            released++;
        }
        for (long i = 0; i < connections; i++) {
            struct conn *c = &conns[i];
            if (c->busy || c->pending == 0) continue;
            c->due_ns = start + (int64_t) (c->next * interval_ns);
            c->pending--;
            c->next += (uint64_t) connections;
            if (send(c->fd, request, (size_t) request_len, MSG_NOSIGNAL) != request_len) {
                /* A request is a few dozen bytes on an idle connection: a short write means it broke. */
                latency_us[answered++] = FAILED;
                errors++;
                reopen_conn(to, epoll, c);
                continue;
            }
            sent++;
            c->busy = 1;
        }
        if (answered == due_total) break;
        if (released == due_total && now - (start + (int64_t) (due_total * interval_ns)) > DRAIN_NS) {
            errors += due_total - answered;
            while (answered < due_total) latency_us[answered++] = FAILED;
            break;
        }

        /* Until the last request is due, poll without sleeping (see the top of the file); then wait for answers. */
        int64_t wait_ns = released < due_total ? 0 : 100000000LL;
        struct timespec timeout = {.tv_sec = 0, .tv_nsec = wait_ns};
        int n = epoll_pwait2(epoll, events, 256, &timeout, NULL);
        if (n < 0 && errno != EINTR) fail("epoll_pwait2 failed");
        for (int e = 0; e < n; e++) {
            if (*(enum kind *) events[e].data.ptr != CLIENT) {
                on_backend_event(epoll, &backend, events[e].data.ptr);
                continue;
            }
            struct conn *c = events[e].data.ptr;
            int was_busy = c->busy;
            enum read_result result = read_response(c);
            if (result == DONE) {
                int64_t done = now_ns();
                if (c->status >= 200 && c->status < 300) {
                    latency_us[answered++] = (uint32_t) ((done - c->due_ns) / 1000);
                    ok++;
                } else {
                    latency_us[answered++] = FAILED;
                    errors++;
                }
                last_done = done;
            }
            if (result == BROKEN || (result == DONE && c->closing)) {
                /* The request in flight on a broken connection is lost; the connection is opened again. */
                if (result == BROKEN && was_busy) {
                    latency_us[answered++] = FAILED;
                    errors++;
                }
                reopen_conn(to, epoll, c);
            }
        }
    }

    qsort(latency_us, answered, sizeof *latency_us, compare_u32);
    qsort(lag_us, released, sizeof *lag_us, compare_u32);
    double elapsed = (double) (last_done - start) / 1e9;
    printf("due=%llu sent=%llu ok=%llu errors=%llu rate=%.0f", (unsigned long long) due_total,
           (unsigned long long) sent, (unsigned long long) ok, (unsigned long long) errors,
           elapsed > 0 ? (double) ok / elapsed : 0.0);
    print_latency("p50", latency_us, answered, 0.5);
    print_latency("p90", latency_us, answered, 0.9);
    print_latency("p99", latency_us, answered, 0.99);
    print_latency("p999", latency_us, answered, 0.999);
    print_latency("max", latency_us, answered, 1.0);
    printf(" lag_p99=%u\n", percentile(lag_us, released, 0.99));
    freeaddrinfo(to);
    return 0;
}

static int run_serve(char **argv) {
    double seconds = atof(argv[2]);
    if (seconds <= 0) fail("SECONDS must be positive");
    int epoll = epoll_create1(0);
    struct backend backend;
    listen_on(&backend, epoll, argv[1]);
    int64_t end = now_ns() + (int64_t) (seconds * 1e9);
    struct epoll_event events[256];
    for (int64_t now = now_ns(); now < end; now = now_ns()) {
        int n = epoll_wait(epoll, events, 256, (int) ((end - now) / 1000000) + 1);
        if (n < 0 && errno != EINTR) fail("epoll_wait failed");
        for (int e = 0; e < n; e++) on_backend_event(epoll, &backend, events[e].data.ptr);
    }
    return 0;
}

static int run_gaps(char **argv) {
    double seconds = atof(argv[1]);
    if (seconds <= 0) fail("SECONDS must be positive");
    int64_t last = now_ns(), end = last + (int64_t) (seconds * 1e9), longest = 0, total = 0;
    long gaps = 0;
    for (int64_t now = last; now < end; last = now, now = now_ns()) {
        if (now - last > GAP_NS) {
            gaps++;
            total += now - last;
            if (now - last > longest) longest = now - last;
        }
    }
    printf("gaps=%ld longest_us=%lld total_us=%lld\n", gaps, (long long) (longest / 1000), (long long) (total / 1000));
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 8 || argc == 9) {
        if (strcmp(argv[1], "load") == 0) return run_load(argc - 1, argv + 1);
    } else if (argc == 4 && strcmp(argv[1], "serve") == 0) {
        return run_serve(argv + 1);
    } else if (argc == 3 && strcmp(argv[1], "gaps") == 0) {
        return run_gaps(argv + 1);
    }
    fail("usage: pace load HOST PORT PATH RATE CONNECTIONS SECONDS [SERVE_PORT] | pace serve PORT SECONDS | "
         "pace gaps SECONDS");
    return 2;
}
