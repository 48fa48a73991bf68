#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: max_ports=1 (no MULTIPORT), INTx, no indirect descriptors: one console port, 1 MiB each way, a shell on it
# groups: quick irq
# devices: chardev:socket:c0 chardev:file:f1
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=1,vectors=0,indirect_desc=off
# devices: virtconsole,bus=ser0.0,chardev=c0,id=con0
# devices: virtio-serial-pci,addr=0x5,id=ser1,max_ports=1,vectors=0,indirect_desc=off
# devices: virtconsole,bus=ser1.0,chardev=f1,id=con1
# ref: console
# timeout: 240
#
# With max_ports=1 QEMU offers no MULTIPORT: no control queues, and the
# device is the one console port on queues 0 and 1, an hvc terminal.
# vectors=0 leaves no MSI-X (the interrupt is INTx) and indirect_desc=off
# no indirect descriptors.  Two such devices: 00:04.0's console on a
# socket the runner drains, 00:05.0's on a file.  QEMU's
# x-query-virtio-status must show neither MULTIPORT nor INDIRECT_DESC
# acked, the functions no MSI vector, and 00:04.0's INTx line must count
# interrupts.  Through the terminals, in raw mode (vconio sets it): 1 MiB
# from the guest into the file, checked by CRC, and 1 MiB from the
# runner through the socket, checked by the guest byte by byte.  Last, a
# shell on the socket's terminal, as getty would start it, must answer a
# command the host types: "echo vireo-$((6*7))-ok" comes back as
# vireo-42-ok, which the echoed input alone cannot contain.
#
# Why a file for the guest's 1 MiB: QEMU drops a virtconsole's output
# that its chardev cannot take at once (it never throttles a console),
# so through a socket whatever exceeds the socket's buffer (about
# 200 KiB) while the runner is not scheduled is lost, with either
# driver; a file takes everything.

MB1=1048576
BDF=$CON_BDF
console_back_open
console_connect c0 drain
console_load || return 1
# hvc_two: two terminals open.
hvc_two() { [ -e /dev/hvc1 ] && (: <>/dev/hvc0) 2>/dev/null && (: <>/dev/hvc1) 2>/dev/null; }
wait_for 15 hvc_two
check "two hvc terminals" hvc_two || return 1
# Which terminal is the file's: a line written to each shows in one file.
HF='' HS=''
for h in /dev/hvc0 /dev/hvc1; do
	echo "vireo-which-${h#/dev/}" >"$h"
	sleep 1
	console_file f1 "vireo-which-${h#/dev/}"
	if [ "$(jval "$HOSTR" found)" = true ]; then HF=$h; else HS=$h; fi
done
check "one terminal on the file (${HF:-none}), one on the socket (${HS:-none})" \
	test -n "$HF" -a -n "$HS" || return 1

f=$(console_guest_features ser0)
log "guest features: $f"
check "QEMU: guest features read" test -n "$f"
check_not "QEMU: MULTIPORT not acked" sh -c "echo '$f' | grep -q MULTIPORT"
check_not "QEMU: INDIRECT_DESC not acked" sh -c "echo '$f' | grep -q INDIRECT_DESC"
expect_eq "no MSI vectors on $BDF" "$(ls "/sys/bus/pci/devices/$BDF/msi_irqs" 2>/dev/null | wc -l)" 0
irq=$(cat "/sys/bus/pci/devices/$BDF/irq")
# intx_count: interrupts counted on the function's INTx line.
intx_count() {
	awk -v q="$irq:" '$1 == q { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts
}
i0=$(intx_count)
grep -E "^ *$irq:" /proc/interrupts | diag_lines "irq: "

run_deadline 120 vconio -s 81 write "$HF" $MB1 >/tmp/w.out 2>&1
console_guest_ok "guest -> host through $HF" /tmp/w.out $MB1
console_file f1 "" $MB1
size0=$(jval "$HOSTR" size)
# file_done: the file's last MiB is the guest's.
file_done() {
	console_file f1 "" $MB1 && [ "$(jval "$HOSTR" crc_last)" = "$(vcon_kv /tmp/w.out crc)" ]
}
wait_for 20 file_done
expect_eq "guest -> host through $HF: CRC of the file's last MiB" \
	"$(jval "$HOSTR" crc_last)" "$(vcon_kv /tmp/w.out crc)"
log "file: $(jval "$HOSTR" size) bytes (was $size0)"

rm -f /tmp/r.ready
vconio -s 82 -r /tmp/r.ready read "$HS" $MB1 >/tmp/r.out 2>&1 &
rd=$!
wait_for 10 test -f /tmp/r.ready
console_host_send c0 $MB1 82
console_reap $rd 120 "the reader of $HS"
console_guest_ok "host -> guest through $HS" /tmp/r.out $MB1
console_host_wait c0 send 30
console_host_sent "host -> guest through $HS" $MB1 "$(vcon_kv /tmp/r.out crc)"
i1=$(intx_count)
check "INTx line $irq counted interrupts ($i0 -> $i1)" test "${i1:-0}" -gt "${i0:-0}"

setsid sh -c "exec sh -i <$HS >$HS 2>&1" &
shell=$!
sleep 1
# shellcheck disable=SC2016 # expanded by the shell on the terminal
console_text c0 'echo vireo-$((6*7))-ok\n'
console_expect c0 vireo-42-ok 30
check "a shell on $HS answers the host" test "$(jval "$HOSTR" found)" = true ||
	log "host end saw: $HOSTR"
kill -9 $shell 2>/dev/null
console_disconnect c0
console_unload
