// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_net.ko against a hostile simulated device: frames
 * the device gets wrong.
 *
 * The interface is up; its receive queue's buffers stay with the device
 * until the case has it fill the oldest one with a crafted frame (header
 * included) and report a crafted used length (nt_rx()). A good frame is
 * counted as received; a bad one must be dropped and counted as an error
 * (the interface's rx_errors and rx_dropped), never delivered, and a
 * flood of them costs one message.
 *
 * vireo_net_rx: used lengths, num_buffers and header flags on a device
 * without receive offloads (mergeable buffers); vireo_net_rx_offload:
 * checksum offsets and GSO fields with the offloads negotiated. The
 * helpers are in vireo_net_test_lib.c.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_net_test.h"

/* A protocol no one handles: the stack drops it after the driver counts. */
#define NR_PROTO	0x88b5
#define NR_PROTO_IPV4	0x0800
#define NR_LEN		100U	/* a frame's bytes after the header */
#define NR_FLOOD	200U

static const u64 nr_offloads = BIT_ULL(NT_F_GUEST_CSUM) |
			       BIT_ULL(NT_F_GUEST_TSO4) |
			       BIT_ULL(NT_F_GUEST_TSO6) |
			       BIT_ULL(NT_F_GUEST_ECN) |
			       BIT_ULL(NT_F_GUEST_UFO) |
			       BIT_ULL(NT_F_CTRL_GUEST_OFFLOADS);

/**
 * struct nr_ctx - a case's device and interface
 * @sb: the device
 * @ndev: its interface, up
 * @hdr_len: the header's size on this device
 * @frame: room for a frame
 */
struct nr_ctx {
	struct vireo_simbus_dev *sb;
	struct net_device *ndev;
	unsigned int hdr_len;
	u8 frame[NT_FRAME_MAX];
};

static struct nr_ctx *nr_start(struct kunit *test, u64 features)
{
	struct nr_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct vireo_simbus_setup *s;

	KUNIT_ASSERT_NOT_NULL(test, c);
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	nt_default_setup(test, s, features);
	c->sb = nt_net_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, nt_bound(c->sb));
	c->ndev = nt_ndev(c->sb);
	KUNIT_ASSERT_NOT_NULL(test, c->ndev);
	nt_up(test, c->ndev);
	c->hdr_len = features & BIT_ULL(NT_F_MRG_RXBUF) ? NT_HDR_MRG_LEN :
							   NT_HDR_LEN;
	return c;
}

/*
 * A frame to the interface's address: @h (the first @c->hdr_len bytes of
 * it), the link header with @proto, then @len - ETH_HLEN bytes of a
 * pattern. Returns the bytes the device writes.
 */
static unsigned int nr_frame(struct nr_ctx *c, const struct nt_hdr *h,
			     u16 proto, unsigned int len)
{
	struct ethhdr *eth = (struct ethhdr *)(c->frame + c->hdr_len);
	unsigned int i;

	memcpy(c->frame, h, c->hdr_len);
	ether_addr_copy(eth->h_dest, c->ndev->dev_addr);
	eth_random_addr(eth->h_source);
	eth->h_proto = htons(proto);
	for (i = ETH_HLEN; i < len; i++)
		c->frame[c->hdr_len + i] = i;
	return c->hdr_len + len;
}

/* Deliver a frame; expect it received, or dropped as an error. */
static void nr_expect(struct kunit *test, struct nr_ctx *c, unsigned int len,
		      int used, bool good)
{
	struct nt_rx_counts before, after;

	nt_rx_counts(c->ndev, &before);
	KUNIT_ASSERT_TRUE_MSG(test, nt_rx(test, c->sb, c->ndev, c->frame, len,
					  used),
			      "the interface counted nothing");
	msleep(20);
	nt_rx_counts(c->ndev, &after);
	if (good) {
		KUNIT_EXPECT_EQ(test, after.packets, before.packets + 1);
		KUNIT_EXPECT_EQ(test, after.errors, before.errors);
		return;
	}
	KUNIT_EXPECT_EQ(test, after.packets, before.packets);
	KUNIT_EXPECT_EQ(test, after.errors, before.errors + 1);
	KUNIT_EXPECT_EQ(test, after.dropped, before.dropped + 1);
}

static const struct nt_hdr nr_plain = { .num_buffers = 1 };

/* ---- vireo_net_rx ------------------------------------------------------ */

/* The baseline: a good frame, minimal and full-sized, is received. */
static void nr_good(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES);

	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, ETH_ZLEN), -1,
		  true);
	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, 1514), -1, true);
	KUNIT_EXPECT_EQ(test, nt_state(c->sb)->rx_filled, 2U);
}

static const int nr_short_used_values[] = { 0, 1, 11 };

static void nr_used_desc(const int *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "used length %d", *v);
}

KUNIT_ARRAY_PARAM(nr_short_used, nr_short_used_values, nr_used_desc);

/* A used length shorter than the header: dropped, counted. */
static void nr_short_used(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES);
	const int *used = test->param_value;

	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN), *used,
		  false);
	/* The next good frame is received. */
	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN), -1, true);
}

/* A used length of exactly the header: an empty frame, dropped. */
static void nr_header_only(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES);

	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN),
		  c->hdr_len, false);
}

/*
 * A used length beyond the buffer posted: dropped and counted, not
 * delivered as a whole buffer of stale bytes. The first driver could not
 * tell (the ring clamped the length); its queues now ask the ring for
 * exact lengths.
 */
static void nr_used_too_long_defect(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES);

	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN),
		  NT_USED_OVER, false);
}

static const u16 nr_bad_nbufs_values[] = { 0, 2000, 0xffff };

static void nr_nbufs_desc(const u16 *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "num_buffers %u", *v);
}

KUNIT_ARRAY_PARAM(nr_bad_nbufs, nr_bad_nbufs_values, nr_nbufs_desc);

/* num_buffers of 0, or more than the buffers in flight: dropped. */
static void nr_bad_nbufs(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES);
	struct nt_hdr h = { .num_buffers = *(const u16 *)test->param_value };

	nr_expect(test, c, nr_frame(c, &h, NR_PROTO, NR_LEN), -1, false);
	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN), -1, true);
}

/*
 * num_buffers 2 with no second buffer used: the frame is dropped; the
 * buffer the device returns next starts a frame of its own.
 */
static void nr_nbufs_unused(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES);
	struct nt_hdr h = { .num_buffers = 2 };

	nr_expect(test, c, nr_frame(c, &h, NR_PROTO, NR_LEN), -1, false);
	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN), -1, true);
}

/**
 * struct nr_hdr_param - a header the device must not send here
 * @name: for the parameter's description
 * @h: the header
 * @proto: the frame's protocol
 */
struct nr_hdr_param {
	const char *name;
	struct nt_hdr h;
	u16 proto;
};

/* Without receive offloads, any offload field is a device error. */
static const struct nr_hdr_param nr_no_offload_params[] = {
	{ "NEEDS_CSUM", { .flags = NT_HDR_F_NEEDS_CSUM, .csum_start = 14,
			  .csum_offset = 16, .num_buffers = 1 }, NR_PROTO },
	{ "DATA_VALID", { .flags = NT_HDR_F_DATA_VALID, .num_buffers = 1 },
	  NR_PROTO },
	{ "unknown flag", { .flags = 4, .num_buffers = 1 }, NR_PROTO },
	{ "GSO TCPv4", { .gso_type = NT_GSO_TCPV4, .gso_size = 1000,
			 .hdr_len = 54, .num_buffers = 1 }, NR_PROTO_IPV4 },
	{ "GSO UDP", { .gso_type = NT_GSO_UDP, .gso_size = 1000,
		       .num_buffers = 1 }, NR_PROTO_IPV4 },
	{ "GSO type 2", { .gso_type = 2, .gso_size = 1000,
			  .num_buffers = 1 }, NR_PROTO_IPV4 },
};

static void nr_hdr_desc(const struct nr_hdr_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", p->name);
}

KUNIT_ARRAY_PARAM(nr_no_offload, nr_no_offload_params, nr_hdr_desc);

static void nr_no_offload(struct kunit *test)
{
	const struct nr_hdr_param *p = test->param_value;
	struct nr_ctx *c = nr_start(test, NT_FEATURES);

	nr_expect(test, c, nr_frame(c, &p->h, p->proto, NR_LEN), -1, false);
}

/* The same on small buffers (no MRG_RXBUF: a 10-byte header). */
static void nr_small_mode(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES &
				    ~BIT_ULL(NT_F_MRG_RXBUF));
	struct nt_hdr h = { .flags = NT_HDR_F_NEEDS_CSUM };

	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN), -1, true);
	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN), 9, false);
	nr_expect(test, c, nr_frame(c, &h, NR_PROTO, NR_LEN), -1, false);
	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN), -1, true);
}

/*
 * The receive path copies a long frame's protocol headers, read from the
 * device's buffer (TCP's directly, others through the flow dissector),
 * into the skb; the device chooses those bytes. Header lengths that run
 * past the copy limit, past the frame, or to zero must still give a frame
 * of the right length: it is received, its own length counted in
 * rx_bytes (the stack then drops it). Without the limit, the first two
 * frames grow to 134 bytes.
 */
static void nr_tcp_headers(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES);
	static const struct {
		u16 proto;
		u8 vihl, doff;
		unsigned int len;
	} f[] = {
		{ NR_PROTO_IPV4, 0x4f, 0xf0, 130 },	/* 134 bytes of headers */
		{ NR_PROTO_IPV4, 0x4f, 0xf0, 129 },
		{ NR_PROTO_IPV4, 0x45, 0x00, 129 },	/* doff 0 */
		{ NR_PROTO_IPV4, 0x45, 0x50, 1514 },	/* plain TCP */
		{ NR_PROTO_IPV4, 0x41, 0x50, 200 },	/* ihl 1 */
		{ 0x86dd, 0x60, 0xf0, 130 },		/* TCP/IPv6, doff 15 */
	};
	struct nt_rx_counts before, after;
	unsigned int i, l4;
	u8 *l3;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		nr_frame(c, &nr_plain, f[i].proto, f[i].len);
		l3 = c->frame + c->hdr_len + ETH_HLEN;
		l3[0] = f[i].vihl;
		if (f[i].proto == NR_PROTO_IPV4) {
			l3[6] = 0;			/* not a fragment */
			l3[7] = 0;
			l3[9] = 6;			/* TCP */
			l4 = (f[i].vihl & 0xf) * 4;
		} else {
			l3[6] = 6;			/* next header TCP */
			l4 = 40;
		}
		l3[l4 + 12] = f[i].doff;
		nt_rx_counts(c->ndev, &before);
		nr_expect(test, c, c->hdr_len + f[i].len, -1, true);
		nt_rx_counts(c->ndev, &after);
		KUNIT_EXPECT_EQ_MSG(test, after.bytes - before.bytes,
				    (u64)f[i].len, "frame %u", i);
	}
}

/*
 * A flood of bad frames: every one dropped and counted, one message; and
 * the queue still receives.
 */
static void nr_flood(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES);
	struct nt_hdr h = { .num_buffers = 0 };
	struct nt_rx_counts before, after;
	char who[IFNAMSIZ + 8];
	unsigned int i, len;
	u64 mark;

	snprintf(who, sizeof(who), " %s: ", netdev_name(c->ndev));
	mark = vireo_simbus_log_mark();
	nt_rx_counts(c->ndev, &before);
	len = nr_frame(c, &h, NR_PROTO, NR_LEN);
	for (i = 0; i < NR_FLOOD; i++)
		if (!nt_rx(test, c->sb, c->ndev, c->frame, len, -1))
			break;
	nt_rx_counts(c->ndev, &after);
	KUNIT_EXPECT_EQ(test, i, NR_FLOOD);
	KUNIT_EXPECT_EQ(test, after.errors, before.errors + NR_FLOOD);
	KUNIT_EXPECT_EQ(test, after.packets, before.packets);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, who, NULL), 1U);
	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN), -1, true);
}

static struct kunit_case nr_cases[] = {
	KUNIT_CASE(nr_good),
	KUNIT_CASE_PARAM(nr_short_used, nr_short_used_gen_params),
	KUNIT_CASE(nr_header_only),
	KUNIT_CASE(nr_used_too_long_defect),
	KUNIT_CASE_PARAM(nr_bad_nbufs, nr_bad_nbufs_gen_params),
	KUNIT_CASE(nr_nbufs_unused),
	KUNIT_CASE_PARAM(nr_no_offload, nr_no_offload_gen_params),
	KUNIT_CASE(nr_small_mode),
	KUNIT_CASE(nr_tcp_headers),
	KUNIT_CASE_SLOW(nr_flood),
	{}
};

static struct kunit_suite nr_suite = {
	.name = "vireo_net_rx",
	.test_cases = nr_cases,
};

/* ---- vireo_net_rx_offload ------------------------------------------------ */

/* With receive offloads: consistent fields pass, inconsistent ones drop. */
static const struct nr_hdr_param nr_bad_offload_params[] = {
	{ "csum_start past the frame", { .flags = NT_HDR_F_NEEDS_CSUM,
	  .csum_start = 200, .csum_offset = 6, .num_buffers = 1 }, NR_PROTO },
	{ "csum_offset past the frame", { .flags = NT_HDR_F_NEEDS_CSUM,
	  .csum_start = 14, .csum_offset = 0xfff0, .num_buffers = 1 },
	  NR_PROTO },
	{ "checksum field straddles the end", { .flags = NT_HDR_F_NEEDS_CSUM,
	  .csum_start = 14, .csum_offset = NR_LEN - 14 - 1, .num_buffers = 1 },
	  NR_PROTO },
	{ "unknown flag", { .flags = NT_HDR_F_DATA_VALID | 8,
	  .num_buffers = 1 }, NR_PROTO },
	{ "GSO with segment size 0", { .gso_type = NT_GSO_TCPV4,
	  .flags = NT_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 16,
	  .hdr_len = 54, .gso_size = 0, .num_buffers = 1 }, NR_PROTO_IPV4 },
	{ "GSO type 2", { .gso_type = 2, .gso_size = 1000,
	  .num_buffers = 1 }, NR_PROTO_IPV4 },
	{ "GSO type 0x7f", { .gso_type = 0x7f, .gso_size = 1000,
	  .num_buffers = 1 }, NR_PROTO_IPV4 },
	{ "GSO TCPv4 on another protocol", { .gso_type = NT_GSO_TCPV4,
	  .flags = NT_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 16,
	  .hdr_len = 54, .gso_size = 40, .num_buffers = 1 }, NR_PROTO },
	{ "GSO TCPv6 on IPv4", { .gso_type = NT_GSO_TCPV6,
	  .flags = NT_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 16,
	  .hdr_len = 54, .gso_size = 40, .num_buffers = 1 }, NR_PROTO_IPV4 },
};

KUNIT_ARRAY_PARAM(nr_bad_offload, nr_bad_offload_params, nr_hdr_desc);

static void nr_bad_offload(struct kunit *test)
{
	const struct nr_hdr_param *p = test->param_value;
	struct nr_ctx *c = nr_start(test, NT_FEATURES | nr_offloads);

	nr_expect(test, c, nr_frame(c, &p->h, p->proto, NR_LEN), -1, false);
	nr_expect(test, c, nr_frame(c, &nr_plain, NR_PROTO, NR_LEN), -1, true);
}

/* The checks are not too strict: consistent offload fields are received. */
static void nr_good_offload(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES | nr_offloads);
	struct nt_hdr csum = { .flags = NT_HDR_F_NEEDS_CSUM, .csum_start = 14,
			       .csum_offset = NR_LEN - 14 - 2,
			       .num_buffers = 1 };
	struct nt_hdr valid = { .flags = NT_HDR_F_DATA_VALID,
				.num_buffers = 1 };

	nr_expect(test, c, nr_frame(c, &csum, NR_PROTO, NR_LEN), -1, true);
	nr_expect(test, c, nr_frame(c, &valid, NR_PROTO, NR_LEN), -1, true);
}

/*
 * A segment size of 0xffff is GSO_BY_FRAGS to the stack, which segments
 * such a frame along its fragments (SCTP's scheme) instead of by size; a
 * TCP frame must never carry it: dropped (the first driver passed it on).
 */
static void nr_gso_by_frags_defect(struct kunit *test)
{
	struct nr_ctx *c = nr_start(test, NT_FEATURES | nr_offloads);
	struct nt_hdr h = { .gso_type = NT_GSO_TCPV4,
			    .flags = NT_HDR_F_NEEDS_CSUM, .csum_start = 34,
			    .csum_offset = 16, .hdr_len = 54,
			    .gso_size = 0xffff, .num_buffers = 1 };

	nr_expect(test, c, nr_frame(c, &h, NR_PROTO_IPV4, NR_LEN), -1, false);
}

static struct kunit_case nro_cases[] = {
	KUNIT_CASE_PARAM(nr_bad_offload, nr_bad_offload_gen_params),
	KUNIT_CASE(nr_good_offload),
	KUNIT_CASE(nr_gso_by_frags_defect),
	{}
};

static struct kunit_suite nro_suite = {
	.name = "vireo_net_rx_offload",
	.test_cases = nro_cases,
};

kunit_test_suites(&nr_suite, &nro_suite);
