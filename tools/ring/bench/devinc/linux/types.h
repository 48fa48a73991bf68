/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of <linux/types.h> for <vireo/vring.h> in the benchmark's
 * device model, which is built without any kernel shim.
 */
#ifndef _BENCH_DEVINC_TYPES_H
#define _BENCH_DEVINC_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif
