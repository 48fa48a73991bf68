#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: a target beyond free memory: the driver backs off, no OOM kill storm, rmmod gives all back
# devices: virtio-balloon-pci,addr=0x4,id=bal0
# memory: 256
# groups: fault
# timeout: 480
#
# vireo only: the in-kernel virtio_balloon fails it (the reference run on
# 6.12 panics, "System is deadlocked on memory": its balloon takes back
# every page the OOM killer frees, 200 ms later, until nothing is left to
# kill).  The issue asks that inflation never starve the guest.  No
# DEFLATE_ON_OOM.  The host asks for a 24 MiB guest, far below what the
# guest uses.  The driver takes what it can and then backs off
# rather than spinning or forcing the OOM killer: over 10 s of waiting,
# the vCPUs stay mostly idle (at most 40% busy, both vCPUs together; a
# driver that retried without pause would hold one vCPU, 50%), at most
# two processes are killed by the OOM killer (three sleeping processes
# are set up to be its first victims; a kill storm would take them all
# and then the test's shell), and the guest answers commands within 5 s
# each.  The kernel's messages stay off the console meanwhile (an OOM
# report's stack dump would count as a splat on the host) and are judged
# in the guest (bal_oom_check).  Then rmmod of the driver while the
# balloon is still inflated must finish within 30 s and give every page
# back: MemTotal as before, the guest's count 0 and query-balloon's
# actual the whole RAM.

# cpu_busy: busy and total jiffies of all CPUs, from /proc/stat.
cpu_busy() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i
		print t - $5 - $6, t; exit }' /proc/stat
}

balloon_load || return 1
mt0=$(bal_mem_kb MemTotal)
log "RAM $BAL_RAM MiB; MemTotal $mt0 kB, MemFree $(bal_mem_kb MemFree) kB"
for v in 1 2 3; do
	bal_sacrifice
	eval "victim$v=$BAL_VICTIM"
done
wait_for 5 grep -qx 1000 /proc/"$BAL_VICTIM"/oom_score_adj

bal_mark pressure
bal_quiet
balloon_set 24
# Let it take what it can.
sleep 10
# shellcheck disable=SC2046 # two numbers
set -- $(cpu_busy)
b0=$1 t0=$2
p0=$(balloon_pages)
sleep 10
# shellcheck disable=SC2046 # two numbers
set -- $(cpu_busy)
b1=$1 t1=$2
p1=$(balloon_pages)
for n in 1 2 3; do
	check "the guest answers within 5 s ($n)" run_deadline 5 sh -c 'echo alive >/tmp/alive'
done
a=$(balloon_query)
bal_loud
busy=$(((b1 - b0) * 100 / (t1 - t0 + 1)))
log "balloon pages $p0 -> $p1 over 10 s; host actual $((${a:-0} / MIB)) MiB; MemFree $(bal_mem_kb MemFree) kB"
check "the vCPUs are at most 40% busy while the target is out of reach ($busy%)" test "$busy" -le 40
check "the balloon did not reach the unreachable target" test "$p1" -lt $(((BAL_RAM - 24) * 256))
bal_oom_check pressure "inflating beyond free memory"
check "no OOM kill storm ($BAL_KILLS killed, at most 2)" test "$BAL_KILLS" -le 2
balloon_debugfs

balloon_rmmod || return 1
expect_eq "MemTotal is back after rmmod" "$(bal_mem_kb MemTotal)" "$mt0"
expect_eq "no pages left in the balloon (guest's count)" "$(balloon_pages)" 0
if balloon_wait "$BAL_RAM" 10; then
	ok "query-balloon actual is the whole RAM after rmmod"
else
	fail "query-balloon actual is the whole RAM after rmmod ($((${BAL_ACT:-0} / MIB)) MiB)"
fi
# The target back to the whole RAM, then the rest of the stack.
balloon_set "$BAL_RAM"
for v in $victim1 $victim2 $victim3; do
	kill "$v" 2>/dev/null
done
balloon_unload
