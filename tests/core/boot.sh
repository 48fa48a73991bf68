#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: the harness itself: an unclaimed legacy virtio-rng, no vireo module
# kernels: all
# groups: quick
# devices: virtio-rng-pci,addr=0x4
# modules: none
#
# Checks the test environment rather than vireo, and needs none of its
# modules.  The guest must see 0000:00:04.0 as a legacy virtio-rng (vendor
# 0x1af4, device 0x1005, subsystem device 0x0004, i.e. virtio type 4)
# that no driver has claimed, which shows that initcall_blacklist keeps
# the built-in virtio-pci of 6.12 off it; the hung-task timeout must be
# 10 s, and the hw_random class and /dev/hwrng must exist.  It also logs
# which vireo modules the initramfs carries (with their vermagic), so
# that a missing build shows here first.

BDF=0000:00:04.0
show_pci
check "PCI device $BDF present" test -d /sys/bus/pci/devices/$BDF
expect_eq "$BDF vendor" "$(cat /sys/bus/pci/devices/$BDF/vendor)" 0x1af4
expect_eq "$BDF device (legacy virtio rng)" "$(cat /sys/bus/pci/devices/$BDF/device)" 0x1005
expect_eq "$BDF subsystem device (virtio type 4)" \
	"$(cat /sys/bus/pci/devices/$BDF/subsystem_device)" 0x0004
expect_eq "$BDF driver" "$(pci_driver $BDF)" none
expect_eq "hung task timeout" "$(cat /proc/sys/kernel/hung_task_timeout_secs)" 10
check "hw_random class present" test -f "$RNG_SYS/rng_available"
check "/dev/hwrng present" test -c /dev/hwrng
for m in $VIREO_MODULES; do
	if [ -f "$VIREO_KO/$m.ko" ]; then
		log "initramfs has $m.ko: $(modinfo -F vermagic "$VIREO_KO/$m.ko" 2>/dev/null)"
	else
		log "initramfs lacks $m.ko (not built yet?)"
	fi
done
