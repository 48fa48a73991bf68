#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: mq=on with 2-queue taps: both TX queues carry traffic; ethtool -L combined 1 and back under traffic
# devices: tap:n0,queues=2 tap:n1,queues=2
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=,mq=on,vectors=6
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=,mq=on,vectors=6
# needs: root /dev/net/tun unshare ip
# groups: quick
# ref: net
# timeout: 420
#
# Topology B with multi-queue taps (queues=2) and MQ offered with two
# pairs and 6 vectors.  ethtool -l: at most 2 combined channels, and 2
# in use (one per CPU).  A 32 MiB stream from a sender pinned to CPU 0,
# then one pinned to CPU 1: XPS maps each CPU to its own TX queue, so
# each stream must leave mostly (more than twice the other's count, and
# over 100) by its CPU's queue, as counted by ethtool -S (packets; kicks
# where the driver reports packets only through netlink, 6.12's
# virtio_net); every byte checked.  Then a
# 25 s stream A->B runs while A goes to ethtool -L combined 1 (checked
# with ethtool -l), back to 2, and B does the same: the stream must
# finish with every byte and the checksums intact.

net_pair || return 1
expect_eq "$NA max combined channels" "$(net_combined a "$NA" max)" 2
expect_eq "$NA combined channels in use" "$(net_combined a "$NA" current)" 2
expect_eq "$NB combined channels in use" "$(net_combined b "$NB" current)" 2
# Each pinned stream must leave mostly by its CPU's queue (XPS).
for cpu in 0 1; do
	q0=$(net_txq_count a "$NA" 0)
	q1=$(net_txq_count a "$NA" 1)
	VNP_WRAP="taskset -c $cpu" net_tcp "sender on CPU $cpu" a 33554432
	d0=$(($(net_txq_count a "$NA" 0) - q0))
	d1=$(($(net_txq_count a "$NA" 1) - q1))
	log "stream from CPU $cpu: TX queue 0 +$d0, TX queue 1 +$d1"
	if [ $cpu = 0 ]; then mine=$d0 other=$d1; else mine=$d1 other=$d0; fi
	check "the CPU $cpu stream left by TX queue $cpu ($mine packets or kicks there, $other on the other)" \
		test "$mine" -gt 100 -a "$mine" -gt $((other * 2))
done
VNP_WRAP=
ethtool -S "$NA" | grep -E '^ *tx' | diag_lines "$NA: "

net_flood_start a 25
sleep 3
check "ethtool -L $NA combined 1 under traffic" ethtool -L "$NA" combined 1
expect_eq "$NA combined channels in use" "$(net_combined a "$NA" current)" 1
sleep 3
check "ethtool -L $NA combined 2 under traffic" ethtool -L "$NA" combined 2
expect_eq "$NA combined channels in use" "$(net_combined a "$NA" current)" 2
sleep 2
check "ethtool -L $NB combined 1 under traffic" in_peer ethtool -L "$NB" combined 1
expect_eq "$NB combined channels in use" "$(net_combined b "$NB" current)" 1
sleep 3
check "ethtool -L $NB combined 2 under traffic" in_peer ethtool -L "$NB" combined 2
expect_eq "$NB combined channels in use" "$(net_combined b "$NB" current)" 2
net_flood_wait 90
st=$?
expect_eq "the stream across the channel changes ends intact (sender status)" "$st" 0
net_tcp "after the channel changes" a 16777216
net_log_show
kill "$PEER"
net_unload
