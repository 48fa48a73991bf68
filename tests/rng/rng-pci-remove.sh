#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: PCI remove with a reader blocked in vireo_rng; rescan binds again
# kernels: all
# groups: quick hotplug
# devices: virtio-rng-pci,addr=0x4,max-bytes=64,period=600000
#
# The same starved device as rng-rmmod-blocked (64 bytes per ten
# minutes).  A blocking reader is still blocked after 3 s, then the PCI
# function is removed through sysfs: the path an orderly hot-unplug takes,
# vireo_pci's remove with I/O in flight.  The function, vireo0 and
# vireo_rng.0 must be gone, the reader must exit with an error within
# 5 s, nothing may splat, and after /sys/bus/pci/rescan the function must
# be bound to vireo_pci again with vireo_rng.0 back.  Then a clean unload.

BDF=0000:00:04.0

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
rng_select vireo_rng.0
start_blocked_reader
check "remove $BDF while a reader is blocked" \
	run_deadline 30 sh -c "echo 1 >/sys/bus/pci/devices/$BDF/remove" ||
	return 1
check_not "$BDF gone" test -e /sys/bus/pci/devices/$BDF
check_not "vireo0 gone" test -e /sys/bus/vireo/devices/vireo0
check_not "vireo_rng.0 gone from rng_available" rng_available_has vireo_rng.0
expect_reader_failed "removing $BDF"
check "rescan" run_deadline 30 sh -c "echo 1 >/sys/bus/pci/rescan"
wait_for 10 test -e /sys/bus/vireo/devices/vireo0/driver
expect_eq "$BDF driver after rescan" "$(pci_driver $BDF)" vireo_pci
expect_eq "vireo0 driver after rescan" "$(vireo_driver_of vireo0)" vireo_rng
check "vireo_rng.0 back in rng_available" rng_available_has vireo_rng.0
unload_stack || return 1
check_clean
