#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: ports hot-added and hot-removed (device_add/device_del virtserialport) while another port is busy, one under I/O
# groups: hotplug
# devices: chardev:socket:c1
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=8
# devices: virtserialport,bus=ser0.0,chardev=c1,id=p1,nr=1,name=org.vireo.busy
# ref: console
# timeout: 240
#
# Port 1 carries 2 MiB each way throughout (vconio duplex against the
# runner).  Meanwhile a socket chardev is added (QMP chardev-add, through
# tools/vm/chrhost.py, which knows the scratch directory) and a port on
# it (device_add virtserialport, nr=5, name=org.vireo.hot): QEMU sends
# PORT_ADD, the port appears with its name and id 5 and carries 256 KiB
# each way.  Then, with a writer streaming into it and the host reading,
# device_del: PORT_REMOVE must take the port away within 15 s, and the
# writer must end (an error, short of its 1 GiB) rather than hang.  A
# second port then takes id 5 again, works, and leaves idle.  Port 1's
# transfer must complete intact through all of it.

MB2=2097152
K256=262144
console_load || return 1
console_events_start
console_wait_port org.vireo.busy || return 1
P1=$PORT
console_connect c1
rm -f /tmp/b.ready
vconio -s 61 -R 62 -r /tmp/b.ready duplex "$P1" $MB2 >/tmp/b.out 2>&1 &
busy=$!
wait_for 10 test -f /tmp/b.ready
console_host_recv c1 $MB2 61
console_host_send c1 $MB2 62

# hotadd CHARDEV DEVID NAME: a socket chardev and a port on it, id 5.
hotadd() {
	check "chardev-add $1" console_host "\"chr\": \"add\", \"id\": \"$1\""
	_r=$(qmp_query "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"virtserialport\", \"bus\": \"ser0.0\", \"chardev\": \"$1\", \"id\": \"$2\", \"nr\": 5, \"name\": \"$3\"}}")
	check "device_add $2 ($3)" json_has "$_r" '"return"'
	console_wait_port "$3" || return 1
	expect_eq "$3 port id" "$(console_port_id "$PORT")" 5
	console_connect "$1"
}

# unplug DEVID NAME: device_del; the port leaves sysfs and /dev.
# port_gone NAME: no port NAME left.
port_gone() { ! console_port "$1" >/dev/null; }
unplug() {
	_dev=$(console_port "$2")
	_r=$(qmp_query "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"$1\"}}")
	check "device_del $1" json_has "$_r" '"return"'
	wait_for 15 port_gone "$2"
	check "$2 left sysfs within 15 s" port_gone "$2"
	wait_for 5 test ! -e "$_dev"
	check "$_dev is gone" test ! -e "$_dev"
}

hotadd h5 p5 org.vireo.hot || return 1
P5=$PORT
rm -f /tmp/h.ready
vconio -s 63 -R 64 -r /tmp/h.ready duplex "$P5" $K256 >/tmp/h.out 2>&1 &
hp=$!
wait_for 10 test -f /tmp/h.ready
console_host_recv h5 $K256 63
console_host_send h5 $K256 64
console_reap $hp 60 "the transfer on the hot-added port"
grep '^VCONIO read' /tmp/h.out >/tmp/hr.out
console_guest_ok "hot-added port: host -> guest" /tmp/hr.out $K256
console_host_wait h5 recv 30
console_host_ok "hot-added port: guest -> host" $K256
console_expect_events p5 "true false"

# Removed under a writer.
# Zeros, counted, not checked: 1 GiB outlasts the removal however fast.
vconio -z write "$P5" 1G >/tmp/u.out 2>&1 &
uw=$!
console_host "\"chr\": \"recv\", \"id\": \"h5\", \"bytes\": 1073741824, \"seed\": 0, \"zero\": true" >/dev/null
sleep 2
check "the writer is busy on $P5" kill -0 $uw
unplug p5 org.vireo.hot
console_reap $uw 15 "the writer, after device_del"
check "the writer on the removed port failed" test $? -ne 0
log "writer: $(cat /tmp/u.out)"
console_disconnect h5
console_host_wait h5 recv 20
log "host end: $HOSTR"

# Id 5 again, then removed idle.
hotadd h6 p6 org.vireo.hot2 || return 1
P6=$PORT
console_host_recv h6 65536 66
run_deadline 60 vconio -s 66 write "$P6" 65536 >/tmp/w.out 2>&1
console_guest_ok "second hot-added port: guest -> host" /tmp/w.out 65536
console_host_wait h6 recv 30
console_host_ok "second hot-added port: guest -> host" 65536
unplug p6 org.vireo.hot2

# The busy port never noticed.
console_reap $busy 120 "the transfer on the busy port"
check "busy port: vconio succeeded" test $? -eq 0
grep '^VCONIO read' /tmp/b.out >/tmp/br.out
console_guest_ok "busy port: host -> guest" /tmp/br.out $MB2
grep '^VCONIO write' /tmp/b.out >/tmp/bw.out
console_host_wait c1 recv 60
console_host_ok "busy port: guest -> host" $MB2 "$(vcon_kv /tmp/bw.out crc)"
console_host_wait c1 send 60
console_host_sent "busy port: host -> guest" $MB2 "$(vcon_kv /tmp/br.out crc)"
console_disconnect c1
console_unload
