#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: rmmod vireo_net while both interfaces are up and busy; load again and traffic flows
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# groups: fault
# timeout: 300
#
# vireo only (no reference run: it is about vireo_net's teardown).  With
# a TCP stream A->B and a ping flood B->A running, rmmod vireo_net must
# finish within 30 s; both interfaces are gone (A from here, B from the
# peer's namespace), the stream's sender ends within 90 s (its I/O
# timeouts are 10 s, -w 10: with 30 it took 90-92 s, at the limit), the devices
# stay on vireo_pci without a driver.  Then vireo_net is loaded again:
# both interfaces come back, and after the namespace set-up a checked
# 16 MiB stream each way works.  The stack then unloads cleanly.

net_pair || return 1
net_flood_start a 20 -w 10
in_peer ping -f -w 15 $NET_IP_A >/dev/null 2>&1 &
pp=$!
sleep 4
check "rmmod vireo_net under traffic" run_deadline 30 rmmod vireo_net || return 1
check_not "$NA gone" test -e "/sys/class/net/$NA"
check_not "B's interface gone from the peer" in_peer ip link show "$NB"
net_flood_wait 90
st=$?
check "the stream's sender ended within 90 s (status $st)" test "$st" -ne 124
wait $pp
check "insmod vireo_net again" run_deadline 60 insmod "$VIREO_KO/vireo_net.ko"
net_wait_if $NET_A || return 1
NA=$NETIF
net_wait_if $NET_B || return 1
NB=$NETIF
net_expect_driver "$NA"
net_pair_ns
net_tcp "after reloading" a 16777216
net_tcp "after reloading" b 16777216
kill "$PEER"
net_unload
