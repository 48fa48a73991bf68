/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_net's control queue (vireo_net_ctrl.c): one command at a time,
 * each waiting a bounded time for the device's acknowledgment.
 *
 * The rest of the driver sees only these calls. They sleep, so callers in
 * atomic context (ndo_set_rx_mode) defer to a work item first.
 */
#ifndef _VIREO_NET_CTRL_H
#define _VIREO_NET_CTRL_H

#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/types.h>
#include <vireo/driver.h>

struct vireo_net_ctrl_buf;

/**
 * struct vireo_net_ctrl_stats - what the control queue counts
 * @commands: commands sent
 * @errors: commands the device answered with ERR
 * @timeouts: commands the device did not answer in time
 * @bad_acks: answers that were neither OK nor ERR, or too short
 */
struct vireo_net_ctrl_stats {
	u64 commands;
	u64 errors;
	u64 timeouts;
	u64 bad_acks;
};

/**
 * struct vireo_net_ctrl - the control queue and its one request in flight
 * @vdev: the device
 * @vq: the control queue, or NULL when CTRL_VQ is not negotiated (every
 *	command then fails with -EOPNOTSUPP)
 * @lock: one command at a time; held across the wait
 * @done: completed by the queue's callback
 * @buf: the request, the data and the ack, in memory the device may reach
 *	(never on the stack)
 * @timeout_ms: how long a command waits for its ack
 * @stuck: the device holds a request it never answered; commands fail at
 *	once with -ETIMEDOUT until it is returned or the queue is re-created
 * @stats: counters, for ethtool -S
 * @detaching: vireo_net_ctrl_detach() is running: a waiting command gives
 *	up at once and new ones fail with -ENODEV
 * @bad_ack_noted: the one message about an invalid answer was printed
 */
struct vireo_net_ctrl {
	struct vireo_device *vdev;
	struct vireo_virtqueue *vq;
	struct mutex lock;	/* one command at a time, across its wait */
	struct completion done;
	struct vireo_net_ctrl_buf *buf;
	unsigned int timeout_ms;
	bool stuck;
	struct vireo_net_ctrl_stats stats;
	bool detaching;
	bool bad_ack_noted;
};

/* The ctrl queue's callback, to pass in struct vireo_vq_info. */
void vireo_net_ctrl_callback(struct vireo_virtqueue *vq);

int vireo_net_ctrl_init(struct vireo_net_ctrl *ctrl, struct vireo_device *vdev,
			unsigned int timeout_ms);
void vireo_net_ctrl_attach(struct vireo_net_ctrl *ctrl,
			   struct vireo_virtqueue *vq);
void vireo_net_ctrl_detach(struct vireo_net_ctrl *ctrl);
void vireo_net_ctrl_destroy(struct vireo_net_ctrl *ctrl);

int vireo_net_ctrl_cmd(struct vireo_net_ctrl *ctrl, u8 class, u8 cmd,
		       const void *data, unsigned int len);
int vireo_net_ctrl_rx_mode(struct vireo_net_ctrl *ctrl,
			   struct net_device *ndev);
int vireo_net_ctrl_set_mac(struct vireo_net_ctrl *ctrl, const u8 *mac);
int vireo_net_ctrl_vlan(struct vireo_net_ctrl *ctrl, u16 vid, bool add);
int vireo_net_ctrl_set_pairs(struct vireo_net_ctrl *ctrl, u16 pairs);
int vireo_net_ctrl_set_offloads(struct vireo_net_ctrl *ctrl, u64 offloads);
int vireo_net_ctrl_announce_ack(struct vireo_net_ctrl *ctrl);

#endif /* _VIREO_NET_CTRL_H */
