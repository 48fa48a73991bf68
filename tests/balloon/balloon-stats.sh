#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: memory statistics through the stats queue: guest-stats updates with plausible values
# devices: virtio-balloon-pci,addr=0x4,id=bal0
# memory: 256
# groups: quick
# ref: balloon
# timeout: 480
#
# The driver posts a first statistics buffer when it starts (the spec asks
# for it; QEMU then sets last-update).  With
# guest-stats-polling-interval 1, QEMU hands the driver's statistics
# buffer back every second and the driver refills it: last-update
# advances over a few seconds, twice.  The values are plausible:
# stat-total-memory is the guest's MemTotal (within 1 MiB), free and
# available memory are above zero and at most the total, free is close to
# MemFree (within 32 MiB; they are read at different moments), no swap
# (swap in and out 0), minor faults grow between two updates while the
# guest works, and all ten statistics QEMU keeps are set (a statistic the
# guest never sent reads as 2^64 - 1).  After inflating 64 MiB the total
# follows (it drops by 64 MiB: no DEFLATE_ON_OOM); polling off (0), the
# updates stop.

ALL_STATS="swap-in swap-out major-faults minor-faults free-memory total-memory available-memory disk-caches htlb-pgalloc htlb-pgfail"
UNSET=18446744073709551615

# stats_after T SECS: wait up to SECS for a guest-stats update later than
# T; STATS the reply, LU its last-update.
stats_after() {
	_n=$2
	while :; do
		STATS=$(balloon_stats)
		LU=$(bal_json_num "$STATS" last-update)
		[ "${LU:-0}" -gt "$1" ] && return 0
		[ "$_n" -le 0 ] && return 1
		sleep 1
		_n=$((_n - 1))
	done
}

# stats_plausible WHAT: the values of STATS against /proc/meminfo.
stats_plausible() {
	echo "$STATS" | diag_lines "guest-stats: "
	_tot=$(bal_stat "$STATS" total-memory)
	_free=$(bal_stat "$STATS" free-memory)
	_avail=$(bal_stat "$STATS" available-memory)
	: "${_tot:=0}" "${_free:=0}" "${_avail:=0}"
	_mt=$(($(bal_mem_kb MemTotal) * 1024))
	_mf=$(($(bal_mem_kb MemFree) * 1024))
	_unset=
	for _s in $ALL_STATS; do
		_v=$(bal_stat "$STATS" "$_s")
		if [ -z "$_v" ] || [ "$_v" = $UNSET ]; then
			_unset="$_unset $_s"
		fi
	done
	expect_eq "$1: statistics QEMU keeps that the guest did not send" "${_unset:-none}" none
	check "$1: total memory is MemTotal within 1 MiB ($_tot vs $_mt)" \
		test $((_tot - _mt)) -le $MIB -a $((_mt - _tot)) -le $MIB
	check "$1: 0 < free memory <= total ($_free)" test "$_free" -gt 0 -a "$_free" -le "$_tot"
	check "$1: 0 < available memory <= total ($_avail)" test "$_avail" -gt 0 -a "$_avail" -le "$_tot"
	check "$1: free memory is MemFree within 32 MiB ($_free vs $_mf)" \
		test $((_free - _mf)) -le $((32 * MIB)) -a $((_mf - _free)) -le $((32 * MIB))
	expect_eq "$1: swap in" "$(bal_stat "$STATS" swap-in)" 0
	expect_eq "$1: swap out" "$(bal_stat "$STATS" swap-out)" 0
}

balloon_load || return 1
check "the driver posts its first statistics when it starts" stats_after 0 10
lu0=${LU:-0}
log "first statistics at $lu0"
balloon_stats_interval 1
if ! stats_after "$lu0" 20; then
	fail "guest-stats updated within 20 s of polling every second"
	echo "$STATS" | diag_lines
	return 1
fi
ok "guest-stats updated (last-update $LU)"
lu1=$LU
minflt1=$(bal_stat "$STATS" minor-faults)
stats_plausible "first update"
# Some work, for the fault counts.
i=0
while [ $i -lt 20 ]; do
	cat /proc/meminfo >/dev/null
	i=$((i + 1))
done
check "last-update advances again" stats_after "$lu1" 20
log "last-update $lu1 -> $LU"
minflt2=$(bal_stat "$STATS" minor-faults)
check "minor faults grow between updates ($minflt1 -> $minflt2)" test "$minflt2" -gt "$minflt1"
stats_plausible "second update"

tot0=$(bal_stat "$STATS" total-memory)
: "${tot0:=0}"
balloon_set $((BAL_RAM - 64))
balloon_expect $((BAL_RAM - 64)) 60 "inflate by 64 MiB" || return 1
lu=$(bal_json_num "$(balloon_stats)" last-update)
check "an update after the inflation" stats_after "${lu:-0}" 20
tot1=$(bal_stat "$STATS" total-memory)
: "${tot1:=0}"
expect_eq "the total drops by the balloon's 64 MiB" $((tot0 - tot1)) $((64 * MIB))
balloon_set "$BAL_RAM"
balloon_expect "$BAL_RAM" 60 "deflate"

balloon_stats_interval 0
sleep 2
lu_off=$(bal_json_num "$(balloon_stats)" last-update)
sleep 3
check_not "no update with polling off" stats_after "$lu_off" 0
balloon_unload
