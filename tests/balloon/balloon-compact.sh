#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: balloon pages stay movable: compaction and soft offline migrate them, the balloon keeps its size
# devices: virtio-balloon-pci,addr=0x4,id=bal0
# memory: 256
# groups: quick
# ref: balloon
# timeout: 480
#
# 96 MiB in the balloon.  The balloon's pages are movable (the kernel's
# balloon compaction): the kernel can isolate each one and have the
# driver move it (vireo_balloon_migrate()), which the vmstat counter
# balloon_migrate counts.
#  - Memory compaction over everything (/proc/sys/vm/compact_memory):
#    its pass and the pages it moved are logged, not checked.  Whether
#    its scanners reach any balloon page depends on where the pages lie:
#    compaction's migrate scanner works up from the bottom of the zone
#    and stops where it meets the free scanner, and in some boots every
#    balloon page lies above that point (twice in about fifteen 6.12
#    runs, balloon_migrate 0 -> 0 after five passes; /proc/kpageflags
#    showed the balloon's pages mostly in one block between 96 and
#    192 MiB, and only those below about 64 MiB ever moved).
#  - Soft offline (/sys/devices/system/memory/soft_offline_page) of
#    eight balloon pages found in /proc/kpageflags (bit 23, the balloon
#    pages' PageOffline): the kernel isolates each one through the same
#    movable-page path compaction uses and migrates it, so each write
#    must succeed and balloon_migrate must grow by eight.  A balloon
#    whose pages were not movable fails here (EBUSY).  The old frames
#    stay poisoned, outside the balloon and the guest's use.
# The balloon keeps its size in the guest's count and in query-balloon's
# actual, and MemTotal does not change.  Deflating fully afterwards
# gives every page back (the moved ones too): MemTotal as before, the
# guest's count 0.  No splat (the host checks the console).

SOFT=/sys/devices/system/memory/soft_offline_page

# vmstat_line: the compaction and balloon counters, on one line.
vmstat_line() {
	grep -E '^(compact_|balloon_)' /proc/vmstat | tr '\n' ' '
	echo
}

# balloon_pfns N: the first N page frames holding balloon pages
# (/proc/kpageflags bit 23: KPF_BALLOON on 6.1, KPF_OFFLINE on 6.12; the
# balloon's pages are the only offline pages here).
balloon_pfns() {
	od -An -v -tx8 -w8 /proc/kpageflags | awk -v n="$1" '
	{
		d = substr($1, length($1) - 5, 1)
		if (index("89abcdef", d) > 0) {
			print NR - 1
			if (++k >= n)
				exit
		}
	}'
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
check "compaction" run_deadline 120 sh -c 'echo 1 >/proc/sys/vm/compact_memory'
m1=$(bal_vmstat balloon_migrate)
log "compaction moved $((${m1:-0} - m0)) balloon pages"
vmstat_line | diag_lines "after compaction: "

if [ -w "$SOFT" ]; then
	pfns=$(balloon_pfns 8)
	expect_eq "balloon pages found in /proc/kpageflags" "$(echo "$pfns" | wc -w)" 8
	for pfn in $pfns; do
		check "soft offline of balloon page $pfn" \
			sh -c "echo $(printf '0x%x' $((pfn * 4096))) >$SOFT"
	done
	m2=$(bal_vmstat balloon_migrate)
	expect_eq "soft offline migrated the balloon pages (balloon_migrate growth)" \
		$((${m2:-0} - ${m1:-0})) 8
else
	skip "soft offline of balloon pages" "no $SOFT (CONFIG_MEMORY_FAILURE)"
fi
expect_eq "the balloon keeps its size (guest's count)" "$(balloon_pages)" "$p0"
check "query-balloon actual unchanged" balloon_host_is $size
expect_eq "MemTotal unchanged by the moves" "$(bal_mem_kb MemTotal)" "$mt1"
balloon_debugfs

balloon_set "$BAL_RAM"
balloon_expect "$BAL_RAM" 60 "deflate fully after the moves"
expect_eq "MemTotal as before" "$(bal_mem_kb MemTotal)" "$mt0"
balloon_unload
