#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: two rng devices give two independent hwrngs
# kernels: all
# groups: quick
# devices: virtio-rng-pci,addr=0x4 virtio-rng-pci,addr=0x5
#
# Two devices (00:04.0 and 00:05.0): two vireo devices, both PCI devices
# bound to vireo_pci, both vireo devices pass the sysfs checks,
# vireo_rng.0 and vireo_rng.1 are both in rng_available; 256 KiB from
# each (switching rng_current) are random-looking, differ, and share no
# 16-byte block.  Shows that per-device state is not shared.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo1/driver
expect_eq "vireo devices" "$(vireo_dev_count)" 2
for bdf in 0000:00:04.0 0000:00:05.0; do
	expect_eq "$bdf driver" "$(pci_driver $bdf)" vireo_pci
	dev=$(vireo_dev_of $bdf) || fail "no vireo device under $bdf"
	[ -n "$dev" ] && check_vireo_dev "$dev" 0x0004
done
log "rng_available: $(cat "$RNG_SYS/rng_available")"
check "vireo_rng.0 in rng_available" rng_available_has vireo_rng.0
check "vireo_rng.1 in rng_available" rng_available_has vireo_rng.1
for n in 0 1; do
	if rng_read vireo_rng.$n 262144 /tmp/rng$n; then
		check_random /tmp/rng$n "vireo_rng.$n 256 KiB"
	fi
done
if [ -f /tmp/rng0 ] && [ -f /tmp/rng1 ]; then
	check_not "the two devices' data differ" cmp -s /tmp/rng0 /tmp/rng1
	cat /tmp/rng0 /tmp/rng1 >/tmp/both
	_dups=$(od -An -v -tx1 -w16 /tmp/both | sort | uniq -d | wc -l)
	expect_eq "16-byte blocks shared between the devices" "$_dups" 0
fi
unload_stack || return 1
check_clean
