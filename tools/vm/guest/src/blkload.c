// SPDX-License-Identifier: GPL-2.0
/*
 * blkload: a small block-device load generator for the vireo benchmark
 * (bench/blk.sh, Documentation/blk-bench.rst).
 *
 *   blkload [options] DEV [DEV...]
 *     -p PATTERN  randread, randwrite, seqread or seqwrite (randread)
 *     -b SIZE     bytes per I/O, K/M suffixes allowed (4K)
 *     -q DEPTH    I/Os kept in flight on the device being driven (1)
 *     -t SECS     run for SECS seconds in all (default 10)
 *     -n OPS      stop each device after OPS I/Os (with -t: whichever
 *                 comes first)
 *     -i MSECS    with several devices, drive them in turn for slices of
 *                 MSECS milliseconds (100)
 *     -s SEED     PRNG seed for random offsets (1)
 *     -z SIZE     use only the first SIZE bytes of each device (all of it)
 *     -c CPU      pin to CPU
 *     -l LABELS   comma-separated labels, one per device, copied into the
 *                 result lines (default: the device names)
 *     -W          allow writes (the write patterns destroy the data)
 *
 * Linux native AIO through raw syscalls (io_setup, io_submit,
 * io_getevents): glibc only, so it links statically into the guest
 * initramfs. Devices are opened O_DIRECT and every buffer is page aligned,
 * so each I/O reaches the driver as one request of SIZE bytes, unless the
 * block layer splits it (a 1 MiB buffer of 256 scattered pages exceeds a
 * virtio-blk disk's 254 segments). The devices share one set of buffers,
 * so a buffer splits, or not, on all of them alike. Completed I/Os are resubmitted together in one
 * io_submit() call, which plugs and hands the driver a batch, as an
 * application with a queue of work would.
 *
 * Several devices are compared fairly: one device at a time is driven, in
 * slices of -i milliseconds, each slice drained before the next starts,
 * in the order A B B A A B B A ... (for two devices), so that anything
 * else slowing the machine down for a while (under QEMU TCG: the host)
 * falls on all devices alike. Each device has its own PRNG seeded with
 * -s, so all devices see the same offsets in the same order.
 *
 * Prints one line per device:
 *   BLKLOAD label=L dev=D pattern=P bs=B qd=Q ops=N secs=S iops=I mbps=M
 *           lat_us=A lat_max_us=X slices=K iops_med=I mbps_med=M
 *           lat_med_us=A
 * (one line). secs is the device's own time, the sum of its slices;
 * iops, mbps and lat_us are over the whole run; the _med values are the
 * medians over the slices of each slice's IOPS, MB/s and mean latency,
 * which a few slices stalled by the host do not move. MB = 10^6 bytes;
 * latency runs from io_submit() to the return of the io_getevents() call
 * that reaped the I/O. With two devices A and B, a last line
 *   BLKLOAD-PAIR a=LA b=LB pairs=N ratio_med=R
 * gives the median over the N pairs of back-to-back slices of A's IOPS
 * over B's. Exits 0 on success, 1 on an I/O error or short transfer, 2 on
 * a usage or setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "guest-util.h"

#define MAX_DEVS	8
/* Slices recorded per device for the medians; later ones only count in the means. */
#define MAX_SLICES	65536
#define MAX_QD		256
#define MAX_BS		(16u << 20)
/* A device that has not completed anything for this long is stuck. */
#define STALL_SECS	30

struct slot {
	struct iocb cb;
	void *buf;
	uint64_t t_submit;	/* ns */
};

struct opts {
	int random;
	int write;
	int allow_write;
	unsigned int bs;
	unsigned int qd;
	double secs;
	uint64_t max_ops;
	uint64_t slice_ns;
	uint64_t seed;
	uint64_t span;
	int cpu;
};

/* One device under load. */
struct job {
	const struct opts *o;
	const char *dev;
	const char *label;
	int fd;
	aio_context_t ctx;
	uint64_t nblocks;	/* bs-sized blocks in the span */
	uint64_t prng;
	uint64_t next_seq;	/* next block of a sequential pattern */
	uint64_t submitted;
	unsigned int inflight;
	/* Results. */
	uint64_t ops;
	uint64_t lat_sum;	/* ns */
	uint64_t lat_max;	/* ns */
	uint64_t busy;		/* ns: the sum of this device's slices */
	unsigned int slices;
	/* Per slice: IOPS and mean latency (us), for the medians. */
	double *slice_iops;
	double *slice_lat;
	struct slot slots[MAX_QD];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* splitmix64: tiny, seedable, and good enough to scatter offsets. */
static uint64_t prng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int sys_io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static int sys_io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static int sys_io_submit(aio_context_t ctx, long nr, struct iocb **cbs)
{
	return syscall(SYS_io_submit, ctx, nr, cbs);
}

static int sys_io_getevents(aio_context_t ctx, long min_nr, long nr,
			    struct io_event *ev, struct timespec *timeout)
{
	return syscall(SYS_io_getevents, ctx, min_nr, nr, ev, timeout);
}

static void usage(void)
{
	fprintf(stderr,
		"%s [-p randread|randwrite|seqread|seqwrite] [-b SIZE] [-q DEPTH]\n"
		"       [-t SECS] [-n OPS] [-i MSECS] [-s SEED] [-z SIZE] [-c CPU]\n"
		"       [-l LABEL,...] [-W] DEV [DEV...]\n", "usage: blkload");
	exit(2);
}

static void parse_pattern(struct opts *o, const char *p)
{
	if (!strcmp(p, "randread") || !strcmp(p, "randwrite")) {
		o->random = 1;
	} else if (!strcmp(p, "seqread") || !strcmp(p, "seqwrite")) {
		o->random = 0;
	} else {
		fprintf(stderr, "blkload: unknown pattern '%s'\n", p);
		usage();
	}
	o->write = !!strstr(p, "write");
}

static const char *pattern_name(const struct opts *o)
{
	if (o->random)
		return o->write ? "randwrite" : "randread";
	return o->write ? "seqwrite" : "seqread";
}

static void check_opts(const struct opts *o)
{
	if (!o->bs || o->bs % 512 || o->bs > MAX_BS) {
		fprintf(stderr, "blkload: -b must be a multiple of 512 up to %u\n", MAX_BS);
		exit(2);
	}
	if (!o->qd || o->qd > MAX_QD) {
		fprintf(stderr, "blkload: -q must be 1..%d\n", MAX_QD);
		exit(2);
	}
	if (o->secs <= 0 && !o->max_ops) {
		fprintf(stderr, "blkload: need -t SECS > 0 or -n OPS\n");
		exit(2);
	}
	if (!o->slice_ns) {
		fprintf(stderr, "blkload: -i must be at least 1 ms\n");
		exit(2);
	}
	if (o->write && !o->allow_write) {
		fprintf(stderr, "blkload: write patterns destroy the devices' data; pass -W\n");
		exit(2);
	}
}

/*
 * parse_opts: fill O, and DEVS/LABELS (NDEV entries) from the command
 * line. LABELS point into a copy of the -l argument.
 */
static void parse_opts(struct opts *o, int argc, char **argv,
		       struct job *jobs, int *ndev)
{
	char *labels = NULL, *tok, *save = NULL;
	unsigned long long v;
	int c, i;

	*o = (struct opts){ .random = 1, .bs = 4096, .qd = 1, .secs = 10,
			    .slice_ns = 100000000, .seed = 1, .cpu = -1 };
	while ((c = getopt(argc, argv, "p:b:q:t:n:i:s:z:c:l:W")) != -1) {
		switch (c) {
		case 'p':
			parse_pattern(o, optarg);
			break;
		case 'b':
			o->bs = parse_size(optarg, &v) ? 0 : v;
			break;
		case 'q':
			o->qd = strtoul(optarg, NULL, 0);
			break;
		case 't':
			o->secs = strtod(optarg, NULL);
			break;
		case 'n':
			o->max_ops = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			o->slice_ns = strtoull(optarg, NULL, 0) * 1000000;
			break;
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'z':
			o->span = parse_size(optarg, &v) ? 0 : v;
			break;
		case 'c':
			o->cpu = atoi(optarg);
			break;
		case 'l':
			labels = strdup(optarg);
			break;
		case 'W':
			o->allow_write = 1;
			break;
		default:
			usage();
		}
	}
	*ndev = argc - optind;
	if (*ndev < 1 || *ndev > MAX_DEVS)
		usage();
	check_opts(o);
	tok = labels ? strtok_r(labels, ",", &save) : NULL;
	for (i = 0; i < *ndev; i++) {
		jobs[i].o = o;
		jobs[i].dev = argv[optind + i];
		jobs[i].label = tok ? tok : jobs[i].dev;
		if (tok)
			tok = strtok_r(NULL, ",", &save);
	}
}

/* dev_size: bytes in J's device (a block device or a regular file). */
static uint64_t dev_size(const struct job *j)
{
	struct stat st;
	uint64_t size;

	if (fstat(j->fd, &st)) {
		perror(j->dev);
		exit(2);
	}
	if (S_ISREG(st.st_mode))
		return st.st_size;
	if (ioctl(j->fd, BLKGETSIZE64, &size)) {
		fprintf(stderr, "blkload: BLKGETSIZE64 on %s: %s\n", j->dev, strerror(errno));
		exit(2);
	}
	return size;
}

/*
 * setup: open J's device and give it the shared buffers BUFS. The devices
 * never have I/O in flight at the same time, so they share one set of
 * buffers, and with it one physical layout: how many segments a buffer
 * makes (and so whether a large I/O is split) depends on which pages it
 * got, and this must not differ between the devices being compared.
 */
static void setup(struct job *j, void **bufs)
{
	const struct opts *o = j->o;
	uint64_t size;
	unsigned int i;

	j->fd = open(j->dev, (o->write ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (j->fd < 0) {
		perror(j->dev);
		exit(2);
	}
	size = dev_size(j);
	if (o->span && o->span < size)
		size = o->span;
	j->nblocks = size / o->bs;
	if (!j->nblocks) {
		fprintf(stderr, "blkload: %s has no full %u-byte block\n", j->dev, o->bs);
		exit(2);
	}
	j->prng = o->seed;
	j->slice_iops = calloc(MAX_SLICES, sizeof(*j->slice_iops));
	j->slice_lat = calloc(MAX_SLICES, sizeof(*j->slice_lat));
	if (!j->slice_iops || !j->slice_lat) {
		fprintf(stderr, "blkload: out of memory\n");
		exit(2);
	}
	for (i = 0; i < o->qd; i++)
		j->slots[i].buf = bufs[i];
	if (sys_io_setup(o->qd, &j->ctx)) {
		perror("blkload: io_setup");
		exit(2);
	}
}

static uint64_t next_offset(struct job *j)
{
	uint64_t blk;

	if (j->o->random) {
		blk = prng_next(&j->prng) % j->nblocks;
	} else {
		blk = j->next_seq;
		j->next_seq = (j->next_seq + 1) % j->nblocks;
	}
	return blk * j->o->bs;
}

static void prep(struct job *j, struct slot *s)
{
	memset(&s->cb, 0, sizeof(s->cb));
	s->cb.aio_data = (uintptr_t)s;
	s->cb.aio_lio_opcode = j->o->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
	s->cb.aio_fildes = j->fd;
	s->cb.aio_buf = (uintptr_t)s->buf;
	s->cb.aio_nbytes = j->o->bs;
	s->cb.aio_offset = next_offset(j);
}

/* submit: prepare and submit N slots in one io_submit() call. */
static int submit(struct job *j, struct slot **batch, unsigned int n)
{
	struct iocb *cbs[MAX_QD];
	unsigned int i, done = 0;
	uint64_t t;
	int r;

	for (i = 0; i < n; i++) {
		prep(j, batch[i]);
		cbs[i] = &batch[i]->cb;
	}
	t = now_ns();
	for (i = 0; i < n; i++)
		batch[i]->t_submit = t;
	/* The kernel may take fewer than asked; submit the rest again. */
	while (done < n) {
		r = sys_io_submit(j->ctx, n - done, cbs + done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "blkload: io_submit on %s: %s\n", j->dev,
				r < 0 ? strerror(errno) : "took nothing");
			return -1;
		}
		done += r;
	}
	j->submitted += n;
	j->inflight += n;
	return 0;
}

/* ops_left: I/Os J may still submit (-n), PENDING being batched. */
static uint64_t ops_left(const struct job *j, unsigned int pending)
{
	if (!j->o->max_ops)
		return UINT64_MAX;
	if (j->submitted + pending >= j->o->max_ops)
		return 0;
	return j->o->max_ops - j->submitted - pending;
}

/* check_event: 0 if EV is a full transfer, else report it. */
static int check_event(const struct job *j, const struct io_event *ev)
{
	const struct slot *s = (const struct slot *)(uintptr_t)ev->data;
	long long res = (long long)ev->res;

	if (res == j->o->bs)
		return 0;
	if (res < 0)
		fprintf(stderr, "blkload: %s %s at %lld: %s\n", j->dev,
			j->o->write ? "write" : "read",
			(long long)s->cb.aio_offset, strerror(-res));
	else
		fprintf(stderr, "blkload: %s: short transfer: %lld of %u bytes\n",
			j->dev, res, j->o->bs);
	return -1;
}

/* reap: wait for completions of J, account them, collect slots to reuse. */
static int reap(struct job *j, uint64_t until, struct slot **batch,
		unsigned int *n)
{
	struct io_event ev[MAX_QD];
	struct timespec stall = { .tv_sec = STALL_SECS };
	uint64_t t, lat;
	int i, r, err = 0;

	do
		r = sys_io_getevents(j->ctx, 1, j->inflight, ev, &stall);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		perror("blkload: io_getevents");
		return -1;
	}
	if (r == 0) {
		fprintf(stderr, "blkload: %s: no completion in %d s (%u in flight)\n",
			j->dev, STALL_SECS, j->inflight);
		return -1;
	}
	t = now_ns();
	j->inflight -= r;
	*n = 0;
	for (i = 0; i < r; i++) {
		struct slot *s = (struct slot *)(uintptr_t)ev[i].data;

		if (check_event(j, &ev[i]))
			err = -1;
		lat = t - s->t_submit;
		j->lat_sum += lat;
		if (lat > j->lat_max)
			j->lat_max = lat;
		j->ops++;
		if (!err && t < until && ops_left(j, *n))
			batch[(*n)++] = s;
	}
	return err;
}

/*
 * slice: drive J alone until UNTIL (ns) or its -n count, then drain it.
 * The slice's time, first submission to last completion, is added to
 * J's busy time.
 */
static int slice(struct job *j, uint64_t until)
{
	struct slot *batch[MAX_QD];
	uint64_t t0 = now_ns(), left = ops_left(j, 0);
	uint64_t ops0 = j->ops, lat0 = j->lat_sum, ns;
	unsigned int i, n = j->o->qd;

	if (!left)
		return 0;
	if (n > left)
		n = left;
	for (i = 0; i < n; i++)
		batch[i] = &j->slots[i];
	if (submit(j, batch, n))
		return -1;
	while (j->inflight) {
		if (reap(j, until, batch, &n))
			return -1;
		if (n && submit(j, batch, n))
			return -1;
	}
	ns = now_ns() - t0;
	j->busy += ns;
	if (j->slices < MAX_SLICES && ns) {
		j->slice_iops[j->slices] = (j->ops - ops0) * 1e9 / ns;
		j->slice_lat[j->slices] = (j->lat_sum - lat0) / 1e3 / (j->ops - ops0);
	}
	j->slices++;
	return 0;
}

/* all_done: every device has done its -n count. */
static int all_done(const struct job *jobs, int ndev)
{
	int i;

	for (i = 0; i < ndev; i++)
		if (ops_left(&jobs[i], 0))
			return 0;
	return 1;
}

/*
 * run: slices in the order 0 1 .. n-1, n-1 .. 1 0, 0 1 ... so that a
 * linear drift in the machine's speed favours no device.
 */
static int run(struct job *jobs, int ndev)
{
	const struct opts *o = jobs[0].o;
	uint64_t start = now_ns(), end = UINT64_MAX, until;
	unsigned int k;
	int i, d;

	if (o->secs > 0)
		end = start + (uint64_t)(o->secs * 1e9);
	for (k = 0; now_ns() < end && !all_done(jobs, ndev); k++) {
		for (i = 0; i < ndev; i++) {
			d = k % 2 ? ndev - 1 - i : i;
			until = ndev > 1 ? now_ns() + o->slice_ns : end;
			if (until > end)
				until = end;
			if (slice(&jobs[d], until))
				return -1;
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* median: of the first N values of V (sorts them). */
static double median(double *v, unsigned int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const struct job *j)
{
	unsigned int n = j->slices < MAX_SLICES ? j->slices : MAX_SLICES;
	double secs = j->busy ? j->busy / 1e9 : 1;
	double mean = j->ops ? j->lat_sum / 1e3 / j->ops : 0;
	double iops_med = median(j->slice_iops, n);

	printf("BLKLOAD label=%s dev=%s pattern=%s bs=%u qd=%u ops=%llu",
	       j->label, j->dev, pattern_name(j->o), j->o->bs, j->o->qd,
	       (unsigned long long)j->ops);
	printf(" secs=%.3f iops=%.1f mbps=%.2f lat_us=%.1f lat_max_us=%.1f",
	       secs, j->ops / secs, j->ops * (double)j->o->bs / secs / 1e6,
	       mean, j->lat_max / 1e3);
	printf(" slices=%u iops_med=%.1f mbps_med=%.2f lat_med_us=%.1f\n",
	       j->slices, iops_med, iops_med * j->o->bs / 1e6,
	       median(j->slice_lat, n));
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("blkload: sched_setaffinity");
		exit(2);
	}
}

/*
 * report_pair: for two devices, the median over k of the IOPS ratio of
 * their k-th slices. Slices k of A and B run back to back, so this ratio
 * is the one least disturbed by the machine's changing speed.
 */
static void report_pair(const struct job *a, const struct job *b)
{
	unsigned int k, n = a->slices < b->slices ? a->slices : b->slices;
	double *r;

	if (n > MAX_SLICES)
		n = MAX_SLICES;
	r = calloc(n ? n : 1, sizeof(*r));
	if (!r)
		return;
	for (k = 0; k < n; k++)
		r[k] = b->slice_iops[k] > 0 ? a->slice_iops[k] / b->slice_iops[k] : 0;
	printf("BLKLOAD-PAIR a=%s b=%s pairs=%u ratio_med=%.4f\n", a->label,
	       b->label, n, median(r, n));
	free(r);
}

/* alloc_bufs: QD page-aligned buffers of BS bytes, touched. */
static void alloc_bufs(void **bufs, const struct opts *o)
{
	unsigned int i;

	for (i = 0; i < o->qd; i++) {
		if (posix_memalign(&bufs[i], 4096, o->bs)) {
			fprintf(stderr, "blkload: out of memory\n");
			exit(2);
		}
		/* A non-zero pattern for writes; read buffers are faulted in too. */
		memset(bufs[i], 0xa5 ^ i, o->bs);
	}
}

int main(int argc, char **argv)
{
	static struct job jobs[MAX_DEVS];
	void *bufs[MAX_QD];
	struct opts o;
	int i, ndev, err;

	parse_opts(&o, argc, argv, jobs, &ndev);
	pin(o.cpu);
	alloc_bufs(bufs, &o);
	for (i = 0; i < ndev; i++)
		setup(&jobs[i], bufs);
	err = run(jobs, ndev);
	/* Before report(), which sorts the per-slice values. */
	if (!err && ndev == 2)
		report_pair(&jobs[0], &jobs[1]);
	for (i = 0; i < ndev; i++) {
		if (!err)
			report(&jobs[i]);
		sys_io_destroy(jobs[i].ctx);
		close(jobs[i].fd);
	}
	fflush(stdout);
	return err ? 1 : 0;
}
