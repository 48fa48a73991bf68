/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The legacy (0.9.5) virtio network device's wire formats: feature bits,
 * config space, the per-packet header and the control queue's messages.
 *
 * These are facts from the specification, written in our own words. On a
 * legacy device every multi-byte field here is in guest-native byte order.
 */
#ifndef _VIREO_NET_WIRE_H
#define _VIREO_NET_WIRE_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Feature bits. A legacy device has bits 0-31 only. */
#define VIREO_NET_F_CSUM		0  /* device takes partial checksums */
#define VIREO_NET_F_GUEST_CSUM		1  /* driver takes partial checksums */
#define VIREO_NET_F_CTRL_GUEST_OFFLOADS	2  /* guest offloads set at run time */
#define VIREO_NET_F_MTU			3  /* config mtu is valid */
#define VIREO_NET_F_MAC			5  /* config mac is valid */
#define VIREO_NET_F_GSO			6  /* device takes any GSO type */
#define VIREO_NET_F_GUEST_TSO4		7  /* driver takes TSOv4 frames */
#define VIREO_NET_F_GUEST_TSO6		8  /* driver takes TSOv6 frames */
#define VIREO_NET_F_GUEST_ECN		9  /* ... with the ECN bit */
#define VIREO_NET_F_GUEST_UFO		10 /* driver takes UFO frames */
#define VIREO_NET_F_HOST_TSO4		11 /* device takes TSOv4 frames */
#define VIREO_NET_F_HOST_TSO6		12 /* device takes TSOv6 frames */
#define VIREO_NET_F_HOST_ECN		13 /* ... with the ECN bit */
#define VIREO_NET_F_HOST_UFO		14 /* device takes UFO frames */
#define VIREO_NET_F_MRG_RXBUF		15 /* a packet may span rx buffers */
#define VIREO_NET_F_STATUS		16 /* config status is valid */
#define VIREO_NET_F_CTRL_VQ		17 /* there is a control queue */
#define VIREO_NET_F_CTRL_RX		18 /* rx mode commands */
#define VIREO_NET_F_CTRL_VLAN		19 /* VLAN filter commands */
#define VIREO_NET_F_CTRL_RX_EXTRA	20 /* the extra rx mode commands */
#define VIREO_NET_F_GUEST_ANNOUNCE	21 /* driver announces itself */
#define VIREO_NET_F_MQ			22 /* several queue pairs */
#define VIREO_NET_F_CTRL_MAC_ADDR	23 /* MAC address set command */
/* Legacy only: a driver that sets it is broken. Never acknowledge it. */
#define VIREO_NET_F_BAD_FEATURE		30

/* config status bits (STATUS) */
#define VIREO_NET_S_LINK_UP		1
#define VIREO_NET_S_ANNOUNCE		2

/* max_virtqueue_pairs bounds (MQ) */
#define VIREO_NET_MQ_PAIRS_MIN		1
#define VIREO_NET_MQ_PAIRS_MAX		0x8000

/* The smallest MTU the driver accepts from config (MTU), as IPv4 needs. */
#define VIREO_NET_MTU_MIN		68

/**
 * struct vireo_net_config - the device's config space (legacy layout)
 * @mac: the device's MAC address (MAC); writable without CTRL_MAC_ADDR
 * @status: VIREO_NET_S_* (STATUS)
 * @max_virtqueue_pairs: queue pairs the device has (MQ)
 * @mtu: the largest MTU the device supports (MTU)
 *
 * A device exposes the fields up to the last one whose feature it
 * offers. Fields are read one at a time with vireo_cread*().
 */
struct vireo_net_config {
	u8 mac[6];
	u16 status;
	u16 max_virtqueue_pairs;
	u16 mtu;
} __packed;

static_assert(offsetof(struct vireo_net_config, status) == 6);
static_assert(offsetof(struct vireo_net_config, max_virtqueue_pairs) == 8);
static_assert(offsetof(struct vireo_net_config, mtu) == 10);

#define VIREO_NET_CFG(field)	offsetof(struct vireo_net_config, field)

/* Header flags. */
#define VIREO_NET_HDR_F_NEEDS_CSUM	1 /* csum_start/csum_offset valid */
#define VIREO_NET_HDR_F_DATA_VALID	2 /* rx: checksum already checked */

/* Header gso_type values. */
#define VIREO_NET_HDR_GSO_NONE		0
#define VIREO_NET_HDR_GSO_TCPV4		1
#define VIREO_NET_HDR_GSO_UDP		3
#define VIREO_NET_HDR_GSO_TCPV6		4
#define VIREO_NET_HDR_GSO_ECN		0x80 /* flag: the TCP ECN bit is set */

/**
 * struct vireo_net_hdr - what precedes every packet, in both directions
 * @flags: VIREO_NET_HDR_F_*
 * @gso_type: VIREO_NET_HDR_GSO_*
 * @hdr_len: length of the Ethernet, IP and transport headers (GSO)
 * @gso_size: bytes of payload per segment (GSO)
 * @csum_start: where checksumming starts (NEEDS_CSUM)
 * @csum_offset: where, after @csum_start, the checksum goes (NEEDS_CSUM)
 */
struct vireo_net_hdr {
	u8 flags;
	u8 gso_type;
	u16 hdr_len;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
};

/**
 * struct vireo_net_hdr_mrg - the header when MRG_RXBUF is negotiated
 * @hdr: as without MRG_RXBUF
 * @num_buffers: rx: how many buffers this packet spans (at least 1);
 *	tx: 0
 */
struct vireo_net_hdr_mrg {
	struct vireo_net_hdr hdr;
	u16 num_buffers;
};

static_assert(sizeof(struct vireo_net_hdr) == 10);
static_assert(sizeof(struct vireo_net_hdr_mrg) == 12);

/*
 * Control queue: a request is out {u8 class; u8 cmd}, then the command's
 * data, then one in byte that the device sets to the ack.
 */
#define VIREO_NET_OK			0
#define VIREO_NET_ERR			1

/**
 * struct vireo_net_ctrl_hdr - the first bytes of a control request
 * @class: VIREO_NET_CTRL_*
 * @cmd: the class's command
 */
struct vireo_net_ctrl_hdr {
	u8 class;
	u8 cmd;
};

/* Receive modes (CTRL_RX; the last four need CTRL_RX_EXTRA). Data: u8 on. */
#define VIREO_NET_CTRL_RX		0
#define VIREO_NET_CTRL_RX_PROMISC	0
#define VIREO_NET_CTRL_RX_ALLMULTI	1
#define VIREO_NET_CTRL_RX_ALLUNI	2
#define VIREO_NET_CTRL_RX_NOMULTI	3
#define VIREO_NET_CTRL_RX_NOUNI		4
#define VIREO_NET_CTRL_RX_NOBCAST	5

/*
 * MAC filter (CTRL_RX). TABLE_SET data: two tables, unicast then
 * multicast, each a u32 count followed by that many 6-byte addresses.
 * ADDR_SET data (CTRL_MAC_ADDR): the 6-byte address.
 */
#define VIREO_NET_CTRL_MAC		1
#define VIREO_NET_CTRL_MAC_TABLE_SET	0
#define VIREO_NET_CTRL_MAC_ADDR_SET	1

/* VLAN filter (CTRL_VLAN). Data: u16 vid, below 4096. */
#define VIREO_NET_CTRL_VLAN		2
#define VIREO_NET_CTRL_VLAN_ADD		0
#define VIREO_NET_CTRL_VLAN_DEL		1

/* Acknowledging an announce (GUEST_ANNOUNCE). No data. */
#define VIREO_NET_CTRL_ANNOUNCE		3
#define VIREO_NET_CTRL_ANNOUNCE_ACK	0

/* Queue pairs in use (MQ). Data: u16 pairs, 1..max_virtqueue_pairs. */
#define VIREO_NET_CTRL_MQ		4
#define VIREO_NET_CTRL_MQ_VQ_PAIRS_SET	0

/* Guest offloads (CTRL_GUEST_OFFLOADS). Data: u64 of GUEST_* bits. */
#define VIREO_NET_CTRL_GUEST_OFFLOADS	 5
#define VIREO_NET_CTRL_GUEST_OFFLOADS_SET 0

#endif /* _VIREO_NET_WIRE_H */
