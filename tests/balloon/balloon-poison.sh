#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: free page reporting with page_poison=1: the poison value reaches QEMU, reported pages keep it
# devices: virtio-balloon-pci,addr=0x4,id=bal0,free-page-reporting=on
# append: page_poison=1
# memory: 256
# ref: balloon
# timeout: 480
#
# page_poison=1: freed pages hold the poison pattern, so the driver
# takes PAGE_POISON and must tell the device the poison value; QEMU then
# does not discard reported pages.  A driver that took the feature but
# left poison_val 0 would have them discarded and zeroed, and the
# kernel's poison check would report memory corruption (a splat) when
# the churn allocates them again.
# The run itself is balloon_report_run in tools/vm/guest/lib.sh.

balloon_report_run 1
