#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: multiport: a console and five ports appear with their names and ids in sysfs; guest open and close reach QMP
# groups: quick
# devices: chardev:file:con chardev:socket:c1 chardev:socket:c2 chardev:socket:c3
# devices: chardev:socket:c4 chardev:socket:c6
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=8
# devices: virtconsole,bus=ser0.0,chardev=con,id=con0,name=org.vireo.con
# devices: virtserialport,bus=ser0.0,chardev=c1,id=p1,nr=1,name=org.vireo.p1
# devices: virtserialport,bus=ser0.0,chardev=c2,id=p2,nr=2,name=org.vireo.p2
# devices: virtserialport,bus=ser0.0,chardev=c3,id=p3,nr=3,name=org.vireo.p3
# devices: virtserialport,bus=ser0.0,chardev=c4,id=p4,nr=4,name=org.vireo.p4
# devices: virtserialport,bus=ser0.0,chardev=c6,id=p6,nr=6
# ref: console
# timeout: 150
#
# The control-queue handshake as the guest sees its outcome: after
# DEVICE_READY QEMU announces every port (PORT_ADD), and after each
# PORT_READY it sends the console's CONSOLE_PORT and each port's
# PORT_NAME.  So: ports 1-4 appear under the driver's class
# (vireo-ports, or virtio-ports in a reference run) with their names, as
# character devices named for the device index and the port id
# (vportvireo<D>p<P>; vport<D>p<P>), under the PCI function 00:04.0;
# port 6 (no name=, and id 5 left free) appears with an empty name (the
# in-kernel driver has no name attribute then); the virtconsole, port 0,
# gets an hvc terminal (and vireo's "console" attribute is 1 on it, 0
# elsewhere).  QEMU's x-query-virtio-status shows MULTIPORT acked.  Then
# the guest's open and close of ports, one and two at a time, must each
# raise one QMP VSERPORT_CHANGE with the right "open" (the driver's
# PORT_OPEN messages), and a port never opened none at all.

console_back_open
console_events_start
console_load || return 1
D=
for i in 1 2 3 4; do
	console_wait_port org.vireo.p$i || return 1
	eval "P$i=$PORT"
	dev=${PORT#/dev/}
	expect_eq "org.vireo.p$i port id" "$(console_port_id "$PORT")" $i
	if console_ref; then
		case $dev in vport[0-9]*p$i) ok "$dev: in-kernel name" ;; *) fail "$dev is not vport<D>p$i" ;; esac
		d=${dev#vport}
	else
		case $dev in vportvireo[0-9]*p$i) ok "$dev: vireo name" ;; *) fail "$dev is not vportvireo<D>p$i" ;; esac
		d=${dev#vportvireo}
	fi
	d=${d%p*}
	[ -n "$D" ] || D=$d
	expect_eq "$dev device index" "$d" "$D"
	check "$dev is in class $(console_class)" test -e "/sys/class/$(console_class)/$dev"
	case $(readlink -f "/sys/class/$(console_class)/$dev") in
	*/$CON_BDF/*) ok "$dev hangs off $CON_BDF" ;;
	*) fail "$dev is not under $CON_BDF: $(readlink -f "/sys/class/$(console_class)/$dev")" ;;
	esac
	console_ref || expect_eq "$dev console attribute" "$(cat "/sys/class/$(console_class)/$dev/console")" 0
done
console_ref || expect_eq "vireo device index of the first console device" "$D" 0
if console_ref; then
	dev6=vport${D}p6
else
	dev6=vportvireo${D}p6
fi
wait_for 5 test -c "/dev/$dev6"
check "unnamed port 6 is /dev/$dev6" test -c "/dev/$dev6"
expect_eq "$dev6 name is empty" "$(cat "/sys/class/$(console_class)/$dev6/name" 2>/dev/null)" ""
check_not "no port 5" test -e "/sys/class/$(console_class)/${dev6%6}5"
console_ports

# The console port.
if console_wait_port org.vireo.con; then
	expect_eq "console port id" "$(console_port_id "$PORT")" 0
	console_ref || expect_eq "${PORT#/dev/} console attribute" \
		"$(cat "/sys/class/$(console_class)/${PORT#/dev/}/console")" 1
fi
wait_for 5 console_hvc
check "the console port has an hvc terminal ($(console_hvc))" console_hvc

f=$(console_guest_features ser0)
log "guest features: $f"
check "QEMU: the guest acked MULTIPORT" sh -c "echo '$f' | grep -q MULTIPORT"

# Guest open and close, seen by QEMU (a sleeping process holds each open).
sleep 1000 3<>"$P1" &
h1=$!
console_expect_events p1 "true"
kill $h1
console_expect_events p1 "true false"
sleep 1000 3<>"$P2" &
h2=$!
sleep 1000 3<>"$P3" &
h3=$!
console_expect_events p2 "true"
console_expect_events p3 "true"
kill $h2 $h3
console_expect_events p2 "true false"
console_expect_events p3 "true false"
sleep 1000 3<>"$P1" &
h1=$!
usleep 500000
kill $h1
console_expect_events p1 "true false true false"
expect_eq "no VSERPORT_CHANGE for the unopened p4" "$(console_events p4)" ""
console_unload
