# SPDX-License-Identifier: GPL-2.0
# Scenario rng-intx: device without MSI-X (vectors=0), so the transport
# must fall back to the shared INTx line.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
check_vireo_dev vireo0 0x0004
expect_feature vireo0 28 1 INDIRECT_DESC
expect_feature vireo0 29 1 EVENT_IDX
if rng_read vireo_rng.0 1048576 /tmp/rng; then
	check_random /tmp/rng "vireo_rng.0 1 MiB over INTx"
fi
grep vireo /proc/interrupts | sed 's/^/VIREO-INFO: irq: /'
check "vireo0 is on the IO-APIC (INTx)" irq_on vireo0 IO-APIC
n=$(irq_count vireo0)
check "vireo0 handled interrupts ($n)" test "$n" -gt 0
check_not "no vireo0-input MSI line" grep -q vireo0-input /proc/interrupts
check_not "no vireo line on PCI-MSI" irq_on 'vireo[0-9a-z-]*' PCI-MSI
unload_stack || return 1
check_clean
