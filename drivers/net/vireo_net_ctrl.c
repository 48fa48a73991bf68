// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_net: the control queue.
 *
 * One request is in flight at a time, under @lock. A request is the
 * {class, cmd} header and the command's data, read by the device, then a
 * one-byte ack that the device writes. All of it lives in one kmalloc'd
 * struct vireo_net_ctrl_buf, whose address is also the ring token.
 *
 * The wait for the ack is bounded by @timeout_ms. A device that does not
 * answer in time still owns the buffer, so the queue is then "stuck":
 * later commands fail at once with -ETIMEDOUT, without touching the
 * buffer, until the device returns it (the next command looks) or the
 * queue is torn down after a reset (vireo_net_ctrl_detach()).
 *
 * The answer is checked before it is believed: the token must be our
 * buffer, the used length must cover the ack, and the ack must be OK or
 * ERR. Anything else is a device error, counted in @stats.bad_acks.
 */

#include <linux/completion.h>
#include <linux/errno.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/driver.h>
#include "vireo_net_ctrl.h"
#include "vireo_net_wire.h"

/*
 * Addresses per MAC table. QEMU keeps 64 in total and sets its own
 * overflow flags past that, so a larger table would buy nothing; a list
 * longer than this turns on promiscuous (or all-unicast) or all-multicast
 * reception instead of losing addresses.
 */
#define VIREO_NET_CTRL_MACS	64

/* The largest payload vireo_net_ctrl_cmd() takes; commands need <= 8. */
#define VIREO_NET_CTRL_DATA_MAX	64

/*
 * Written to the ack byte before each request: neither OK nor ERR, so a
 * device that claims to have answered without writing the byte is caught.
 */
#define VIREO_NET_CTRL_ACK_NONE	0xff

/* The longest wait init accepts, well below the hung-task detector. */
#define VIREO_NET_CTRL_TIMEOUT_MAX_MS	30000

/**
 * struct vireo_net_ctrl_mac_table - one table of MAC TABLE_SET, on the wire
 * @entries: how many of @macs are valid (guest-native order on legacy)
 * @macs: the addresses
 *
 * Only sizeof(@entries) + @entries * ETH_ALEN bytes are posted.
 */
struct vireo_net_ctrl_mac_table {
	u32 entries;
	u8 macs[VIREO_NET_CTRL_MACS][ETH_ALEN];
} __packed;

/**
 * struct vireo_net_ctrl_buf - the one request; the device may reach it
 * @hdr: class and command (device-readable)
 * @data: the command's payload (device-readable)
 * @ack: the device's answer (device-writable, one byte)
 * @uc: the unicast table of MAC TABLE_SET (device-readable)
 * @mc: the multicast table of MAC TABLE_SET (device-readable)
 *
 * Nothing here is read back as bookkeeping: lengths and counts come from
 * locals, and only @ack is read after the device answered.
 */
struct vireo_net_ctrl_buf {
	struct vireo_net_ctrl_hdr hdr;
	u8 data[VIREO_NET_CTRL_DATA_MAX];
	u8 ack;
	struct vireo_net_ctrl_mac_table uc;
	struct vireo_net_ctrl_mac_table mc;
};

/* Device-readable pieces after the header: at most the two MAC tables. */
#define VIREO_NET_CTRL_MAX_PIECES	2

static struct device *vireo_net_ctrl_dev(struct vireo_net_ctrl *ctrl)
{
	return &ctrl->vdev->dev;
}

/**
 * vireo_net_ctrl_callback - the control queue's completion callback
 * @vq: the control queue
 *
 * Only wakes the waiting command: collecting the buffer needs @lock,
 * which cannot be taken here. A callback with nothing to collect (a late
 * answer, or a spurious interrupt) is harmless: the waiter looks at the
 * ring and sleeps again if nothing is there.
 *
 * Context: hard-IRQ context (called by the transport's interrupt handler).
 */
void vireo_net_ctrl_callback(struct vireo_virtqueue *vq)
{
	struct vireo_net_ctrl *ctrl = READ_ONCE(vq->priv);

	/* Before vireo_net_ctrl_attach() nothing can be in flight. */
	if (ctrl)
		complete(&ctrl->done);
}

/**
 * vireo_net_ctrl_init - set up a control queue's state, without a queue
 * @ctrl: the state to set up
 * @vdev: the device
 * @timeout_ms: how long each command waits for its ack; 1 to 30000
 *
 * Commands fail with -EOPNOTSUPP until vireo_net_ctrl_attach().
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a @timeout_ms out of range, or -ENOMEM.
 */
int vireo_net_ctrl_init(struct vireo_net_ctrl *ctrl, struct vireo_device *vdev,
			unsigned int timeout_ms)
{
	if (!timeout_ms || timeout_ms > VIREO_NET_CTRL_TIMEOUT_MAX_MS)
		return -EINVAL;
	memset(ctrl, 0, sizeof(*ctrl));
	ctrl->buf = kzalloc(sizeof(*ctrl->buf), GFP_KERNEL);
	if (!ctrl->buf)
		return -ENOMEM;
	ctrl->vdev = vdev;
	ctrl->timeout_ms = timeout_ms;
	mutex_init(&ctrl->lock);
	init_completion(&ctrl->done);
	return 0;
}

/**
 * vireo_net_ctrl_attach - start sending commands on a control queue
 * @ctrl: the state
 * @vq: the control queue, created with vireo_net_ctrl_callback() as its
 *	callback, or NULL (commands then fail with -EOPNOTSUPP)
 *
 * Sets @vq->priv to @ctrl, for the callback.
 *
 * Context: process context; may sleep. Not concurrently with
 * vireo_net_ctrl_detach().
 */
void vireo_net_ctrl_attach(struct vireo_net_ctrl *ctrl,
			   struct vireo_virtqueue *vq)
{
	if (vq)
		WRITE_ONCE(vq->priv, ctrl);
	mutex_lock(&ctrl->lock);
	ctrl->vq = vq;
	ctrl->stuck = false;
	WRITE_ONCE(ctrl->detaching, false);
	mutex_unlock(&ctrl->lock);
}

/**
 * vireo_net_ctrl_detach - stop using the control queue, before deleting it
 * @ctrl: the state
 *
 * A command still waiting is woken and fails with -ENODEV rather than
 * waiting out its timeout; commands that start meanwhile fail at once.
 * The request the device holds, if any, is taken back, which clears
 * @stuck. Afterwards commands fail with -EOPNOTSUPP until the next
 * vireo_net_ctrl_attach().
 *
 * Context: process context; may sleep (for one command, bounded by
 * @timeout_ms). Only after the device was reset (vireo_reset_device()),
 * so that it no longer touches the ring, and before its queues are
 * deleted.
 */
void vireo_net_ctrl_detach(struct vireo_net_ctrl *ctrl)
{
	struct vireo_virtqueue *vq;

	WRITE_ONCE(ctrl->detaching, true);
	complete(&ctrl->done);
	mutex_lock(&ctrl->lock);
	vq = ctrl->vq;
	if (vq) {
		/* The device is reset: whatever it held is ours again. */
		while (vireo_vq_shutdown(vq))
			;
		WRITE_ONCE(vq->priv, NULL);
	}
	ctrl->vq = NULL;
	ctrl->stuck = false;
	mutex_unlock(&ctrl->lock);
}

/**
 * vireo_net_ctrl_destroy - free what vireo_net_ctrl_init() allocated
 * @ctrl: the state, detached
 *
 * If a queue is still attached with a request the device never returned,
 * the buffer is leaked rather than freed under the device.
 *
 * Context: process context.
 */
void vireo_net_ctrl_destroy(struct vireo_net_ctrl *ctrl)
{
	if (ctrl->vq && ctrl->stuck) {
		dev_warn(vireo_net_ctrl_dev(ctrl),
			 "control buffer still owned by the device, leaking it\n");
		ctrl->buf = NULL;
		return;
	}
	kfree(ctrl->buf);
	ctrl->buf = NULL;
	mutex_destroy(&ctrl->lock);
}

/*
 * A stuck request the device has since returned: take it back. Its late
 * ack answers a command that already failed, so it is not looked at.
 */
static bool vireo_net_ctrl_reclaim(struct vireo_net_ctrl *ctrl)
{
	void *token = vireo_vq_get_buf(ctrl->vq, NULL);

	if (!token)
		return false;
	if (token != ctrl->buf) {
		/* The ring vouches for tokens; ours is still out. */
		ctrl->stats.bad_acks++;
		return false;
	}
	ctrl->stuck = false;
	return true;
}

/* May a request be posted now? Called with @lock held. */
static int vireo_net_ctrl_ready(struct vireo_net_ctrl *ctrl)
{
	if (!ctrl->vq)
		return -EOPNOTSUPP;
	if (READ_ONCE(ctrl->detaching))
		return -ENODEV;
	if (vireo_vq_is_broken(ctrl->vq))
		return -EIO;
	if (ctrl->stuck && !vireo_net_ctrl_reclaim(ctrl))
		return -ETIMEDOUT;
	return 0;
}

/*
 * Waits for the device to return a buffer, up to @timeout_ms in all. A
 * completion without a used buffer (spurious, or left from an earlier
 * request) just means looking again. The ring is checked once more at
 * the deadline, for a device that answered without interrupting.
 */
static void *vireo_net_ctrl_wait(struct vireo_net_ctrl *ctrl, unsigned int *len)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ctrl->timeout_ms);
	void *token;
	long left;

	for (;;) {
		token = vireo_vq_get_buf(ctrl->vq, len);
		if (token || vireo_vq_is_broken(ctrl->vq) ||
		    READ_ONCE(ctrl->detaching))
			return token;
		/* Read jiffies once: a second read could pass the deadline. */
		left = (long)(deadline - jiffies);
		if (left <= 0)
			return NULL;
		wait_for_completion_timeout(&ctrl->done, left);
	}
}

static int vireo_net_ctrl_check(struct vireo_net_ctrl *ctrl, u8 class, u8 cmd,
				void *token, unsigned int len)
{
	u8 ack = 0;

	if (token != ctrl->buf) {
		/* Not ours (the ring should never allow it): ours is still out. */
		ctrl->stuck = true;
		goto bad;
	}
	if (len < sizeof(ctrl->buf->ack))
		goto bad;
	ack = READ_ONCE(ctrl->buf->ack);
	if (ack == VIREO_NET_OK)
		return 0;
	if (ack == VIREO_NET_ERR) {
		ctrl->stats.errors++;
		return -EINVAL;
	}
bad:
	ctrl->stats.bad_acks++;
	if (!ctrl->bad_ack_noted) {
		ctrl->bad_ack_noted = true;
		dev_err(vireo_net_ctrl_dev(ctrl),
			"control command %u.%u: invalid answer (length %u, ack %#x)\n",
			class, cmd, len, ack);
	}
	return -EIO;
}

/*
 * Posts the header, then @npieces device-readable pieces, then the ack,
 * and waits for the answer. Called with @lock held, after
 * vireo_net_ctrl_ready() succeeded.
 */
static int vireo_net_ctrl_send(struct vireo_net_ctrl *ctrl, u8 class, u8 cmd,
			       struct scatterlist *pieces, unsigned int npieces)
{
	struct scatterlist *sgs[VIREO_NET_CTRL_MAX_PIECES + 2];
	struct vireo_net_ctrl_buf *buf = ctrl->buf;
	struct scatterlist hdr_sg, ack_sg;
	unsigned int i, n = 0, len = 0;
	void *token;
	int err;

	buf->hdr.class = class;
	buf->hdr.cmd = cmd;
	buf->ack = VIREO_NET_CTRL_ACK_NONE;
	sg_init_one(&hdr_sg, &buf->hdr, sizeof(buf->hdr));
	sgs[n++] = &hdr_sg;
	for (i = 0; i < npieces; i++)
		sgs[n++] = &pieces[i];
	sg_init_one(&ack_sg, &buf->ack, sizeof(buf->ack));
	sgs[n++] = &ack_sg;

	reinit_completion(&ctrl->done);
	err = vireo_vq_add_sgs(ctrl->vq, sgs, n - 1, 1, buf, GFP_KERNEL);
	if (err)
		return err;
	ctrl->stats.commands++;
	/* Posted: until it comes back, the buffer is the device's. */
	ctrl->stuck = true;
	if (!vireo_vq_kick(ctrl->vq))
		return -EIO;

	token = vireo_net_ctrl_wait(ctrl, &len);
	if (!token) {
		if (vireo_vq_is_broken(ctrl->vq))
			return -EIO;
		if (READ_ONCE(ctrl->detaching))
			return -ENODEV;
		ctrl->stats.timeouts++;
		dev_err_ratelimited(vireo_net_ctrl_dev(ctrl),
				    "control command %u.%u not answered in %u ms; control queue stuck\n",
				    class, cmd, ctrl->timeout_ms);
		return -ETIMEDOUT;
	}
	ctrl->stuck = false;
	return vireo_net_ctrl_check(ctrl, class, cmd, token, len);
}

/* Sends a command whose payload is already in @buf->data. */
static int vireo_net_ctrl_send_data(struct vireo_net_ctrl *ctrl, u8 class,
				    u8 cmd, unsigned int len)
{
	struct scatterlist data_sg;

	if (!len)
		return vireo_net_ctrl_send(ctrl, class, cmd, NULL, 0);
	sg_init_one(&data_sg, ctrl->buf->data, len);
	return vireo_net_ctrl_send(ctrl, class, cmd, &data_sg, 1);
}

/* vireo_net_ctrl_cmd() with @lock held. */
static int vireo_net_ctrl_cmd_locked(struct vireo_net_ctrl *ctrl, u8 class,
				     u8 cmd, const void *data, unsigned int len)
{
	int err;

	/* The payload may be copied in only while the buffer is ours. */
	err = vireo_net_ctrl_ready(ctrl);
	if (err)
		return err;
	if (len)
		memcpy(ctrl->buf->data, data, len);
	return vireo_net_ctrl_send_data(ctrl, class, cmd, len);
}

/**
 * vireo_net_ctrl_cmd - send one command and wait for its ack
 * @ctrl: the state
 * @class: VIREO_NET_CTRL_* class
 * @cmd: the class's command
 * @data: the payload, copied before sending; may be NULL if @len is 0
 * @len: payload bytes, at most 64
 *
 * Checks no feature: the helpers below do that for their commands.
 *
 * Context: process context; sleeps for up to @timeout_ms. Takes @lock.
 * Return: 0 if the device answered OK; -EINVAL if it answered ERR or @len
 * is too long; -EIO if it answered anything else, answered too short, or
 * the queue is broken; -ETIMEDOUT if it did not answer in time or still
 * holds an earlier request; -EOPNOTSUPP without a control queue; -ENODEV
 * while the queue is being detached; -ENOSPC or -ENOMEM from the ring.
 */
int vireo_net_ctrl_cmd(struct vireo_net_ctrl *ctrl, u8 class, u8 cmd,
		       const void *data, unsigned int len)
{
	int err;

	if (len > VIREO_NET_CTRL_DATA_MAX || (len && !data))
		return -EINVAL;
	mutex_lock(&ctrl->lock);
	err = vireo_net_ctrl_cmd_locked(ctrl, class, cmd, data, len);
	mutex_unlock(&ctrl->lock);
	return err;
}

/* Has the device this feature and a queue to send its commands on? */
static int vireo_net_ctrl_supports(struct vireo_net_ctrl *ctrl,
				   unsigned int fbit)
{
	if (!vireo_has_feature(ctrl->vdev, fbit))
		return -EOPNOTSUPP;
	return 0;
}

/* A one-byte receive mode command. Called with @lock held. */
static int vireo_net_ctrl_rx_flag(struct vireo_net_ctrl *ctrl, u8 cmd, bool on)
{
	u8 val = on;

	return vireo_net_ctrl_cmd_locked(ctrl, VIREO_NET_CTRL_RX, cmd, &val,
					 sizeof(val));
}

/*
 * Copies up to VIREO_NET_CTRL_MACS addresses of one list into @table.
 * Returns false (and an empty table) if the list is longer: the caller
 * then widens reception rather than programming a partial table.
 */
static bool vireo_net_ctrl_fill(struct vireo_net_ctrl_mac_table *table,
				struct netdev_hw_addr_list *list,
				unsigned int *entries)
{
	struct netdev_hw_addr *ha;
	unsigned int n = 0;

	*entries = 0;
	if (netdev_hw_addr_list_count(list) > VIREO_NET_CTRL_MACS) {
		table->entries = 0;
		return false;
	}
	netdev_hw_addr_list_for_each(ha, list) {
		if (n == VIREO_NET_CTRL_MACS)
			break;
		ether_addr_copy(table->macs[n++], ha->addr);
	}
	table->entries = n;
	*entries = n;
	return true;
}

/**
 * struct vireo_net_ctrl_filter - what one vireo_net_ctrl_rx_mode() sends
 * @uc_entries: addresses in the unicast table posted
 * @mc_entries: addresses in the multicast table posted
 * @uc_overflow: the unicast list did not fit
 * @mc_overflow: the multicast list did not fit
 */
struct vireo_net_ctrl_filter {
	unsigned int uc_entries;
	unsigned int mc_entries;
	bool uc_overflow;
	bool mc_overflow;
};

/* Snapshots both lists into the buffer. Called with @lock held. */
static void vireo_net_ctrl_snapshot(struct vireo_net_ctrl *ctrl,
				    struct net_device *ndev,
				    struct vireo_net_ctrl_filter *f)
{
	struct vireo_net_ctrl_buf *buf = ctrl->buf;

	netif_addr_lock_bh(ndev);
	f->uc_overflow = !vireo_net_ctrl_fill(&buf->uc, &ndev->uc,
					      &f->uc_entries);
	f->mc_overflow = !vireo_net_ctrl_fill(&buf->mc, &ndev->mc,
					      &f->mc_entries);
	netif_addr_unlock_bh(ndev);
}

static int vireo_net_ctrl_table_set(struct vireo_net_ctrl *ctrl,
				    const struct vireo_net_ctrl_filter *f)
{
	struct vireo_net_ctrl_buf *buf = ctrl->buf;
	struct scatterlist tables[2];
	int err;

	err = vireo_net_ctrl_ready(ctrl);
	if (err)
		return err;
	/*
	 * Each table in its own descriptor, as legacy devices without
	 * ANY_LAYOUT may expect.
	 */
	sg_init_one(&tables[0], &buf->uc,
		    sizeof(buf->uc.entries) + f->uc_entries * ETH_ALEN);
	sg_init_one(&tables[1], &buf->mc,
		    sizeof(buf->mc.entries) + f->mc_entries * ETH_ALEN);
	return vireo_net_ctrl_send(ctrl, VIREO_NET_CTRL_MAC,
				   VIREO_NET_CTRL_MAC_TABLE_SET, tables, 2);
}

/*
 * The receive modes and the tables, in that order; every command is
 * tried, and the first error is returned. Called with @lock held.
 *
 * Choices:
 * - a unicast list too long for the table means promiscuous mode, or,
 *   with CTRL_RX_EXTRA, ALLUNI: every unicast frame, but multicast still
 *   filtered, which is what the overflow actually calls for;
 * - a multicast list too long means ALLMULTI;
 * - ALLUNI is sent every time (off when the list fits) so that it does
 *   not stay on after the list shrinks;
 * - NOMULTI, NOUNI and NOBCAST are never sent: the kernel has no flag for
 *   them, and the device starts with them off after reset.
 */
static int vireo_net_ctrl_rx_mode_locked(struct vireo_net_ctrl *ctrl,
					 struct net_device *ndev)
{
	bool extra = vireo_has_feature(ctrl->vdev, VIREO_NET_F_CTRL_RX_EXTRA);
	unsigned int flags = READ_ONCE(ndev->flags);
	struct vireo_net_ctrl_filter f;
	bool promisc, allmulti;
	int err, ret;

	/* The tables may be written only while the buffer is ours. */
	err = vireo_net_ctrl_ready(ctrl);
	if (err)
		return err;
	vireo_net_ctrl_snapshot(ctrl, ndev, &f);

	promisc = (flags & IFF_PROMISC) || (f.uc_overflow && !extra);
	allmulti = (flags & IFF_ALLMULTI) || f.mc_overflow;

	ret = vireo_net_ctrl_rx_flag(ctrl, VIREO_NET_CTRL_RX_PROMISC, promisc);
	err = vireo_net_ctrl_rx_flag(ctrl, VIREO_NET_CTRL_RX_ALLMULTI, allmulti);
	ret = ret ?: err;
	if (extra) {
		err = vireo_net_ctrl_rx_flag(ctrl, VIREO_NET_CTRL_RX_ALLUNI,
					     f.uc_overflow);
		ret = ret ?: err;
	}
	err = vireo_net_ctrl_table_set(ctrl, &f);
	return ret ?: err;
}

/**
 * vireo_net_ctrl_rx_mode - program the device's receive filter from @ndev
 * @ctrl: the state
 * @ndev: the interface: its flags (IFF_PROMISC, IFF_ALLMULTI) and its
 *	unicast and multicast address lists
 *
 * Sends PROMISC, ALLMULTI (and ALLUNI with CTRL_RX_EXTRA), then the MAC
 * table. Lists longer than 64 addresses are not truncated: reception is
 * widened instead (promiscuous or ALLUNI for unicast, ALLMULTI for
 * multicast). Every command is tried even if an earlier one failed.
 *
 * Context: process context; sleeps for up to four times @timeout_ms.
 * Takes @lock, then the address list lock (netif_addr_lock_bh()); so the
 * caller must not hold the latter (ndo_set_rx_mode defers to a work item).
 * Return: 0, -EOPNOTSUPP without CTRL_RX, or the first error as for
 * vireo_net_ctrl_cmd().
 */
int vireo_net_ctrl_rx_mode(struct vireo_net_ctrl *ctrl,
			   struct net_device *ndev)
{
	int err;

	err = vireo_net_ctrl_supports(ctrl, VIREO_NET_F_CTRL_RX);
	if (err)
		return err;
	mutex_lock(&ctrl->lock);
	err = vireo_net_ctrl_rx_mode_locked(ctrl, ndev);
	mutex_unlock(&ctrl->lock);
	return err;
}

/**
 * vireo_net_ctrl_set_mac - set the device's MAC address (CTRL_MAC_ADDR)
 * @ctrl: the state
 * @mac: the new address, ETH_ALEN bytes, a valid unicast address
 *
 * Without CTRL_MAC_ADDR the caller writes the config space instead.
 *
 * Context: process context; sleeps for up to @timeout_ms.
 * Return: 0; -EOPNOTSUPP without CTRL_MAC_ADDR; -EADDRNOTAVAIL for an
 * invalid @mac; otherwise as for vireo_net_ctrl_cmd().
 */
int vireo_net_ctrl_set_mac(struct vireo_net_ctrl *ctrl, const u8 *mac)
{
	int err;

	err = vireo_net_ctrl_supports(ctrl, VIREO_NET_F_CTRL_MAC_ADDR);
	if (err)
		return err;
	if (!is_valid_ether_addr(mac))
		return -EADDRNOTAVAIL;
	return vireo_net_ctrl_cmd(ctrl, VIREO_NET_CTRL_MAC,
				  VIREO_NET_CTRL_MAC_ADDR_SET, mac, ETH_ALEN);
}

/**
 * vireo_net_ctrl_vlan - add a VLAN to the device's filter or remove it
 * @ctrl: the state
 * @vid: the VLAN id, below 4096
 * @add: true to add, false to remove
 *
 * Context: process context; sleeps for up to @timeout_ms.
 * Return: 0; -EOPNOTSUPP without CTRL_VLAN; -EINVAL for a @vid of 4096
 * or more; otherwise as for vireo_net_ctrl_cmd().
 */
int vireo_net_ctrl_vlan(struct vireo_net_ctrl *ctrl, u16 vid, bool add)
{
	int err;

	err = vireo_net_ctrl_supports(ctrl, VIREO_NET_F_CTRL_VLAN);
	if (err)
		return err;
	if (vid >= VLAN_N_VID)
		return -EINVAL;
	return vireo_net_ctrl_cmd(ctrl, VIREO_NET_CTRL_VLAN,
				  add ? VIREO_NET_CTRL_VLAN_ADD :
					VIREO_NET_CTRL_VLAN_DEL,
				  &vid, sizeof(vid));
}

/**
 * vireo_net_ctrl_set_pairs - choose how many queue pairs the device uses
 * @ctrl: the state
 * @pairs: 1 to 0x8000; the caller keeps it within max_virtqueue_pairs
 *
 * Context: process context; sleeps for up to @timeout_ms.
 * Return: 0; -EOPNOTSUPP without MQ; -EINVAL for @pairs out of range;
 * otherwise as for vireo_net_ctrl_cmd().
 */
int vireo_net_ctrl_set_pairs(struct vireo_net_ctrl *ctrl, u16 pairs)
{
	int err;

	err = vireo_net_ctrl_supports(ctrl, VIREO_NET_F_MQ);
	if (err)
		return err;
	if (pairs < VIREO_NET_MQ_PAIRS_MIN || pairs > VIREO_NET_MQ_PAIRS_MAX)
		return -EINVAL;
	return vireo_net_ctrl_cmd(ctrl, VIREO_NET_CTRL_MQ,
				  VIREO_NET_CTRL_MQ_VQ_PAIRS_SET,
				  &pairs, sizeof(pairs));
}

/**
 * vireo_net_ctrl_set_offloads - choose the offloads the device may use
 *	on received packets
 * @ctrl: the state
 * @offloads: a mask of (1 << VIREO_NET_F_GUEST_*) bits
 *
 * Context: process context; sleeps for up to @timeout_ms.
 * Return: 0; -EOPNOTSUPP without CTRL_GUEST_OFFLOADS; otherwise as for
 * vireo_net_ctrl_cmd().
 */
int vireo_net_ctrl_set_offloads(struct vireo_net_ctrl *ctrl, u64 offloads)
{
	int err;

	err = vireo_net_ctrl_supports(ctrl, VIREO_NET_F_CTRL_GUEST_OFFLOADS);
	if (err)
		return err;
	return vireo_net_ctrl_cmd(ctrl, VIREO_NET_CTRL_GUEST_OFFLOADS,
				  VIREO_NET_CTRL_GUEST_OFFLOADS_SET,
				  &offloads, sizeof(offloads));
}

/**
 * vireo_net_ctrl_announce_ack - tell the device the announcement was made
 * @ctrl: the state
 *
 * Context: process context; sleeps for up to @timeout_ms.
 * Return: 0; -EOPNOTSUPP without GUEST_ANNOUNCE; otherwise as for
 * vireo_net_ctrl_cmd().
 */
int vireo_net_ctrl_announce_ack(struct vireo_net_ctrl *ctrl)
{
	int err;

	err = vireo_net_ctrl_supports(ctrl, VIREO_NET_F_GUEST_ANNOUNCE);
	if (err)
		return err;
	return vireo_net_ctrl_cmd(ctrl, VIREO_NET_CTRL_ANNOUNCE,
				  VIREO_NET_CTRL_ANNOUNCE_ACK, NULL, 0);
}
