# SPDX-License-Identifier: GPL-2.0
# Scenario rng-msix1: the device offers a single MSI-X vector.  Both MSI-X
# modes need two (config + queue, or config + shared queue vector), so
# the transport must fall back to INTx, and still work.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
check_vireo_dev vireo0 0x0004
if rng_read vireo_rng.0 262144 /tmp/rng; then
	check_random /tmp/rng "vireo_rng.0 256 KiB with one MSI-X vector"
fi
expect_intx vireo0 "fell back from one MSI-X vector"
unload_stack || return 1
check_clean
