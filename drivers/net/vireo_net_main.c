// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_net: a driver for legacy virtio network devices (type 1).
 *
 * Each device becomes an Ethernet interface (the kernel's usual eth%d).
 * Queue pair N is rx.N (ring 2N) and tx.N (ring 2N + 1), each with its
 * NAPI context; the control queue, if any, follows every pair the device
 * has. The receive path is vireo_net_rx.c, the transmit path
 * vireo_net_tx.c, the control queue vireo_net_ctrl.c, ethtool
 * vireo_net_ethtool.c. This file binds and unbinds, turns features into
 * netdev features, creates the queues, runs the netdev operations and
 * config changes, and recovers a device that stopped transmitting by
 * resetting it and re-creating its queues.
 *
 * The device is not trusted: its MAC, MTU and queue-pair count are
 * checked before use, and what it may make the driver allocate at bind
 * is bounded whatever it claims.
 *
 * See Documentation/net.rst.
 */
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <vireo/driver.h>
#include "vireo_net.h"

/* ---- module parameters ---------------------------------------------------- */

/* A bool parameter that says what is wrong with a bad value. */
static int vireo_net_param_set(const char *val, const struct kernel_param *kp)
{
	int err = param_set_bool(val, kp);

	if (err)
		pr_err("vireo_net: %s=%s is not a boolean (use 0/1, n/y or off/on)\n",
		       kp->name, val ?: "");
	return err;
}

static const struct kernel_param_ops vireo_net_bool_ops = {
	.flags	= KERNEL_PARAM_OPS_FL_NOARG,
	.set	= vireo_net_param_set,
	.get	= param_get_bool,
};

/* Each offers a feature, or a group of them; all default to on. */
static bool csum = true;
module_param_cb(csum, &vireo_net_bool_ops, &csum, 0444);
MODULE_PARM_DESC(csum, "Let the device complete transmit checksums (CSUM) (default: on)");

static bool gso = true;
module_param_cb(gso, &vireo_net_bool_ops, &gso, 0444);
MODULE_PARM_DESC(gso, "Let the device segment any transmit GSO type (GSO) (default: on)");

static bool host_tso = true;
module_param_cb(host_tso, &vireo_net_bool_ops, &host_tso, 0444);
MODULE_PARM_DESC(host_tso, "Let the device segment TCP (HOST_TSO4/6) (default: on)");

static bool ecn = true;
module_param_cb(ecn, &vireo_net_bool_ops, &ecn, 0444);
MODULE_PARM_DESC(ecn, "TSO with the ECN bit, both ways (HOST_ECN, GUEST_ECN) (default: on)");

static bool ufo = true;
module_param_cb(ufo, &vireo_net_bool_ops, &ufo, 0444);
MODULE_PARM_DESC(ufo, "UDP fragmentation offload, both ways (HOST_UFO, GUEST_UFO) (default: on)");

static bool guest_csum = true;
module_param_cb(guest_csum, &vireo_net_bool_ops, &guest_csum, 0444);
MODULE_PARM_DESC(guest_csum, "Take received frames with partial or checked checksums (GUEST_CSUM) (default: on)");

static bool guest_tso = true;
module_param_cb(guest_tso, &vireo_net_bool_ops, &guest_tso, 0444);
MODULE_PARM_DESC(guest_tso, "Take coalesced TCP frames (GUEST_TSO4/6) (default: on)");

static bool mrg_rxbuf = true;
module_param_cb(mrg_rxbuf, &vireo_net_bool_ops, &mrg_rxbuf, 0444);
MODULE_PARM_DESC(mrg_rxbuf, "Mergeable receive buffers (MRG_RXBUF) (default: on)");

static bool mq = true;
module_param_cb(mq, &vireo_net_bool_ops, &mq, 0444);
MODULE_PARM_DESC(mq, "Several queue pairs (MQ) (default: on)");

bool vireo_net_napi_tx = true;
module_param_cb(napi_tx, &vireo_net_bool_ops, &vireo_net_napi_tx, 0444);
MODULE_PARM_DESC(napi_tx, "Free transmitted frames from an interrupt-driven NAPI (default: on)");

struct dentry *vireo_net_debugfs_root;

/* ---- features ----------------------------------------------------------- */

/* Filled at module load from the parameters: what the driver offers. */
static unsigned int vireo_net_features[32];

/* Always offered: nothing here changes what frames look like. */
static const unsigned int vireo_net_base_features[] = {
	VIREO_NET_F_CTRL_GUEST_OFFLOADS, VIREO_NET_F_MTU, VIREO_NET_F_MAC,
	VIREO_NET_F_STATUS, VIREO_NET_F_CTRL_VQ, VIREO_NET_F_CTRL_RX,
	VIREO_NET_F_CTRL_VLAN, VIREO_NET_F_CTRL_RX_EXTRA,
	VIREO_NET_F_GUEST_ANNOUNCE, VIREO_NET_F_CTRL_MAC_ADDR,
	VIREO_F_ANY_LAYOUT,
};

static unsigned int vireo_net_build_features(void)
{
	unsigned int n = 0, i;

#define ADD(f) (vireo_net_features[n++] = (f))
	for (i = 0; i < ARRAY_SIZE(vireo_net_base_features); i++)
		ADD(vireo_net_base_features[i]);
	if (csum) {
		ADD(VIREO_NET_F_CSUM);
		if (gso)
			ADD(VIREO_NET_F_GSO);
		if (host_tso) {
			ADD(VIREO_NET_F_HOST_TSO4);
			ADD(VIREO_NET_F_HOST_TSO6);
			if (ecn)
				ADD(VIREO_NET_F_HOST_ECN);
		}
		if (ufo)
			ADD(VIREO_NET_F_HOST_UFO);
	}
	if (guest_csum) {
		ADD(VIREO_NET_F_GUEST_CSUM);
		if (guest_tso) {
			ADD(VIREO_NET_F_GUEST_TSO4);
			ADD(VIREO_NET_F_GUEST_TSO6);
			if (ecn)
				ADD(VIREO_NET_F_GUEST_ECN);
		}
		if (ufo)
			ADD(VIREO_NET_F_GUEST_UFO);
	}
	if (mrg_rxbuf)
		ADD(VIREO_NET_F_MRG_RXBUF);
	if (mq)
		ADD(VIREO_NET_F_MQ);
#undef ADD
	return n;
}

static bool vireo_net_feat(const struct vireo_device *vdev, unsigned int f)
{
	/* vdev->features, not vireo_has_feature(): the table varies. */
	return vdev->features & BIT_ULL(f);
}

/* ---- config space -------------------------------------------------------- */

/*
 * Queue pairs the device has, and whether its control queue is within
 * reach. A count out of range, or one beyond what the driver creates,
 * leaves one pair and no control queue: the device's default state.
 */
static unsigned int vireo_net_dev_pairs(struct vireo_device *vdev,
					bool *has_cvq)
{
	u16 pairs;

	if (!vireo_net_feat(vdev, VIREO_NET_F_MQ) || !*has_cvq)
		return 1;
	if (vireo_cread16(vdev, VIREO_NET_CFG(max_virtqueue_pairs), &pairs)) {
		*has_cvq = false;
		return 1;
	}
	if (pairs < VIREO_NET_MQ_PAIRS_MIN || pairs > VIREO_NET_MQ_PAIRS_MAX) {
		dev_err(&vdev->dev, "max_virtqueue_pairs %u outside %u..%u; using one pair without the control queue\n",
			pairs, VIREO_NET_MQ_PAIRS_MIN, VIREO_NET_MQ_PAIRS_MAX);
		*has_cvq = false;
		return 1;
	}
	if (pairs > VIREO_NET_MAX_DEV_PAIRS) {
		dev_warn(&vdev->dev, "%u queue pairs, more than the %u the driver creates; using one pair without the control queue\n",
			 pairs, VIREO_NET_MAX_DEV_PAIRS);
		*has_cvq = false;
		return 1;
	}
	return pairs;
}

/* The MTU the device allows, if it says and says something sane. */
static unsigned int vireo_net_dev_mtu(struct vireo_device *vdev)
{
	u16 mtu;

	if (!vireo_net_feat(vdev, VIREO_NET_F_MTU) ||
	    vireo_cread16(vdev, VIREO_NET_CFG(mtu), &mtu))
		return 0;
	if (mtu < VIREO_NET_MTU_MIN) {
		dev_err(&vdev->dev, "config mtu %u is below %u; ignoring it\n",
			mtu, VIREO_NET_MTU_MIN);
		return 0;
	}
	return mtu;
}

/*
 * The MAC address: the device's if it has a valid unicast one, else a
 * random one (which vireo_net_program() then gives the device).
 */
static void vireo_net_read_mac(struct vireo_net *vn)
{
	struct vireo_device *vdev = vn->vdev;
	u8 mac[ETH_ALEN];

	if (vireo_net_feat(vdev, VIREO_NET_F_MAC) &&
	    !vireo_config_read(vdev, VIREO_NET_CFG(mac), mac, ETH_ALEN)) {
		if (is_valid_ether_addr(mac)) {
			eth_hw_addr_set(vn->ndev, mac);
			return;
		}
		eth_hw_addr_random(vn->ndev);
		dev_warn(&vdev->dev, "config MAC %pM is not a valid unicast address; using random %pM\n",
			 mac, vn->ndev->dev_addr);
		return;
	}
	eth_hw_addr_random(vn->ndev);
}

/* Give the device a MAC address: a command, or the legacy config write. */
static int vireo_net_dev_set_mac(struct vireo_net *vn, const u8 *mac)
{
	struct vireo_device *vdev = vn->vdev;
	unsigned int i;
	int err;

	if (vn->has_cvq && vireo_net_feat(vdev, VIREO_NET_F_CTRL_MAC_ADDR))
		return vireo_net_ctrl_set_mac(&vn->ctrl, mac);
	if (!vireo_net_feat(vdev, VIREO_NET_F_MAC))
		return 0;	/* the device has no MAC of its own to change */
	/* Byte by byte: a legacy device may take config writes no wider. */
	for (i = 0; i < ETH_ALEN; i++) {
		err = vireo_config_write(vdev, VIREO_NET_CFG(mac) + i, &mac[i],
					 1);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Carrier from STATUS, and the announcement the device asks for. The
 * caller holds the RTNL.
 */
static void vireo_net_update_status(struct vireo_net *vn)
{
	struct vireo_device *vdev = vn->vdev;
	u16 status;

	if (!vireo_net_feat(vdev, VIREO_NET_F_STATUS)) {
		netif_carrier_on(vn->ndev);
		return;
	}
	if (vireo_cread16(vdev, VIREO_NET_CFG(status), &status))
		return;
	if (status & VIREO_NET_S_LINK_UP)
		netif_carrier_on(vn->ndev);
	else
		netif_carrier_off(vn->ndev);
	/* The carrier first: announcements go out only on a live link. */
	if ((status & VIREO_NET_S_ANNOUNCE) && vn->has_cvq &&
	    vireo_net_feat(vdev, VIREO_NET_F_GUEST_ANNOUNCE)) {
		__netdev_notify_peers(vn->ndev);
		vireo_net_ctrl_announce_ack(&vn->ctrl);
	}
}

static void vireo_net_config_changed(struct vireo_device *vdev)
{
	struct vireo_net *vn = vdev->priv;

	rtnl_lock();
	if (vn->ready && !vn->dead)
		vireo_net_update_status(vn);
	rtnl_unlock();
}

/* ---- queues ------------------------------------------------------------- */

static void vireo_net_rx_info(struct vireo_net *vn, struct vireo_net_rq *rq,
			      struct vireo_vq_info *info)
{
	info->name = rq->name;
	info->callback = vireo_net_rx_callback;
	info->max_bufs = VIREO_NET_RX_MAX_BUFS;
	/* The receive path checks every used length against its slot. */
	info->exact_len = true;
	if (vn->mode == VIREO_NET_RX_BIG)
		info->max_sg = vn->big_pages + 1;
	else if (vn->mode == VIREO_NET_RX_SMALL && !vn->any_layout)
		info->max_sg = 2;
	else
		info->max_sg = 1;
}

/*
 * Every ring the device has up to the control queue: the pairs the
 * driver uses get callbacks and preallocated tables, the others (so
 * that the control queue's index is reached) neither.
 */
static void vireo_net_fill_info(struct vireo_net *vn,
				struct vireo_vq_info *info)
{
	unsigned int i;

	for (i = 0; i < vn->dev_pairs; i++) {
		if (i >= vn->max_pairs) {
			info[2 * i] = (struct vireo_vq_info){ "rx.spare", NULL, 0, 1 };
			info[2 * i + 1] = (struct vireo_vq_info){ "tx.spare", NULL, 0, 1 };
			continue;
		}
		vireo_net_rx_info(vn, &vn->rqs[i], &info[2 * i]);
		info[2 * i + 1].name = vn->sqs[i].name;
		info[2 * i + 1].callback = vireo_net_tx_callback;
		info[2 * i + 1].max_sg = VIREO_NET_TX_SG;
		info[2 * i + 1].max_bufs = VIREO_NET_TX_MAX_BUFS;
	}
	if (vn->has_cvq) {
		/* A command is a header, up to two tables, and the ack. */
		info[2 * i].name = "ctrl";
		info[2 * i].callback = vireo_net_ctrl_callback;
		info[2 * i].max_sg = 4;
		info[2 * i].max_bufs = 1;
	}
}

/*
 * Pair N's two interrupts to one CPU each pair, so that a flow's
 * receive, its acknowledgements and its transmit completions are handled
 * where XPS (which follows these masks) sends it from. Interrupts the
 * transport spread itself, or shares, keep their placement. Each device
 * starts at the CPU of its own index (cpumask_local_spread() wraps), so
 * that the first pairs of several interfaces do not all land on CPU 0:
 * two single-queue NICs talking to each other through one CPU cost the
 * scheduler about 3,000 more instructions per TCP transaction under
 * TCG than with one CPU each (Documentation/net.rst, "Benchmark").
 */
static void vireo_net_pin_pairs(struct vireo_net *vn)
{
	unsigned int i, first = vn->vdev->index;
	const struct cpumask *mask;

	for (i = 0; i < vn->max_pairs; i++) {
		mask = cpumask_of(cpumask_local_spread(first + i, NUMA_NO_NODE));
		if (vireo_set_vq_affinity(vn->vdev, 2 * i, mask) ||
		    vireo_set_vq_affinity(vn->vdev, 2 * i + 1, mask))
			return;
	}
}

/*
 * Create the device's queues: at probe, and again after a reset. The
 * device has its final features by now, so it lays out its queues (and
 * puts the control queue after every pair) before we ask for any.
 */
static int vireo_net_create_vqs(struct vireo_net *vn)
{
	unsigned int nvqs = 2 * vn->dev_pairs + vn->has_cvq, i;
	struct vireo_virtqueue **vqs;
	struct vireo_vq_info *info;
	int err = -ENOMEM;

	vqs = kcalloc(nvqs, sizeof(*vqs), GFP_KERNEL);
	info = kcalloc(nvqs, sizeof(*info), GFP_KERNEL);
	if (!vqs || !info)
		goto out_free;
	vireo_net_fill_info(vn, info);
	err = vireo_find_vqs(vn->vdev, nvqs, vqs, info);
	if (err)
		goto out_free;
	for (i = 0; i < vn->max_pairs; i++) {
		vn->rqs[i].vq = vqs[2 * i];
		vn->sqs[i].vq = vqs[2 * i + 1];
		err = vireo_net_rq_init(&vn->rqs[i]);
		if (err)
			goto err_del_vqs;
		vqs[2 * i]->priv = &vn->rqs[i];
		vqs[2 * i + 1]->priv = &vn->sqs[i];
	}
	if (vn->has_cvq)
		vireo_net_ctrl_attach(&vn->ctrl, vqs[nvqs - 1]);
	vireo_net_pin_pairs(vn);
	goto out_free;

err_del_vqs:
	vireo_reset_device(vn->vdev);
	vireo_del_vqs(vn->vdev);
out_free:
	kfree(info);
	kfree(vqs);
	return err;
}

/*
 * Take back every buffer of a reset device and delete its queues. The
 * NAPI contexts are disabled.
 */
static void vireo_net_destroy_vqs(struct vireo_net *vn)
{
	unsigned int i;

	if (vn->has_cvq)
		vireo_net_ctrl_detach(&vn->ctrl);
	for (i = 0; i < vn->max_pairs; i++) {
		vireo_net_rx_reclaim(&vn->rqs[i]);
		vireo_net_tx_reclaim(&vn->sqs[i]);
	}
	vireo_del_vqs(vn->vdev);
}

/*
 * Do the transmit interrupts of the pairs in use go to CPUs of their
 * own? A transport that spreads more vectors than there are CPUs puts
 * several queues on one CPU, and XPS must not follow it there.
 */
static bool vireo_net_irqs_apart(struct vireo_net *vn)
{
	const struct cpumask *m, *n;
	unsigned int i, j;

	for (i = 0; i < vn->curr_pairs; i++) {
		m = vireo_get_vq_affinity(vn->vdev, 2 * i + 1);
		if (!m || cpumask_empty(m))
			return false;
		for (j = 0; j < i; j++) {
			n = vireo_get_vq_affinity(vn->vdev, 2 * j + 1);
			if (cpumask_intersects(m, n))
				return false;
		}
	}
	return true;
}

/*
 * XPS: each pair's transmit queue for the CPUs its interrupt goes to if
 * those are apart, else for every curr_pairs-th CPU.
 */
static void vireo_net_set_xps(struct vireo_net *vn)
{
	bool irqs = vireo_net_irqs_apart(vn);
	cpumask_var_t spread;
	unsigned int i, cpu;

	if (vn->curr_pairs < 2 || !zalloc_cpumask_var(&spread, GFP_KERNEL))
		return;
	for (i = 0; i < vn->curr_pairs; i++) {
		if (irqs) {
			netif_set_xps_queue(vn->ndev,
					    vireo_get_vq_affinity(vn->vdev, 2 * i + 1),
					    i);
			continue;
		}
		cpumask_clear(spread);
		for_each_possible_cpu(cpu)
			if (cpu % vn->curr_pairs == i)
				cpumask_set_cpu(cpu, spread);
		netif_set_xps_queue(vn->ndev, spread, i);
	}
	free_cpumask_var(spread);
}

/* The pairs in use start: buffers, NAPI, transmission. */
static void vireo_net_start_pairs(struct vireo_net *vn)
{
	unsigned int i;
	bool empty = false;

	spin_lock_bh(&vn->refill_lock);
	vn->refill_on = true;
	spin_unlock_bh(&vn->refill_lock);
	for (i = 0; i < vn->curr_pairs; i++) {
		if (!vireo_net_refill(&vn->rqs[i], GFP_KERNEL))
			empty = true;
		napi_enable(&vn->rqs[i].napi);
		napi_enable(&vn->sqs[i].napi);
		/* Frames and completions may be waiting from before. */
		local_bh_disable();
		napi_schedule(&vn->rqs[i].napi);
		napi_schedule(&vn->sqs[i].napi);
		local_bh_enable();
	}
	if (empty)
		vireo_net_refill_schedule(vn, 0);
	netif_tx_wake_all_queues(vn->ndev);
	schedule_delayed_work(&vn->tx_watch, VIREO_NET_TX_WATCH);
}

/* The pairs in use stop; their buffers stay with the device. */
static void vireo_net_stop_pairs(struct vireo_net *vn)
{
	unsigned int i;

	spin_lock_bh(&vn->refill_lock);
	vn->refill_on = false;
	spin_unlock_bh(&vn->refill_lock);
	/* A refill work waiting for the RTNL finds refill_on off. */
	cancel_delayed_work(&vn->refill_work);
	/* The watch takes no RTNL: waiting for it here is safe. */
	cancel_delayed_work_sync(&vn->tx_watch);
	netif_tx_disable(vn->ndev);
	for (i = 0; i < vn->curr_pairs; i++) {
		napi_disable(&vn->rqs[i].napi);
		napi_disable(&vn->sqs[i].napi);
	}
}

/**
 * vireo_net_set_pairs - change the queue pairs in use (ethtool -L)
 * @vn: the device state
 * @pairs: 1 to @vn->max_pairs
 *
 * Context: process context, under the RTNL; sends a control command.
 * Return: 0, or a negative errno with the pairs unchanged.
 */
int vireo_net_set_pairs(struct vireo_net *vn, unsigned int pairs)
{
	bool running = netif_running(vn->ndev);
	int err;

	if (!pairs || pairs > vn->max_pairs)
		return -EINVAL;
	if (vn->dead)
		return -EIO;
	if (pairs == vn->curr_pairs)
		return 0;
	if (running)
		vireo_net_stop_pairs(vn);
	err = vireo_net_ctrl_set_pairs(&vn->ctrl, pairs);
	if (!err) {
		netif_set_real_num_tx_queues(vn->ndev, pairs);
		netif_set_real_num_rx_queues(vn->ndev, pairs);
		vn->curr_pairs = pairs;
		vireo_net_set_xps(vn);
	}
	if (running)
		vireo_net_start_pairs(vn);
	return err;
}

static void vireo_net_rx_mode_work(struct work_struct *work)
{
	struct vireo_net *vn = container_of(work, struct vireo_net,
					    rx_mode_work);

	vireo_net_ctrl_rx_mode(&vn->ctrl, vn->ndev);
}

/* Atomic context: the control queue sleeps, so a work item sends it. */
static void vireo_net_set_rx_mode(struct net_device *ndev)
{
	struct vireo_net *vn = netdev_priv(ndev);

	if (vn->has_cvq && vireo_net_feat(vn->vdev, VIREO_NET_F_CTRL_RX))
		schedule_work(&vn->rx_mode_work);
}

/*
 * Tell a device that has just been set up what the driver wants of it:
 * its MAC, the pairs, the offloads, the VLAN filter and the receive
 * filter. Failures leave the device's defaults, which still pass
 * traffic; the control queue has said why.
 */
static void vireo_net_program(struct vireo_net *vn)
{
	struct net_device *ndev = vn->ndev;
	u8 mac[ETH_ALEN];
	unsigned int vid;

	if (!vireo_net_feat(vn->vdev, VIREO_NET_F_MAC) ||
	    vireo_config_read(vn->vdev, VIREO_NET_CFG(mac), mac, ETH_ALEN) ||
	    !ether_addr_equal(mac, ndev->dev_addr))
		vireo_net_dev_set_mac(vn, ndev->dev_addr);
	if (!vn->has_cvq)
		return;
	if (vn->curr_pairs > 1 &&
	    vireo_net_ctrl_set_pairs(&vn->ctrl, vn->curr_pairs)) {
		vn->curr_pairs = 1;
		netif_set_real_num_tx_queues(ndev, 1);
		netif_set_real_num_rx_queues(ndev, 1);
	}
	if (vn->guest_offloads != vn->guest_offloads_capable &&
	    vireo_net_ctrl_set_offloads(&vn->ctrl, vn->guest_offloads))
		vn->guest_offloads = vn->guest_offloads_capable;
	for_each_set_bit(vid, vn->vlans, VLAN_N_VID)
		vireo_net_ctrl_vlan(&vn->ctrl, vid, true);
	/*
	 * The address lists and their lock exist only once registered:
	 * probe schedules this itself after register_netdev().
	 */
	if (vn->ndev->reg_state == NETREG_REGISTERED)
		vireo_net_set_rx_mode(vn->ndev);
}

/* ---- recovery ------------------------------------------------------------ */

/**
 * vireo_net_schedule_reset - have the device reset and its queues re-created
 * @vn: the device state
 *
 * Context: any.
 */
void vireo_net_schedule_reset(struct vireo_net *vn)
{
	if (READ_ONCE(vn->ready))
		schedule_work(&vn->reset_work);
}

/* A device that breaks again right after each reset is given up on. */
static bool vireo_net_reset_storm(struct vireo_net *vn)
{
	if (vn->resets && time_before(jiffies,
				      vn->last_reset + VIREO_NET_RESET_GAP))
		vn->quick_resets++;
	else
		vn->quick_resets = 0;
	vn->last_reset = jiffies;
	return vn->quick_resets >= VIREO_NET_MAX_QUICK_RESETS;
}

/*
 * The device does not give buffers back, or broke a queue. Reset it (it
 * forgets its queues, features and filters), take back every buffer,
 * and set it up again as at probe, with what the user configured since.
 */
static void vireo_net_reset_work(struct work_struct *work)
{
	struct vireo_net *vn = container_of(work, struct vireo_net, reset_work);
	struct vireo_device *vdev = vn->vdev;
	bool running;
	int err = -EIO;

	rtnl_lock();
	if (!vn->ready || vn->dead)
		goto unlock;
	running = netif_running(vn->ndev);
	if (running)
		vireo_net_stop_pairs(vn);
	vireo_reset_device(vdev);
	vireo_net_destroy_vqs(vn);
	if (vireo_net_reset_storm(vn))
		goto dead;
	err = vireo_device_reinit(vdev);
	if (!err)
		err = vireo_net_create_vqs(vn);
	if (err)
		goto dead;
	vireo_device_ready(vdev);
	vn->resets++;
	netdev_info(vn->ndev, "device reset and its queues re-created\n");
	vireo_net_program(vn);
	if (running)
		vireo_net_start_pairs(vn);
	vireo_net_update_status(vn);
	goto unlock;

dead:
	/* The queues are gone; remove and close know not to touch them. */
	vn->dead = true;
	netif_carrier_off(vn->ndev);
	netdev_err(vn->ndev, "device did not come back after %llu resets (%d); giving up on it\n",
		   vn->resets, err);
unlock:
	rtnl_unlock();
}

/* ---- netdev operations -------------------------------------------------- */

static int vireo_net_open(struct net_device *ndev)
{
	struct vireo_net *vn = netdev_priv(ndev);

	if (vn->dead)
		return -EIO;
	vireo_net_start_pairs(vn);
	return 0;
}

static int vireo_net_stop(struct net_device *ndev)
{
	struct vireo_net *vn = netdev_priv(ndev);

	/* A failed recovery stopped the pairs already. */
	if (!vn->dead)
		vireo_net_stop_pairs(vn);
	return 0;
}

static int vireo_net_set_mac_address(struct net_device *ndev, void *p)
{
	struct vireo_net *vn = netdev_priv(ndev);
	struct sockaddr *sa = p;
	int err;

	err = eth_prepare_mac_addr_change(ndev, p);
	if (err)
		return err;
	err = vireo_net_dev_set_mac(vn, sa->sa_data);
	if (err)
		return err;
	eth_commit_mac_addr_change(ndev, p);
	return 0;
}

static void vireo_net_get_stats64(struct net_device *ndev,
				  struct rtnl_link_stats64 *tot)
{
	struct vireo_net *vn = netdev_priv(ndev);
	unsigned int i;
	u64 v[VIREO_NET_QSTATS];

	for (i = 0; i < vn->max_pairs; i++) {
		vireo_net_qstats_read(&vn->rqs[i].stats, v);
		tot->rx_packets += v[0];
		tot->rx_bytes += v[1];
		tot->rx_dropped += v[2];
		tot->rx_errors += v[3];
		tot->rx_missed_errors += v[4];
		vireo_net_qstats_read(&vn->sqs[i].stats, v);
		tot->tx_packets += v[0];
		tot->tx_bytes += v[1];
		tot->tx_dropped += v[2];
		tot->tx_errors += v[3];
	}
}

static int vireo_net_vlan_add(struct net_device *ndev, __be16 proto, u16 vid)
{
	struct vireo_net *vn = netdev_priv(ndev);
	int err;

	err = vireo_net_ctrl_vlan(&vn->ctrl, vid, true);
	if (err)
		return err;
	set_bit(vid, vn->vlans);
	return 0;
}

static int vireo_net_vlan_kill(struct net_device *ndev, __be16 proto, u16 vid)
{
	struct vireo_net *vn = netdev_priv(ndev);

	clear_bit(vid, vn->vlans);
	return vireo_net_ctrl_vlan(&vn->ctrl, vid, false);
}

/* The device cannot coalesce frames whose checksum it may not vouch for. */
static netdev_features_t vireo_net_fix_features(struct net_device *ndev,
						netdev_features_t features)
{
	if (!(features & NETIF_F_RXCSUM))
		features &= ~NETIF_F_GRO_HW;
	return features;
}

/* Receive offloads are the device's: switch them over the control queue. */
static int vireo_net_set_features(struct net_device *ndev,
				  netdev_features_t features)
{
	struct vireo_net *vn = netdev_priv(ndev);
	netdev_features_t changed = ndev->features ^ features;
	u64 offloads = vn->guest_offloads_capable;
	int err;

	if (!(changed & (NETIF_F_GRO_HW | NETIF_F_RXCSUM)) ||
	    !vireo_net_feat(vn->vdev, VIREO_NET_F_CTRL_GUEST_OFFLOADS))
		return 0;
	if (!(features & NETIF_F_GRO_HW))
		offloads &= ~VIREO_NET_GUEST_GSO;
	if (!(features & NETIF_F_RXCSUM))
		offloads &= ~BIT_ULL(VIREO_NET_F_GUEST_CSUM);
	err = vireo_net_ctrl_set_offloads(&vn->ctrl, offloads);
	if (err)
		return err;
	vn->guest_offloads = offloads;
	return 0;
}

#ifdef CONFIG_NET_POLL_CONTROLLER
/*
 * netpoll (netconsole) sends with interrupts off: schedule every TX
 * NAPI, which netpoll then runs with a budget of 0 to free completions.
 */
static void vireo_net_poll_controller(struct net_device *ndev)
{
	struct vireo_net *vn = netdev_priv(ndev);
	unsigned int i;

	for (i = 0; i < vn->curr_pairs; i++)
		napi_schedule(&vn->sqs[i].napi);
}
#endif

static const struct net_device_ops vireo_net_netdev_ops = {
	.ndo_open		= vireo_net_open,
	.ndo_stop		= vireo_net_stop,
	.ndo_start_xmit		= vireo_net_start_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_mac_address	= vireo_net_set_mac_address,
	.ndo_set_rx_mode	= vireo_net_set_rx_mode,
	.ndo_get_stats64	= vireo_net_get_stats64,
	.ndo_vlan_rx_add_vid	= vireo_net_vlan_add,
	.ndo_vlan_rx_kill_vid	= vireo_net_vlan_kill,
	.ndo_fix_features	= vireo_net_fix_features,
	.ndo_set_features	= vireo_net_set_features,
	.ndo_tx_timeout		= vireo_net_tx_timeout,
#ifdef CONFIG_NET_POLL_CONTROLLER
	.ndo_poll_controller	= vireo_net_poll_controller,
#endif
};

/* ---- probe and remove ---------------------------------------------------- */

/* Transmit offloads: the device completes checksums and segments TCP. */
static void vireo_net_tx_features(struct vireo_net *vn)
{
	struct vireo_device *vdev = vn->vdev;
	struct net_device *ndev = vn->ndev;
	bool all = vireo_net_feat(vdev, VIREO_NET_F_GSO);

	if (!vireo_net_feat(vdev, VIREO_NET_F_CSUM))
		return;
	ndev->hw_features |= NETIF_F_HW_CSUM | NETIF_F_SG;
	if (all || vireo_net_feat(vdev, VIREO_NET_F_HOST_TSO4))
		ndev->hw_features |= NETIF_F_TSO;
	if (all || vireo_net_feat(vdev, VIREO_NET_F_HOST_TSO6))
		ndev->hw_features |= NETIF_F_TSO6;
	if (all || vireo_net_feat(vdev, VIREO_NET_F_HOST_ECN))
		ndev->hw_features |= NETIF_F_TSO_ECN;
	ndev->features |= ndev->hw_features;
}

/* Receive offloads, switchable only with CTRL_GUEST_OFFLOADS. */
static void vireo_net_rx_features(struct vireo_net *vn)
{
	struct net_device *ndev = vn->ndev;
	netdev_features_t f = 0;
	u64 capable;

	capable = vn->vdev->features & VIREO_NET_GUEST_OFFLOADS;
	/* Coalesced frames come with a checksum the device vouches for. */
	if (!(capable & BIT_ULL(VIREO_NET_F_GUEST_CSUM)))
		capable = 0;
	vn->guest_offloads_capable = capable;
	vn->guest_offloads = capable;
	if (capable & BIT_ULL(VIREO_NET_F_GUEST_CSUM))
		f |= NETIF_F_RXCSUM;
	if (capable & VIREO_NET_GUEST_GSO)
		f |= NETIF_F_GRO_HW;
	ndev->features |= f;
	if (vn->has_cvq &&
	    vireo_net_feat(vn->vdev, VIREO_NET_F_CTRL_GUEST_OFFLOADS))
		ndev->hw_features |= f;
}

/*
 * Receive layout and size limits from the features and the config:
 * mergeable buffers if negotiated; else big ones if frames can be
 * larger than an MTU-1500 frame; else small ones, and then the MTU
 * cannot grow.
 */
static void vireo_net_rx_layout(struct vireo_net *vn)
{
	struct vireo_device *vdev = vn->vdev;
	struct net_device *ndev = vn->ndev;
	unsigned int mtu = vireo_net_dev_mtu(vdev);
	bool gso = vn->guest_offloads_capable & VIREO_NET_GUEST_GSO;

	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = mtu ?: ETH_MAX_MTU;
	if (vireo_net_feat(vdev, VIREO_NET_F_MRG_RXBUF)) {
		vn->mode = VIREO_NET_RX_MERGE;
		vn->hdr_len = sizeof(struct vireo_net_hdr_mrg);
	} else {
		vn->hdr_len = sizeof(struct vireo_net_hdr);
		if (gso || mtu > ETH_DATA_LEN) {
			vn->mode = VIREO_NET_RX_BIG;
		} else {
			vn->mode = VIREO_NET_RX_SMALL;
			ndev->max_mtu = min_t(unsigned int, ndev->max_mtu,
					      ETH_DATA_LEN);
		}
	}
	if (mtu)
		ndev->mtu = min(mtu, ndev->max_mtu);
	vn->max_frame = gso ? VIREO_NET_MAX_FRAME :
			      ETH_HLEN + VLAN_HLEN + ndev->max_mtu;
	vn->max_frame = min_t(unsigned int, vn->max_frame, VIREO_NET_MAX_FRAME);
	vn->any_layout = vireo_net_feat(vdev, VIREO_F_ANY_LAYOUT);
	vireo_net_rx_setup(vn);
}

static void vireo_net_setup_netdev(struct vireo_net *vn)
{
	struct net_device *ndev = vn->ndev;

	ndev->netdev_ops = &vireo_net_netdev_ops;
	ndev->ethtool_ops = &vireo_net_ethtool_ops;
	ndev->watchdog_timeo = VIREO_NET_TX_TIMEOUT;
	ndev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	ndev->features = NETIF_F_HIGHDMA;
	vireo_net_tx_features(vn);
	vireo_net_rx_features(vn);
	ndev->vlan_features = ndev->features;
	if (vn->has_cvq && vireo_net_feat(vn->vdev, VIREO_NET_F_CTRL_VLAN))
		ndev->features |= NETIF_F_HW_VLAN_CTAG_FILTER;
	if (vn->has_cvq && vireo_net_feat(vn->vdev, VIREO_NET_F_CTRL_RX))
		ndev->priv_flags |= IFF_UNICAST_FLT;
	vireo_net_rx_layout(vn);
	ndev->needed_headroom = vn->hdr_len;
}

static int vireo_net_alloc_queues(struct vireo_net *vn)
{
	unsigned int i;

	vn->rqs = kcalloc(vn->max_pairs, sizeof(*vn->rqs), GFP_KERNEL);
	vn->sqs = kcalloc(vn->max_pairs, sizeof(*vn->sqs), GFP_KERNEL);
	if (!vn->rqs || !vn->sqs)
		return -ENOMEM;
	for (i = 0; i < vn->max_pairs; i++) {
		vn->rqs[i].vn = vn;
		vn->rqs[i].index = i;
		u64_stats_init(&vn->rqs[i].stats.syncp);
		snprintf(vn->rqs[i].name, sizeof(vn->rqs[i].name), "rx.%u", i);
		netif_napi_add(vn->ndev, &vn->rqs[i].napi, vireo_net_rx_poll);
		vn->sqs[i].vn = vn;
		vn->sqs[i].index = i;
		u64_stats_init(&vn->sqs[i].stats.syncp);
		snprintf(vn->sqs[i].name, sizeof(vn->sqs[i].name), "tx.%u", i);
		netif_napi_add_tx(vn->ndev, &vn->sqs[i].napi, vireo_net_tx_poll);
	}
	return 0;
}

/* Free what vireo_net_alloc_queues() and the receive queues hold. */
static void vireo_net_free_queues(struct vireo_net *vn)
{
	unsigned int i;

	for (i = 0; vn->rqs && vn->sqs && i < vn->max_pairs; i++) {
		netif_napi_del(&vn->rqs[i].napi);
		netif_napi_del(&vn->sqs[i].napi);
		vireo_net_rq_free(&vn->rqs[i]);
	}
	kfree(vn->rqs);
	kfree(vn->sqs);
}

static struct vireo_net *vireo_net_alloc(struct vireo_device *vdev)
{
	bool has_cvq = vireo_net_feat(vdev, VIREO_NET_F_CTRL_VQ);
	unsigned int dev_pairs = vireo_net_dev_pairs(vdev, &has_cvq);
	unsigned int max_pairs = min(dev_pairs, num_online_cpus());
	struct net_device *ndev;
	struct vireo_net *vn;

	ndev = alloc_etherdev_mq(sizeof(*vn), max_pairs);
	if (!ndev)
		return NULL;
	SET_NETDEV_DEV(ndev, &vdev->dev);
	vn = netdev_priv(ndev);
	vn->vdev = vdev;
	vn->ndev = ndev;
	vn->has_cvq = has_cvq;
	vn->dev_pairs = dev_pairs;
	vn->max_pairs = max_pairs;
	vn->curr_pairs = max_pairs;
	vn->speed = SPEED_UNKNOWN;
	vn->duplex = DUPLEX_UNKNOWN;
	spin_lock_init(&vn->refill_lock);
	INIT_DELAYED_WORK(&vn->refill_work, vireo_net_refill_work);
	INIT_WORK(&vn->rx_mode_work, vireo_net_rx_mode_work);
	INIT_WORK(&vn->reset_work, vireo_net_reset_work);
	INIT_DELAYED_WORK(&vn->tx_watch, vireo_net_tx_watch);
	/* One message per half minute about bad frames, and no summary. */
	ratelimit_state_init(&vn->bad_rs, 30 * HZ, 1);
	ratelimit_set_flags(&vn->bad_rs, RATELIMIT_MSG_ON_RELEASE);
	return vn;
}

/**
 * vireo_net_probe - bind to a network device and register its interface
 * @vdev: the device, its features negotiated
 *
 * Context: process context.
 * Return: 0, or a negative errno with everything undone.
 */
static int vireo_net_probe(struct vireo_device *vdev)
{
	struct vireo_net *vn;
	int err;

	vn = vireo_net_alloc(vdev);
	if (!vn)
		return -ENOMEM;
	err = vireo_net_alloc_queues(vn);
	if (err)
		goto err_free_queues;
	vireo_net_setup_netdev(vn);
	err = vireo_net_ctrl_init(&vn->ctrl, vdev, VIREO_NET_CTRL_TIMEOUT_MS);
	if (err)
		goto err_free_queues;
	/* The callbacks find the state here; set before any queue exists. */
	vdev->priv = vn;
	err = vireo_net_create_vqs(vn);
	if (err)
		goto err_destroy_ctrl;
	vireo_net_read_mac(vn);
	netif_set_real_num_tx_queues(vn->ndev, vn->curr_pairs);
	netif_set_real_num_rx_queues(vn->ndev, vn->curr_pairs);
	/* Commands need DRIVER_OK, and ndo_open may run at registration. */
	vireo_device_ready(vdev);
	rtnl_lock();
	vireo_net_program(vn);
	rtnl_unlock();
	netif_carrier_off(vn->ndev);
	err = register_netdev(vn->ndev);
	if (err)
		goto err_reset;
	rtnl_lock();
	vireo_net_set_xps(vn);
	vireo_net_update_status(vn);
	vn->ready = true;
	/* The device starts promiscuous: program the filter now, not at open. */
	vireo_net_set_rx_mode(vn->ndev);
	rtnl_unlock();
	vireo_net_rx_debugfs(vn);
	netdev_info(vn->ndev, "%pM, %u of %u queue pair(s), %s receive buffers, MTU %u..%u\n",
		    vn->ndev->dev_addr, vn->curr_pairs, vn->dev_pairs,
		    vn->mode == VIREO_NET_RX_MERGE ? "mergeable" :
		    vn->mode == VIREO_NET_RX_BIG ? "big" : "small",
		    vn->ndev->min_mtu, vn->ndev->max_mtu);
	return 0;

err_reset:
	cancel_work_sync(&vn->rx_mode_work);
	vireo_reset_device(vdev);
	vireo_net_destroy_vqs(vn);
err_destroy_ctrl:
	vdev->priv = NULL;
	vireo_net_ctrl_destroy(&vn->ctrl);
err_free_queues:
	vireo_net_free_queues(vn);
	free_netdev(vn->ndev);
	return err;
}

/**
 * vireo_net_remove - unbind: the interface goes, then the device stops
 * @vdev: the device
 *
 * Works on a device that stopped answering or went away: nothing here
 * waits for it except control commands, each bounded.
 *
 * Context: process context.
 */
static void vireo_net_remove(struct vireo_device *vdev)
{
	struct vireo_net *vn = vdev->priv;

	rtnl_lock();
	WRITE_ONCE(vn->ready, false);
	rtnl_unlock();
	unregister_netdev(vn->ndev);
	cancel_work_sync(&vn->reset_work);
	cancel_work_sync(&vn->rx_mode_work);
	cancel_delayed_work_sync(&vn->refill_work);
	cancel_delayed_work_sync(&vn->tx_watch);
	debugfs_remove_recursive(vn->debugfs);

	/* After a failed recovery the queues are gone already. */
	if (!vn->dead) {
		vireo_reset_device(vdev);
		vireo_net_destroy_vqs(vn);
	}
	vireo_net_ctrl_destroy(&vn->ctrl);
	vdev->priv = NULL;
	vireo_net_free_queues(vn);
	free_netdev(vn->ndev);
}

static const struct vireo_device_id vireo_net_id_table[] = {
	{ VIREO_ID_NET, VIREO_DEV_ANY_ID },
	{ 0 },
};

static struct vireo_driver vireo_net_driver = {
	.driver.name		= "vireo_net",
	.id_table		= vireo_net_id_table,
	.feature_table		= vireo_net_features,
	.probe			= vireo_net_probe,
	.remove			= vireo_net_remove,
	.config_changed		= vireo_net_config_changed,
};

static int __init vireo_net_init(void)
{
	int err;

	vireo_net_driver.feature_table_size = vireo_net_build_features();
	vireo_net_debugfs_root = debugfs_create_dir("vireo_net", NULL);
	err = vireo_register_driver(&vireo_net_driver);
	if (err)
		debugfs_remove_recursive(vireo_net_debugfs_root);
	return err;
}

static void __exit vireo_net_exit(void)
{
	vireo_unregister_driver(&vireo_net_driver);
	debugfs_remove_recursive(vireo_net_debugfs_root);
}

module_init(vireo_net_init);
module_exit(vireo_net_exit);

VIREO_IMPORT_NS();
/* The bus's modalias is "vireo:d%08Xv%08X"; this lets modprobe find us. */
MODULE_ALIAS("vireo:d00000001v*");
MODULE_DESCRIPTION("vireo network device driver");
MODULE_LICENSE("GPL");
