# SPDX-License-Identifier: GPL-2.0
# Demo (make run): load the stack next to one legacy virtio-rng and show
# what got bound and that vireo_rng produces data.

echo
echo "==> insmod vireo_ring vireo_core vireo_pci vireo_rng"
load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
echo
echo "==> lsmod"
lsmod | grep -E '^(Module|vireo)'
echo
echo "==> /sys/bus/pci/drivers/vireo_pci/"
ls /sys/bus/pci/drivers/vireo_pci/
for d in /sys/bus/pci/drivers/vireo_pci/0000:*; do
	[ -e "$d" ] && echo "    $(basename "$d"): vendor $(cat "$d/vendor") device $(cat "$d/device")"
done
echo
echo "==> /sys/bus/vireo/devices/"
for d in /sys/bus/vireo/devices/*; do
	[ -e "$d" ] || continue
	n=$(basename "$d")
	echo "    $n -> $(readlink -f "$d")"
	echo "        driver   $(vireo_driver_of "$n")"
	for a in device vendor status features modalias; do
		echo "        $(printf '%-8s' $a) $(cat "$d/$a")"
	done
done
echo
echo "==> /proc/interrupts (vireo)"
grep vireo /proc/interrupts
echo
echo "==> hw_random"
echo "    rng_available: $(cat "$RNG_SYS/rng_available")"
rng_select vireo_rng.0 >/dev/null
echo "    rng_current:   $(cat "$RNG_SYS/rng_current")"
echo
echo "==> head -c 64 /dev/hwrng | hexdump -C"
head -c 64 /dev/hwrng >/tmp/demo
hexdump -C /tmp/demo
echo
expect_eq "bytes from vireo_rng.0" "$(wc -c </tmp/demo)" 64
check_not "data is not all zero" all_zero /tmp/demo
expect_eq "rng_current" "$(cat "$RNG_SYS/rng_current")" vireo_rng.0
