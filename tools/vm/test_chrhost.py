#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the console tests' host side: tools/vm/chrhost.py (the
relay of VIREO-CHR lines, against a socket standing in for QEMU's
chardev) and vm.py's chardev:, device: and append: handling."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import chrhost  # noqa: E402
import vm  # noqa: E402


def vconio_pattern(seed, off, n):
    """vconio.c's pattern, byte by byte, as its pat_byte() makes it."""
    out = bytearray()
    for i in range(off, off + n):
        x = ((i // 8) * 0x9e3779b97f4a7c15 + seed * 0xbf58476d1ce4e5b9 + 1) \
            & ((1 << 64) - 1)
        x ^= x >> 31
        out.append((x >> (8 * (i % 8))) & 0xff)
    return bytes(out)


class Pattern(unittest.TestCase):
    def test_same_as_vconio(self):
        for seed, off, n in ((1, 0, 64), (5, 3, 29), (12, 1003, 100)):
            self.assertEqual(chrhost.pattern(seed, off, n),
                             vconio_pattern(seed, off, n))

    def test_position_dependent(self):
        a = chrhost.pattern(7, 0, 4096)
        self.assertNotEqual(a[:2048], a[2048:])
        self.assertNotEqual(a, chrhost.pattern(8, 0, 4096))


class Relay(unittest.TestCase):
    """The relay against a listening socket (QEMU's chardev) and a back
    channel, driven by VIREO-CHR lines appended to a console log."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='vireo-chrhost.')
        self.log = os.path.join(self.dir, 'console.log')
        open(self.log, 'w').close()
        self.chr = self._listen('c1.sock')
        self.back = self._listen('back.sock')
        self.relay = chrhost.Relay(os.path.join(self.dir, 'qmp.sock'),
                                   self.log,
                                   os.path.join(self.dir, 'back.sock'),
                                   self.dir)
        self.relay.start()
        self.tag = 0
        self.backf = None
        self.conn = None
        self.qemu = None

    def tearDown(self):
        self.relay.stop()
        if self.backf is not None:
            self.backf.close()
        for s in (self.chr, self.back, self.qemu, self.conn):
            if s is not None:
                s.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _listen(self, name):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(os.path.join(self.dir, name))
        s.listen(1)
        s.settimeout(10)
        return s

    def ask(self, **cmd):
        self.tag += 1
        cmd['tag'] = self.tag
        with open(self.log, 'a') as f:
            f.write('[ 1.0] noise VIREO-CHR: %s\r\n' % json.dumps(cmd))
        if self.backf is None:
            self.conn, _ = self.back.accept()
            self.conn.settimeout(30)
            self.backf = self.conn.makefile()
        reply = json.loads(self.backf.readline())
        self.assertEqual(reply['tag'], self.tag)
        return reply

    def connect(self):
        self.assertEqual(self.ask(chr='connect', id='c1')['return'], {})
        self.qemu, _ = self.chr.accept()
        self.qemu.settimeout(10)

    def test_recv_finds_a_flipped_byte(self):
        self.connect()
        self.ask(chr='recv', id='c1', bytes=300000, seed=7)
        data = bytearray(chrhost.pattern(7, 0, 300000))
        data[12345] ^= 1
        self.qemu.sendall(data)
        r = self.ask(chr='wait', id='c1', op='recv')['return']
        self.assertEqual((r['done'], r['bytes'], r['bad'], r['first_bad']),
                         (True, 300000, 1, 12345))
        self.assertEqual(r['crc'], '%08x' % zlib.crc32(data))

    def test_send_with_offset_and_flip(self):
        self.connect()
        self.ask(chr='send', id='c1', bytes=100000, seed=8, offset=5,
                 flip=1000)
        got = b''
        while len(got) < 100000:
            got += self.qemu.recv(65536)
        want = bytearray(chrhost.pattern(8, 5, 100000))
        want[995] ^= 0xff
        self.assertEqual(got, bytes(want))
        r = self.ask(chr='wait', id='c1', op='send')['return']
        self.assertEqual((r['done'], r['bytes']), (True, 100000))

    def test_expect_consumes(self):
        self.connect()
        self.qemu.sendall(b'junk vireo-42-ok more')
        r = self.ask(chr='expect', id='c1', text='vireo-42-ok', timeout=5)
        self.assertTrue(r['return']['found'])
        r = self.ask(chr='expect', id='c1', text='vireo-42-ok', timeout=1)
        self.assertFalse(r['return']['found'])

    def test_close_is_eof_and_errors_reply(self):
        self.connect()
        self.ask(chr='close', id='c1')
        self.assertEqual(self.qemu.recv(10), b'')
        self.assertIn('error', self.ask(chr='bogus', id='c1'))
        self.assertIn('error', self.ask(chr='connect', id='../x'))

    def test_again_repeats_a_reply(self):
        """A reply the guest lost comes again, and only the relay's
        record of it: the operation does not run twice."""
        self.connect()
        self.ask(chr='send', id='c1', text='once')
        self.assertEqual(self.qemu.recv(100), b'once')
        self.tag -= 1
        self.assertEqual(self.ask(chr='again')['return'], {})
        self.qemu.settimeout(0.5)
        with self.assertRaises(socket.timeout):
            self.qemu.recv(100)

    def test_again_for_a_lost_request(self):
        """A request the relay never saw: VireoChrUnseen, so the guest
        sends it again."""
        self.tag += 1
        reply = self.ask(chr='again')
        self.assertEqual(reply['error']['class'], 'VireoChrUnseen')
        self.tag -= 1
        self.assertEqual(self.ask(chr='connect', id='c1')['return'], {})

    def test_relay_error_keeps_the_qmp_id(self):
        """A QMP command the relay cannot deliver gets its error reply
        with the command's "id", as QEMU's replies have it: qmp_query
        takes only the reply carrying its id."""
        qmp_srv = self._listen('qmp.sock')

        def qemu():
            conn, _ = qmp_srv.accept()
            f = conn.makefile('rw')
            f.write('{"QMP": {"version": {}}}\n')
            f.flush()
            f.readline()                        # qmp_capabilities
            f.write('{"return": {}}\n')
            f.flush()
            f.readline()                        # the command: hang up
            conn.close()
        t = threading.Thread(target=qemu, daemon=True)
        t.start()
        with open(self.log, 'a') as f:
            f.write('VIREO-QMP: {"execute": "query-balloon", "id": 41}\n')
        self.conn, _ = self.back.accept()
        self.conn.settimeout(30)
        self.backf = self.conn.makefile()
        reply = json.loads(self.backf.readline())
        t.join(5)
        qmp_srv.close()
        self.assertEqual((reply['error']['class'], reply['id']),
                         ('VireoRelay', 41))

    def test_drain_keeps_the_socket_empty(self):
        self.assertEqual(self.ask(chr='connect', id='c1', drain=True)
                         ['return'], {})
        self.qemu, _ = self.chr.accept()
        self.qemu.settimeout(10)
        # Far more than a socket holds, with nobody asking: the drain
        # thread must take it all, so the marker after it gets through.
        self.qemu.sendall(b'x' * (8 << 20) + b' vireo-kmsg-1 ')
        r = self.ask(chr='expect', id='c1', text='vireo-kmsg-1', timeout=10)
        self.assertTrue(r['return']['found'])
        self.ask(chr='recv', id='c1', bytes=200000, seed=4)
        self.qemu.sendall(chrhost.pattern(4, 0, 200000))
        r = self.ask(chr='wait', id='c1', op='recv')['return']
        self.assertEqual((r['bytes'], r['bad']), (200000, 0))

    def test_file(self):
        data = chrhost.pattern(3, 0, 1000) + b'marker'
        Path(self.dir, 'f5.out').write_bytes(data)
        r = self.ask(chr='file', id='f5', find='marker')['return']
        self.assertEqual((r['size'], r['crc'], r['found']),
                         (1006, '%08x' % zlib.crc32(data), True))
        self.assertTrue(r['tail'].endswith('marker'))


class Tokens(unittest.TestCase):
    def boot(self, header):
        with tempfile.TemporaryDirectory() as d:
            p = Path(d, 't.sh')
            p.write_text('#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\n#\n'
                         '# description: d\n' + header + '#\n')
            t = vm.load_test(p)
        b = vm.Boot(t, '6.12.117+deb12-amd64', '/initrd')
        self.addCleanup(b.close)
        return b

    def test_chardevs_and_devices(self):
        b = self.boot('# devices: chardev:socket:c1 chardev:file:f2 '
                      'chardev:ringbuf:r3:65536 virtio-serial-pci,id=ser0 '
                      'virtserialport,bus=ser0.0,chardev=c1 '
                      'device:virtio-rng-pci,addr=0x7\n')
        args = [a for tok in b.test.devices for a in b._device(tok)]
        s = str(b.scratch)
        self.assertEqual(args, [
            '-chardev', 'socket,id=c1,path=%s/c1.sock,server=on,wait=off' % s,
            '-chardev', 'file,id=f2,path=%s/f2.out' % s,
            '-chardev', 'ringbuf,id=r3,size=65536',
            '-device', 'virtio-serial-pci,id=ser0,disable-modern=on',
            '-device', 'virtserialport,bus=ser0.0,chardev=c1',
            '-device', 'virtio-rng-pci,addr=0x7'])

    def test_bad_chardev(self):
        for tok in ('chardev:pty:c1', 'chardev:socket:1c',
                    'chardev:file:f:100'):
            with self.assertRaises(vm.BadTest):
                self.boot('# devices: %s\n' % tok)

    def test_append_before_console(self):
        b = self.boot('# append: console=hvc0\n')
        line = b.cmdline(0)
        self.assertLess(line.index('console=hvc0'),
                        line.index('console=ttyS0'))


class BackLine(unittest.TestCase):
    """The guest's reader of the back channel (src/backline.c) under the
    guest's shell (busybox ash): a reply whose first bytes came before a
    background child ended must arrive whole."""

    SRC = Path(__file__).resolve().parent / 'guest' / 'src' / 'backline.c'
    BUSYBOX = '/bin/busybox'

    def setUp(self):
        if not os.access(self.BUSYBOX, os.X_OK):
            self.skipTest('no %s (busybox-static)' % self.BUSYBOX)
        self.dir = tempfile.mkdtemp(prefix='vireo-backline.')
        self.bin = os.path.join(self.dir, 'backline')
        subprocess.run(['gcc', '-O2', '-Wall', '-Werror', '-o', self.bin,
                        str(self.SRC)], check=True)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def reply_cut_by_sigchld(self, reader):
        """READER (a shell command on fd 7) gets a line sent in two parts,
        a background child of its shell ending between them."""
        fifo = os.path.join(self.dir, 'back')
        os.mkfifo(fifo)
        script = 'exec 7<%s; sleep 1 & %s' % (fifo, reader)
        shell = subprocess.Popen([self.BUSYBOX, 'sh', '-c', script],
                                 stdout=subprocess.PIPE, text=True,
                                 env=dict(os.environ, PATH='%s:%s' % (
                                     self.dir, os.environ['PATH'])))
        with open(fifo, 'w') as w:
            time.sleep(0.3)
            w.write('{"return": {}, ')
            w.flush()
            time.sleep(1.2)
            w.write('"tag": 4}\n')
            w.flush()
            out, _ = shell.communicate(timeout=10)
        return out.strip()

    def test_whole_line_across_sigchld(self):
        self.assertEqual(self.reply_cut_by_sigchld('backline 5 <&7'),
                         '{"return": {}, "tag": 4}')

    def test_busybox_read_loses_it(self):
        """Why backline exists: the shell's own read -t drops the part
        that came before the signal (if this ever passes, busybox
        changed, and the reason in backline.c with it)."""
        self.assertEqual(self.reply_cut_by_sigchld(
            'read -r -t 5 l <&7; echo "$l"'), '"tag": 4}')


if __name__ == '__main__':
    unittest.main(verbosity=1)
