# SPDX-License-Identifier: GPL-2.0
"""Let a guest drive QEMU's monitor.

A relay follows the console log QEMU is writing; for every line

    VIREO-QMP: {"execute": "block_resize", "arguments": {...}}

it sends the JSON command to the boot's QMP unix socket (connecting and
negotiating capabilities on first use) and records the command, QEMU's
reply and any QMP events, one "# qmp: ..." line each.  The guest learns
the outcome by polling for its effect (a new capacity, a vanished disk),
so nothing is sent back to it; except that with a back channel (the
guest's second serial port, ttyS1, on a chardev socket) each reply is also
written there as one JSON line, for lib.sh's qmp_query.  Standard library
only.
"""

import json
import os
import re
import socket
import threading
import time

MARK = re.compile(r'VIREO-QMP: (\{.*\})\s*$')


class Qmp:
    """One QMP session over a unix socket, opened on first use."""

    def __init__(self, path, notes):
        self.path = path
        self.notes = notes
        self.sock = None
        self.buf = b''

    def note(self, text):
        self.notes.append('# qmp: %s' % text)

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
            if 'event' not in msg:
                return msg
            self.note('<- event %s' % json.dumps(msg, sort_keys=True))

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
        return reply

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

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.buf = b''


class Relay:
    """A thread relaying the guest's VIREO-QMP lines while QEMU runs."""

    def __init__(self, sock_path, console_log, back_path=None):
        self.qmp = Qmp(sock_path, [])
        self.console = console_log
        self.back_path = back_path
        self.back = None
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        """Stop relaying; return the record as a list of lines."""
        self.stop_event.set()
        self.thread.join(timeout=5)
        self.qmp.close()
        if self.back is not None:
            self.back.close()
        return self.qmp.notes

    def _lines(self):
        """Complete lines appended to the console log, None when idle."""
        while not os.path.exists(self.console):
            if self.stop_event.wait(0.2):
                return
        with open(self.console, 'rb') as f:
            part = b''
            while not self.stop_event.is_set():
                chunk = f.readline()
                if not chunk:
                    yield None
                    self.stop_event.wait(0.2)
                    continue
                part += chunk
                if part.endswith(b'\n'):
                    yield part.decode(errors='replace').replace('\r', '')
                    part = b''

    def _run(self):
        for line in self._lines():
            if line is None:
                self.qmp.drain_events()
                continue
            m = MARK.search(line)
            if m:
                self._execute(m.group(1))

    def _execute(self, text):
        try:
            cmd = json.loads(text)
        except ValueError as e:
            self.qmp.note('bad command from the guest (%s): %s' % (e, text))
            return
        try:
            reply = self.qmp.execute(cmd)
        except (OSError, ValueError) as e:
            self.qmp.note('error: %s' % e)
            self.qmp.close()
            reply = {'error': {'class': 'VireoRelay', 'desc': str(e)}}
            if 'id' in cmd:
                # Whose error this is, as QEMU's own replies say.
                reply['id'] = cmd['id']
        self._answer(reply)

    def _answer(self, reply):
        """Write REPLY to the guest's back channel, if there is one."""
        if not self.back_path:
            return
        try:
            if self.back is None:
                self.back = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.back.connect(self.back_path)
            self.back.sendall(json.dumps(reply, sort_keys=True).encode() +
                              b'\n')
        except OSError as e:
            self.qmp.note('back channel: %s' % e)
            if self.back is not None:
                self.back.close()
            self.back = None
