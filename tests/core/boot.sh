# SPDX-License-Identifier: GPL-2.0
# Scenario boot: the harness itself.  Needs no vireo module; checks that
# the guest sees one legacy virtio-rng at 0000:00:04.0 that no driver has
# claimed (initcall_blacklist keeps 6.12's built-in virtio-pci off it),
# and that the initramfs carries what the other scenarios need.

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
