#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: vireo_net on two NICs on a hub: ping both ways, clean unload
# kernels: all
# groups: net quick
# devices: netdev:hubport,id=n0,hubid=0 netdev:hubport,id=n1,hubid=0
# devices: virtio-net-pci,addr=0x4,netdev=n0,romfile=,mac=52:54:00:00:00:01
# devices: virtio-net-pci,addr=0x5,netdev=n1,romfile=,mac=52:54:00:00:00:02
# timeout: 240
#
# The driver's own smoke test, with nothing but busybox.  vireo_net
# binds both NICs: each PCI function's vireo device is driven by
# vireo_net and has an eth interface carrying the MAC QEMU was given.
# The second NIC moves into a network namespace of its own (unshare -n),
# so that a ping must cross the emulated wire: the guest's TX ring, the
# hub, the peer's RX ring, and back.  Ping each way, 20 packets of
# 1400 bytes, with no loss; the peer's rx_packets (in its /proc/net/dev)
# grew by at least that much, so the frames did not take a shortcut.
# The check can fail: a ping to an address nobody holds on the wire
# must fail.  Last, the peer namespace goes, the modules unload, and no
# vireo IRQ or interface is left.

SMOKE_MODULES="vireo_ring vireo_core vireo_pci vireo_net"
SMOKE_A=0000:00:04.0
SMOKE_B=0000:00:05.0

# smoke_if BDF: the interface on PCI function BDF, in this namespace.
smoke_if() {
	for _n in /sys/bus/pci/devices/"$1"/vireo*/net/*; do
		[ -e "$_n" ] && basename "$_n" && return 0
	done
	return 1
}

# smoke_rx_packets IF: rx_packets of IF in the peer's namespace.
smoke_rx_packets() {
	nsenter -t "$PEER" -n cat /proc/net/dev |
		sed -n "s/^ *$1: *\([0-9]*\) *\([0-9]*\).*/\2/p"
}

# shellcheck disable=SC2086 # module names: split on purpose
load_stack $SMOKE_MODULES || return 1
check "interface on $SMOKE_A" wait_for 15 smoke_if $SMOKE_A || return 1
check "interface on $SMOKE_B" wait_for 15 smoke_if $SMOKE_B || return 1
A=$(smoke_if $SMOKE_A)
B=$(smoke_if $SMOKE_B)
for _i in "$A" "$B"; do
	_d=$(readlink -f "/sys/class/net/$_i/device")
	expect_eq "$_i driver" "$(basename "$(readlink "$_d/driver")")" vireo_net
done
expect_eq "$A MAC" "$(cat "/sys/class/net/$A/address")" 52:54:00:00:00:01
expect_eq "$B MAC" "$(cat "/sys/class/net/$B/address")" 52:54:00:00:00:02

# smoke_peer_ready: the peer runs in a network namespace of its own.
smoke_peer_ready() {
	[ "$(readlink "/proc/$PEER/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

unshare -n sleep 1000000 &
PEER=$!
check "peer namespace created" wait_for 5 smoke_peer_ready || return 1
check "move $B into the peer namespace" ip link set "$B" netns "$PEER"
ip addr add 10.9.0.1/24 dev "$A"
ip link set "$A" up
nsenter -t "$PEER" -n ip addr add 10.9.0.2/24 dev "$B"
nsenter -t "$PEER" -n ip link set "$B" up
nsenter -t "$PEER" -n ip link set lo up
check "$A has carrier" wait_for 10 grep -qx 1 "/sys/class/net/$A/carrier"

rx0=$(smoke_rx_packets "$B")
check "ping across the hub, A to B" ping -c 20 -i 0.2 -s 1400 -W 5 10.9.0.2
check "ping across the hub, B to A" \
	nsenter -t "$PEER" -n ping -c 20 -i 0.2 -s 1400 -W 5 10.9.0.1
rx1=$(smoke_rx_packets "$B")
log "$B rx_packets $rx0 -> $rx1"
check "$B received the pings" test "$((rx1 - rx0))" -ge 40
check_not "ping to an address nobody holds fails" ping -c 2 -W 2 10.9.0.3
ip -s link show "$A" | diag_lines "$A: "

kill "$PEER"
wait "$PEER" 2>/dev/null
# The peer's interface returns to this namespace when it goes.
wait_for 5 test -e "/sys/class/net/$B"
# shellcheck disable=SC2086 # module names: split on purpose
unload_stack $SMOKE_MODULES || return 1
check_not "no vireo IRQ in /proc/interrupts" grep -q vireo /proc/interrupts
_left=$(ls -d /sys/bus/pci/devices/$SMOKE_A/vireo*/net \
	/sys/bus/pci/devices/$SMOKE_B/vireo*/net 2>/dev/null)
expect_eq "no vireo_net interface left" "$_left" ""
