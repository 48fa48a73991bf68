#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: neither page_poison nor init_on_free: PAGE_POISON and with it REPORTING refused
# devices: virtio-balloon-pci,addr=0x4,id=bal0,free-page-reporting=on
# memory: 256
# ref: balloon
# timeout: 480
#
# Debian's kernels neither poison nor zero freed pages by default, so
# the driver must refuse PAGE_POISON, and REPORTING, which depends on it,
# although the device offers both; the reporting queue stays unused.
# Linux's virtio_balloon keeps REPORTING there, so a reference run
# checks the refusal of PAGE_POISON only.
# The run itself is balloon_report_run in tools/vm/guest/lib.sh.

balloon_report_run 0
