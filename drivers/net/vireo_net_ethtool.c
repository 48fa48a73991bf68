// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_net: ethtool.
 *
 * -i names the driver and the transport's device; -S gives each queue's
 * counters, then the control queue's and the resets; -g the ring sizes
 * (fixed: a legacy device cannot resize them); -l/-L the queue pairs;
 * -k/-K go through ndo_set_features (vireo_net_main.c), which switches
 * receive offloads over the control queue; link settings report an
 * unknown speed that the user may set, as for any virtual device.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <vireo/driver.h>
#include "vireo_net.h"

/* Counter names, in vireo_net_qstats_read() order, and which apply. */
static const char * const vireo_net_qstat_names[VIREO_NET_QSTATS] = {
	"packets", "bytes", "drops", "errors", "refill_fails", "kicks",
	"stops", "timeouts", "renotifies",
};

#define VIREO_NET_RX_STATS	0x3f	/* packets .. kicks */
#define VIREO_NET_TX_STATS	0x1ef	/* all but refill_fails */

static const char * const vireo_net_dev_stat_names[] = {
	"ctrl_commands", "ctrl_errors", "ctrl_timeouts", "ctrl_bad_acks",
	"resets",
};

/**
 * vireo_net_qstats_read - a consistent copy of a queue's counters
 * @s: the counters
 * @out: packets, bytes, drops, errors, refill_fails, kicks, stops,
 *	timeouts, renotifies
 *
 * Context: any.
 */
void vireo_net_qstats_read(struct vireo_net_qstats *s,
			   u64 out[VIREO_NET_QSTATS])
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		out[0] = u64_stats_read(&s->packets);
		out[1] = u64_stats_read(&s->bytes);
		out[2] = u64_stats_read(&s->drops);
		out[3] = u64_stats_read(&s->errors);
		out[4] = u64_stats_read(&s->refill_fails);
		out[5] = u64_stats_read(&s->kicks);
		out[6] = u64_stats_read(&s->stops);
		out[7] = u64_stats_read(&s->timeouts);
		out[8] = u64_stats_read(&s->renotifies);
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

static void vireo_net_get_drvinfo(struct net_device *ndev,
				  struct ethtool_drvinfo *info)
{
	struct vireo_net *vn = netdev_priv(ndev);
	struct device *bus = vn->vdev->dev.parent ?: &vn->vdev->dev;

	strscpy(info->driver, "vireo_net", sizeof(info->driver));
	strscpy(info->bus_info, dev_name(bus), sizeof(info->bus_info));
}

/* One name into the strings table, formatted. */
static __printf(2, 3) void vireo_net_str(u8 **p, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(*p, ETH_GSTRING_LEN, fmt, args);
	va_end(args);
	*p += ETH_GSTRING_LEN;
}

static unsigned int vireo_net_nstats(struct vireo_net *vn)
{
	return vn->max_pairs * (hweight32(VIREO_NET_RX_STATS) +
				hweight32(VIREO_NET_TX_STATS)) +
	       ARRAY_SIZE(vireo_net_dev_stat_names);
}

static int vireo_net_get_sset_count(struct net_device *ndev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return vireo_net_nstats(netdev_priv(ndev));
}

static void vireo_net_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	struct vireo_net *vn = netdev_priv(ndev);
	unsigned int i, k;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < vn->max_pairs; i++) {
		for (k = 0; k < VIREO_NET_QSTATS; k++)
			if (VIREO_NET_RX_STATS & BIT(k))
				vireo_net_str(&data, "rx%u_%s", i,
					      vireo_net_qstat_names[k]);
		for (k = 0; k < VIREO_NET_QSTATS; k++)
			if (VIREO_NET_TX_STATS & BIT(k))
				vireo_net_str(&data, "tx%u_%s", i,
					      vireo_net_qstat_names[k]);
	}
	for (k = 0; k < ARRAY_SIZE(vireo_net_dev_stat_names); k++)
		vireo_net_str(&data, "%s", vireo_net_dev_stat_names[k]);
}

static void vireo_net_get_ethtool_stats(struct net_device *ndev,
					struct ethtool_stats *stats, u64 *data)
{
	struct vireo_net *vn = netdev_priv(ndev);
	struct vireo_net_ctrl_stats *cs = &vn->ctrl.stats;
	unsigned int i, k;
	u64 v[VIREO_NET_QSTATS];

	for (i = 0; i < vn->max_pairs; i++) {
		vireo_net_qstats_read(&vn->rqs[i].stats, v);
		for (k = 0; k < VIREO_NET_QSTATS; k++)
			if (VIREO_NET_RX_STATS & BIT(k))
				*data++ = v[k];
		vireo_net_qstats_read(&vn->sqs[i].stats, v);
		for (k = 0; k < VIREO_NET_QSTATS; k++)
			if (VIREO_NET_TX_STATS & BIT(k))
				*data++ = v[k];
	}
	/* Written under the control queue's lock; a torn read is harmless. */
	*data++ = READ_ONCE(cs->commands);
	*data++ = READ_ONCE(cs->errors);
	*data++ = READ_ONCE(cs->timeouts);
	*data++ = READ_ONCE(cs->bad_acks);
	*data++ = READ_ONCE(vn->resets);
}

static void vireo_net_get_ringparam(struct net_device *ndev,
				    struct ethtool_ringparam *ring,
				    struct kernel_ethtool_ringparam *kring,
				    struct netlink_ext_ack *extack)
{
	struct vireo_net *vn = netdev_priv(ndev);

	/* After a failed recovery the queues are gone. */
	if (vn->dead)
		return;
	ring->rx_max_pending = vireo_vq_get_vring_size(vn->rqs[0].vq);
	ring->tx_max_pending = vireo_vq_get_vring_size(vn->sqs[0].vq);
	ring->rx_pending = vn->rqs[0].max_bufs;
	ring->tx_pending = ring->tx_max_pending;
}

static void vireo_net_get_channels(struct net_device *ndev,
				   struct ethtool_channels *ch)
{
	struct vireo_net *vn = netdev_priv(ndev);

	ch->max_combined = vn->max_pairs;
	ch->combined_count = vn->curr_pairs;
}

static int vireo_net_set_channels(struct net_device *ndev,
				  struct ethtool_channels *ch)
{
	struct vireo_net *vn = netdev_priv(ndev);

	if (ch->rx_count || ch->tx_count || ch->other_count)
		return -EINVAL;
	if (!ch->combined_count || ch->combined_count > vn->max_pairs)
		return -EINVAL;
	if (ch->combined_count == vn->curr_pairs)
		return 0;
	if (!vn->has_cvq || !(vn->vdev->features & BIT_ULL(VIREO_NET_F_MQ)))
		return -EOPNOTSUPP;
	return vireo_net_set_pairs(vn, ch->combined_count);
}

static int vireo_net_get_link_ksettings(struct net_device *ndev,
					struct ethtool_link_ksettings *cmd)
{
	struct vireo_net *vn = netdev_priv(ndev);

	cmd->base.speed = vn->speed;
	cmd->base.duplex = vn->duplex;
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

/* Only speed and duplex, which the device cannot report on legacy. */
static int vireo_net_set_link_ksettings(struct net_device *ndev,
					const struct ethtool_link_ksettings *cmd)
{
	struct vireo_net *vn = netdev_priv(ndev);

	return ethtool_virtdev_set_link_ksettings(ndev, cmd, &vn->speed,
						  &vn->duplex);
}

const struct ethtool_ops vireo_net_ethtool_ops = {
	.get_drvinfo		= vireo_net_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= vireo_net_get_link_ksettings,
	.set_link_ksettings	= vireo_net_set_link_ksettings,
	.get_ringparam		= vireo_net_get_ringparam,
	.get_channels		= vireo_net_get_channels,
	.set_channels		= vireo_net_set_channels,
	.get_strings		= vireo_net_get_strings,
	.get_sset_count		= vireo_net_get_sset_count,
	.get_ethtool_stats	= vireo_net_get_ethtool_stats,
};
