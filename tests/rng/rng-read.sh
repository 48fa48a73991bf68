# SPDX-License-Identifier: GPL-2.0
# Scenario rng-read: one device, MSI-X (QEMU default): 1 MiB of random
# data through /dev/hwrng, negotiated features, DRIVER_OK, per-queue
# MSI-X vectors.

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
grep vireo /proc/interrupts | sed 's/^/VIREO-INFO: irq: /'
check "vireo0-input is an MSI-X vector" irq_on vireo0-input PCI-MSI
check "vireo0-config is an MSI-X vector" irq_on vireo0-config PCI-MSI
n=$(irq_count vireo0-input)
check "vireo0-input handled interrupts ($n)" test "$n" -gt 0
unload_stack || return 1
check_clean
