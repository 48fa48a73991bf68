#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: the receive filter from both sides: promiscuous mode, multicast table and IPv6, MAC change, VLAN 5
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,id=nicA,mac=52:54:00:00:00:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=n1,id=nicB,mac=52:54:00:00:00:0b,romfile=
# groups: quick
# ref: net
# timeout: 300
#
# Each step is checked in the guest and in the device's own view, QEMU's
# query-rx-filter (lib.sh qmp_query, over the QMP back channel):
#  - the device starts promiscuous; once A is up the driver has turned it
#    off; ip link set promisc on/off shows in the device's "promiscuous";
#  - with promiscuous off on both, the multicast table holds each
#    interface's IPv6 solicited-node group (33:33:ff:00:00:0a/0b), and an
#    IPv6 link-local ping between the namespaces works, which needs the
#    table: QEMU drops multicast that is not in it, and neighbour
#    discovery would fail;
#  - a MAC change on A while up: the device's main-mac follows, and B,
#    its neighbour cache flushed, reaches A at the new address (the
#    device filters unicast by main-mac, so a stale filter drops it);
#    then the old MAC is restored;
#  - VLAN 5 through the in-kernel 8021q on both sides: the device
#    filters VLANs ("vlan": "normal", CTRL_VLAN) and its table holds 5, a ping over 10.5.0.0/24 works; after the VLAN is
#    removed the table no longer holds 5.

net_pair || return 1
f=$(net_rx_filter nicA)
log "query-rx-filter nicA: $f"
check "nicA: QMP answered" json_has "$f" '"return"'
check "nicA: not promiscuous once up" json_has "$f" '"promiscuous": false'
check_not "$NA: no PROMISC flag" sh -c "ip link show $NA | grep -q PROMISC"
check "ip link set $NA promisc on" ip link set "$NA" promisc on
wait_for 5 sh -c "ip link show $NA | grep -q PROMISC"
f=$(net_rx_filter nicA)
check "nicA: promiscuous after promisc on" json_has "$f" '"promiscuous": true'
check "ip link set $NA promisc off" ip link set "$NA" promisc off
f=$(net_rx_filter nicA)
check "nicA: not promiscuous after promisc off" json_has "$f" '"promiscuous": false'

# IPv6 link-local with promiscuous off on both sides.
wait_for 10 net_ll6_ready a "$NA"
wait_for 10 net_ll6_ready b "$NB"
lla=$(net_ll6 a "$NA")
llb=$(net_ll6 b "$NB")
log "link-local: A $lla, B $llb"
f=$(net_rx_filter nicA)
log "query-rx-filter nicA: $f"
check "nicA: solicited-node group of A in the multicast table" json_has "$f" '"33:33:ff:00:00:0a"'
check "nicA: multicast filter normal (not all-multicast)" json_has "$f" '"multicast": "normal"'
f=$(net_rx_filter nicB)
log "query-rx-filter nicB: $f"
check "nicB: solicited-node group of B in the multicast table" json_has "$f" '"33:33:ff:00:00:0b"'
check "nicB: not promiscuous" json_has "$f" '"promiscuous": false'
check "IPv6 link-local ping A->B" ping6 -c 3 -W 2 -I "$NA" "$llb"
check "IPv6 link-local ping B->A" in_peer ping6 -c 3 -W 2 -I "$NB" "$lla"

# MAC change while up.
new=52:54:00:00:00:1a
check "ip link set $NA address $new (up)" ip link set "$NA" address $new
expect_eq "$NA address" "$(cat /sys/class/net/$NA/address)" $new
f=$(net_rx_filter nicA)
check "nicA: main-mac is $new" json_has "$f" "\"main-mac\": \"$new\""
in_peer ip neigh flush dev "$NB"
check "ping A at its new MAC from B" in_peer ping -c 3 -W 2 $NET_IP_A
check "B's neighbour entry for A has $new" sh -c "nsenter -t $PEER -n ip neigh show $NET_IP_A | grep -q $new"
check "ip link set $NA address $NET_MAC_A" ip link set "$NA" address $NET_MAC_A
f=$(net_rx_filter nicA)
check "nicA: main-mac back to $NET_MAC_A" json_has "$f" "\"main-mac\": \"$NET_MAC_A\""
in_peer ip neigh flush dev "$NB"
check "ping A from B after the MAC is restored" in_peer ping -c 3 -W 2 $NET_IP_A

# VLAN 5.
kmod_insmod 8021q || return 1
check "vconfig add $NA 5" vconfig add "$NA" 5
check "vconfig add $NB 5 (peer)" in_peer vconfig add "$NB" 5
net_addr a "$NA.5" 10.5.0.1
net_addr b "$NB.5" 10.5.0.2
f=$(net_rx_filter nicA)
log "query-rx-filter nicA: $f"
check "nicA: VLAN filtering on" json_has "$f" '"vlan": "normal"'
check "nicA: VLAN 5 in the VLAN table" json_has "$f" '"vlan-table": \[([0-9]+, )*5[],]'
f=$(net_rx_filter nicB)
check "nicB: VLAN 5 in the VLAN table" json_has "$f" '"vlan-table": \[([0-9]+, )*5[],]'
wait_for 10 ping -c 1 -W 1 10.5.0.2
check "ping over VLAN 5 A->B" ping -c 3 -W 2 10.5.0.2
check "ping over VLAN 5 B->A" in_peer ping -c 3 -W 2 10.5.0.1
check "vconfig rem $NA.5" vconfig rem "$NA.5"
f=$(net_rx_filter nicA)
log "query-rx-filter nicA: $f"
check_not "nicA: VLAN 5 gone from the VLAN table" json_has "$f" '"vlan-table": \[([0-9]+, )*5[],]'
check "ping A->B untagged still works" ping -c 3 -W 2 $NET_IP_B
kill "$PEER"
net_unload
