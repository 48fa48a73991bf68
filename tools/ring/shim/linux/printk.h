/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: printk and friends.
 *
 * Every message is formatted (kernel %pV included, so a bad format or
 * argument is caught by the sanitizers), counted per log level in
 * shim_stats and kept as shim_last_msg(); it reaches stderr only when
 * verbose (SHIM_VERBOSE=1 or shim_set_verbose()), so fuzzing stays quiet.
 * Rate limits are not applied: they depend on time, and the harnesses must
 * be deterministic.
 */
#ifndef _SHIM_LINUX_PRINTK_H
#define _SHIM_LINUX_PRINTK_H

#include <stdarg.h>
#include <linux/compiler.h>

#define KERN_SOH	"\001"
#define KERN_EMERG	KERN_SOH "0"
#define KERN_ALERT	KERN_SOH "1"
#define KERN_CRIT	KERN_SOH "2"
#define KERN_ERR	KERN_SOH "3"
#define KERN_WARNING	KERN_SOH "4"
#define KERN_NOTICE	KERN_SOH "5"
#define KERN_INFO	KERN_SOH "6"
#define KERN_DEBUG	KERN_SOH "7"
#define KERN_CONT	KERN_SOH "c"

#define LOGLEVEL_ERR	3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_INFO	6
#define LOGLEVEL_DEBUG	7

/* What the kernel's %pV expects. */
struct va_format {
	const char *fmt;
	va_list *va;
};

struct device;

/* Implemented in shim.c; @dev may be NULL. A KERN_* prefix is honoured. */
__printf(3, 4) int shim_printk(int level, const struct device *dev,
			       const char *fmt, ...);

#define printk(fmt, ...)	shim_printk(-1, NULL, fmt, ##__VA_ARGS__)

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

/* Compiled out like pr_debug() without DEBUG, but still type-checked. */
#define no_printk(fmt, ...) \
	({ if (0) shim_printk(LOGLEVEL_DEBUG, NULL, fmt, ##__VA_ARGS__); 0; })

#define pr_emerg(fmt, ...)	shim_printk(0, NULL, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)	shim_printk(1, NULL, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)	shim_printk(2, NULL, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	shim_printk(3, NULL, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	shim_printk(4, NULL, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	shim_printk(5, NULL, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	shim_printk(6, NULL, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)	shim_printk(-1, NULL, KERN_CONT fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	no_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_devel(fmt, ...)	no_printk(pr_fmt(fmt), ##__VA_ARGS__)

/* Once per call site and per process, as in the kernel. */
#define __shim_once(call) ({						\
	static bool __shim_done;					\
	bool __shim_first = !__shim_done;				\
	if (__shim_first) {						\
		__shim_done = true;					\
		call;							\
	}								\
	__shim_first; })

#define printk_once(fmt, ...)	__shim_once(printk(fmt, ##__VA_ARGS__))
#define pr_err_once(fmt, ...)	__shim_once(pr_err(fmt, ##__VA_ARGS__))
#define pr_warn_once(fmt, ...)	__shim_once(pr_warn(fmt, ##__VA_ARGS__))
#define pr_info_once(fmt, ...)	__shim_once(pr_info(fmt, ##__VA_ARGS__))

#define printk_ratelimited(fmt, ...)	printk(fmt, ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...)	pr_warn(fmt, ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...)	pr_info(fmt, ##__VA_ARGS__)
#define pr_debug_ratelimited(fmt, ...)	pr_debug(fmt, ##__VA_ARGS__)
#define printk_ratelimit()		1

#endif /* _SHIM_LINUX_PRINTK_H */
