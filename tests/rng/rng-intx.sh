#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: no MSI-X (vectors=0): the transport falls back to INTx
# kernels: all
# groups: quick irq
# devices: virtio-rng-pci,addr=0x4,vectors=0
#
# The device has no MSI-X, so the transport must fall back to the shared
# INTx line.  Same feature, status and 1 MiB read checks as rng-read;
# vireo0 is on the IO-APIC and counted interrupts, there is no
# vireo0-input line and no vireo line on PCI-MSI.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
check_vireo_dev vireo0 0x0004
expect_feature vireo0 28 1 INDIRECT_DESC
expect_feature vireo0 29 1 EVENT_IDX
if rng_read vireo_rng.0 1048576 /tmp/rng; then
	check_random /tmp/rng "vireo_rng.0 1 MiB over INTx"
fi
expect_intx vireo0 "no MSI-X"
check_not "no vireo0-input line" grep -q vireo0-input /proc/interrupts
unload_stack || return 1
check_clean
