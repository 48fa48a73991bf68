# SPDX-License-Identifier: GPL-2.0
# Scenario rng-rmmod-blocked: QEMU gives 64 bytes per 10 minutes, so a
# reader blocks inside vireo_rng.  rmmod vireo_rng must still finish
# promptly, and the blocked reader must get an error, not hang or crash.

load_stack || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
rng_select vireo_rng.0
# A starved device: O_NONBLOCK reads must say EAGAIN, not block.
rng_nb_expect vireo_rng.0 "errno EAGAIN" 5
dd if=/dev/hwrng of=/tmp/x bs=1k count=64 2>/tmp/dd.err &
reader=$!
sleep 3
if kill -0 $reader 2>/dev/null; then
	ok "reader blocked in /dev/hwrng"
else
	fail "reader finished early (rate limit not in effect?)"
	sed 's/^/VIREO-INFO:   | /' /tmp/dd.err
fi
# If this hangs, stop: the hwrng core's locks are held, and everything
# below would block on them too.
check "rmmod vireo_rng while a reader is blocked" run_deadline 30 rmmod vireo_rng ||
	return 1
# The reader must come out within a few seconds, with an error.
n=50
while kill -0 $reader 2>/dev/null && [ $n -gt 0 ]; do
	usleep 100000
	n=$((n - 1))
done
if kill -0 $reader 2>/dev/null; then
	fail "reader still blocked 5 s after rmmod vireo_rng"
else
	wait $reader
	st=$?
	log "reader exit status $st, $(wc -c </tmp/x) bytes read; dd said: $(tr '\n' ' ' </tmp/dd.err)"
	if [ $st -ne 0 ]; then
		ok "reader failed with status $st"
	else
		fail "reader exited 0 after its rng went away"
	fi
fi
check_not "vireo_rng.0 gone from rng_available" rng_available_has vireo_rng.0
expect_eq "vireo0 unbound" "$(vireo_driver_of vireo0)" none
unload_stack || return 1
check_clean
