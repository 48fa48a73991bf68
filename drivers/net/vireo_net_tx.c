// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_net: the transmit path.
 *
 * An skb goes to the device as one buffer: the header (pushed into the
 * skb's headroom when ANY_LAYOUT allows, else in skb->cb), the linear
 * part and the fragments. With indirect descriptors that is one ring
 * descriptor and a preallocated table; without, up to VIREO_NET_TX_SG
 * descriptors, which is why the queue stops when fewer are free.
 *
 * The device is notified once per batch: only when the stack says no
 * more skbs follow (xmit_more), when BQL says so, or when the queue
 * stops. Completed skbs are freed by the TX NAPI, whose callback is
 * delayed (vireo_vq_enable_cb_delayed()) so that they are freed in
 * batches, and opportunistically by xmit itself. With napi_tx=0 the
 * completion interrupt stays off while the queue runs, skbs are orphaned
 * at xmit so that sockets do not wait for completions, and only a stopped
 * queue arms the interrupt.
 *
 * Every operation on a transmit virtqueue happens under its netdev
 * queue's xmit lock, which the stack takes around ndo_start_xmit and the
 * TX NAPI takes itself; the callback only schedules NAPI.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <vireo/driver.h>
#include "vireo_net.h"

/* ---- completions -------------------------------------------------------- */

/*
 * Free the skbs the device is done with; @budget as for
 * napi_consume_skb() (0 outside NAPI). The caller holds the xmit lock.
 */
static void vireo_net_tx_free(struct vireo_net_sq *sq,
			      struct netdev_queue *txq, int budget)
{
	unsigned int pkts = 0, bytes = 0;
	struct sk_buff *skb;

	while ((skb = vireo_vq_get_buf(sq->vq, NULL))) {
		pkts++;
		bytes += skb->len;
		napi_consume_skb(skb, budget);
	}
	if (pkts) {
		sq->done += pkts;
		netdev_tx_completed_queue(txq, pkts, bytes);
	}
}

/* Room for the worst-case skb? */
static bool vireo_net_tx_room(const struct vireo_net_sq *sq)
{
	return sq->vq->num_free >= VIREO_NET_TX_SG;
}

/*
 * Arm the completion interrupt if anyone needs it: always with TX NAPI,
 * else only for a stopped queue. False if completions are already
 * waiting and the caller must collect them itself.
 */
static bool vireo_net_tx_arm(struct vireo_net_sq *sq, struct netdev_queue *txq)
{
	if (!vireo_net_napi_tx && !netif_xmit_stopped(txq))
		return true;
	return vireo_vq_enable_cb_delayed(sq->vq);
}

/**
 * vireo_net_tx_callback - a transmit queue has used buffers
 * @vq: the queue
 *
 * Context: hard IRQ.
 */
void vireo_net_tx_callback(struct vireo_virtqueue *vq)
{
	struct vireo_net_sq *sq = vq->priv;

	if (sq)
		napi_schedule(&sq->napi);
}

/**
 * vireo_net_tx_poll - the TX NAPI poll: free completed skbs, wake
 * @napi: the queue's TX NAPI context
 * @budget: 0 from netpoll, which asks for cleaning only
 *
 * Context: softirq, or netpoll with interrupts off; takes the queue's
 * xmit lock.
 * Return: 0 when done, or @budget to be polled again.
 */
int vireo_net_tx_poll(struct napi_struct *napi, int budget)
{
	struct vireo_net_sq *sq = container_of(napi, struct vireo_net_sq, napi);
	struct netdev_queue *txq = netdev_get_tx_queue(sq->vn->ndev, sq->index);
	int ret = 0;

	__netif_tx_lock(txq, raw_smp_processor_id());
	vireo_vq_disable_cb(sq->vq);
	vireo_net_tx_free(sq, txq, budget);
	if (netif_tx_queue_stopped(txq) && vireo_net_tx_room(sq))
		netif_tx_wake_queue(txq);
	if (budget) {
		/* As on receive: callbacks on before NAPI completes. */
		if (vireo_net_tx_arm(sq, txq))
			napi_complete_done(napi, 0);
		else
			ret = budget;
	}
	__netif_tx_unlock(txq);
	return ret;
}

/**
 * vireo_net_tx_reclaim - free every skb a reset device still holds
 * @sq: the transmit queue
 *
 * Context: process context, with the device reset and the queue's NAPI
 * disabled and xmit stopped; resets the queue's BQL state.
 */
void vireo_net_tx_reclaim(struct vireo_net_sq *sq)
{
	struct sk_buff *skb;

	while ((skb = vireo_vq_shutdown(sq->vq)))
		dev_kfree_skb_any(skb);
	netdev_tx_reset_queue(netdev_get_tx_queue(sq->vn->ndev, sq->index));
}

/* ---- the TX watch -------------------------------------------------------- */

/*
 * Collect what the device finished, then see whether it left the rest
 * alone since the last look. Takes the xmit lock. True if the device must
 * be notified again; the first look at a stall also logs the ring.
 */
static bool vireo_net_tx_stalled(struct vireo_net_sq *sq,
				 struct netdev_queue *txq)
{
	bool stalled;

	__netif_tx_lock_bh(txq);
	/* With napi_tx=0 nothing else collects an idle queue's buffers. */
	vireo_net_tx_free(sq, txq, 0);
	if (netif_tx_queue_stopped(txq) && vireo_net_tx_room(sq))
		netif_tx_wake_queue(txq);
	stalled = sq->vq->num_free < vireo_vq_get_vring_size(sq->vq) &&
		  sq->done == sq->watch_done;
	/* Once per stall, and rarely: which side stopped? */
	if (stalled && !sq->watch_stalled && __ratelimit(&sq->vn->bad_rs))
		vireo_vq_show_state(sq->vq, &sq->vn->ndev->dev,
				    "no completion for a second; notifying the device again");
	sq->watch_done = sq->done;
	sq->watch_stalled = stalled;
	if (stalled)
		vireo_net_count(&sq->stats, &sq->stats.renotifies, 1);
	__netif_tx_unlock_bh(txq);
	return stalled;
}

/**
 * vireo_net_tx_watch - notify the device again about forgotten buffers
 * @work: the device's TX watch
 *
 * A queue that is not stopped never reaches ndo_tx_timeout, yet its
 * buffers may sit in the ring unseen: a device that missed a
 * notification, or went idle without re-arming its own, waits for a
 * kick the ring protocol says is not needed (seen once on QEMU 7.2 with
 * a tap backend, the cause not yet known), and the
 * sockets whose skbs are in flight wait for ever. Once a second, a queue
 * with buffers in flight and no completion since the last look is
 * notified again, and its completions collected in case an interrupt
 * was lost. A device that is merely slow ignores the extra notification.
 *
 * Context: process context (a work item); takes the xmit locks.
 */
void vireo_net_tx_watch(struct work_struct *work)
{
	struct vireo_net *vn = container_of(to_delayed_work(work),
					    struct vireo_net, tx_watch);
	struct vireo_net_sq *sq;
	unsigned int i;

	for (i = 0; i < vn->curr_pairs; i++) {
		sq = &vn->sqs[i];
		if (!vireo_net_tx_stalled(sq, netdev_get_tx_queue(vn->ndev, i)))
			continue;
		vireo_vq_notify(sq->vq);
		/* In case an interrupt was lost too. */
		local_bh_disable();
		napi_schedule(&sq->napi);
		local_bh_enable();
	}
	schedule_delayed_work(&vn->tx_watch, VIREO_NET_TX_WATCH);
}

/* ---- sending ------------------------------------------------------------ */

/* The header for an skb: GSO and checksum offload requests. */
static int vireo_net_tx_hdr(struct sk_buff *skb, struct vireo_net_hdr_mrg *h)
{
	struct skb_shared_info *sinfo = skb_shinfo(skb);

	memset(h, 0, sizeof(*h));
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		h->hdr.flags = VIREO_NET_HDR_F_NEEDS_CSUM;
		h->hdr.csum_start = skb_checksum_start_offset(skb);
		h->hdr.csum_offset = skb->csum_offset;
	}
	if (!skb_is_gso(skb))
		return 0;
	if (sinfo->gso_type & SKB_GSO_TCPV4)
		h->hdr.gso_type = VIREO_NET_HDR_GSO_TCPV4;
	else if (sinfo->gso_type & SKB_GSO_TCPV6)
		h->hdr.gso_type = VIREO_NET_HDR_GSO_TCPV6;
	else
		return -EINVAL;	/* not a type we advertised */
	if (sinfo->gso_type & SKB_GSO_TCP_ECN)
		h->hdr.gso_type |= VIREO_NET_HDR_GSO_ECN;
	h->hdr.gso_size = sinfo->gso_size;
	h->hdr.hdr_len = skb_headlen(skb);
	return 0;
}

/*
 * The header may go in the headroom, in front of the data, if the device
 * takes any layout and the headroom is ours to write.
 */
static bool vireo_net_tx_can_push(struct vireo_net *vn, struct sk_buff *skb)
{
	return vn->any_layout && skb_headroom(skb) >= vn->hdr_len &&
	       !skb_header_cloned(skb);
}

/* Post one skb; the caller holds the xmit lock. */
static int vireo_net_tx_add(struct vireo_net_sq *sq, struct sk_buff *skb)
{
	struct vireo_net *vn = sq->vn;
	struct vireo_net_hdr_mrg h;
	int n, err;

	err = vireo_net_tx_hdr(skb, &h);
	if (err)
		return err;
	sg_init_table(sq->sg, VIREO_NET_TX_SG);
	if (vireo_net_tx_can_push(vn, skb)) {
		memcpy(skb_push(skb, vn->hdr_len), &h, vn->hdr_len);
		n = skb_to_sgvec(skb, sq->sg, 0, skb->len);
		__skb_pull(skb, vn->hdr_len);
	} else {
		/* skb->cb is ours until the skb is freed. */
		BUILD_BUG_ON(sizeof(h) > sizeof(skb->cb));
		memcpy(skb->cb, &h, vn->hdr_len);
		sg_set_buf(sq->sg, skb->cb, vn->hdr_len);
		n = skb_to_sgvec(skb, sq->sg + 1, 0, skb->len);
		if (n >= 0)
			n++;
	}
	if (n < 0)
		return n;
	return vireo_vq_add_buf(sq->vq, sq->sg, n, 0, skb, GFP_ATOMIC);
}

/*
 * The ring may not hold another worst-case skb: stop, and arm the
 * interrupt that will wake the queue. If completions came meanwhile,
 * collect them and go on at once.
 */
static void vireo_net_tx_maybe_stop(struct vireo_net_sq *sq,
				    struct netdev_queue *txq)
{
	if (vireo_net_tx_room(sq))
		return;
	netif_tx_stop_queue(txq);
	vireo_net_count(&sq->stats, &sq->stats.stops, 1);
	if (!vireo_vq_enable_cb_delayed(sq->vq)) {
		vireo_net_tx_free(sq, txq, 0);
		if (vireo_net_tx_room(sq))
			netif_tx_start_queue(txq);
	}
}

static void vireo_net_tx_kick(struct vireo_net_sq *sq)
{
	if (vireo_vq_kick_prepare(sq->vq) && vireo_vq_notify(sq->vq))
		vireo_net_count(&sq->stats, &sq->stats.kicks, 1);
}

/**
 * vireo_net_start_xmit - ndo_start_xmit
 * @skb: the frame
 * @ndev: the device
 *
 * Context: softirq or process context with bottom halves off, or
 * netpoll with interrupts off; the stack holds the queue's xmit lock.
 * Return: NETDEV_TX_OK always: an skb that cannot be sent is dropped
 * and counted.
 */
netdev_tx_t vireo_net_start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct vireo_net *vn = netdev_priv(ndev);
	unsigned int qi = skb_get_queue_mapping(skb);
	struct vireo_net_sq *sq = &vn->sqs[qi];
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, qi);
	bool more = netdev_xmit_more();
	unsigned int len = skb->len;
	bool kick;
	int err;

	vireo_net_tx_free(sq, txq, 0);
	if (!vireo_net_napi_tx) {
		skb_orphan(skb);
		nf_reset_ct(skb);
	}
	err = vireo_net_tx_add(sq, skb);
	if (unlikely(err)) {
		vireo_net_count(&sq->stats, &sq->stats.drops, 1);
		net_warn_ratelimited("%s: %s: dropped a frame: %d\n",
				     ndev->name, sq->name, err);
		dev_kfree_skb_any(skb);
		/* A broken ring takes nothing more until it is re-created. */
		if (err == -EIO) {
			vireo_net_count(&sq->stats, &sq->stats.errors, 1);
			vireo_net_schedule_reset(vn);
		}
		/* Frames batched before this one must still go. */
		if (!more)
			vireo_net_tx_kick(sq);
		return NETDEV_TX_OK;
	}
	u64_stats_update_begin(&sq->stats.syncp);
	u64_stats_inc(&sq->stats.packets);
	u64_stats_add(&sq->stats.bytes, len);
	u64_stats_update_end(&sq->stats.syncp);
	/*
	 * BQL first: stopping may collect completions, this skb's among
	 * them, and BQL must never complete bytes it was not told were sent.
	 */
	kick = __netdev_tx_sent_queue(txq, len, more);
	vireo_net_tx_maybe_stop(sq, txq);
	if (kick || netif_xmit_stopped(txq)) {
		vireo_net_tx_kick(sq);
		/* BQL may have stopped the queue: its wake needs an IRQ. */
		if (netif_xmit_stopped(txq) && !vireo_net_tx_arm(sq, txq))
			napi_schedule(&sq->napi);
	}
	return NETDEV_TX_OK;
}

/**
 * vireo_net_tx_timeout - ndo_tx_timeout: a queue stopped for too long
 * @ndev: the device
 * @txqueue: the queue that timed out
 *
 * The device holds the queue's buffers and does not give them back: a
 * stalled backend, or a device that lost its state. Logging is not
 * enough, the queue would stay stuck; the device is reset and its queues
 * re-created (vireo_net_schedule_reset()).
 *
 * Context: the netdev watchdog timer (softirq), with the xmit locks held.
 */
void vireo_net_tx_timeout(struct net_device *ndev, unsigned int txqueue)
{
	struct vireo_net *vn = netdev_priv(ndev);
	struct vireo_net_sq *sq;

	if (txqueue >= vn->max_pairs)
		return;
	sq = &vn->sqs[txqueue];
	vireo_net_count(&sq->stats, &sq->stats.timeouts, 1);
	netdev_warn(ndev, "%s: transmit timed out with %u descriptors free; resetting the device\n",
		    sq->name, sq->vq->num_free);
	vireo_net_schedule_reset(vn);
}
