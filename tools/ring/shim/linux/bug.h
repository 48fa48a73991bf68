/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: WARN and BUG.
 *
 * A WARN is counted in shim_stats.warns and printed: the project forbids
 * WARN on device input, so the fuzzer treats any count as a failure. A BUG
 * aborts with the location, as it would oops a kernel.
 */
#ifndef _SHIM_LINUX_BUG_H
#define _SHIM_LINUX_BUG_H

#include <linux/build_bug.h>
#include <linux/compiler.h>

void shim_warn(const char *file, int line, const char *cond);
__noreturn void shim_bug(const char *file, int line, const char *what);

#define WARN_ON(cond) ({						\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		shim_warn(__FILE__, __LINE__, #cond);			\
	unlikely(__c); })
#define WARN(cond, fmt, ...) ({						\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		shim_warn(__FILE__, __LINE__, fmt);			\
	unlikely(__c); })
#define WARN_ON_ONCE(cond)		WARN_ON(cond)
#define WARN_ONCE(cond, fmt, ...)	WARN(cond, fmt, ##__VA_ARGS__)

#define BUG()		shim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond) \
	do { if (unlikely(cond)) shim_bug(__FILE__, __LINE__, #cond); } while (0)

#endif /* _SHIM_LINUX_BUG_H */
