/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/align.h> for the benchmark's device model. */
#ifndef _BENCH_DEVINC_ALIGN_H
#define _BENCH_DEVINC_ALIGN_H
#define ALIGN(x, a)	(((x) + ((a) - 1)) & ~((typeof(x))(a) - 1))
#endif
