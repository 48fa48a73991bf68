// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_net: the receive path.
 *
 * Each receive queue is owned by its NAPI context: the poll takes frames
 * back, validates what the device wrote, builds skbs for GRO, and refills
 * the ring with GFP_ATOMIC. When that allocation fails, a delayed work
 * refills with GFP_KERNEL (with NAPI disabled, so it owns the queue) and
 * retries while a queue stays empty, so that a transient shortage never
 * leaves the device with nowhere to put frames.
 *
 * Three buffer layouts, fixed at probe (vireo_net_rx_setup()):
 * - mergeable (MRG_RXBUF): page fragments sized to an average of recent
 *   frames; a frame spans num_buffers of them;
 * - big (guest GSO or a large MTU without MRG_RXBUF): a chain of pages
 *   holding the largest frame, which wants indirect descriptors;
 * - small: one frame of up to VIREO_NET_GOOD_LEN, built into an skb in
 *   place.
 *
 * Every token is a slot in driver memory (struct vireo_net_rxslot); the
 * lengths, counts and header fields the device writes are checked
 * against it, and a frame that fails is dropped and counted, with one
 * rate-limited message.
 */
#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <vireo/driver.h>
#include "vireo_net.h"

/* Room in front of a small-mode frame, as the stack expects of an skb. */
#define VIREO_NET_SMALL_PAD	(NET_SKB_PAD + NET_IP_ALIGN)

/* ---- device faults ------------------------------------------------------ */

/* A frame the device got wrong: count it; say so now and then. */
static __printf(2, 3) void vireo_net_bad(struct vireo_net_rq *rq,
					 const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	vireo_net_count(&rq->stats, &rq->stats.errors, 1);
	vireo_net_count(&rq->stats, &rq->stats.drops, 1);
	if (!__ratelimit(&rq->vn->bad_rs))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	netdev_err(rq->vn->ndev, "%s: %pV; dropping such frames\n", rq->name,
		   &vaf);
	va_end(args);
}

/*
 * The debugfs fault knob: fail the allocation fail_nth allocations from
 * now, and fail_times - 1 more after it. Debian's kernels have no fault
 * injection, and this is how the deferred refill gets tested.
 */
static bool vireo_net_fail_alloc(struct vireo_net *vn)
{
	if (likely(!atomic_read(&vn->fail_nth)))
		return false;
	if (atomic_dec_return(&vn->fail_nth) > 0)
		return false;
	if (atomic_dec_return(&vn->fail_times) > 0)
		atomic_set(&vn->fail_nth, 1);
	return true;
}

/* ---- slots ---------------------------------------------------------------- */

static struct vireo_net_rxslot *vireo_net_slot_get(struct vireo_net_rq *rq)
{
	if (!rq->nr_free)
		return NULL;
	return &rq->slots[rq->free[--rq->nr_free]];
}

static void vireo_net_slot_put(struct vireo_net_rq *rq,
			       struct vireo_net_rxslot *slot)
{
	rq->free[rq->nr_free++] = slot - rq->slots;
}

/* Buffers the device holds now. */
static unsigned int vireo_net_rx_posted(const struct vireo_net_rq *rq)
{
	return rq->max_bufs - rq->nr_free;
}

/* ---- big mode's pages --------------------------------------------------- */

static struct page *vireo_net_page_get(struct vireo_net_rq *rq, gfp_t gfp)
{
	struct page *p = rq->spare;

	if (p) {
		rq->spare = (struct page *)page_private(p);
		set_page_private(p, 0);
		return p;
	}
	return alloc_page(gfp);
}

/* Keep a page we still own (reference count 1) for the next buffer. */
static void vireo_net_page_keep(struct vireo_net_rq *rq, struct page *p)
{
	set_page_private(p, (unsigned long)rq->spare);
	rq->spare = p;
}

/* Give back a chain of pages linked by page->private. */
static void vireo_net_chain_keep(struct vireo_net_rq *rq, struct page *p)
{
	struct page *next;

	for (; p; p = next) {
		next = (struct page *)page_private(p);
		vireo_net_page_keep(rq, p);
	}
}

/* ---- posting buffers ------------------------------------------------------ */

/* Carve @len bytes from the queue's page fragment, with a reference. */
static void *vireo_net_frag_alloc(struct vireo_net_rq *rq, unsigned int len,
				  gfp_t gfp)
{
	struct page_frag *pf = &rq->frag;
	void *buf;

	if (!skb_page_frag_refill(len, pf, gfp))
		return NULL;
	buf = page_address(pf->page) + pf->offset;
	get_page(pf->page);
	pf->offset += len;
	return buf;
}

/* A mergeable buffer: near the average frame, within the set bounds. */
static unsigned int vireo_net_mrg_len(struct vireo_net_rq *rq)
{
	unsigned int len = ewma_vireo_pkt_len_read(&rq->avg_len);

	len = clamp_t(unsigned int, len, rq->min_buf_len, PAGE_SIZE);
	return ALIGN(len, L1_CACHE_BYTES);
}

static int vireo_net_add_mrg(struct vireo_net_rq *rq,
			     struct vireo_net_rxslot *slot, gfp_t gfp)
{
	unsigned int len = vireo_net_mrg_len(rq);
	struct page_frag *pf = &rq->frag;
	unsigned int hole;
	void *buf;
	int err;

	buf = vireo_net_frag_alloc(rq, len, gfp);
	if (!buf)
		return -ENOMEM;
	/* A tail too short for another buffer goes to this one. */
	hole = pf->size - pf->offset;
	if (hole < rq->min_buf_len) {
		len += hole;
		pf->offset += hole;
	}
	sg_init_one(rq->sg, buf, len);
	slot->buf = buf;
	slot->len = len;
	slot->truesize = len;
	err = vireo_vq_add_buf(rq->vq, rq->sg, 0, 1, slot, gfp);
	if (err)
		put_page(virt_to_head_page(buf));
	return err;
}

static int vireo_net_add_small(struct vireo_net_rq *rq,
			       struct vireo_net_rxslot *slot, gfp_t gfp)
{
	struct vireo_net *vn = rq->vn;
	unsigned int n = 1;
	void *buf, *hdr;
	int err;

	buf = vireo_net_frag_alloc(rq, vn->small_len, gfp);
	if (!buf)
		return -ENOMEM;
	hdr = buf + VIREO_NET_SMALL_PAD;
	slot->buf = buf;
	/*
	 * One byte more than the longest frame: a used length that reaches
	 * it is a device overrunning (or over-reporting, which the ring
	 * clamps to what was posted), not a frame.
	 */
	slot->len = vn->hdr_len + VIREO_NET_GOOD_LEN + 1;
	slot->truesize = vn->small_len;
	/* Without ANY_LAYOUT the header must have a descriptor of its own. */
	if (vn->any_layout) {
		sg_init_one(rq->sg, hdr, slot->len);
	} else {
		sg_init_table(rq->sg, 2);
		sg_set_buf(&rq->sg[0], hdr, vn->hdr_len);
		sg_set_buf(&rq->sg[1], hdr + vn->hdr_len,
			   VIREO_NET_GOOD_LEN + 1);
		n = 2;
	}
	err = vireo_vq_add_buf(rq->vq, rq->sg, 0, n, slot, gfp);
	if (err)
		put_page(virt_to_head_page(buf));
	return err;
}

/*
 * A big buffer: big_pages pages, the first one split after the header
 * so that the header has its own descriptor. The pages are linked
 * through page->private, first to last.
 */
static int vireo_net_add_big(struct vireo_net_rq *rq,
			     struct vireo_net_rxslot *slot, gfp_t gfp)
{
	struct vireo_net *vn = rq->vn;
	struct page *first = NULL, *p;
	unsigned int i;
	int err;

	sg_init_table(rq->sg, vn->big_pages + 1);
	/* Built last page first, so that each links to the one after it. */
	for (i = vn->big_pages; i-- > 0;) {
		p = vireo_net_page_get(rq, gfp);
		if (!p) {
			vireo_net_chain_keep(rq, first);
			return -ENOMEM;
		}
		set_page_private(p, (unsigned long)first);
		first = p;
		if (i)
			sg_set_page(&rq->sg[i + 1], p, PAGE_SIZE, 0);
	}
	sg_set_page(&rq->sg[0], first, vn->hdr_len, 0);
	sg_set_page(&rq->sg[1], first, PAGE_SIZE - vn->hdr_len, vn->hdr_len);
	slot->buf = first;
	slot->len = vn->big_pages * PAGE_SIZE;
	slot->truesize = slot->len;
	err = vireo_vq_add_buf(rq->vq, rq->sg, 0, vn->big_pages + 1, slot, gfp);
	if (err)
		vireo_net_chain_keep(rq, first);
	return err;
}

static int vireo_net_add_one(struct vireo_net_rq *rq, gfp_t gfp)
{
	struct vireo_net_rxslot *slot;
	int err;

	/* A full ring is no failure; do not allocate to find out. */
	if (rq->vq->num_free < rq->descs)
		return -ENOSPC;
	slot = vireo_net_slot_get(rq);
	if (!slot)
		return -ENOSPC;
	if (vireo_net_fail_alloc(rq->vn))
		err = -ENOMEM;
	else if (rq->vn->mode == VIREO_NET_RX_MERGE)
		err = vireo_net_add_mrg(rq, slot, gfp);
	else if (rq->vn->mode == VIREO_NET_RX_BIG)
		err = vireo_net_add_big(rq, slot, gfp);
	else
		err = vireo_net_add_small(rq, slot, gfp);
	if (err)
		vireo_net_slot_put(rq, slot);
	return err;
}

/**
 * vireo_net_refill - post receive buffers until the queue is full
 * @rq: the receive queue
 * @gfp: GFP_ATOMIC from NAPI, GFP_KERNEL from the deferred refill
 *
 * Stops at the first failure; a full ring or no free slot is not one.
 * Notifies the device once at the end if it needs it.
 *
 * Context: the owner of @rq: its NAPI poll, or process context with its
 * NAPI disabled.
 * Return: false if an allocation failed (the caller defers a refill).
 */
bool vireo_net_refill(struct vireo_net_rq *rq, gfp_t gfp)
{
	unsigned int added = 0;
	bool ok = true;
	int err;

	gfp |= __GFP_NOWARN;
	for (;;) {
		err = vireo_net_add_one(rq, gfp);
		if (err) {
			if (err == -ENOMEM) {
				ok = false;
				vireo_net_count(&rq->stats,
						&rq->stats.refill_fails, 1);
			}
			break;
		}
		added++;
	}
	if (added && vireo_vq_kick_prepare(rq->vq) && vireo_vq_notify(rq->vq))
		vireo_net_count(&rq->stats, &rq->stats.kicks, 1);
	return ok;
}

/* ---- taking buffers back ------------------------------------------------ */

/* Free what a buffer holds, the frame in it never to be used. */
static void vireo_net_buf_free(struct vireo_net_rq *rq, void *buf)
{
	if (rq->vn->mode == VIREO_NET_RX_BIG)
		vireo_net_chain_keep(rq, buf);
	else
		put_page(virt_to_head_page(buf));
}

/**
 * vireo_net_rx_reclaim - free every buffer a reset device still holds
 * @rq: the receive queue
 *
 * Context: process context, with the device reset and @rq's NAPI
 * disabled.
 */
void vireo_net_rx_reclaim(struct vireo_net_rq *rq)
{
	struct vireo_net_rxslot *slot;

	while ((slot = vireo_vq_shutdown(rq->vq))) {
		vireo_net_buf_free(rq, slot->buf);
		vireo_net_slot_put(rq, slot);
	}
}

/* ---- building skbs -------------------------------------------------------- */

/*
 * Where the TCP header of an untagged, unfragmented TCP/IPv4 or TCP/IPv6
 * frame starts, or 0. Reads the first 88 bytes at most (the caller has
 * more than VIREO_NET_COPY_LEN).
 */
static unsigned int vireo_net_rx_tcp_off(const void *data)
{
	const struct ethhdr *eth = data;
	const struct iphdr *ip4 = data + ETH_HLEN;
	const struct ipv6hdr *ip6 = data + ETH_HLEN;

	if (eth->h_proto == htons(ETH_P_IP) && ip4->version == 4 &&
	    ip4->ihl >= 5 && ip4->protocol == IPPROTO_TCP &&
	    !ip_is_fragment(ip4))
		return ETH_HLEN + ip4->ihl * 4;
	if (eth->h_proto == htons(ETH_P_IPV6) && ip6->version == 6 &&
	    ip6->nexthdr == IPPROTO_TCP)
		return ETH_HLEN + sizeof(*ip6);
	return 0;
}

/*
 * How much of a received frame goes into the skb's linear part: a short
 * frame whole; of a longer one the protocol headers, and no payload. The
 * headers are then the driver's own copy, which the device can no longer
 * change under the stack, and GRO can add the frame's payload to the
 * previous frame's skb as one more fragment: with payload in the linear
 * part it must chain whole skbs instead, and the copy to user space then
 * runs twice per frame (about 5% of a TCP stream's instructions over a
 * hub). The device's bytes only size the copy, within VIREO_NET_COPY_LEN.
 */
static unsigned int vireo_net_rx_copy_len(struct vireo_net_rq *rq,
					  const void *data, unsigned int len)
{
	unsigned int l4;

	if (len <= VIREO_NET_COPY_LEN)
		return len;
	/* TCP's headers directly: the flow dissector costs ~250 insns. */
	l4 = vireo_net_rx_tcp_off(data);
	if (l4) {
		const struct tcphdr *th = data + l4;

		return min_t(unsigned int, l4 + th->doff * 4,
			     VIREO_NET_COPY_LEN);
	}
	return eth_get_headlen(rq->vn->ndev, data, VIREO_NET_COPY_LEN);
}

/*
 * An skb for a frame at @data (in a page we hold a reference to): the
 * headers (or a short frame whole) copied into the linear part, the
 * rest attached as a fragment. The reference passes to the skb.
 */
static struct sk_buff *vireo_net_rx_head(struct vireo_net_rq *rq, void *data,
					 unsigned int len,
					 unsigned int truesize)
{
	struct page *page = virt_to_head_page(data);
	unsigned int copy = vireo_net_rx_copy_len(rq, data, len);
	struct sk_buff *skb;

	skb = napi_alloc_skb(&rq->napi, copy);
	if (unlikely(!skb))
		return NULL;
	skb_put_data(skb, data, copy);
	if (len > copy)
		skb_add_rx_frag(skb, 0, page, data + copy - page_address(page),
				len - copy, truesize);
	else
		put_page(page);
	return skb;
}

/*
 * Append a further buffer of a mergeable frame to @head, whose last skb
 * (itself, or the last of its frag_list) is *@curr: merged into the last
 * fragment when contiguous, else a new fragment, else a new skb on the
 * frag_list. False if out of memory; the buffer is then still ours.
 */
static bool vireo_net_rx_append(struct sk_buff *head, struct sk_buff **curr,
				void *buf, unsigned int len,
				unsigned int truesize)
{
	struct page *page = virt_to_head_page(buf);
	unsigned int off = buf - page_address(page);
	struct sk_buff *skb = *curr;
	int nr = skb_shinfo(skb)->nr_frags;

	if (nr && skb_can_coalesce(skb, nr, page, off)) {
		skb_coalesce_rx_frag(skb, nr - 1, len, truesize);
		put_page(page);
	} else {
		if (nr == MAX_SKB_FRAGS) {
			struct sk_buff *next = alloc_skb(0, GFP_ATOMIC);

			if (unlikely(!next))
				return false;
			if (skb == head)
				skb_shinfo(head)->frag_list = next;
			else
				skb->next = next;
			head->truesize += next->truesize;
			*curr = next;
			skb = next;
			nr = 0;
		}
		skb_add_rx_frag(skb, nr, page, off, len, truesize);
	}
	if (skb != head) {
		head->len += len;
		head->data_len += len;
		head->truesize += truesize;
	}
	return true;
}

/*
 * The further buffers of a mergeable frame: taken off the ring whatever
 * happens, so that the next frame starts where it should. NULL if the
 * frame is dropped.
 */
static struct sk_buff *vireo_net_rx_rest(struct vireo_net_rq *rq,
					 struct sk_buff *skb,
					 unsigned int nbufs)
{
	unsigned int len, posted, truesize, total = skb ? skb->len : 0;
	struct vireo_net_rxslot *slot;
	struct sk_buff *curr = skb;
	void *buf;

	while (--nbufs) {
		slot = vireo_vq_get_buf(rq->vq, &len);
		if (unlikely(!slot)) {
			vireo_net_bad(rq, "frame announced %u more buffers than it used",
				      nbufs);
			dev_kfree_skb_any(skb);
			return NULL;
		}
		buf = slot->buf;
		posted = slot->len;
		truesize = slot->truesize;
		vireo_net_slot_put(rq, slot);
		total += len;
		if (unlikely(len > posted)) {
			vireo_net_bad(rq, "used length %u of a %u-byte buffer",
				      len, posted);
			goto drop;
		}
		if (unlikely(skb && total > rq->vn->max_frame)) {
			vireo_net_bad(rq, "frame longer than %u bytes",
				      rq->vn->max_frame);
			goto drop;
		}
		if (likely(skb) &&
		    likely(vireo_net_rx_append(skb, &curr, buf, len, truesize)))
			continue;
		if (skb)
			vireo_net_count(&rq->stats, &rq->stats.drops, 1);
drop:
		/* Drop the frame, but take the rest of its buffers still. */
		put_page(virt_to_head_page(buf));
		dev_kfree_skb_any(skb);
		skb = NULL;
	}
	return skb;
}

/* A mergeable frame: the first buffer and num_buffers - 1 more. */
static struct sk_buff *vireo_net_rx_mrg(struct vireo_net_rq *rq, void *buf,
					unsigned int len, unsigned int truesize,
					unsigned int nbufs)
{
	struct sk_buff *skb;

	skb = vireo_net_rx_head(rq, buf + rq->vn->hdr_len,
				len - rq->vn->hdr_len, truesize);
	if (unlikely(!skb)) {
		vireo_net_count(&rq->stats, &rq->stats.drops, 1);
		put_page(virt_to_head_page(buf));
	}
	if (nbufs > 1)
		skb = vireo_net_rx_rest(rq, skb, nbufs);
	/* Whole frames, so that buffers grow towards what arrives. */
	if (skb)
		ewma_vireo_pkt_len_add(&rq->avg_len,
				       rq->vn->hdr_len + skb->len);
	return skb;
}

static struct sk_buff *vireo_net_rx_small(struct vireo_net_rq *rq, void *buf,
					  unsigned int len)
{
	struct sk_buff *skb;

	skb = napi_build_skb(buf, rq->vn->small_len);
	if (unlikely(!skb)) {
		vireo_net_count(&rq->stats, &rq->stats.drops, 1);
		put_page(virt_to_head_page(buf));
		return NULL;
	}
	skb_reserve(skb, VIREO_NET_SMALL_PAD + rq->vn->hdr_len);
	skb_put(skb, len - rq->vn->hdr_len);
	return skb;
}

/*
 * A big-mode frame: the first bytes copied, the rest of the first page
 * and the pages after it attached; the pages the frame did not reach are
 * kept for the next buffer.
 */
static struct sk_buff *vireo_net_rx_big(struct vireo_net_rq *rq,
					struct page *first, unsigned int len)
{
	unsigned int hdr = rq->vn->hdr_len, off, take, copy;
	struct page *p = first, *next;
	struct sk_buff *skb;

	len -= hdr;
	copy = vireo_net_rx_copy_len(rq, page_address(first) + hdr, len);
	skb = napi_alloc_skb(&rq->napi, copy);
	if (unlikely(!skb)) {
		vireo_net_count(&rq->stats, &rq->stats.drops, 1);
		vireo_net_chain_keep(rq, first);
		return NULL;
	}
	skb_put_data(skb, page_address(first) + hdr, copy);
	len -= copy;
	off = hdr + copy;
	for (; p; p = next, off = 0) {
		next = (struct page *)page_private(p);
		take = min_t(unsigned int, len, PAGE_SIZE - off);
		if (!take) {
			vireo_net_page_keep(rq, p);
			continue;
		}
		set_page_private(p, 0);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, p, off, take,
				PAGE_SIZE);
		len -= take;
	}
	return skb;
}

/* ---- checking what the device wrote ------------------------------------- */

/* GSO fields: a type negotiated and in force, a segment size. */
static bool vireo_net_rx_gso(struct vireo_net_rq *rq, struct sk_buff *skb,
			     const struct vireo_net_hdr *h, u64 offloads)
{
	u8 type = h->gso_type & ~VIREO_NET_HDR_GSO_ECN;
	unsigned int gso;
	u64 need;

	switch (type) {
	case VIREO_NET_HDR_GSO_TCPV4:
		gso = SKB_GSO_TCPV4;
		need = BIT_ULL(VIREO_NET_F_GUEST_TSO4);
		break;
	case VIREO_NET_HDR_GSO_TCPV6:
		gso = SKB_GSO_TCPV6;
		need = BIT_ULL(VIREO_NET_F_GUEST_TSO6);
		break;
	case VIREO_NET_HDR_GSO_UDP:
		gso = SKB_GSO_UDP;
		need = BIT_ULL(VIREO_NET_F_GUEST_UFO);
		break;
	default:
		vireo_net_bad(rq, "GSO type %#x", h->gso_type);
		return false;
	}
	if (h->gso_type & VIREO_NET_HDR_GSO_ECN) {
		gso |= SKB_GSO_TCP_ECN;
		need |= BIT_ULL(VIREO_NET_F_GUEST_ECN);
	}
	if (unlikely((offloads & need) != need ||
		     (type == VIREO_NET_HDR_GSO_UDP &&
		      (h->gso_type & VIREO_NET_HDR_GSO_ECN)))) {
		vireo_net_bad(rq, "GSO type %#x not negotiated", h->gso_type);
		return false;
	}
	/* GSO_BY_FRAGS would have the stack segment along the fragments. */
	if (unlikely(!h->gso_size || h->gso_size == GSO_BY_FRAGS ||
		     !(h->flags & (VIREO_NET_HDR_F_NEEDS_CSUM |
				   VIREO_NET_HDR_F_DATA_VALID)))) {
		vireo_net_bad(rq, "GSO frame with segment size %u, flags %#x",
			      h->gso_size, h->flags);
		return false;
	}
	skb_shinfo(skb)->gso_size = h->gso_size;
	/* The stack re-checks the headers of a frame it did not build. */
	skb_shinfo(skb)->gso_type = gso | SKB_GSO_DODGY;
	skb_shinfo(skb)->gso_segs = 0;
	return true;
}

/* The GSO type must match the frame's network protocol. */
static bool vireo_net_rx_gso_proto(struct vireo_net_rq *rq,
				   struct sk_buff *skb, u8 gso_type)
{
	__be16 proto = skb->protocol;
	u8 type = gso_type & ~VIREO_NET_HDR_GSO_ECN;

	if (eth_type_vlan(proto))
		return true;
	if ((proto == htons(ETH_P_IP) && type != VIREO_NET_HDR_GSO_TCPV6) ||
	    (proto == htons(ETH_P_IPV6) && type != VIREO_NET_HDR_GSO_TCPV4))
		return true;
	vireo_net_bad(rq, "GSO type %#x on protocol %#06x", gso_type,
		      ntohs(proto));
	return false;
}

/* Checksum state from the header; the frame still starts at the link. */
static bool vireo_net_rx_csum(struct vireo_net_rq *rq, struct sk_buff *skb,
			      const struct vireo_net_hdr *h, u64 offloads)
{
	u32 end = (u32)h->csum_start + h->csum_offset + sizeof(__sum16);

	if (h->flags & ~(VIREO_NET_HDR_F_NEEDS_CSUM |
			 VIREO_NET_HDR_F_DATA_VALID)) {
		vireo_net_bad(rq, "header flags %#x", h->flags);
		return false;
	}
	if (!(offloads & BIT_ULL(VIREO_NET_F_GUEST_CSUM))) {
		vireo_net_bad(rq, "checksum flags %#x not negotiated",
			      h->flags);
		return false;
	}
	if (h->flags & VIREO_NET_HDR_F_NEEDS_CSUM) {
		if (unlikely(end > skb->len || !pskb_may_pull(skb, end) ||
			     !skb_partial_csum_set(skb, h->csum_start,
						   h->csum_offset))) {
			vireo_net_bad(rq, "checksum at %u+%u in a %u-byte frame",
				      h->csum_start, h->csum_offset, skb->len);
			return false;
		}
	} else if (h->flags & VIREO_NET_HDR_F_DATA_VALID) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	return true;
}

/* Apply the header to a frame and hand it to GRO. */
static void vireo_net_rx_deliver(struct vireo_net_rq *rq, struct sk_buff *skb,
				 const struct vireo_net_hdr *h)
{
	u64 offloads = rq->vn->guest_offloads_capable;
	unsigned int len = skb->len;

	if (unlikely(len < ETH_HLEN)) {
		vireo_net_bad(rq, "%u-byte frame", len);
		goto drop;
	}
	if (unlikely(h->flags && !vireo_net_rx_csum(rq, skb, h, offloads)))
		goto drop;
	if (h->gso_type != VIREO_NET_HDR_GSO_NONE &&
	    !vireo_net_rx_gso(rq, skb, h, offloads))
		goto drop;
	skb->protocol = eth_type_trans(skb, rq->vn->ndev);
	if (h->gso_type != VIREO_NET_HDR_GSO_NONE &&
	    !vireo_net_rx_gso_proto(rq, skb, h->gso_type))
		goto drop;
	skb_record_rx_queue(skb, rq->index);
	u64_stats_update_begin(&rq->stats.syncp);
	u64_stats_inc(&rq->stats.packets);
	u64_stats_add(&rq->stats.bytes, len);
	u64_stats_update_end(&rq->stats.syncp);
	napi_gro_receive(&rq->napi, skb);
	return;
drop:
	dev_kfree_skb_any(skb);
}

/* The start of a buffer, where the header is, in every mode. */
static void *vireo_net_hdr_of(struct vireo_net_rq *rq, void *buf)
{
	if (rq->vn->mode == VIREO_NET_RX_BIG)
		return page_address((struct page *)buf);
	if (rq->vn->mode == VIREO_NET_RX_SMALL)
		return buf + VIREO_NET_SMALL_PAD;
	return buf;
}

/* The longest frame a small or big buffer may carry, header excluded. */
static unsigned int vireo_net_rx_frame_max(const struct vireo_net *vn)
{
	if (vn->mode == VIREO_NET_RX_SMALL)
		return VIREO_NET_GOOD_LEN;
	return vn->max_frame;
}

/* One frame, from the buffer just taken back. */
static void vireo_net_rx_one(struct vireo_net_rq *rq,
			     struct vireo_net_rxslot *slot, unsigned int len)
{
	struct vireo_net *vn = rq->vn;
	unsigned int posted = vireo_net_rx_posted(rq);
	struct vireo_net_hdr_mrg h = { .num_buffers = 1 };
	unsigned int buf_len = slot->len, truesize = slot->truesize;
	void *buf = slot->buf;
	struct sk_buff *skb;
	unsigned int nbufs;

	/* Everything of the slot is read; it is free from here on. */
	vireo_net_slot_put(rq, slot);
	if (unlikely(len < vn->hdr_len || len > buf_len)) {
		vireo_net_bad(rq, "used length %u outside %u..%u", len,
			      vn->hdr_len, buf_len);
		goto free;
	}
	/* Small and big buffers hold the longest frame, and more. */
	if (unlikely(vn->mode != VIREO_NET_RX_MERGE &&
		     len - vn->hdr_len > vireo_net_rx_frame_max(vn))) {
		vireo_net_bad(rq, "used length %u of a %u-byte buffer", len,
			      buf_len);
		goto free;
	}
	/* One copy: the device may still write the buffer. */
	memcpy(&h, vireo_net_hdr_of(rq, buf), vn->hdr_len);
	nbufs = vn->mode == VIREO_NET_RX_MERGE ? h.num_buffers : 1;
	if (unlikely(!nbufs || nbufs > posted)) {
		vireo_net_bad(rq, "num_buffers %u with %u buffers posted",
			      nbufs, posted);
		goto free;
	}
	if (vn->mode == VIREO_NET_RX_MERGE)
		skb = vireo_net_rx_mrg(rq, buf, len, truesize, nbufs);
	else if (vn->mode == VIREO_NET_RX_BIG)
		skb = vireo_net_rx_big(rq, buf, len);
	else
		skb = vireo_net_rx_small(rq, buf, len);
	if (skb)
		vireo_net_rx_deliver(rq, skb, &h.hdr);
	return;
free:
	vireo_net_buf_free(rq, buf);
}

/* ---- NAPI ------------------------------------------------------------------ */

/**
 * vireo_net_rx_callback - a receive queue has used buffers
 * @vq: the queue
 *
 * Context: hard IRQ.
 */
void vireo_net_rx_callback(struct vireo_virtqueue *vq)
{
	struct vireo_net_rq *rq = vq->priv;

	if (rq)
		napi_schedule(&rq->napi);
}

/* Refill when a batch of slots is free, or the ring runs low. */
static void vireo_net_rx_maybe_refill(struct vireo_net_rq *rq)
{
	if (rq->nr_free < VIREO_NET_REFILL_BATCH &&
	    vireo_net_rx_posted(rq) > rq->max_bufs / 2)
		return;
	if (!vireo_net_refill(rq, GFP_ATOMIC))
		vireo_net_refill_schedule(rq->vn, 0);
}

/**
 * vireo_net_rx_poll - the receive NAPI poll
 * @napi: the queue's NAPI context
 * @budget: frames at most; 0 (netpoll) means no receive work at all
 *
 * Context: softirq, the only user of the queue while it runs.
 * Return: frames received, or @budget to be polled again.
 */
int vireo_net_rx_poll(struct napi_struct *napi, int budget)
{
	struct vireo_net_rq *rq = container_of(napi, struct vireo_net_rq, napi);
	struct vireo_net_rxslot *slot;
	unsigned int len;
	int done = 0;

	if (!budget)
		return 0;
	vireo_vq_disable_cb(rq->vq);
	while (done < budget && (slot = vireo_vq_get_buf(rq->vq, &len))) {
		vireo_net_rx_one(rq, slot, len);
		done++;
	}
	vireo_net_rx_maybe_refill(rq);
	/* The ring caught the device breaking a rule: start afresh. */
	if (unlikely(vireo_vq_is_broken(rq->vq)))
		vireo_net_schedule_reset(rq->vn);
	if (done < budget) {
		/*
		 * Callbacks go on before NAPI completes: an interrupt
		 * after this finds NAPI still scheduled and makes it run
		 * again, so no completion is missed and no other poll can
		 * touch the queue meanwhile.
		 */
		if (!vireo_vq_restart(rq->vq))
			return budget;
		napi_complete_done(napi, done);
	}
	return done;
}

/* ---- the deferred refill ------------------------------------------------ */

/**
 * vireo_net_refill_schedule - have the deferred refill run
 * @vn: the device state
 * @delay: in jiffies
 *
 * Does nothing while the device is closed.
 *
 * Context: any.
 */
void vireo_net_refill_schedule(struct vireo_net *vn, unsigned long delay)
{
	unsigned long flags;

	spin_lock_irqsave(&vn->refill_lock, flags);
	if (vn->refill_on)
		mod_delayed_work(system_wq, &vn->refill_work, delay);
	spin_unlock_irqrestore(&vn->refill_lock, flags);
}

/**
 * vireo_net_refill_work - refill the receive queues with GFP_KERNEL
 * @work: &vireo_net.refill_work
 *
 * Runs after a refill in NAPI failed. Each queue in use is refilled with
 * its NAPI disabled; while one is left empty, the work runs again after
 * VIREO_NET_REFILL_RETRY.
 *
 * Context: process context; takes the RTNL, which keeps the queues and
 * the pairs in use stable.
 */
void vireo_net_refill_work(struct work_struct *work)
{
	struct vireo_net *vn = container_of(to_delayed_work(work),
					    struct vireo_net, refill_work);
	struct vireo_net_rq *rq;
	bool empty = false;
	unsigned int i;

	rtnl_lock();
	if (!READ_ONCE(vn->refill_on) || vn->dead)
		goto unlock;
	for (i = 0; i < vn->curr_pairs; i++) {
		rq = &vn->rqs[i];
		napi_disable(&rq->napi);
		vireo_net_refill(rq, GFP_KERNEL);
		empty |= !vireo_net_rx_posted(rq);
		napi_enable(&rq->napi);
		/* Frames may have come while NAPI was off. */
		local_bh_disable();
		napi_schedule(&rq->napi);
		local_bh_enable();
	}
	if (empty)
		vireo_net_refill_schedule(vn, VIREO_NET_REFILL_RETRY);
unlock:
	rtnl_unlock();
}

/* ---- set-up ---------------------------------------------------------------- */

/**
 * vireo_net_rx_setup - size big and small buffers
 * @vn: the device state, with @mode, @hdr_len and @max_frame set
 *
 * A big buffer holds the longest frame; a small one a full MTU-1500
 * frame, with the room build_skb() needs around it.
 *
 * Context: process context, at probe.
 */
void vireo_net_rx_setup(struct vireo_net *vn)
{
	vn->big_pages = min_t(unsigned int,
			      DIV_ROUND_UP(vn->hdr_len + vn->max_frame, PAGE_SIZE),
			      MAX_SKB_FRAGS);
	vn->small_len = SKB_DATA_ALIGN(VIREO_NET_SMALL_PAD + vn->hdr_len +
				       VIREO_NET_GOOD_LEN + 1) +
			SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
}

/*
 * Mergeable buffers are at least a full MTU-1500 frame, and large enough
 * that the longest frame fits in three quarters of the queue's buffers.
 */
static void vireo_net_rq_min_len(struct vireo_net_rq *rq)
{
	struct vireo_net *vn = rq->vn;
	unsigned int frame = vn->hdr_len + vn->max_frame;
	unsigned int len;

	len = max_t(unsigned int, vn->hdr_len + VIREO_NET_GOOD_LEN,
		    DIV_ROUND_UP(frame, max(1U, rq->max_bufs * 3 / 4)));
	rq->min_buf_len = min_t(unsigned int, ALIGN(len, L1_CACHE_BYTES),
				PAGE_SIZE);
}

/* Ring descriptors per buffer: one with an indirect table, else each. */
static unsigned int vireo_net_rx_descs(struct vireo_net *vn)
{
	unsigned int sg = 1;

	if (vn->mode == VIREO_NET_RX_BIG)
		sg = vn->big_pages + 1;
	else if (vn->mode == VIREO_NET_RX_SMALL && !vn->any_layout)
		sg = 2;
	if (sg > 1 && (vn->vdev->features & BIT_ULL(VIREO_RING_F_INDIRECT_DESC)))
		return 1;
	return sg;
}

/**
 * vireo_net_rq_init - allocate a receive queue's slots for its ring
 * @rq: the queue, with @vq set and no buffer posted
 *
 * Also when the queue is re-created after a reset: the slots are sized
 * for the new ring.
 *
 * Context: process context.
 * Return: 0 or -ENOMEM.
 */
int vireo_net_rq_init(struct vireo_net_rq *rq)
{
	unsigned int i;

	kfree(rq->slots);
	kfree(rq->free);
	rq->max_bufs = min(vireo_vq_get_vring_size(rq->vq),
			   VIREO_NET_RX_MAX_BUFS);
	rq->slots = kcalloc(rq->max_bufs, sizeof(*rq->slots), GFP_KERNEL);
	rq->free = kcalloc(rq->max_bufs, sizeof(*rq->free), GFP_KERNEL);
	if (!rq->slots || !rq->free) {
		vireo_net_rq_free(rq);
		return -ENOMEM;
	}
	for (i = 0; i < rq->max_bufs; i++)
		rq->free[i] = rq->max_bufs - 1 - i;
	rq->nr_free = rq->max_bufs;
	rq->descs = vireo_net_rx_descs(rq->vn);
	vireo_net_rq_min_len(rq);
	ewma_vireo_pkt_len_init(&rq->avg_len);
	return 0;
}

/**
 * vireo_net_rq_free - free a receive queue's memory
 * @rq: the queue, its buffers reclaimed
 *
 * Context: process context.
 */
void vireo_net_rq_free(struct vireo_net_rq *rq)
{
	struct page *p;

	while ((p = rq->spare)) {
		rq->spare = (struct page *)page_private(p);
		set_page_private(p, 0);
		put_page(p);
	}
	if (rq->frag.page) {
		put_page(rq->frag.page);
		rq->frag.page = NULL;
	}
	kfree(rq->slots);
	kfree(rq->free);
	rq->slots = NULL;
	rq->free = NULL;
	rq->nr_free = 0;
}

/**
 * vireo_net_rx_debugfs - the device's fault knobs
 * @vn: the device state
 *
 * vireo_net/<device>/fail_refill_nth: the refill allocation that many
 * allocations from now fails (0: none); fail_refill_times: how many fail
 * in a row from there.
 *
 * Context: process context.
 */
void vireo_net_rx_debugfs(struct vireo_net *vn)
{
	atomic_set(&vn->fail_times, 1);
	vn->debugfs = debugfs_create_dir(dev_name(&vn->vdev->dev),
					 vireo_net_debugfs_root);
	debugfs_create_atomic_t("fail_refill_nth", 0600, vn->debugfs,
				&vn->fail_nth);
	debugfs_create_atomic_t("fail_refill_times", 0600, vn->debugfs,
				&vn->fail_times);
}
