/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/build_bug.h> for the benchmark's device model: C11 static_assert. */
#ifndef _BENCH_DEVINC_BUILD_BUG_H
#define _BENCH_DEVINC_BUILD_BUG_H
#include <assert.h>
#endif
