// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line part of the kernel shim: allocation with accounting and
 * failure injection, page allocations with size checks, and printk with the
 * kernel's %pV. Single-threaded, like the harnesses that use it.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include "shim.h"

struct shim_stats shim_stats;
struct dentry shim_debugfs_dentry;

static unsigned long fail_countdown;	/* fail when it reaches 1 */
static bool fail_all;
static int verbose = -1;		/* -1: not decided yet */
static char last_msg[512];
static int last_level = 4;

/* kmalloc(0) gives this in the kernel: not NULL, but faults if touched. */
#define ZERO_SIZE_PTR	((void *)16)

void shim_reset(void)
{
	long live = shim_stats.alloc_live;

	memset(&shim_stats, 0, sizeof(shim_stats));
	shim_stats.alloc_live = live;
	fail_countdown = 0;
	fail_all = false;
	last_msg[0] = '\0';
}

void shim_fail_alloc_nth(unsigned long n)
{
	fail_countdown = n;
}

void shim_fail_alloc_all(bool on)
{
	fail_all = on;
}

const char *shim_last_msg(void)
{
	return last_msg;
}

void shim_set_verbose(bool on)
{
	verbose = on;
}

/* Count an attempt; true if it must fail on purpose. */
static bool shim_alloc_attempt(void)
{
	bool fail = fail_all;

	shim_stats.alloc_calls++;
	if (fail_countdown && --fail_countdown == 0)
		fail = true;
	if (fail)
		shim_stats.alloc_failed++;
	return fail;
}

/* A size the kernel allocator refuses: it warns unless told not to. */
static void *shim_alloc_too_big(size_t size, gfp_t gfp)
{
	shim_stats.alloc_failed++;
	if (!(gfp & __GFP_NOWARN))
		shim_warn(__FILE__, __LINE__, "allocation too large");
	(void)size;
	return NULL;
}

/* slub_debug's "uninitialised" poison, so stale reads are not zeros. */
static void shim_fill(void *p, size_t size, gfp_t gfp)
{
	memset(p, gfp & __GFP_ZERO ? 0 : 0x5a, size);
}

/*
 * Page allocations are recorded so that free_pages_exact() can check the
 * size and kfree() can refuse page memory. There are few of them (one per
 * ring), so a list does.
 */
struct shim_pages {
	struct shim_pages *next;
	void *addr;
	size_t size;
};

static struct shim_pages *pages;

static struct shim_pages **shim_pages_find(const void *addr)
{
	struct shim_pages **pp;

	for (pp = &pages; *pp; pp = &(*pp)->next)
		if ((*pp)->addr == addr)
			return pp;
	return NULL;
}

void *shim_alloc(size_t size, size_t limit, gfp_t gfp)
{
	void *p;

	if (shim_alloc_attempt())
		return NULL;
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > limit)
		return shim_alloc_too_big(size, gfp);
	p = malloc(size);
	if (!p)
		return NULL;
	shim_fill(p, size, gfp);
	shim_stats.alloc_live++;
	return p;
}

void *shim_realloc(const void *p, size_t size, gfp_t gfp)
{
	void *q;

	if (!p || p == ZERO_SIZE_PTR)
		return shim_alloc(size, KMALLOC_MAX_SIZE, gfp);
	if (shim_alloc_attempt())
		return NULL;
	if (!size) {
		shim_free(p);
		return ZERO_SIZE_PTR;
	}
	if (size > KMALLOC_MAX_SIZE)
		return shim_alloc_too_big(size, gfp);
	q = realloc((void *)p, size);
	return q;
}

void shim_free(const void *p)
{
	if (!p || p == ZERO_SIZE_PTR)
		return;
	if (shim_pages_find(p))
		shim_bug(__FILE__, __LINE__, "kfree() of page memory");
	free((void *)p);
	shim_stats.alloc_live--;
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	struct shim_pages *rec;
	int order;
	void *p;

	if (shim_alloc_attempt())
		return NULL;
	if (!size)
		shim_bug(__FILE__, __LINE__, "alloc_pages_exact(0)");
	order = get_order(size);
	if (order > MAX_ORDER)
		return shim_alloc_too_big(size, gfp);
	/* Aligned to the block's order, as the buddy allocator's blocks are. */
	if (posix_memalign(&p, PAGE_SIZE << order, size))
		return NULL;
	rec = malloc(sizeof(*rec));
	if (!rec) {
		free(p);
		return NULL;
	}
	shim_fill(p, size, gfp);
	rec->addr = p;
	rec->size = size;
	rec->next = pages;
	pages = rec;
	shim_stats.alloc_live++;
	return p;
}

void free_pages_exact(void *virt, size_t size)
{
	struct shim_pages **pp = shim_pages_find(virt);
	struct shim_pages *rec;

	if (!pp)
		shim_bug(__FILE__, __LINE__, "free_pages_exact() of memory not from alloc_pages_exact()");
	rec = *pp;
	if (rec->size != size)
		shim_bug(__FILE__, __LINE__, "free_pages_exact() with another size than allocated");
	*pp = rec->next;
	free(rec->addr);
	free(rec);
	shim_stats.alloc_live--;
}

/* ---- printk ------------------------------------------------------------ */

struct outbuf {
	char *buf;
	size_t len;
	size_t cap;
};

static void out_put(struct outbuf *o, const char *s, size_t n)
{
	size_t room = o->cap - 1 - o->len;

	if (n > room)
		n = room;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void shim_vformat(struct outbuf *o, const char *fmt, va_list *ap);

/*
 * Format one conversion with libc, fetching its argument with the type its
 * length modifier names. '*' widths are resolved into the spec first, so
 * libc sees one argument only.
 */
static const char *shim_format_one(struct outbuf *o, const char *fmt,
				   va_list *ap)
{
	char spec[48], tmp[128];
	size_t n = 0;
	int len = 0, lmod = 0;	/* 'H' hh, 'h', 'l', 'L' ll/L, 'z', 't', 'j' */
	char conv;

	spec[n++] = '%';
	while (*fmt && strchr("-+ #0", *fmt) && n < 8)
		spec[n++] = *fmt++;
	for (int pass = 0; pass < 2; pass++) {	/* width, then precision */
		if (pass == 1) {
			if (*fmt != '.')
				break;
			spec[n++] = *fmt++;
		}
		if (*fmt == '*') {
			n += snprintf(spec + n, 12, "%d", va_arg(*ap, int));
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9' && n < 30)
				spec[n++] = *fmt++;
		}
	}
	if (fmt[0] == 'h' && fmt[1] == 'h')
		lmod = 'H', fmt += 2;
	else if (fmt[0] == 'l' && fmt[1] == 'l')
		lmod = 'L', fmt += 2;
	else if (*fmt && strchr("hlLztj", *fmt))
		lmod = *fmt == 'L' ? 'L' : *fmt, fmt++;
	conv = *fmt ? *fmt++ : '\0';
	spec[n] = '\0';

	switch (conv) {
	case 'd': case 'i': {
		long long v = lmod == 'L' ? va_arg(*ap, long long) :
			      lmod == 'l' || lmod == 'z' || lmod == 't' ||
			      lmod == 'j' ? va_arg(*ap, long) : va_arg(*ap, int);

		strcat(spec, "lld");
		len = snprintf(tmp, sizeof(tmp), spec, v);
		break;
	}
	case 'u': case 'x': case 'X': case 'o': {
		unsigned long long v = lmod == 'L' ? va_arg(*ap, unsigned long long) :
				       lmod == 'l' || lmod == 'z' || lmod == 't' ||
				       lmod == 'j' ? va_arg(*ap, unsigned long) :
				       va_arg(*ap, unsigned int);

		if (lmod == 'H')
			v = (unsigned char)v;
		else if (lmod == 'h')
			v = (unsigned short)v;
		n = strlen(spec);
		snprintf(spec + n, sizeof(spec) - n, "ll%c", conv);
		len = snprintf(tmp, sizeof(tmp), spec, v);
		break;
	}
	case 'c':
		strcat(spec, "c");
		len = snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, int));
		break;
	case 's': {
		const char *s = va_arg(*ap, const char *);

		/* The kernel prints "(null)" rather than faulting. */
		strcat(spec, "s");
		len = snprintf(tmp, sizeof(tmp), spec, s ? s : "(null)");
		break;
	}
	case 'p': {
		void *p = va_arg(*ap, void *);

		if (*fmt == 'V') {	/* struct va_format: format it in place */
			struct va_format *vaf = p;
			va_list va;

			fmt++;
			va_copy(va, *vaf->va);
			shim_vformat(o, vaf->fmt, &va);
			va_end(va);
			return fmt;
		}
		/* Other kernel extensions (%pS, %pe...): plain pointer. */
		while ((*fmt >= 'a' && *fmt <= 'z') || (*fmt >= 'A' && *fmt <= 'Z'))
			fmt++;
		len = snprintf(tmp, sizeof(tmp), "%p", p);
		break;
	}
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
		/* Never in kernel code, but cheap to keep libc-compatible. */
		n = strlen(spec);
		snprintf(spec + n, sizeof(spec) - n, "%c", conv);
		len = snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, double));
		break;
	default:
		len = snprintf(tmp, sizeof(tmp), "%%?%c", conv ? conv : '?');
		break;
	}
	if (len > 0)
		out_put(o, tmp, (size_t)len < sizeof(tmp) ? (size_t)len : sizeof(tmp) - 1);
	return fmt;
}

static void shim_vformat(struct outbuf *o, const char *fmt, va_list *ap)
{
	while (*fmt) {
		const char *pct = strchr(fmt, '%');

		if (!pct) {
			out_put(o, fmt, strlen(fmt));
			return;
		}
		out_put(o, fmt, pct - fmt);
		if (pct[1] == '%') {
			out_put(o, "%", 1);
			fmt = pct + 2;
			continue;
		}
		fmt = shim_format_one(o, pct + 1, ap);
	}
}

int shim_printk(int level, const struct device *dev, const char *fmt, ...)
{
	struct outbuf o = { .buf = last_msg, .cap = sizeof(last_msg) };
	va_list ap;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		if (fmt[1] >= '0' && fmt[1] <= '7')
			level = fmt[1] - '0';
		else if (fmt[1] == 'c')
			level = last_level;
		fmt += 2;
	}
	if (level < 0 || level > 7)
		level = 4;	/* the kernel's default message level */
	last_level = level;
	shim_stats.msgs[level]++;

	last_msg[0] = '\0';
	if (dev) {
		out_put(&o, dev_name(dev), strlen(dev_name(dev)));
		out_put(&o, ": ", 2);
	}
	va_start(ap, fmt);
	shim_vformat(&o, fmt, &ap);
	va_end(ap);

	if (verbose < 0)
		verbose = getenv("SHIM_VERBOSE") && *getenv("SHIM_VERBOSE") == '1';
	if (verbose)
		fprintf(stderr, "<%d>%s%s", level, last_msg,
			o.len && last_msg[o.len - 1] == '\n' ? "" : "\n");
	return (int)o.len;
}

/* ---- WARN and BUG ------------------------------------------------------ */

void shim_warn(const char *file, int line, const char *cond)
{
	shim_stats.warns++;
	fprintf(stderr, "WARNING: %s:%d: %s\n", file, line, cond);
}

void shim_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "BUG: %s:%d: %s\n", file, line, what);
	abort();
}
