#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: mrg_rxbuf=off on both NICs: 10-byte header, small receive buffers; ping sizes, streams, UDP
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=,mrg_rxbuf=off
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=,mrg_rxbuf=off
# ref: net
# timeout: 360
#
# Without MRG_RXBUF the header is 10 bytes and every received frame must
# fit one posted buffer (QEMU drops a frame larger than the chain
# silently), so the driver's small-buffer receive path carries all
# traffic.  vireo: feature bit 15 is not negotiated.  Pings of 56, 1472
# (a full 1500-byte frame) and 4000 bytes (fragments), both ways; 64 MiB
# streams both ways, checksummed; a UDP burst each way with every
# datagram accounted for; one-byte transactions.

net_pair || return 1
if ! net_ref; then
	expect_feature "$(net_vdev "$NA")" 15 0 MRG_RXBUF
fi
for sz in 56 1472 4000; do
	check "ping -s $sz A->B" ping -c 3 -W 2 -s $sz $NET_IP_B
	check "ping -s $sz B->A" in_peer ping -c 3 -W 2 -s $sz $NET_IP_A
done
net_tcp "mrg_rxbuf=off" a 67108864
net_tcp "mrg_rxbuf=off" b 67108864
net_udp "mrg_rxbuf=off, burst" a 20000 1400
net_udp "mrg_rxbuf=off, burst" b 20000 1400
net_rr "mrg_rxbuf=off" a 1000 1
kill "$PEER"
net_unload
