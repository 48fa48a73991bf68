# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the guest side of vireo's tests (busybox sh, sourced by
# /init before the test).  Output is KTAP (Documentation/dev-tools/
# ktap.rst): /init opens the test's document; each check here prints one
# numbered result line, "  ok N what" or "  not ok N what", and anything
# else worth keeping is a diagnostic line, "  # text" (log, diag_lines).
# Any failed check fails the test.  The counts live in files under
# $VIREO_RUN, so that checks made in subshells and pipelines count.

VIREO_KO=/lib/vireo
VIREO_RUN=/run/vireo
RNG_SYS=/sys/class/misc/hw_random
# Load order; unload is the reverse.
VIREO_MODULES="vireo_ring vireo_core vireo_pci vireo_rng"
# Every module of ours in the image (tools/vm/modules), in load order.
VIREO_ALL=$(cat $VIREO_KO/modules 2>/dev/null)

# log TEXT: a diagnostic line.
log() { echo "  # $*"; }

# diag_lines [PREFIX]: stdin as diagnostic lines, each led by PREFIX.
diag_lines() {
	sed "s/^/  # | ${1:-}/"
}

# _result ok|"not ok" TEXT [DIRECTIVE]: the next numbered result line.
# A "#" in TEXT would start a KTAP directive, so it is spelled out.  Only results
# that reach the console are numbered: a helper whose output a test
# throws away (rng_read ... >/dev/null) still counts, but must not leave
# a gap in the numbers, which the host would take for a lost result.
_result() {
	_t=$(echo "$2" | sed 's/#/No./g')${3:+ # $3}
	if [ -t 1 ]; then
		echo x >>"$VIREO_RUN/n"
		echo "  $1 $(wc -l <"$VIREO_RUN/n") $_t"
	else
		echo "  # $1: $_t"
	fi
}

ok() {
	echo x >>"$VIREO_RUN/oks"
	_result ok "$*"
}

fail() {
	echo x >>"$VIREO_RUN/fails"
	_result "not ok" "$*"
}

# skip TEXT REASON: a check that could not be made here.
skip() {
	_result ok "$1" "SKIP $2"
}

# mark_stuck: a task is stuck in the kernel; /init then logs the blocked
# tasks' stacks and skips the shutdown path a stuck task would hang.
mark_stuck() { : >"$VIREO_RUN/stuck"; }

# is_stuck: whether mark_stuck was called.
is_stuck() { [ -f "$VIREO_RUN/stuck" ]; }

# failures: number of failed checks so far.
failures() {
	if [ -f "$VIREO_RUN/fails" ]; then wc -l <"$VIREO_RUN/fails"; else echo 0; fi
}

# check DESC CMD...: run CMD; ok if it succeeds, else FAIL with output.
check() {
	_desc=$1
	shift
	if "$@" >/tmp/.check-out 2>&1; then
		ok "$_desc"
		return 0
	fi
	fail "$_desc (command: $*)"
	diag_lines </tmp/.check-out | head -n 20
	return 1
}

# check_not DESC CMD...: CMD must fail.
check_not() {
	_desc=$1
	shift
	if "$@" >/tmp/.check-out 2>&1; then
		fail "$_desc (unexpectedly true: $*)"
		diag_lines </tmp/.check-out | head -n 20
		return 1
	fi
	ok "$_desc"
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1 ($2)"
		return 0
	fi
	fail "$1: got '$2', want '$3'"
	return 1
}

# wait_for SECS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		usleep 100000
		_n=$((_n - 1))
	done
	"$@" >/dev/null 2>&1
}

# run_deadline SECS CMD...: run CMD in the background and wait for it at
# most SECS seconds.  Returns CMD's status, or 124 if it is still running
# (it is left behind: a task stuck in D state cannot be killed, and the
# guest powers off anyway; /init then logs the blocked tasks).  busybox
# timeout would hang with such a task.
run_deadline() {
	_secs=$1
	shift
	"$@" &
	_pid=$!
	_n=$((_secs * 10))
	while kill -0 "$_pid" 2>/dev/null; do
		if [ "$_n" -le 0 ]; then
			log "still running after ${_secs}s: $*"
			mark_stuck
			return 124
		fi
		usleep 100000
		_n=$((_n - 1))
	done
	wait "$_pid"
}

# load_stack [MODULE...]: insmod our modules in order (default: all four).
load_stack() {
	# shellcheck disable=SC2048 # module names: split on purpose
	for _m in ${*:-$VIREO_MODULES}; do
		if ! check "insmod $_m" run_deadline 60 insmod "$VIREO_KO/$_m.ko"; then
			return 1
		fi
	done
}

# unload_stack [MODULE...]: rmmod in reverse load order; modules not
# loaded are skipped.  Each rmmod must finish within 30 s.
unload_stack() {
	_list=
	# shellcheck disable=SC2048 # module names: split on purpose
	for _m in ${*:-$VIREO_MODULES}; do _list="$_m $_list"; done
	_rc=0
	for _m in $_list; do
		[ -d "/sys/module/$_m" ] || continue
		check "rmmod $_m" run_deadline 30 rmmod "$_m" && continue
		_rc=1
		# A hung rmmod holds locks the rest would wait for.
		is_stuck && return 1
	done
	return $_rc
}

# sysfs_driver DEVDIR: name of the driver bound to a sysfs device, or "none".
sysfs_driver() {
	if [ -e "$1/driver" ]; then
		basename "$(readlink "$1/driver")"
	else
		echo none
	fi
}

# pci_driver BDF: name of the driver bound to PCI device BDF, or "none".
pci_driver() {
	sysfs_driver "/sys/bus/pci/devices/$1"
}

# pci_driver_is BDF DRIVER
pci_driver_is() {
	[ "$(pci_driver "$1")" = "$2" ]
}

# vireo_dev_of BDF: the vireoN device whose parent is PCI device BDF.
vireo_dev_of() {
	for _d in /sys/bus/vireo/devices/vireo*; do
		[ -e "$_d" ] || continue
		case $(readlink -f "$_d") in
		*/"$1"/vireo*) basename "$_d"; return 0 ;;
		esac
	done
	return 1
}

# vireo_dev_count: number of devices on the vireo bus.
vireo_dev_count() {
	_c=0
	for _d in /sys/bus/vireo/devices/*; do
		[ -e "$_d" ] && _c=$((_c + 1))
	done
	echo "$_c"
}

# vireo_driver_of DEV: driver bound to vireo device DEV, or "none".
vireo_driver_of() {
	sysfs_driver "/sys/bus/vireo/devices/$1"
}

# feature_bit DEV BIT: '0' or '1' from DEV's features attribute.
feature_bit() {
	cut -c "$(($2 + 1))" "/sys/bus/vireo/devices/$1/features"
}

# check_vireo_dev DEV TYPE: sysfs attributes of a bound vireo device.
check_vireo_dev() {
	_p=/sys/bus/vireo/devices/$1
	check "$1 exists" test -d "$_p" || return 1
	expect_eq "$1 device id" "$(cat "$_p/device")" "$2"
	expect_eq "$1 vendor" "$(cat "$_p/vendor")" 0x1af4
	_f=$(cat "$_p/features")
	expect_eq "$1 features length" "${#_f}" 64
	case $_f in
	*[!01]*) fail "$1 features has characters other than 0/1: '$_f'" ;;
	*) ok "$1 features well formed" ;;
	esac
	_s=$(cat "$_p/status")
	case $_s in
	0x????????) ;;
	*) fail "$1 status not 0x%08x: '$_s'" ;;
	esac
	if [ $((_s & 4)) -ne 0 ]; then
		ok "$1 status $_s has DRIVER_OK"
	else
		fail "$1 status $_s lacks DRIVER_OK (0x4)"
	fi
	log "$1: status $_s features $_f modalias $(cat "$_p/modalias")"
}

# expect_feature DEV BIT WANT NAME
expect_feature() {
	expect_eq "$1 feature bit $2 ($4)" "$(feature_bit "$1" "$2")" "$3"
}

# rng_available_has NAME
rng_available_has() {
	tr ' ' '\n' <"$RNG_SYS/rng_available" | grep -qx "$1"
}

# rng_select NAME: make NAME the current hwrng.
rng_select() {
	echo "$1" >"$RNG_SYS/rng_current" 2>/dev/null
	expect_eq "rng_current after selecting $1" "$(cat "$RNG_SYS/rng_current")" "$1"
}

# rng_read NAME BYTES FILE: read BYTES from /dev/hwrng with NAME current;
# the read must complete within 120 s and return exactly BYTES.
rng_read() {
	rng_select "$1" || return 1
	_t0=$(cut -d' ' -f1 /proc/uptime)
	if ! run_deadline 120 sh -c "head -c $2 /dev/hwrng >$3"; then
		fail "reading $2 bytes from $1"
		return 1
	fi
	_t1=$(cut -d' ' -f1 /proc/uptime)
	_size=$(wc -c <"$3")
	expect_eq "bytes read from $1" "$_size" "$2" || return 1
	RNG_READ_SECS=$(awk "BEGIN { printf \"%.2f\", $_t1 - $_t0 }")
	log "read $2 bytes from $1 in ${RNG_READ_SECS}s"
}

# rng_nb_read BYTES: one O_NONBLOCK read of the current hwrng; prints
# "read N" or "errno NAME", or "hung" if it did not return within 3 s
# (the hwrng core may hold its mutex for our 1 s bounded wait).
rng_nb_read() {
	timeout 3 nbread /dev/hwrng "$1" 2>&1 || echo hung
}

# uptime_cs: seconds since boot in hundredths.
uptime_cs() {
	awk '{ printf "%d", $1 * 100 }' /proc/uptime
}

# rng_nb_expect NAME WANT TRIES: up to TRIES non-blocking reads of NAME,
# 100 ms apart, until one prints a line starting with WANT ("read [1-9]"
# for data, "errno EAGAIN" for none ready) within 0.5 s. A driver that
# slept in a non-blocking read would take its whole 1 s bounded wait, so
# it can never pass; the retries absorb moments when the hwrng fill
# thread holds the core's mutex. Any "hung" fails at once.
rng_nb_expect() {
	_n=$3
	while [ "$_n" -gt 0 ]; do
		_t0=$(uptime_cs)
		_r=$(rng_nb_read 64)
		_dt=$(($(uptime_cs) - _t0))
		case $_r in
		hung*) fail "non-blocking read of $1 blocked"; return 1 ;;
		$2*)
			if [ "$_dt" -lt 50 ]; then
				ok "non-blocking read of $1: $_r in ${_dt}0 ms"
				return 0
			fi ;;
		esac
		usleep 100000
		_n=$((_n - 1))
	done
	fail "no non-blocking read of $1 gave '$2' within 0.5 s (last: $_r, ${_dt}0 ms)"
}

# start_blocked_reader: start a 64 KiB dd from /dev/hwrng in the
# background (READER is its pid) and check it is still blocked after 3 s,
# as it must be on a starved device.
start_blocked_reader() {
	dd if=/dev/hwrng of=/tmp/x bs=1k count=64 2>/tmp/dd.err &
	READER=$!
	sleep 3
	if kill -0 "$READER" 2>/dev/null; then
		ok "reader blocked in /dev/hwrng"
	else
		fail "reader finished early (rate limit not in effect?)"
		diag_lines </tmp/dd.err
	fi
}

# expect_reader_failed WHAT: the reader from start_blocked_reader must
# exit within 5 s of WHAT, with a non-zero status.
expect_reader_failed() {
	_n=50
	while kill -0 "$READER" 2>/dev/null && [ $_n -gt 0 ]; do
		usleep 100000
		_n=$((_n - 1))
	done
	if kill -0 "$READER" 2>/dev/null; then
		fail "reader still blocked 5 s after $1"
		return 1
	fi
	wait "$READER"
	_st=$?
	log "reader exit status $_st, $(wc -c </tmp/x) bytes read; dd said: $(tr '\n' ' ' </tmp/dd.err)"
	if [ $_st -ne 0 ]; then
		ok "reader failed with status $_st after $1"
	else
		fail "reader exited 0 after $1"
	fi
}

# expect_intx DEV WHY: DEV's interrupts went through INTx: its line is on
# the IO-APIC and counted interrupts, and no vireo line is on PCI-MSI.
expect_intx() {
	grep vireo /proc/interrupts | diag_lines "irq: "
	check "$1 is on the IO-APIC ($2)" irq_on "$1" IO-APIC
	_irqs=$(irq_count "$1")
	check "$1 handled interrupts ($_irqs)" test "$_irqs" -gt 0
	check_not "no vireo line on PCI-MSI" irq_on 'vireo[0-9a-z-]*' PCI-MSI
}

# all_zero FILE: FILE holds only zero bytes.
all_zero() {
	head -c "$(wc -c <"$1")" /dev/zero | cmp -s "$1" -
}

# check_random FILE WHAT: FILE must look random, not stuck or repeated:
#  - >= 250 distinct byte values in its first 64 KiB;
#  - no repeated 16-byte line among its first 1 MiB (a stale or
#    reused buffer, or runs of zeroes, repeat lines; random data
#    does not, about 2^-100 odds);
#  - its two halves differ.
check_random() {
	_f=$1
	_size=$(wc -c <"$_f")
	_distinct=$(head -c 65536 "$_f" | od -An -v -tu1 | tr -s ' ' '\n' |
		grep -v '^$' | sort -u | wc -l)
	if [ "$_distinct" -ge 250 ]; then
		ok "$2: $_distinct distinct byte values"
	else
		fail "$2: only $_distinct distinct byte values (want >= 250)"
	fi
	_dups=$(head -c 1048576 "$_f" | od -An -v -tx1 -w16 | sort | uniq -d | wc -l)
	if [ "$_dups" -eq 0 ]; then
		ok "$2: no repeated 16-byte blocks"
	else
		fail "$2: $_dups repeated 16-byte blocks, e.g.:"
		head -c 1048576 "$_f" | od -An -v -tx1 -w16 | sort | uniq -dc |
			sort -rn | head -n 3 | diag_lines
	fi
	_half=$((_size / 2))
	head -c "$_half" "$_f" >/tmp/.h1
	tail -c "$_half" "$_f" >/tmp/.h2
	check_not "$2: halves differ" cmp -s /tmp/.h1 /tmp/.h2
	rm -f /tmp/.h1 /tmp/.h2
}

# irq_lines NAME: /proc/interrupts lines whose action list holds NAME.
irq_lines() {
	grep -E "[[:space:],]$1(,|[[:space:]]*\$)" /proc/interrupts
}

# irq_on NAME CHIP: NAME's /proc/interrupts line names irq chip CHIP
# (e.g. PCI-MSI, which also matches 6.12's PCI-MSIX-<bdf>, or IO-APIC).
irq_on() {
	irq_lines "$1" | grep -q "$2"
}

# irq_count NAME: interrupts handled on NAME's line, summed over CPUs.
irq_count() {
	irq_lines "$1" | awk '{ for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i }
		END { print n + 0 }'
}

# check_clean: nothing of ours is left after unloading everything.
check_clean() {
	check_not "no /sys/bus/vireo" test -e /sys/bus/vireo
	_left=$(ls -d /sys/module/vireo_* 2>/dev/null)
	expect_eq "no vireo modules in /sys/module" "$_left" ""
	check_not "no vireo hwrng in rng_available" grep -q vireo "$RNG_SYS/rng_available"
	check_not "no vireo IRQ in /proc/interrupts" grep -q vireo /proc/interrupts
}

# show_pci: one line per PCI device (busybox has no lspci).
show_pci() {
	for _d in /sys/bus/pci/devices/*; do
		log "pci $(basename "$_d") $(cat "$_d/vendor"):$(cat "$_d/device") subsys $(cat "$_d/subsystem_device") driver $(pci_driver "$(basename "$_d")")"
	done
}

# ---------------------------------------------------------------------------
# Block tests (tests/blk/).  Disks are found through their PCI function,
# so the same scripts run against vireo_blk (vblkN under a vireoN device)
# and, with vireo.blkref=1 (host: tools/vm/run.py --ref, 6.12 only),
# against the in-kernel virtio_blk (vdX under virtioN) as a reference
# that tells script bugs from driver bugs.

BLK_MODULES="vireo_ring vireo_core vireo_pci vireo_blk"
# The PCI function of the (first) disk in the blk tests (addr=0x6).
BLK_BDF=0000:00:06.0
MIB=1048576

# blk_ref: the test runs against the in-kernel reference driver.
blk_ref() {
	grep -qw vireo.blkref=1 /proc/cmdline
}

# qmp JSON: have the host send JSON to QEMU's QMP monitor
# (the host's relay, tools/vm/qmp.py, watches the console for it).  Nothing
# comes back: poll for the command's effect.
qmp() {
	log "asking the host for QMP $*"
	echo "VIREO-QMP: $*"
}

# writer_wait PID SECS WHAT: wait at most SECS for the writer PID to end;
# if it does not, fail ("writer still running SECS s after WHAT"), mark
# the boot stuck (a writer that never ends holds locks the rest would
# wait for) and return 1.
writer_wait() {
	_n=$(($2 * 10))
	while kill -0 "$1" 2>/dev/null && [ $_n -gt 0 ]; do
		usleep 100000
		_n=$((_n - 1))
	done
	kill -0 "$1" 2>/dev/null || return 0
	fail "writer still running $2 s after $3"
	mark_stuck
	return 1
}

# blk_stall_setup: the disk of a stall test, loaded and found (DISK),
# with a 20 s hung-task timeout (a hang fails the run) and a 2 s
# io_timeout (recovery within seconds).
blk_stall_setup() {
	blk_load || return 1
	blk_wait_disk $BLK_BDF || return 1
	blk_expect_driver "$DISK"
	echo 20 >/proc/sys/kernel/hung_task_timeout_secs
	echo 2000 >"/sys/block/$DISK/queue/io_timeout"
}

# blk_throttle BPS: limit the disk to BPS bytes/s (0: no limit) through
# the throttle group tg0 of the test's throttle filter node.  At 1
# byte/s QEMU holds every new request: a device that stops answering.
blk_throttle() {
	qmp "{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/objects/tg0\", \"property\": \"limits\", \"value\": {\"bps-total\": $1}}}"
}

# blk_load: load the driver under test (our stack, or virtio_blk.ko).
blk_load() {
	if blk_ref; then
		check "insmod virtio_blk (reference run)" \
			run_deadline 60 insmod "$VIREO_KO/virtio_blk.ko"
		return
	fi
	# shellcheck disable=SC2086 # module names: split on purpose
	load_stack $BLK_MODULES
}

# blk_unload: unload what blk_load loaded; nothing of it may be left.
blk_unload() {
	if blk_ref; then
		check "rmmod virtio_blk (reference run)" run_deadline 30 rmmod virtio_blk
		return
	fi
	# shellcheck disable=SC2086 # module names: split on purpose
	unload_stack $BLK_MODULES || return 1
	check_not "no /sys/bus/vireo" test -e /sys/bus/vireo
	_left=$(ls -d /sys/module/vireo_* 2>/dev/null)
	expect_eq "no vireo modules in /sys/module" "$_left" ""
	_left=$(ls -d /sys/block/vblk* 2>/dev/null)
	expect_eq "no vblk disks left" "$_left" ""
	check_not "no vireo IRQ in /proc/interrupts" grep -q vireo /proc/interrupts
}

# blk_disk_of BDF: name of the disk (vblkN or vdX) on PCI function BDF.
blk_disk_of() {
	for _b in /sys/block/*; do
		case $(readlink -f "$_b") in
		*/"$1"/*/block/*) basename "$_b"; return 0 ;;
		esac
	done
	return 1
}

# blk_wait_disk BDF [SECS]: wait for the disk on BDF; DISK is its name.
blk_wait_disk() {
	DISK=
	if ! wait_for "${2:-10}" blk_disk_of "$1"; then
		fail "no disk appeared on $1 within ${2:-10}s"
		ls /sys/block | diag_lines "block: "
		return 1
	fi
	DISK=$(blk_disk_of "$1")
	# devtmpfs creates the node right after the disk's uevent.
	wait_for 5 test -b "/dev/$DISK"
	check "disk $DISK on $1 has a block device node" test -b "/dev/$DISK"
}

# blk_vdev DISK: the transport device the disk hangs off (vireoN, virtioN),
# which also prefixes its IRQ names ("vireo0-req.0").
blk_vdev() {
	basename "$(dirname "$(dirname "$(readlink -f "/sys/block/$1")")")"
}

# blk_bytes DISK: capacity in bytes (sysfs size is in 512-byte sectors).
blk_bytes() {
	echo $(($(cat "/sys/block/$1/size") * 512))
}

# blk_bytes_is DISK BYTES: DISK's capacity is BYTES (for wait_for).
blk_bytes_is() {
	[ "$(blk_bytes "$1")" = "$2" ]
}

# blk_expect_driver DISK: DISK is driven by the driver under test.
blk_expect_driver() {
	_v=$(blk_vdev "$1")
	if blk_ref; then
		case $_v in
		virtio[0-9]*) ok "$1 is on in-kernel $_v" ;;
		*) fail "$1 hangs off '$_v', not a virtioN device" ;;
		esac
		return
	fi
	case $1 in
	vblk[0-9]*) ok "$1 has a vireo_blk name" ;;
	*) fail "disk '$1' is not named vblkN" ;;
	esac
	expect_eq "$1 parent $_v driver" "$(vireo_driver_of "$_v")" vireo_blk
}

# blk_expect_feature DISK BIT WANT NAME: negotiated feature (vireo only;
# the reference's virtio sysfs is not ours to check).
blk_expect_feature() {
	blk_ref && return 0
	expect_feature "$(blk_vdev "$1")" "$2" "$3" "$4"
}

# blkpat_run DESC ARGS...: run blkpat with a deadline of 600 s and log
# its output; ok if it exits 0.  BLKPAT_WRAP (e.g. "taskset -c 1") is
# put in front of the command.
BLKPAT_WRAP=
blkpat_run() {
	_desc=$1
	shift
	# shellcheck disable=SC2086 # BLKPAT_WRAP: a command prefix
	run_deadline 600 $BLKPAT_WRAP blkpat "$@" >/tmp/.blkpat 2>&1
	_st=$?
	diag_lines </tmp/.blkpat
	if [ $_st -eq 0 ]; then
		ok "$_desc"
		return 0
	fi
	fail "$_desc (blkpat $*: status $_st)"
	return 1
}

# blk_pattern DEV [SEEDBASE]: blk-pattern's run on DEV: an O_DIRECT
# pattern write then read-back over the whole device at 4 KiB, 64 KiB
# and 1 MiB, each pass with its own seed (so data a pass failed to write
# shows as a mismatch).  Then prove the check can fail: one 4 KiB block
# overwritten with another seed must be found, at its offset, and the
# repaired device must verify again.
blk_pattern() {
	_dev=$1
	_seed=${2:-100}
	_size=$(blockdev --getsize64 "$_dev")
	log "pattern on $_dev ($_size bytes)"
	for _bs in 4K 64K 1M; do
		_seed=$((_seed + 1))
		blkpat_run "$_dev: O_DIRECT pattern write at $_bs" \
			-b $_bs -s "$_seed" write "$_dev" || return 1
		blkpat_run "$_dev: O_DIRECT read-back at $_bs" \
			-b $_bs -s "$_seed" verify "$_dev" || return 1
	done
	# Self-test of the verifier on this very device.
	_at=$((_size / 2 + 12288))
	blkpat_run "$_dev: overwrite 4 KiB at $_at with another pattern" \
		-b 4K -s 7 -o $_at -l 4K write "$_dev" || return 1
	run_deadline 600 blkpat -b 1M -s "$_seed" verify "$_dev" >/tmp/.blkpat 2>&1
	_st=$?
	diag_lines </tmp/.blkpat
	if [ $_st -eq 1 ] && grep -q "MISMATCH: 8 bad sectors .* first at $_at:" /tmp/.blkpat; then
		ok "$_dev: verifier finds the overwritten block (8 sectors at $_at)"
	else
		fail "$_dev: verifier missed the overwritten block at $_at (status $_st)"
	fi
	blkpat_run "$_dev: repair the block" -b 4K -s "$_seed" -o $_at -l 4K write "$_dev"
	blkpat_run "$_dev: verify after repair" -b 1M -s "$_seed" verify "$_dev"
}

# kmod_load: insmod the in-kernel modules the initramfs carries for the
# tests (ext4 and its dependencies, crc32c for its checksums), in
# dependency order, skipping loaded ones.  No modprobe in the guest.
kmod_load() {
	[ -f "$VIREO_KO/kmod/order" ] || return 0
	for _m in $(cat "$VIREO_KO/kmod/order"); do
		[ -d "/sys/module/$_m" ] && continue
		check "insmod $_m (in-kernel)" run_deadline 60 insmod "$VIREO_KO/kmod/$_m.ko" ||
			return 1
	done
}

# blk_no_io_errors DISK: the kernel logged no I/O error for DISK.
blk_no_io_errors() {
	_e=$(dmesg | grep -E "(error|Buffer I/O).*dev $1" | head -n 5)
	if [ -z "$_e" ]; then
		ok "no I/O errors logged for $1"
	else
		fail "I/O errors logged for $1:"
		echo "$_e" | diag_lines
	fi
}

# blk_irq_show: log the transport IRQ lines of vireo and virtio devices.
blk_irq_show() {
	grep -E 'vireo|virtio' /proc/interrupts | diag_lines "irq: "
}

# kmemleak_reset: forget what kmemleak suspects so far (the kernel's own
# boot-time objects), so that kmemleak_check judges only what follows.
# kmemleak reports objects only once they are 5 s old.
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_reset() {
	[ -w $KMEMLEAK ] || return 0
	while [ "$(cut -d. -f1 /proc/uptime)" -lt 6 ]; do sleep 1; done
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
}

# kmemleak_check: no suspected leak since kmemleak_reset (a kernel
# without kmemleak, such as Debian's, skips the check).
kmemleak_check() {
	if [ ! -w $KMEMLEAK ]; then
		skip "kmemleak finds no leak" "no kmemleak in this kernel"
		return 0
	fi
	sleep 6
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >/tmp/.kmemleak
	_n=$(grep -c '^unreferenced object' /tmp/.kmemleak)
	if [ "$_n" -eq 0 ]; then
		ok "kmemleak finds no leak"
		return 0
	fi
	fail "kmemleak finds no leak ($_n suspected)"
	head -n 60 /tmp/.kmemleak | diag_lines
	return 1
}

# kunit_suites: each KUnit suite's results (debugfs) as a subtest of the
# test: the suite's own document with its "KTAP version 1" and "1..1"
# lines dropped, its nested lines kept, and its result line numbered
# among the test's checks.  A suite cut short (a crash) keeps its plan,
# so the host sees the missing cases.
kunit_suites() {
	for _d in /sys/kernel/debug/kunit/*; do
		[ -f "$_d/results" ] || continue
		awk 'NR > 2 && !/^(not )?ok / { print "  " $0 }' "$_d/results"
		_last=$(grep -E '^(not )?ok ' "$_d/results" | tail -n 1)
		case $_last in
		ok*) ok "${_d##*/}" ;;
		*) fail "${_d##*/}" ;;
		esac
	done
}
