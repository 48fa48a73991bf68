#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: QMP set_link off/on seen as carrier on both NICs; announce-self frames counted at the peer
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# groups: quick
# ref: net
# timeout: 300
#
# set_link nicA off: A loses carrier (STATUS and the config interrupt
# drive it), B's pings to A fail; set_link nicA on: carrier is back and
# pings work.  The same for nicB, seen inside the peer's namespace.
# announce-self (3 rounds): with GUEST_ANNOUNCE QEMU sets the ANNOUNCE
# status bit and the driver sends gratuitous ARPs and unsolicited
# neighbour advertisements itself, then acknowledges; so A's tx_packets
# and B's rx_packets must both grow by at least 3 more than over an
# equally long quiet period before it.  A checked stream ends the test.

# no_carrier SIDE IF: IF lost its carrier.
no_carrier() { ! net_has_carrier "$@"; }

net_pair || return 1
for n in A B; do
	if [ $n = A ]; then s=a i=$NA nic=nicA o=b oip=$NET_IP_A
	else s=b i=$NB nic=nicB o=a oip=$NET_IP_B; fi
	qmp "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"$nic\", \"up\": false}}"
	wait_for 10 no_carrier $s "$i"
	check_not "$i has no carrier after set_link $nic off" net_has_carrier $s "$i"
	log "$i: $(on $s ip link show "$i" | head -n 1)"
	check_not "ping $oip from side $o fails without carrier" on $o ping -c 2 -W 1 "$oip"
	qmp "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"$nic\", \"up\": true}}"
	wait_for 10 net_has_carrier $s "$i"
	check "$i has carrier after set_link $nic on" net_has_carrier $s "$i"
	wait_for 10 on $o ping -c 1 -W 1 "$oip"
	check "ping $oip from side $o works again" on $o ping -c 3 -W 2 "$oip"
done

# Quiet baseline, then announce-self.
sleep 2
q0=$(net_stat b "$NB" rx_packets)
sleep 3
q1=$(net_stat b "$NB" rx_packets)
quiet=$((q1 - q0))
a0=$(net_stat a "$NA" tx_packets)
b0=$(net_stat b "$NB" rx_packets)
qmp '{"execute": "announce-self", "arguments": {"initial": 50, "max": 550, "rounds": 3, "step": 100}}'
sleep 3
a1=$(net_stat a "$NA" tx_packets)
b1=$(net_stat b "$NB" rx_packets)
log "quiet: $quiet frames at B in 3 s; announce: A sent $((a1 - a0)), B received $((b1 - b0))"
check "A sent at least 3 announcement frames ($((a1 - a0)))" test $((a1 - a0)) -ge 3
check "B received at least 3 frames more than when quiet ($((b1 - b0)) vs $quiet)" 	test $((b1 - b0 - quiet)) -ge 3
net_tcp "after the link games" a 16777216
kill "$PEER"
net_unload
