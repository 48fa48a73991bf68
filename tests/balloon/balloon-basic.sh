#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: QMP balloon to half the guest's memory and back: actual, MemTotal and the INTx config interrupt
# devices: virtio-balloon-pci,addr=0x4,id=bal0
# memory: 384
# groups: quick irq
# ref: balloon
# timeout: 480
#
# A 384 MiB guest; QMP balloon value=192M (half of it in the balloon):
# within 60 s query-balloon's actual reaches 192 MiB, the guest's own
# count of balloon pages (/proc/vmstat balloon_inflate - _deflate)
# agrees with the host's, MemTotal drops by exactly 192 MiB (no
# DEFLATE_ON_OOM: Linux takes the pages out of the managed memory) and
# MemFree by at least 184 MiB.  Then a config change alone (the same
# target again: QEMU raises the config interrupt anyway) must arrive as
# an interrupt on the device's INTx line, which is on the IO-APIC and
# carries no MSI vector; a new target (288M) is followed.  Deflating back
# to the whole RAM: actual, the guest's count and MemTotal are what they
# were before, and MemFree grows again by the balloon (less 16 MiB).  The driver then unloads cleanly.  Negotiated features
# (QEMU's view): STATS_VQ taken, DEFLATE_ON_OOM not (not offered).

# irq_above N: more than N interrupts on the balloon's INTx line.
irq_above() {
	[ "$(balloon_irq)" -gt "$1" ]
}

balloon_load || return 1
balloon_expect_intx
mt0=$(bal_mem_kb MemTotal)
mf0=$(bal_mem_kb MemFree)
log "RAM $BAL_RAM MiB; MemTotal $mt0 kB, MemFree $mf0 kB"
expect_eq "the balloon starts empty (guest's count)" "$(balloon_pages)" 0
balloon_expect_features 1:STATS_VQ:1 2:DEFLATE_ON_OOM:0 0:MUST_TELL_HOST:0

half=$((BAL_RAM / 2))
t0=$(uptime_cs)
balloon_set $half
balloon_expect $half 60 "inflate to $half MiB" || return 1
log "inflated $((BAL_RAM - half)) MiB in $(($(uptime_cs) - t0))0 ms"
mt1=$(bal_mem_kb MemTotal)
mf1=$(bal_mem_kb MemFree)
log "MemTotal $mt1 kB, MemFree $mf1 kB"
expect_eq "MemTotal drops by the balloon ($((BAL_RAM - half)) MiB)" $((mt0 - mt1)) $(((BAL_RAM - half) * 1024))
check "MemFree drops by at least $((BAL_RAM - half - 8)) MiB ($(((mf0 - mf1) / 1024)) MiB)" \
	test $((mf0 - mf1)) -ge $(((BAL_RAM - half - 8) * 1024))
balloon_debugfs

# A config interrupt with nothing else to do: the same target again.
sleep 1
i0=$(balloon_irq)
balloon_set $half
wait_for 10 irq_above "$i0"
i1=$(balloon_irq)
check "the config change arrives on INTx ($i0 -> $i1 interrupts)" test "$i1" -gt "$i0"
check "the target unchanged: the balloon stays" balloon_host_is $half
q=$((BAL_RAM * 3 / 4))
balloon_set $q
balloon_expect $q 60 "deflate part of it, to $q MiB"

balloon_set "$BAL_RAM"
balloon_expect "$BAL_RAM" 60 "deflate to the whole $BAL_RAM MiB"
expect_eq "MemTotal is back" "$(bal_mem_kb MemTotal)" "$mt0"
mf2=$(bal_mem_kb MemFree)
check "MemFree grows by at least $((BAL_RAM - half - 16)) MiB again ($(((mf2 - mf1) / 1024)) MiB)" \
	test $((mf2 - mf1)) -ge $(((BAL_RAM - half - 16) * 1024))
balloon_unload
