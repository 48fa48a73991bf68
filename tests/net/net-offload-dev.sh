#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: taps with offloads refused by the device: no checksum offload on one NIC, no TSO on the other
# devices: tap:n0 tap:n1
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=,csum=off,guest_csum=off
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=,host_tso4=off,host_tso6=off,guest_tso4=off,guest_tso6=off,gso=off
# needs: root /dev/net/tun unshare ip
# ref: net
# timeout: 420
#
# Topology B, but with offloads turned off in the device rather than in
# the driver: A is offered neither CSUM nor GUEST_CSUM (so no TSO
# either), B checksum offload but no TSO in either direction (nor the
# legacy GSO bit, which stands for every TSO kind).  The
# driver must follow: A shows tx-checksumming and TSO off, B checksum
# on and TSO off, and neither can be turned on with ethtool -K; vireo:
# the feature bits (0 CSUM, 1 GUEST_CSUM, 7 GUEST_TSO4, 11 HOST_TSO4)
# are negotiated accordingly.  64 MiB streams each way arrive intact,
# in frames of at most 1514 bytes at both ends (no TSO anywhere).

net_pair || return 1
expect_eq "$NA tx-checksumming" "$(net_feature a "$NA" tx-checksumming)" off
expect_eq "$NA tcp-segmentation-offload" "$(net_feature a "$NA" tcp-segmentation-offload)" off
expect_eq "$NB tx-checksumming" "$(net_feature b "$NB" tx-checksumming)" on
expect_eq "$NB tcp-segmentation-offload" "$(net_feature b "$NB" tcp-segmentation-offload)" off
ethtool -K "$NA" tso on >/dev/null 2>&1
expect_eq "$NA TSO stays off after ethtool -K tso on" "$(net_feature a "$NA" tcp-segmentation-offload)" off
in_peer ethtool -K "$NB" tso on >/dev/null 2>&1
expect_eq "$NB TSO stays off after ethtool -K tso on" "$(net_feature b "$NB" tcp-segmentation-offload)" off
if ! net_ref; then
	va=$(net_vdev "$NA")
	vb=$(net_vdev_of $NET_B)
	expect_feature "$va" 0 0 CSUM
	expect_feature "$va" 1 0 GUEST_CSUM
	expect_feature "$vb" 0 1 CSUM
	expect_feature "$vb" 7 0 GUEST_TSO4
	expect_feature "$vb" 11 0 HOST_TSO4
fi
for s in a b; do
	r=$(_other $s)
	if [ $s = a ]; then i=$NA j=$NB; else i=$NB j=$NA; fi
	mt=$(net_mark $s "$i" tx)
	mr=$(net_mark $r "$j" rx)
	net_tcp "device offloads off" $s 67108864
	# shellcheck disable=SC2086 # two numbers
	avg=$(net_avg_frame $s "$i" tx $mt)
	check "$i sent frames of $avg bytes on average, at most 1514" test "$avg" -le 1514
	# shellcheck disable=SC2086 # two numbers
	avg=$(net_avg_frame $r "$j" rx $mr)
	check "$j received frames of $avg bytes on average, at most 1514" test "$avg" -le 1514
done
kill "$PEER"
net_unload
