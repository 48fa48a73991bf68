/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vireo_net suites' wire facts, limits and shared helpers
 * (vireo_net_test_lib.c).
 *
 * The wire facts are restated here from the legacy (0.9.5) virtio
 * specification, not taken from the driver's headers, so that a mistake
 * in those is caught rather than copied.
 */
#ifndef _VIREO_NET_TEST_H
#define _VIREO_NET_TEST_H

#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/if_ether.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"

/* The network device's type (wire fact). */
#define NT_ID_NET		1
/*
 * A device type no driver serves, for the control queue's unit suite: its
 * test driver binds it, so the real vireo_net never sees it.
 */
#define NT_ID_CTRL_UNIT		0x7e01

/* Feature bits of the legacy network device (wire facts). */
#define NT_F_CSUM		0
#define NT_F_GUEST_CSUM		1
#define NT_F_CTRL_GUEST_OFFLOADS 2
#define NT_F_MTU		3
#define NT_F_MAC		5
#define NT_F_GSO		6
#define NT_F_GUEST_TSO4		7
#define NT_F_GUEST_TSO6		8
#define NT_F_GUEST_ECN		9
#define NT_F_GUEST_UFO		10
#define NT_F_HOST_TSO4		11
#define NT_F_HOST_TSO6		12
#define NT_F_HOST_ECN		13
#define NT_F_HOST_UFO		14
#define NT_F_MRG_RXBUF		15
#define NT_F_STATUS		16
#define NT_F_CTRL_VQ		17
#define NT_F_CTRL_RX		18
#define NT_F_CTRL_VLAN		19
#define NT_F_CTRL_RX_EXTRA	20
#define NT_F_GUEST_ANNOUNCE	21
#define NT_F_MQ			22
#define NT_F_CTRL_MAC_ADDR	23
#define NT_F_BAD_FEATURE	30

#define NT_S_LINK_UP		1
#define NT_S_ANNOUNCE		2

/* Every control feature. */
#define NT_CTRL_FEATURES (BIT_ULL(NT_F_CTRL_VQ) | BIT_ULL(NT_F_CTRL_RX) | \
			  BIT_ULL(NT_F_CTRL_VLAN) | \
			  BIT_ULL(NT_F_CTRL_RX_EXTRA) | \
			  BIT_ULL(NT_F_GUEST_ANNOUNCE) | BIT_ULL(NT_F_MQ) | \
			  BIT_ULL(NT_F_CTRL_MAC_ADDR) | \
			  BIT_ULL(NT_F_CTRL_GUEST_OFFLOADS))

/* Control queue messages (wire facts). */
#define NT_OK			0
#define NT_ERR			1
#define NT_CTRL_RX		0
#define NT_CTRL_RX_PROMISC	0
#define NT_CTRL_RX_ALLMULTI	1
#define NT_CTRL_RX_ALLUNI	2
#define NT_CTRL_MAC		1
#define NT_CTRL_MAC_TABLE_SET	0
#define NT_CTRL_MAC_ADDR_SET	1
#define NT_CTRL_VLAN		2
#define NT_CTRL_VLAN_ADD	0
#define NT_CTRL_VLAN_DEL	1
#define NT_CTRL_ANNOUNCE	3
#define NT_CTRL_ANNOUNCE_ACK	0
#define NT_CTRL_MQ		4
#define NT_CTRL_MQ_PAIRS_SET	0
#define NT_CTRL_OFFLOADS	5
#define NT_CTRL_OFFLOADS_SET	0

/* Header flags and GSO types (wire facts). */
#define NT_HDR_F_NEEDS_CSUM	1
#define NT_HDR_F_DATA_VALID	2
#define NT_GSO_NONE		0
#define NT_GSO_TCPV4		1
#define NT_GSO_UDP		3
#define NT_GSO_TCPV6		4
#define NT_GSO_ECN		0x80

/**
 * struct nt_config - the legacy network device's config space
 * @mac: MAC address (MAC)
 * @status: NT_S_* (STATUS)
 * @max_virtqueue_pairs: queue pairs (MQ)
 * @mtu: largest MTU (MTU)
 */
struct nt_config {
	u8 mac[ETH_ALEN];
	u16 status;
	u16 max_virtqueue_pairs;
	u16 mtu;
} __packed;

static_assert(sizeof(struct nt_config) == 12);

#define NT_CFG(field)	offsetof(struct nt_config, field)

/**
 * struct nt_hdr - the header before every packet (12 bytes with
 *	MRG_RXBUF, 10 without: @num_buffers is then absent)
 * @flags: NT_HDR_F_*
 * @gso_type: NT_GSO_*
 * @hdr_len: bytes of headers (GSO)
 * @gso_size: payload bytes per segment (GSO)
 * @csum_start: where checksumming starts (NEEDS_CSUM)
 * @csum_offset: where after @csum_start the checksum goes (NEEDS_CSUM)
 * @num_buffers: buffers the packet spans (MRG_RXBUF)
 */
struct nt_hdr {
	u8 flags;
	u8 gso_type;
	u16 hdr_len;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
	u16 num_buffers;
} __packed;

static_assert(sizeof(struct nt_hdr) == 12);
#define NT_HDR_LEN		10U
#define NT_HDR_MRG_LEN		12U

#define NT_RING			64U
/* Bounds for what may hang: long enough for TCG, KASAN and lockdep. */
#define NT_BOUND_MS		20000U
/* The unit suite's command timeout: short, so that timeouts are cheap. */
#define NT_UNIT_TIMEOUT_MS	300U
/* Commands the scripted device records. */
#define NT_LOG			64U
/* Bytes of a command's payload it keeps (two full MAC tables fit). */
#define NT_DATA_MAX		1024U
#define NT_FLOOD		1000U
/* Bytes of a frame the device can be told to receive. */
#define NT_FRAME_MAX		2048U
/* The real driver's queues without MQ: rx0, tx0, ctrl. */
#define NT_RXQ			0U
#define NT_TXQ			1U
#define NT_CTRLQ		2U
/* nt_rx()'s @used: one byte more than the buffer has. */
#define NT_USED_OVER		(-2)
#define NT_MAC			{ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }
/* What the real driver needs to receive and to program a filter. */
#define NT_FEATURES	(BIT_ULL(NT_F_MAC) | BIT_ULL(NT_F_STATUS) | \
			 BIT_ULL(NT_F_MRG_RXBUF) | BIT_ULL(NT_F_CTRL_VQ) | \
			 BIT_ULL(NT_F_CTRL_RX) | BIT_ULL(NT_F_CTRL_VLAN) | \
			 BIT_ULL(NT_F_CTRL_MAC_ADDR) | \
			 BIT_ULL(VIREO_RING_F_INDIRECT_DESC) | \
			 BIT_ULL(VIREO_RING_F_EVENT_IDX))

/**
 * struct nt_cmd - one control command as the device received it
 * @class: its class
 * @cmd: its command
 * @len: payload bytes (the readable bytes after the two-byte header)
 * @nread: readable descriptors of the chain
 * @nwrite: writable descriptors of the chain
 * @data: the first bytes of the payload
 */
struct nt_cmd {
	u8 class;
	u8 cmd;
	u16 len;
	u16 nread;
	u16 nwrite;
	u8 data[16];
};

/**
 * struct nt_state - the scripted network device (setup.priv)
 * @ctrlq: the control queue's index
 * @ack: the byte the device writes as the ack
 * @ack_len: the used length it reports; negative: the chain's writable
 *	bytes, as a correct device does
 * @ncmds: commands received
 * @log: the last NT_LOG of them, command i at i % NT_LOG
 * @last: the most recent one
 * @last_data: the most recent payload, up to NT_DATA_MAX bytes
 * @scratch: room to read a chain into
 * @rxq: the receive queue whose buffers get @frame
 * @frame: what the device writes into the next receive buffer, header
 *	included
 * @frame_len: bytes of @frame
 * @rx_used: the used length to report for it; NT_USED_OVER: one byte
 *	more than the buffer has; other negatives: @frame_len
 * @rx_filled: receive buffers the device filled
 * @rx_room: writable bytes of the last receive buffer filled
 */
struct nt_state {
	unsigned int ctrlq;
	u8 ack;
	int ack_len;
	unsigned int ncmds;
	struct nt_cmd log[NT_LOG];
	struct nt_cmd last;
	u8 last_data[NT_DATA_MAX];
	u8 scratch[NT_DATA_MAX + 2];
	unsigned int rxq;
	u8 frame[NT_FRAME_MAX];
	unsigned int frame_len;
	int rx_used;
	unsigned int rx_filled;
	u32 rx_room;
};

/**
 * struct nt_rx_counts - what the interface counted
 * @packets: frames received
 * @dropped: frames dropped
 * @errors: frames the device got wrong
 * @bytes: bytes of the frames received (link header included)
 */
struct nt_rx_counts {
	u64 packets;
	u64 dropped;
	u64 errors;
	u64 bytes;
};

u32 nt_handler(struct vireo_simbus_dev *sb, unsigned int q,
	       const struct vireo_simq_iov *iov, unsigned int n);
struct nt_state *nt_state(struct vireo_simbus_dev *sb);
void nt_set_ack(struct vireo_simbus_dev *sb, u8 ack, int ack_len);
void nt_reset_log(struct vireo_simbus_dev *sb);
struct vireo_simbus_dev *nt_dev(struct kunit *test,
				const struct vireo_simbus_setup *s, bool add);
struct nt_state *nt_new_state(struct kunit *test, unsigned int ctrlq);
const char *nt_who(struct vireo_simbus_dev *sb);
bool nt_wait_held(struct vireo_simbus_dev *sb, unsigned int q,
		  unsigned int n);
bool nt_wait_or_rescue(struct kunit *test, struct vireo_simbus_dev *sb,
		       struct vireo_simbus_call *call, unsigned int ms,
		       const char *what);

struct net_device;
void nt_default_setup(struct kunit *test, struct vireo_simbus_setup *s,
		      u64 features);
void nt_set_cfg(struct vireo_simbus_setup *s, unsigned int off,
		unsigned int size, u64 val);
struct vireo_simbus_dev *nt_net_dev(struct kunit *test,
				    const struct vireo_simbus_setup *s,
				    bool add);
bool nt_bound(struct vireo_simbus_dev *sb);
struct net_device *nt_ndev(struct vireo_simbus_dev *sb);
void nt_up(struct kunit *test, struct net_device *ndev);
void nt_rx_counts(struct net_device *ndev, struct nt_rx_counts *c);
bool nt_rx(struct kunit *test, struct vireo_simbus_dev *sb,
	   struct net_device *ndev, const void *frame, unsigned int len,
	   int used);
bool nt_wait_cmds(struct vireo_simbus_dev *sb, unsigned int n);
bool nt_find_cmd(struct vireo_simbus_dev *sb, u8 class, u8 cmd,
		 struct nt_cmd *out);

#endif /* _VIREO_NET_TEST_H */
