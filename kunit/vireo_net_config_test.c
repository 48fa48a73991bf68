// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_net.ko against a hostile simulated device: what
 * the device says about itself, and its control queue seen through the
 * interface.
 *
 * vireo_net_config: config values the driver must not believe (a MAC
 * that is zero, multicast or broadcast; max_virtqueue_pairs of 0 or
 * above 0x8000; an MTU below 68): the device still binds, with a random
 * valid MAC, one pair or the default MTU, and one message.
 * vireo_net_ctrl_driver: the real driver's commands (the receive filter
 * from the interface's flags and lists, the MAC) on a device that
 * answers, answers nonsense or never answers. The helpers are in
 * vireo_net_test_lib.c.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_net_test.h"

static struct vireo_simbus_setup *nf_setup(struct kunit *test, u64 features)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	nt_default_setup(test, s, features);
	return s;
}

/* Bind @s; the interface must exist. */
static struct net_device *nf_bind(struct kunit *test,
				  struct vireo_simbus_setup *s,
				  struct vireo_simbus_dev **sbp)
{
	struct vireo_simbus_dev *sb = nt_net_dev(test, s, true);
	struct net_device *ndev;

	KUNIT_ASSERT_TRUE(test, nt_bound(sb));
	ndev = nt_ndev(sb);
	KUNIT_ASSERT_NOT_NULL(test, ndev);
	*sbp = sb;
	return ndev;
}

/* ---- vireo_net_config --------------------------------------------------- */

/* A sane device binds with its own MAC and programs its filter. */
static void nf_sane(struct kunit *test)
{
	struct vireo_simbus_setup *s = nf_setup(test, NT_FEATURES);
	static const u8 mac[ETH_ALEN] = NT_MAC;
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	struct nt_cmd c;

	ndev = nf_bind(test, s, &sb);
	KUNIT_EXPECT_MEMEQ(test, ndev->dev_addr, mac, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, ndev->real_num_tx_queues, 1U);
	/* The device starts promiscuous: the driver turns that off. */
	KUNIT_ASSERT_TRUE(test, nt_wait_cmds(sb, 3));
	msleep(100);
	KUNIT_ASSERT_TRUE(test, nt_find_cmd(sb, NT_CTRL_RX, NT_CTRL_RX_PROMISC,
					    &c));
	KUNIT_EXPECT_EQ(test, c.data[0], 0);
	KUNIT_EXPECT_TRUE(test, nt_find_cmd(sb, NT_CTRL_MAC,
					    NT_CTRL_MAC_TABLE_SET, &c));
	/* Its own MAC needs no command. */
	KUNIT_EXPECT_FALSE(test, nt_find_cmd(sb, NT_CTRL_MAC,
					     NT_CTRL_MAC_ADDR_SET, &c));
}

/**
 * struct nf_mac_param - a config MAC the driver must not use
 * @name: for the parameter's description
 * @mac: the address
 */
struct nf_mac_param {
	const char *name;
	u8 mac[ETH_ALEN];
};

static const struct nf_mac_param nf_mac_params[] = {
	{ "zero", { 0, 0, 0, 0, 0, 0 } },
	{ "multicast", { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } },
	{ "broadcast", { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	{ "multicast bit only", { 0x53, 0x54, 0x00, 0x12, 0x34, 0x56 } },
};

static void nf_mac_desc(const struct nf_mac_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", p->name);
}

KUNIT_ARRAY_PARAM(nf_bad_mac, nf_mac_params, nf_mac_desc);

/*
 * A config MAC that is no unicast address: the interface gets a random
 * valid one, one message says so, and the device is told the new one
 * (MAC ADDR_SET with CTRL_MAC_ADDR).
 */
static void nf_bad_mac(struct kunit *test)
{
	const struct nf_mac_param *p = test->param_value;
	struct vireo_simbus_setup *s = nf_setup(test, NT_FEATURES);
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	struct nt_cmd c;
	u64 mark;

	memcpy(s->config + NT_CFG(mac), p->mac, ETH_ALEN);
	mark = vireo_simbus_log_mark();
	ndev = nf_bind(test, s, &sb);
	KUNIT_EXPECT_TRUE(test, is_valid_ether_addr(ndev->dev_addr));
	KUNIT_EXPECT_MEMNEQ(test, ndev->dev_addr, p->mac, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, nt_who(sb), "MAC"),
			1U);
	KUNIT_ASSERT_TRUE(test, nt_find_cmd(sb, NT_CTRL_MAC,
					    NT_CTRL_MAC_ADDR_SET, &c));
	KUNIT_EXPECT_EQ(test, c.len, ETH_ALEN);
	KUNIT_EXPECT_MEMEQ(test, c.data, ndev->dev_addr, ETH_ALEN);
}

/* The same without CTRL_MAC_ADDR: the legacy config write instead. */
static void nf_bad_mac_config_write(struct kunit *test)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	struct nt_cmd c;

	s = nf_setup(test, NT_FEATURES & ~BIT_ULL(NT_F_CTRL_MAC_ADDR));
	memset(s->config + NT_CFG(mac), 0, ETH_ALEN);
	ndev = nf_bind(test, s, &sb);
	KUNIT_EXPECT_TRUE(test, is_valid_ether_addr(ndev->dev_addr));
	KUNIT_EXPECT_MEMEQ(test, sb->setup.config + NT_CFG(mac),
			   ndev->dev_addr, ETH_ALEN);
	KUNIT_EXPECT_FALSE(test, nt_find_cmd(sb, NT_CTRL_MAC,
					     NT_CTRL_MAC_ADDR_SET, &c));
}

static const u16 nf_bad_pairs_values[] = { 0, 0x8001, 0xffff };

static void nf_pairs_desc(const u16 *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "max_virtqueue_pairs %#x", *v);
}

KUNIT_ARRAY_PARAM(nf_bad_pairs, nf_bad_pairs_values, nf_pairs_desc);

/*
 * max_virtqueue_pairs out of 1..0x8000 with MQ: the device binds with one
 * pair, and one message says why. (Without a believable count the control
 * queue's index is unknown, so the driver goes without it.)
 */
static void nf_bad_pairs(struct kunit *test)
{
	const u16 *pairs = test->param_value;
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	struct nt_cmd c;
	u64 mark;

	s = nf_setup(test, NT_FEATURES | BIT_ULL(NT_F_MQ));
	nt_set_cfg(s, NT_CFG(max_virtqueue_pairs), 2, *pairs);
	mark = vireo_simbus_log_mark();
	ndev = nf_bind(test, s, &sb);
	KUNIT_EXPECT_EQ(test, ndev->real_num_tx_queues, 1U);
	KUNIT_EXPECT_EQ(test, ndev->real_num_rx_queues, 1U);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, nt_who(sb),
						     "max_virtqueue_pairs"), 1U);
	KUNIT_EXPECT_FALSE(test, nt_find_cmd(sb, NT_CTRL_MQ,
					     NT_CTRL_MQ_PAIRS_SET, &c));
}

/* Two pairs: the control queue after both, the pairs set by command. */
static void nf_two_pairs(struct kunit *test)
{
	unsigned int want = min(2U, num_online_cpus());
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	struct nt_state *st;
	struct nt_cmd c;
	bool found;

	s = nf_setup(test, NT_FEATURES | BIT_ULL(NT_F_MQ));
	st = s->priv;
	st->ctrlq = 4;
	nt_set_cfg(s, NT_CFG(max_virtqueue_pairs), 2, 2);
	ndev = nf_bind(test, s, &sb);
	KUNIT_EXPECT_EQ(test, ndev->real_num_tx_queues, want);
	KUNIT_ASSERT_TRUE(test, nt_wait_cmds(sb, 1));
	found = nt_find_cmd(sb, NT_CTRL_MQ, NT_CTRL_MQ_PAIRS_SET, &c);
	KUNIT_EXPECT_EQ(test, found, want > 1);
	if (!found)
		return;
	KUNIT_EXPECT_EQ(test, c.len, 2);
	KUNIT_EXPECT_EQ(test, c.data[0], 2);
	KUNIT_EXPECT_EQ(test, c.data[1], 0);
}

static const u16 nf_bad_mtu_values[] = { 0, 1, 67 };

static void nf_mtu_desc(const u16 *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "mtu %u", *v);
}

KUNIT_ARRAY_PARAM(nf_bad_mtu, nf_bad_mtu_values, nf_mtu_desc);

/* An MTU below 68 (what IPv4 needs) is ignored, with one message. */
static void nf_bad_mtu(struct kunit *test)
{
	const u16 *mtu = test->param_value;
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	u64 mark;

	s = nf_setup(test, NT_FEATURES | BIT_ULL(NT_F_MTU));
	nt_set_cfg(s, NT_CFG(mtu), 2, *mtu);
	mark = vireo_simbus_log_mark();
	ndev = nf_bind(test, s, &sb);
	KUNIT_EXPECT_GE(test, ndev->max_mtu, 68U);
	KUNIT_EXPECT_EQ(test, ndev->mtu, 1500U);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, nt_who(sb), "mtu"),
			1U);
}

static const u16 nf_good_mtu_values[] = { 68, 576, 9000 };

KUNIT_ARRAY_PARAM(nf_good_mtu, nf_good_mtu_values, nf_mtu_desc);

/* An MTU of 68 or more is the maximum, and where the MTU starts. */
static void nf_good_mtu(struct kunit *test)
{
	const u16 *mtu = test->param_value;
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;

	s = nf_setup(test, NT_FEATURES | BIT_ULL(NT_F_MTU));
	nt_set_cfg(s, NT_CFG(mtu), 2, *mtu);
	ndev = nf_bind(test, s, &sb);
	KUNIT_EXPECT_EQ(test, ndev->max_mtu, (unsigned int)*mtu);
	KUNIT_EXPECT_EQ(test, ndev->mtu, (unsigned int)*mtu);
}

static struct kunit_case nf_cases[] = {
	KUNIT_CASE(nf_sane),
	KUNIT_CASE_PARAM_ATTR(nf_bad_mac, nf_bad_mac_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(nf_bad_mac_config_write),
	KUNIT_CASE_PARAM(nf_bad_pairs, nf_bad_pairs_gen_params),
	KUNIT_CASE(nf_two_pairs),
	KUNIT_CASE_PARAM(nf_bad_mtu, nf_bad_mtu_gen_params),
	KUNIT_CASE_PARAM(nf_good_mtu, nf_good_mtu_gen_params),
	{}
};

static struct kunit_suite nf_suite = {
	.name = "vireo_net_config",
	.test_cases = nf_cases,
};

/* ---- vireo_net_ctrl_driver ---------------------------------------------- */

/* Wait for the latest command of @class/@cmd to carry the byte @val. */
static bool nd_wait_flag(struct vireo_simbus_dev *sb, u8 class, u8 cmd,
			 u8 val)
{
	struct nt_cmd c;
	unsigned int t;

	for (t = 0; t < 500; t++) {
		if (nt_find_cmd(sb, class, cmd, &c) && c.data[0] == val)
			return true;
		msleep(20);
	}
	return false;
}

/* Promiscuous mode on and off through the interface reaches the device. */
static void nd_promisc(struct kunit *test)
{
	struct vireo_simbus_setup *s = nf_setup(test, NT_FEATURES);
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;

	ndev = nf_bind(test, s, &sb);
	nt_up(test, ndev);
	KUNIT_ASSERT_TRUE(test, nd_wait_flag(sb, NT_CTRL_RX,
					     NT_CTRL_RX_PROMISC, 0));
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, dev_set_promiscuity(ndev, 1), 0);
	rtnl_unlock();
	KUNIT_EXPECT_TRUE(test, nd_wait_flag(sb, NT_CTRL_RX,
					     NT_CTRL_RX_PROMISC, 1));
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, dev_set_promiscuity(ndev, -1), 0);
	rtnl_unlock();
	KUNIT_EXPECT_TRUE(test, nd_wait_flag(sb, NT_CTRL_RX,
					     NT_CTRL_RX_PROMISC, 0));
}

/* A multicast address joined on the interface lands in the MAC table. */
static void nd_mc_table(struct kunit *test)
{
	static const u8 mc[ETH_ALEN] = { 0x33, 0x33, 0xff, 0x7e, 0x57, 0x01 };
	struct vireo_simbus_setup *s = nf_setup(test, NT_FEATURES);
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	struct nt_state *st;
	unsigned int t;
	bool found = false;

	ndev = nf_bind(test, s, &sb);
	st = nt_state(sb);
	nt_up(test, ndev);
	KUNIT_ASSERT_EQ(test, dev_mc_add(ndev, mc), 0);
	for (t = 0; t < 500 && !found; t++) {
		unsigned long flags;
		u32 nuc, nmc, i;
		const u8 *p;

		msleep(20);
		spin_lock_irqsave(&sb->queues[NT_CTRLQ].lock, flags);
		if (st->last.class == NT_CTRL_MAC &&
		    st->last.cmd == NT_CTRL_MAC_TABLE_SET && st->last.len >= 8) {
			p = st->last_data;
			memcpy(&nuc, p, 4);
			p += 4 + min(nuc, 64U) * ETH_ALEN;
			memcpy(&nmc, p, 4);
			for (i = 0; i < min(nmc, 64U); i++)
				if (ether_addr_equal(p + 4 + i * ETH_ALEN, mc))
					found = true;
		}
		spin_unlock_irqrestore(&sb->queues[NT_CTRLQ].lock, flags);
	}
	KUNIT_EXPECT_TRUE(test, found);
	dev_mc_del(ndev, mc);
}

/* Acks that are neither OK nor ERR: commands fail with -EIO, one message. */
static void nd_bad_ack(struct kunit *test)
{
	static const u8 mac[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct vireo_simbus_setup *s = nf_setup(test, NT_FEATURES);
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	struct sockaddr sa = { .sa_family = ARPHRD_ETHER };
	u64 mark;
	int err;

	((struct nt_state *)s->priv)->ack = 7;
	mark = vireo_simbus_log_mark();
	ndev = nf_bind(test, s, &sb);
	nt_up(test, ndev);
	memcpy(sa.sa_data, mac, ETH_ALEN);
	rtnl_lock();
	err = dev_set_mac_address(ndev, &sa, NULL);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, err, -EIO);
	KUNIT_EXPECT_MEMNEQ(test, ndev->dev_addr, mac, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, nt_who(sb),
						     "invalid answer"), 1U);
}

static long nd_set_mac_fn(void *arg)
{
	static const u8 mac[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x66 };
	struct sockaddr sa = { .sa_family = ARPHRD_ETHER };
	int err;

	memcpy(sa.sa_data, mac, ETH_ALEN);
	rtnl_lock();
	err = dev_set_mac_address(arg, &sa, NULL);
	rtnl_unlock();
	return err;
}

/*
 * A control queue that never answers, from the start: probe completes in
 * bounded time, the interface works without its commands, a MAC change
 * fails with -ETIMEDOUT (at once: the queue is stuck) and unbinding
 * completes.
 */
static void nd_silent(struct kunit *test)
{
	struct vireo_simbus_setup *s = nf_setup(test, NT_FEATURES);
	struct vireo_simbus_call *call;
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	u64 mark;

	sb = nt_net_dev(test, s, false);
	vireo_simbus_set_mode(sb, NT_CTRLQ, VIREO_SIMBUS_HOLD);
	mark = vireo_simbus_log_mark();
	call = vireo_simbus_call_start(vireo_simbus_add_fn, sb, "vireo_net_reg");
	KUNIT_ASSERT_NOT_NULL(test, call);
	if (nt_wait_or_rescue(test, sb, call, NT_BOUND_MS,
			      "probe with a silent control queue"))
		KUNIT_EXPECT_EQ(test, call->ret, 0L);
	vireo_simbus_call_put(call);
	KUNIT_ASSERT_TRUE(test, nt_bound(sb));
	ndev = nt_ndev(sb);
	KUNIT_ASSERT_NOT_NULL(test, ndev);
	nt_up(test, ndev);

	call = vireo_simbus_call_start(nd_set_mac_fn, ndev, "vireo_net_mac");
	KUNIT_ASSERT_NOT_NULL(test, call);
	if (nt_wait_or_rescue(test, sb, call, NT_BOUND_MS,
			      "MAC change with a silent control queue"))
		KUNIT_EXPECT_EQ(test, call->ret, (long)-ETIMEDOUT);
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, nt_who(sb),
						     "not answered"), 1U);

	call = vireo_simbus_call_start(vireo_simbus_unbind_fn, sb, "vireo_net_unbind");
	KUNIT_ASSERT_NOT_NULL(test, call);
	nt_wait_or_rescue(test, sb, call, NT_BOUND_MS,
			  "unbind with a silent control queue");
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_FALSE(test, nt_bound(sb));
}

/* ERR refuses a MAC change: the interface keeps its address. */
static void nd_err(struct kunit *test)
{
	static const u8 mac[ETH_ALEN] = NT_MAC;
	struct vireo_simbus_setup *s = nf_setup(test, NT_FEATURES);
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;

	ndev = nf_bind(test, s, &sb);
	nt_set_ack(sb, NT_ERR, -1);
	KUNIT_EXPECT_NE(test, nd_set_mac_fn(ndev), 0L);
	KUNIT_EXPECT_MEMEQ(test, ndev->dev_addr, mac, ETH_ALEN);
}

/*
 * The device stops answering while the interface is up: a receive filter
 * change waits in its work item; unbinding then completes in bounded time.
 */
static void nd_unbind_while_waiting(struct kunit *test)
{
	struct vireo_simbus_setup *s = nf_setup(test, NT_FEATURES);
	struct vireo_simbus_call *call;
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;

	ndev = nf_bind(test, s, &sb);
	nt_up(test, ndev);
	KUNIT_ASSERT_TRUE(test, nd_wait_flag(sb, NT_CTRL_RX,
					     NT_CTRL_RX_PROMISC, 0));
	msleep(200);
	vireo_simbus_set_mode(sb, NT_CTRLQ, VIREO_SIMBUS_HOLD);
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, dev_set_allmulti(ndev, 1), 0);
	rtnl_unlock();
	KUNIT_EXPECT_TRUE(test, nt_wait_held(sb, NT_CTRLQ, 1));
	call = vireo_simbus_call_start(vireo_simbus_unbind_fn, sb, "vireo_net_unbind");
	KUNIT_ASSERT_NOT_NULL(test, call);
	nt_wait_or_rescue(test, sb, call, NT_BOUND_MS,
			  "unbind with a filter change waiting");
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_FALSE(test, nt_bound(sb));
}

/*
 * STATUS drives the carrier; ANNOUNCE is acknowledged with a command.
 * Config-change events by the hundred with ANNOUNCE set and a control
 * queue that stopped answering cost one message and end.
 */
static void nd_status(struct kunit *test)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	struct nt_cmd c;
	unsigned int i;
	u16 status;
	u64 mark;

	s = nf_setup(test, NT_FEATURES | BIT_ULL(NT_F_GUEST_ANNOUNCE));
	ndev = nf_bind(test, s, &sb);
	nt_up(test, ndev);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(ndev));

	status = 0;
	vireo_simbus_set_config(sb, NT_CFG(status), &status, 2);
	vireo_simbus_config_changed(sb);
	for (i = 0; i < 250 && netif_carrier_ok(ndev); i++)
		msleep(20);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(ndev));

	status = NT_S_LINK_UP | NT_S_ANNOUNCE;
	vireo_simbus_set_config(sb, NT_CFG(status), &status, 2);
	vireo_simbus_config_changed(sb);
	for (i = 0; i < 250; i++) {
		if (nt_find_cmd(sb, NT_CTRL_ANNOUNCE, NT_CTRL_ANNOUNCE_ACK, &c))
			break;
		msleep(20);
	}
	KUNIT_EXPECT_TRUE(test, nt_find_cmd(sb, NT_CTRL_ANNOUNCE,
					    NT_CTRL_ANNOUNCE_ACK, &c));
	KUNIT_EXPECT_EQ(test, c.len, 0);
	for (i = 0; i < 250 && !netif_carrier_ok(ndev); i++)
		msleep(20);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(ndev));

	mark = vireo_simbus_log_mark();
	vireo_simbus_set_mode(sb, NT_CTRLQ, VIREO_SIMBUS_HOLD);
	for (i = 0; i < 200; i++)
		vireo_simbus_config_changed(sb);
	/* Wait for the events to be delivered: the unbind at the end flushes. */
	msleep(3000);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, nt_who(sb),
						     "not answered"), 1U);
}

static struct kunit_case nd_cases[] = {
	KUNIT_CASE(nd_promisc),
	KUNIT_CASE(nd_mc_table),
	KUNIT_CASE(nd_bad_ack),
	KUNIT_CASE(nd_err),
	KUNIT_CASE_SLOW(nd_silent),
	KUNIT_CASE_SLOW(nd_unbind_while_waiting),
	KUNIT_CASE_SLOW(nd_status),
	{}
};

static struct kunit_suite nd_suite = {
	.name = "vireo_net_ctrl_driver",
	.test_cases = nd_cases,
};

kunit_test_suites(&nf_suite, &nd_suite);
