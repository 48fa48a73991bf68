#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: receive refill failures from vireo_net's debugfs knob: RX recovers through the deferred refill
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# groups: fault
# timeout: 300
#
# vireo only: Debian's kernels have no fault injection, so vireo_net has
# its own knob, /sys/kernel/debug/vireo_net/<vireoN>/fail_refill_nth
# (the refill allocation that many from now fails) and fail_refill_times
# (how many fail in a row).  On B: the next 200 refill allocations
# fail, then a 32 MiB stream A->B.  B's receive ring runs dry and, on a
# hub, A's transmissions wait for it (no drops); the stream can finish
# only if the deferred refill fills the ring again once allocations
# succeed.  The stream must arrive intact, all 200 failures must have
# been used (fail_refill_nth back to 0), B's refill-failure counter in
# ethtool -S must show them, and pings and a second stream work after.

net_pair || return 1
vb=$(net_vdev_of $NET_B)
dir=/sys/kernel/debug/vireo_net/$vb
check "$dir/fail_refill_nth exists" test -w "$dir/fail_refill_nth" || return 1
refills() {
	in_peer ethtool -S "$NB" | awk '$1 ~ /refill/ { n += $2 } END { print n + 0 }'
}
r0=$(refills)
echo 200 >"$dir/fail_refill_times"
echo 1 >"$dir/fail_refill_nth"
net_tcp "stream while refills fail" a 33554432
expect_eq "every injected failure used (fail_refill_nth)" "$(cat "$dir/fail_refill_nth")" 0
r1=$(refills)
in_peer ethtool -S "$NB" | grep -i -E 'refill|drop|err' | diag_lines "$NB: "
check "$NB counted refill failures ($r0 -> $r1)" test "$r1" -gt "$r0"
check "ping B after the failures" ping -c 3 -W 2 $NET_IP_B
net_tcp "stream after the failures" a 16777216
kill "$PEER"
net_unload
