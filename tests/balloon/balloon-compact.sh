#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: balloon pages stay movable: compaction migrates them, the balloon keeps its size
# devices: virtio-balloon-pci,addr=0x4,id=bal0
# memory: 256
# groups: quick
# ref: balloon
# timeout: 480
#
# 96 MiB in the balloon, then memory compaction over everything
# (/proc/sys/vm/compact_memory), until balloon pages move (five passes
# at most).  The balloon's pages are movable
# (the kernel's balloon compaction): the vmstat counter balloon_migrate
# grows (the driver counts each page it moved), while the balloon keeps
# its size in the guest's count and in query-balloon's actual, and
# MemTotal does not change.  Deflating fully afterwards gives every page
# back (the moved ones too): MemTotal as before, the guest's count 0.
# No splat (the host checks the console).

# vmstat_line: the compaction and balloon counters, on one line.
vmstat_line() {
	grep -E '^(compact_|balloon_)' /proc/vmstat | tr '\n' ' '
	echo
}

balloon_load || return 1
mt0=$(bal_mem_kb MemTotal)
size=$((BAL_RAM - 96))
balloon_set $size
balloon_expect $size 90 "inflate by 96 MiB" || return 1
mt1=$(bal_mem_kb MemTotal)
p0=$(balloon_pages)
m0=$(bal_vmstat balloon_migrate)
if [ -z "$m0" ]; then
	fail "/proc/vmstat has balloon_migrate (CONFIG_BALLOON_COMPACTION)"
	m0=0
fi
vmstat_line | diag_lines "before: "
# Where the balloon's pages lie decides whether compaction's scanners
# reach them, and that varies between boots (once two passes moved none):
# up to five passes, until one moves balloon pages.
n=0
m1=$m0
while [ $n -lt 5 ] && [ "${m1:-0}" -le "$m0" ]; do
	n=$((n + 1))
	check "compaction $n" run_deadline 120 sh -c 'echo 1 >/proc/sys/vm/compact_memory'
	m1=$(bal_vmstat balloon_migrate)
done
vmstat_line | diag_lines "after: "
check "compaction moved balloon pages (balloon_migrate $m0 -> ${m1:-0})" test "${m1:-0}" -gt "$m0"
expect_eq "the balloon keeps its size (guest's count)" "$(balloon_pages)" "$p0"
check "query-balloon actual unchanged" balloon_host_is $size
expect_eq "MemTotal unchanged by compaction" "$(bal_mem_kb MemTotal)" "$mt1"
balloon_debugfs

balloon_set "$BAL_RAM"
balloon_expect "$BAL_RAM" 60 "deflate fully after the moves"
expect_eq "MemTotal as before" "$(bal_mem_kb MemTotal)" "$mt0"
balloon_unload
