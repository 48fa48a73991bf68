#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: indirect_desc=off on one NIC, event_idx=off on the other: traffic without those ring features
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=,indirect_desc=off
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=,event_idx=off
# ref: net
# timeout: 360
#
# A's rings use direct descriptors only (no INDIRECT_DESC), B's ring
# notifications use the flags instead of used/avail events (no
# EVENT_IDX); each NIC transmits and receives, so both ring paths carry
# TX and RX.  vireo: the features are not negotiated (bits 28 and 29).
# 64 MiB streams each way, checksummed; UDP bursts; transactions.

net_pair || return 1
if ! net_ref; then
	expect_feature "$(net_vdev "$NA")" 28 0 INDIRECT_DESC
	expect_feature "$(net_vdev "$NA")" 29 1 EVENT_IDX
fi
net_tcp "no indirect/no event_idx" a 67108864
net_tcp "no indirect/no event_idx" b 67108864
net_udp "no indirect/no event_idx, burst" a 20000 1400
net_udp "no indirect/no event_idx, burst" b 20000 1400
net_rr "no indirect/no event_idx" a 1000 1
kill "$PEER"
net_unload
