#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: the host end's open and close reach the guest: poll hang-up, EOF, EAGAIN; writes wait while the host is away
# groups: quick
# devices: chardev:socket:c1
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=4
# devices: virtserialport,bus=ser0.0,chardev=c1,id=p1,nr=1,name=org.vireo.h1
# ref: console
# timeout: 150
#
# Port 1's host end is a socket nobody has connected to yet, so QEMU
# never sent PORT_OPEN(1).  The in-kernel virtio_console then (read in
# its source, confirmed by the reference run): poll() reports POLLHUP,
# read() returns 0 (EOF), an O_NONBLOCK write fails with EAGAIN and a
# blocking write waits until the host end opens, then goes out whole.
# vireo_console follows that (Documentation/console.rst).  With the host
# connected and nothing sent: no POLLHUP, POLLOUT set, an O_NONBLOCK
# read gets EAGAIN.  The host closing must end a poll() that waits for
# input (POLLHUP, then read() returns 0) and a blocking read(), which
# first returns what arrived before the close, then 0.  After the host
# reconnects, data flows again.

K64=65536
console_load || return 1
console_wait_port org.vireo.h1 || return 1
P1=$PORT

# probe_has KEY WORD: vconio probe's KEY (revents, ret, err) holds WORD.
probe_has() {
	vconio probe "$P1" >/tmp/probe.out 2>&1
	log "$(cat /tmp/probe.out)"
	case ",$(vcon_kv /tmp/probe.out "$1")," in
	*,"$2",*) return 0 ;;
	esac
	return 1
}

# The host end was never opened.
check "host away: poll reports POLLHUP" probe_has revents HUP
check "host away: read returns 0 (EOF)" probe_has ret 0
vconio nbwrite "$P1" 4096 >/tmp/nb.out 2>&1
expect_eq "host away: an O_NONBLOCK write fails with" "$(vcon_kv /tmp/nb.out err)" EAGAIN
vconio -s 51 write "$P1" $K64 >/tmp/bw.out 2>&1 &
bw=$!
sleep 3
check "host away: a blocking write waits" kill -0 $bw
console_connect c1
console_host_recv c1 $K64 51
console_reap $bw 30 "the waiting write, after the host opened"
console_guest_ok "the waiting write completes once the host opens" /tmp/bw.out $K64
console_host_wait c1 recv 30
console_host_ok "the waiting write reaches the host" $K64 "$(vcon_kv /tmp/bw.out crc)"

# The host end open, nothing sent.
check_not "host open: no POLLHUP" probe_has revents HUP
check "host open: POLLOUT" probe_has revents OUT
check "host open: an O_NONBLOCK read fails with EAGAIN" probe_has err EAGAIN

# The host closes under a waiting poll().
vconio -t 40 wait "$P1" >/tmp/wait.out 2>&1 &
wt=$!
wait_for 10 grep -q '^VCONIO open' /tmp/wait.out
sleep 1
check "poll() waits while the host end is open" kill -0 $wt
console_disconnect c1
console_reap $wt 20 "poll(), after the host closed"
log "$(grep '^VCONIO wait' /tmp/wait.out)"
case ",$(vcon_kv /tmp/wait.out revents wait)," in
*,HUP,*) ok "host closed: the waiting poll() returns POLLHUP" ;;
*) fail "host closed: the waiting poll() did not return POLLHUP: $(cat /tmp/wait.out)" ;;
esac
expect_eq "host closed: then read() returns" "$(vcon_kv /tmp/wait.out ret wait)" 0

# The host sends 30000 bytes and closes under a blocking read().
console_connect c1
rm -f /tmp/rd.ready
vconio -s 52 -r /tmp/rd.ready read "$P1" 100000 >/tmp/rd.out 2>&1 &
rd=$!
wait_for 10 test -f /tmp/rd.ready
console_host_send c1 30000 52
console_host_wait c1 send 20
sleep 2
check "the reader waits for more" kill -0 $rd
console_disconnect c1
console_reap $rd 20 "read(), after the host closed"
expect_eq "host closed: the reader got what was sent" "$(vcon_kv /tmp/rd.out bytes)" 30000
expect_eq "host closed: and it is intact (bad bytes)" "$(vcon_kv /tmp/rd.out bad)" 0
expect_eq "host closed: then read() returned 0 (eof)" "$(vcon_kv /tmp/rd.out eof)" 1

# Reconnected, data flows again.
console_connect c1
console_host_recv c1 $K64 53
run_deadline 60 vconio -s 53 write "$P1" $K64 >/tmp/w.out 2>&1
console_guest_ok "after reconnecting: guest -> host" /tmp/w.out $K64
console_host_wait c1 recv 30
console_host_ok "after reconnecting: guest -> host" $K64 "$(vcon_kv /tmp/w.out crc)"
console_disconnect c1
console_unload
