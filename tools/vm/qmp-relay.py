#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""qmp-relay.py SOCKET CONSOLE_LOG OUT_LOG

Let a guest scenario drive QEMU's monitor.  Follow the console log that
QEMU is writing; for every line

    VIREO-QMP: {"execute": "block_resize", "arguments": {...}}

send the JSON command to the QMP unix socket SOCKET (connecting and
negotiating capabilities on first use) and record the command, QEMU's
reply and any QMP events in OUT_LOG, one "# qmp: ..." line each.  The
guest learns the outcome by polling for its effect (a new capacity, a
vanished disk), so nothing is sent back to it.

Runs until killed (tools/vm/vmtest.sh kills it once QEMU has exited).
Only the Python standard library is used.
"""

import json
import os
import re
import socket
import sys
import time

MARK = re.compile(r'VIREO-QMP: (\{.*\})\s*$')


class Qmp:
    """One QMP session over a unix socket, opened on first use."""

    def __init__(self, path, out):
        self.path = path
        self.out = out
        self.sock = None
        self.buf = b''

    def note(self, text):
        self.out.write('# qmp: %s\n' % text)
        self.out.flush()

    def _line(self, deadline):
        while b'\n' not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('no answer from QMP')
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError('QMP socket closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def _reply(self, deadline):
        """Read until a command reply, logging events on the way."""
        while True:
            msg = self._line(deadline)
            if 'event' in msg:
                self.note('<- event %s' % json.dumps(msg, sort_keys=True))
                continue
            return msg

    def _connect(self):
        deadline = time.monotonic() + 10
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(self.path)
                break
            except OSError:
                self.sock.close()
                self.sock = None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        greeting = self._line(deadline)
        if 'QMP' not in greeting:
            raise ConnectionError('unexpected QMP greeting %r' % greeting)
        self._send({'execute': 'qmp_capabilities'}, deadline)

    def _send(self, cmd, deadline):
        self.sock.sendall(json.dumps(cmd).encode() + b'\n')
        return self._reply(deadline)

    def execute(self, cmd):
        if self.sock is None:
            self._connect()
        self.note('-> %s' % json.dumps(cmd, sort_keys=True))
        reply = self._send(cmd, time.monotonic() + 30)
        self.note('<- %s' % json.dumps(reply, sort_keys=True))

    def drain_events(self):
        """Log events that arrived after the last reply (non-blocking)."""
        if self.sock is None:
            return
        try:
            self.sock.setblocking(False)
            data = self.sock.recv(65536)
            if data:
                self.buf += data
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            return
        finally:
            self.sock.setblocking(True)
        while b'\n' in self.buf:
            line, self.buf = self.buf.split(b'\n', 1)
            self.note('<- %s' % line.decode(errors='replace').strip())


def follow(path):
    """Yield complete lines appended to PATH, forever."""
    while not os.path.exists(path):
        time.sleep(0.2)
    with open(path, 'rb') as f:
        part = b''
        while True:
            chunk = f.readline()
            if not chunk:
                yield None
                time.sleep(0.2)
                continue
            part += chunk
            if part.endswith(b'\n'):
                yield part.decode(errors='replace').replace('\r', '')
                part = b''


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    sock_path, console, out_path = argv[1:]
    with open(out_path, 'a') as out:
        qmp = Qmp(sock_path, out)
        for line in follow(console):
            if line is None:
                qmp.drain_events()
                continue
            m = MARK.search(line)
            if not m:
                continue
            try:
                cmd = json.loads(m.group(1))
            except ValueError as e:
                qmp.note('bad command from the guest (%s): %s' %
                         (e, m.group(1)))
                continue
            try:
                qmp.execute(cmd)
            except (OSError, ValueError) as e:
                qmp.note('error: %s' % e)
                if qmp.sock is not None:
                    qmp.sock.close()
                qmp.sock = None
                qmp.buf = b''
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(0)
