#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: vectors=0 (INTx) on one NIC, vectors=2 (config + one shared vector) on the other
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=,vectors=0
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=,vectors=2
# groups: irq
# ref: net
# timeout: 360
#
# A has no MSI-X, so the transport falls back to INTx; B has two MSI-X
# vectors, one for the configuration and one shared by its three queues.
# A's transport device handles interrupts on the IO-APIC and has no
# MSI line; B has exactly two MSI lines.  Traffic crosses both: 64 MiB streams each way,
# checksummed; UDP bursts each way; transactions.

net_pair || return 1
va=$(net_vdev "$NA")
vb=$(net_vdev_of $NET_B)
net_tcp "INTx/shared" a 67108864
net_tcp "INTx/shared" b 67108864
net_udp "INTx/shared, burst" a 20000 1400
net_udp "INTx/shared, burst" b 20000 1400
net_rr "INTx/shared" a 1000 1
net_irq_show
check "$va ($NA, vectors=0) is on the IO-APIC" irq_on "$va" IO-APIC
n=$(irq_count "$va")
check "$va handled interrupts ($n)" test "$n" -gt 100
check_not "$va has no MSI line" sh -c "grep -E '[ ,]$va(-|,|\$)' /proc/interrupts | grep -q MSI"
nb=$(grep -E "[ ,]$vb(-|,|\$)" /proc/interrupts | grep -c MSI)
expect_eq "$vb (vectors=2) MSI lines" "$nb" 2
kill "$PEER"
net_unload
