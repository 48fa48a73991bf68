# SPDX-License-Identifier: GPL-2.0
# Scenario rng-pci-remove: the PCI function goes away (sysfs remove, the
# path an orderly hot-unplug takes) while a reader is blocked in
# vireo_rng on a starved device. The reader must fail, nothing may splat,
# and a rescan must hand the function back to vireo_pci.

BDF=0000:00:04.0

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
rng_select vireo_rng.0
dd if=/dev/hwrng of=/tmp/x bs=1k count=64 2>/tmp/dd.err &
reader=$!
sleep 3
check "reader blocked in /dev/hwrng" kill -0 $reader
check "remove $BDF while a reader is blocked" \
	run_deadline 30 sh -c "echo 1 >/sys/bus/pci/devices/$BDF/remove" ||
	return 1
check_not "$BDF gone" test -e /sys/bus/pci/devices/$BDF
check_not "vireo0 gone" test -e /sys/bus/vireo/devices/vireo0
check_not "vireo_rng.0 gone from rng_available" rng_available_has vireo_rng.0
n=50
while kill -0 $reader 2>/dev/null && [ $n -gt 0 ]; do
	usleep 100000
	n=$((n - 1))
done
if kill -0 $reader 2>/dev/null; then
	fail "reader still blocked 5 s after the function was removed"
else
	wait $reader
	st=$?
	log "reader exit status $st; dd said: $(tr '\n' ' ' </tmp/dd.err)"
	check_not "reader failed (status $st)" test $st -eq 0
fi
check "rescan" run_deadline 30 sh -c "echo 1 >/sys/bus/pci/rescan"
wait_for 10 test -e /sys/bus/vireo/devices/vireo0/driver
expect_eq "$BDF driver after rescan" "$(pci_driver $BDF)" vireo_pci
expect_eq "vireo0 driver after rescan" "$(vireo_driver_of vireo0)" vireo_rng
check "vireo_rng.0 back in rng_available" rng_available_has vireo_rng.0
unload_stack || return 1
check_clean
