/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated legacy virtio device for ring tests.
 *
 * It plays the host side of one virtqueue, in the style of bhyve's host
 * API: vireo_simq_getchain() takes the next available chain apart into
 * buffers, vireo_simq_relchain() returns it through the used ring, and
 * vireo_simq_endchains() says whether the guest asked for an interrupt.
 * Like a real device it finds the ring only through its physical address
 * and size. It checks what the guest posts as strictly as a careful host
 * (and more: it also catches a descriptor handed out twice), it decides
 * notifications the way the specification says, using the uapi
 * <linux/virtio_ring.h> helper rather than the code under test, and it can
 * be told to misbehave so that tests can check that the ring notices.
 */
#ifndef _VIREO_SIMDEV_H
#define _VIREO_SIMDEV_H

#include <linux/types.h>
#include <vireo/transport.h>

/**
 * struct vireo_simq_iov - one buffer of a chain, as the device sees it
 * @addr: guest-physical address
 * @len: length in bytes
 * @write: the device may write it (else only read it)
 */
struct vireo_simq_iov {
	u64 addr;
	u32 len;
	bool write;
};

/**
 * enum vireo_simq_fault - how vireo_simq_relchain() misbehaves
 * @VIREO_SIMQ_BEHAVE: complete chains correctly
 * @VIREO_SIMQ_BAD_ID: report the ring size as the id (out of range)
 * @VIREO_SIMQ_NON_HEAD_ID: report the chain's second descriptor as the id
 * @VIREO_SIMQ_LEN_TOO_LARGE: report one byte more than the chain's
 *	writable length
 * @VIREO_SIMQ_IDX_JUMP: move used->idx by ring size + 1 instead of by 1
 * @VIREO_SIMQ_TWICE: report the chain twice
 */
enum vireo_simq_fault {
	VIREO_SIMQ_BEHAVE,
	VIREO_SIMQ_BAD_ID,
	VIREO_SIMQ_NON_HEAD_ID,
	VIREO_SIMQ_LEN_TOO_LARGE,
	VIREO_SIMQ_IDX_JUMP,
	VIREO_SIMQ_TWICE,
};

/**
 * struct vireo_simq - the device side of one virtqueue
 * @vr: the ring, found from its physical address like a device would
 * @last_avail: the next avail entry to consume
 * @used_idx: the device's own copy of used->idx
 * @save_used: @used_idx at vireo_simq_startchains()
 * @kick_idx: avail->idx at the previous vireo_simq_kick_expected()
 * @event_idx: VIREO_RING_F_EVENT_IDX was negotiated
 * @manual_event: avail_event is set by the test, not by getchain
 * @fault: how vireo_simq_relchain() misbehaves
 * @chains: chains taken and not yet completed
 * @busy: per ring descriptor: part of a chain the device holds
 * @link: per ring descriptor: the next one of its chain, as first seen
 * @ndesc: per head: ring descriptors of its chain (0: not held)
 * @writable: per head: writable bytes of its chain, as first seen
 * @cap: ring size the four arrays above have room for
 */
struct vireo_simq {
	struct vireo_vring vr;
	u16 last_avail;
	u16 used_idx;
	u16 save_used;
	u16 kick_idx;
	bool event_idx;
	bool manual_event;
	enum vireo_simq_fault fault;
	unsigned int chains;
	unsigned long *busy;
	u16 *link;
	u16 *ndesc;
	u32 *writable;
	unsigned int cap;
};

int vireo_simq_init(struct vireo_simq *sq, const struct vireo_virtqueue *vq,
		    unsigned int align);
int vireo_simq_attach(struct vireo_simq *sq, const struct vireo_virtqueue *vq,
		      unsigned int align);
void vireo_simq_free(struct vireo_simq *sq);
bool vireo_simq_has_descs(const struct vireo_simq *sq);
void vireo_simq_startchains(struct vireo_simq *sq);
int vireo_simq_getchain(struct vireo_simq *sq, u16 *head,
			struct vireo_simq_iov *iov, unsigned int n_iov);
void vireo_simq_relchain(struct vireo_simq *sq, u16 head, u32 len);
bool vireo_simq_endchains(struct vireo_simq *sq);
void vireo_simq_put_used(struct vireo_simq *sq, u32 id, u32 len);
void vireo_simq_set_no_notify(struct vireo_simq *sq, bool no_notify);
void vireo_simq_set_avail_event(struct vireo_simq *sq, u16 event);
bool vireo_simq_kick_expected(struct vireo_simq *sq);
u32 vireo_simq_chain_writable(const struct vireo_simq *sq, u16 head);
void vireo_simq_corrupt_chain(struct vireo_simq *sq, u16 head);
u32 vireo_simq_writable(const struct vireo_simq_iov *iov, unsigned int n);
size_t vireo_simq_copy_to(const struct vireo_simq_iov *iov, unsigned int n,
			  const void *src, size_t len);
size_t vireo_simq_copy_from(const struct vireo_simq_iov *iov, unsigned int n,
			    void *dst, size_t len);

#endif /* _VIREO_SIMDEV_H */
