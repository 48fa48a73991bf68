# SPDX-License-Identifier: GPL-2.0
# Scenario load-unload: three rounds of loading the whole stack, using
# the rng a little, unloading everything, and checking nothing of ours
# is left behind (bus, modules, hwrng, IRQs, PCI binding).

BDF=0000:00:04.0
round=1
while [ $round -le 3 ]; do
	log "round $round"
	if load_stack; then
		wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
		check "vireo0 exists" test -d /sys/bus/vireo/devices/vireo0
		expect_eq "vireo0 parent is $BDF" "$(vireo_dev_of $BDF)" vireo0
		expect_eq "vireo0 driver" "$(vireo_driver_of vireo0)" vireo_rng
		expect_eq "$BDF driver" "$(pci_driver $BDF)" vireo_pci
		check "vireo_rng.0 in rng_available" rng_available_has vireo_rng.0
		if rng_read vireo_rng.0 64 /tmp/few; then
			check_not "64 bytes are not all zero" all_zero /tmp/few
		fi
	fi
	unload_stack || return 1
	check_clean
	expect_eq "$BDF driver after unload" "$(pci_driver $BDF)" none
	round=$((round + 1))
done
