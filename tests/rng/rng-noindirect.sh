#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: no INDIRECT_DESC, no EVENT_IDX: the ring works without them
# kernels: all
# groups: quick
# devices: virtio-rng-pci,addr=0x4,indirect_desc=off,event_idx=off
#
# The device offers neither INDIRECT_DESC nor EVENT_IDX
# (indirect_desc=off,event_idx=off), so the ring must work with plain
# descriptors and the always-notify/always-interrupt protocol.  Feature
# bits 28 and 29 read 0, and the 1 MiB read of rng-read passes.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
check_vireo_dev vireo0 0x0004
expect_feature vireo0 28 0 INDIRECT_DESC
expect_feature vireo0 29 0 EVENT_IDX
if rng_read vireo_rng.0 1048576 /tmp/rng; then
	check_random /tmp/rng "vireo_rng.0 1 MiB without indirect/event_idx"
fi
unload_stack || return 1
check_clean
