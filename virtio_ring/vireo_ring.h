/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_ring's private state, shared by its two files:
 *
 *   vireo_vq.c     what moves buffers: add, kick, get, callbacks, shutdown,
 *                  the interrupt entry (the hot paths)
 *   vireo_vring.c  a queue's life: creation, indirect table pool,
 *                  destruction, transport features, the module itself
 */
#ifndef _VIREO_RING_H
#define _VIREO_RING_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <vireo/transport.h>

/* Terminates the private free list; never a valid descriptor index. */
#define VIREO_DESC_END		VIREO_VRING_MAX_NUM

/*
 * The most buffers a driver may add between two kick_prepare() calls. One
 * more and the 16-bit avail index would lap the window [old, new) that
 * vireo_vring_need_event() examines, so a needed kick could be missed.
 */
#define VIREO_MAX_ADDED		U16_MAX

/* The used ring holds 32-bit fields; it must be at least that aligned. */
#define VIREO_MIN_ALIGN		4U

/*
 * The most memory one queue preallocates for indirect tables. A ring of
 * 256 heads declaring 130 entries (a block request of 128 segments) needs
 * 520 KiB; larger products get tables for the first heads only, which with
 * the free list's LIFO order are the ones in use while fewer buffers than
 * that are in flight. The cap also bounds what a device can make us spend
 * by offering a huge ring.
 */
#define VIREO_INDIR_POOL_MAX	(2U << 20)

/*
 * enable_cb_delayed() asks for the interrupt once this fraction (3/4) of
 * the buffers in flight is used: late enough to batch completions, early
 * enough that the queue does not run dry while the interrupt is pending.
 */
#define VIREO_DELAY_NUM		3U
#define VIREO_DELAY_DEN		4U

/* Indirect tables allocated per buffer (vireo_vring.c; debugfs). */
extern atomic_t vireo_indir_allocs;

/**
 * struct vireo_vq_head - what the ring remembers about one chain in flight
 * @token: the driver's token; non-NULL exactly while the chain is in flight
 * @indir: the chain's allocated indirect table, or NULL for a direct chain
 *	or one in the preallocated pool (which is never freed per chain)
 * @in_len: device-writable bytes posted (64 bits: no saturation needed)
 * @ndesc: ring descriptors the chain occupies (1 for an indirect chain)
 * @last: ring index of the chain's last descriptor
 *
 * Indexed by the chain's head descriptor. It lives in guest-private memory
 * so that validating a completion and freeing a chain never depend on what
 * the device may have written into the descriptor table.
 */
struct vireo_vq_head {
	void *token;
	struct vireo_vring_desc *indir;
	u64 in_len;
	u16 ndesc;
	u16 last;
};

/**
 * struct vireo_vq - the private side of a virtqueue
 * @vq: the public part handed to drivers
 * @vring: pointers into the shared ring memory
 * @ring_mem: the ring memory, from alloc_pages_exact()
 * @ring_bytes: size of @ring_mem
 * @notify: the transport's kick; returns false if the device is gone
 * @next: private descriptor links: the free list and every chain in flight
 * @free_head: first free descriptor, or VIREO_DESC_END when none is free
 * @avail_idx: shadow of avail->idx, which is never read back
 * @avail_flags: shadow of avail->flags, which is never read back
 * @last_used: free-running index of the next used entry to consume
 * @num_added: buffers added since the last vireo_vq_kick_prepare()
 * @in_flight: chains made available and not yet detached
 * @shutdown_pos: where vireo_vq_shutdown() resumes its scan
 * @pool: preallocated indirect tables, @pool_sg entries for each of the
 *	first @pool_heads heads; NULL when none
 * @pool_bytes: size of @pool
 * @pool_heads: heads that have a table in @pool
 * @pool_sg: entries in each table of @pool
 * @max_chain: the most entries a buffer may have: the ring size, or 32768
 *	(indirect tables link with 16-bit indices too) with indirect tables
 * @min_indirect: buffers of more entries than this go indirect: 1 with
 *	VIREO_RING_F_INDIRECT_DESC (a table never helps a single entry),
 *	else UINT_MAX
 * @use_indirect: VIREO_RING_F_INDIRECT_DESC was negotiated
 * @use_event_idx: VIREO_RING_F_EVENT_IDX was negotiated
 * @cb_enabled: the driver wants callbacks
 * @cb_event: @cb_enabled and @use_event_idx: get_buf publishes used_event
 * @broken: the queue is unusable (READ_ONCE/WRITE_ONCE)
 * @quiesced: the transport reset the device; callbacks never run again
 *	(READ_ONCE/WRITE_ONCE)
 * @reported: a device violation was already reported for this queue
 * @len_reported: an over-long used length was already reported
 * @exact_len: over-long used lengths are reported, not clamped
 * @heads: per-chain state, indexed by head descriptor
 */
struct vireo_vq {
	struct vireo_virtqueue vq;
	struct vireo_vring vring;
	void *ring_mem;
	size_t ring_bytes;
	bool (*notify)(struct vireo_virtqueue *vq);
	u16 *next;
	u16 free_head;
	u16 avail_idx;
	u16 avail_flags;
	u16 last_used;
	u16 num_added;
	unsigned int in_flight;
	unsigned int shutdown_pos;
	struct vireo_vring_desc *pool;
	size_t pool_bytes;
	unsigned int pool_heads;
	unsigned int pool_sg;
	unsigned int max_chain;
	unsigned int min_indirect;
	bool use_indirect;
	bool use_event_idx;
	bool cb_enabled;
	bool cb_event;
	bool broken;
	bool quiesced;
	bool reported;
	bool len_reported;
	bool exact_len;
	struct vireo_vq_head heads[];
};

static inline struct vireo_vq *to_vvq(struct vireo_virtqueue *vq)
{
	return container_of(vq, struct vireo_vq, vq);
}

static inline const struct vireo_vq *to_cvvq(const struct vireo_virtqueue *vq)
{
	return container_of_const(vq, struct vireo_vq, vq);
}

/* The driver turns callbacks on or off; get_buf's test is one flag. */
static inline void vireo_vq_set_cb(struct vireo_vq *vvq, bool on)
{
	vvq->cb_enabled = on;
	vvq->cb_event = on && vvq->use_event_idx;
}

#endif /* _VIREO_RING_H */
