#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: no deflate-on-oom: an allocation beyond what inflation left is OOM-killed, the guest runs on
# devices: virtio-balloon-pci,addr=0x4,id=bal0
# memory: 256
# groups: fault
# ref: balloon
# timeout: 480
#
# No DEFLATE_ON_OOM.  The balloon is inflated until about 40 MiB stay
# free (MemTotal drops by it).  One allocation of 32 MiB more than is
# free (dd's buffer) cannot be served: the balloon does not give way (no
# feature for it; its size stays), the OOM killer kills that process (the
# largest), at most one more, and the guest goes on answering commands.
# The kernel's messages are kept off the console meanwhile (the OOM
# report's stack dump would count as a splat on the host) and judged in
# the guest (bal_oom_check).  Then rmmod of the driver while the balloon
# is inflated must finish within 30 s and give every page back: MemTotal
# as before, the guest's count 0, query-balloon's actual the whole RAM.
# (A target beyond free memory is balloon-overshoot.)

balloon_load || return 1
balloon_expect_features 2:DEFLATE_ON_OOM:0
mt0=$(bal_mem_kb MemTotal)
free=$(($(bal_mem_kb MemFree) / 1024))
size=$(((BAL_RAM - free + 40) / 4 * 4))
log "RAM $BAL_RAM MiB, $free MiB free: the guest goes down to $size MiB"
balloon_set $size
balloon_expect $size 90 "inflate to $size MiB" || return 1
mt1=$(bal_mem_kb MemTotal)
expect_eq "MemTotal drops by the balloon" $((mt0 - mt1)) $(((BAL_RAM - size) * 1024))

bal_mark hog
bal_quiet
free=$(($(bal_mem_kb MemFree) / 1024))
p0=$(balloon_pages)
run_deadline 120 bal_hog $((free + 32))
st=$?
p1=$(balloon_pages)
for n in 1 2 3; do
	check "the guest answers within 5 s ($n)" run_deadline 5 sh -c 'echo alive >/tmp/alive'
done
bal_loud
log "$free MiB were free; dd of $((free + 32)) MiB ended with status $st"
check "the allocation beyond free memory fails (dd killed, status $st)" test "$st" -ne 0 -a "$st" -ne 124
expect_eq "the balloon keeps its size without DEFLATE_ON_OOM" "$p1" "$p0"
bal_oom_check hog "an allocation beyond free memory"
check "the OOM killer acted, once or twice ($BAL_KILLS)" test "$BAL_KILLS" -ge 1 -a "$BAL_KILLS" -le 2
check "the OOM killer took the allocating dd" grep -q 'Killed process [0-9]* (dd)' /tmp/.oomlog
balloon_debugfs

balloon_rmmod || return 1
expect_eq "MemTotal is back after rmmod" "$(bal_mem_kb MemTotal)" "$mt0"
expect_eq "no pages left in the balloon (guest's count)" "$(balloon_pages)" 0
if balloon_wait "$BAL_RAM" 10; then
	ok "query-balloon actual is the whole RAM after rmmod"
else
	fail "query-balloon actual is the whole RAM after rmmod ($((${BAL_ACT:-0} / MIB)) MiB)"
fi
balloon_set "$BAL_RAM"
balloon_unload
