#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""run.py [options] [DIR...]: run vireo's tests (default DIR: tests/).

Every test file under DIR is run once on each kernel its header allows
(guest tests, one QEMU boot each) or once on the host (kind: host), as
many at a time as -j says.  Progress goes to stderr as tests finish; the
whole run is then printed as one KTAP document, in a fixed order, each
guest's own document nested under its test, followed by the wall time,
the summed test time and the closing line "N passed, N failed, N
skipped".  Exits 1 if anything failed.  Documentation/testing.rst.

  -T GLOB    only tests whose name matches GLOB (repeatable, or a,b)
  -G GROUP   only tests in GROUP
  --kver K   only kernel K (repeatable): a release, or "debug"; any test
             runs on any release named here, a flavour one included
  --full     the full matrix (make test-all): every test on the flavour
             kernels too (Debian's cloud and rt builds; without it they
             run only the "flavours" group), and no "short-args:"
             arguments (a stress test's full cycle count)
  -j N       tests at a time (default: the number of CPUs)
  --ref      run the tests with a "ref:" key against the in-kernel driver
             (virtio_blk: 6.12 only; virtio_net) instead of vireo's, to
             tell a script bug from a driver bug
  --bench    the benchmarks (bench/): print their BENCH lines as well
  --insn     attach the instruction-counting QEMU plugin (tools/tcg-insn)
             and append its phases to the log as BENCH-INSN lines
  --list     list the selected tests with their kernels and groups
  --modules-from DIR
             boot our modules from DIR ("{kernel}" for the release, e.g.
             /lib/modules/{kernel}/updates/dkms), not from build/ (the
             environment's VIREO_MODULES_FROM likewise; vm.module_dir())
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import ktap  # noqa: E402
import vm  # noqa: E402

LOGS = vm.BUILD / 'logs'
DURATIONS = LOGS / 'durations.json'
TAIL = 20


class Job:
    """One test on one kernel (or on the host), and its outcome."""

    def __init__(self, test, kernel, ref=False):
        self.test = test
        self.kernel = kernel
        self.ref = ref              # against the in-kernel driver (--ref)
        self.status = ktap.FAIL
        self.reason = 'not run'
        self.tree = None
        self.secs = 0.0
        self.bench = []
        self.initrd = None          # set by prepare() for a guest test

    @property
    def title(self):
        return self.test.name if self.kernel == 'host' else \
            '%s/%s' % (self.kernel, self.test.name)

    @property
    def log(self):
        # A reference run keeps its own log beside the driver's.
        return LOGS / self.kernel / (self.test.name +
                                     ('.ref.log' if self.ref else '.log'))

    def fail(self, reason):
        self.status, self.reason = ktap.FAIL, reason

    def skip(self, reason):
        self.status, self.reason = ktap.SKIP, reason


def parse_args(argv):
    p = argparse.ArgumentParser(usage=__doc__.split('\n')[0])
    p.add_argument('dirs', nargs='*')
    p.add_argument('-T', dest='names', action='append', default=[])
    p.add_argument('-G', dest='group')
    p.add_argument('--kver', action='append', default=[])
    p.add_argument('--full', action='store_true')
    p.add_argument('-j', type=int, default=os.cpu_count() or 1)
    p.add_argument('--ref', action='store_true')
    p.add_argument('--bench', action='store_true')
    p.add_argument('--insn', action='store_true')
    p.add_argument('--list', action='store_true')
    p.add_argument('--modules-from', default='')
    args = p.parse_args(argv)
    if args.modules_from:
        vm.MODULES_FROM = args.modules_from
    args.names = [n for arg in args.names for n in arg.split(',') if n]
    if not args.dirs:
        args.dirs = [vm.ROOT / ('bench' if args.bench else 'tests')]
    return args


def make_jobs(args):
    tests = vm.select(vm.find_tests(*args.dirs), args.names, args.group)
    if args.ref:
        tests = [t for t in tests if t.ref]
    kernels = args.kver or vm.target_kernels('all') + [vm.DEBUG]
    # Without --full or --kver, a flavour kernel runs the flavours group.
    flavours = set() if args.kver or args.full else \
        set(vm.target_kernels('flavours'))
    jobs = []
    for t in tests:
        if t.kind == 'host':
            if not args.kver:
                jobs.append(Job(t, 'host'))
            continue
        tk = kernels
        if args.ref and t.ref == 'blk' and not args.kver:
            # virtio_blk must load alone: on 6.12 virtio and virtio_ring
            # are built in, on 6.1 they are modules the image lacks.
            # virtio_net ships with its modular dependencies (6.1 too).
            tk = [k for k in kernels if k.startswith('6.12.')]
        jobs += [Job(t, k, args.ref) for k in tk if t.applies(k) and
                 (k not in flavours or t.in_group(vm.FLAVOURS_GROUP))]
    return jobs


def prepare(jobs, ref=False):
    """Skip the jobs whose needs the host lacks, build each kernel's
    initramfs, fail the jobs that cannot run; return those that can."""
    for j in jobs:
        missing = j.test.missing_needs()
        if missing:
            j.skip('the host has no %s (make deps)' % ', '.join(missing))
    by_kernel = {}
    for j in jobs:
        if j.status != ktap.SKIP:
            by_kernel.setdefault(j.kernel, []).append(j)
    for kernel, kjobs in by_kernel.items():
        if kernel != 'host':
            prepare_kernel(kernel, kjobs, ref)
    return [j for kjobs in by_kernel.values() for j in kjobs
            if j.kernel == 'host' or j.initrd]


def prepare_kernel(kernel, jobs, ref=False):
    """Give KERNEL's JOBS its initramfs, or fail them, saying why.

    A reference run (REF) uses the in-kernel drivers, not our modules.
    """
    why = kernel_problem(kernel)
    initrd = None
    if not why:
        log = LOGS / kernel / 'mkinitramfs.log'
        log.parent.mkdir(parents=True, exist_ok=True)
        initrd = vm.initramfs(kernel, log)
        if not initrd:
            why = 'initramfs build failed; log: %s' % rel(log)
    missing = vm.missing_modules(kernel)
    for j in jobs:
        if why:
            j.fail(why)
        elif missing and j.test.modules != 'none' and not ref:
            j.fail('%d of %d modules not built for %s, e.g. %s (%s)'
                   % (len(missing), len(vm.MODULES), kernel, missing[0],
                      'not in ' + vm.MODULES_FROM if vm.MODULES_FROM
                      else 'run make; build/%s.log says if the kernel'
                      ' lacks what one needs' % kernel))
        else:
            j.initrd = initrd


def kernel_problem(kernel):
    if vm.kernel_image(kernel) is None:
        return ('no KUnit kernel built (make kunit-kernel)'
                if kernel == vm.DEBUG else 'no /boot/vmlinuz-%s' % kernel)
    return ''


def run_guest(job, ref, insn=None, full=False):
    append = [vm.REF_ARG] if ref else []
    if not full:
        # A short run: e.g. fewer cycles of a stress test (short-args).
        append += job.test.short_args.split()
    with vm.Boot(job.test, job.kernel, job.initrd, append, insn) as boot:
        rc, job.secs, timed_out, qmp_notes = boot.run(job.log,
                                                      job.test.timeout)
        insn_lines = boot.insn_lines()
    text = job.log.read_text(errors='replace')
    job.tree, reason = vm.judge(job.test.name, text, rc, timed_out,
                                job.test.timeout)
    # After the verdict: the QMP record is the host's, not the guest's.
    if qmp_notes:
        with open(job.log, 'a') as f:
            f.write('\n'.join(qmp_notes) + '\n')
    if insn_lines:
        with open(job.log, 'a') as f:
            f.write('\n'.join(insn_lines) + '\n')
    job.bench = [ln for ln in text.replace('\r', '').splitlines()
                 if ln.startswith('BENCH ')]
    job.bench += [ln for ln in insn_lines
                  if ln.startswith(('BENCH-INSN phase ', 'BENCH-INSN exit '))]
    if reason:
        job.fail(reason)
    else:
        # A guest that skipped its test as a whole says "ok 1 t # SKIP".
        job.status, job.reason = job.tree.status, ''


def run_host(job):
    """A host test: its body runs under bash in the repository."""
    job.log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with open(job.log, 'w') as f:
        try:
            rc = subprocess.run(['bash', job.test.path], cwd=vm.ROOT,
                                stdin=subprocess.DEVNULL, stdout=f,
                                stderr=subprocess.STDOUT,
                                timeout=job.test.timeout).returncode
            why = '' if rc == 0 else 'exit status %d' % rc
        except subprocess.TimeoutExpired:
            why = 'timed out after %ds' % job.test.timeout
    job.secs = time.monotonic() - t0
    if why:
        job.fail(why)
    else:
        job.status, job.reason = ktap.PASS, ''


def run_all(jobs, args):
    """Run JOBS on args.j workers, longest expected first."""
    known = load_durations()
    order = sorted(jobs, key=lambda j: -known.get(j.title, j.test.timeout))
    done = [0]
    lock = threading.Lock()

    def one(job):
        try:
            if job.kernel == 'host':
                run_host(job)
            else:
                run_guest(job, args.ref, args.insn_so, args.full)
        except Exception as e:  # a harness bug must not lose the others
            job.fail('harness error: %r' % e)
        with lock:
            done[0] += 1
            word = {'pass': 'ok', 'skip': 'skip'}.get(job.status, 'FAIL')
            print('[%d/%d] %s %s (%.1fs)%s' % (
                done[0], len(jobs), word, job.title, job.secs,
                ': ' + job.reason if job.reason else ''),
                file=sys.stderr, flush=True)

    with concurrent.futures.ThreadPoolExecutor(max(1, args.j)) as pool:
        list(pool.map(one, order))
    save_durations(known, jobs)


def load_durations():
    try:
        return json.loads(DURATIONS.read_text())
    except (OSError, ValueError):
        return {}


def save_durations(known, jobs):
    known.update({j.title: round(j.secs, 1) for j in jobs if j.secs})
    DURATIONS.parent.mkdir(parents=True, exist_ok=True)
    DURATIONS.write_text(json.dumps(known, indent=1, sort_keys=True))


def rel(path):
    try:
        return str(Path(path).relative_to(vm.ROOT))
    except ValueError:
        return str(path)


def report(jobs, wall):
    """The whole run as one KTAP document, then the closing lines."""
    out = ['KTAP version 1', '1..%d' % len(jobs)]
    for i, j in enumerate(jobs, 1):
        # The guest's result for its test, with the checks nested under
        # it; its result line is replaced by the run's own.
        if j.tree is not None and j.tree.number is not None:
            out += ktap.emit(j.tree, 0)[:-1]
        if j.status == ktap.FAIL:
            out += ['# ' + j.reason] + log_tail(j)
        out += j.bench
        word = 'ok' if j.status != ktap.FAIL else 'not ok'
        skip = 'SKIP %s; ' % j.reason if j.status == ktap.SKIP else ''
        out.append('%s %d %s # %s%.1fs' % (word, i, j.title, skip, j.secs))
    n = {s: sum(j.status == s for j in jobs)
         for s in (ktap.PASS, ktap.FAIL, ktap.SKIP)}
    checks = {s: 0 for s in n}
    for j in jobs:
        if j.tree is not None:
            for s, c in ktap.counts(j.tree).items():
                checks[s] += c
    total = sum(j.secs for j in jobs)
    out.append('# wall %.0fs; test time %.0fs in %d tests (%.2fx)' % (
        wall, total, len(jobs), total / wall if wall else 0))
    out.append('# checks inside the tests: %d passed, %d failed, %d skipped'
               % (checks['pass'], checks['fail'], checks['skip']))
    out.append('%d passed, %d failed, %d skipped' % (
        n['pass'], n['fail'], n['skip']))
    return out


def log_tail(job):
    try:
        lines = job.log.read_text(errors='replace').replace('\r', '')
        lines = lines.splitlines()[-TAIL:]
    except OSError:
        lines = []
    return ['# | ' + ln for ln in lines] + ['# log: ' + rel(job.log)]


def main(argv):
    args = parse_args(argv)
    try:
        jobs = make_jobs(args)
    except vm.BadTest as e:
        print('run: %s' % e, file=sys.stderr)
        return 2
    if args.list:
        for j in jobs:
            print('%-28s %s' % (j.title, ' '.join(j.test.groups)))
        return 0
    if not jobs:
        print('run: no test selected', file=sys.stderr)
        return 2
    args.insn_so = vm.insn_plugin() if args.insn else None
    if args.insn and not args.insn_so:
        print('run: --insn: the plugin cannot be built (tools/tcg-insn)',
              file=sys.stderr)
        return 2
    t0 = time.monotonic()
    runnable = prepare(jobs, args.ref)
    run_all(runnable, args)
    print('\n'.join(report(jobs, time.monotonic() - t0)))
    return 0 if all(j.status != ktap.FAIL for j in jobs) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
