// SPDX-License-Identifier: GPL-2.0
/*
 * blkpat - block device pattern and ioctl helper for the guest tests
 * (busybox has no O_DIRECT pattern I/O, BLKZEROOUT or BLKDISCARD).
 * Built static by tools/vm/mkinitramfs.sh.
 *
 * usage: blkpat [-b BS] [-s SEED] [-o OFF] [-l LEN] [-B] CMD PATH
 *
 *   write    write the pattern of SEED over [OFF, OFF+LEN) in BS requests
 *   verify   read [OFF, OFF+LEN) back and compare with the pattern of SEED
 *   zero     read [OFF, OFF+LEN) back; it must be all zero bytes
 *   loop     write the pattern over and over until a write fails; never
 *            succeeds (for hot-unplug: the writer must see an error)
 *   zeroout  BLKZEROOUT [OFF, OFF+LEN)
 *   discard  BLKDISCARD [OFF, OFF+LEN)
 *   size     print "size BYTES lbs N pbs N ro N" of a block device
 *
 * -b BS    request size (default 4096); -s SEED (default 1); -o OFF
 * (default 0); -l LEN (default: the rest of the device or file).  Sizes
 * take a K, M or G suffix.  I/O is O_DIRECT unless -B (buffered, e.g.
 * files on a file system; write then creates PATH and fsyncs it).
 *
 * The pattern: each 8-byte word is a hash of SEED and the word's byte
 * offset in PATH, so data written to the wrong place, not written at all
 * (left over from an earlier SEED) or corrupted all show as mismatches.
 *
 * Prints one summary line ("blkpat: ...").  Exit status: 0 done, 1 data
 * mismatch (first mismatch and the count of bad 512-byte sectors are
 * printed), 2 usage or open error, 3 I/O error (offset and errno printed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guest-util.h"

typedef unsigned long long u64;

static u64 bs = 4096, seed = 1, off, len;
static int have_len, buffered;

static u64 word_at(u64 pos)
{
	/* splitmix64 finalizer of (seed, position) */
	u64 z = pos + seed * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill(u64 *buf, u64 pos, size_t n)
{
	size_t i;

	for (i = 0; i < n / 8; i++)
		buf[i] = word_at(pos + i * 8);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dev_size(int fd, u64 *size)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size);
	*size = st.st_size;
	return 0;
}

static const char usage_text[] =
	"usage: blkpat [-b BS] [-s SEED] [-o OFF] [-l LEN] [-B] CMD PATH\n"
	"CMD: write, verify, zero, loop, zeroout, discard or size\n";

static int usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

/* io: one full pread/pwrite; returns 0 or prints the error and returns 3. */
static int io(int fd, int wr, void *buf, size_t n, u64 pos)
{
	ssize_t r = wr ? pwrite(fd, buf, n, pos) : pread(fd, buf, n, pos);

	if (r == (ssize_t)n)
		return 0;
	if (r < 0)
		printf("blkpat: %s error at %llu (%zu bytes): %s\n",
		       wr ? "write" : "read", pos, n, strerror(errno));
	else
		printf("blkpat: short %s at %llu: %zd of %zu bytes\n",
		       wr ? "write" : "read", pos, r, n);
	return 3;
}

/* compare: count bad 512-byte sectors of buf at pos against the pattern. */
static u64 compare(const u64 *buf, const u64 *want, u64 pos, size_t n,
		   u64 *first, u64 *got0, u64 *want0)
{
	u64 bad = 0;
	size_t s, i;

	for (s = 0; s < n; s += 512) {
		for (i = s / 8; i < (s + 512 < n ? s + 512 : n) / 8; i++) {
			if (buf[i] == (want ? want[i] : 0))
				continue;
			if (*first == ULLONG_MAX) {
				*first = pos + i * 8;
				*got0 = buf[i];
				*want0 = want ? want[i] : 0;
			}
			bad++;
			break;
		}
	}
	return bad;
}

static int run_rw(int fd, const char *cmd, u64 end)
{
	int wr = !strcmp(cmd, "write") || !strcmp(cmd, "loop");
	int zero = !strcmp(cmd, "zero");
	u64 first = ULLONG_MAX, got0 = 0, want0 = 0, bad = 0, done = 0;
	u64 *buf, *want = NULL, pos, reqs = 0;
	double t0 = now(), dt;
	size_t n;
	int rc;

	if (posix_memalign((void **)&buf, 4096, bs) ||
	    (!wr && !zero && posix_memalign((void **)&want, 4096, bs))) {
		printf("blkpat: out of memory\n");
		return 2;
	}
	for (;;) {
		for (pos = off; pos < end; pos += n) {
			n = end - pos < bs ? end - pos : bs;
			if (wr)
				fill(buf, pos, n);
			else if (want)
				fill(want, pos, n);
			rc = io(fd, wr, buf, n, pos);
			if (rc) {
				printf("blkpat: %s stopped after %llu bytes in %llu requests\n",
				       cmd, done, reqs);
				return rc;
			}
			if (!wr)
				bad += compare(buf, want, pos, n, &first,
					       &got0, &want0);
			done += n;
			reqs++;
		}
		if (strcmp(cmd, "loop"))
			break;
	}
	if (wr && buffered && fsync(fd)) {
		printf("blkpat: fsync: %s\n", strerror(errno));
		return 3;
	}
	dt = now() - t0;
	if (bad) {
		printf("blkpat: %s: MISMATCH: %llu bad sectors in [%llu, %llu), ",
		       cmd, bad, off, end);
		printf("first at %llu: got %016llx want %016llx\n",
		       first, got0, want0);
		return 1;
	}
	printf("blkpat: %s ok: %llu bytes at %llu in %llu requests of %llu ",
	       cmd, done, off, reqs, bs);
	printf("(seed %llu, %.2f s, %.1f MB/s)\n", zero ? 0 : seed, dt,
	       dt > 0 ? done / dt / 1e6 : 0.0);
	return 0;
}

static int run_ioctl(int fd, const char *cmd, u64 end)
{
	u64 range[2] = { off, end - off };
	unsigned long req = !strcmp(cmd, "zeroout") ? BLKZEROOUT : BLKDISCARD;

	if (ioctl(fd, req, range)) {
		printf("blkpat: %s [%llu, %llu): %s\n", cmd,
		       off, end, strerror(errno));
		return 3;
	}
	printf("blkpat: %s ok: %llu bytes at %llu\n", cmd,
	       end - off, off);
	return 0;
}

static int run_size(int fd)
{
	u64 size;
	int lbs = 0, pbs = 0, ro = 0;

	if (ioctl(fd, BLKGETSIZE64, &size) || ioctl(fd, BLKSSZGET, &lbs) ||
	    ioctl(fd, BLKPBSZGET, &pbs) || ioctl(fd, BLKROGET, &ro)) {
		printf("blkpat: size: %s\n", strerror(errno));
		return 3;
	}
	printf("size %llu lbs %d pbs %d ro %d\n", size, lbs, pbs, ro);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd, *path;
	u64 size, end;
	int c, fd, flags;

	while ((c = getopt(argc, argv, "b:s:o:l:B")) != -1) {
		switch (c) {
		case 'b':
			if (parse_size(optarg, &bs) || !bs || bs % 512)
				return usage();
			break;
		case 's':
			if (parse_size(optarg, &seed))
				return usage();
			break;
		case 'o':
			if (parse_size(optarg, &off))
				return usage();
			break;
		case 'l':
			if (parse_size(optarg, &len))
				return usage();
			have_len = 1;
			break;
		case 'B':
			buffered = 1;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 2)
		return usage();
	cmd = argv[optind];
	path = argv[optind + 1];

	if (!strcmp(cmd, "write") || !strcmp(cmd, "loop"))
		flags = O_WRONLY | (buffered ? O_CREAT : 0);
	else if (!strcmp(cmd, "verify") || !strcmp(cmd, "zero") ||
		 !strcmp(cmd, "size"))
		flags = O_RDONLY;
	else if (!strcmp(cmd, "zeroout") || !strcmp(cmd, "discard"))
		flags = O_WRONLY;
	else
		return usage();
	if (!buffered && strcmp(cmd, "size"))
		flags |= O_DIRECT;
	fd = open(path, flags, 0644);
	if (fd < 0) {
		printf("blkpat: open %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (!strcmp(cmd, "size"))
		return run_size(fd);
	if (dev_size(fd, &size)) {
		printf("blkpat: size of %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (!have_len) {
		if (off > size)
			return usage();
		len = size - off;
	}
	end = off + len;
	if (!len || (end > size && !(buffered && flags & O_CREAT))) {
		printf("blkpat: range [%llu, %llu) not inside %s (%llu bytes)\n",
		       off, end, path, size);
		return 2;
	}
	if (!strcmp(cmd, "zeroout") || !strcmp(cmd, "discard"))
		return run_ioctl(fd, cmd, end);
	return run_rw(fd, cmd, end);
}
