#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: a host end that does not read: O_NONBLOCK writes get EAGAIN, a blocking write waits, nothing is lost
# groups: quick
# devices: chardev:socket:c1
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=4
# devices: virtserialport,bus=ser0.0,chardev=c1,id=p1,nr=1,name=org.vireo.bp
# ref: console
# timeout: 150
#
# The runner connects port 1's socket and does not read it.  QEMU then
# holds the guest's buffers once the socket is full (it throttles a
# virtserialport, never drops), the port's queue fills, and vconio fill
# writes 4 KiB pieces with O_NONBLOCK until one fails with EAGAIN
# (poll() must then not report POLLOUT), then writes 1 MiB more,
# blocking, on the same open file: after 3 s it must still be waiting.
# Then the host reads: everything written, the O_NONBLOCK part and the
# 1 MiB, must arrive once, in order, unchanged (the pattern continues
# across both).

MB1=1048576
console_load || return 1
console_wait_port org.vireo.bp || return 1
P1=$PORT
console_connect c1
vconio -s 41 -t 100 fill "$P1" $MB1 >/tmp/fill.out 2>&1 &
fl=$!
wait_for 60 grep -q '^VCONIO fill ' /tmp/fill.out
diag_lines </tmp/fill.out
check "O_NONBLOCK writes end in EAGAIN" sh -c "[ \"\$(grep '^VCONIO fill ' /tmp/fill.out | sed -n 's/.* eagain=\([0-9]*\).*/\1/p')\" = 1 ]"
K=$(vcon_kv /tmp/fill.out bytes 'fill ')
check "some data went out before EAGAIN (${K:-?} bytes)" test "${K:-0}" -gt 0
case ",$(vcon_kv /tmp/fill.out revents fill-poll)," in
*,OUT,*) fail "poll() reports POLLOUT on a full port: $(grep fill-poll /tmp/fill.out)" ;;
*) ok "poll() has no POLLOUT on a full port ($(vcon_kv /tmp/fill.out revents fill-poll))" ;;
esac
sleep 3
check "a blocking write waits while the host does not read" kill -0 $fl
check_not "and has not finished" grep -q '^VCONIO write' /tmp/fill.out
console_host_recv c1 $((K + MB1)) 41
console_reap $fl 60 "the blocked write, once the host read"
check "the blocked write completed" test $? -eq 0
diag_lines </tmp/fill.out
expect_eq "the blocking write wrote" "$(vcon_kv /tmp/fill.out bytes 'write')" $MB1
console_host_wait c1 recv 60
console_host_ok "everything reached the host once, in order" $((K + MB1))
console_disconnect c1
console_unload
