# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The VM scenario table and the host-side helpers shared by vmtest.sh,
# demo.sh and mkinitramfs.sh.  Sourced, never executed.
#
# Adding a scenario is one row in vm_scenario_table plus a guest script
# tools/guest/<name>.sh (POSIX sh, sourced by the guest init after
# tools/guest/lib.sh; any failed check makes the scenario fail).

VIREO_ROOT=${VIREO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VIREO_BUILD=${VIREO_BUILD:-$VIREO_ROOT/build}

# Our modules, relative to build/<kver>/, in load order.
VM_MODULES=(
	virtio_ring/vireo_ring.ko
	virtio_core/vireo_core.ko
	virtio_pci_legacy/vireo_pci.ko
	drivers/vireo_rng.ko
	drivers/blk/vireo_blk.ko
)

# Per-boot wall-clock limit unless a row says timeout=N.  TCG with two
# vCPUs and MSI-X is slow; a healthy scenario takes 5-40 s.
VM_DEFAULT_TIMEOUT=${VM_TIMEOUT:-180}

# One row per scenario, whitespace separated:
#   name     guest script tools/guest/<name>.sh, also the log file name
#   kernels  "all", or a release prefix such as "6.12" (matches 6.12.*)
#   flags    comma list, "-" for none:
#              virtio     boot WITHOUT initcall_blacklist=virtio_pci_driver_init,
#                         i.e. the in-kernel virtio-pci driver binds at boot
#              nomods     does not need our modules
#              bench      only run by --bench (not part of make test)
#              demo       only run by demo.sh
#              timeout=N  per-boot limit in seconds
#   devices  rest of the line, space separated tokens:
#              img:ID:SIZE[:OPTS]  a fresh sparse raw image of SIZE
#                         (truncate -s syntax: 256M, 1G) in the boot's
#                         scratch directory, deleted afterwards, as
#                         block node ID (-blockdev driver=raw,node-name=ID,
#                         discard=unmap, no host flushes); OPTS, a comma
#                         list, is appended to that -blockdev
#                         (e.g. read-only=on)
#              blockdev:SPEC  -blockdev SPEC verbatim (e.g.
#                         blockdev:driver=null-co,node-name=n0,size=4294967296)
#              anything else: a QEMU -device spec; disable-modern=on is
#                         always appended (legacy 0.9.5 only).  Disks
#                         name their node: virtio-blk-pci,drive=ID.
#            Give addr= so guest BDFs are fixed: addr=0x4 -> 0000:00:04.0.
# Every boot also has a QMP socket; a guest script asks for a command by
# printing "VIREO-QMP: {json}" (qmp in tools/guest/lib.sh), which
# tools/vm/qmp-relay.py sends (logged as "# qmp:" lines at the end of
# the console log).  Give devices an id= to device_del them.
vm_scenario_table() {
	cat <<'EOF'
# name             kernels flags                    devices
boot               all     nomods                   virtio-rng-pci,addr=0x4
load-unload        all     -                        virtio-rng-pci,addr=0x4
rng-read           all     -                        virtio-rng-pci,addr=0x4
rng-intx           all     -                        virtio-rng-pci,addr=0x4,vectors=0
rng-msix1          all     -                        virtio-rng-pci,addr=0x4,vectors=1
rng-noindirect     all     -                        virtio-rng-pci,addr=0x4,indirect_desc=off,event_idx=off
rng-two            all     -                        virtio-rng-pci,addr=0x4 virtio-rng-pci,addr=0x5
rng-rmmod-blocked  all     -                        virtio-rng-pci,addr=0x4,max-bytes=64,period=600000
rng-pci-remove     all     -                        virtio-rng-pci,addr=0x4,max-bytes=64,period=600000
coexist            6.12    virtio                   virtio-rng-pci,addr=0x4 virtio-rng-pci,addr=0x5
blk-ext4           all     timeout=300              img:d0:256M virtio-blk-pci,addr=0x6,drive=d0
blk-pattern        all     timeout=600              img:d0:256M virtio-blk-pci,addr=0x6,drive=d0
blk-ro             all     -                        img:d0:64M:read-only=on virtio-blk-pci,addr=0x6,drive=d0
blk-serial         all     -                        img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,serial=VIREO-SER-42,logical_block_size=4096,physical_block_size=4096
blk-resize         all     -                        img:d0:64M virtio-blk-pci,addr=0x6,drive=d0
blk-discard        all     -                        img:d0:64M virtio-blk-pci,addr=0x6,drive=d0
blk-mq             all     -                        img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,num-queues=2
blk-intx           all     timeout=600              img:d0:256M virtio-blk-pci,addr=0x6,drive=d0,vectors=0
blk-msix2          all     -                        img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,num-queues=2,vectors=2
blk-noindirect     all     timeout=600              img:d0:256M virtio-blk-pci,addr=0x6,drive=d0,indirect_desc=off
blk-unplug         all     -                        img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,id=vdisk0
blk-stall          all     timeout=300              img:d0:64M object:throttle-group,id=tg0 blockdev:driver=throttle,node-name=t0,throttle-group=tg0,file=d0 virtio-blk-pci,addr=0x6,drive=t0,id=vdisk0
blk-stuck          all     timeout=300              img:d0:64M object:throttle-group,id=tg0 blockdev:driver=throttle,node-name=t0,throttle-group=tg0,file=d0 virtio-blk-pci,addr=0x6,drive=t0,id=vdisk0
blk-stuck-remove   all     timeout=300              img:d0:64M object:throttle-group,id=tg0 blockdev:driver=throttle,node-name=t0,throttle-group=tg0,file=d0 virtio-blk-pci,addr=0x6,drive=t0,id=vdisk0
blk-limits         all     timeout=600              img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,logical_block_size=4096,physical_block_size=4096,discard_granularity=65536,max-discard-sectors=16,max-write-zeroes-sectors=4,queue-size=4
blk-replug         all     timeout=900              img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,id=vdisk0
stack-cycles       all     timeout=900              virtio-rng-pci,addr=0x4 img:d0:64M virtio-blk-pci,addr=0x6,drive=d0
blk-mem            6.12    virtio,timeout=600       img:d0:256M img:d1:256M virtio-blk-pci,addr=0x6,drive=d0,queue-size=1024,num-queues=2 virtio-blk-pci,addr=0x7,drive=d1,queue-size=1024,num-queues=2
blk-coexist        6.12    virtio,timeout=900       img:d0:256M img:d1:256M virtio-blk-pci,addr=0x6,drive=d0 virtio-blk-pci,addr=0x7,drive=d1
bench-rng          6.12    virtio,bench,timeout=900 virtio-rng-pci,addr=0x4 virtio-rng-pci,addr=0x5
bench-blk          6.12    virtio,bench,timeout=2400 blockdev:driver=null-co,node-name=nullA,size=4294967296 blockdev:driver=null-co,node-name=nullB,size=4294967296 virtio-blk-pci,addr=0x6,drive=nullA virtio-blk-pci,addr=0x7,drive=nullB
demo               all     demo                     virtio-rng-pci,addr=0x4
EOF
}

# vm_scenario_get NAME: set SC_NAME SC_KERNELS SC_FLAGS SC_DEVICES.
vm_scenario_get() {
	local name kernels flags devices
	while read -r name kernels flags devices; do
		case $name in '' | '#'*) continue ;; esac
		if [[ $name == "$1" ]]; then
			SC_NAME=$name
			SC_KERNELS=$kernels
			SC_FLAGS=$flags
			SC_DEVICES=$devices
			return 0
		fi
	done < <(vm_scenario_table)
	return 1
}

# vm_scenario_names: every scenario name, table order.
vm_scenario_names() {
	vm_scenario_table | awk '$1 != "" && $1 !~ /^#/ { print $1 }'
}

# vm_scenario_has_flag FLAG: the current SC_FLAGS contains FLAG.
vm_scenario_has_flag() {
	[[ ",$SC_FLAGS," == *",$1,"* ]]
}

# vm_scenario_timeout: per-boot limit of the current scenario.
vm_scenario_timeout() {
	local f
	local IFS=,
	for f in $SC_FLAGS; do
		case $f in timeout=*) echo "${f#timeout=}"; return ;; esac
	done
	echo "$VM_DEFAULT_TIMEOUT"
}

# vm_scenario_applies KVER: the current scenario runs on kernel KVER.
vm_scenario_applies() {
	[[ $SC_KERNELS == all || $1 == "$SC_KERNELS".* ]]
}

# vm_kvers: installed target kernel releases, one per line, oldest first.
vm_kvers() {
	"$VIREO_ROOT/tools/deps.sh" --print-kvers
}

# vm_missing_modules KVER: print the module files missing for KVER.
vm_missing_modules() {
	local m
	for m in "${VM_MODULES[@]}"; do
		[[ -f $VIREO_BUILD/$1/$m ]] || echo "build/$1/$m"
	done
}

# vm_scratch_new: set VM_SCRATCH to a fresh per-boot directory for the
# disk images and the QMP socket (short: a socket path has 107 bytes).
vm_scratch_new() {
	VM_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vireo-vm.XXXXXX")
}

# vm_scratch_rm: delete VM_SCRATCH and everything in it.
vm_scratch_rm() {
	[[ -n ${VM_SCRATCH:-} ]] && rm -rf "$VM_SCRATCH"
	VM_SCRATCH=
}

# vm_img_blockdev TOKEN: create the image of an img:ID:SIZE[:OPTS] token
# in VM_SCRATCH and add its -blockdev to VM_CMD.  Raw over a sparse file;
# discard=unmap on both nodes so guest discards punch holes in the file;
# cache.no-flush=on (cache=unsafe): the image dies with the boot, so
# host flushes would only cost time.
vm_img_blockdev() {
	local kind id size opts file spec
	IFS=: read -r kind id size opts <<<"$1"
	if [[ $kind != img || -z $id || -z $size ]]; then
		echo "scenarios: bad disk token '$1' (img:ID:SIZE[:OPTS])" >&2
		return 1
	fi
	file=$VM_SCRATCH/$id.img
	truncate -s "$size" "$file" || return 1
	spec="driver=raw,node-name=$id,discard=unmap,cache.no-flush=on"
	spec+=",file.driver=file,file.filename=$file,file.discard=unmap"
	VM_CMD+=(-blockdev "$spec${opts:+,$opts}")
}

# vm_qemu_cmd KVER INITRD APPEND_EXTRA: fill the array VM_CMD with the
# QEMU command line for the current scenario (without timeout and
# serial setup; callers add -serial).  Never KVM: results must not
# depend on the host, and CI has no /dev/kvm.  Needs VM_SCRATCH
# (vm_scratch_new): disk images and the QMP socket qmp.sock go there.
# VM_APPEND (environment) is added to the kernel command line.
# VM_BLK_REF=1 (environment, 6.12): run the blk-* scripts against the
# in-kernel virtio_blk instead of vireo_blk (vireo.blkref=1, and the
# in-kernel virtio-pci is left on), to check the scripts themselves.
vm_qemu_cmd() {
	local kver=$1 initrd=$2 extra=$3 append tok
	if [[ -z ${VM_SCRATCH:-} || ! -d $VM_SCRATCH ]]; then
		echo "scenarios: vm_qemu_cmd needs VM_SCRATCH" >&2
		return 1
	fi
	# no_timer_check: on a loaded host TCG can miss the IO-APIC timer
	# check's window, and the guest panics with "IO-APIC + timer doesn't
	# work" before any test runs.
	append="console=ttyS0 panic=-1 loglevel=7 no_timer_check vireo.scenario=$SC_NAME"
	if [[ ${VM_BLK_REF:-0} == 1 && $SC_NAME == blk-* ]]; then
		append+=" vireo.blkref=1"
	elif ! vm_scenario_has_flag virtio; then
		# Keep the built-in virtio-pci (6.12) off our devices; a no-op
		# where virtio_pci is a module (6.1) and never loaded.
		append+=" initcall_blacklist=virtio_pci_driver_init"
	fi
	[[ -n $extra ]] && append+=" $extra"
	[[ -n ${VM_APPEND:-} ]] && append+=" $VM_APPEND"
	# thread=single: multi-threaded TCG occasionally lets a vCPU run
	# stale code while the kernel patches its text (text_poke_bp's int3),
	# an "Oops: int3" at boot before any vireo module is loaded. One host
	# thread still interleaves both vCPUs, so the guest stays SMP.
	VM_CMD=(qemu-system-x86_64 -M pc -m 512 -smp 2 -accel tcg,thread=single
		-nographic -nodefaults -no-reboot
		-bios /usr/share/qemu/qboot.rom
		-kernel "$(vm_kernel_image "$kver")" -initrd "$initrd"
		-append "$append"
		-qmp "unix:$VM_SCRATCH/qmp.sock,server=on,wait=off")
	for tok in $SC_DEVICES; do
		case $tok in
		img:*) vm_img_blockdev "$tok" || return 1 ;;
		blockdev:*) VM_CMD+=(-blockdev "${tok#blockdev:}") ;;
		object:*) VM_CMD+=(-object "${tok#object:}") ;;
		*) VM_CMD+=(-device "$tok,disable-modern=on") ;;
		esac
	done
}

# vm_relay_start LOG: start tools/vm/qmp-relay.py on the current boot's
# QMP socket, following console log LOG; its record goes to
# VM_SCRATCH/qmp.log.  Sets VM_RELAY_PID.
vm_relay_start() {
	python3 "$VIREO_ROOT/tools/vm/qmp-relay.py" "$VM_SCRATCH/qmp.sock" \
		"$1" "$VM_SCRATCH/qmp.log" </dev/null >/dev/null 2>"$VM_SCRATCH/relay.err" &
	VM_RELAY_PID=$!
}

# vm_relay_stop LOG: stop the relay and append its record (and any
# error it printed) to console log LOG.
vm_relay_stop() {
	if [[ -n ${VM_RELAY_PID:-} ]]; then
		kill "$VM_RELAY_PID" 2>/dev/null
		wait "$VM_RELAY_PID" 2>/dev/null
	fi
	VM_RELAY_PID=
	[[ -n ${VM_SCRATCH:-} ]] || return 0
	[[ -s $VM_SCRATCH/qmp.log ]] && cat "$VM_SCRATCH/qmp.log" >>"$1"
	[[ -s $VM_SCRATCH/relay.err ]] &&
		sed 's/^/# qmp-relay: /' "$VM_SCRATCH/relay.err" >>"$1"
	return 0
}

# vm_kernel_image KVER: the kernel image QEMU should boot for KVER.
# The Debian bzImage spends ~8 s of TCG time decompressing itself, so
# unless VM_BOOT=bzimage we boot the uncompressed vmlinux through its
# PVH entry point (CONFIG_PVH=y in both Debian kernels) instead.  The
# vmlinux is extracted once from the bzImage payload into build/initramfs/
# (again when the bzImage is newer); on any trouble, use the bzImage.
vm_kernel_image() {
	local kver=$1 bz=/boot/vmlinuz-$1 out magic dec setup off len tmp
	out=$VIREO_BUILD/initramfs/vmlinux-$kver
	if [[ ${VM_BOOT:-pvh} == bzimage ]] ||
		! grep -qx 'CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null; then
		echo "$bz"
		return
	fi
	if [[ -s $out && ! $bz -nt $out ]]; then
		echo "$out"
		return
	fi
	# boot_params header: setup_sects at 0x1f1 (0 means 4), payload
	# offset/length (from the protected-mode code) at 0x248/0x24c; the
	# payload ends with the 4-byte uncompressed size.
	setup=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
	[[ $setup == 0 ]] && setup=4
	off=$(( (setup + 1) * 512 + $(od -An -tu4 -j $((0x248)) -N4 "$bz" | tr -d ' ') ))
	len=$(( $(od -An -tu4 -j $((0x24c)) -N4 "$bz" | tr -d ' ') - 4 ))
	magic=$(od -An -tx1 -j "$off" -N4 "$bz" | tr -d ' ')
	case $magic in
	fd377a58) dec="xz -dc" ;;
	28b52ffd) dec="zstd -qdc" ;;
	1f8b*) dec="gzip -dc" ;;
	*) echo "$bz"; return ;;
	esac
	mkdir -p "$(dirname "$out")"
	tmp=$out.tmp.$$
	if dd if="$bz" bs=64K iflag=skip_bytes,count_bytes skip="$off" \
		count="$len" status=none | $dec >"$tmp" 2>/dev/null &&
		[[ $(od -An -tx1 -N4 "$tmp" | tr -d ' ') == 7f454c46 ]]; then
		mv "$tmp" "$out"
		echo "$out"
	else
		rm -f "$tmp"
		echo "$bz"
	fi
}

# vm_initramfs KVER: build (or reuse) the initramfs for KVER and print
# its path.  One image per kernel serves every scenario.
vm_initramfs() {
	local out=$VIREO_BUILD/initramfs/$1.cpio.gz
	"$VIREO_ROOT/tools/vm/mkinitramfs.sh" "$1" "$out" >&2 || return 1
	echo "$out"
}

# vm_rel PATH: PATH relative to the repo root when inside it.
vm_rel() {
	case $1 in
	"$VIREO_ROOT"/*) echo "${1#"$VIREO_ROOT"/}" ;;
	*) echo "$1" ;;
	esac
}
