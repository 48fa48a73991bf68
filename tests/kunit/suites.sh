#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: every KUnit suite, on the debug kernel, and no leak after
# kernels: debug
# memory: 1024
# timeout: 1800
#
# The KUnit kernel (Debian's linux-source-6.12 with KASAN, lockdep,
# kmemleak and failslab: tools/kunit/build-kernel.sh) boots, loads every
# module of the stack, then every module of kunit/ in dependency order:
# loading one runs its suites.  Each suite's results (debugfs, KTAP)
# become a subtest of this test, its cases nested under it; a suite cut
# short keeps its plan, so a missing case fails it, and the number of
# suites that ran must be the number the modules register (counted from
# their .kunit_test_suites sections when the initramfs is built), so a
# suite that never ran fails too.  Then every module is unloaded, and
# kmemleak must suspect nothing that appeared since the test began.
# To run some suites only: make test T=suites
# VM_APPEND=kunit.filter_glob=vireo_ring_*.

kmemleak_reset
# insmod waits, uninterruptibly, for each case KUnit runs in a thread of
# its own; the fault suites' cases take tens of seconds on this kernel,
# so the 10 s /init sets would flag insmod itself.  Back to the kernel's
# default.
echo 120 >/proc/sys/kernel/hung_task_timeout_secs
# KUnit prints each module's results to the console as a document of its
# own (KERN_INFO) while ours is open; the console keeps warnings and
# errors only, so splats still show, and the results come from debugfs.
echo 5 >/proc/sys/kernel/printk
# Every driver is loaded (the driver suites bind the real drivers to a
# simulated transport); the PCI transport finds no device of its own.
load_stack $VIREO_ALL || return 1
loaded=
want=0
while read -r m n; do
	# A module's suites run inside its insmod; the debug kernel is slow.
	check "insmod $m ($n suites run inside)" run_deadline 900 \
		insmod "$VIREO_KO/kunit/$m.ko" || break
	loaded="$m $loaded"
	want=$((want + n))
done <"$VIREO_KO/kunit/order"
echo 7 >/proc/sys/kernel/printk
kunit_suites
got=$(ls -d /sys/kernel/debug/kunit/*/ 2>/dev/null | wc -l)
if grep -q kunit.filter_glob= /proc/cmdline; then
	skip "every suite the modules register ran ($got)" "filtered run"
else
	expect_eq "suites that ran, of those the modules register" "$got" "$want"
fi
for m in $loaded; do
	check "rmmod $m" run_deadline 60 rmmod "$m" || break
done
unload_stack $VIREO_ALL
kmemleak_check
