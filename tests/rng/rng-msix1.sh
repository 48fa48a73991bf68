#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: a single MSI-X vector is too few: the transport falls back to INTx
# kernels: all
# groups: quick irq
# devices: virtio-rng-pci,addr=0x4,vectors=1
#
# The device offers a single MSI-X vector.  It fits neither MSI-X mode
# (per-queue and shared both need a config vector plus one: config +
# queue, or config + shared queue vector), so the transport must fall back
# to INTx and still work: 256 KiB read and random-looking, vireo0 on the
# IO-APIC with interrupts counted, no vireo line on PCI-MSI.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
check_vireo_dev vireo0 0x0004
if rng_read vireo_rng.0 262144 /tmp/rng; then
	check_random /tmp/rng "vireo_rng.0 256 KiB with one MSI-X vector"
fi
expect_intx vireo0 "fell back from one MSI-X vector"
unload_stack || return 1
check_clean
