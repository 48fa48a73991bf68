#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: bulk data both ways through ports, checked byte by byte at the other end; four ports both ways at once
# groups: quick
# devices: chardev:socket:c1 chardev:socket:c2 chardev:socket:c3 chardev:socket:c4
# devices: chardev:file:f5
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=8
# devices: virtserialport,bus=ser0.0,chardev=c1,id=p1,nr=1,name=org.vireo.b1
# devices: virtserialport,bus=ser0.0,chardev=c2,id=p2,nr=2,name=org.vireo.b2
# devices: virtserialport,bus=ser0.0,chardev=c3,id=p3,nr=3,name=org.vireo.b3
# devices: virtserialport,bus=ser0.0,chardev=c4,id=p4,nr=4,name=org.vireo.b4
# devices: virtserialport,bus=ser0.0,chardev=f5,id=p5,nr=5,name=org.vireo.f5
# ref: console
# timeout: 240
#
# The host end of ports 1-4 is a socket the runner holds
# (tools/vm/chrhost.py), of port 5 a file.  Data is vconio's
# position-dependent pattern, so a lost, repeated, reordered or
# corrupted byte shows at its offset; each side also compares the other
# side's CRC.  In turn on port 1: 4 MiB host to guest (the guest reads
# with vconio), 4 MiB guest to host (the runner checks), 1 MiB guest to
# host through splice(2) from a pipe; then 1 MiB to the file of port 5,
# whose size and CRC the host reports.  The checks prove they can fail:
# one byte flipped by the sender, either way, must be found at its
# offset.  Last, on all four socket ports at once, 512 KiB each way on
# each port (eight distinct patterns: cross-talk between ports or
# directions would be bad bytes).

MB4=4194304
MB1=1048576
K512=524288
console_load || return 1
for i in 1 2 3 4; do
	console_wait_port org.vireo.b$i || return 1
	eval "P$i=$PORT"
	console_connect c$i
done
console_wait_port org.vireo.f5 || return 1
P5=$PORT

# ready FILE: wait for vconio's -r file (the port is open).
ready() {
	wait_for 10 test -f "$1"
	check "vconio opened the port ($1)" test -f "$1"
}

# Host to guest, 4 MiB.
rm -f /tmp/r.ready
vconio -s 11 -r /tmp/r.ready read "$P1" $MB4 >/tmp/r.out 2>&1 &
rd=$!
ready /tmp/r.ready
console_host_send c1 $MB4 11
console_reap $rd 120 "the reader"
console_guest_ok "host -> guest on p1" /tmp/r.out $MB4
console_host_wait c1 send 30
console_host_sent "host -> guest on p1" $MB4 "$(vcon_kv /tmp/r.out crc)"

# Guest to host, 4 MiB, then 1 MiB through splice.
console_host_recv c1 $MB4 12
run_deadline 120 vconio -s 12 write "$P1" $MB4 >/tmp/w.out 2>&1
console_guest_ok "guest -> host on p1 (write)" /tmp/w.out $MB4
console_host_wait c1 recv 60
console_host_ok "guest -> host on p1 (write)" $MB4 "$(vcon_kv /tmp/w.out crc)"
console_host_recv c1 $MB1 13
run_deadline 120 vconio -P -s 13 write "$P1" $MB1 >/tmp/w.out 2>&1
console_guest_ok "guest -> host on p1 (splice)" /tmp/w.out $MB1
console_host_wait c1 recv 60
console_host_ok "guest -> host on p1 (splice)" $MB1 "$(vcon_kv /tmp/w.out crc)"

# Guest to a file chardev: QEMU writes it as it takes the buffers.
# file_size_is BYTES: the file of port 5 has BYTES (HOSTR its state).
file_size_is() {
	console_file f5 && [ "$(jval "$HOSTR" size)" = "$1" ]
}
run_deadline 120 vconio -s 15 write "$P5" $MB1 >/tmp/w.out 2>&1
console_guest_ok "guest -> file on p5" /tmp/w.out $MB1
wait_for 20 file_size_is $MB1
expect_eq "file of p5: size" "$(jval "$HOSTR" size)" $MB1
expect_eq "file of p5: crc" "$(jval "$HOSTR" crc)" "$(vcon_kv /tmp/w.out crc)"

# The checks can fail: a flipped byte each way.
console_host_recv c1 $MB1 14
run_deadline 120 vconio -s 14 -X 300000 write "$P1" $MB1 >/tmp/w.out 2>&1
console_host_wait c1 recv 60
if [ "$(jval "$HOSTR" bad)" = 1 ] && [ "$(jval "$HOSTR" first_bad)" = 300000 ]; then
	ok "the host's check finds a byte flipped at 300000"
else
	fail "the host's check missed the byte flipped at 300000: $HOSTR"
fi
rm -f /tmp/r.ready
vconio -s 16 -r /tmp/r.ready read "$P1" $MB1 >/tmp/r.out 2>&1 &
rd=$!
ready /tmp/r.ready
console_host "\"chr\": \"send\", \"id\": \"c1\", \"bytes\": $MB1, \"seed\": 16, \"flip\": 777777" >/dev/null
console_reap $rd 120 "the reader"
if [ "$(vcon_kv /tmp/r.out bad)" = 1 ] && [ "$(vcon_kv /tmp/r.out first_bad)" = 777777 ]; then
	ok "the guest's check finds a byte flipped at 777777"
else
	fail "the guest's check missed the byte flipped at 777777: $(cat /tmp/r.out)"
fi
console_host_wait c1 send 30

# All four ports, both ways at once.
for i in 1 2 3 4; do
	rm -f /tmp/d$i.ready
	eval "vconio -s 2$i -R 3$i -r /tmp/d$i.ready duplex \"\$P$i\" $K512 >/tmp/d$i.out 2>&1 &"
	eval "dp$i=\$!"
done
for i in 1 2 3 4; do
	ready /tmp/d$i.ready
done
for i in 1 2 3 4; do
	console_host_recv c$i $K512 2$i
	console_host_send c$i $K512 3$i
done
for i in 1 2 3 4; do
	eval "dpid=\$dp$i"
	console_reap "$dpid" 120 "duplex on p$i"
	check "duplex on p$i: vconio succeeded" test $? -eq 0
	grep '^VCONIO read' /tmp/d$i.out >/tmp/dr.out
	console_guest_ok "duplex on p$i: host -> guest" /tmp/dr.out $K512
	grep '^VCONIO write' /tmp/d$i.out >/tmp/dw.out
	console_host_wait c$i recv 60
	console_host_ok "duplex on p$i: guest -> host" $K512 "$(vcon_kv /tmp/dw.out crc)"
	console_host_wait c$i send 60
	console_host_sent "duplex on p$i: host -> guest" $K512 "$(vcon_kv /tmp/dr.out crc)"
done
for i in 1 2 3 4; do
	console_disconnect c$i
done
console_unload
