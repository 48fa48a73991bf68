#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: two NICs on a hub: ping, 64 MiB TCP checksummed both ways, UDP loss counted, transactions
# groups: quick
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# ref: net
# timeout: 420
#
# Topology A (lib.sh net_pair): NIC A (00:04.0) and NIC B (00:05.0) on
# one QEMU hub, B moved into the peer's network namespace, so every
# packet crosses the emulated wire twice (A's TX ring, the hub, B's RX
# ring).  Both interfaces must be driven by the driver under test
# (sysfs and ethtool -i) and carry their configured MACs.  Then: ping
# each way; a 64 MiB TCP stream A->B and another B->A, every byte
# checked against vnetperf's pattern at the receiver and the checksums
# of both ends equal, with the receiver's rx_bytes counter grown by at
# least the stream (the data crossed this wire, not loopback); a burst
# of 20000 UDP datagrams of 1400 bytes each way with nothing corrupt or
# duplicated and every datagram accounted for (loss is counted and
# logged, not judged: an unpaced burst overruns the receiver), and a
# paced one (2000 at 1000/s) that may lose at most 5%; an unpaced burst
# of 50000 64-byte datagrams, the most frames per byte, counted the same
# way; 2000 one-byte TCP
# transactions.  The stream check proves it can fail: a sender that
# flips one byte must be caught at the exact offset.  Last, the driver
# unloads and no interface is left.

net_pair || return 1
rx0=$(net_stat b "$NB" rx_bytes)
net_tcp "stream" a 67108864
rx1=$(net_stat b "$NB" rx_bytes)
check "$NB rx_bytes grew by the stream ($rx0 -> $rx1)" test $((rx1 - rx0)) -ge 67108864
net_tcp "stream" b 67108864
net_tcp_selftest a
net_udp "burst" a 20000 1400
net_udp "burst" b 20000 1400
net_udp "64-byte burst" a 50000 64
net_udp "paced" a 2000 1400 5 1000
net_rr "transactions" a 2000 1
for s in a b; do
	i=$NA
	[ $s = b ] && i=$NB
	expect_eq "$i rx_errs" "$(net_stat $s "$i" rx_errs)" 0
	expect_eq "$i tx_errs" "$(net_stat $s "$i" tx_errs)" 0
done
net_log_show
kill "$PEER"
net_unload
