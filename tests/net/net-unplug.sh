#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: device_del of a NIC under a TCP stream, then of the other one idle; nothing hangs
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# groups: fault hotplug
# ref: net
# timeout: 300
#
# A TCP stream A->B runs when QMP device_del removes B (ACPI hot-unplug
# of 00:05.0): the PCI function goes away within 20 s, B's interface
# vanishes from the peer namespace, and the sender (a 20 s stream) ends
# within 90 s (its I/O timeouts are 10 s, -w 10; a few of them pass
# before it gives up) rather than hanging.  A keeps working meanwhile (its
# interface stays up, with carrier).  Then A is removed too, idle, and
# the driver unloads with no interface left.

net_pair || return 1
net_flood_start a 20 -w 10
sleep 4
qmp '{"execute": "device_del", "arguments": {"id": "nicB"}}'
wait_for 20 sh -c "! test -e /sys/bus/pci/devices/$NET_B"
check_not "00:05.0 removed under traffic" test -e /sys/bus/pci/devices/$NET_B
check_not "B's interface gone from the peer" in_peer ip link show "$NB"
net_flood_wait 90
st=$?
check "the stream's sender ended within 90 s (status $st)" test "$st" -ne 124
check "$NA still has carrier" net_has_carrier a "$NA"
qmp '{"execute": "device_del", "arguments": {"id": "nicA"}}'
wait_for 20 sh -c "! test -e /sys/bus/pci/devices/$NET_A"
check_not "00:04.0 removed" test -e /sys/bus/pci/devices/$NET_A
check_not "$NA gone" test -e "/sys/class/net/$NA"
net_log_show
kill "$PEER"
net_unload
