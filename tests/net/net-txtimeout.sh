#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: TX timeout: the peer's driver unbound under a flood, then rebound; traffic flows again
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# kernels: 6.12
# groups: fault
# ref: net
# timeout: 300
#
# A's neighbour entry for B, learnt by the first pings, stays valid long
# enough for A to keep sending to B's MAC after B is gone.  B's driver is unbound (B's interface goes away,
# the device is reset and posts no receive buffers): the hub cannot
# deliver, so QEMU stops taking A's packets and A's TX queue stalls
# under a UDP flood.  The kernel's watchdog must report the timeout
# ("transmit queue N timed out", and the queue's tx_timeout counter in
# sysfs grows) and the driver's ndo_tx_timeout runs.  Then B's driver is
# bound again, B goes back to the peer namespace with its address, and
# A->B traffic must flow: pings and a checked 16 MiB stream each way.
# 6.12 only: 6.1's dev_watchdog reports the timeout with WARN_ONCE, a
# splat, whatever the driver does.

net_pair || return 1
vb=$(net_vdev_of $NET_B)
drv=$(readlink -f "/sys/bus/pci/devices/$NET_B/$vb/driver")
log "$vb (B) is bound to $drv"
t0=$(cat "/sys/class/net/$NA/queues/tx-0/tx_timeout")
check "unbind $vb from $(basename "$drv")" sh -c "echo $vb >$drv/unbind"
wait_for 5 sh -c "! nsenter -t $PEER -n ip link show $NB"
check_not "B's interface is gone" in_peer ip link show "$NB"
vnetperf udp-send -c $NET_IP_B -T 20 -l 1400 >/tmp/flood.out 2>&1 &
fp=$!
timed_out() { dmesg | grep -q "$NA.*transmit queue [0-9]* timed out"; }
wait_for 30 timed_out
check "the watchdog reported a TX timeout on $NA" timed_out
dmesg | grep -E "NETDEV WATCHDOG|timed out|TX timeout|$NA" | tail -n 5 | diag_lines "dmesg: "
t1=$(cat "/sys/class/net/$NA/queues/tx-0/tx_timeout")
check "tx-0 tx_timeout counter grew ($t0 -> $t1)" test "$t1" -gt "$t0"
check "bind $vb again" sh -c "echo $vb >$drv/bind"
net_wait_if $NET_B || return 1
NB=$NETIF
net_expect_driver "$NB"
kill $fp 2>/dev/null
wait $fp
cat /tmp/flood.out | diag_lines "flood: "
net_pair_ns
net_tcp "after the TX timeout" a 16777216
net_tcp "after the TX timeout" b 16777216
net_log_show
kill "$PEER"
net_unload
