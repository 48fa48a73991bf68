#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: rmmod vireo_rng with a reader blocked on a starved device
# kernels: all
# groups: quick fault
# devices: virtio-rng-pci,addr=0x4,max-bytes=64,period=600000
#
# max-bytes=64,period=600000: QEMU hands out 64 bytes per ten minutes, so
# readers block inside vireo_rng.  With vireo_rng.0 current, an
# O_NONBLOCK read must answer EAGAIN within 0.5 s (a driver that slept
# would take its whole 1 s bounded wait: checked by mutation).  Then a
# blocking reader (dd if=/dev/hwrng bs=1k count=64) runs in the background
# and must still be running after 3 s; rmmod vireo_rng must finish within
# 30 s; the reader must then exit within 5 s with a non-zero status, not
# hang or crash; vireo_rng.0 is gone and vireo0 unbound; the rest unloads
# cleanly.  A splat (e.g. a hung task report) fails it.  If rmmod hangs,
# the test stops there, since what follows would block on the same locks.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
rng_select vireo_rng.0
# A starved device: O_NONBLOCK reads must say EAGAIN, not block.
rng_nb_expect vireo_rng.0 "errno EAGAIN" 5
start_blocked_reader
check "rmmod vireo_rng while a reader is blocked" run_deadline 30 rmmod vireo_rng ||
	return 1
expect_reader_failed "rmmod vireo_rng"
check_not "vireo_rng.0 gone from rng_available" rng_available_has vireo_rng.0
expect_eq "vireo0 unbound" "$(vireo_driver_of vireo0)" none
unload_stack || return 1
check_clean
