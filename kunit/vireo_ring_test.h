/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring suites' shared context and helpers (vireo_ring_test_lib.c).
 */
#ifndef _VIREO_RING_TEST_H
#define _VIREO_RING_TEST_H

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/scatterlist.h>
#include <vireo/transport.h>
#include "vireo_simdev.h"

#define RT_ALIGN	VIREO_VRING_LEGACY_ALIGN
#define RT_SEG		16U	/* bytes in each piece rt_add() posts */
#define RT_MAX_IOV	80U
#define RT_INDIRECT	BIT_ULL(VIREO_RING_F_INDIRECT_DESC)
#define RT_EVENT_IDX	BIT_ULL(VIREO_RING_F_EVENT_IDX)
#define RT_POOL		256U	/* pieces in a context's buffer pool */
#define RT_LINE		1024U	/* room for a kernel log line */

/* Tokens need only be distinct, non-NULL pointers. */
extern char rt_tokens[64];
#define RT_TOKEN(i)	((void *)&rt_tokens[(i) % ARRAY_SIZE(rt_tokens)])

/**
 * struct rt_ctx - one test's queue and simulated device
 * @test: the running test
 * @vdev: the fake device
 * @vq: the queue under test
 * @sq: the simulated device side of @vq
 * @pool: RT_POOL pieces of RT_SEG bytes for buffers
 * @sg: a scatterlist of RT_MAX_IOV entries for rt_add()
 * @iov: room for the device's view of one chain
 * @rnd: the test's pseudo-random numbers (fixed seed: reproducible)
 * @log_mark: kernel log position where message counting starts
 * @line: room for one kernel log line
 * @notifies: calls of the notify callback
 * @callbacks: calls of the queue callback
 * @notify_ok: what the notify callback returns
 * @max_sg: the longest buffer the next queue declares (vireo_vq_info)
 * @max_bufs: the most buffers in flight the next queue declares
 * @exact_len: the next queue reports over-long used lengths unclamped
 */
struct rt_ctx {
	struct kunit *test;
	struct vireo_device *vdev;
	struct vireo_virtqueue *vq;
	struct vireo_simq sq;
	u8 *pool;
	struct scatterlist *sg;
	struct vireo_simq_iov *iov;
	struct rnd_state rnd;
	u64 log_mark;
	char *line;
	unsigned int notifies;
	unsigned int callbacks;
	bool notify_ok;
	unsigned int max_sg;
	unsigned int max_bufs;
	bool exact_len;
};

bool rt_notify(struct vireo_virtqueue *vq);
void rt_callback(struct vireo_virtqueue *vq);
u32 rt_rand(struct rt_ctx *ctx, u32 below);
unsigned int rt_drain(struct rt_ctx *ctx);
void rt_drop_queue(struct rt_ctx *ctx);
void rt_teardown(struct rt_ctx *ctx);
void rt_new_queue(struct rt_ctx *ctx, unsigned int num, u64 features);
void rt_setup(struct rt_ctx *ctx, unsigned int num, u64 features);
u8 *rt_piece(struct rt_ctx *ctx, unsigned int n);
int rt_add_at(struct rt_ctx *ctx, unsigned int nout, unsigned int nin,
	      void *token, unsigned int first, gfp_t gfp);
int rt_add(struct rt_ctx *ctx, unsigned int nout, unsigned int nin,
	   void *token);
u16 rt_take(struct rt_ctx *ctx);
u16 rt_complete(struct rt_ctx *ctx, u32 len);
u16 rt_desc_flags(struct rt_ctx *ctx, u16 i);
void rt_log_mark(struct rt_ctx *ctx);
unsigned int rt_log_count(struct rt_ctx *ctx, const char *what);
void rt_expect_broken(struct rt_ctx *ctx, unsigned int in_flight);
int rt_init(struct kunit *test);
void rt_exit(struct kunit *test);

#endif /* _VIREO_RING_TEST_H */
