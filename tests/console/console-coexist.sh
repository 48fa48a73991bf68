#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: vireo_console and the in-kernel virtio_console on two virtio-serial devices in one guest, both busy at once
# groups: coexist
# boot: virtio
# devices: chardev:socket:k0 chardev:socket:k1 chardev:socket:v0 chardev:socket:v1
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=4
# devices: virtconsole,bus=ser0.0,chardev=k0,id=kcon,name=org.vireo.kcon
# devices: virtserialport,bus=ser0.0,chardev=k1,id=kp1,nr=1,name=org.vireo.k1
# devices: virtio-serial-pci,addr=0x5,id=ser1,max_ports=4
# devices: virtconsole,bus=ser1.0,chardev=v0,id=vcon,name=org.vireo.vcon
# devices: virtserialport,bus=ser1.0,chardev=v1,id=vp1,nr=1,name=org.vireo.v1
# timeout: 240
#
# vireo-bind --to vireo 00:05.0 first (on 6.12 the built-in virtio-pci
# gives it up; on 6.1 the override keeps the virtio_pci module, loaded
# next, off it), then the in-kernel virtio_console (6.1: a module) and
# vireo's stack.  Each driver must have its own device: port k1 in class
# virtio-ports under 00:04.0, port v1 in vireo-ports under 00:05.0, and
# each console an hvc terminal of its own (the vtermnos cannot clash:
# vireo's start at 0x76690000), so two terminals open.  Then 1 MiB each
# way on both ports at once, every byte checked; vireo_console unloads,
# and the in-kernel port still carries data.

K=0000:00:04.0
V=0000:00:05.0
console_back_open
for c in k0 v0; do console_connect $c drain; done
for c in k1 v1; do console_connect $c; done
check "vireo-bind --to vireo $V" run_deadline 30 vireo-bind --to vireo $V || return 1
if [ -f "$VIREO_KO/kmod/virtio_pci.ko" ]; then
	kmod_insmod virtio_pci || return 1
fi
if [ -f "$VIREO_KO/kmod/virtio_console.ko" ]; then
	kmod_insmod virtio_console || return 1
fi
# shellcheck disable=SC2086 # module names: split on purpose
load_stack $CONSOLE_MODULES || return 1
expect_eq "$K PCI driver" "$(pci_driver $K)" virtio-pci
expect_eq "$V PCI driver" "$(pci_driver $V)" vireo_pci

console_wait_port org.vireo.k1 || return 1
PK=$PORT
console_wait_port org.vireo.v1 || return 1
PV=$PORT
# under CLASS DEV BDF: DEV is in CLASS, under PCI function BDF.
under() {
	case $(readlink -f "/sys/class/$1/$2") in
	*/$3/*) ok "$2: class $1, under $3" ;;
	*) fail "$2 is not a $1 port under $3: $(readlink -f "/sys/class/$1/$2" 2>&1)" ;;
	esac
}
under virtio-ports "${PK#/dev/}" $K
under vireo-ports "${PV#/dev/}" $V
console_ports

# hvc_count: terminals that open.
hvc_count() {
	_hn=0
	for _h in /dev/hvc0 /dev/hvc1 /dev/hvc2 /dev/hvc3; do
		# shellcheck disable=SC2188 # open and close only
		(: <>"$_h") 2>/dev/null && _hn=$((_hn + 1))
	done
	echo $_hn
}
hvc_two() { [ "$(hvc_count)" = 2 ]; }
wait_for 15 hvc_two
expect_eq "hvc terminals, one per driver" "$(hvc_count)" 2

for p in k v; do
	rm -f /tmp/$p.ready
done
vconio -s 101 -R 102 -r /tmp/k.ready duplex "$PK" 1048576 >/tmp/k.out 2>&1 &
# shellcheck disable=SC2034 # read through eval
dk=$!
vconio -s 103 -R 104 -r /tmp/v.ready duplex "$PV" 1048576 >/tmp/v.out 2>&1 &
# shellcheck disable=SC2034 # read through eval
dv=$!
wait_for 10 test -f /tmp/k.ready
wait_for 10 test -f /tmp/v.ready
console_host_recv k1 1048576 101
console_host_send k1 1048576 102
console_host_recv v1 1048576 103
console_host_send v1 1048576 104
for p in k v; do
	eval "pid=\$d$p"
	console_reap "$pid" 120 "the transfer on ${p}1"
	check "virtio_console/vireo_console ($p): vconio succeeded" test $? -eq 0
	grep '^VCONIO read' /tmp/$p.out >/tmp/r.out
	console_guest_ok "$p: host -> guest" /tmp/r.out 1048576
	grep '^VCONIO write' /tmp/$p.out >/tmp/w.out
	console_host_wait ${p}1 recv 60
	console_host_ok "$p: guest -> host" 1048576 "$(vcon_kv /tmp/w.out crc)"
done

# shellcheck disable=SC2086 # module names: split on purpose
unload_stack $CONSOLE_MODULES
check_not "no vireo-ports left" sh -c 'ls /sys/class/vireo-ports/* 2>/dev/null | grep -q .'
console_host_recv k1 65536 105
run_deadline 60 vconio -s 105 write "$PK" 65536 >/tmp/w.out 2>&1
console_host_wait k1 recv 30
console_host_ok "the in-kernel port after vireo left" 65536 "$(vcon_kv /tmp/w.out crc)"
