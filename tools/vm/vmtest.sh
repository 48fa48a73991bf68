#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh [--kver K]... [--scenario S]... [--list] [--bench] [--timeout SECS]
#
# Boot each target kernel under QEMU (TCG, never KVM) once per scenario
# of tools/vm/scenarios.sh with a busybox initramfs holding our modules,
# and judge each boot.  A scenario passes only if the guest printed
# "VIREO-RESULT: PASS", QEMU exited by itself before the time limit, and
# the console log has no kernel splat (WARNING:, BUG:, Oops, lockdep, hung
# task, soft lockup, ... see SPLAT_RE).  Console logs go to
# build/logs/<kver>/<scenario>.log.
#
#   --kver K       only kernel K (repeatable); default: tools/deps.sh --print-kvers
#   --scenario S   only scenario S (repeatable); default: every test scenario
#   --bench        run the benchmark scenarios instead, print their BENCH lines
#   --list         list scenarios and exit
#   --timeout SECS per-boot limit for scenarios without their own
#
# Environment: VM_APPEND adds to the guest kernel command line (e.g.
# "vireo.bench_secs=2"); VM_BLK_REF=1 runs the blk-* scripts against the
# in-kernel virtio_blk (6.12) to check the scripts, not vireo_blk.
# Every boot has a scratch directory (disk images, QMP socket) that is
# removed afterwards; QMP commands the guest asked for are appended to
# the console log as "# qmp:" lines.
#
# Prints one line per test ("PASS <kver> <scenario> (12.3s)" or
# "FAIL <kver> <scenario> (<reason>; log: <path>)") and closes with
# "N passed, N failed".  Exits 1 if any failed.
set -uo pipefail

# shellcheck source=tools/vm/scenarios.sh
. "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"

# Kernel splats (tools/splat-patterns, shared with the KUnit runner).  Any
# match anywhere in the console log fails the test.
SPLAT_FILE=$(dirname "${BASH_SOURCE[0]}")/../splat-patterns
SPLAT_RE=$(grep -v -e '^#' -e '^!' -e '^$' "$SPLAT_FILE" | paste -sd '|')
BENIGN_RE=$(sed -n 's/^!//p' "$SPLAT_FILE" | paste -sd '|')

usage() { sed -n '4,29p' "$0"; }
die() { echo "vmtest: error: $*" >&2; exit 2; }

kvers=()
scenarios=()
bench=0
list=0
# shellcheck disable=SC2034 # VM_DEFAULT_TIMEOUT is read by vm_scenario_timeout
while [[ $# -gt 0 ]]; do
	case $1 in
	--kver) kvers+=("${2:?--kver needs a value}"); shift 2 ;;
	--kver=*) kvers+=("${1#*=}"); shift ;;
	--scenario) scenarios+=("${2:?--scenario needs a value}"); shift 2 ;;
	--scenario=*) scenarios+=("${1#*=}"); shift ;;
	--bench) bench=1; shift ;;
	--list) list=1; shift ;;
	--timeout) VM_DEFAULT_TIMEOUT=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
done

if [[ $list -eq 1 ]]; then
	vm_scenario_table | grep -v '^#'
	exit 0
fi

# Default selection: tests, or with --bench the benchmarks.
if [[ ${#scenarios[@]} -eq 0 ]]; then
	for s in $(vm_scenario_names); do
		vm_scenario_get "$s"
		vm_scenario_has_flag demo && continue
		if vm_scenario_has_flag bench; then
			[[ $bench -eq 1 ]] && scenarios+=("$s")
		else
			[[ $bench -eq 0 ]] && scenarios+=("$s")
		fi
	done
fi
for s in "${scenarios[@]}"; do
	vm_scenario_get "$s" || die "unknown scenario '$s' (see --list)"
done

if [[ ${#kvers[@]} -eq 0 ]]; then
	mapfile -t kvers < <(vm_kvers)
	[[ ${#kvers[@]} -gt 0 ]] || die "no target kernel installed (run make deps)"
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run make deps)"

passed=0
failed=0

report() { # report PASS|FAIL KVER SCENARIO TEXT
	echo "$1 $2 $3 ($4)"
	if [[ $1 == PASS ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
}

# verdict LOG QEMU_RC TIMEOUT: print "" for a pass, else the reason.
verdict() {
	local log=$1 rc=$2 limit=$3 clean line check
	clean=$(tr -d '\r' <"$log")
	if [[ $rc -eq 124 || $rc -eq 137 ]]; then
		line=$(grep -E 'VIREO-CHECK: FAIL' <<<"$clean" | head -n1)
		echo "timed out after ${limit}s${line:+; ${line#VIREO-CHECK: }}"
		return
	fi
	line=$(grep -E "$SPLAT_RE" <<<"$clean" | grep -v -E "$BENIGN_RE" | head -n1)
	if [[ -n $line ]]; then
		line=$(sed 's/^\[ *[0-9.]*\] //' <<<"$line" | cut -c1-100)
		check=$(grep -m1 -E 'VIREO-CHECK: FAIL' <<<"$clean" | cut -c1-100)
		echo "kernel splat: $line${check:+; ${check#VIREO-CHECK: }}"
		return
	fi
	line=$(grep -m1 -E 'VIREO-CHECK: FAIL' <<<"$clean")
	if [[ -n $line ]]; then
		echo "${line#VIREO-CHECK: }" | cut -c1-160
		return
	fi
	if ! grep -qx 'VIREO-RESULT: PASS' <<<"$clean"; then
		if [[ $rc -ne 0 ]]; then
			line=$(grep -m1 '^qemu-system' <<<"$clean")
			echo "qemu exited with status $rc${line:+: $line}"
		else
			echo "no VIREO-RESULT: PASS from the guest"
		fi
		return
	fi
	[[ $rc -eq 0 ]] || echo "qemu exited with status $rc"
}

# run_one KVER SCENARIO INITRD
run_one() {
	local kver=$1 s=$2 initrd=$3 limit log t0 t1 rc why secs
	vm_scenario_get "$s"
	limit=$(vm_scenario_timeout)
	log=$VIREO_BUILD/logs/$kver/$s.log
	mkdir -p "$(dirname "$log")"
	vm_scratch_new
	# The guest gives up 20 s before we do, so a stuck scenario still
	# reports which check hung, with the blocked tasks' stacks.
	if ! vm_qemu_cmd "$kver" "$initrd" "vireo.deadline=$((limit > 40 ? limit - 20 : limit / 2))"; then
		vm_scratch_rm
		report FAIL "$kver" "$s" "cannot set up the QEMU command line"
		return
	fi
	{
		echo "# vmtest: $kver $s, limit ${limit}s"
		printf '# '
		printf '%q ' timeout -k 10 "$limit" "${VM_CMD[@]}" -serial stdio
		echo
	} >"$log"
	vm_relay_start "$log"
	t0=$(date +%s.%N)
	timeout -k 10 "$limit" "${VM_CMD[@]}" -serial stdio </dev/null >>"$log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	why=$(verdict "$log" "$rc" "$limit")
	# After the verdict: the QMP record is the host's, not the guest's.
	vm_relay_stop "$log"
	vm_scratch_rm
	if [[ -z $why ]]; then
		report PASS "$kver" "$s" "${secs}s"
	else
		report FAIL "$kver" "$s" "$why; ${secs}s; log: $(vm_rel "$log")"
	fi
	if vm_scenario_has_flag bench; then
		tr -d '\r' <"$log" | grep -E '^BENCH '
	fi
}

# Never leave a scratch directory (disk images) or a relay behind.
trap 'vm_relay_stop /dev/null; vm_scratch_rm' EXIT
trap 'exit 130' INT TERM

for kver in "${kvers[@]}"; do
	[[ -f /boot/vmlinuz-$kver ]] || {
		for s in "${scenarios[@]}"; do
			vm_scenario_get "$s"
			vm_scenario_applies "$kver" &&
				report FAIL "$kver" "$s" "no /boot/vmlinuz-$kver"
		done
		continue
	}
	missing=$(vm_missing_modules "$kver" | paste -sd ' ')
	if [[ -n $missing ]]; then
		set -- $missing
		missing="$# of ${#VM_MODULES[@]} modules not built for $kver, e.g. $1 (run make)"
	fi
	mkdir -p "$VIREO_BUILD/logs/$kver"
	mklog=$VIREO_BUILD/logs/$kver/mkinitramfs.log
	initrd=$(vm_initramfs "$kver" 2>"$mklog") || initrd=
	for s in "${scenarios[@]}"; do
		vm_scenario_get "$s"
		vm_scenario_applies "$kver" || continue
		if [[ -z $initrd ]]; then
			report FAIL "$kver" "$s" "initramfs build failed; log: $(vm_rel "$mklog")"
		elif [[ -n $missing ]] && ! vm_scenario_has_flag nomods &&
			! [[ ${VM_BLK_REF:-0} == 1 && $s == blk-* ]]; then
			report FAIL "$kver" "$s" "$missing"
		else
			run_one "$kver" "$s" "$initrd"
		fi
	done
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
