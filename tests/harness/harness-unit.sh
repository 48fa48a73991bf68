#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# description: the test harness's own unit tests: KTAP parser and judge
# kind: host
# groups: quick
# timeout: 120
#
# Every verdict of this harness goes through tools/vm/ktap.py and
# vm.judge(), so a harness that passed a broken guest would hide
# failures everywhere.  tools/vm/test_ktap.py: good documents, a missing
# plan, a crash or a hang mid-document, nested subtests, several
# documents in one console log, directives, emit() round trips.
# tools/vm/test_vm.py: judge() on a passing boot, a failing check, a
# panic, a crash, a hang, a missing plan, no document, KUnit's own
# documents beside the guest's, a late splat; the metadata headers
# (keys, defaults, errors), test selection, the kernel matrix (the
# flavour kernels run the flavours group unless --full or --kver), and
# that the table of tests in Documentation/testing.rst names exactly the
# tests under tests/.
# tools/vm/test_chrhost.py: the console tests' host end (chrhost.py)
# against a socket standing in for QEMU's chardev (with "again" for a
# lost reply or request), the chardev:, device: and append: header
# handling, and the guest's reader of the back channel (backline)
# keeping a reply whole when a background child of the shell ends under
# it, where busybox's own read -t loses the first part.

python3 tools/vm/test_ktap.py && python3 tools/vm/test_vm.py &&
	python3 tools/vm/test_chrhost.py
