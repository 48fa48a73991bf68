#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Name the functions of a tcg-insn kernel profile.

  tools/tcg-insn/profile.py --log CONSOLE.log --profile PROFILE \\
      --kver KVER [--top N] GROUP_A [GROUP_B]

PROFILE is the plugin's profile=FILE output ("phase NAME" headers, then
"ADDRESS INSTRUCTIONS" lines, one per kernel block address); CONSOLE.log
is the boot's console log, whose "BENCH-TEXT" lines (lib.sh
insn_text_map) give the kernel's and the modules' text addresses.
The kernel's symbols come from the log's "BENCH-KSYMS" lines (the
guest's /proc/kallsyms, printed with vireo.insn_syms=1 on the command
line: Debian ships no real System.map), the modules' from their .ko
files (--build DIR, default build/KVER of this tree, for vireo's;
/lib/modules/KVER for the kernel's).

Each GROUP is a substring of phase names (for example
"net-tap/rr1/vireo/"); the phases of a group are summed and divided by
their operations (the OPS field of a benchmark label,
BENCH/WORKLOAD/DRIVER/BYTES/OPS/rROUND).  With one group: its top
functions by instructions per operation.  With two: the functions
whose instructions per operation differ most between them, and the
totals per module, so that "where do the extra instructions go" has an
answer (Documentation/blk-bench.rst, "Profiles").
"""
import argparse
import base64
import bisect
import collections
import gzip
import lzma
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def text_map(log):
    """{(module, section): address} from the BENCH-TEXT lines."""
    out = {}
    with open(log, errors='replace') as f:
        for ln in f:
            m = re.search(r'BENCH-TEXT (\S+) (\S+) ([0-9a-fx]+)', ln)
            if m:
                out[(m.group(1), m.group(2))] = int(m.group(3), 16)
    return out


def vmlinux_symbols(log):
    """[(address, name)] of the kernel's functions, from BENCH-KSYMS."""
    b64 = []
    with open(log, errors='replace') as f:
        for ln in f:
            m = re.search(r'BENCH-KSYMS (\S+)', ln)
            if m:
                b64.append(m.group(1))
    if not b64:
        sys.exit('profile: no BENCH-KSYMS lines in %s (boot with '
                 'vireo.insn_syms=1)' % log)
    text = gzip.decompress(base64.b64decode(''.join(b64))).decode()
    return [(int(a, 16), n) for a, n in
            (ln.split() for ln in text.splitlines() if ln)]


def module_file(build, kver, mod):
    """The .ko of MOD: vireo's build, else the kernel's (maybe .xz)."""
    for d in (build, '/lib/modules/%s' % kver):
        for dirpath, _, files in os.walk(d):
            for ext in ('.ko', '.ko.xz'):
                if mod + ext in files:
                    return os.path.join(dirpath, mod + ext)
    return None


def module_symbols(build, kver, mod, sections):
    """[(address, "name [mod]")] of MOD's functions in SECTIONS."""
    path = module_file(build, kver, mod)
    if not path:
        return []
    tmp = None
    if path.endswith('.xz'):
        tmp = tempfile.NamedTemporaryFile(suffix='.ko')
        with lzma.open(path) as z:
            tmp.write(z.read())
        tmp.flush()
        path = tmp.name
    out = subprocess.run(['objdump', '-t', path], capture_output=True,
                         text=True).stdout
    syms = []
    for ln in out.splitlines():
        f = ln.split()
        # 0000000000000000 l     F .text  0000000000000012 name
        if len(f) >= 6 and ' F ' in ln and f[-3] in sections:
            syms.append((sections[f[-3]] + int(f[0], 16),
                         '%s [%s]' % (f[-1], mod)))
    return syms


def symbol_table(log, build, kver):
    syms = vmlinux_symbols(log)
    mods = collections.defaultdict(dict)
    for (mod, sec), addr in text_map(log).items():
        if mod != 'vmlinux':
            mods[mod][sec] = addr
    for mod, secs in mods.items():
        syms += module_symbols(build, kver, mod, secs)
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def read_profile(path):
    """{phase: {address: instructions}}."""
    phases, cur = {}, None
    with open(path) as f:
        for ln in f:
            if ln.startswith('phase '):
                cur = phases.setdefault(ln.split()[1], collections.Counter())
            elif cur is not None:
                a, n = ln.split()
                cur[int(a, 16)] += int(n)
    return phases


def ops_of(phase):
    f = phase.split('/')
    return int(f[-2]) if len(f) >= 3 and f[-2].isdigit() else 1


def group(phases, pattern, addrs, names):
    """{function: instructions per operation} over the phases matching."""
    per, ops = collections.Counter(), 0
    for name, blocks in phases.items():
        if pattern not in name:
            continue
        ops += ops_of(name)
        for a, n in blocks.items():
            i = bisect.bisect_right(addrs, a) - 1
            per[names[i] if i >= 0 else '?'] += n
    if not ops:
        sys.exit('profile: no phase matches %r' % pattern)
    return {k: v / ops for k, v in per.items()}, ops


def module_of(fn):
    m = re.search(r'\[(\S+)\]$', fn)
    return m.group(1) if m else 'vmlinux'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--log', required=True)
    p.add_argument('--profile', required=True)
    p.add_argument('--kver', required=True)
    p.add_argument('--build', help='the build/KVER directory of the '
                   'modules that ran (default: this tree\'s)')
    p.add_argument('--top', type=int, default=30)
    p.add_argument('groups', nargs='+')
    a = p.parse_args()
    build = a.build or os.path.join(ROOT, 'build', a.kver)
    addrs, names = symbol_table(a.log, build, a.kver)
    phases = read_profile(a.profile)
    got = [group(phases, g, addrs, names) for g in a.groups[:2]]
    if len(got) == 1:
        per, ops = got[0]
        print('%s: %d operations, %.0f kernel instructions each'
              % (a.groups[0], ops, sum(per.values())))
        for fn, n in sorted(per.items(), key=lambda x: -x[1])[:a.top]:
            print('%10.1f  %s' % (n, fn))
        return
    (pa, oa), (pb, ob) = got
    print('kernel instructions per operation: %s %.0f (%d ops), %s %.0f (%d ops)'
          % (a.groups[0], sum(pa.values()), oa, a.groups[1],
             sum(pb.values()), ob))
    print('\nper module:')
    ma, mb = collections.Counter(), collections.Counter()
    for fn, n in pa.items():
        ma[module_of(fn)] += n
    for fn, n in pb.items():
        mb[module_of(fn)] += n
    for m in sorted(set(ma) | set(mb), key=lambda m: -abs(ma[m] - mb[m])):
        if ma[m] or mb[m]:
            print('%10.1f %10.1f %+9.1f  %s' % (ma[m], mb[m], ma[m] - mb[m], m))
    print('\nfunctions differing most (A, B, A-B):')
    diff = sorted(set(pa) | set(pb),
                  key=lambda f: -abs(pa.get(f, 0) - pb.get(f, 0)))
    for fn in diff[:a.top]:
        print('%10.1f %10.1f %+9.1f  %s' % (pa.get(fn, 0), pb.get(fn, 0),
                                            pa.get(fn, 0) - pb.get(fn, 0), fn))


if __name__ == '__main__':
    main()
