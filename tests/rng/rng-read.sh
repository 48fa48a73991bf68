#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: 1 MiB of random data, features, DRIVER_OK, per-queue MSI-X
# kernels: all
# groups: quick flavours
# devices: virtio-rng-pci,addr=0x4
#
# One device with MSI-X (QEMU's default).  vireo0's sysfs attributes:
# device 0x0004, vendor 0x1af4, features 64 characters of 0/1 with bit 28
# (indirect descriptors) and bit 29 (event index) set, status in 0x%08x
# form with DRIVER_OK (0x4).  Reads 1 MiB from /dev/hwrng with
# vireo_rng.0 current: exactly 1048576 bytes, within 120 s, and
# random-looking.  /proc/interrupts has vireo0-config and vireo0-input on
# PCI-MSI (per-queue MSI-X), and vireo0-input counted interrupts.  An
# O_NONBLOCK reader (nbread, a static guest helper: busybox cannot open
# O_NONBLOCK) gets data within 0.5 s.  Then a clean unload.
#
# "Random-looking" (check_random, used by the rng tests) means: at least
# 250 distinct byte values in the first 64 KiB; no 16-byte block repeated
# within the first MiB (a reused or stale buffer, or a run of zeroes,
# repeats blocks; random data practically never does); the two halves of
# the data differ.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
check_vireo_dev vireo0 0x0004
expect_feature vireo0 28 1 INDIRECT_DESC
expect_feature vireo0 29 1 EVENT_IDX
expect_eq "vireo0 driver" "$(vireo_driver_of vireo0)" vireo_rng
check "vireo_rng.0 in rng_available" rng_available_has vireo_rng.0
if rng_read vireo_rng.0 1048576 /tmp/rng; then
	check_random /tmp/rng "vireo_rng.0 1 MiB"
fi
# O_NONBLOCK readers get data too, without blocking.
rng_nb_expect vireo_rng.0 "read [1-9]" 50
grep vireo /proc/interrupts | diag_lines "irq: "
check "vireo0-input is an MSI-X vector" irq_on vireo0-input PCI-MSI
check "vireo0-config is an MSI-X vector" irq_on vireo0-config PCI-MSI
n=$(irq_count vireo0-input)
check "vireo0-input handled interrupts ($n)" test "$n" -gt 0
unload_stack || return 1
check_clean
