// SPDX-License-Identifier: GPL-2.0
/*
 * vnetperf: network traffic for the guest tests and benchmarks (busybox nc
 * cannot carry bulk data).  One static binary, one mode per run:
 *
 *   vnetperf tcp-recv  [-p PORT] [-R FILE] [-w SECS]
 *   vnetperf tcp-send  -c ADDR [-p PORT] [-n BYTES] [-T SECS] [-l LEN] [-s SEED] [-z]
 *                      [-X OFF]
 *   vnetperf udp-recv  [-p PORT] [-R FILE] [-w SECS]
 *   vnetperf udp-send  -c ADDR [-p PORT] -n COUNT [-T SECS] [-l LEN] [-r PPS]
 *   vnetperf rr-server [-p PORT] [-R FILE] [-w SECS]
 *   vnetperf rr-client -c ADDR [-p PORT] -n COUNT [-l LEN]
 *   vnetperf udp-dump  [-p PORT] [-R FILE] -T SECS
 *
 * ADDR is an IPv4 or IPv6 address, "fe80::1%eth0" for link-local.  The
 * servers listen on the IPv6 wildcard (dual stack), serve one session and
 * exit; -R FILE is created once they listen.  Every socket operation
 * times out after -w SECS (default 30): nothing waits forever.
 *
 * tcp: the sender writes BYTES (or for SECS) of a position-dependent
 * pattern (word i of the stream is a bijection of i and SEED), then shuts
 * down its side; the receiver checks every byte against the pattern,
 * checksums the stream and answers with its byte count, checksum and
 * bad-byte count, which the sender compares with its own.  -z sends
 * zeros and skips pattern and checksum (benchmarks: the driver's cost
 * alone); -X OFF flips byte OFF after checksumming it, which both checks
 * must catch (the tests' proof that they can fail).  udp: COUNT datagrams of LEN bytes with a sequence number and
 * a checked payload, then end markers; the receiver counts received,
 * lost, duplicate and corrupt datagrams.  rr: COUNT request/response
 * transactions of LEN bytes, one at a time, each echo checked.  udp-dump
 * copies every datagram's payload to stdout for SECS seconds (netconsole).
 *
 * Each run prints one machine-readable line,
 *   VNETPERF <mode> key=value ...
 * and exits 0 only if everything it checked held (1: a check failed or
 * an I/O error; 2: usage).  Built static by tools/vm/mkinitramfs.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guest-util.h"

#define TCP_MAGIC 0x564e5031u	/* "VNP1" */
#define UDP_MAGIC 0x564e5055u	/* "VNPU" */
#define RR_MAGIC 0x564e5052u	/* "VNPR" */
#define F_ZERO 1u
#define UDP_END 1u
#define MAX_LEN (1u << 20)
#define MAX_UDP_SEQ (1u << 26)

struct opts {
	const char *addr;
	const char *ready;
	unsigned int port;
	unsigned long long n;
	unsigned long long len;
	unsigned int seed;
	unsigned int secs;
	unsigned int wait;
	unsigned int pps;
	int zero;
	long long flip;		/* -X: byte to corrupt, or -1 */
};

struct tcp_hdr {
	uint32_t magic;
	uint32_t flags;
	uint32_t seed;
	uint32_t pad;
	uint64_t bytes;		/* 0: until the sender stops */
};

struct udp_hdr {
	uint32_t magic;
	uint32_t kind;
	uint64_t seq;
	uint64_t count;		/* datagrams sent (known up front, or at the end) */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* pat_word: word I of the stream of SEED; distinct for every I. */
static inline uint64_t pat_word(uint64_t i, uint32_t seed)
{
	return ((i + 1) * 0x9E3779B97F4A7C15ull) ^
	       ((uint64_t)seed * 0xD6E8FEB86659FD93ull);
}

static inline uint8_t pat_byte(uint64_t off, uint32_t seed)
{
	return pat_word(off / 8, seed) >> (8 * (off % 8));
}

/* A streaming, order-sensitive checksum over bytes in 8-byte words. */
struct sum {
	uint64_t h;
	uint64_t cur;
	uint64_t off;
};

static inline void sum_mix(struct sum *s, uint64_t w)
{
	s->h = (s->h ^ w) * 0x100000001B3ull;
	s->h ^= s->h >> 29;
}

static void sum_bytes(struct sum *s, const uint8_t *p, size_t len)
{
	while (len && s->off % 8) {
		s->cur |= (uint64_t)*p++ << (8 * (s->off % 8));
		len--;
		if (++s->off % 8 == 0) {
			sum_mix(s, s->cur);
			s->cur = 0;
		}
	}
	for (; len >= 8; len -= 8, p += 8, s->off += 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		sum_mix(s, w);
	}
	while (len--) {
		s->cur |= (uint64_t)*p++ << (8 * (s->off % 8));
		s->off++;
	}
}

static uint64_t sum_final(const struct sum *s)
{
	struct sum t = *s;

	sum_mix(&t, t.cur ^ (t.off << 3));
	return t.h;
}

/* pat_fill: BUF holds LEN bytes of SEED's stream from OFF (OFF % 8 == 0). */
static void pat_fill(uint8_t *buf, size_t len, uint64_t off, uint32_t seed)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t w = pat_word((off + i) / 8, seed);

		memcpy(buf + i, &w, 8);
	}
	for (; i < len; i++)
		buf[i] = pat_byte(off + i, seed);
}

/* pat_check: bytes of BUF that differ from the stream at OFF. */
static uint64_t pat_check(const uint8_t *buf, size_t len, uint64_t off,
			  uint32_t seed, uint64_t *first_bad)
{
	uint64_t bad = 0;
	size_t i = 0;

	for (; i < len && (off + i) % 8; i++)
		if (buf[i] != pat_byte(off + i, seed) && !bad++)
			*first_bad = off + i;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		int b;

		memcpy(&w, buf + i, 8);
		if (w == pat_word((off + i) / 8, seed))
			continue;
		for (b = 0; b < 8; b++)
			if (buf[i + b] != pat_byte(off + i + b, seed) && !bad++)
				*first_bad = off + i + b;
	}
	for (; i < len; i++)
		if (buf[i] != pat_byte(off + i, seed) && !bad++)
			*first_bad = off + i;
	return bad;
}

static int set_timeouts(int fd, unsigned int secs)
{
	struct timeval tv = { .tv_sec = secs };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		perror("vnetperf: SO_RCVTIMEO/SO_SNDTIMEO");
		return -1;
	}
	return 0;
}

/* parse_addr: ADDR ("10.0.0.1", "fd00::1", "fe80::1%eth0") and PORT. */
static int parse_addr(const char *addr, unsigned int port,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	char *scope;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return 0;
	}
	snprintf(host, sizeof(host), "%s", addr);
	scope = strchr(host, '%');
	if (scope)
		*scope++ = 0;
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1) {
		fprintf(stderr, "vnetperf: bad address %s\n", addr);
		return -1;
	}
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	if (scope) {
		in6->sin6_scope_id = if_nametoindex(scope);
		if (!in6->sin6_scope_id) {
			fprintf(stderr, "vnetperf: no interface %s\n", scope);
			return -1;
		}
	}
	*len = sizeof(*in6);
	return 0;
}

/* server_socket: a socket of TYPE bound to [::]:PORT; -R FILE created. */
static int server_socket(int type, const struct opts *o)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int one = 1, zero = 0, fd;

	fd = socket(AF_INET6, type, 0);
	if (fd < 0) {
		perror("vnetperf: socket");
		return -1;
	}
	a.sin6_port = htons(o->port);
	a.sin6_addr = in6addr_any;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (type == SOCK_DGRAM) {
		/*
		 * Room for ~2 s of a paced burst, so a guest stalled by a busy
		 * host loses nothing in the socket; past rmem_max as root.
		 */
		int sz = 4 << 20;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 4)) || set_timeouts(fd, o->wait)) {
		perror("vnetperf: bind/listen");
		close(fd);
		return -1;
	}
	if (o->ready) {
		int r = open(o->ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (r >= 0)
			close(r);
	}
	return fd;
}

/* accept_one: the one connection of a TCP server, or -1. */
static int accept_one(const struct opts *o)
{
	int lfd = server_socket(SOCK_STREAM, o), fd, one = 1;

	if (lfd < 0)
		return -1;
	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd < 0) {
		perror("vnetperf: accept");
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (set_timeouts(fd, o->wait)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* connect_to: a TCP connection to -c ADDR, retried while refused for -w. */
static int connect_to(const struct opts *o)
{
	struct sockaddr_storage ss;
	double end = now() + o->wait;
	socklen_t len;
	int fd, one = 1;

	if (parse_addr(o->addr, o->port, &ss, &len))
		return -1;
	for (;;) {
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0 || set_timeouts(fd, o->wait)) {
			perror("vnetperf: socket");
			return -1;
		}
		if (!connect(fd, (struct sockaddr *)&ss, len))
			break;
		if ((errno != ECONNREFUSED && errno != ENETUNREACH &&
		     errno != EHOSTUNREACH) || now() > end) {
			perror("vnetperf: connect");
			close(fd);
			return -1;
		}
		close(fd);
		usleep(100000);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* read_all: exactly LEN bytes; 0, or -1 on an error or early EOF. */
static int read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static double mbit(uint64_t bytes, double secs)
{
	return secs > 0 ? bytes * 8 / secs / 1e6 : 0;
}

static int tcp_send(const struct opts *o)
{
	struct tcp_hdr h = { TCP_MAGIC, o->zero ? F_ZERO : 0, o->seed, 0, o->n };
	uint64_t off = 0, peer_bytes = 0, peer_sum = 0, peer_bad = ~0ull;
	struct sum s = { 0 };
	char reply[128] = "";
	double t0, end, secs;
	uint8_t *buf;
	int fd, err = 0;

	buf = calloc(1, o->len);
	if (!buf)
		return 1;
	fd = connect_to(o);
	if (fd < 0)
		return 1;
	t0 = now();
	end = o->secs ? t0 + o->secs : 0;
	if (write_all(fd, &h, sizeof(h)))
		err = errno;
	while (!err && (!o->n || off < o->n) && (!end || now() < end)) {
		size_t len = o->len;

		if (o->n && o->n - off < len)
			len = o->n - off;
		if (!o->zero) {
			pat_fill(buf, len, off, o->seed);
			sum_bytes(&s, buf, len);
		}
		if (o->flip >= 0 && (uint64_t)o->flip - off < len)
			buf[o->flip - off] ^= 0x5a;
		if (write_all(fd, buf, len))
			err = errno;
		else
			off += len;
	}
	if (!err) {
		shutdown(fd, SHUT_WR);
		if (read(fd, reply, sizeof(reply) - 1) <= 0 ||
		    sscanf(reply, "%" SCNu64 " %" SCNx64 " %" SCNu64,
			   &peer_bytes, &peer_sum, &peer_bad) != 3)
			err = errno ? errno : EPROTO;
	}
	secs = now() - t0;
	close(fd);
	printf("VNETPERF tcp-send bytes=%" PRIu64 " secs=%.3f mbit=%.1f csum=%016" PRIx64
	       " peer_bytes=%" PRIu64 " peer_csum=%016" PRIx64 " peer_bad=%" PRId64
	       " error=%s\n", off, secs, mbit(off, secs),
	       o->zero ? 0 : sum_final(&s), peer_bytes, peer_sum,
	       (int64_t)peer_bad, err ? strerror(err) : "none");
	free(buf);
	return err || peer_bytes != off || peer_bad ||
	       (!o->zero && peer_sum != sum_final(&s));
}

static int tcp_recv(const struct opts *o)
{
	uint64_t off = 0, bad = 0, first_bad = 0;
	struct sum s = { 0 };
	struct tcp_hdr h;
	double t0 = 0, secs;
	char reply[128];
	uint8_t *buf;
	ssize_t n;
	int fd, err = 0;

	buf = malloc(MAX_LEN);
	fd = buf ? accept_one(o) : -1;
	if (fd < 0)
		return 1;
	if (read_all(fd, &h, sizeof(h)) || h.magic != TCP_MAGIC) {
		fprintf(stderr, "vnetperf: no tcp header\n");
		return 1;
	}
	t0 = now();
	while ((n = read(fd, buf, MAX_LEN)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (!(h.flags & F_ZERO)) {
			sum_bytes(&s, buf, n);
			bad += pat_check(buf, n, off, h.seed, &first_bad);
		}
		off += n;
	}
	secs = now() - t0;
	if (h.bytes && off != h.bytes)
		bad++;
	snprintf(reply, sizeof(reply), "%" PRIu64 " %016" PRIx64 " %" PRIu64 "\n",
		 off, (h.flags & F_ZERO) ? 0 : sum_final(&s), bad);
	if (!err && write_all(fd, reply, strlen(reply)))
		err = errno;
	close(fd);
	printf("VNETPERF tcp-recv bytes=%" PRIu64 " secs=%.3f mbit=%.1f csum=%016" PRIx64
	       " expected=%" PRIu64 " bad=%" PRIu64 " first_bad=%" PRIu64 " error=%s\n",
	       off, secs, mbit(off, secs),
	       (h.flags & F_ZERO) ? 0 : sum_final(&s), (uint64_t)h.bytes, bad,
	       first_bad, err ? strerror(err) : "none");
	free(buf);
	return err || bad;
}

/* udp_payload: byte J of datagram SEQ's payload. */
static inline uint8_t udp_byte(uint64_t seq, size_t j)
{
	return (uint8_t)(seq * 131 + j * 7 + 1);
}

static void udp_fill(uint8_t *buf, size_t len, uint32_t kind, uint64_t seq,
		     uint64_t count)
{
	struct udp_hdr h = { UDP_MAGIC, kind, seq, count };
	size_t j;

	memcpy(buf, &h, sizeof(h));
	for (j = sizeof(h); j < len; j++)
		buf[j] = udp_byte(seq, j);
}

static int udp_send(const struct opts *o)
{
	struct sockaddr_storage ss;
	uint64_t seq = 0, errs = 0;
	double t0, end, secs, last;
	socklen_t alen;
	uint8_t *buf;
	int fd, i;

	if (o->len < sizeof(struct udp_hdr) || o->len > 65000) {
		fprintf(stderr, "vnetperf: -l must be 24..65000 for udp\n");
		return 2;
	}
	if (parse_addr(o->addr, o->port, &ss, &alen))
		return 1;
	buf = malloc(o->len);
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (!buf || fd < 0 || set_timeouts(fd, o->wait))
		return 1;
	t0 = now();
	last = t0;
	end = o->secs ? t0 + o->secs : 0;
	while ((!o->n || seq < o->n) && (!end || now() < end)) {
		udp_fill(buf, o->len, 0, seq, o->n);
		if (sendto(fd, buf, o->len, 0, (struct sockaddr *)&ss, alen) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN &&
			    errno != ECONNREFUSED && errno != EINTR) {
				perror("vnetperf: sendto");
				break;
			}
			/*
			 * A full qdisc or a refused port: try again, but not
			 * for ever: -w seconds without one datagram going
			 * out is a stuck queue, and the run fails.
			 */
			errs++;
			if (now() - last > o->wait) {
				fprintf(stderr, "vnetperf: no datagram sent for %u s\n",
					o->wait);
				break;
			}
			continue;
		}
		last = now();
		seq++;
		if (o->pps) {
			double due = t0 + (double)seq / o->pps;
			double d = due - now();

			if (d > 0)
				usleep(d * 1e6);
		}
	}
	secs = now() - t0;
	/* End markers, spaced so that a full queue does not eat them all. */
	for (i = 0; i < 10; i++) {
		usleep(20000);
		udp_fill(buf, sizeof(struct udp_hdr), UDP_END, seq, seq);
		sendto(fd, buf, sizeof(struct udp_hdr), 0, (struct sockaddr *)&ss,
		       alen);
	}
	close(fd);
	printf("VNETPERF udp-send sent=%" PRIu64 " len=%llu secs=%.3f pps=%.0f mbit=%.1f"
	       " retries=%" PRIu64 "\n", seq, o->len, secs,
	       secs > 0 ? seq / secs : 0, mbit(seq * o->len, secs), errs);
	free(buf);
	return o->n && seq != o->n;
}

static int udp_recv(const struct opts *o)
{
	uint64_t count = 0, recv = 0, dup = 0, bad = 0, bytes = 0, maxseq = 0;
	double first = 0, last = 0, linger = 0;
	struct udp_hdr h;
	uint8_t *seen, *buf;
	int fd, end = 0;

	seen = calloc(MAX_UDP_SEQ / 8, 1);
	buf = malloc(65536);
	fd = seen && buf ? server_socket(SOCK_DGRAM, o) : -1;
	if (fd < 0)
		return 1;
	for (;;) {
		ssize_t n;
		size_t j;

		if (end) {
			/* After the end: stragglers for 0.3 s at most. */
			struct timeval tv = { 0, 300000 };

			if (now() > linger)
				break;
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		} else if (recv) {
			/* Mid-burst: 3 s of silence ends it (end markers lost). */
			struct timeval tv = { 3, 0 };

			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
		n = read(fd, buf, 65536);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((size_t)n < sizeof(h)) {
			bad++;
			continue;
		}
		memcpy(&h, buf, sizeof(h));
		if (h.magic != UDP_MAGIC) {
			bad++;
			continue;
		}
		if (h.kind == UDP_END) {
			if (!end)
				linger = now() + 0.3;
			end = 1;
			count = h.count;
			continue;
		}
		if (h.seq >= MAX_UDP_SEQ) {
			bad++;
			continue;
		}
		for (j = sizeof(h); j < (size_t)n; j++)
			if (buf[j] != udp_byte(h.seq, j))
				break;
		if (j != (size_t)n) {
			bad++;
			continue;
		}
		if (seen[h.seq / 8] & (1u << (h.seq % 8))) {
			dup++;
			continue;
		}
		seen[h.seq / 8] |= 1u << (h.seq % 8);
		if (!recv)
			first = now();
		last = now();
		recv++;
		bytes += n;
		if (h.seq + 1 > maxseq)
			maxseq = h.seq + 1;
		if (h.count)
			count = h.count;
	}
	close(fd);
	if (!count)
		count = maxseq;
	printf("VNETPERF udp-recv sent=%" PRIu64 " recv=%" PRIu64 " lost=%" PRId64
	       " dup=%" PRIu64 " bad=%" PRIu64 " bytes=%" PRIu64 " secs=%.3f pps=%.0f"
	       " loss_pct=%.2f end=%d\n", count, recv, (int64_t)(count - recv),
	       dup, bad, bytes, last - first,
	       last > first ? recv / (last - first) : 0,
	       count ? 100.0 * (count - recv) / count : 0, end);
	free(seen);
	free(buf);
	return !recv || bad || dup || recv > count;
}

static int rr_client(const struct opts *o)
{
	struct tcp_hdr h = { RR_MAGIC, 0, o->seed, 0, o->len };
	uint8_t *req, *resp;
	uint64_t i, bad = 0;
	double t0, secs;
	int fd, err = 0;

	req = malloc(o->len);
	resp = malloc(o->len);
	fd = req && resp ? connect_to(o) : -1;
	if (fd < 0)
		return 1;
	t0 = now();
	if (write_all(fd, &h, sizeof(h)))
		err = errno;
	for (i = 0; !err && i < o->n; i++) {
		pat_fill(req, o->len, i * o->len, o->seed);
		if (write_all(fd, req, o->len) || read_all(fd, resp, o->len)) {
			err = errno ? errno : EPROTO;
			break;
		}
		if (memcmp(req, resp, o->len))
			bad++;
	}
	secs = now() - t0;
	close(fd);
	printf("VNETPERF rr-client trans=%" PRIu64 " len=%llu secs=%.3f tps=%.0f"
	       " usec=%.1f bad=%" PRIu64 " error=%s\n", i, o->len, secs,
	       secs > 0 ? i / secs : 0, i ? secs * 1e6 / i : 0, bad,
	       err ? strerror(err) : "none");
	free(req);
	free(resp);
	return err || bad || i != o->n;
}

static int rr_server(const struct opts *o)
{
	struct tcp_hdr h;
	uint64_t trans = 0;
	uint8_t *buf;
	int fd, err = 0;

	fd = accept_one(o);
	if (fd < 0)
		return 1;
	if (read_all(fd, &h, sizeof(h)) || h.magic != RR_MAGIC ||
	    !h.bytes || h.bytes > MAX_LEN) {
		fprintf(stderr, "vnetperf: no rr header\n");
		return 1;
	}
	buf = malloc(h.bytes);
	for (;;) {
		ssize_t n = read(fd, buf, 1);

		if (n == 0)
			break;
		if (n < 0 || read_all(fd, buf + 1, h.bytes - 1) ||
		    write_all(fd, buf, h.bytes)) {
			err = errno ? errno : EPROTO;
			break;
		}
		trans++;
	}
	close(fd);
	printf("VNETPERF rr-server trans=%" PRIu64 " error=%s\n", trans,
	       err ? strerror(err) : "none");
	free(buf);
	return err;
}

static int udp_dump(const struct opts *o)
{
	double end = now() + o->secs;
	char buf[65536];
	int fd;

	fd = server_socket(SOCK_DGRAM, o);
	if (fd < 0)
		return 1;
	while (now() < end) {
		struct timeval tv = { 0, 200000 };
		ssize_t n;

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = read(fd, buf, sizeof(buf));
		if (n > 0)
			fwrite(buf, 1, n, stdout);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vnetperf tcp-recv|udp-recv|rr-server [-p PORT] [-R FILE] [-w SECS]\n"
		"       vnetperf tcp-send -c ADDR [-p PORT] [-n BYTES] [-T SECS] [-l LEN] [-s SEED] [-z] [-X OFF]\n"
		"       vnetperf udp-send -c ADDR [-p PORT] -n COUNT [-T SECS] [-l LEN] [-r PPS]\n"
		"       vnetperf rr-client -c ADDR [-p PORT] -n COUNT [-l LEN]\n"
		"       vnetperf udp-dump [-p PORT] [-R FILE] -T SECS\n");
	exit(2);
}

static unsigned long long num(const char *s)
{
	unsigned long long v;

	if (parse_size(s, &v))
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct opts o = { .port = 5201, .seed = 1, .wait = 30, .flip = -1 };
	const char *mode;
	int c;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "c:p:n:l:s:T:w:r:R:X:z")) != -1) {
		switch (c) {
		case 'c': o.addr = optarg; break;
		case 'p': o.port = num(optarg); break;
		case 'n': o.n = num(optarg); break;
		case 'l': o.len = num(optarg); break;
		case 's': o.seed = num(optarg); break;
		case 'T': o.secs = num(optarg); break;
		case 'w': o.wait = num(optarg); break;
		case 'r': o.pps = num(optarg); break;
		case 'R': o.ready = optarg; break;
		case 'z': o.zero = 1; break;
		case 'X': o.flip = num(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || !o.wait)
		usage();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "tcp-recv"))
		return tcp_recv(&o);
	if (!strcmp(mode, "udp-recv"))
		return udp_recv(&o);
	if (!strcmp(mode, "rr-server"))
		return rr_server(&o);
	if (!strcmp(mode, "udp-dump"))
		return o.secs ? udp_dump(&o) : 2;
	if (!o.addr)
		usage();
	if (!strcmp(mode, "tcp-send")) {
		if (!o.len)
			o.len = 128 << 10;
		if ((!o.n && !o.secs) || o.len > MAX_LEN || o.len % 8)
			usage();
		return tcp_send(&o);
	}
	if (!strcmp(mode, "udp-send")) {
		if (!o.len)
			o.len = 1024;
		if (!o.n && !o.secs)
			usage();
		return udp_send(&o);
	}
	if (!strcmp(mode, "rr-client")) {
		if (!o.len)
			o.len = 1;
		if (!o.n || o.len > MAX_LEN)
			usage();
		return rr_client(&o);
	}
	usage();
	return 2;
}
