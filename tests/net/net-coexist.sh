#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: one NIC on the in-kernel virtio_net, the other on vireo_net, talking to each other
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# groups: coexist
# boot: virtio
# timeout: 360
#
# vireo-bind --to vireo 00:05.0 first: on 6.12 the built-in virtio-pci
# gives it up and its driver_override keeps it for vireo_pci; on 6.1,
# where virtio_pci is a module, the override keeps the module that is
# loaded next (with virtio_net) off it.  Then vireo's stack: A
# (00:04.0) is on virtio-pci and virtio_net, B (00:05.0) on vireo_pci
# and vireo_net.  B moves into the peer namespace; pings, 64 MiB
# streams each way checked at both ends, UDP bursts each way and
# transactions cross between the two drivers.  Then both unload.

check "vireo-bind --to vireo $NET_B" run_deadline 30 vireo-bind --to vireo $NET_B || return 1
if [ -f "$VIREO_KO/kmod/virtio_pci.ko" ]; then
	kmod_insmod virtio_pci || return 1
fi
kmod_insmod virtio_net || return 1
# shellcheck disable=SC2086 # module names: split on purpose
load_stack $NET_MODULES || return 1
expect_eq "$NET_A PCI driver" "$(pci_driver $NET_A)" virtio-pci
expect_eq "$NET_B PCI driver" "$(pci_driver $NET_B)" vireo_pci
net_wait_if $NET_A || return 1
NA=$NETIF
net_wait_if $NET_B || return 1
NB=$NETIF
expect_eq "$NA driver" "$(basename "$(readlink -f "/sys/class/net/$NA/device/driver")")" virtio_net
expect_eq "$NB driver" "$(basename "$(readlink -f "/sys/class/net/$NB/device/driver")")" vireo_net
expect_eq "ethtool -i $NB driver" "$(ethtool -i "$NB" | sed -n 's/^driver: //p')" vireo_net
qmp_back_open
net_pair_ns
net_tcp "virtio_net -> vireo_net" a 67108864
net_tcp "vireo_net -> virtio_net" b 67108864
net_udp "virtio_net -> vireo_net, burst" a 20000 1400
net_udp "vireo_net -> virtio_net, burst" b 20000 1400
net_rr "between the drivers" b 1000 1
kill "$PEER"
check "rmmod virtio_net" run_deadline 30 rmmod virtio_net
# shellcheck disable=SC2086 # module names: split on purpose
unload_stack $NET_MODULES
check_not "no vireo IRQ left" grep -q vireo /proc/interrupts
