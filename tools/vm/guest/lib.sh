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
# and, with vireo.ref=1 (host: tools/vm/run.py --ref, 6.12 only),
# against the in-kernel virtio_blk (vdX under virtioN) as a reference
# that tells script bugs from driver bugs.

BLK_MODULES="vireo_ring vireo_core vireo_pci vireo_blk"
# The PCI function of the (first) disk in the blk tests (addr=0x6).
BLK_BDF=0000:00:06.0
MIB=1048576

# blk_ref: the test runs against the in-kernel reference driver.
blk_ref() {
	grep -qw vireo.ref=1 /proc/cmdline
}

# qmp JSON: have the host send JSON to QEMU's QMP monitor
# (the host's relay, tools/vm/qmp.py, watches the console for it).  Nothing
# comes back: poll for the command's effect.
qmp() {
	log "asking the host for QMP $*"
	echo "VIREO-QMP: $*"
}

# qmp_back_open: open the back channel of QMP replies, ttyS1, as fd 7 of
# the calling shell, once, before any qmp_query (which may then run in a
# subshell); kept open so that the UART's FIFO is never reset under a
# reply.
qmp_back_open() {
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	exec 7</dev/ttyS1
}

# back_tag: the next number for a request on the back channel (qmp_query's
# QMP id, console_host's tag), kept in a file so that calls in $(...)
# subshells count too.
back_tag() {
	_bt=$(($(cat "$VIREO_RUN/back_tag" 2>/dev/null || echo 0) + 1))
	echo $_bt >"$VIREO_RUN/back_tag"
	echo $_bt
}

# qmp_query JSON: like qmp, and print QEMU's reply (one JSON line), which
# the host's relay writes to the back channel; status 1 if none came
# within 20 s.  The command gets a QMP "id" (back_tag) and only the reply that carries it counts: a reply left over
# from an earlier command, or from one that timed out, is skipped and
# logged.  The back channel is read by backline, not the shell's read:
# see tools/vm/guest/src/backline.c.
qmp_query() {
	_qid=$(back_tag)
	qmp "${1%\}}, \"id\": $_qid}" >/dev/console
	_qend=$(($(cut -d. -f1 /proc/uptime) + 20))
	while :; do
		_qleft=$((_qend - $(cut -d. -f1 /proc/uptime)))
		[ $_qleft -gt 0 ] || return 1
		_reply=$(backline "$_qleft" <&7) || return 1
		# The relay writes keys sorted: "error" < "id" < "return".
		case $_reply in
		'{"id": '$_qid', '* | *'}, "id": '$_qid'}') break ;;
		esac
		log "qmp_query $_qid: skipped a stale reply: $_reply" >/dev/console
	done
	echo "$_reply"
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

# ---------------------------------------------------------------------------
# Network tests (tests/net/).  Two NICs on one wire: a QEMU hub
# (topology A, devices "netdev:hubport,...") or two taps on a bridge in
# the host's private namespace (topology B, "tap:ID", testing.rst).  NIC
# A (PCI 00:04.0) stays in the initial network namespace; NIC B (00:05.0)
# moves into a namespace of its own, the peer's, so traffic between them
# crosses the emulated wire.  Interfaces are found through their PCI
# function, so the same scripts run against vireo_net and, with
# vireo.ref=1 (tools/vm/run.py --ref, both kernels), the in-kernel
# virtio_net as a reference.  Traffic is vnetperf's (tools/vm/guest/src).

NET_MODULES="vireo_ring vireo_core vireo_pci vireo_net"
NET_A=0000:00:04.0
NET_B=0000:00:05.0
NET_MAC_A=52:54:00:00:00:0a
NET_MAC_B=52:54:00:00:00:0b
NET_IP_A=10.0.0.1
NET_IP_B=10.0.0.2
NET_PORT=5201
# Set by net_pair: the interfaces of A and B, and the peer's pid.
NA=
NB=
PEER=

# net_ref: the test runs against the in-kernel virtio_net.
net_ref() { blk_ref; }

# net_driver: the driver under test.
net_driver() {
	if net_ref; then echo virtio_net; else echo vireo_net; fi
}

# kmod_insmod NAME [PARAM...]: insmod the in-kernel module NAME of the
# image (/lib/vireo/kmod, see mkinitramfs.sh) after its dependencies;
# loaded and built-in ones are skipped.
kmod_insmod() {
	_km=$1
	shift
	# shellcheck disable=SC2013 # one line of words
	for _d in $(sed -n "s/^$_km: //p" "$VIREO_KO/kmod/deps" 2>/dev/null); do
		[ -d "/sys/module/$_d" ] && continue
		check "insmod $_d (in-kernel)" run_deadline 60 insmod "$VIREO_KO/kmod/$_d.ko" ||
			return 1
	done
	if [ -d "/sys/module/$_km" ] && [ $# -eq 0 ]; then
		return 0
	fi
	check "insmod $_km${*:+ $*} (in-kernel)" run_deadline 60 insmod "$VIREO_KO/kmod/$_km.ko" "$@"
}

# net_load: load the driver under test: vireo's stack with vireo_net, or
# in a reference run virtio_net (and 6.1's modular virtio_pci first).
net_load() {
	if net_ref; then
		if [ -f "$VIREO_KO/kmod/virtio_pci.ko" ]; then
			kmod_insmod virtio_pci || return 1
		fi
		kmod_insmod virtio_net
		return
	fi
	check "vireo_net.ko is in the image" test -f "$VIREO_KO/vireo_net.ko" || return 1
	# shellcheck disable=SC2086 # module names: split on purpose
	load_stack $NET_MODULES
}

# net_unload: unload what net_load loaded; no interface of it is left.
net_unload() {
	if net_ref; then
		check "rmmod virtio_net (reference run)" run_deadline 30 rmmod virtio_net
	else
		# shellcheck disable=SC2086 # module names: split on purpose
		unload_stack $NET_MODULES || return 1
		check_not "no /sys/bus/vireo" test -e /sys/bus/vireo
		check_not "no vireo IRQ in /proc/interrupts" grep -q vireo /proc/interrupts
	fi
	_left=$(ls /sys/bus/pci/devices/$NET_A/*/net /sys/bus/pci/devices/$NET_B/*/net 2>/dev/null)
	expect_eq "no interface left on the NICs" "$_left" ""
}

# net_if_of BDF: the interface on PCI function BDF (in this namespace).
net_if_of() {
	# Not _n: wait_for counts with it.
	for _nif in /sys/bus/pci/devices/"$1"/*/net/*; do
		[ -e "$_nif" ] && basename "$_nif" && return 0
	done
	return 1
}

# net_wait_if BDF [SECS]: wait for BDF's interface; NETIF is its name.
net_wait_if() {
	NETIF=
	if ! wait_for "${2:-15}" net_if_of "$1"; then
		fail "no interface appeared on $1 within ${2:-15}s"
		echo /sys/class/net/* | diag_lines "net: "
		return 1
	fi
	NETIF=$(net_if_of "$1")
	ok "interface $NETIF on $1"
}

# net_vdev IF: the transport device under IF (virtioN or vireoN), which
# also names its IRQs.
net_vdev() {
	basename "$(readlink -f "/sys/class/net/$1/device")"
}

# net_expect_driver IF: IF is driven by the driver under test, in sysfs
# and in ethtool -i (vireo_net: its bus info is the PCI function too).
net_expect_driver() {
	_drv=$(basename "$(readlink -f "/sys/class/net/$1/device/driver")")
	expect_eq "$1 driver" "$_drv" "$(net_driver)"
	if ! command -v ethtool >/dev/null; then
		skip "ethtool -i $1" "no ethtool in the image (make deps)"
		return
	fi
	_ei=$(ethtool -i "$1" 2>&1)
	expect_eq "ethtool -i $1 driver" "$(echo "$_ei" | sed -n 's/^driver: //p')" "$(net_driver)"
	net_ref && return
	expect_eq "ethtool -i $1 bus-info" "$(echo "$_ei" | sed -n 's/^bus-info: //p')" \
		"$(basename "$(dirname "$(readlink -f "/sys/class/net/$1/device")")")"
}

# in_peer CMD...: run CMD in the peer's network namespace.
in_peer() {
	nsenter -t "$PEER" -n "$@"
}

# on SIDE CMD...: run CMD on side a (here) or b (the peer).
on() {
	_side=$1
	shift
	if [ "$_side" = b ]; then in_peer "$@"; else "$@"; fi
}

# peer_start: a process in a new network namespace (PEER, its pid).
peer_start() {
	unshare -n sleep 100000 &
	PEER=$!
	_me=$(readlink /proc/self/ns/net)
	wait_for 5 sh -c "[ \"\$(readlink /proc/$PEER/ns/net)\" != '$_me' ]"
	check "peer namespace created" test "$(readlink /proc/$PEER/ns/net)" != "$_me"
	in_peer ip link set lo up
}

# net_has_carrier SIDE IF: IF is up with carrier (LOWER_UP).
net_has_carrier() {
	on "$1" ip link show "$2" | grep -q LOWER_UP
}

# net_addr SIDE IF IP: address IF with IP/24, bring it up, wait for carrier.
net_addr() {
	on "$1" ip addr add "$3/24" dev "$2"
	check "$2 up ($1 side)" on "$1" ip link set "$2" up
	wait_for 10 net_has_carrier "$1" "$2"
	check "$2 has carrier ($1 side)" net_has_carrier "$1" "$2"
}

# net_pair: load the driver, find A and B (NA, NB) with their driver and
# MACs, move B into the peer's namespace, address both (IPv4; IPv6
# link-local comes by itself) and ping once each way.  Opens the QMP
# back channel (qmp_query).
net_pair() {
	qmp_back_open
	net_load || return 1
	net_wait_if $NET_A || return 1
	NA=$NETIF
	net_wait_if $NET_B || return 1
	NB=$NETIF
	net_expect_driver "$NA"
	net_expect_driver "$NB"
	expect_eq "$NA MAC" "$(cat "/sys/class/net/$NA/address")" $NET_MAC_A
	expect_eq "$NB MAC" "$(cat "/sys/class/net/$NB/address")" $NET_MAC_B
	net_pair_ns
}

# net_pair_ns: the second half of net_pair (NA, NB found): namespaces,
# addresses, first pings.
net_pair_ns() {
	if [ -z "$PEER" ] || ! kill -0 "$PEER" 2>/dev/null; then
		peer_start
	fi
	check "move $NB into the peer namespace" ip link set "$NB" netns "$PEER" || return 1
	net_addr a "$NA" $NET_IP_A
	net_addr b "$NB" $NET_IP_B
	# The first ping also resolves ARP; allow for it.
	wait_for 10 ping -c 1 -W 1 $NET_IP_B
	check "ping $NET_IP_B from A" ping -c 3 -W 2 $NET_IP_B
	check "ping $NET_IP_A from B" in_peer ping -c 3 -W 2 $NET_IP_A
}

# net_stat SIDE IF FIELD: a /proc/net/dev counter of IF on SIDE (a, b):
# rx_bytes rx_packets rx_errs rx_drop rx_multicast tx_bytes tx_packets
# tx_errs tx_drop.  (The peer's /sys still shows the initial namespace.)
net_stat() {
	case $3 in
	rx_bytes) _f=1 ;; rx_packets) _f=2 ;; rx_errs) _f=3 ;; rx_drop) _f=4 ;;
	rx_multicast) _f=8 ;; tx_bytes) _f=9 ;; tx_packets) _f=10 ;;
	tx_errs) _f=11 ;; tx_drop) _f=12 ;;
	*) echo 0; return 1 ;;
	esac
	on "$1" cat /proc/net/dev | awk -v i="$2" -v f=$_f '
		{ sub(/^ */, "") }
		index($0, i ":") == 1 { sub(/^[^:]*: */, ""); split($0, a, " "); print a[f] }'
}

# kv LINE KEY: the value of KEY=value in a VNETPERF line.
kv() {
	echo "$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}

# _ip_of SIDE: the IPv4 address of side a or b; _other SIDE.
_ip_of() { if [ "$1" = b ]; then echo $NET_IP_B; else echo $NET_IP_A; fi; }
_other() { if [ "$1" = b ]; then echo a; else echo b; fi; }

# _vnp_server SIDE MODE TAG: start vnetperf MODE on SIDE in the background
# (VNP_PID), output in /tmp/vnp-TAG.srv, and wait until it listens.
_vnp_server() {
	rm -f "/tmp/vnp-$3.ready"
	on "$1" vnetperf "$2" -p "${VNP_PORT:-$NET_PORT}" -R "/tmp/vnp-$3.ready" -w 60 \
		>"/tmp/vnp-$3.srv" 2>&1 &
	VNP_PID=$!
	wait_for 10 test -f "/tmp/vnp-$3.ready"
}

# _vnp_server_wait TAG: the server's status (it must end within 60 s).
_vnp_server_wait() {
	_n=600
	while kill -0 "$VNP_PID" 2>/dev/null && [ $_n -gt 0 ]; do
		usleep 100000
		_n=$((_n - 1))
	done
	if kill -0 "$VNP_PID" 2>/dev/null; then
		kill "$VNP_PID" 2>/dev/null
		echo "server still running" >>"/tmp/vnp-$1.srv"
	fi
	wait "$VNP_PID"
}

# net_tcp DESC FROM BYTES [ARGS...]: a checksummed TCP stream of BYTES from
# side FROM (a, b) to the other side, which checks every byte against the
# pattern; ok only if both ends agree on the count and the checksum.
# ARGS go to the sender (e.g. -l 1400, -X OFF); VNP_WRAP (e.g. "taskset
# -c 1") is put in front of it.  NET_LINE, NET_RLINE:
# the sender's and receiver's lines; NET_MBIT the rate.
net_tcp() {
	_desc=$1 _from=$2 _bytes=$3
	shift 3
	_to=$(_other "$_from")
	_vnp_server "$_to" tcp-recv tcp
	# shellcheck disable=SC2086 # VNP_WRAP: a command prefix
	run_deadline 300 on "$_from" $VNP_WRAP vnetperf tcp-send -c "$(_ip_of "$_to")" \
		-p "${VNP_PORT:-$NET_PORT}" -n "$_bytes" "$@" >/tmp/vnp-tcp.cli 2>&1
	_st=$?
	_vnp_server_wait tcp
	_rst=$?
	NET_LINE=$(grep '^VNETPERF' /tmp/vnp-tcp.cli)
	NET_RLINE=$(grep '^VNETPERF' /tmp/vnp-tcp.srv)
	NET_MBIT=$(kv "$NET_LINE" mbit)
	cat /tmp/vnp-tcp.cli /tmp/vnp-tcp.srv | diag_lines
	if [ $_st -eq 0 ] && [ $_rst -eq 0 ] &&
		[ "$(kv "$NET_RLINE" bytes)" = "$_bytes" ] &&
		[ "$(kv "$NET_RLINE" csum)" = "$(kv "$NET_LINE" csum)" ]; then
		ok "$_desc: $_bytes bytes $_from->$_to, checksums match at both ends ($NET_MBIT Mbit/s)"
		return 0
	fi
	fail "$_desc: TCP $_from->$_to of $_bytes bytes (sender status $_st, receiver $_rst)"
	return 1
}

# net_tcp_selftest FROM: the stream check can fail: one byte flipped on
# the wire side must be found by the receiver and the checksums differ.
net_tcp_selftest() {
	_to=$(_other "$1")
	_vnp_server "$_to" tcp-recv tcp
	run_deadline 120 on "$1" vnetperf tcp-send -c "$(_ip_of "$_to")" -n 1M -X 333333 \
		>/tmp/vnp-tcp.cli 2>&1
	_st=$?
	_vnp_server_wait tcp
	_rline=$(grep '^VNETPERF' /tmp/vnp-tcp.srv)
	if [ $_st -eq 1 ] && [ "$(kv "$_rline" bad)" = 1 ] &&
		[ "$(kv "$_rline" first_bad)" = 333333 ]; then
		ok "the stream check finds one flipped byte (at 333333)"
	else
		fail "the stream check missed a flipped byte (sender status $_st)"
		cat /tmp/vnp-tcp.cli /tmp/vnp-tcp.srv | diag_lines
	fi
}

# net_udp DESC FROM COUNT LEN [MAXLOSS [PPS]]: COUNT datagrams of LEN
# bytes from side FROM; the receiver must see no corrupt or duplicate
# datagram and account for every one (received + lost = sent); with
# MAXLOSS, a loss above MAXLOSS percent fails.  PPS paces the sender.
net_udp() {
	_desc=$1 _from=$2 _count=$3 _len=$4 _max=${5:-} _pps=${6:-0}
	_to=$(_other "$_from")
	_vnp_server "$_to" udp-recv udp
	run_deadline 300 on "$_from" vnetperf udp-send -c "$(_ip_of "$_to")" \
		-p "${VNP_PORT:-$NET_PORT}" -n "$_count" -l "$_len" -r "$_pps" >/tmp/vnp-udp.cli 2>&1
	_st=$?
	_vnp_server_wait udp
	_rst=$?
	NET_LINE=$(grep '^VNETPERF' /tmp/vnp-udp.cli)
	NET_RLINE=$(grep '^VNETPERF' /tmp/vnp-udp.srv)
	cat /tmp/vnp-udp.cli /tmp/vnp-udp.srv | diag_lines
	_recv=$(kv "$NET_RLINE" recv)
	_lost=$(kv "$NET_RLINE" lost)
	_loss=$(kv "$NET_RLINE" loss_pct)
	if [ $_st -ne 0 ] || [ $_rst -ne 0 ] || [ "$(kv "$NET_RLINE" sent)" != "$_count" ] ||
		[ $((_recv + _lost)) -ne "$_count" ]; then
		fail "$_desc: UDP $_from->$_to, $_count x $_len bytes (sender status $_st, receiver $_rst)"
		return 1
	fi
	if [ -n "$_max" ] && ! awk "BEGIN { exit !($_loss <= $_max) }"; then
		fail "$_desc: UDP $_from->$_to lost $_loss% of $_count (more than $_max%)"
		return 1
	fi
	ok "$_desc: UDP $_from->$_to, $_recv of $_count x $_len bytes received intact, $_lost lost ($_loss%)"
}

# net_rr DESC FROM COUNT LEN: COUNT one-at-a-time TCP transactions of
# LEN bytes from side FROM, each echo checked.
net_rr() {
	_desc=$1 _from=$2 _count=$3 _len=$4
	_to=$(_other "$_from")
	_vnp_server "$_to" rr-server rr
	run_deadline 300 on "$_from" vnetperf rr-client -c "$(_ip_of "$_to")" \
		-p "${VNP_PORT:-$NET_PORT}" -n "$_count" -l "$_len" >/tmp/vnp-rr.cli 2>&1
	_st=$?
	_vnp_server_wait rr
	_rst=$?
	NET_LINE=$(grep '^VNETPERF' /tmp/vnp-rr.cli)
	cat /tmp/vnp-rr.cli /tmp/vnp-rr.srv | diag_lines
	if [ $_st -eq 0 ] && [ $_rst -eq 0 ]; then
		ok "$_desc: $_count transactions of $_len bytes $_from->$_to ($(kv "$NET_LINE" tps)/s)"
		return 0
	fi
	fail "$_desc: TCP transactions $_from->$_to (client status $_st, server $_rst)"
	return 1
}

# net_flood_start FROM SECS [ARGS...]: a TCP stream from side FROM for
# SECS seconds in the background (FLOOD_PID the sender), on port
# NET_PORT + 1, so that other traffic can run beside it.
net_flood_start() {
	_ff=$1 _fs=$2
	shift 2
	_ft=$(_other "$_ff")
	rm -f /tmp/vnp-flood.ready
	on "$_ft" vnetperf tcp-recv -p $((NET_PORT + 1)) -R /tmp/vnp-flood.ready -w 30 \
		>/tmp/vnp-flood.srv 2>&1 &
	FLOOD_SRV=$!
	wait_for 10 test -f /tmp/vnp-flood.ready
	on "$_ff" vnetperf tcp-send -c "$(_ip_of "$_ft")" -p $((NET_PORT + 1)) -T "$_fs" -w 30 "$@" \
		>/tmp/vnp-flood.cli 2>&1 &
	FLOOD_PID=$!
}

# net_flood_wait SECS: wait at most SECS for the flood to end; its
# sender's status (124 if it did not end), receiver's output logged.
net_flood_wait() {
	_n=$(($1 * 10))
	while kill -0 "$FLOOD_PID" 2>/dev/null && [ $_n -gt 0 ]; do
		usleep 100000
		_n=$((_n - 1))
	done
	if kill -0 "$FLOOD_PID" 2>/dev/null; then
		diag_lines "flood: " </tmp/vnp-flood.cli
		for _p in $(pidof vnetperf); do
			log "vnetperf $_p: $(grep State "/proc/$_p/status") wchan $(cat "/proc/$_p/wchan")"
		done
		return 124
	fi
	wait "$FLOOD_PID"
	_fst=$?
	_n=100
	while kill -0 "$FLOOD_SRV" 2>/dev/null && [ $_n -gt 0 ]; do
		usleep 100000
		_n=$((_n - 1))
	done
	kill "$FLOOD_SRV" 2>/dev/null
	cat /tmp/vnp-flood.cli /tmp/vnp-flood.srv | diag_lines "flood: "
	return $_fst
}

# net_rx_filter NIC: QEMU's query-rx-filter of device NIC (its id=), one
# JSON line.
net_rx_filter() {
	qmp_query "{\"execute\": \"query-rx-filter\", \"arguments\": {\"name\": \"$1\"}}"
}

# json_has TEXT PATTERN: TEXT (JSON) matches the extended regex PATTERN.
json_has() {
	echo "$1" | grep -Eq "$2"
}

# net_ll6 SIDE IF: IF's IPv6 link-local address on SIDE.
net_ll6() {
	on "$1" ip -6 addr show dev "$2" | sed -n 's/.*inet6 \(fe80::[0-9a-f:]*\)\/64.*/\1/p' | head -n 1
}

# net_ll6_ready SIDE IF: IF has a link-local address past DAD.
net_ll6_ready() {
	on "$1" ip -6 addr show dev "$2" | grep 'inet6 fe80' | grep -qv tentative
}

# net_irq_show: the vireo and virtio IRQ lines.
net_irq_show() {
	grep -E 'vireo|virtio' /proc/interrupts | diag_lines "irq: "
}

# net_no_splat_msgs: nothing the drivers under test complained about.
net_log_show() {
	dmesg | grep -E 'vireo_net|virtio_net|NETDEV|eth[0-9]' | tail -n 20 | diag_lines "dmesg: "
}

# net_feature SIDE IF NAME: on or off, from ethtool -k (e.g.
# tcp-segmentation-offload); "fixed" annotations dropped.
net_feature() {
	on "$1" ethtool -k "$2" | sed -n "s/^[[:space:]]*$3: \([a-z]*\).*/\1/p"
}

# net_avg_frame SIDE IF DIR BYTES0 PKTS0: average frame size of IF's DIR
# (rx, tx) since counters BYTES0 PKTS0.
net_avg_frame() {
	_b=$(net_stat "$1" "$2" "${3}_bytes")
	_p=$(net_stat "$1" "$2" "${3}_packets")
	echo $(((_b - $4) / (_p - $5 + 1)))
}

# net_mark SIDE IF DIR: "bytes packets" of IF's DIR now, for net_avg_frame.
net_mark() {
	echo "$(net_stat "$1" "$2" "${3}_bytes") $(net_stat "$1" "$2" "${3}_packets")"
}

# net_vdev_of BDF: the transport device (virtioN, vireoN) on PCI BDF.
net_vdev_of() {
	for _v in /sys/bus/pci/devices/"$1"/virtio* /sys/bus/pci/devices/"$1"/vireo*; do
		[ -e "$_v" ] && basename "$_v" && return 0
	done
	return 1
}

# net_mtu SIDE IF: IF's MTU.
net_mtu() {
	on "$1" ip link show "$2" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}

# net_txq_count SIDE IF Q: TX queue Q's packet count from ethtool -S
# (vireo_net: txQ_packets; 6.1's virtio_net: tx_queue_Q_packets), or
# where the driver has none there (6.12's virtio_net reports packets
# through netlink queue stats), its kick count (txQ_kicks).
net_txq_count() {
	on "$1" ethtool -S "$2" | awk -v q="$3" '
		{ k = $1; sub(/:$/, "", k) }
		k ~ ("^tx[^0-9]*" q "_packets$") { p = $2 }
		k ~ ("^tx[^0-9]*" q "_kicks$") { c = $2 }
		END { print (p != "" ? p : c + 0) }'
}

# net_combined SIDE IF current|max: combined channels from ethtool -l.
net_combined() {
	on "$1" ethtool -l "$2" | awk -v w="$3" '
		/^Pre-set maximums/ { s = "max" } /^Current hardware/ { s = "current" }
		/^Combined:/ && s == w { print $2; exit }'
}

# insn_text_map: the kernel's text address and every module's text
# sections', as "BENCH-TEXT vmlinux - ADDRESS" and "BENCH-TEXT MODULE
# SECTION ADDRESS" lines, so that tools/tcg-insn/profile.py can name the
# functions of a plugin profile (VM_INSN_ARGS=profile=FILE).  Debian
# ships no real System.map, so with vireo.insn_syms=1 on the command
# line the kernel's own text symbols follow too, gzipped and in base64
# ("BENCH-KSYMS " lines, about 1 MiB: a few seconds of console).
insn_text_map() {
	awk '$3 == "_text" { print "BENCH-TEXT vmlinux - " $1; exit }' /proc/kallsyms
	for _s in /sys/module/*/sections/.text*; do
		[ -r "$_s" ] || continue
		_m=${_s#/sys/module/}
		echo "BENCH-TEXT ${_m%%/*} ${_s##*/} $(cat "$_s")"
	done
	grep -qw vireo.insn_syms=1 /proc/cmdline || return 0
	awk '$2 ~ /^[tT]$/ && NF == 3 { print $1, $3 }' /proc/kallsyms |
		gzip -c | base64 | sed 's/^/BENCH-KSYMS /'
}

# ---------------------------------------------------------------------------
# Balloon tests (tests/balloon/) and bench/balloon.sh.  One legacy
# virtio-balloon-pci (QEMU allows only one per VM) at 00:04.0 with id
# bal0, on INTx (QEMU gives the balloon no MSI-X).  The same scripts run
# against vireo_balloon and, with vireo.ref=1 (tools/vm/run.py --ref,
# both kernels), against the in-kernel virtio_balloon.  The host's view
# comes through QMP (query-balloon, qom-get guest-stats,
# x-query-virtio-status); the guest's from /proc/meminfo and from
# /proc/vmstat, where balloon_inflate minus balloon_deflate is the number
# of pages in the balloon for any driver built on the kernel's balloon
# compaction (balloon_page_enqueue and _dequeue count them).

BALLOON_MODULES="vireo_ring vireo_core vireo_pci vireo_balloon"
BAL_BDF=0000:00:04.0
BAL_QOM=/machine/peripheral/bal0
# Set by balloon_load: the transport device (vireoN or virtioN) and the
# VM's RAM in MiB (query-balloon's actual before any inflation).
BVDEV=
BAL_RAM=

# balloon_ref: the test runs against the in-kernel virtio_balloon.
balloon_ref() { blk_ref; }

# balloon_driver: the driver under test.
balloon_driver() {
	if balloon_ref; then echo virtio_balloon; else echo vireo_balloon; fi
}

# balloon_vdev_of BDF: the transport device (virtioN, vireoN) on BDF.
balloon_vdev_of() {
	for _v in /sys/bus/pci/devices/"$1"/virtio* /sys/bus/pci/devices/"$1"/vireo*; do
		[ -e "$_v" ] && basename "$_v" && return 0
	done
	return 1
}

# balloon_bound [DRIVER]: the transport device on BAL_BDF is bound to
# DRIVER (default: the driver under test).
balloon_bound() {
	_bv=$(balloon_vdev_of $BAL_BDF) || return 1
	[ "$(sysfs_driver "/sys/bus/pci/devices/$BAL_BDF/$_bv")" = "${1:-$(balloon_driver)}" ]
}

# balloon_kmod_load: the in-kernel virtio_balloon from the image (on 6.1
# after virtio_pci and its modular core), from the kmod set or beside our
# modules, wherever tools/vm/mkinitramfs.sh put it.
balloon_kmod_load() {
	if [ -f "$VIREO_KO/kmod/virtio_pci.ko" ] && [ ! -d /sys/module/virtio_pci ]; then
		kmod_insmod virtio_pci || return 1
	fi
	[ -d /sys/module/virtio_balloon ] && return 0
	if grep -q '^virtio_balloon:' "$VIREO_KO/kmod/deps" 2>/dev/null; then
		kmod_insmod virtio_balloon
	elif [ -f "$VIREO_KO/virtio_balloon.ko" ]; then
		check "insmod virtio_balloon (in-kernel)" \
			run_deadline 60 insmod "$VIREO_KO/virtio_balloon.ko"
	else
		fail "virtio_balloon.ko is in the image (tools/vm/mkinitramfs.sh)"
		return 1
	fi
}

# balloon_load: open the QMP back channel, note the VM's RAM (BAL_RAM),
# load the driver under test and wait until it is bound (BVDEV).
balloon_load() {
	qmp_back_open
	BAL_RAM=$(balloon_query)
	BAL_RAM=$((${BAL_RAM:-0} / MIB))
	check "query-balloon answers before the driver loads (${BAL_RAM} MiB)" \
		test "$BAL_RAM" -gt 0 || return 1
	if balloon_ref; then
		balloon_kmod_load || return 1
	else
		check "vireo_balloon.ko is in the image" \
			test -f "$VIREO_KO/vireo_balloon.ko" || return 1
		# shellcheck disable=SC2086 # module names: split on purpose
		load_stack $BALLOON_MODULES || return 1
	fi
	if ! wait_for 15 balloon_bound; then
		fail "$(balloon_driver) bound on $BAL_BDF within 15 s"
		show_pci
		return 1
	fi
	BVDEV=$(balloon_vdev_of $BAL_BDF)
	ok "$BVDEV on $BAL_BDF is bound to $(balloon_driver)"
}

# balloon_rmmod: unload the balloon driver alone, within 30 s.
balloon_rmmod() {
	check "rmmod $(balloon_driver)" run_deadline 30 rmmod "$(balloon_driver)"
}

# balloon_unload: unload what balloon_load loaded; nothing of ours left.
balloon_unload() {
	if balloon_ref; then
		[ -d /sys/module/virtio_balloon ] && balloon_rmmod
		return
	fi
	# shellcheck disable=SC2086 # module names: split on purpose
	unload_stack $BALLOON_MODULES || return 1
	check_not "no /sys/bus/vireo" test -e /sys/bus/vireo
	check_not "no vireo IRQ in /proc/interrupts" grep -q vireo /proc/interrupts
}

# bal_mem_kb FIELD: a /proc/meminfo field in kB (MemTotal, MemFree, ...).
bal_mem_kb() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# bal_vmstat NAME: a /proc/vmstat counter (empty if the kernel has none).
bal_vmstat() {
	awk -v f="$1" '$1 == f { print $2 }' /proc/vmstat
}

# bal_bp: BAL_PAGES, the pages in the balloon by the guest's own count,
# read with shell builtins only: polling it costs no fork or exec, which
# under TCG would slow the guest down more than the balloon does.
bal_bp() {
	_inf=0 _def=0
	while read -r _k _v; do
		case $_k in
		balloon_inflate) _inf=$_v ;;
		balloon_deflate) _def=$_v; break ;;
		esac
	done </proc/vmstat
	BAL_PAGES=$((_inf - _def))
}

# balloon_pages: the same, printed.
balloon_pages() {
	bal_bp
	echo "$BAL_PAGES"
}

# bal_json_num JSON KEY: the number after "KEY": in JSON (its last one).
bal_json_num() {
	echo "$1" | sed -n "s/.*\"$2\": *\(-\{0,1\}[0-9][0-9]*\).*/\1/p"
}

# bal_qmp JSON: a QMP command whose reply is read and dropped.  With the
# back channel open every reply comes back, also that of a plain qmp;
# one left unread would be taken by the next qmp_query for its own.
bal_qmp() {
	qmp_query "$1" >/dev/null
}

# bal_reply: read and drop the reply to an earlier plain qmp (within 20 s).
bal_reply() {
	backline 20 <&7 >/dev/null
}

# balloon_query: the host's "actual" (query-balloon: the guest's RAM less
# the balloon), in bytes; empty if QMP did not answer.
balloon_query() {
	bal_json_num "$(qmp_query '{"execute": "query-balloon"}')" actual
}

# balloon_set MIB: ask the guest to make do with MIB MiB (QMP balloon).
balloon_set() {
	bal_qmp "{\"execute\": \"balloon\", \"arguments\": {\"value\": $(($1 * MIB))}}"
}

# balloon_host_is MIB: the host's actual is MIB MiB; BAL_ACT is it in
# bytes.
balloon_host_is() {
	BAL_ACT=$(balloon_query)
	[ "${BAL_ACT:-0}" -eq $(($1 * MIB)) ]
}

# balloon_wait MIB SECS: wait (1 s polls) until the host's actual is MIB
# MiB; BAL_ACT is the last value seen, in bytes.
balloon_wait() {
	_bw=$(($2 + 0))
	while ! balloon_host_is "$1"; do
		[ "$_bw" -le 0 ] && return 1
		sleep 1
		_bw=$((_bw - 1))
	done
}

# balloon_guest_wait PAGES SECS: wait (0.2 s polls, builtins only) until
# the guest's balloon holds PAGES pages.
balloon_guest_wait() {
	_gw=$(($2 * 5))
	bal_bp
	while [ "$BAL_PAGES" -ne "$1" ]; do
		[ "$_gw" -le 0 ] && return 1
		usleep 200000
		_gw=$((_gw - 1))
		bal_bp
	done
}

# balloon_expect MIB SECS WHAT: the balloon reaches MIB MiB of guest
# (host side) within SECS, and the guest's own count agrees.
balloon_expect() {
	_want=$(((BAL_RAM - $1) * 256))
	balloon_guest_wait "$_want" "$2"
	if balloon_wait "$1" 10; then
		ok "$3: query-balloon actual reaches $1 MiB"
	else
		fail "$3: query-balloon actual is $((${BAL_ACT:-0} / 1024)) KiB, want $1 MiB (after $2 s)"
		return 1
	fi
	expect_eq "$3: pages in the balloon by the guest's count (vmstat)" \
		"$(balloon_pages)" "$_want"
	balloon_ref ||
		expect_eq "$3: vireo_balloon's num_pages (debugfs)" "$(balloon_counter num_pages)" "$_want"
}

# balloon_irq: interrupts counted on BAL_BDF's INTx line.
balloon_irq() {
	awk -v q="$(cat /sys/bus/pci/devices/$BAL_BDF/irq):" '$1 == q {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }' \
		/proc/interrupts
}

# balloon_expect_intx: the device's interrupt is its INTx line, on the
# IO-APIC, under the transport device's name, with no MSI vector.
balloon_expect_intx() {
	_irq=$(cat /sys/bus/pci/devices/$BAL_BDF/irq)
	_line=$(awk -v q="$_irq:" '$1 == q' /proc/interrupts)
	log "INTx $_irq: $_line"
	check_not "$BAL_BDF has no MSI vector" sh -c "ls /sys/bus/pci/devices/$BAL_BDF/msi_irqs 2>/dev/null | grep -q ."
	case $_line in
	*IO-APIC*"$BVDEV"*) ok "$BVDEV's interrupt is INTx $_irq on the IO-APIC" ;;
	*) fail "$BVDEV's interrupt is INTx $_irq on the IO-APIC: '$_line'" ;;
	esac
}

# balloon_status: QEMU's x-query-virtio-status of the balloon (one line).
balloon_status() {
	qmp_query "{\"execute\": \"x-query-virtio-status\", \"arguments\": {\"path\": \"$BAL_QOM/virtio-backend\"}}"
}

# balloon_negotiated: the features the driver took, by QEMU (the
# guest-features of x-query-virtio-status), one name a line without the
# VIRTIO_BALLOON_F_ prefix (STATS_VQ, REPORTING, ...).
balloon_negotiated() {
	balloon_status | sed -n 's/.*"guest-features": {\([^}]*\)}.*/\1/p' |
		grep -o 'VIRTIO_[A-Z_]*_F_[A-Z_0-9]*' | sed 's/^VIRTIO_BALLOON_F_//'
}

# balloon_expect_features BIT:NAME:0|1...: each feature negotiated or
# not, by QEMU and (vireo) by the vireo device's features attribute.
balloon_expect_features() {
	_neg=$(balloon_negotiated)
	log "negotiated (QEMU): $(echo $_neg)"
	for _bf in "$@"; do
		_bit=${_bf%%:*} _w=${_bf##*:} _nm=${_bf#*:}
		_nm=${_nm%:*}
		if echo "$_neg" | grep -qx "$_nm"; then _got=1; else _got=0; fi
		expect_eq "QEMU: feature $_nm negotiated" $_got "$_w"
		balloon_ref || expect_feature "$BVDEV" "$_bit" "$_w" "$_nm"
	done
}

# balloon_vq_used Q: the used index of QEMU's queue Q of the balloon
# (0 inflate, 1 deflate, 2 stats, then free page hint and reporting, by
# the features QEMU offers).
balloon_vq_used() {
	bal_json_num "$(qmp_query "{\"execute\": \"x-query-virtio-queue-status\", \"arguments\": {\"path\": \"$BAL_QOM/virtio-backend\", \"queue\": $1}}")" used-idx
}

# balloon_stats_interval SECS: QEMU asks for statistics every SECS s.
balloon_stats_interval() {
	bal_qmp "{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"$BAL_QOM\", \"property\": \"guest-stats-polling-interval\", \"value\": $1}}"
}

# balloon_stats: QEMU's guest-stats (qom-get), one JSON line.
balloon_stats() {
	qmp_query "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"$BAL_QOM\", \"property\": \"guest-stats\"}}"
}

# bal_stat STATS NAME: stat-NAME of a guest-stats reply (empty if absent;
# 18446744073709551615 for a statistic the guest never sent).
bal_stat() {
	echo "$1" | sed -n "s/.*\"stat-$2\": *\([0-9]*\).*/\1/p"
}

# bal_mark TAG: a marker line in the kernel log, for bal_dmesg_since TAG.
bal_mark() {
	echo "vireo-mark $1" >/dev/kmsg
}

# bal_dmesg_since TAG: the kernel log from bal_mark TAG on.
bal_dmesg_since() {
	dmesg | sed -n "/vireo-mark $1\$/,\$p"
}

# bal_quiet / bal_loud: keep the kernel's messages off the
# console, and let them back.  An OOM kill prints a stack dump ("Call
# Trace:"), which the host would take for a splat; bal_oom_check then judges
# that part of the log in the guest.  Meanwhile the test's shell is out of
# the OOM killer's reach (its children inherit that, so bal_hog and
# bal_sacrifice offer theirs first): a second kill once took the shell
# itself, and with it the rest of the test.
bal_quiet() {
	echo 1 >/proc/sys/kernel/printk
	echo -1000 >/proc/$$/oom_score_adj
}
bal_loud() {
	echo 0 >/proc/$$/oom_score_adj
	echo 7 >/proc/sys/kernel/printk
}

# The host's splat patterns (tools/splat-patterns), for bal_oom_check; keep
# them in step.  "Call Trace:" is judged apart.
BAL_SPLATS='WARNING:|BUG:|BUG [^ ]+ \(|kernel BUG at|Oops|KASAN|UBSAN|KFENCE|possible circular locking|possible recursive locking|lockdep|blocked for more than|soft lockup|hard LOCKUP|Kernel panic|general protection fault|invalid opcode|double fault|nobody cared|rcu_.* self-detected stall|rcu: INFO:|detected stalls|segfault at|refcount_t:|list_(add|del) corruption|stack-protector|pagealloc: memory corruption|Bad page'

# bal_oom_check TAG WHAT: the kernel log since bal_mark TAG (written while
# the console was quiet) holds no splat: none of the host's patterns,
# and "Call Trace:" only inside an OOM report (from "invoked
# oom-killer" to its "Killed process" or "no killable processes") or an
# allocation failure's report (from "page allocation failure" to its
# "Mem-Info:"; memory is short on purpose, and an allocation without
# __GFP_NOWARN may say so).
# BAL_KILLS is the number of processes the OOM killer killed.
bal_oom_check() {
	bal_dmesg_since "$1" >/tmp/.oomlog
	BAL_KILLS=$(grep -c 'Killed process' /tmp/.oomlog)
	# The offending lines, each with the 4 before it; printed with their
	# case swapped, so that the host does not take the report for a
	# splat of its own.
	_at=$( {
		grep -nE "$BAL_SPLATS" /tmp/.oomlog | cut -d: -f1
		awk '/invoked oom-killer|page allocation failure/ { r = 1 }
			/Call Trace:/ && !r { print NR }
			/Killed process|no killable processes|Mem-Info:/ { r = 0 }' /tmp/.oomlog
	} | sort -n -u | tr '\n' ' ')
	_bad=$(awk -v at="$_at" 'BEGIN { n = split(at, a, " ")
		for (i = 1; i <= n; i++) for (j = a[i] - 4; j <= a[i]; j++) want[j] = 1 }
		want[NR]' /tmp/.oomlog)
	if [ -z "$_bad" ]; then
		ok "$2: no splat in the kernel log ($BAL_KILLS processes killed by the OOM killer)"
	else
		fail "$2: a splat in the kernel log"
		echo "$_bad" | head -n 30 | tr 'A-Za-z' 'a-zA-Z' | diag_lines "(case swapped) "
	fi
	grep -E 'Killed process|invoked oom-killer|page allocation failure|Out of puff|vireo' /tmp/.oomlog |
		tail -n 15 | diag_lines "dmesg: "
}

# bal_hog MIB: allocate and touch MIB MiB of anonymous memory at once (dd's
# buffer filled from /dev/zero), then free it; dd's status.
bal_hog() {
	sh -c "echo 1000 >/proc/self/oom_score_adj; exec dd if=/dev/zero of=/dev/null bs=$1M count=1" 2>/dev/null
}

# bal_sacrifice: a sleeping process the OOM killer takes first (BAL_VICTIM
# its pid), so that a forced OOM (sysrq f) never picks the test's shell.
bal_sacrifice() {
	sh -c 'echo 1000 >/proc/self/oom_score_adj; exec sleep 1000' &
	BAL_VICTIM=$!
}

# balloon_counter NAME: a counter of vireo_balloon's debugfs
# (/sys/kernel/debug/vireo_balloon/<vireoN>/counters, "name value" lines).
balloon_counter() {
	awk -v k="$1" '$1 == k { print $2; exit }' \
		"/sys/kernel/debug/vireo_balloon/$BVDEV/counters" 2>/dev/null
}

# balloon_debugfs: vireo_balloon's debugfs counters, as diagnostics.
balloon_debugfs() {
	balloon_ref && return 0
	_cf=/sys/kernel/debug/vireo_balloon/$BVDEV/counters
	[ -r "$_cf" ] && tr '\n' ' ' <"$_cf" | sed 's/$/\n/' | diag_lines "debugfs: "
}

# balloon_report_run WANT: free page reporting (the device offers it,
# free-page-reporting=on; QEMU's reporting queue is 3, after stats): with
# WANT 1 PAGE_POISON and REPORTING are negotiated, the driver reports
# free memory on its own (the kernel's page reporting, within 30 s of
# loading) and again after each of three rounds of memory churn (nearly
# all free memory allocated and freed); with WANT 0 neither feature is
# taken and the queue stays unused.  Either way 16 MiB of data in tmpfs
# survive the churn unchanged (a page reported while in use would come
# back zeroed), and the balloon inflates and deflates afterwards (its
# queues numbered as QEMU numbers them).  vireo only: its debugfs count
# of reported pages agrees (above 0, or 0).  The in-kernel
# virtio_balloon refuses only PAGE_POISON on a kernel that neither
# poisons nor zeroes freed pages and keeps REPORTING (virtballoon_validate),
# so with WANT 0 a reference run skips the REPORTING checks: refusing it
# too is the issue's rule, stricter than Linux.
BAL_REPORT_VQ=3
balloon_report_run() {
	_want=$1
	balloon_load || return 1
	_rep_checks=1
	if [ "$_want" = 0 ] && balloon_ref; then
		_rep_checks=0
		balloon_expect_features 4:PAGE_POISON:0 1:STATS_VQ:1
		skip "REPORTING refused" "the in-kernel driver keeps it without poisoning"
	else
		balloon_expect_features 4:PAGE_POISON:"$_want" 5:REPORTING:"$_want" 1:STATS_VQ:1
	fi
	check "16 MiB of random data in tmpfs" \
		dd if=/dev/urandom of=/tmp/keep bs=1M count=16
	_sum0=$(md5sum </tmp/keep)
	_u0=0
	if [ "$_want" = 1 ]; then
		_n=15
		while [ "$_n" -gt 0 ]; do
			_u0=$(balloon_vq_used $BAL_REPORT_VQ)
			[ "${_u0:-0}" -gt 0 ] && break
			sleep 2
			_n=$((_n - 1))
		done
		check "free memory reported after loading (reporting queue used index ${_u0:-none})" \
			test "${_u0:-0}" -gt 0
	fi
	for _r in 1 2 3; do
		_h=$(($(bal_mem_kb MemFree) / 1024 - 24))
		check "churn $_r: $_h MiB allocated and freed" run_deadline 60 bal_hog "$_h"
		# The kernel reports 2 s after enough was freed.
		sleep 4
	done
	_u1=$(balloon_vq_used $BAL_REPORT_VQ)
	if [ "$_want" = 1 ]; then
		check "memory freed by the churn reported too (used index $_u0 -> ${_u1:-none})" \
			test "${_u1:-0}" -gt "${_u0:-0}"
	elif [ $_rep_checks = 1 ]; then
		expect_eq "the reporting queue unused" "${_u1:-none}" 0
	else
		log "reporting queue used index ${_u1:-none} (in-kernel driver)"
	fi
	expect_eq "the data in tmpfs survived the churn (md5)" "$(md5sum </tmp/keep)" "$_sum0"
	if ! balloon_ref; then
		_rep=$(balloon_counter reported)
		if [ "$_want" = 1 ]; then
			check "vireo_balloon counted reported pages (${_rep:-none})" test "${_rep:-0}" -gt 0
		else
			check "vireo_balloon reported nothing (${_rep:-none})" test "${_rep:-0}" -eq 0
		fi
	fi
	balloon_debugfs
	balloon_set $((BAL_RAM - 32))
	balloon_expect $((BAL_RAM - 32)) 60 "inflate by 32 MiB beside reporting"
	balloon_set "$BAL_RAM"
	balloon_expect "$BAL_RAM" 60 "deflate"
	rm -f /tmp/keep
	balloon_unload
}

# ---------------------------------------------------------------------------
# Console tests (tests/console/, bench/console.sh).  A virtio-serial-pci
# device's ports are found by their name (PORT_NAME) in sysfs, so the
# same scripts run against vireo_console (class vireo-ports,
# /dev/vportvireo<D>p<P>) and, with vireo.ref=1 (tools/vm/run.py --ref,
# both kernels), against the in-kernel virtio_console (class
# virtio-ports, /dev/vport<D>p<P>; a module on 6.1, built in on 6.12).
# The host end of a port is its chardev (devices "chardev:socket:ID",
# "chardev:file:ID", testing.rst): console_host drives a socket's end
# through the runner (tools/vm/chrhost.py) over the QMP back channel;
# data is vconio's pattern (tools/vm/guest/src/vconio.c), checked byte
# by byte at the receiving end.

CONSOLE_MODULES="vireo_ring vireo_core vireo_pci vireo_console"
# The PCI function of the (first) virtio-serial-pci in the console tests.
CON_BDF=0000:00:04.0
# console_host's last request number (back_tag).
CON_TAG=0

# console_ref: the test runs against the in-kernel virtio_console.
console_ref() { blk_ref; }

# console_driver: the driver under test; console_class: its port class.
console_driver() {
	if console_ref; then echo virtio_console; else echo vireo_console; fi
}
console_class() {
	if console_ref; then echo virtio-ports; else echo vireo-ports; fi
}

# console_back_open: open the QMP back channel (qmp_back_open) once.
console_back_open() {
	[ -n "${CON_BACK:-}" ] && return 0
	qmp_back_open
	CON_BACK=1
}

# console_load: open the QMP back channel, then load the driver under
# test: vireo's stack with vireo_console, or in a reference run
# virtio_console (6.1: and virtio_pci first, from the image; 6.12: built
# in and bound at boot).
console_load() {
	console_back_open
	if console_ref; then
		if [ -f "$VIREO_KO/kmod/virtio_pci.ko" ]; then
			kmod_insmod virtio_pci || return 1
		fi
		if [ -f "$VIREO_KO/kmod/virtio_console.ko" ]; then
			kmod_insmod virtio_console || return 1
		fi
		return 0
	fi
	check "vireo_console.ko is in the image" test -f "$VIREO_KO/vireo_console.ko" || return 1
	# shellcheck disable=SC2086 # module names: split on purpose
	load_stack $CONSOLE_MODULES
}

# console_unload: unload what console_load loaded; no port of it is left.
console_unload() {
	if console_ref; then
		[ -f "$VIREO_KO/kmod/virtio_console.ko" ] || return 0
		check "rmmod virtio_console (reference run)" run_deadline 30 rmmod virtio_console
		return
	fi
	# shellcheck disable=SC2086 # module names: split on purpose
	unload_stack $CONSOLE_MODULES || return 1
	check_not "no vireo-ports class left" sh -c 'ls /sys/class/vireo-ports/* 2>/dev/null | grep -q .'
	check_not "no vireo IRQ in /proc/interrupts" grep -q vireo /proc/interrupts
}

# console_port_dir NAME: the sysfs directory of the port named NAME
# (either driver's class).
console_port_dir() {
	for _cp in /sys/class/vireo-ports/* /sys/class/virtio-ports/*; do
		[ -f "$_cp/name" ] || continue
		[ "$(cat "$_cp/name")" = "$1" ] && echo "$_cp" && return 0
	done
	return 1
}

# console_port NAME: the /dev node of the port named NAME.
console_port() {
	_cpd=$(console_port_dir "$1") || return 1
	echo "/dev/${_cpd##*/}"
}

# console_port_id DEV: the port id P of /dev/vport[vireo]<D>p<P>.
console_port_id() {
	echo "${1##*p}"
}

# console_ports: one diagnostic line per port of either class.
console_ports() {
	for _cp in /sys/class/vireo-ports/* /sys/class/virtio-ports/*; do
		[ -e "$_cp" ] || continue
		log "port ${_cp#/sys/class/}: name '$(cat "$_cp/name" 2>/dev/null)' console '$(cat "$_cp/console" 2>/dev/null)'"
	done
}

# console_wait_port NAME [SECS]: wait for the port named NAME and its
# character device; PORT is its /dev path.
console_wait_port() {
	PORT=
	if ! wait_for "${2:-15}" console_port "$1"; then
		fail "no console port named $1 appeared within ${2:-15}s"
		console_ports
		return 1
	fi
	PORT=$(console_port "$1")
	wait_for 5 test -c "$PORT"
	check "port $1 is $PORT, a character device" test -c "$PORT"
}

# console_hvc: the first /dev/hvcN that opens (a console port's terminal).
console_hvc() {
	for _ch in /dev/hvc0 /dev/hvc1 /dev/hvc2 /dev/hvc3; do
		# shellcheck disable=SC2188 # open and close only
		if (: <>"$_ch") 2>/dev/null; then
			echo "$_ch"
			return 0
		fi
	done
	return 1
}

# console_host JSON-MEMBERS: have the host end (tools/vm/chrhost.py) do
# an operation, e.g. console_host '"chr": "connect", "id": "c1"'; prints
# the reply line; status 1 on an error reply or none within CON_WAIT
# (default 30) seconds.  Replies carry the request's tag: lines without it
# (the replies of plain qmp commands) are skipped.  Should a request or
# its reply still be lost on the way (a kernel message cutting the
# request's console line), after CON_AGAIN (10) quiet seconds the guest
# asks for the reply of its tag again ("again"), and sends the request
# once more if the relay never saw it.
console_host() {
	CON_TAG=$(back_tag)
	_creq="VIREO-CHR: {$*, \"tag\": $CON_TAG}"
	echo "$_creq" >/dev/console
	_cend=$(($(cut -d. -f1 /proc/uptime) + ${CON_WAIT:-30}))
	while :; do
		_cleft=$((_cend - $(cut -d. -f1 /proc/uptime)))
		[ $_cleft -gt 0 ] || break
		[ $_cleft -le "${CON_AGAIN:-10}" ] || _cleft=${CON_AGAIN:-10}
		if ! _reply=$(backline "$_cleft" <&7); then
			console_host_lost "$*"
			continue
		fi
		case $_reply in
		*"\"tag\": $CON_TAG}") ;;
		*) continue ;;
		esac
		case $_reply in
		*'"VireoChrUnseen"'*)
			log "request $CON_TAG never reached the host: sent again" >/dev/console
			echo "$_creq" >/dev/console
			continue ;;
		esac
		echo "$_reply"
		case $_reply in '{"return"'*) return 0 ;; esac
		return 1
	done
	echo "no reply from the host end within ${CON_WAIT:-30}s"
	return 1
}

# console_host_lost REQUEST: no reply to request $CON_TAG yet; log the
# back channel's UART counters (an overrun, "oe:", loses bytes) and ask
# the relay for that reply again.  Diagnostics go to the console: the
# caller may be capturing the output.
console_host_lost() {
	{
		log "no reply to request $CON_TAG ($1) yet, at $(cut -d' ' -f1 /proc/uptime)s; asking again"
		log "ttyS1: $(grep '^1:' /proc/tty/driver/serial 2>/dev/null)"
	} >/dev/console
	echo "VIREO-CHR: {\"chr\": \"again\", \"tag\": $CON_TAG}" >/dev/console
}

# jval TEXT KEY: the first value of "KEY" in the JSON TEXT (quotes
# stripped).
jval() {
	echo "$1" | sed -n "s/.*\"$2\": \(\"[^\"]*\"\|[^,}]*\).*/\1/p" | head -n 1 | tr -d '"'
}

# console_connect ID [drain] / console_disconnect ID: open or close the
# host end of socket chardev ID; "drain" has the host read it all the
# time (a console's: QEMU drops console output a full socket cannot
# take, and kernel messages come unasked).
console_connect() {
	check "host end of $1 connects${2:+ ($2)}" console_host "\"chr\": \"connect\", \"id\": \"$1\"${2:+, \"drain\": true}"
}
console_disconnect() {
	check "host end of $1 closes" console_host "\"chr\": \"close\", \"id\": \"$1\""
}

# console_host_send ID BYTES SEED [OFFSET] / console_host_recv ...: start
# the host end's background send (or checked receive) of BYTES of the
# pattern SEED, from OFFSET.
console_host_send() {
	console_host "\"chr\": \"send\", \"id\": \"$1\", \"bytes\": $2, \"seed\": $3, \"offset\": ${4:-0}" >/dev/null
}
console_host_recv() {
	console_host "\"chr\": \"recv\", \"id\": \"$1\", \"bytes\": $2, \"seed\": $3, \"offset\": ${4:-0}" >/dev/null
}

# console_host_wait ID OP SECS: wait for the host end's OP (send, recv);
# HOSTR is the reply (console_host_wait's status: done or not).
console_host_wait() {
	HOSTR=$(CON_WAIT=$(($3 + 15)) CON_AGAIN=$(($3 + 5)) console_host "\"chr\": \"wait\", \"id\": \"$1\", \"op\": \"$2\", \"timeout\": $3")
	[ "$(jval "$HOSTR" "done")" = true ]
}

# console_text ID TEXT: send TEXT (no newline added; "\n" is JSON's)
# from the host end of ID.
console_text() {
	console_host "\"chr\": \"send\", \"id\": \"$1\", \"text\": \"$2\"" >/dev/null
}

# console_expect ID TEXT [SECS]: the host end of ID receives TEXT within
# SECS (default 20); the reply is in HOSTR.
console_expect() {
	HOSTR=$(CON_WAIT=$((${3:-20} + 15)) CON_AGAIN=$((${3:-20} + 5)) console_host "\"chr\": \"expect\", \"id\": \"$1\", \"text\": \"$2\", \"timeout\": ${3:-20}")
	[ "$(jval "$HOSTR" found)" = true ]
}

# console_file ID [FIND [LAST]]: the file of chardev ID as the host sees
# it (HOSTR: size, crc, tail, found, crc_last: of the last LAST bytes).
console_file() {
	HOSTR=$(console_host "\"chr\": \"file\", \"id\": \"$1\"${2:+, \"find\": \"$2\"}${3:+, \"last\": $3}")
}

# console_events_start: open the host's QMP session, so that QMP events
# (VSERPORT_CHANGE) are recorded from now on.
console_events_start() {
	check "QMP events recorded" console_host '"chr": "events", "name": "VSERPORT_CHANGE"'
}

# console_events ID: the VSERPORT_CHANGE "open" values of device ID so
# far, oldest first, space-separated (e.g. "true false").
console_events() {
	console_host '"chr": "events", "name": "VSERPORT_CHANGE"' |
		grep -o "\"id\": \"$1\", \"open\": [a-z]*" | sed 's/.*: //' | tr '\n' ' ' | sed 's/ $//'
}

# console_events_is ID WANT: console_events ID is WANT (for wait_for).
console_events_is() {
	[ "$(console_events "$1")" = "$2" ]
}

# console_expect_events ID WANT [SECS]: VSERPORT_CHANGE of ID reaches WANT.
console_expect_events() {
	wait_for "${3:-10}" console_events_is "$1" "$2"
	expect_eq "VSERPORT_CHANGE events of $1" "$(console_events "$1")" "$2"
}

# console_guest_features DEVID: QEMU's view of the features the guest
# acked on virtio device DEVID (x-query-virtio-status), one JSON line.
console_guest_features() {
	qmp_query "{\"execute\": \"x-query-virtio-status\", \"arguments\": {\"path\": \"/machine/peripheral/$1/virtio-backend\"}}" |
		grep -o '"guest-features": {[^}]*}'
}

# vcon_kv FILE KEY [MODE]: KEY's value in FILE's last "VCONIO MODE" line.
vcon_kv() {
	grep "^VCONIO ${3:-}" "$1" | tail -n 1 | sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}

# console_guest_ok DESC FILE BYTES: vconio's last line in FILE moved
# BYTES with no bad byte.
console_guest_ok() {
	_gl=$(grep '^VCONIO' "$2" | tail -n 1)
	if [ "$(vcon_kv "$2" bytes)" = "$3" ] && [ "$(vcon_kv "$2" bad)" = 0 ]; then
		ok "$1: $3 bytes, pattern intact ($(vcon_kv "$2" mibs) MiB/s)"
		return 0
	fi
	fail "$1: want $3 bytes intact, got: ${_gl:-no vconio line}"
	diag_lines <"$2"
	return 1
}

# console_host_ok DESC BYTES [CRC]: the host end's last wait (HOSTR) saw
# BYTES with no bad byte (and the checksum CRC).
console_host_ok() {
	_hb=$(jval "$HOSTR" bytes)
	_hbad=$(jval "$HOSTR" bad)
	_hcrc=$(jval "$HOSTR" crc)
	if [ "$(jval "$HOSTR" "done")" = true ] && [ "$_hb" = "$2" ] && [ "$_hbad" = 0 ] &&
		{ [ -z "${3:-}" ] || [ "$_hcrc" = "$3" ]; }; then
		ok "$1: $2 bytes at the host end, pattern intact ($(jval "$HOSTR" mibs) MiB/s)"
		return 0
	fi
	fail "$1: want $2 bytes intact${3:+ with crc $3} at the host end, got: $HOSTR"
	return 1
}

# console_host_sent DESC BYTES CRC: the host end's last send (HOSTR) sent
# BYTES with checksum CRC (the guest's).
console_host_sent() {
	if [ "$(jval "$HOSTR" "done")" = true ] && [ "$(jval "$HOSTR" bytes)" = "$2" ] &&
		[ "$(jval "$HOSTR" crc)" = "$3" ]; then
		ok "$1: the host sent $2 bytes, crc $3 at both ends"
		return 0
	fi
	fail "$1: the host's send does not match the guest's $2 bytes crc $3: $HOSTR"
	return 1
}

# console_reap PID SECS WHAT: wait at most SECS for the background
# process PID (WHAT) to end; its exit status, or 124 (failed, and the
# boot marked stuck) if it did not.
console_reap() {
	writer_wait "$1" "$2" "$3" || return 124
	wait "$1"
}
