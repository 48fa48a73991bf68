#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: deflate-on-oom=on: OOM gives balloon pages back, an allocation beyond free memory survives
# devices: virtio-balloon-pci,addr=0x4,id=bal0,deflate-on-oom=on
# memory: 256
# groups: fault
# ref: balloon
# timeout: 480
#
# DEFLATE_ON_OOM negotiated (QEMU's view).  The balloon is inflated until
# about 40 MiB stay free; MemTotal does not change (with DEFLATE_ON_OOM
# Linux leaves the pages in the managed memory).  Three forced OOMs
# (sysrq f) each take balloon pages back, in the guest's count and in
# query-balloon's actual, and each kills only the sleeping process set up
# to die (oom_score_adj 1000; a forced OOM always kills one), and the
# balloon does not grow back on its own.  Then one allocation of 32 MiB
# more than is free (dd's buffer) succeeds: the balloon gives way before
# the OOM killer acts (no process killed) and shrinks by at least 16 MiB
# (the rest may come from memory freed elsewhere).  The kernel's
# messages are kept off the console from the first OOM on (an OOM
# report's stack dump would count as a splat on the host) and judged in
# the guest instead (bal_oom_check).  Deflating fully and
# unloading end it.

balloon_load || return 1
balloon_expect_features 2:DEFLATE_ON_OOM:1 1:STATS_VQ:1
mt0=$(bal_mem_kb MemTotal)
free=$(($(bal_mem_kb MemFree) / 1024))
size=$(((BAL_RAM - free + 40) / 4 * 4))
log "RAM $BAL_RAM MiB, $free MiB free: the guest goes down to $size MiB"
balloon_set $size
balloon_expect $size 90 "inflate to $size MiB" || return 1
expect_eq "MemTotal unchanged with DEFLATE_ON_OOM" "$(bal_mem_kb MemTotal)" "$mt0"
log "MemFree now $(bal_mem_kb MemFree) kB"

bal_mark oom1
bal_quiet
p0=$(balloon_pages)
n=1
while [ $n -le 3 ]; do
	bal_sacrifice
	wait_for 5 grep -qx 1000 /proc/"$BAL_VICTIM"/oom_score_adj
	pb=$(balloon_pages)
	echo f >/proc/sysrq-trigger
	# sysrq f runs from a work item: wait for its victim.
	wait_for 20 sh -c "! kill -0 $BAL_VICTIM 2>/dev/null"
	wait "$BAL_VICTIM" 2>/dev/null
	pa=$(balloon_pages)
	check "forced OOM $n: balloon pages given back ($pb -> $pa)" test "$pa" -lt "$pb"
	n=$((n + 1))
done
p1=$(balloon_pages)
sleep 3
check "the balloon does not grow back by itself ($p1 -> $(balloon_pages) pages)" \
	test "$(balloon_pages)" -le "$p1"
a1=$(balloon_query)
expect_eq "query-balloon agrees with the guest after the OOMs" "$a1" $(((BAL_RAM * 256 - $(balloon_pages)) * 4096))
bal_loud
bal_oom_check oom1 "three forced OOMs"
expect_eq "each forced OOM killed one process, the one set up for it" "$BAL_KILLS" 3

bal_mark oom2
bal_quiet
free=$(($(bal_mem_kb MemFree) / 1024))
p2=$(balloon_pages)
log "$free MiB free, $p2 pages in the balloon: allocating $((free + 32)) MiB"
run_deadline 120 bal_hog $((free + 32))
st=$?
p3=$(balloon_pages)
bal_loud
expect_eq "an allocation of $((free + 32)) MiB with $free MiB free succeeds (dd status)" $st 0
check "the balloon gave way: at least 16 MiB deflated ($p2 -> $p3 pages)" \
	test $((p2 - p3)) -ge $((16 * 256))
bal_oom_check oom2 "an allocation beyond free memory"
expect_eq "no process killed: the balloon gave way first" "$BAL_KILLS" 0
expect_eq "MemTotal still unchanged" "$(bal_mem_kb MemTotal)" "$mt0"
balloon_debugfs

balloon_set "$BAL_RAM"
balloon_expect "$BAL_RAM" 60 "deflate fully"
balloon_unload
