/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_net's shared definitions: the driver's state and what its files
 * call of each other. The wire formats are in vireo_net_wire.h, the
 * control queue's contract in vireo_net_ctrl.h.
 *
 *   vireo_net_main.c     the module, features, probe and remove, queue
 *                        creation, netdev ops, config changes, recovery
 *   vireo_net_rx.c       receive: buffers, refill, NAPI, validation
 *   vireo_net_tx.c       transmit: xmit, completions, TX NAPI, BQL
 *   vireo_net_ctrl.c     the control queue (vireo_net_ctrl.h)
 *   vireo_net_ethtool.c  ethtool operations and statistics
 */
#ifndef _VIREO_NET_H
#define _VIREO_NET_H

#include <linux/average.h>
#include <linux/bitmap.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/ratelimit.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <vireo/driver.h>
#include "vireo_net_ctrl.h"
#include "vireo_net_wire.h"

/* The longest frame of an MTU-1500 link, VLAN tag included. */
#define VIREO_NET_GOOD_LEN	(ETH_HLEN + VLAN_HLEN + ETH_DATA_LEN)
/*
 * The longest frame the driver accepts at all: a 64 KiB GSO frame with
 * its link header. Anything a device claims beyond it is dropped.
 */
#define VIREO_NET_MAX_FRAME	(ETH_HLEN + VLAN_HLEN + U16_MAX)
/*
 * Bytes of a received frame copied into the skb's linear part at most: a
 * short frame whole, a longer one's protocol headers only
 * (vireo_net_rx_copy_len()).
 */
#define VIREO_NET_COPY_LEN	128
/*
 * Receive buffers in flight per queue at most, whatever ring the device
 * offers: each costs a slot here and a preallocated indirect table in
 * the ring, so a device must not be able to size them. QEMU's largest
 * receive ring is 1024.
 */
#define VIREO_NET_RX_MAX_BUFS	1024U
/*
 * Transmit buffers with a preallocated indirect table, whatever ring the
 * device offers; BQL keeps far fewer in flight, and any beyond this
 * allocate their table.
 */
#define VIREO_NET_TX_MAX_BUFS	1024U
/* Refill once this many receive slots are free (or the queue runs low). */
#define VIREO_NET_REFILL_BATCH	16U
/* The deferred refill retries this often while a queue stays empty. */
#define VIREO_NET_REFILL_RETRY	(HZ / 10)
/*
 * A transmitted skb takes a header, its linear part and each fragment:
 * the worst case in ring descriptors without indirect tables, and the
 * scatterlist entries with them. The queue stops below this many free.
 */
#define VIREO_NET_TX_SG		(MAX_SKB_FRAGS + 2)
/*
 * Queue pairs the device may claim before the control queue (which sits
 * after every pair) is out of reach: creating the unused pairs' rings
 * costs memory, which the device must not be able to size.
 */
#define VIREO_NET_MAX_DEV_PAIRS	64U
/* How long a control command waits for the device's acknowledgment. */
#define VIREO_NET_CTRL_TIMEOUT_MS	2000U
/* ndo_tx_timeout fires after the queue has been stopped this long. */
#define VIREO_NET_TX_TIMEOUT	(5 * HZ)
/* The TX watch looks at the running queues this often. */
#define VIREO_NET_TX_WATCH	HZ
/*
 * Recovery gives up on a device that needs this many resets in a row,
 * each within VIREO_NET_RESET_GAP of the one before: one that breaks
 * its queues again at once. A stalled peer (transmit timeouts) is at
 * least VIREO_NET_TX_TIMEOUT apart and is retried for ever.
 */
#define VIREO_NET_MAX_QUICK_RESETS	3
#define VIREO_NET_RESET_GAP	(2 * HZ)

/* How receive buffers are laid out, fixed at probe from the features. */
enum vireo_net_rx_mode {
	VIREO_NET_RX_SMALL,	/* one frame of up to GOOD_LEN per buffer */
	VIREO_NET_RX_BIG,	/* a chain of pages per frame, no MRG_RXBUF */
	VIREO_NET_RX_MERGE,	/* MRG_RXBUF: page fragments, num_buffers */
};

/*
 * The average received frame, in bytes, weighted towards the recent
 * ones; sizes mergeable buffers. Precision 0, weight 1/64.
 */
DECLARE_EWMA(vireo_pkt_len, 0, 64)

/**
 * struct vireo_net_rxslot - one receive buffer in flight (private memory)
 * @buf: the buffer's start (small and mergeable modes), or the first
 *	page's address (big mode, further pages linked by page->private)
 * @len: device-writable bytes posted
 * @truesize: memory the buffer costs, for the skb's truesize
 *
 * The ring's token for a receive buffer is its slot, so that nothing the
 * receive path relies on is read back from memory the device can write.
 */
struct vireo_net_rxslot {
	void *buf;
	u32 len;
	u32 truesize;
};

/**
 * struct vireo_net_qstats - one queue's counters (ethtool -S)
 * @syncp: makes the 64-bit counters safe to read on 32-bit machines
 * @packets: frames received or sent
 * @bytes: their bytes, without the header
 * @drops: frames dropped by the driver (no memory, bad frame, no room)
 * @errors: frames or buffers the device got wrong (bad lengths, counts,
 *	GSO or checksum fields)
 * @refill_fails: receive buffer allocations that failed
 * @kicks: notifications sent to the device
 * @stops: times the transmit queue stopped on a full ring
 * @timeouts: transmit timeouts on this queue
 * @renotifies: times the TX watch notified the device again about
 *	buffers it had left alone (vireo_net_tx_watch())
 *
 * Written only by the queue's owner (NAPI, or xmit under the queue's
 * lock), read by anyone.
 */
struct vireo_net_qstats {
	struct u64_stats_sync syncp;
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t drops;
	u64_stats_t errors;
	u64_stats_t refill_fails;
	u64_stats_t kicks;
	u64_stats_t stops;
	u64_stats_t timeouts;
	u64_stats_t renotifies;
};

/* The counters of struct vireo_net_qstats, syncp aside. */
#define VIREO_NET_QSTATS	9

/**
 * struct vireo_net_rq - one receive queue
 * @napi: its NAPI context; the only user of @vq while enabled
 * @vq: the virtqueue, rx<N> (ring index 2N)
 * @vn: the device state
 * @index: N
 * @frag: the page the next buffers are carved from (small, mergeable)
 * @avg_len: average frame length, for mergeable buffer sizes
 * @spare: big mode's spare pages, linked by page->private
 * @slots: @max_bufs slots, the tokens of buffers in flight
 * @free: indices of the free slots, @nr_free of them
 * @nr_free: see @free
 * @max_bufs: buffers in flight at most: the ring size, capped
 * @min_buf_len: the smallest mergeable buffer, for this ring's size
 * @descs: ring descriptors one buffer takes
 * @stats: counters
 * @sg: scatterlist for the buffer being posted
 * @name: "rx.N", the queue's (and its IRQ's) name
 */
struct vireo_net_rq {
	struct napi_struct napi;
	struct vireo_virtqueue *vq;
	struct vireo_net *vn;
	unsigned int index;
	struct page_frag frag;
	struct ewma_vireo_pkt_len avg_len;
	struct page *spare;
	struct vireo_net_rxslot *slots;
	u16 *free;
	unsigned int nr_free;
	unsigned int max_bufs;
	unsigned int min_buf_len;
	unsigned int descs;
	struct vireo_net_qstats stats;
	struct scatterlist sg[MAX_SKB_FRAGS + 2];
	char name[16];
} ____cacheline_aligned_in_smp;

/**
 * struct vireo_net_sq - one transmit queue
 * @napi: TX NAPI: frees completed skbs and wakes the queue
 * @vq: the virtqueue, tx<N> (ring index 2N + 1)
 * @vn: the device state
 * @index: N, also the netdev's transmit queue number
 * @stats: counters
 * @sg: scatterlist for the skb being sent (under the queue's xmit lock)
 * @done: skbs the device gave back, ever (under the xmit lock)
 * @watch_done: @done when the TX watch last looked (under the xmit lock)
 * @watch_stalled: the TX watch found the queue stalled last time
 * @name: "tx.N", the queue's (and its IRQ's) name
 *
 * Every operation on @vq happens under the netdev queue's xmit lock.
 */
struct vireo_net_sq {
	struct napi_struct napi;
	struct vireo_virtqueue *vq;
	struct vireo_net *vn;
	unsigned int index;
	struct vireo_net_qstats stats;
	struct scatterlist sg[VIREO_NET_TX_SG];
	unsigned long done;
	unsigned long watch_done;
	bool watch_stalled;
	char name[16];
} ____cacheline_aligned_in_smp;

/**
 * struct vireo_net - per-device state (the net_device's private area)
 * @vdev: the device
 * @ndev: the network device
 * @rqs: receive queues, @max_pairs of them
 * @sqs: transmit queues, @max_pairs of them
 * @dev_pairs: queue pairs the device has (1 without MQ); all of them
 *	are created, so that the control queue after them is reached
 * @max_pairs: pairs the driver may use: @dev_pairs capped at the CPUs
 * @curr_pairs: pairs in use now (ethtool -L)
 * @has_cvq: the control queue exists
 * @hdr_len: the header's size: 12 with MRG_RXBUF, else 10
 * @any_layout: the header may share a descriptor with data
 * @mode: the receive buffer layout
 * @big_pages: pages per big-mode buffer
 * @small_len: bytes per small-mode buffer, headroom and tail included
 * @max_frame: the longest frame received, header excluded
 * @guest_offloads: the GUEST_* receive offloads in force now, as the
 *	device was last told (under the RTNL)
 * @guest_offloads_capable: the GUEST_* offloads negotiated and usable;
 *	what the receive path accepts from the device
 * @ctrl: the control queue
 * @ready: config events and recovery may act (probe done, remove not
 *	started); under the RTNL, which also serialises recovery, channel
 *	changes, config events and the deferred refill
 * @refill_on: the deferred refill may run (the device is open); under
 *	@refill_lock
 * @refill_lock: guards @refill_on against the work re-arming itself
 * @refill_work: refills receive queues with GFP_KERNEL after a failure
 * @rx_mode_work: programs the receive filter (ndo_set_rx_mode is atomic)
 * @reset_work: resets the device and re-creates its queues
 * @tx_watch: notifies the device again about transmit buffers it has
 *	left alone for a while (vireo_net_tx_watch()); runs while open
 * @vlans: the VLAN filter, replayed after a reset
 * @speed: ethtool's link speed (SPEED_UNKNOWN unless the user sets it)
 * @duplex: ethtool's duplex, likewise
 * @resets: device resets done by recovery
 * @last_reset: when the last one was, in jiffies
 * @quick_resets: resets in a row, each within VIREO_NET_RESET_GAP
 * @dead: recovery failed; the device is left reset
 * @bad_rs: limits the messages about frames the device got wrong
 * @debugfs: this device's debugfs directory
 * @fail_nth: fail the refill allocation this many allocations from now
 *	(debugfs; 0 is off)
 * @fail_times: and this many in a row from there (debugfs)
 */
struct vireo_net {
	struct vireo_device *vdev;
	struct net_device *ndev;
	struct vireo_net_rq *rqs;
	struct vireo_net_sq *sqs;
	unsigned int dev_pairs;
	unsigned int max_pairs;
	unsigned int curr_pairs;
	bool has_cvq;
	unsigned int hdr_len;
	bool any_layout;
	enum vireo_net_rx_mode mode;
	unsigned int big_pages;
	unsigned int small_len;
	unsigned int max_frame;
	u64 guest_offloads;
	u64 guest_offloads_capable;
	struct vireo_net_ctrl ctrl;
	bool ready;
	bool refill_on;
	spinlock_t refill_lock;	/* see above */
	struct delayed_work refill_work;
	struct work_struct rx_mode_work;
	struct work_struct reset_work;
	struct delayed_work tx_watch;
	unsigned long vlans[BITS_TO_LONGS(VLAN_N_VID)];
	u32 speed;
	u8 duplex;
	u64 resets;
	unsigned long last_reset;
	unsigned int quick_resets;
	bool dead;
	struct ratelimit_state bad_rs;
	struct dentry *debugfs;
	atomic_t fail_nth;
	atomic_t fail_times;
};

/* The GUEST_* bits that CTRL_GUEST_OFFLOADS switches. */
#define VIREO_NET_GUEST_OFFLOADS \
	(BIT_ULL(VIREO_NET_F_GUEST_CSUM) | BIT_ULL(VIREO_NET_F_GUEST_TSO4) | \
	 BIT_ULL(VIREO_NET_F_GUEST_TSO6) | BIT_ULL(VIREO_NET_F_GUEST_ECN) | \
	 BIT_ULL(VIREO_NET_F_GUEST_UFO))
/* Those of them that make the device coalesce (NETIF_F_GRO_HW). */
#define VIREO_NET_GUEST_GSO \
	(BIT_ULL(VIREO_NET_F_GUEST_TSO4) | BIT_ULL(VIREO_NET_F_GUEST_TSO6) | \
	 BIT_ULL(VIREO_NET_F_GUEST_ECN) | BIT_ULL(VIREO_NET_F_GUEST_UFO))

static inline bool vireo_net_has(const struct vireo_net *vn, unsigned int f)
{
	return vireo_has_feature(vn->vdev, f);
}

/* Add @n to one of a queue's counters; the queue's owner only. */
static inline void vireo_net_count(struct vireo_net_qstats *s,
				   u64_stats_t *c, u64 n)
{
	u64_stats_update_begin(&s->syncp);
	u64_stats_add(c, n);
	u64_stats_update_end(&s->syncp);
}

/* vireo_net_main.c */
void vireo_net_schedule_reset(struct vireo_net *vn);
int vireo_net_set_pairs(struct vireo_net *vn, unsigned int pairs);
extern struct dentry *vireo_net_debugfs_root;

/* vireo_net_rx.c */
void vireo_net_rx_callback(struct vireo_virtqueue *vq);
int vireo_net_rx_poll(struct napi_struct *napi, int budget);
int vireo_net_rq_init(struct vireo_net_rq *rq);
void vireo_net_rq_free(struct vireo_net_rq *rq);
bool vireo_net_refill(struct vireo_net_rq *rq, gfp_t gfp);
void vireo_net_rx_reclaim(struct vireo_net_rq *rq);
void vireo_net_refill_work(struct work_struct *work);
void vireo_net_refill_schedule(struct vireo_net *vn, unsigned long delay);
void vireo_net_rx_setup(struct vireo_net *vn);
void vireo_net_rx_debugfs(struct vireo_net *vn);

/* vireo_net_tx.c */
void vireo_net_tx_callback(struct vireo_virtqueue *vq);
int vireo_net_tx_poll(struct napi_struct *napi, int budget);
netdev_tx_t vireo_net_start_xmit(struct sk_buff *skb, struct net_device *ndev);
void vireo_net_tx_reclaim(struct vireo_net_sq *sq);
void vireo_net_tx_timeout(struct net_device *ndev, unsigned int txqueue);
void vireo_net_tx_watch(struct work_struct *work);
extern bool vireo_net_napi_tx;

/* vireo_net_ethtool.c */
extern const struct ethtool_ops vireo_net_ethtool_ops;
void vireo_net_qstats_read(struct vireo_net_qstats *s,
			   u64 out[VIREO_NET_QSTATS]);

#endif /* _VIREO_NET_H */
