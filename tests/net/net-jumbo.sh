#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: host_mtu=9000: MTU 9000, 8000-byte pings and jumbo TCP with and without mergeable buffers
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=,host_mtu=9000
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=,host_mtu=9000,mrg_rxbuf=off
# ref: net
# timeout: 360
#
# Both NICs offer MTU 9000 (feature MTU); B has no MRG_RXBUF, so A
# receives jumbo frames into mergeable buffers and B into big buffers
# (page chains).  The interfaces come up with MTU 9000 and refuse 9001
# (the device's maximum); pings of 8000 bytes (one frame each) both ways;
# 64 MiB streams both ways, checksummed, whose receivers see frames of
# more than 1514 bytes on average (jumbo frames crossed the hub); a UDP
# burst of 8000-byte datagrams each way.  Then MTU 1500 on both and a
# checked stream again.

net_pair || return 1
for s in a b; do
	i=$NA
	[ $s = b ] && i=$NB
	expect_eq "$i MTU" "$(net_mtu $s "$i")" 9000
	check_not "$i refuses MTU 9001" on $s ip link set "$i" mtu 9001
done
if ! net_ref; then
	expect_feature "$(net_vdev "$NA")" 3 1 MTU
fi
check "ping -s 8000 A->B" ping -c 3 -W 2 -s 8000 $NET_IP_B
check "ping -s 8000 B->A" in_peer ping -c 3 -W 2 -s 8000 $NET_IP_A
for s in a b; do
	r=$(_other $s)
	i=$NB
	[ $r = a ] && i=$NA
	m=$(net_mark $r "$i" rx)
	net_tcp "MTU 9000" $s 67108864
	# shellcheck disable=SC2086 # two numbers
	avg=$(net_avg_frame $r "$i" rx $m)
	check "MTU 9000: $i received frames of $avg bytes on average, more than 1514" test "$avg" -gt 1514
done
net_udp "MTU 9000, burst" a 5000 8000
net_udp "MTU 9000, burst" b 5000 8000
check "MTU 1500 on $NA" ip link set "$NA" mtu 1500
check "MTU 1500 on $NB" in_peer ip link set "$NB" mtu 1500
net_tcp "MTU 1500 again" a 16777216
kill "$PEER"
net_unload
