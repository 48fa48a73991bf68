#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: the multiport console as the kernel's console (console=hvc0): kernel messages, a shell, EMERG_WRITE
# groups: quick
# append: console=hvc0
# devices: chardev:socket:c0 chardev:socket:c1
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=4
# devices: virtconsole,bus=ser0.0,chardev=c0,id=con0,name=org.vireo.con
# devices: virtserialport,bus=ser0.0,chardev=c1,id=p1,nr=1,name=org.vireo.p1
# ref: console
# timeout: 150
#
# Port 0 is a virtconsole, which QEMU declares a console (CONSOLE_PORT)
# after the guest's PORT_READY, so it becomes an hvc terminal, hvc0 when
# it is the only one.  The kernel command line names hvc0 as a console
# before ttyS0 (which stays /dev/console): once the terminal exists the
# kernel prints there too, so a line written to /dev/kmsg must reach the
# runner's end of the socket.  A shell on the terminal must answer a
# command the host types (getty's job), and the ordinary port beside it
# must still carry data.  EMERG_WRITE (vireo_console only: the in-kernel
# driver does not negotiate it): QEMU must show it acked, and bytes
# written to vireo_console's debugfs emerg_write knob go out through the
# config field emerg_wr, which QEMU hands to the first connected
# console, so they must reach the runner as well, and count in
# emerg_bytes.  QEMU never sends RESIZE: one taken through the debugfs
# ctrl_inject knob, as if from the control queue, must set the size of
# the open terminal (stty size: 43 rows, 132 columns).

console_back_open
console_connect c0 drain
console_connect c1
console_load || return 1
wait_for 15 console_hvc
HVC=$(console_hvc)
check "the console port is an hvc terminal (${HVC:-none})" test -n "$HVC" || return 1
expect_eq "the only hvc terminal" "$HVC" /dev/hvc0
console_wait_port org.vireo.con || return 1
console_wait_port org.vireo.p1 || return 1
P1=$PORT

mark=vireo-kmsg-$$-$(cut -d' ' -f1 /proc/uptime)
echo "$mark" >/dev/kmsg
console_expect c0 "$mark" 20
check "a kernel message reaches the host through hvc0" test "$(jval "$HOSTR" found)" = true ||
	log "host end saw: $HOSTR"

setsid sh -c "exec sh -i <$HVC >$HVC 2>&1" &
shell=$!
sleep 1
# shellcheck disable=SC2016 # expanded by the shell on the terminal
console_text c0 'echo vireo-$((7*6))-ok\n'
console_expect c0 vireo-42-ok 30
check "a shell on $HVC answers the host" test "$(jval "$HOSTR" found)" = true ||
	log "host end saw: $HOSTR"

console_host_recv c1 262144 91
run_deadline 60 vconio -s 91 write "$P1" 262144 >/tmp/w.out 2>&1
console_host_wait c1 recv 30
console_host_ok "the port beside the console: guest -> host" 262144 "$(vcon_kv /tmp/w.out crc)"

f=$(console_guest_features ser0)
log "guest features: $f"
if console_ref; then
	skip "EMERG_WRITE reaches the console's chardev" "the in-kernel virtio_console does not negotiate EMERG_WRITE"
else
	check "QEMU: EMERG_WRITE acked" sh -c "echo '$f' | grep -q EMERG_WRITE"
	dbg=$(ls -d /sys/kernel/debug/vireo_console/vireo* 2>/dev/null | head -n 1)
	check "vireo_console debugfs: emerg_write knob" test -e "$dbg/emerg_write"
	e0=$(cat "$dbg/emerg_bytes" 2>/dev/null)
	emark=vireo-emerg-$$
	echo "$emark" >"$dbg/emerg_write"
	console_expect c0 "$emark" 20
	check "EMERG_WRITE bytes reach the console's chardev" test "$(jval "$HOSTR" found)" = true ||
		log "host end saw: $HOSTR"
	e1=$(cat "$dbg/emerg_bytes" 2>/dev/null)
	check "emerg_bytes counted them (${e0:-?} -> ${e1:-?})" test "${e1:-0}" -ge $((${e0:-0} + ${#emark}))
	# RESIZE for port 0 (id 0, event 5, value 0; cols 132, rows 43),
	# through the knob that takes it as if the host had sent it.
	printf '\0\0\0\0\5\0\0\0\204\0\53\0' >"$dbg/ctrl_inject"
	wait_for 10 sh -c "[ \"\$(stty size <$HVC)\" = '43 132' ]"
	expect_eq "RESIZE reaches the terminal (stty size of $HVC)" "$(stty size <"$HVC")" "43 132"
fi
kill -9 $shell 2>/dev/null
console_disconnect c0
console_disconnect c1
console_unload
