#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: free page reporting with init_on_free=1: features taken, free memory reported, data intact
# devices: virtio-balloon-pci,addr=0x4,id=bal0,free-page-reporting=on
# append: init_on_free=1
# memory: 256
# ref: balloon
# timeout: 480
#
# init_on_free=1: freed pages are zeroed, so the driver may take
# PAGE_POISON (poison value 0) and with it REPORTING; QEMU discards the
# reported pages (they come back zeroed, as the kernel expects).
# The run itself is balloon_report_run in tools/vm/guest/lib.sh.

balloon_report_run 1
