#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: three rounds of loading, using and unloading the stack
# kernels: all
# groups: quick flavours
# devices: virtio-rng-pci,addr=0x4
#
# One rng device.  Three rounds of: insmod the modules in order; vireo0
# exists, sits under 0000:00:04.0 and is bound to vireo_rng; the PCI
# device is bound to vireo_pci; vireo_rng.0 is in rng_available; 64 bytes
# read from /dev/hwrng with vireo_rng.0 current are not all zero; rmmod
# in reverse order (each within 30 s).  Then nothing of ours is left
# behind: no /sys/bus/vireo, no /sys/module/vireo_*, no vireo in
# rng_available or /proc/interrupts, and the PCI device has no driver.
# Shows that loading and unloading are complete and repeatable.

BDF=0000:00:04.0
round=1
while [ $round -le 3 ]; do
	log "round $round"
	if load_stack; then
		wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
		check "vireo0 exists" test -d /sys/bus/vireo/devices/vireo0
		expect_eq "vireo0 parent is $BDF" "$(vireo_dev_of $BDF)" vireo0
		expect_eq "vireo0 driver" "$(vireo_driver_of vireo0)" vireo_rng
		expect_eq "$BDF driver" "$(pci_driver $BDF)" vireo_pci
		check "vireo_rng.0 in rng_available" rng_available_has vireo_rng.0
		if rng_read vireo_rng.0 64 /tmp/few; then
			check_not "64 bytes are not all zero" all_zero /tmp/few
		fi
	fi
	unload_stack || return 1
	check_clean
	expect_eq "$BDF driver after unload" "$(pci_driver $BDF)" none
	round=$((round + 1))
done
