/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tests can ask of the kernel shim: allocation accounting, failure
 * injection and the messages the code under test printed.
 */
#ifndef _SHIM_SHIM_H
#define _SHIM_SHIM_H

#include <linux/types.h>

/**
 * struct shim_stats - what the code under test did
 * @alloc_calls: allocation attempts (kmalloc/kvmalloc/alloc_pages_exact
 *	families), successful or not
 * @alloc_failed: attempts that failed, injected or refused for size
 * @alloc_live: allocations not freed yet (kept across shim_reset())
 * @msgs: messages printed, indexed by log level (0 emerg .. 7 debug)
 * @warns: WARN*() that fired
 */
struct shim_stats {
	unsigned long alloc_calls;
	unsigned long alloc_failed;
	long alloc_live;
	unsigned long msgs[8];
	unsigned long warns;
};

extern struct shim_stats shim_stats;

/* Zero the counters (all but alloc_live) and cancel failure injection. */
void shim_reset(void);

/* Make the @n-th allocation attempt from now fail (1: the next); 0: none. */
void shim_fail_alloc_nth(unsigned long n);

/* Make every allocation attempt fail while @on. */
void shim_fail_alloc_all(bool on);

/* The last message printed, without its KERN_ prefix; "" if none. */
const char *shim_last_msg(void);

/* Copy messages to stderr (default: the SHIM_VERBOSE environment variable). */
void shim_set_verbose(bool on);

#endif /* _SHIM_SHIM_H */
