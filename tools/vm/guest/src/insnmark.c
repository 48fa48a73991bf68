// SPDX-License-Identifier: GPL-2.0
/*
 * insnmark: mark a phase for the instruction-counting QEMU plugin
 * (tools/tcg-insn/tcg-insn.c, Documentation/blk-bench.rst).
 *
 *   insnmark LABEL             execute the marker for LABEL once
 *   insnmark -L N LABEL        LABEL+, a loop of N iterations of exactly
 *                              two user-mode instructions, LABEL-: a
 *                              known count to check the plugin against
 *
 * A LABEL ending in '+' opens the plugin's phase of that name, one
 * ending in '-' closes it.  Labels: 1 to 60 bytes of [A-Za-z0-9._/:=+-].
 *
 * The marker is a run of 7-byte NOPs (nopl disp32(%rax)): the magic
 * displacement "viro", then the label four bytes a NOP, NUL-padded,
 * then ret, written at the start of a fresh executable page so that
 * QEMU translates the whole run as one block.  Without the plugin the
 * marker does nothing.  Exits 0, or 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MARK_MAGIC	0x6f726976u	/* "viro" */
#define LABEL_MAX	60

static void usage(void)
{
	fprintf(stderr, "usage: insnmark [-L N] LABEL\n");
	exit(2);
}

static unsigned char *nopl(unsigned char *p, uint32_t disp)
{
	p[0] = 0x0f;
	p[1] = 0x1f;
	p[2] = 0x80;
	memcpy(p + 3, &disp, 4);
	return p + 7;
}

/* The marker for LABEL at P: magic, label (NUL-terminated), ret. */
static void emit(unsigned char *p, const char *label)
{
	char buf[LABEL_MAX + 4] = { 0 };
	size_t len = strlen(label), i;
	uint32_t d;

	memcpy(buf, label, len);
	p = nopl(p, MARK_MAGIC);
	/* Up to and including the chunk holding the terminating NUL. */
	for (i = 0; i <= len; i += 4) {
		memcpy(&d, buf + i, 4);
		p = nopl(p, d);
	}
	*p = 0xc3;
}

static int valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > LABEL_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._/:=+-") == n;
}

/* Two pages, one marker each, made executable after being written. */
static void (*make(const char *a, const char *b, void (**second)(void)))(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED) {
		perror("insnmark: mmap");
		exit(2);
	}
	emit(m, a);
	if (b)
		emit(m + pg, b);
	if (mprotect(m, 2 * pg, PROT_READ | PROT_EXEC)) {
		perror("insnmark: mprotect");
		exit(2);
	}
	*second = (void (*)(void))(m + pg);
	return (void (*)(void))m;
}

int main(int argc, char **argv)
{
	char begin[LABEL_MAX + 2], end[LABEL_MAX + 2];
	void (*first)(void), (*second)(void);
	unsigned long n = 0;
	int opt;

	while ((opt = getopt(argc, argv, "L:")) != -1) {
		if (opt != 'L')
			usage();
		n = strtoul(optarg, NULL, 0);
	}
	if (optind != argc - 1 || !valid(argv[optind]) ||
	    (n && strlen(argv[optind]) > LABEL_MAX - 1))
		usage();
	if (!n) {
		first = make(argv[optind], NULL, &second);
		first();
		return 0;
	}
	snprintf(begin, sizeof(begin), "%s+", argv[optind]);
	snprintf(end, sizeof(end), "%s-", argv[optind]);
	first = make(begin, end, &second);
	first();
	/* Exactly two instructions an iteration: dec, jnz. */
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc");
	second();
	return 0;
}
