#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: rmmod while inflating, then device_del while inflating: every page comes back
# devices: virtio-balloon-pci,addr=0x4,id=bal0
# memory: 256
# groups: fault hotplug
# ref: balloon
# timeout: 480
#
# The host asks for half the guest's memory.  As soon as the balloon
# holds its first MiB (the inflation still running, unless the guest was
# faster than the 20 ms poll; logged), rmmod of the driver must finish
# within 30 s and give every page back: MemTotal as before, the guest's
# count 0, query-balloon's actual the whole RAM.  The driver is loaded
# again with no target, then the host asks for half again and at once
# QMP device_del of the balloon (ACPI hot-unplug: the driver's remove runs
# while it inflates; how far it got is logged): within 30 s the PCI function is gone,
# every page is back, QEMU has no balloon left (query-balloon fails with
# DeviceNotActive), and the guest keeps running and unloads cleanly.

# reload: the balloon driver again, bound within 15 s.
reload() {
	if balloon_ref; then
		balloon_kmod_load || return 1
	else
		check "insmod vireo_balloon again" \
			run_deadline 60 insmod "$VIREO_KO/vireo_balloon.ko" || return 1
	fi
	check "$(balloon_driver) bound again" wait_for 15 balloon_bound
}

# inflating WHAT: wait (20 ms polls, builtins only, at most 60 s) until
# the balloon holds its first request (1 MiB); log whether the
# inflation was still under way.
inflating() {
	_n=3000
	bal_bp
	while [ "$BAL_PAGES" -lt 256 ] && [ $_n -gt 0 ]; do
		usleep 20000
		_n=$((_n - 1))
		bal_bp
	done
	if [ "$BAL_PAGES" -lt 256 ]; then
		fail "$1: the balloon holds 1 MiB within 60 s ($BAL_PAGES pages)"
		return 1
	fi
	if [ "$BAL_PAGES" -lt "$full" ]; then
		log "$1: $BAL_PAGES of $full pages inflated: removing mid-inflation"
	else
		log "$1: the inflation had already finished ($BAL_PAGES pages)"
	fi
}

# all_back WHAT: every page came back.
all_back() {
	expect_eq "$1: MemTotal as before" "$(bal_mem_kb MemTotal)" "$mt0"
	expect_eq "$1: no pages left in the balloon (guest's count)" "$(balloon_pages)" 0
}

balloon_load || return 1
mt0=$(bal_mem_kb MemTotal)
half=$((BAL_RAM / 2))
full=$(((BAL_RAM - half) * 256))
balloon_set $half
inflating "rmmod" || return 1
balloon_rmmod || return 1
all_back "after rmmod"
if balloon_wait "$BAL_RAM" 10; then
	ok "query-balloon actual is the whole RAM after rmmod"
else
	fail "query-balloon actual is the whole RAM after rmmod ($((${BAL_ACT:-0} / MIB)) MiB)"
fi

# The target back to nothing, so that the driver loads idle; then a new
# target and the unplug right behind it, so that the removal comes while
# the driver inflates.
balloon_set "$BAL_RAM"
reload || return 1
i0=$(bal_vmstat balloon_inflate)
qmp "{\"execute\": \"balloon\", \"arguments\": {\"value\": $((half * MIB))}}"
qmp '{"execute": "device_del", "arguments": {"id": "bal0"}}'
bal_reply
bal_reply
wait_for 30 sh -c "! test -e /sys/bus/pci/devices/$BAL_BDF"
check_not "$BAL_BDF gone within 30 s of device_del" test -e "/sys/bus/pci/devices/$BAL_BDF"
all_back "after device_del"
log "device_del: $(($(bal_vmstat balloon_inflate) - i0)) of $full pages had been inflated"
r=$(qmp_query '{"execute": "query-balloon"}')
log "query-balloon: $r"
check "QEMU has no balloon left" json_has "$r" DeviceNotActive
show_pci
check "the guest still runs commands" sh -c 'echo alive >/tmp/alive && grep -q alive /tmp/alive'
balloon_unload
