#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""demo.py [--kver K]: make run.

Boot one target kernel (default: the newest whose modules are built)
with a legacy device of every type vireo drives (an rng, a NIC on QEMU's
user network, a disk, a virtio-serial device with a console and a named
port, a balloon), run the guest script tools/vm/guest/demo.sh (load the
stack, show what each device became, use each), and, on a terminal,
leave the user in a busybox shell in the guest ("exit" powers it off;
Ctrl-a x quits QEMU).  Both ways the runner's relay (chrhost.py) serves
the guest's QMP and port requests, as for a test.  Exits non-zero if
the demo's checks failed.  The console is saved to
build/logs/<kver>/demo.log, the relay's record appended to it.
"""

import argparse
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import vm  # noqa: E402

# What the user waits for, boot and demo.sh under TCG: 22-37 s measured
# on 2 host CPUs shared with other work.
TAKES = '30 s'
HIDE = re.compile(r'^VIREO-(QMP|CHR): |^  # asking the host for QMP ')


def shown(text):
    """The console TEXT without the guest's requests to the relay (its
    VIREO-QMP and VIREO-CHR lines, and lib.sh's note of each QMP
    request): the relay's business, kept in the log, noise on screen."""
    return ''.join(ln for ln in text.replace('\r', '').splitlines(True)
                   if not HIDE.search(ln))


def pick_kernel(asked):
    if asked:
        return asked
    # Newest first: sort by the numeric release, 6.12 after 6.1.

    def key(k):
        return [int(x) for x in re.findall(r'\d+', k)[:3]]
    for k in sorted(vm.target_kernels(), key=key, reverse=True):
        if not vm.missing_modules(k):
            return k
    return None


def main(argv):
    p = argparse.ArgumentParser(usage=__doc__.split('\n')[0])
    p.add_argument('--kver')
    args = p.parse_args(argv)
    kver = pick_kernel(args.kver)
    if not kver:
        sys.exit('demo: no kernel has all vireo modules built (run make)')
    if vm.missing_modules(kver):
        sys.exit('demo: modules not built for %s: %s' %
                 (kver, ' '.join(vm.missing_modules(kver))))
    test = vm.load_test(vm.ROOT / 'tools/vm/guest/demo.sh')
    log = vm.BUILD / 'logs' / kver / 'demo.log'
    log.parent.mkdir(parents=True, exist_ok=True)
    initrd = vm.initramfs(kver, log.with_name('mkinitramfs.log'))
    if not initrd:
        sys.exit('demo: initramfs build failed (see %s)' %
                 log.with_name('mkinitramfs.log'))
    with vm.Boot(test, kver, initrd) as boot:
        if sys.stdin.isatty() and sys.stdout.isatty():
            boot.append.append('vireo.interactive=1')
            print('demo: booting %s under QEMU (TCG, ~%s).  Afterwards '
                  'you get a guest shell: "exit" powers off, Ctrl-a x quits '
                  'QEMU.' % (kver, TAKES), flush=True)
            (rc, notes), timed_out = boot.interactive(log), False
        else:
            print('demo: booting %s under QEMU (TCG, ~%s), '
                  'non-interactive.' % (kver, TAKES), flush=True)
            rc, _, timed_out, notes = boot.run(log, test.timeout)
            print(shown(log.read_text(errors='replace')), end='')
    _, reason = vm.judge(test.name, log.read_text(errors='replace'), rc,
                         timed_out, test.timeout)
    # After the verdict, as run.py does: the record is the host's.
    if notes:
        with open(log, 'a') as f:
            f.write('\n'.join(notes) + '\n')
    if reason:
        print('demo: FAILED: %s (console log: %s)' % (reason, log),
              file=sys.stderr)
        return 1
    print('demo: OK (console log: %s)' % log)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
