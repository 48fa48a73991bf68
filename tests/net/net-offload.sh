#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: taps on a host bridge: checksum and TSO offloads both ways, then each one off with ethtool -K
# groups: quick
# devices: tap:n0 tap:n1
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# needs: root /dev/net/tun unshare ip
# ref: net
# timeout: 600
#
# Topology B: each NIC on a tap (with vnet_hdr), the taps bridged in the
# boot's private host namespace, so QEMU offers CSUM, GUEST_CSUM,
# HOST_TSO4/6, GUEST_TSO4/6 (and UFO).  With everything on: ethtool -k
# shows tx-checksumming and TSO on; a 64 MiB stream A->B leaves A in
# frames larger than 1514 bytes on average (TSO reached the device) and
# arrives at B in frames larger than 1514 (GUEST_TSO: the device handed
# B whole super-frames), every byte checked; the same B->A; a UDP burst.
# Then each offload off in turn on both NICs, and back on: tso (A's TX
# frames are at most 1514 bytes then), tx checksumming (which takes TSO
# with it), scatter-gather, and rx-gro-hw (the guest offloads, switched
# through the control queue: B then receives frames of at most 1514
# bytes), each followed by a checked 16 MiB stream each way.

net_pair || return 1
for i in "$NA" "$NB"; do
	s=a
	[ "$i" = "$NB" ] && s=b
	expect_eq "$i tx-checksumming" "$(net_feature $s "$i" tx-checksumming)" on
	expect_eq "$i tcp-segmentation-offload" "$(net_feature $s "$i" tcp-segmentation-offload)" on
	on $s ethtool -k "$i" | grep -E '^(tx-checksumming|scatter-gather|tcp-segmentation-offload|generic-segmentation-offload|rx-gro-hw):' |
		diag_lines "$i: "
done

# big_frames DESC SIDE IF DIR WANT MARK: average frame > 1514 (WANT big)
# or <= 1514 (WANT small) since MARK.
big_frames() {
	# shellcheck disable=SC2086 # MARK: two numbers
	avg=$(net_avg_frame "$2" "$3" "$4" $6)
	if [ "$5" = big ]; then
		check "$1: $3 $4 frames average $avg bytes, more than 1514" test "$avg" -gt 1514
	else
		check "$1: $3 $4 frames average $avg bytes, at most 1514" test "$avg" -le 1514
	fi
}

ma=$(net_mark a "$NA" tx)
mb=$(net_mark b "$NB" rx)
net_tcp "offloads on" a 67108864
big_frames "offloads on" a "$NA" tx big "$ma"
big_frames "offloads on" b "$NB" rx big "$mb"
ma=$(net_mark b "$NB" tx)
mb=$(net_mark a "$NA" rx)
net_tcp "offloads on" b 67108864
big_frames "offloads on" b "$NB" tx big "$ma"
big_frames "offloads on" a "$NA" rx big "$mb"
net_udp "offloads on, burst" a 20000 1400

# off FEATURE NAME-IN-K WHAT: FEATURE off on both NICs, traffic, back on.
off() {
	check "ethtool -K $NA $1 off" ethtool -K "$NA" "$1" off
	check "ethtool -K $NB $1 off" in_peer ethtool -K "$NB" "$1" off
	expect_eq "$NA $2 after $1 off" "$(net_feature a "$NA" "$2")" off
	ma=$(net_mark a "$NA" tx)
	mb=$(net_mark b "$NB" rx)
	net_tcp "$1 off" a 16777216
	case $3 in
	tx) big_frames "$1 off" a "$NA" tx small "$ma" ;;
	rx) big_frames "$1 off" b "$NB" rx small "$mb" ;;
	esac
	net_tcp "$1 off" b 16777216
	check "ethtool -K $NA $1 on" ethtool -K "$NA" "$1" on
	check "ethtool -K $NB $1 on" in_peer ethtool -K "$NB" "$1" on
	expect_eq "$NA $2 back on" "$(net_feature a "$NA" "$2")" on
}
off tso tcp-segmentation-offload tx
off tx tx-checksumming tx
off sg scatter-gather -
off rx-gro-hw rx-gro-hw rx
ma=$(net_mark a "$NA" tx)
net_tcp "all back on" a 16777216
big_frames "all back on" a "$NA" tx big "$ma"
net_log_show
kill "$PEER"
net_unload
