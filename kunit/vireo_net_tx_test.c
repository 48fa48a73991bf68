// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_net.ko's transmit path against a simulated
 * device: frames reach the device with the right header, come back, and
 * a device that misses notifications does not leave them stuck.
 *
 * vireo_net_tx: the interface is up on a device with one queue pair; the
 * case sends frames of a protocol no one handles through the stack
 * (dev_queue_xmit()) and watches the transmit queue from the device's
 * side: the chains it completed and the notifications it got. The
 * helpers are in vireo_net_test_lib.c.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/ethtool.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_net_test.h"

#define NX_PROTO	0x88b5	/* local experimental: no handler anywhere */
#define NX_LEN		80U	/* a frame's bytes, link header included */

/* Send one frame of @len bytes from @ndev; false if the stack refused it. */
static bool nx_send(struct net_device *ndev, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(LL_RESERVED_SPACE(ndev) + len,
					GFP_KERNEL);
	struct ethhdr *eth;

	if (!skb)
		return false;
	skb_reserve(skb, LL_RESERVED_SPACE(ndev));
	skb_reset_mac_header(skb);
	eth = skb_put(skb, ETH_HLEN);
	eth_broadcast_addr(eth->h_dest);
	ether_addr_copy(eth->h_source, ndev->dev_addr);
	eth->h_proto = htons(NX_PROTO);
	memset(skb_put(skb, len - ETH_HLEN), 0x5a, len - ETH_HLEN);
	skb->dev = ndev;
	skb->protocol = htons(NX_PROTO);
	return dev_queue_xmit(skb) == NET_XMIT_SUCCESS;
}

/* Wait up to @ms for the device to have completed @n transmit chains. */
static bool nx_wait_completed(struct vireo_simbus_dev *sb, unsigned int n,
			      unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms / 20; i++) {
		if (vireo_simbus_completed(sb, NT_TXQ) >= n)
			return true;
		msleep(20);
	}
	return vireo_simbus_completed(sb, NT_TXQ) >= n;
}

static struct net_device *nx_start(struct kunit *test,
				   struct vireo_simbus_dev **sbp)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct net_device *ndev;

	KUNIT_ASSERT_NOT_NULL(test, s);
	nt_default_setup(test, s, NT_FEATURES);
	*sbp = nt_net_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, nt_bound(*sbp));
	ndev = nt_ndev(*sbp);
	KUNIT_ASSERT_NOT_NULL(test, ndev);
	nt_up(test, ndev);
	return ndev;
}

/* Frames go out, one notification per frame sent alone, and come back. */
static void nx_sends(struct kunit *test)
{
	struct vireo_simbus_dev *sb;
	struct net_device *ndev = nx_start(test, &sb);
	unsigned int done0 = vireo_simbus_completed(sb, NT_TXQ);
	unsigned int kicks0 = vireo_simbus_kicks(sb, NT_TXQ);
	unsigned int i;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_TRUE(test, nx_send(ndev, NX_LEN));
	KUNIT_EXPECT_TRUE(test, nx_wait_completed(sb, done0 + 4, 2000));
	KUNIT_EXPECT_GE(test, vireo_simbus_kicks(sb, NT_TXQ), kicks0 + 1);
}

/* The driver's ethtool counter @name; U64_MAX if it has none. */
static u64 nx_stat(struct kunit *test, struct net_device *ndev,
		   const char *name)
{
	const struct ethtool_ops *ops = ndev->ethtool_ops;
	int i, n = ops->get_sset_count(ndev, ETH_SS_STATS);
	u64 *vals, val = U64_MAX;
	u8 *names;

	KUNIT_ASSERT_GT(test, n, 0);
	names = kunit_kcalloc(test, n, ETH_GSTRING_LEN, GFP_KERNEL);
	vals = kunit_kcalloc(test, n, sizeof(*vals), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, names);
	KUNIT_ASSERT_NOT_NULL(test, vals);
	rtnl_lock();
	ops->get_strings(ndev, ETH_SS_STATS, names);
	ops->get_ethtool_stats(ndev, NULL, vals);
	rtnl_unlock();
	for (i = 0; i < n; i++)
		if (!strcmp(names + i * ETH_GSTRING_LEN, name))
			val = vals[i];
	return val;
}

/*
 * A device that takes no notice of notifications for a while (QEMU can
 * go idle without re-arming its own, so the ring protocol says no kick
 * is due while it waits for one): the queue is not stopped, so
 * ndo_tx_timeout never comes, and without the TX watch the frame would
 * stay in the ring for ever. The watch notifies the device again once a
 * second (counted in tx0_renotifies); once the device listens, the
 * frame goes. The stack's own frames (IPv6 on a fresh interface) may
 * kick too, which is why the renotifications are counted while the
 * device still ignores every kick.
 */
static void nx_missed_notify(struct kunit *test)
{
	struct vireo_simbus_dev *sb;
	struct net_device *ndev = nx_start(test, &sb);
	unsigned int done0, kicks0;

	KUNIT_ASSERT_EQ(test, nx_stat(test, ndev, "tx0_renotifies"), 0);
	vireo_simbus_set_mode(sb, NT_TXQ, VIREO_SIMBUS_IGNORE);
	done0 = vireo_simbus_completed(sb, NT_TXQ);
	kicks0 = vireo_simbus_kicks(sb, NT_TXQ);
	KUNIT_ASSERT_TRUE(test, nx_send(ndev, NX_LEN));
	msleep(2500);
	KUNIT_EXPECT_EQ(test, vireo_simbus_completed(sb, NT_TXQ), done0);
	KUNIT_EXPECT_GE(test, nx_stat(test, ndev, "tx0_renotifies"), 1);
	KUNIT_EXPECT_GE(test, vireo_simbus_kicks(sb, NT_TXQ), kicks0 + 2);
	/* The device listens again, but acts only when notified. */
	vireo_simbus_set_mode(sb, NT_TXQ, VIREO_SIMBUS_COMPLETE);
	KUNIT_EXPECT_TRUE_MSG(test, nx_wait_completed(sb, done0 + 1, 5000),
			      "frame still in the ring after 5 s");
}

static struct kunit_case nx_cases[] = {
	KUNIT_CASE(nx_sends),
	KUNIT_CASE_SLOW(nx_missed_notify),
	{}
};

static struct kunit_suite nx_suite = {
	.name = "vireo_net_tx",
	.test_cases = nx_cases,
};

kunit_test_suites(&nx_suite);
