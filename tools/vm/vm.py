# SPDX-License-Identifier: GPL-2.0
"""The VM library: everything a vireo guest boot needs.

Used by the test runner (tools/vm/run.py), the benchmarks and make run
alike: test files and their metadata, the kernels (Debian's, or the
cached KUnit debug kernel), the initramfs (one builder,
tools/vm/mkinitramfs.sh, one /init), the QEMU command line, the QMP
relay, time limits, and the judgement of a console log (kernel splats
from tools/splat-patterns, the guest's KTAP document).
"""

import dataclasses
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import chrhost
import ktap

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get('VIREO_BUILD', ROOT / 'build'))

# The KUnit kernel's name, in test metadata ("kernels: debug") and KVER=.
DEBUG = 'debug'

# Our modules, relative to a build directory, in load order.
MODULES = [ln for ln in (ROOT / 'tools/vm/modules').read_text().splitlines()
           if ln and not ln.startswith('#')]

DEFAULT_TIMEOUT = 180
# Runs a test against the in-kernel driver (lib.sh's blk_ref, net_ref).
REF_ARG = 'vireo.ref=1'
# Reference drivers a test can name in "ref:".
REFS = ('blk', 'net', 'console', 'balloon')
# Topology B (tap: devices): the bridge of the boot's private network
# namespace, and the name of the tap of netdev ID.
TAP_BRIDGE = 'vireo-br'
KEYS = {'description', 'kind', 'kernels', 'groups', 'devices', 'timeout',
        'vcpus', 'memory', 'boot', 'modules', 'ref', 'needs', 'append',
        'short-args'}
# The group that make test also runs on the flavour kernels (Debian's
# cloud and rt builds); the rest of the suite runs there in a full run.
FLAVOURS_GROUP = 'flavours'
# chardev:KIND:ID[:SIZE] (testing.rst): the backends a test can give a
# console port, its host end.
CHARDEV_KINDS = ('socket', 'file', 'ringbuf')


class BadTest(Exception):
    """A test file whose metadata header cannot be used."""


@dataclasses.dataclass
class Test:
    """One test file and the metadata in its header."""
    name: str
    path: Path
    description: str
    kind: str = 'guest'         # guest: booted; host: run on the host
    kernels: str = 'all'        # all, a release prefix, or debug
    groups: tuple = ()
    devices: tuple = ()
    timeout: int = DEFAULT_TIMEOUT
    vcpus: int = 2
    memory: int = 512
    boot: str = 'vireo'         # virtio: the in-kernel virtio-pci binds
    modules: str = 'vireo'      # none: the test needs none of ours
    ref: str = ''               # blk, net, console, balloon: also runs on the in-kernel driver
    needs: tuple = ()           # host commands or files it cannot do without
    append: str = ''            # kernel arguments, before console=ttyS0
    short_args: str = ''        # kernel arguments in a short run (make
                                # test, not make test-all)

    def missing_needs(self):
        """What this test needs from the host and does not find there.

        "root" is a need of its own: the runner must run as root (tap
        devices in a private network namespace).
        """
        def have(n):
            if n == 'root':
                return os.geteuid() == 0
            return os.path.exists(n) if n.startswith('/') else shutil.which(n)
        return [n for n in self.needs if not have(n)]

    def applies(self, kernel):
        """Whether this test runs on KERNEL (a release or DEBUG).

        kernels: lists "all" (every Debian target), release prefixes
        ("6.12" matches 6.12.*) and "debug" (the KUnit kernel).
        """
        if self.kind == 'host':
            return False
        for k in self.kernels.split():
            if k == kernel or (kernel != DEBUG and
                               (k == 'all' or kernel.startswith(k + '.'))):
                return True
        return False

    def in_group(self, group):
        return group in self.groups


def _header(path):
    """The "# key: value" lines of PATH's header, as (lineno, key, value)."""
    lines = path.read_text().splitlines()
    out = []
    i = 0
    # Skip the shebang, the SPDX line and the lone "#" after it.
    while i < len(lines) and (lines[i].startswith('#!') or
                              'SPDX-License-Identifier' in lines[i] or
                              lines[i] == '#'):
        i += 1
    for i in range(i, len(lines)):
        m = re.match(r'# ([A-Za-z-]+): (.*)$', lines[i])
        if not m:
            break
        out.append((i + 1, m.group(1), m.group(2).strip()))
    return out


def load_test(path):
    """Parse the metadata header of test file PATH into a Test."""
    path = Path(path)
    fields = {'devices': []}
    for lineno, key, value in _header(path):
        where = '%s:%d' % (path, lineno)
        if key not in KEYS:
            raise BadTest('%s: unknown key "%s"' % (where, key))
        if key.replace('-', '_') in fields and key != 'devices':
            raise BadTest('%s: a second "%s" line' % (where, key))
        if key == 'devices':
            fields['devices'] += value.split()
        elif key in ('groups', 'needs'):
            fields[key] = value.split()
        elif key in ('timeout', 'vcpus', 'memory'):
            if not value.isdigit() or int(value) == 0:
                raise BadTest('%s: %s must be a positive number' %
                              (where, key))
            fields[key] = int(value)
        elif key == 'ref' and value not in REFS:
            raise BadTest('%s: ref must be one of %s' % (where, ', '.join(REFS)))
        else:
            fields[key.replace('-', '_')] = value
    if 'description' not in fields:
        raise BadTest('%s: no "# description:" line in its header' % path)
    # The directory names a group too: tests/blk/x.sh is in group blk.
    fields['groups'] = tuple(dict.fromkeys(
        [path.parent.name] + fields.get('groups', [])))
    fields['devices'] = tuple(fields['devices'])
    for tok in fields['devices']:
        if tok.startswith('tap:'):
            parse_tap(tok[4:])
        if tok.startswith('chardev:'):
            parse_chardev(tok[8:])
    fields['needs'] = tuple(fields.get('needs', ()))
    return Test(name=path.stem, path=path, **fields)


def find_tests(*dirs):
    """Every test under DIRS (*.sh files), sorted by path."""
    tests = []
    for d in dirs:
        tests += [load_test(p) for p in sorted(Path(d).rglob('*.sh'))]
    seen = {}
    for t in tests:
        if t.name in seen:
            raise BadTest('two tests named %s: %s and %s' %
                          (t.name, seen[t.name], t.path))
        seen[t.name] = t.path
    return tests


def select(tests, names=None, group=None):
    """The tests matching a name glob list and a group, in order."""
    out = []
    for t in tests:
        if names and not any(fnmatch.fnmatch(t.name, g) for g in names):
            continue
        if group and not t.in_group(group):
            continue
        out.append(t)
    return out


# --- kernels ---------------------------------------------------------------

def target_kernels(tier='primary'):
    """Installed target kernel releases of TIER, oldest first: primary
    (the generic amd64 6.1 and 6.12), flavours (their cloud and rt
    builds) or all (tools/deps.sh --print-kvers)."""
    out = subprocess.run([ROOT / 'tools/deps.sh', '--print-kvers', tier],
                         capture_output=True, text=True, check=False)
    return out.stdout.split()


def kunit_kdir():
    """The cached KUnit kernel's build directory, or None if not built."""
    out = subprocess.run([ROOT / 'tools/kunit/build-kernel.sh', '--cached'],
                         capture_output=True, text=True, check=False)
    lines = out.stdout.split()
    return Path(lines[-1]) if out.returncode == 0 and lines else None


def insn_plugin():
    """The instruction-counting QEMU plugin (tools/tcg-insn), built and
    cached on first use; its path, or None if it cannot be built."""
    out = subprocess.run([ROOT / 'tools/tcg-insn/build.sh'],
                         capture_output=True, text=True, check=False)
    lines = out.stdout.split()
    if out.returncode != 0 or not lines:
        print(out.stderr, end='', file=sys.stderr)
        return None
    return Path(lines[-1])


# VIREO_MODULES_FROM=DIR boots our modules from DIR instead of the tree's
# build: "{kernel}" in DIR stands for the release, e.g.
# /lib/modules/{kernel}/updates/dkms for the ones DKMS installed
# (tests/pkg/).  Such a directory is flat and its modules may be
# compressed, so they are staged, decompressed, into the build layout of
# tools/vm/modules under BUILD/modules-from/<release>/, and the initramfs
# gets a cache file of its own (<release>.from.cpio.gz).
MODULES_FROM = os.environ.get('VIREO_MODULES_FROM', '')
_staged = {}
_stage_lock = threading.Lock()


def module_dir(kernel):
    """Where KERNEL's build of our modules is."""
    if MODULES_FROM and kernel != DEBUG:
        return _stage_modules(kernel)
    return BUILD / ('kunit' if kernel == DEBUG else kernel)


def _stage_modules(kernel):
    """KERNEL's modules from MODULES_FROM, staged in the build layout.

    A module not found there is left out of the stage, so that
    missing_modules() names it.
    """
    with _stage_lock:
        if kernel in _staged:
            return _staged[kernel]
        src = Path(MODULES_FROM.replace('{kernel}', kernel))
        out = BUILD / 'modules-from' / kernel
        shutil.rmtree(out, ignore_errors=True)
        unpack = {'.ko': ['cat'], '.ko.xz': ['xz', '-dc'],
                  '.ko.zst': ['zstd', '-qdc'], '.ko.gz': ['gzip', '-dc']}
        for m in MODULES:
            name = Path(m).name[:-len('.ko')]
            found = [(src / (name + ext), cmd) for ext, cmd in unpack.items()
                     if (src / (name + ext)).is_file()]
            if not found:
                continue
            f, cmd = found[0]
            (out / m).parent.mkdir(parents=True, exist_ok=True)
            with open(out / m, 'wb') as dst:
                subprocess.run(cmd + [str(f)], stdout=dst, check=True)
        _staged[kernel] = out
        return out


def missing_modules(kernel):
    """Our modules not built for KERNEL, relative to the repository."""
    d = module_dir(kernel)
    return [str((d / m).relative_to(ROOT)) for m in MODULES
            if not (d / m).is_file()]


def kernel_image(kernel):
    """The image QEMU boots for KERNEL.

    Debian's bzImage spends ~8 s of TCG time decompressing itself, so
    the uncompressed vmlinux is booted through its PVH entry point
    (CONFIG_PVH=y in all six Debian kernels) instead, extracted once from
    the bzImage's payload into build/initramfs/; on any trouble, or with
    VM_BOOT=bzimage, the bzImage.
    """
    if kernel == DEBUG:
        kdir = kunit_kdir()
        return kdir / 'arch/x86/boot/bzImage' if kdir else None
    bz = Path('/boot/vmlinuz-' + kernel)
    if not bz.is_file():
        return None
    config = Path('/boot/config-' + kernel)
    if (os.environ.get('VM_BOOT', 'pvh') == 'bzimage' or
            not config.is_file() or
            'CONFIG_PVH=y\n' not in config.read_text()):
        return bz
    out = BUILD / 'initramfs' / ('vmlinux-' + kernel)
    if out.is_file() and out.stat().st_mtime >= bz.stat().st_mtime:
        return out
    return _extract_vmlinux(bz, out) or bz


def _extract_vmlinux(bz, out):
    """Decompress bzImage BZ's payload to OUT; the path, or None."""
    data = bz.read_bytes()
    # boot_params: setup_sects at 0x1f1 (0 means 4), the payload's offset
    # from the protected-mode code and its length at 0x248/0x24c; the
    # payload ends with its 4-byte uncompressed size.
    setup = data[0x1f1] or 4
    off = (setup + 1) * 512 + int.from_bytes(data[0x248:0x24c], 'little')
    length = int.from_bytes(data[0x24c:0x250], 'little') - 4
    payload = data[off:off + length]
    # 6.1's cloud flavour is LZ4 (the kernel's legacy LZ4 frames).
    tools = {b'\xfd7zX': ['xz', '-dc'], b'(\xb5/\xfd': ['zstd', '-qdc'],
             b'\x1f\x8b': ['gzip', '-dc'], b'\x02!L\x18': ['lz4', '-dcq']}
    cmd = next((c for magic, c in tools.items()
                if payload.startswith(magic)), None)
    if cmd is None:
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + '.tmp.%d' % os.getpid())
    with open(tmp, 'wb') as f:
        ok = subprocess.run(cmd, input=payload, stdout=f,
                            stderr=subprocess.DEVNULL).returncode == 0
    if ok and tmp.read_bytes()[:4] == b'\x7fELF':
        tmp.replace(out)
        return out
    tmp.unlink(missing_ok=True)
    return None


_initramfs_lock = threading.Lock()


def initramfs(kernel, log):
    """Build (or reuse) KERNEL's initramfs; its path, or None (see LOG)."""
    out = BUILD / 'initramfs' / (kernel + ('.from' if MODULES_FROM and
                                           kernel != DEBUG else '') +
                                 '.cpio.gz')
    cmd = [ROOT / 'tools/vm/mkinitramfs.sh', kernel, out,
           '--modules-dir', module_dir(kernel)]
    if kernel == DEBUG:
        cmd += ['--kunit', module_dir(kernel) / 'kunit']
    with _initramfs_lock, open(log, 'w') as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    return out if rc == 0 else None


# --- judgement -------------------------------------------------------------

def _splat_patterns():
    lines = (ROOT / 'tools/splat-patterns').read_text().splitlines()
    bad = [ln for ln in lines if ln and not ln.startswith(('#', '!'))]
    benign = [ln[1:] for ln in lines if ln.startswith('!')]
    return (re.compile('|'.join(bad)),
            re.compile('|'.join(benign)) if benign else None)


SPLAT, BENIGN = _splat_patterns()


def find_splat(text):
    """The first kernel splat line in console TEXT, or None."""
    for line in text.splitlines():
        if SPLAT.search(line) and not (BENIGN and BENIGN.search(line)):
            return re.sub(r'^\[ *[0-9.]+\] ', '', line)[:100]
    return None


def judge(name, text, rc, timed_out, limit):
    """Judge one boot of test NAME from its console TEXT.

    Returns (tree, reason): the guest's KTAP document as a ktap.Test
    result named NAME, and why it failed ("" if it passed).  A boot
    passes only if QEMU exited by itself in time and cleanly, no kernel
    splat is in the log, and the guest's document is complete and says
    its one test passed.
    """
    text = text.replace('\r', '')
    # The guest's document is the one whose test is NAME: a KUnit kernel
    # prints its own documents too, once per test module it loads.
    docs = [d for d in ktap.parse(text)
            if any(c.name == name for c in d.children)]
    root = docs[0] if len(docs) == 1 else ktap.parse_one('')
    if len(docs) > 1:
        root.problems = ['%d KTAP documents for %s' % (len(docs), name)]
    elif not docs:
        root.problems = ['no KTAP document with a result for %s' % name]
    tree = root.children[0] if len(root.children) == 1 else root
    first_fail = next((t for t in ktap.leaves(root)
                       if t.status == ktap.FAIL), None)
    detail = ('; first failure: %s' % first_fail.name) if first_fail else ''
    splat = find_splat(text)
    if timed_out:
        reason = 'timed out after %ds%s' % (limit, detail)
    elif splat:
        reason = 'kernel splat: %s%s' % (splat, detail)
    elif root.problems or root.status == ktap.FAIL:
        why = (root.problems or tree.problems or
               ['the guest reported failure'])
        reason = '%s%s' % (why[0], detail)
    elif len(root.children) != 1:
        reason = 'the guest reported %s, not %s alone' % (
            ', '.join(t.name for t in root.children), name)
    elif rc != 0:
        reason = 'qemu exited with status %d' % rc
    else:
        reason = ''
    return tree, reason


# --- boots -----------------------------------------------------------------

def parse_tap(spec):
    """tap:ID[,queues=N][,mtu=N]: (ID, {'queues': N, 'mtu': N})."""
    ident, *rest = spec.split(',')
    opts = {'queues': 1, 'mtu': 1500}
    if not re.fullmatch(r'[A-Za-z][A-Za-z0-9_]{0,7}', ident):
        raise BadTest('tap:%s: the id must be 1-8 letters or digits' % spec)
    for o in rest:
        k, _, v = o.partition('=')
        if k not in opts or not v.isdigit() or int(v) == 0:
            raise BadTest('tap:%s: unknown option "%s"' % (spec, o))
        opts[k] = int(v)
    return ident, opts


def parse_chardev(spec):
    """chardev:KIND:ID[:SIZE]: (KIND, ID, SIZE or None)."""
    kind, _, rest = spec.partition(':')
    ident, _, size = rest.partition(':')
    if kind not in CHARDEV_KINDS:
        raise BadTest('chardev:%s: the kind must be one of %s' %
                      (spec, ', '.join(CHARDEV_KINDS)))
    if not re.fullmatch(r'[A-Za-z][A-Za-z0-9_-]{0,30}', ident):
        raise BadTest('chardev:%s: the id must be a letter, then letters, '
                      'digits, _ or -' % spec)
    if size and (kind != 'ringbuf' or not size.isdigit()):
        raise BadTest('chardev:%s: only a ringbuf has a size (bytes)' % spec)
    return kind, ident, size or None


def is_virtio_pci(device):
    """Whether -device DEVICE is a virtio PCI function, which gets
    disable-modern=on; others (virtconsole, virtserialport on the
    virtio-serial bus, ISA and other devices) take no such property."""
    driver = device.split(',', 1)[0]
    return driver.startswith('virtio-') and driver.endswith('-pci')


def tap_name(ident):
    """The host interface name of the tap of netdev IDENT."""
    return 'vireo-' + ident


def tap_setup(devices):
    """The shell commands that set up DEVICES' taps, or '' if none.

    Run inside the boot's private network namespace: every tap (a
    multi-queue one for queues > 1) joins one bridge, without STP, IPv6
    or multicast snooping, so that the bridge adds no frames of its own
    and floods multicast as a wire would.
    """
    taps = [parse_tap(t.partition(':')[2]) for t in devices
            if t.startswith('tap:')]
    if not taps:
        return ''
    br = TAP_BRIDGE
    lines = ['ip link set lo up',
             'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6',
             'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6',
             'ip link add %s type bridge stp_state 0 mcast_snooping 0 '
             'forward_delay 0' % br]
    for ident, o in taps:
        name = tap_name(ident)
        lines += ['ip tuntap add %s mode tap vnet_hdr%s' % (
                      name, ' multi_queue' if o['queues'] > 1 else ''),
                  'ip link set %s mtu %d master %s up' % (name, o['mtu'], br)]
    lines.append('ip link set %s up' % br)
    return '\n'.join(lines)


class Boot:
    """One QEMU boot of a test on a kernel, with its scratch directory.

    Never KVM: results must not depend on the host, and CI has none.
    thread=single: multi-threaded TCG occasionally lets a vCPU run stale
    code while the kernel patches its text (an "Oops: int3" at boot);
    one host thread still interleaves the vCPUs, so the guest stays SMP.
    -cpu qemu64,-cx16: QEMU 7.2 emulates CMPXCHG16B with a helper that
    computes the flags from a stale condition-code state (fixed in 8.0,
    where the instruction is inlined). When an interrupt lands inside
    SLUB's lockless fast path the failed compare leaves EFLAGS with bits
    no CPU sets, and the guest dies with a double fault: seen once in
    net-irq, every register of the saved frame accounted for. Without
    CX16 the kernel takes its own fallback (SLUB's slab lock).
    """

    def __init__(self, test, kernel, initrd, append=(), insn=None):
        self.test = test
        self.kernel = kernel
        self.initrd = initrd
        self.append = list(append)
        self.scratch = Path(tempfile.mkdtemp(prefix='vireo-vm.'))
        # INSN: the instruction-counting plugin's .so (insn_plugin()).
        self.insn = insn
        self.insn_out = self.scratch / 'insn.txt'

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def cmdline(self, deadline):
        """The guest kernel's command line; DEADLINE 0 means none."""
        # no_timer_check: on a loaded host TCG can miss the IO-APIC timer
        # check's window, and the guest panics before any test runs.
        # The test's own arguments first: of several console= the last
        # is /dev/console, which must stay ttyS0 (append: console=hvc0).
        args = self.test.append.split() + [
            'console=ttyS0', 'panic=-1', 'loglevel=7', 'no_timer_check',
            'vireo.test=' + self.test.name]
        if deadline:
            args.append('vireo.deadline=%d' % deadline)
        if self.insn:
            args.append('vireo.insn=1')
        if self.kernel == DEBUG:
            # The debug kernel under TCG is slow enough to trip the
            # lockup detectors' defaults.
            args += ['watchdog_thresh=60', 'acpi=noirq']
        # Keep 6.12's built-in virtio-pci off our devices (a no-op on 6.1,
        # where virtio_pci is a module nobody loads), unless the test or
        # a reference run wants the in-kernel drivers.
        if self.test.boot != 'virtio' and REF_ARG not in self.append:
            args.append('initcall_blacklist=virtio_pci_driver_init')
        return ' '.join(args + self.append +
                        os.environ.get('VM_APPEND', '').split())

    def command(self, deadline):
        """The QEMU command line (without -serial)."""
        cmd = ['qemu-system-x86_64', '-M', 'pc', '-m', str(self.test.memory),
               '-smp', str(self.test.vcpus), '-accel', 'tcg,thread=single',
               '-cpu', 'qemu64,-cx16',
               '-nographic', '-nodefaults', '-no-reboot',
               '-bios', '/usr/share/qemu/qboot.rom',
               '-kernel', str(kernel_image(self.kernel)),
               '-initrd', str(self.initrd),
               '-append', self.cmdline(deadline),
               '-qmp', 'unix:%s/qmp.sock,server=on,wait=off' % self.scratch,
               # ttyS1: QMP replies for the guest (qmp.py, lib.sh qmp_query)
               '-chardev', 'socket,id=vireo-back,path=%s/back.sock,'
               'server=on,wait=off' % self.scratch,
               '-device', 'isa-serial,chardev=vireo-back,index=1']
        if self.insn:
            cmd += ['-plugin', ','.join(
                ['%s' % self.insn, 'outfile=%s' % self.insn_out] +
                os.environ.get('VM_INSN_ARGS', '').split())]
        for tok in self.test.devices:
            cmd += self._device(tok)
        taps = tap_setup(self.test.devices)
        if taps:
            # Topology B: QEMU runs in a private network namespace where
            # its taps are bridged; nothing leaves it, and it dies with
            # QEMU (unshare execs the shell, the shell execs QEMU).
            cmd = ['unshare', '-n', '--', 'sh', '-ec',
                   taps + '\nexec "$@"', 'vireo-netns'] + cmd
        return cmd

    def _device(self, tok):
        """The QEMU arguments of one devices token (testing.rst)."""
        kind, _, rest = tok.partition(':')
        if kind == 'img':
            return self._image(rest)
        if kind == 'blockdev':
            return ['-blockdev', rest]
        if kind == 'object':
            return ['-object', rest]
        if kind == 'netdev':
            return ['-netdev', rest]
        if kind == 'tap':
            ident, opts = parse_tap(rest)
            spec = ('tap,id=%s,ifname=%s,script=no,downscript=no,vhost=off'
                    % (ident, tap_name(ident)))
            if opts['queues'] > 1:
                spec += ',queues=%d' % opts['queues']
            return ['-netdev', spec]
        if kind == 'chardev':
            return ['-chardev', self._chardev(rest)]
        if kind == 'device':
            return ['-device', rest]
        # Legacy 0.9.5 virtio devices only.
        if is_virtio_pci(tok):
            return ['-device', tok + ',disable-modern=on']
        return ['-device', tok]

    def _chardev(self, spec):
        """chardev:KIND:ID[:SIZE]: the -chardev of a console port's host
        end: a socket ID.sock in the scratch directory (server, not
        waiting: chrhost.py connects when the guest asks), a file ID.out
        there, or a ringbuf (QMP ringbuf-read and ringbuf-write)."""
        kind, ident, size = parse_chardev(spec)
        if kind == 'socket':
            return 'socket,id=%s,path=%s/%s.sock,server=on,wait=off' % (
                ident, self.scratch, ident)
        if kind == 'file':
            return 'file,id=%s,path=%s/%s.out' % (ident, self.scratch, ident)
        return 'ringbuf,id=%s%s' % (ident, ',size=' + size if size else '')

    def _image(self, spec):
        """img:ID:SIZE[:OPTS]: a fresh sparse raw image as node ID.

        discard=unmap on both nodes, so guest discards punch holes;
        cache.no-flush=on, since the image dies with the boot.
        """
        ident, size, *opts = spec.split(':')
        path = self.scratch / (ident + '.img')
        subprocess.run(['truncate', '-s', size, path], check=True)
        node = ('driver=raw,node-name=%s,discard=unmap,cache.no-flush=on,'
                'file.driver=file,file.filename=%s,file.discard=unmap' %
                (ident, path))
        return ['-blockdev', node + ''.join(',' + o for o in opts)]

    def run(self, log, limit):
        """Boot with the console to LOG, for at most LIMIT seconds.

        Returns (rc, seconds, timed_out, qmp_record).
        """
        # The guest gives up 20 s before we do, so a stuck test still
        # reports which check hung, with the blocked tasks' stacks.
        deadline = limit - 20 if limit > 40 else limit // 2
        cmd = self.command(deadline) + ['-serial', 'stdio']
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, 'w') as f:
            f.write('# %s on %s, limit %ds\n# %s\n' % (
                self.test.name, self.kernel, limit, ' '.join(map(str, cmd))))
        # A qmp.Relay that also serves the host end of console ports.
        relay = chrhost.Relay(str(self.scratch / 'qmp.sock'), str(log),
                              str(self.scratch / 'back.sock'),
                              str(self.scratch))
        relay.start()
        t0 = time.monotonic()
        timed_out = False
        with open(log, 'a') as f:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f,
                                    stderr=subprocess.STDOUT)
            try:
                rc = proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                timed_out = True
                proc.kill()
                rc = proc.wait()
        secs = time.monotonic() - t0
        return rc, secs, timed_out, relay.stop()

    def insn_lines(self):
        """The plugin's output as "BENCH-INSN ..." lines ([] if none)."""
        try:
            text = self.insn_out.read_text(errors='replace')
        except OSError:
            return []
        return ['BENCH-INSN ' + ln for ln in text.splitlines() if ln]

    def interactive(self, log):
        """Boot on this terminal (mon:stdio gives Ctrl-a x); tee to LOG.

        The relay runs as in run(), following LOG, so that a guest
        script's VIREO-QMP and VIREO-CHR requests (make run's demo.sh)
        are served the same way on a terminal.  Returns (rc,
        qmp_record).
        """
        cmd = self.command(0) + ['-serial', 'mon:stdio']
        log.parent.mkdir(parents=True, exist_ok=True)
        # Empty before the relay opens it: it must never act on the
        # requests of an earlier boot's log (tee truncates it again).
        log.write_text('')
        relay = chrhost.Relay(str(self.scratch / 'qmp.sock'), str(log),
                              str(self.scratch / 'back.sock'),
                              str(self.scratch))
        relay.start()
        tee = subprocess.Popen(['tee', str(log)], stdin=subprocess.PIPE)
        rc = subprocess.run(cmd, stdout=tee.stdin,
                            stderr=subprocess.STDOUT).returncode
        tee.stdin.close()
        tee.wait()
        return rc, relay.stop()
