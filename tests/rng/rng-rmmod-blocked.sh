# SPDX-License-Identifier: GPL-2.0
# Scenario rng-rmmod-blocked: QEMU gives 64 bytes per 10 minutes, so a
# reader blocks inside vireo_rng.  rmmod vireo_rng must still finish
# promptly, and the blocked reader must get an error, not hang or crash.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
rng_select vireo_rng.0
# A starved device: O_NONBLOCK reads must say EAGAIN, not block.
rng_nb_expect vireo_rng.0 "errno EAGAIN" 5
start_blocked_reader
check "rmmod vireo_rng while a reader is blocked" run_deadline 30 rmmod vireo_rng ||
	return 1
expect_reader_failed "rmmod vireo_rng"
check_not "vireo_rng.0 gone from rng_available" rng_available_has vireo_rng.0
expect_eq "vireo0 unbound" "$(vireo_driver_of vireo0)" none
unload_stack || return 1
check_clean
