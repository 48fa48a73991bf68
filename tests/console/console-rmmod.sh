#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: rmmod vireo_console, then the device's removal, with ports open, a reader and a writer waiting and a shell on hvc0
# groups: fault
# devices: chardev:socket:c0 chardev:socket:c1 chardev:socket:c2 chardev:file:f3
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=4
# devices: virtconsole,bus=ser0.0,chardev=c0,id=con0,name=org.vireo.con
# devices: virtserialport,bus=ser0.0,chardev=c1,id=p1,nr=1,name=org.vireo.r1
# devices: virtserialport,bus=ser0.0,chardev=c2,id=p2,nr=2,name=org.vireo.r2
# devices: virtserialport,bus=ser0.0,chardev=f3,id=p3,nr=3,name=org.vireo.r3
# timeout: 180
#
# vireo_console's own machinery, so no reference run.  With a reader
# waiting on port 1 (host open, nothing sent), a writer waiting on port
# 2 (host end never opened), port 3 held open idle and a shell on hvc0:
# "rmmod vireo_console" must return within 30 s, either refused (the
# open character devices pin the module, as the in-kernel driver's do)
# with everything still working, or done, with every waiter woken.
# Then "rmmod vireo_pci" removes the device under the open files: the
# reader and writer must end (an error or EOF) within 15 s, the ports
# leave sysfs, the shell's terminal hangs up.  With everything closed,
# vireo_console unloads; loaded again with vireo_pci, the ports come
# back and carry data.

console_back_open
console_connect c0 drain
console_connect c1
console_load || return 1
console_wait_port org.vireo.r1 || return 1
P1=$PORT
console_wait_port org.vireo.r2 || return 1
P2=$PORT
console_wait_port org.vireo.r3 || return 1
P3=$PORT
wait_for 15 console_hvc
HVC=$(console_hvc)
check "hvc terminal ${HVC:-none}" test -n "$HVC" || return 1

vconio -t 120 read "$P1" 65536 >/tmp/rd.out 2>&1 &
rd=$!
vconio -t 120 write "$P2" 65536 >/tmp/wr.out 2>&1 &
wr=$!
sleep 100000 3<>"$P3" &
hold=$!
setsid sh -c "exec sh -i <$HVC >$HVC 2>&1" &
shell=$!
sleep 2
check "reader waits on $P1" kill -0 $rd
check "writer waits on $P2" kill -0 $wr

run_deadline 30 rmmod vireo_console >/tmp/rmmod.out 2>&1
st=$?
check "rmmod vireo_console returns within 30 s" test $st -ne 124 || return 1
if [ $st -ne 0 ]; then
	ok "rmmod vireo_console refused while ports are open: $(cat /tmp/rmmod.out)"
	check "vireo_console still loaded" test -d /sys/module/vireo_console
	check "the reader still waits" kill -0 $rd
	check "the writer still waits" kill -0 $wr
	# The device goes away under the open files.
	check "rmmod vireo_pci (the device's removal)" run_deadline 30 rmmod vireo_pci || return 1
else
	ok "rmmod vireo_console done with ports open"
fi
console_reap $rd 15 "the reader, after the removal"
log "reader: status $? $(cat /tmp/rd.out)"
console_reap $wr 15 "the writer, after the removal"
check "the writer failed" test $? -ne 0
log "writer: $(cat /tmp/wr.out)"
check_not "no port left in vireo-ports" sh -c 'ls /sys/class/vireo-ports/* 2>/dev/null | grep -q .'
wait_for 10 sh -c "! kill -0 $shell"
check "the shell on $HVC ended (hang-up)" sh -c "! kill -0 $shell"
kill -9 $shell 2>/dev/null
kill $hold
wait $hold 2>/dev/null
if [ -d /sys/module/vireo_console ]; then
	check "rmmod vireo_console once everything is closed" run_deadline 30 rmmod vireo_console
fi
unload_stack "$CONSOLE_MODULES"

# shellcheck disable=SC2086 # module names: split on purpose
load_stack $CONSOLE_MODULES || return 1
console_wait_port org.vireo.r1 || return 1
P1=$PORT
console_host_recv c1 65536 95
run_deadline 60 vconio -s 95 write "$P1" 65536 >/tmp/w.out 2>&1
console_host_wait c1 recv 30
console_host_ok "after reloading: guest -> host" 65536 "$(vcon_kv /tmp/w.out crc)"
console_disconnect c0
console_disconnect c1
console_unload
