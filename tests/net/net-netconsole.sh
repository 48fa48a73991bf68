#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: netconsole over the NIC: kernel messages arrive at the peer namespace
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# groups: quick
# ref: net
# timeout: 240
#
# The in-kernel netconsole (with configfs) sends the kernel log from A
# (10.0.0.1:6665) to B (10.0.0.2:6666, B's MAC given) through netpoll,
# which bypasses the qdisc and polls the driver.  A UDP listener in the
# peer namespace (vnetperf udp-dump) must receive netconsole's start
# message and 50 numbered test messages written to /dev/kmsg, all of
# them, while a TCP stream A->B runs beside them (netpoll and NAPI on
# the same queue).  Then netconsole is removed.

net_pair || return 1
rm -f /tmp/nc.ready
in_peer vnetperf udp-dump -p 6666 -R /tmp/nc.ready -T 60 >/tmp/nc.out 2>&1 &
dp=$!
wait_for 10 test -f /tmp/nc.ready
kmod_insmod netconsole "netconsole=6665@$NET_IP_A/$NA,6666@$NET_IP_B/$NET_MAC_B" || return 1
wait_for 10 grep -q 'netconsole' /tmp/nc.out
check "netconsole's own messages arrive at the peer" grep -q 'netconsole' /tmp/nc.out
net_flood_start a 10
i=0
while [ $i -lt 50 ]; do
	echo "<4>vireo-netconsole-probe $i" >/dev/kmsg
	i=$((i + 1))
	usleep 50000
done
net_flood_wait 60
expect_eq "the stream beside netconsole (sender status)" "$?" 0
got_all() { [ "$(grep -c 'vireo-netconsole-probe' /tmp/nc.out)" -ge 50 ]; }
wait_for 10 got_all
n=$(grep -c 'vireo-netconsole-probe' /tmp/nc.out)
expect_eq "probe messages at the peer" "$n" 50
grep 'vireo-netconsole-probe 49' /tmp/nc.out | diag_lines "peer got: "
check "rmmod netconsole" run_deadline 30 rmmod netconsole
kill $dp 2>/dev/null
kill "$PEER"
net_unload
