// SPDX-License-Identifier: GPL-2.0
/*
 * vconio: the guest end of the console tests (tests/console, bench/console.sh):
 * a position-dependent pattern through a console port or an hvc terminal,
 * checked byte by byte, and the odd single read, write or poll.
 *
 *   vconio [OPTIONS] write PATH BYTES   write BYTES of the pattern
 *   vconio [OPTIONS] read PATH BYTES    read up to BYTES (or EOF) and check them
 *   vconio [OPTIONS] fill PATH [BYTES]  O_NONBLOCK writes until EAGAIN; then,
 *                                       with BYTES, a blocking write of BYTES
 *                                       more (the pattern continues)
 *   vconio [OPTIONS] probe PATH         poll() without waiting, then one
 *                                       O_NONBLOCK read
 *   vconio [OPTIONS] nbwrite PATH BYTES one O_NONBLOCK write
 *   vconio [OPTIONS] wait PATH          poll() for input up to -t, then one
 *                                       O_NONBLOCK read
 *   vconio [OPTIONS] duplex PATH BYTES  write BYTES (pattern -s) and read BYTES
 *                                       (pattern -R) at once, on one open file
 *
 * Options: -s SEED (pattern, default 1), -O OFFSET (where in the pattern
 * to start, default 0), -b BUF (bytes per read or write, default 4096),
 * -N (O_NONBLOCK: EAGAIN waits in poll(), counted), -P (write through a
 * pipe with splice(2)), -t SECS (give up after SECS; default 120),
 * -X OFF (flip the byte at pattern offset OFF: the checks' self-test),
 * -R SEED (duplex: the pattern read), -r FILE (create FILE once PATH is
 * open, and a terminal raw: the other end may start sending), -z (zeros,
 * unchecked: the benchmark's mode, so the pattern costs nothing), -F (a
 * read's time counts from its first byte).
 *
 * The pattern: byte i is byte i%8 (little-endian) of mix(i/8, SEED), with
 * mix(k, s) = x ^ (x >> 31), x = k * 0x9e3779b97f4a7c15 + s *
 * 0xbf58476d1ce4e5b9 + 1 (mod 2^64); tools/vm/chrhost.py makes the same
 * on the host.  CRC is zlib's crc32 of the bytes moved.  A terminal
 * (hvc) is put in raw mode first.  Each mode prints one line
 *   VCONIO MODE key=value ...
 * (bytes, crc, bad, first_bad, eof, eagain, secs, mibs, err, revents,
 * ret) and exits 0 if it did what it was asked, 1 if not (short, bad
 * data, an error), 2 on a usage or open error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-util.h"

#define MAXBUF	(1 << 20)

static unsigned long long seed = 1, rseed = 2, start_off, bufsz = 4096,
			  flip = ~0ULL;
static const char *ready_file;
static int nonblock, use_splice, zeros, from_first, timeout_s = 120;
static uint32_t crc_table[256];
static volatile sig_atomic_t timed_out;
/* What a read should have got (-X does not apply to reads). */
static unsigned char *expect;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static void crc_init(void)
{
	uint32_t c, n, k;

	for (n = 0; n < 256; n++) {
		c = n;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint64_t pat_word(unsigned long long k)
{
	uint64_t x = k * 0x9e3779b97f4a7c15ULL + seed * 0xbf58476d1ce4e5b9ULL + 1;

	return x ^ (x >> 31);
}

static unsigned char pat_byte(unsigned long long i)
{
	return (unsigned char)(pat_word(i / 8) >> (8 * (i % 8)));
}

/* The pattern from offset OFF into P (N bytes), with the -X flip. */
static void pat_fill(unsigned char *p, unsigned long long off, size_t n)
{
	size_t i = 0;

	if (zeros) {
		memset(p, 0, n);
		return;
	}
	while (i < n) {
		if ((off + i) % 8 == 0 && n - i >= 8) {
			uint64_t w = pat_word((off + i) / 8);

			memcpy(p + i, &w, 8);	/* little-endian: byte j is w >> 8j */
			i += 8;
		} else {
			p[i] = pat_byte(off + i);
			i++;
		}
	}
	if (flip >= off && flip - off < n)
		p[flip - off] ^= 0xff;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "none";
	case EAGAIN:
		return "EAGAIN";
	case EINTR:
		return "EINTR";
	case ENODEV:
		return "ENODEV";
	case ENXIO:
		return "ENXIO";
	case EPIPE:
		return "EPIPE";
	case EIO:
		return "EIO";
	case EBUSY:
		return "EBUSY";
	case EFAULT:
		return "EFAULT";
	default: return "other";
	}
}

static void revents_str(short r, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s%s%s", r & POLLIN ? "IN," : "",
		 r & POLLOUT ? "OUT," : "", r & POLLHUP ? "HUP," : "",
		 r & POLLERR ? "ERR," : "", r & POLLNVAL ? "NVAL," : "");
	if (!*out)
		snprintf(out, len, "none");
	else
		out[strlen(out) - 1] = 0;
}

static void make_raw(int fd)
{
	struct termios t;

	if (!isatty(fd) || tcgetattr(fd, &t))
		return;
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
}

/* Wait in poll() for EVENTS while time is left; 0 if they came. */
static int wait_ready(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, 200);
	} while (!timed_out && (r == 0 || (r < 0 && errno == EINTR)));
	return r > 0 ? 0 : -1;
}

struct result {
	unsigned long long bytes, bad, first_bad, eagain;
	uint32_t crc;
	int eof, err;
	double t0;
};

static void print_result(const char *mode, struct result *r)
{
	double secs = now() - r->t0;

	printf("VCONIO %s bytes=%llu crc=%08x bad=%llu first_bad=%lld eof=%d eagain=%llu secs=%.3f mibs=%.2f err=%s\n",
	       mode, r->bytes, r->crc, r->bad,
	       r->bad ? (long long)r->first_bad : -1LL, r->eof, r->eagain,
	       secs, secs > 0 ? r->bytes / 1048576.0 / secs : 0.0,
	       errname(r->err));
	fflush(stdout);
}

/* One write of N bytes at P, through the pipe PFD with -P. */
static ssize_t put(int fd, int *pfd, const unsigned char *p, size_t n)
{
	ssize_t w;

	if (!use_splice)
		return write(fd, p, n);
	if (n > 65536)
		n = 65536;
	w = write(pfd[1], p, n);
	if (w <= 0)
		return w;
	/* Whatever splice leaves in the pipe goes out before the next write. */
	while (w > 0) {
		ssize_t s = splice(pfd[0], NULL, fd, NULL, w, 0);

		if (s <= 0)
			return s;
		w -= s;
	}
	return (ssize_t)n;
}

static int do_write(int fd, unsigned long long want, struct result *r,
		    unsigned char *buf)
{
	int pfd[2] = { -1, -1 };

	if (use_splice && pipe(pfd))
		return -1;
	while (r->bytes < want && !timed_out) {
		size_t n = want - r->bytes < bufsz ? want - r->bytes : bufsz;
		ssize_t w;

		pat_fill(buf, start_off + r->bytes, n);
		w = put(fd, pfd, buf, n);
		if (w < 0 && errno == EAGAIN) {
			r->eagain++;
			if (wait_ready(fd, POLLOUT))
				break;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r->err = w < 0 ? errno : EIO;
			break;
		}
		if (!zeros)
			r->crc = crc_update(r->crc, buf, w);
		r->bytes += w;
	}
	if (timed_out && !r->err)
		r->err = EINTR;
	return r->bytes == want ? 0 : 1;
}

static int do_read(int fd, unsigned long long want, struct result *r,
		   unsigned char *buf)
{
	while (r->bytes < want && !timed_out) {
		size_t n = want - r->bytes < bufsz ? want - r->bytes : bufsz;
		ssize_t got = read(fd, buf, n), i;

		if (got < 0 && errno == EAGAIN) {
			r->eagain++;
			if (wait_ready(fd, POLLIN))
				break;
			continue;
		}
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r->err = errno;
			break;
		}
		if (got == 0) {
			r->eof = 1;
			break;
		}
		if (from_first && !r->bytes)
			r->t0 = now();
		if (!zeros) {
			unsigned long long f = flip;

			flip = ~0ULL;	/* -X is for writes */
			pat_fill(expect, start_off + r->bytes, got);
			flip = f;
		}
		for (i = 0; !zeros && i < got && memcmp(buf, expect, got); i++) {
			for (; i < got; i++) {
				if (buf[i] == expect[i])
					continue;
				if (!r->bad)
					r->first_bad = start_off + r->bytes + i;
				r->bad++;
			}
		}
		if (!zeros)
			r->crc = crc_update(r->crc, buf, got);
		r->bytes += got;
	}
	if (timed_out && !r->err)
		r->err = EINTR;
	return r->bytes == want && !r->bad ? 0 : 1;
}

/* fill: O_NONBLOCK writes until EAGAIN; then BYTES more, blocking. */
static int do_fill(int fd, unsigned long long more, unsigned char *buf)
{
	struct result r = { .t0 = now() };
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	char rev[64];
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (!timed_out) {
		ssize_t w;

		pat_fill(buf, start_off + r.bytes, bufsz);
		w = write(fd, buf, bufsz);
		if (w < 0 && errno == EAGAIN) {
			r.eagain++;
			break;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r.err = w < 0 ? errno : EIO;
			break;
		}
		r.crc = crc_update(r.crc, buf, w);
		r.bytes += w;
	}
	poll(&p, 1, 0);
	revents_str(p.revents, rev, sizeof(rev));
	print_result("fill", &r);
	printf("VCONIO fill-poll revents=%s\n", rev);
	fflush(stdout);
	if (!r.eagain)
		return 1;
	if (!more)
		return 0;
	fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	start_off += r.bytes;
	r = (struct result){ .t0 = now() };
	nonblock = 0;
	fl = do_write(fd, more, &r, buf);
	print_result("write", &r);
	return fl;
}

/* duplex: a child reads (pattern -R) while the parent writes (-s). */
static int do_duplex(int fd, unsigned long long bytes, unsigned char *buf)
{
	struct result r = { .t0 = now() };
	int st = 0, rc;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		seed = rseed;
		flip = ~0ULL;
		rc = do_read(fd, bytes, &r, buf);
		print_result("read", &r);
		_exit(rc);
	}
	rc = do_write(fd, bytes, &r, malloc(MAXBUF));
	print_result("write", &r);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = 1;
	return rc;
}

static int do_probe(int fd, unsigned char *buf, int wait)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	char rev[64];
	ssize_t n;

	if (wait) {
		p.events = POLLIN;
		printf("VCONIO open\n");
		fflush(stdout);
		while (poll(&p, 1, 200) == 0 && !timed_out)
			;
	} else {
		poll(&p, 1, 0);
	}
	revents_str(p.revents, rev, sizeof(rev));
	/* Never wait in the read: poll() said what there is. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	n = read(fd, buf, 1);
	printf("VCONIO %s revents=%s ret=%zd err=%s\n", wait ? "wait" : "probe",
	       rev, n, n < 0 ? errname(errno) : "none");
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: vconio [-s SEED] [-R SEED] [-O OFF] [-b BUF] [-N] [-P] [-t SECS] [-X OFF] [-r FILE] [-z] [-F] write|read|duplex|fill|probe|nbwrite|wait PATH [BYTES]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long bytes = 0;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct result r;
	unsigned char *buf;
	const char *mode;
	int c, fd, rc;

	while ((c = getopt(argc, argv, "s:R:O:b:NPt:X:r:zF")) != -1) {
		switch (c) {
		case 's':
			if (parse_size(optarg, &seed))
				usage();
			break;
		case 'O':
			if (parse_size(optarg, &start_off))
				usage();
			break;
		case 'b':
			if (parse_size(optarg, &bufsz))
				usage();
			break;
		case 'N':
			nonblock = 1;
			break;
		case 'P':
			use_splice = 1;
			break;
		case 't':
			timeout_s = atoi(optarg);
			break;
		case 'X':
			if (parse_size(optarg, &flip))
				usage();
			break;
		case 'R':
			if (parse_size(optarg, &rseed))
				usage();
			break;
		case 'r':
			ready_file = optarg;
			break;
		case 'z':
			zeros = 1;
			break;
		case 'F':
			from_first = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2 || bufsz == 0 || bufsz > MAXBUF)
		usage();
	mode = argv[optind];
	if (argc - optind > 2 && parse_size(argv[optind + 2], &bytes))
		usage();
	crc_init();
	buf = malloc(MAXBUF);
	expect = malloc(MAXBUF);
	if (!buf || !expect)
		return 2;
	sigaction(SIGALRM, &sa, NULL);
	fd = open(argv[optind + 1], O_RDWR | O_NOCTTY | (nonblock ? O_NONBLOCK : 0));
	if (fd < 0) {
		printf("VCONIO %s open=%s err=%s\n", mode, argv[optind + 1],
		       errname(errno));
		perror(argv[optind + 1]);
		return 2;
	}
	make_raw(fd);
	if (ready_file)
		close(open(ready_file, O_WRONLY | O_CREAT, 0644));
	if (timeout_s > 0)
		alarm(timeout_s);
	r = (struct result){ .t0 = now() };
	if (!strcmp(mode, "write")) {
		rc = do_write(fd, bytes, &r, buf);
		print_result(mode, &r);
	} else if (!strcmp(mode, "read")) {
		rc = do_read(fd, bytes, &r, buf);
		print_result(mode, &r);
	} else if (!strcmp(mode, "duplex")) {
		rc = do_duplex(fd, bytes, buf);
	} else if (!strcmp(mode, "fill")) {
		rc = do_fill(fd, bytes, buf);
	} else if (!strcmp(mode, "probe") || !strcmp(mode, "wait")) {
		rc = do_probe(fd, buf, !strcmp(mode, "wait"));
	} else if (!strcmp(mode, "nbwrite")) {
		ssize_t w;

		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		pat_fill(buf, start_off, bytes < bufsz ? bytes : bufsz);
		w = write(fd, buf, bytes < bufsz ? bytes : bufsz);
		printf("VCONIO nbwrite ret=%zd err=%s\n", w,
		       w < 0 ? errname(errno) : "none");
		rc = 0;
	} else {
		usage();
	}
	close(fd);
	return rc;
}
