#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: bench/net.sh on taps: the same workloads with the device's offloads
# kernels: all
# groups: bench
# devices: tap:k0 tap:k1 tap:v0 tap:v1
# devices: virtio-net-pci,addr=0x4,netdev=k0,mac=52:54:00:00:01:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=k1,mac=52:54:00:00:01:0b,romfile=
# devices: virtio-net-pci,addr=0x6,netdev=v0,mac=52:54:00:00:02:0a,romfile=
# devices: virtio-net-pci,addr=0x7,netdev=v1,mac=52:54:00:00:02:0b,romfile=
# needs: root /dev/net/tun unshare ip
# timeout: 2400
# boot: virtio
#
# bench/net.sh with each NIC on a tap with vnet_hdr (topology B,
# testing.rst), so that QEMU offers checksum, TSO and UFO offloads both
# ways: the pairs' taps share the bridge of the boot's private host
# network namespace, but each pair has its own subnet and MACs, so only
# broadcasts (ARP) cross between them.  Same workloads, knobs and lines,
# named net-tap instead of net.

NETB=net-tap
. /lib/vireo/tests/net.sh
