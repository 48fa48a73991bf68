#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run vireo's KUnit suites on the KUnit test kernel (tools/kunit/
# build-kernel.sh): build the tree against it, pack the modules into a
# busybox initramfs, boot it under QEMU (TCG), and turn the per-suite
# KTAP documents into one line per test case:
#
#   PASS kunit <suite>.<case>      FAIL kunit <suite>.<case>
#   SKIP kunit <suite>.<case>      FAIL kunit splat (<first splat line>)
#   kunit: N passed, N failed
#
# Exit status 0 only if nothing failed and at least one case passed.
#
# Options (or the environment variable in brackets):
#   --src DIR       tree to test [VIREO_SRC, default: this repository]
#   --kdir DIR      use this KUnit kernel build dir instead of
#                   build-kernel.sh [VIREO_KUNIT_KDIR]
#   --timeout SECS  hard limit for the guest [VIREO_KUNIT_TIMEOUT, 1800]
#   --cycles N      load/unload cycles of the whole stack with a legacy
#                   rng and disk present, after the suites, under KASAN,
#                   lockdep and kmemleak [VIREO_KUNIT_CYCLES, 100; 0
#                   with --filter]
#   --filter GLOB   run only the suites (or suite.case) matching GLOB,
#                   as kunit.filter_glob= [VIREO_KUNIT_FILTER]
#
# Logs: <src>/build/logs/kunit/{build.log,console.log,results.txt}.

set -euo pipefail

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
HERE=${SELF%/*}
SRC=${VIREO_SRC:-$(readlink -f -- "$HERE/../..")}
KDIR=${VIREO_KUNIT_KDIR:-}
TIMEOUT=${VIREO_KUNIT_TIMEOUT:-1800}
CYCLES=${VIREO_KUNIT_CYCLES:-}
FILTER=${VIREO_KUNIT_FILTER:-}
# What kbuild sees: the same list as KBUILD_SRCS in the Makefile.
KBUILD_SRCS=${KBUILD_SRCS:-Kbuild include virtio_core virtio_ring virtio_pci_legacy drivers kunit}
BUSYBOX=${BUSYBOX:-/bin/busybox}
QBOOT=/usr/share/qemu/qboot.rom
MARK=@@VIREO-KUNIT

while [ $# -gt 0 ]; do
	case $1 in
	--src) SRC=$(readlink -f -- "$2"); shift 2 ;;
	--kdir) KDIR=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--cycles) CYCLES=$2; shift 2 ;;
	--filter) FILTER=$2; shift 2 ;;
	*) echo "usage: $0 [--src DIR] [--kdir DIR] [--timeout SECS] [--filter GLOB]" >&2
	   exit 2 ;;
	esac
done

B=$SRC/build/kunit
VM=$SRC/build/kunit-vm
LOGS=$SRC/build/logs/kunit
mkdir -p -- "$B" "$LOGS"
: > "$LOGS/console.log"

say() { echo "kunit-run: $*" >&2; }

# A failure before the guest runs still ends in the summary line, so a
# caller that counts "N passed, N failed" sees it.
early_fail() {
	echo "FAIL kunit $1" | tee "$LOGS/results.txt"
	[ $# -gt 1 ] && printf '    %s\n' "${@:2}"
	echo "kunit: 0 passed, 1 failed" | tee -a "$LOGS/results.txt"
	exit 1
}

# 1. The kernel.
if [ -z "$KDIR" ]; then
	KDIR=$("$HERE/build-kernel.sh" | tail -n1) ||
		early_fail "kernel-build (see ${VIREO_CACHE:-/var/cache/vireo}/kunit/last-build.log)"
fi
[ -f "$KDIR/arch/x86/boot/bzImage" ] || early_fail "kernel-build (no bzImage in $KDIR)"
GEN_CPIO=$KDIR/usr/gen_init_cpio
[ -x "$GEN_CPIO" ] || early_fail "kernel-build (no $GEN_CPIO)"

# 2. The modules: a farm of symlinks to the sources, like "make build-one"
# (kbuild writes objects next to its sources; directory links would put
# them into the source tree).
farm_sources() {
	local f srcs=()

	for f in $KBUILD_SRCS; do
		[ -e "$SRC/$f" ] && srcs+=("$f")
	done
	find "$B" -xtype l -delete
	(cd "$SRC" && find "${srcs[@]}" -type f \( -name '*.[ch]' -o -name Kbuild \) \
		-not -name '*.mod.c') | while read -r f; do
		# dirname, not ${f%/*}: the top-level "Kbuild" has no slash.
		mkdir -p -- "$B/$(dirname -- "$f")"
		ln -sfn -- "$SRC/$f" "$B/$f"
	done
}

say "building modules against $KDIR"
farm_sources
rm -f -- "$B/modules.order"
# C=2: sparse also checks the KUnit sources, which no Debian kernel builds.
if ! make --no-print-directory -C "$KDIR" M="$B" W=1 C=2 modules \
		> "$LOGS/build.log" 2>&1; then
	mapfile -t tail_lines < <(grep -E 'error|Error' "$LOGS/build.log" | head -n 10)
	early_fail "module-build (see $LOGS/build.log)" "${tail_lines[@]}"
fi
BUILD_WARN=$(grep -E 'warning:|WARNING:' "$LOGS/build.log" | grep -v 'Skipping BTF' | head -n1 || true)

# 3. Which modules to load, in dependency order: every kunit/ module,
# vireo_ring, and whatever they depend on among our modules (the rest of
# the dependencies are built into the kernel).
declare -A KO_PATH=() SEEN=()
ORDER=()
# modules.order names objects relative to $B (6.1) or absolutely (6.12).
while read -r o; do
	o=${o#"$B"/}; o=${o%.o}; o=${o%.ko}
	m=${o##*/}
	KO_PATH[${m//-/_}]=$B/$o.ko
done < "$B/modules.order"

visit() {
	local m=$1 d deps

	[ -n "${SEEN[$m]:-}" ] && return 0
	SEEN[$m]=1
	deps=$(modinfo -F depends "${KO_PATH[$m]}")
	for d in ${deps//,/ }; do
		d=${d//-/_}
		[ -n "${KO_PATH[$d]:-}" ] && visit "$d"
	done
	ORDER+=("$m")
}

# module_sources NAME: the kunit/ sources module NAME is built from; a
# module of several files (vireo_ring_test) has its suites spread over them.
module_sources() {
	local f

	if [ ! -f "$B/kunit/$1.mod" ]; then
		[ -f "$SRC/kunit/$1.c" ] && echo "$SRC/kunit/$1.c"
		return 0
	fi
	for f in $(cat "$B/kunit/$1.mod"); do
		f=${f##*/}
		f=${f%.o}
		[ -f "$SRC/kunit/$f.c" ] && echo "$SRC/kunit/$f.c"
	done
	return 0
}

[ -n "${KO_PATH[vireo_ring]:-}" ] && visit vireo_ring
# The drivers, which the driver suites bind through the bus: no test
# module links against them, so no dependency would pull them in.
while read -r o; do
	o=${o#"$B"/}
	case $o in
	drivers/*) o=${o%.o}; o=${o%.ko}; o=${o##*/}; visit "${o//-/_}" ;;
	esac
done < "$B/modules.order"
NTESTS=0
TEST_SRCS=()
while read -r o; do
	o=${o#"$B"/}
	case $o in
	kunit/*)
		o=${o%.o}; o=${o%.ko}; o=${o##*/}
		visit "${o//-/_}"
		NTESTS=$((NTESTS + 1))
		# The suites and cases this module must report (see below),
		# from every source file kbuild lists in its .mod file.
		mapfile -t -O "${#TEST_SRCS[@]}" TEST_SRCS < <(module_sources "$o")
		;;
	esac
done < "$B/modules.order"
say "loading: ${ORDER[*]:-nothing}"
# The stack the cycles load, in order; a filtered run does no cycles.
[ -n "$CYCLES" ] || { [ -n "$FILTER" ] && CYCLES=0 || CYCLES=100; }
STACK=()
for m in vireo_ring vireo_core vireo_pci vireo_rng vireo_blk; do
	[ -n "${KO_PATH[$m]:-}" ] && STACK+=("$m")
done
[ ${#STACK[@]} -eq 5 ] || CYCLES=0

# 4. The initramfs: busybox, /init, the modules. gen_init_cpio (from the
# kernel build) writes /dev/console without needing mknod privileges.
rm -rf -- "$VM"
mkdir -p -- "$VM"
cat > "$VM/init" <<EOF
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
KML=/sys/kernel/debug/kmemleak
# kmemleak reports only objects older than 5 s. Let the boot's own
# allocations age, report them once and clear them, so that the scan at
# the end shows only what the tests leaked.
if [ -w \$KML ]; then
	while [ "\$(cut -d. -f1 /proc/uptime)" -lt 6 ]; do sleep 1; done
	echo scan > \$KML
	echo clear > \$KML
fi
echo "$MARK START"
loaded=
for m in \$(cat /lib/vireo/load-order); do
	echo "$MARK INSMOD \$m"
	if insmod /lib/vireo/\$m.ko; then
		loaded="\$m \$loaded"
	else
		echo "$MARK INSMOD-FAIL \$m rc=\$?"
	fi
done
for d in /sys/kernel/debug/kunit/*; do
	[ -f "\$d/results" ] || continue
	echo "$MARK BEGIN \${d##*/}"
	cat "\$d/results"
	echo "$MARK END \${d##*/}"
done
# Unload in reverse: module exit paths run under KASAN and lockdep too.
for m in \$loaded; do
	rmmod \$m || echo "$MARK RMMOD-FAIL \$m rc=\$?"
done
# Load and unload the whole stack with a legacy rng and disk present,
# $CYCLES times; each step bounded, nothing of ours may be left after
# each cycle, and the kmemleak scan below covers them all.
cycle_fail() { echo "$MARK CYCLE-FAIL \$*"; }
i=1
while [ \$i -le $CYCLES ]; do
	for m in ${STACK[*]}; do
		insmod /lib/vireo/\$m.ko || { cycle_fail "\$i insmod \$m"; break 2; }
	done
	n=0
	while [ ! -b /dev/vblk0 ] && [ \$n -lt 600 ]; do usleep 100000; n=\$((n + 1)); done
	dd if=/dev/vblk0 of=/dev/null bs=4096 count=8 2>/dev/null ||
		{ cycle_fail "\$i no readable /dev/vblk0"; break; }
	grep -q vireo_rng /sys/class/misc/hw_random/rng_available ||
		{ cycle_fail "\$i no vireo_rng hwrng"; break; }
	for m in $(printf '%s ' "${STACK[@]}" | tr ' ' '\n' | tac | tr '\n' ' '); do
		rmmod \$m || { cycle_fail "\$i rmmod \$m"; break 2; }
	done
	left=\$(ls -d /sys/bus/vireo /sys/module/vireo_* /sys/block/vblk* 2>/dev/null)
	[ -z "\$left" ] || { cycle_fail "\$i left behind:" \$left; break; }
	i=\$((i + 1))
done
echo "$MARK CYCLES \$((i - 1)) of $CYCLES"
# Everything the tests allocated is older than 5 s after this sleep. Two
# scans: an object is listed only if the second one still finds no
# reference to it, which filters out pointers caught in transit.
echo "$MARK KMEMLEAK BEGIN"
if [ -w \$KML ]; then
	sleep 6
	echo scan > \$KML
	echo scan > \$KML
	cat \$KML
else
	echo "kmemleak unavailable"
fi
echo "$MARK KMEMLEAK END"
echo "$MARK DONE"
poweroff -f
EOF
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	for d in bin proc sys tmp lib lib/vireo; do echo "dir /$d 0755 0 0"; done
	echo "file /bin/busybox $BUSYBOX 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /init $VM/init 0755 0 0"
	for m in "${ORDER[@]}"; do
		echo "file /lib/vireo/$m.ko ${KO_PATH[$m]} 0644 0 0"
	done
	# vireo_pci is not among the test modules' dependencies.
	if [ "$CYCLES" -gt 0 ]; then
		echo "file /lib/vireo/vireo_pci.ko ${KO_PATH[vireo_pci]} 0644 0 0"
	fi
	echo "file /lib/vireo/load-order $VM/load-order 0644 0 0"
} > "$VM/initramfs.list"
printf '%s\n' "${ORDER[@]}" > "$VM/load-order"
"$GEN_CPIO" "$VM/initramfs.list" | gzip -1 > "$VM/initramfs.cpio.gz"

# 5. Boot. panic=-1 plus -no-reboot turns a panic into a QEMU exit; the
# timeout catches hangs.
say "booting (timeout ${TIMEOUT}s, console: $LOGS/console.log)"
t0=$SECONDS
set +e
# thread=single: see tools/vm/scenarios.sh (MTTCG vs kernel text patching).
# The cycles' devices: legacy, unbound until vireo_pci is loaded. Under
# TCG this kernel's ACPI routing of the first PCI interrupt takes about
# 30 s, hence watchdog_thresh=60 (else a soft-lockup report).
DEVS=()
if [ "$CYCLES" -gt 0 ]; then
	truncate -s 16M "$VM/disk.img"
	DEVS=(-device virtio-rng-pci,disable-modern=on,addr=0x4
	      -blockdev "driver=raw,node-name=d0,file.driver=file,file.filename=$VM/disk.img"
	      -device virtio-blk-pci,disable-modern=on,addr=0x6,drive=d0)
fi
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -M pc -accel tcg,thread=single -m 1024 -smp 2 \
	-nographic -nodefaults -no-reboot -serial stdio -bios "$QBOOT" \
	-kernel "$KDIR/arch/x86/boot/bzImage" -initrd "$VM/initramfs.cpio.gz" \
	"${DEVS[@]}" \
	-append "console=ttyS0 panic=-1 no_timer_check watchdog_thresh=60 acpi=noirq kunit.enable=1${FILTER:+ kunit.filter_glob=$FILTER}" \
	< /dev/null > "$LOGS/console.log" 2>&1
QEMU_RC=$?
set -e
say "guest ran $((SECONDS - t0))s, qemu exit $QEMU_RC"

# 6. Parse.
set +e
/usr/bin/python3 - "$LOGS/console.log" "$QEMU_RC" "$NTESTS" "$BUILD_WARN" \
	"$LOGS/build.log" "$B" "$HERE/../splat-patterns" "$FILTER" "${TEST_SRCS[@]}" \
	<<'EOF' | tee "$LOGS/results.txt"
import fnmatch
import re
import sys

log_path, qemu_rc, ntests, build_warn, build_log, farm, splat_file = sys.argv[1:8]
glob = sys.argv[8] or "*"
glob = glob if "." in glob else glob + ".*"
test_srcs = sys.argv[9:]
qemu_rc, ntests = int(qemu_rc), int(ntests)
MARK = "@@VIREO-KUNIT"
TS = re.compile(r"^\[\s*\d+\.\d+\]\s?")
RESULT = re.compile(r"^( *)(ok|not ok) \d+ (.*?)(?: # (SKIP|TODO)\b ?(.*))?$")
# Kernel splats, shared with tools/vm/vmtest.sh: one regex a line, "!"
# marks boot banners that match but are not splats. ("KASAN" is upper case
# only in reports; the boot banner says "KernelAddressSanitizer".)
with open(splat_file) as f:
    lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
SPLAT = re.compile("|".join(l for l in lines if not l.startswith("!")))
BENIGN = re.compile("|".join(l[1:] for l in lines if l.startswith("!")))

passed = failed = 0
out = []
KMEMLEAK = "@kmemleak"


def expected_cases(paths):
    """{suite: [case, ...]} from the kunit_suite and kunit_case arrays of
    the test sources: what the run must report, independently of what the
    kernel's KTAP plans say."""
    want = {}
    for path in paths:
        with open(path) as f:
            text = f.read()
        arrays = {}
        for m in re.finditer(r"struct kunit_case (\w+)\[\] = \{(.*?)\n\};",
                             text, re.S):
            arrays[m.group(1)] = re.findall(r"KUNIT_CASE\w*\((\w+)",
                                            m.group(2))
        for m in re.finditer(r"struct kunit_suite \w+ = \{(.*?)\n\};",
                             text, re.S):
            name = re.search(r'\.name\s*=\s*"([^"]+)"', m.group(1))
            cases = re.search(r"\.test_cases\s*=\s*(\w+)", m.group(1))
            if not name or not cases:
                continue
            suite = name.group(1)
            picked = [c for c in arrays.get(cases.group(1), [])
                      if fnmatch.fnmatchcase(f"{suite}.{c}", glob)]
            if picked:
                want[suite] = picked
    return want


def emit(status, name, diag=()):
    global passed, failed
    out.append(f"{status} kunit {name}")
    if status == "PASS":
        passed += 1
    elif status == "FAIL":
        failed += 1
        for d in list(diag)[:25]:
            out.append("    " + d.replace(farm + "/", ""))


with open(log_path, errors="replace") as f:
    lines = [l.rstrip("\r\n").replace("\r", "") for l in f]

blocks = {}
kmemleak = None
console_docs = {}
ktap_suite = None
cur = None
started = done = False
events = []
splat = None
for raw in lines:
    kernel = TS.match(raw) is not None
    line = TS.sub("", raw)
    if not kernel and line.startswith(MARK + " "):
        words = line.split()
        tag = words[1]
        if tag == "START":
            started = True
        elif tag == "DONE":
            done = True
        elif tag == "BEGIN":
            cur = words[2]
            blocks[cur] = []
        elif tag == "END":
            cur = None
        elif tag == "KMEMLEAK" and words[2] == "BEGIN":
            cur = KMEMLEAK
            kmemleak = []
        elif tag == "KMEMLEAK":
            cur = None
        elif tag in ("INSMOD-FAIL", "RMMOD-FAIL", "CYCLE-FAIL", "CYCLES"):
            events.append((tag, " ".join(words[2:])))
        elif tag == "INSMOD":
            events.append((tag, words[2]))
        continue
    if cur == KMEMLEAK and not kernel:
        kmemleak.append(line)
        continue
    if cur is not None and not kernel:
        blocks[cur].append(line)
        continue
    # The kernel's own KTAP output of each insmod: the fallback for a
    # suite whose debugfs document never got printed (hang, panic).
    if kernel:
        m = re.match(r"^    # Subtest: (\S+)$", line)
        if m:
            ktap_suite = m.group(1)
            console_docs[ktap_suite] = []
        elif ktap_suite is not None:
            console_docs[ktap_suite].append(line)
            if RESULT.match(line) and not line.startswith(" "):
                ktap_suite = None
    if splat is None and SPLAT.search(line) and not BENIGN.search(line):
        splat = line.strip()
    # kmemleak's own console lines: a report, or a detector that gave up.
    if splat is None and re.search(r"kmemleak: .*(suspected memory leak|"
                                   r"disabled|[Cc]annot)", line):
        splat = line.strip()


def parse_suite(suite, doc, where=""):
    """One KTAP document of one suite -> PASS/FAIL/SKIP lines."""
    diag = []
    cases = 0
    plan = None
    suite_ok = None
    for line in doc:
        m = RESULT.match(line)
        indent = len(m.group(1)) if m else len(line) - len(line.lstrip(" "))
        if not m:
            s = line.strip()
            pm = re.match(r"^1\.\.(\d+)$", s)
            if pm and indent == 4:
                plan = int(pm.group(1))
            elif s and not s.startswith(("# Subtest:", "KTAP version",
                                         "1..")):
                diag.append(s)
            continue
        status, name, directive = m.group(2), m.group(3), m.group(4)
        if indent == 0:
            suite_ok = status == "ok"
        elif indent == 4:
            cases += 1
            if directive == "SKIP":
                emit("SKIP", f"{suite}.{name}")
            elif status == "ok":
                emit("PASS", f"{suite}.{name}")
            else:
                emit("FAIL", f"{suite}.{name}", diag)
            diag = []
        elif status == "not ok":
            # A failed parameter of a parameterised case.
            diag.append(f"not ok {name}")
    if plan is not None and cases < plan:
        emit("FAIL", f"{suite} (planned {plan} cases, {cases} reported{where})",
             diag)
    elif suite_ok is False and failed_in(suite) == 0:
        emit("FAIL", f"{suite} (suite failed: init or exit error)", diag)


def failed_in(suite):
    return sum(1 for o in out if o.startswith(f"FAIL kunit {suite}."))


if build_warn:
    emit("FAIL", f"build-warnings ({build_warn.strip()})",
         [f"see {build_log}"])
for tag, what in events:
    if tag == "INSMOD-FAIL":
        emit("FAIL", f"insmod ({what})")
    elif tag == "RMMOD-FAIL":
        emit("FAIL", f"rmmod ({what})")
    elif tag == "CYCLE-FAIL":
        emit("FAIL", f"stack-cycles (cycle {what})")
    elif tag == "CYCLES" and not any(t == "CYCLE-FAIL" for t, _ in events):
        done_n, _, want = what.partition(" of ")
        if done_n == want and want != "0":
            emit("PASS", f"stack-cycles ({want} load/unload cycles, debug kernel)")
        elif want != "0":
            emit("FAIL", f"stack-cycles ({what} cycles done)")
for suite, doc in blocks.items():
    parse_suite(suite, doc)
for suite, doc in console_docs.items():
    if suite not in blocks:
        parse_suite(suite, doc, " on the console, no debugfs results")
if not done:
    last = [w for t, w in events if t == "INSMOD"]
    why = "timed out" if qemu_rc in (124, 137) else f"qemu exit {qemu_rc}"
    where = f", last insmod {last[-1]}" if last else \
        (", init never started" if not started else "")
    emit("FAIL", f"guest did not finish ({why}{where})",
         [f"see {log_path}"])
# Every suite and case in the sources must have reported a result.
reported = {}
for o in out:
    m = re.match(r"^(?:PASS|FAIL|SKIP) kunit (\w+)\.(\w+)$", o)
    if m:
        reported.setdefault(m.group(1), set()).add(m.group(2))
for suite, cases in expected_cases(test_srcs).items():
    if suite not in reported:
        emit("FAIL", f"{suite} (suite with {len(cases)} cases never reported)")
        continue
    missing = [c for c in cases if c not in reported[suite]]
    if missing:
        emit("FAIL", f"{suite} (no result for {len(missing)} expected cases)",
             missing)
if kmemleak is None:
    if done:
        emit("FAIL", "kmemleak (no report section)")
elif any(l.strip() == "kmemleak unavailable" for l in kmemleak):
    emit("FAIL", "kmemleak (unavailable in the test kernel)")
elif any(l.startswith("unreferenced object") for l in kmemleak):
    n = sum(1 for l in kmemleak if l.startswith("unreferenced object"))
    emit("FAIL", f"kmemleak ({n} suspected leaks)", kmemleak)
if ntests == 0:
    emit("FAIL", "no-suites (no kunit/*.ko test module was built)")
elif not blocks and not console_docs:
    emit("FAIL", "no-suites (no KUnit suite reported results)")
if splat:
    emit("FAIL", f"splat ({splat})", [f"see {log_path}"])

print("\n".join(out))
print(f"kunit: {passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
EOF
rc=${PIPESTATUS[0]}
exit "$rc"
