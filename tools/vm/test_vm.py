#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the VM library's pure parts: test metadata and judge()."""

import sys
import tempfile
import unittest
from unittest import mock
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import vm  # noqa: E402

GOOD = """KTAP version 1
1..1
  KTAP version 1
  # Subtest: t1
  ok 1 insmod vireo_ring
[    3.141593] vireo_ring: loaded
  ok 2 read 1 MiB
ok 1 t1
"""


def boot_log(text):
    """A console log as QEMU leaves it: kernel lines around the guest's."""
    return ('[    0.000000] Linux version 6.12.117\r\n' +
            text.replace('\n', '\r\n') +
            '[    9.000000] reboot: Power down\r\n')


class Judge(unittest.TestCase):
    def judge(self, text, rc=0, timed_out=False):
        return vm.judge('t1', boot_log(text), rc, timed_out, 60)

    def test_pass(self):
        tree, reason = self.judge(GOOD)
        self.assertEqual(reason, '')
        self.assertEqual(tree.name, 't1')
        self.assertEqual(len(tree.children), 2)

    def test_failing_check(self):
        _, reason = self.judge(GOOD.replace('  ok 2', '  not ok 2')
                               .replace('ok 1 t1', 'not ok 1 t1'))
        self.assertIn('first failure: read 1 MiB', reason)

    def test_failing_check_reported_ok(self):
        _, reason = self.judge(GOOD.replace('  ok 2', '  not ok 2'))
        self.assertNotEqual(reason, '')

    def test_panic(self):
        text = GOOD[:GOOD.index('  ok 2')] + (
            '[    4.000000] Kernel panic - not syncing: Fatal exception\n')
        _, reason = self.judge(text)
        self.assertTrue(reason.startswith('kernel splat: Kernel panic'))

    def test_crash_without_splat(self):
        _, reason = self.judge(GOOD[:GOOD.index('  ok 2')])
        self.assertIn('incomplete', reason)

    def test_hang(self):
        _, reason = self.judge(GOOD[:GOOD.index('  ok 2')], rc=-9,
                               timed_out=True)
        self.assertTrue(reason.startswith('timed out after 60s'))

    def test_missing_plan(self):
        _, reason = self.judge(GOOD.replace('1..1\n', '', 1))
        self.assertEqual(reason, 'missing plan')

    def test_no_document(self):
        _, reason = self.judge('[    1.0] nothing from the guest\n')
        self.assertIn('no KTAP document', reason)

    def test_other_test_name(self):
        _, reason = vm.judge('t2', boot_log(GOOD), 0, False, 60)
        self.assertIn('no KTAP document with a result for t2', reason)

    def test_kunit_documents_beside_ours(self):
        kunit = ('[    5.0] KTAP version 1\n[    5.0] 1..1\n'
                 '[    5.0]     KTAP version 1\n'
                 '[    5.0]     # Subtest: s\n[    5.0]     1..1\n'
                 '[    5.0]     ok 1 c\n[    5.0] ok 1 s\n')
        _, reason = self.judge(kunit + GOOD)
        self.assertEqual(reason, '')

    def test_splat_after_pass(self):
        _, reason = self.judge(GOOD +
                               '[    8.0] WARNING: CPU: 0 PID: 1 at x\n')
        self.assertTrue(reason.startswith('kernel splat: WARNING'))

    def test_benign_banner(self):
        _, reason = self.judge(
            '[    0.1] RCU lockdep checking is enabled.\n' + GOOD)
        self.assertEqual(reason, '')

    def test_qemu_error(self):
        _, reason = self.judge(GOOD, rc=1)
        self.assertEqual(reason, 'qemu exited with status 1')


class Metadata(unittest.TestCase):
    def write(self, text, name='t1.sh', group='blk'):
        d = Path(self.tmp.name) / group
        d.mkdir(exist_ok=True)
        p = d / name
        p.write_text(text)
        return p

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def test_header(self):
        t = vm.load_test(self.write(
            '#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\n#\n'
            '# description: a disk\n# kernels: 6.12 debug\n'
            '# groups: quick fault\n# devices: img:d0:64M\n'
            '# devices: virtio-blk-pci,drive=d0\n# timeout: 300\n#\n'
            '# free: text, not a key\n'))
        self.assertEqual(t.name, 't1')
        self.assertEqual(t.groups, ('blk', 'quick', 'fault'))
        self.assertEqual(t.devices, ('img:d0:64M', 'virtio-blk-pci,drive=d0'))
        self.assertEqual(t.timeout, 300)
        self.assertTrue(t.applies('6.12.117+deb12-amd64'))
        self.assertTrue(t.applies(vm.DEBUG))
        self.assertFalse(t.applies('6.1.0-57-amd64'))

    def test_defaults(self):
        t = vm.load_test(self.write('#\n# description: x\n'))
        self.assertEqual((t.kind, t.timeout, t.vcpus, t.memory, t.boot),
                         ('guest', vm.DEFAULT_TIMEOUT, 2, 512, 'vireo'))
        self.assertTrue(t.applies('6.1.0-57-amd64'))
        self.assertFalse(t.applies(vm.DEBUG))

    def test_needs(self):
        t = vm.load_test(self.write(
            '#\n# description: x\n'
            '# needs: sh /bin /no/such/file no-such-cmd\n'))
        self.assertEqual(t.missing_needs(), ['/no/such/file', 'no-such-cmd'])

    def test_needs_root(self):
        t = vm.load_test(self.write('#\n# description: x\n# needs: root sh\n'))
        with mock.patch('os.geteuid', return_value=1000):
            self.assertEqual(t.missing_needs(), ['root'])
        with mock.patch('os.geteuid', return_value=0):
            self.assertEqual(t.missing_needs(), [])

    def test_ref(self):
        t = vm.load_test(self.write('#\n# description: x\n# ref: net\n'))
        self.assertEqual(t.ref, 'net')
        with self.assertRaisesRegex(vm.BadTest, 'ref must be one of'):
            vm.load_test(self.write('#\n# description: x\n# ref: rng\n'))

    def test_tap_devices(self):
        t = vm.load_test(self.write(
            '#\n# description: x\n'
            '# devices: tap:n0,queues=2 tap:n1,mtu=9000\n'
            '# devices: virtio-net-pci,netdev=n0 virtio-net-pci,netdev=n1\n'))
        boot = vm.Boot(t, '6.12.117+deb12-amd64', '/nonexistent')
        try:
            cmd = boot.command(0)
        finally:
            boot.close()
        # QEMU runs in a private network namespace set up by a shell.
        self.assertEqual(cmd[:5], ['unshare', '-n', '--', 'sh', '-ec'])
        script = cmd[5]
        self.assertIn('ip tuntap add vireo-n0 mode tap vnet_hdr multi_queue',
                      script)
        self.assertIn('ip tuntap add vireo-n1 mode tap vnet_hdr\n', script)
        self.assertIn('ip link set vireo-n1 mtu 9000 master vireo-br up',
                      script)
        self.assertTrue(script.endswith('exec "$@"'))
        self.assertEqual(cmd[7], 'qemu-system-x86_64')
        i = cmd.index('tap,id=n0,ifname=vireo-n0,script=no,downscript=no,'
                      'vhost=off,queues=2')
        self.assertEqual(cmd[i - 1], '-netdev')
        self.assertIn('tap,id=n1,ifname=vireo-n1,script=no,downscript=no,'
                      'vhost=off', cmd)

    def test_no_tap_no_netns(self):
        t = vm.load_test(self.write(
            '#\n# description: x\n# devices: netdev:hubport,id=n0,hubid=0\n'))
        boot = vm.Boot(t, '6.12.117+deb12-amd64', '/nonexistent')
        try:
            cmd = boot.command(0)
        finally:
            boot.close()
        self.assertEqual(cmd[0], 'qemu-system-x86_64')
        self.assertIn('hubport,id=n0,hubid=0', cmd)

    def test_bad_tap(self):
        for tok in ('tap:n0,queues=x', 'tap:n0,speed=1', 'tap:0bad'):
            with self.assertRaisesRegex(vm.BadTest, 'tap:'):
                vm.load_test(self.write(
                    '#\n# description: x\n# devices: %s\n' % tok))

    def test_unknown_key(self):
        with self.assertRaisesRegex(vm.BadTest, 'unknown key "kernel"'):
            vm.load_test(self.write('#\n# description: x\n# kernel: all\n'))

    def test_capitalised_key(self):
        with self.assertRaisesRegex(vm.BadTest, 'unknown key "Kernels"'):
            vm.load_test(self.write('#\n# description: x\n# Kernels: all\n'))

    def test_second_line(self):
        with self.assertRaisesRegex(vm.BadTest, 'a second "groups" line'):
            vm.load_test(self.write(
                '#\n# description: x\n# groups: a\n# groups: b\n'))

    def test_no_description(self):
        with self.assertRaisesRegex(vm.BadTest, 'no "# description:"'):
            vm.load_test(self.write('#\n# kernels: all\n'))

    def test_bad_number(self):
        with self.assertRaisesRegex(vm.BadTest, 'timeout must be'):
            vm.load_test(self.write('#\n# description: x\n# timeout: 0\n'))

    def test_host_test_runs_on_no_kernel(self):
        t = vm.load_test(self.write('#\n# description: x\n# kind: host\n'))
        self.assertFalse(t.applies('6.1.0-57-amd64'))

    def test_duplicate_names(self):
        self.write('#\n# description: x\n', group='a')
        self.write('#\n# description: x\n', group='b')
        with self.assertRaisesRegex(vm.BadTest, 'two tests named t1'):
            vm.find_tests(self.tmp.name)

    def test_select(self):
        a = vm.load_test(self.write('#\n# description: x\n# groups: quick\n',
                                    name='rng-a.sh'))
        b = vm.load_test(self.write('#\n# description: x\n', name='blk-b.sh'))
        self.assertEqual(vm.select([a, b], ['rng-*']), [a])
        self.assertEqual(vm.select([a, b], group='quick'), [a])
        self.assertEqual(vm.select([a, b], ['*'], group='blk'), [a, b])

    def test_short_args(self):
        t = vm.load_test(self.write(
            '#\n# description: x\n# short-args: vireo.n=3 vireo.m=1\n'))
        self.assertEqual(t.short_args, 'vireo.n=3 vireo.m=1')
        self.assertEqual(vm.load_test(self.write(
            '#\n# description: x\n')).short_args, '')
        with self.assertRaisesRegex(vm.BadTest,
                                    'a second "short-args" line'):
            vm.load_test(self.write('#\n# description: x\n'
                                    '# short-args: a=1\n'
                                    '# short-args: a=2\n'))


class KernelMatrix(unittest.TestCase):
    """run.py's jobs: the flavour kernels (cloud, rt) run only the
    flavours group, unless --full or a --kver names them."""
    KERNELS = {'primary': ['6.1.0-57-amd64', '6.12.117+deb12-amd64'],
               'flavours': ['6.1.0-57-rt-amd64',
                            '6.12.117+deb12-cloud-amd64']}

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = Path(self.tmp.name) / 'core'
        d.mkdir()
        (d / 'quick.sh').write_text(
            '#\n# description: x\n# groups: flavours\n')
        (d / 'long.sh').write_text('#\n# description: x\n')
        (d / 'new.sh').write_text(
            '#\n# description: x\n# kernels: 6.12\n# groups: flavours\n')

    def tearDown(self):
        self.tmp.cleanup()

    def jobs(self, *argv):
        import run
        def kernels(tier='primary'):
            if tier == 'all':
                return sorted(self.KERNELS['primary'] +
                              self.KERNELS['flavours'])
            return self.KERNELS[tier]
        with mock.patch.object(vm, 'target_kernels', kernels):
            args = run.parse_args([self.tmp.name] + list(argv))
            return sorted(j.title for j in run.make_jobs(args))

    def test_short_run(self):
        self.assertEqual(self.jobs(), [
            '6.1.0-57-amd64/long', '6.1.0-57-amd64/quick',
            '6.1.0-57-rt-amd64/quick',
            '6.12.117+deb12-amd64/long', '6.12.117+deb12-amd64/new',
            '6.12.117+deb12-amd64/quick',
            '6.12.117+deb12-cloud-amd64/new',
            '6.12.117+deb12-cloud-amd64/quick'])

    def test_full_run(self):
        jobs = self.jobs('--full')
        self.assertEqual(len(jobs), 4 + 4 + 2)
        self.assertIn('6.1.0-57-rt-amd64/long', jobs)
        self.assertIn('6.12.117+deb12-cloud-amd64/long', jobs)

    def test_kver_names_a_flavour(self):
        self.assertEqual(self.jobs('--kver', '6.1.0-57-rt-amd64'), [
            '6.1.0-57-rt-amd64/long', '6.1.0-57-rt-amd64/quick'])


class TheTree(unittest.TestCase):
    def test_every_test_file_parses(self):
        tests = vm.find_tests(vm.ROOT / 'tests', vm.ROOT / 'bench')
        self.assertGreater(len(tests), 30)
        for t in tests:
            self.assertTrue(t.description, t.path)

    def test_testing_rst_lists_every_test(self):
        """The table at the end of testing.rst names exactly the tests."""
        doc = (vm.ROOT / 'Documentation/testing.rst').read_text()
        lines = doc[doc.index('\nThe tests\n'):].splitlines()
        rules = [i for i, ln in enumerate(lines) if ln.startswith('====')]
        # The rows lie between the rule under the heading row and the last.
        rows = {ln.split()[0] for ln in lines[rules[2] + 1:rules[3]]
                if ln[:1].strip()}
        names = {t.name for t in vm.find_tests(vm.ROOT / 'tests')}
        self.assertEqual(rows, names)


if __name__ == '__main__':
    unittest.main(verbosity=1)
