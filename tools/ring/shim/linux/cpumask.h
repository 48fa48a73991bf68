/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: CPU masks, for a single CPU. */
#ifndef _SHIM_LINUX_CPUMASK_H
#define _SHIM_LINUX_CPUMASK_H

#include <linux/bitops.h>

#define NR_CPUS		1
#define nr_cpu_ids	1U

struct cpumask {
	unsigned long bits[BITS_TO_LONGS(NR_CPUS)];
};
typedef struct cpumask cpumask_t;

#define cpumask_bits(m)	((m)->bits)

#endif /* _SHIM_LINUX_CPUMASK_H */
