# SPDX-License-Identifier: GPL-2.0
"""The host end of a guest's console ports (tests/console, bench/console.sh).

A boot's "chardev:socket:ID" devices are QEMU chardev sockets in the
scratch directory (ID.sock, server=on,wait=off); "chardev:file:ID" ones
files (ID.out).  The guest drives their host end with console lines

    VIREO-CHR: {"chr": "OP", "id": "ID", ...}

which this relay (a qmp.Relay, so it shares the QMP session and the back
channel) follows like VIREO-QMP lines; each gets one JSON reply line on
the back channel, {"return": {...}} or {"error": {"class": "VireoChr",
"desc": "..."}}, with the command's "tag" (a number the guest chose),
read by lib.sh's console_host.  Operations:

  connect ID [DRAIN]     connect to ID.sock (QEMU then tells the guest
                         the host end is open); with "drain": true a
                         thread reads it all the time, into a buffer the
                         operations below consume (for a console, whose
                         output QEMU drops when the socket is full)
  close ID               close it (the guest sees the host end close)
  send ID BYTES SEED [OFFSET] [FLIP] [TEXT]
                         in the background, send BYTES of the pattern
                         of vconio (tools/vm/guest/src/vconio.c) from
                         OFFSET (the byte at offset FLIP inverted: the
                         receiver's self-test); or TEXT (a string) at once
  recv ID BYTES SEED [OFFSET]
                         in the background, read until BYTES arrived or
                         EOF, then check every byte against the pattern;
                         its time counts from the first byte
  send/recv ... "zero": true
                         zeros, unchecked (bench/console.sh)
  wait ID [OP] [TIMEOUT] wait (default 60 s) for the background OP (recv,
                         the default, or send) of ID: {"done", "op",
                         "bytes", "crc", "bad", "first_bad", "eof", "secs",
                         "mibs", "error"}, or {"done": false, "bytes"} (so
                         far); a send and a recv can run at once
  expect ID TEXT [TIMEOUT]
                         read until TEXT has arrived: {"found", "tail"}
                         (the last 400 bytes, non-ASCII ones as '.');
                         what came up to TEXT is consumed
  file ID [FIND] [LAST]  the file of chardev ID: {"size", "crc", "tail",
                         "found" (whether FIND, a string, is in it),
                         "crc_last" (of its last LAST bytes)}
  add ID                 QMP chardev-add of a socket chardev ID.sock
                         (for device_add virtserialport,chardev=ID)
  events NAME            the QMP events NAME seen so far, oldest first:
                         {"events": [{"data": ..., "seconds": ...}]};
                         the first call opens the QMP session
  again                  the reply to the request with this "tag" once
                         more (the guest lost it), or the error class
                         VireoChrUnseen if no such request arrived (the
                         guest then sends it again)
The record of each operation joins the boot's "# qmp:" lines as
"# chr: ..." lines, led by the seconds since the relay started.  For the
harness's own check of "again", VIREO_CHR_LOSE=4,-7 drops the first reply
to request 4 and ignores request 7, as if lost on the way.  Standard
library only.
"""

import array
import json
import os
import re
import socket
import threading
import time
import zlib

import qmp

MARK = re.compile(r'VIREO-CHR: (\{.*\})\s*$')
CHUNK = 65536
# A drained port keeps the last DRAIN_KEEP bytes once DRAIN_MAX wait
# unconsumed.
DRAIN_MAX = 1 << 20
DRAIN_KEEP = 256 << 10
M64 = (1 << 64) - 1


def pattern(seed, off, n):
    """N bytes of vconio's pattern for SEED from offset OFF."""
    k0, k1 = off // 8, (off + n + 7) // 8
    s = seed * 0xbf58476d1ce4e5b9 + 1
    words = array.array('Q')
    for k in range(k0, k1):
        x = (k * 0x9e3779b97f4a7c15 + s) & M64
        words.append(x ^ (x >> 31))
    if words.itemsize != 8:
        raise RuntimeError('array Q is not 64-bit here')
    b = words.tobytes()     # little-endian on x86
    return b[off - k0 * 8:off - k0 * 8 + n]


def printable(data, n=400):
    """The last N bytes of DATA as ASCII, other bytes as '.'."""
    return ''.join(chr(c) if 32 <= c < 127 or c == 10 else '.'
                   for c in data[-n:])


class Port:
    """The host end of one chardev socket, and its background transfers.

    Read only while an operation reads it (so that a test can leave the
    socket full: QEMU then throttles a virtserialport), or, connected with
    drain, all the time by a thread of its own into a buffer that the
    operations consume (a console's chardev: QEMU drops console output
    that a full socket cannot take, kernel messages among it).
    """

    def __init__(self, path):
        self.path = path
        self.sock = None
        # One background send and one recv at a time: {op: (thread, result)}
        self.jobs = {}
        self.progress = {}
        self.tail = b''
        self.cond = threading.Condition()
        self.stream = bytearray()   # drained, not yet consumed
        self.draining = False
        self.consuming = False
        self.eof = False

    def connect(self, drain=False):
        deadline = time.monotonic() + 10
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with self.cond:
            self.sock = s
            self.stream.clear()
            self.eof = False
            self.draining = drain
        if drain:
            threading.Thread(target=self._drain, args=(s,),
                             daemon=True).start()

    def _drain(self, sock):
        while True:
            try:
                data = sock.recv(CHUNK)
            except OSError:
                data = b''
            with self.cond:
                if not data:
                    self.eof = True
                    self.cond.notify_all()
                    return
                self.stream += data
                if not self.consuming and len(self.stream) > DRAIN_MAX:
                    del self.stream[:-DRAIN_KEEP]
                self.cond.notify_all()

    def _read(self, n, timeout=None):
        """Up to N bytes; b'' at EOF, None if none came within TIMEOUT."""
        if not self.draining:
            self.sock.settimeout(timeout)
            try:
                return self.sock.recv(n)
            except socket.timeout:
                return None
            finally:
                if self.sock is not None:
                    self.sock.settimeout(None)
        with self.cond:
            if not self.cond.wait_for(lambda: self.stream or self.eof,
                                      timeout):
                return None
            data = bytes(self.stream[:n])
            del self.stream[:n]
            return data

    def close(self):
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
        self.sock = None

    def start(self, op, *args):
        if self.sock is None:
            raise ConnectionError('not connected')
        job = self.jobs.get(op)
        if job is not None and job[0].is_alive():
            raise RuntimeError('a %s is still running' % op)
        thread = threading.Thread(target=getattr(self, op), args=args,
                                  daemon=True)
        self.jobs[op] = (thread, {})
        self.progress[op] = 0
        thread.start()

    def _finish(self, op, t0, **r):
        secs = time.monotonic() - t0
        r.update(op=op, secs=round(secs, 3),
                 mibs=round(r['bytes'] / 1048576 / secs, 2) if secs else 0)
        self.jobs[op][1].update(r)

    def send(self, want, seed, off, flip=-1, zero=False):
        t0 = time.monotonic()
        done, crc, err = 0, 0, ''
        zeros = bytes(CHUNK)
        try:
            while done < want:
                n = min(CHUNK, want - done)
                chunk = zeros[:n] if zero else pattern(seed, off + done, n)
                if off + done <= flip < off + done + len(chunk):
                    i = flip - off - done
                    chunk = chunk[:i] + bytes([chunk[i] ^ 0xff]) + chunk[i + 1:]
                self.sock.sendall(chunk)
                crc = zlib.crc32(chunk, crc)
                done += len(chunk)
                self.progress['send'] = done
        except (OSError, AttributeError) as e:
            err = str(e)
        self._finish('send', t0, bytes=done, crc='%08x' % crc, error=err)

    def recv(self, want, seed, off, zero=False):
        """Read WANT bytes (or to EOF) as fast as they come, then check
        them: a checker slower than the guest would let the socket fill,
        and QEMU drops what a full socket cannot take from a console."""
        t0 = time.monotonic()
        buf, got, eof, err = bytearray(), 0, False, ''
        with self.cond:
            # What a drained console said before is not part of this.
            self.stream.clear()
            self.consuming = True
        try:
            while got < want:
                data = self._read(min(CHUNK, want - got))
                if not data:
                    eof = True
                    break
                if not got:
                    t0 = time.monotonic()   # the rate from the first byte
                got += len(data)
                if not zero:
                    buf += data
                self.progress['recv'] = got
        except (OSError, AttributeError) as e:
            err = str(e)
        finally:
            self.consuming = False
        secs = time.monotonic() - t0
        bad, first_bad = 0, -1
        for at in range(0, len(buf), 1 << 20):
            part = bytes(buf[at:at + (1 << 20)])
            exp = pattern(seed, off + at, len(part))
            if part != exp:
                diffs = [i for i in range(len(part)) if part[i] != exp[i]]
                if first_bad < 0:
                    first_bad = off + at + diffs[0]
                bad += len(diffs)
        self.tail = bytes(buf[-4096:])
        self._finish('recv', time.monotonic() - secs, bytes=got,
                     crc='%08x' % zlib.crc32(buf), bad=bad,
                     first_bad=first_bad, eof=eof, error=err)

    def expect(self, text, timeout):
        want = text.encode()
        if self.draining:
            with self.cond:
                self.cond.wait_for(lambda: want in self.stream or self.eof,
                                   timeout)
                found = want in self.stream
                end = (self.stream.index(want) + len(want) if found
                       else len(self.stream))
                tail = bytes(self.stream[:end])
                del self.stream[:end]
            return {'found': found, 'tail': printable(tail)}
        deadline = time.monotonic() + timeout
        while want not in self.tail:
            left = deadline - time.monotonic()
            if left <= 0 or self.sock is None:
                break
            data = self._read(CHUNK, min(left, 1))
            if data is None:
                continue
            if not data:
                break
            self.tail = (self.tail + data)[-65536:]
        found = want in self.tail
        tail = self.tail
        if found:
            # Consumed: a later expect needs new output.
            self.tail = self.tail[self.tail.index(want) + len(want):]
        return {'found': found, 'tail': printable(tail)}

    def wait(self, op, timeout):
        if op not in self.jobs:
            raise RuntimeError('no %s was started' % op)
        thread, result = self.jobs[op]
        thread.join(timeout)
        if thread.is_alive():
            return {'done': False, 'op': op, 'bytes': self.progress[op]}
        return dict(result, done=True)


class Relay(qmp.Relay):
    """qmp.Relay, plus VIREO-CHR lines for the chardevs of SCRATCH."""

    def __init__(self, sock_path, console_log, back_path, scratch):
        super().__init__(sock_path, console_log, back_path)
        self.scratch = scratch
        self.ports = {}
        # The latest replies by tag, for "again".
        self.replies = {}
        # Fault injection for the harness's own check of "again": the
        # first reply to each of these tags is not sent, and requests
        # "-TAG" are ignored, as if lost on the way.
        self.lose = set(os.environ.get('VIREO_CHR_LOSE', '').split(','))
        self.t0 = time.monotonic()

    def _run(self):
        for line in self._lines():
            if line is None:
                self.qmp.drain_events()
                continue
            m = qmp.MARK.search(line)
            if m:
                self._execute(m.group(1))
                continue
            m = MARK.search(line)
            if m:
                self._chr(m.group(1))

    def note(self, text):
        self.qmp.notes.append('# chr: %.1f %s' % (time.monotonic() - self.t0,
                                                  text))

    def _again(self, tag):
        """The reply to request TAG once more, or VireoChrUnseen."""
        self.note('-> again %s' % tag)
        reply = self.replies.get(tag)
        if reply is None:
            reply = {'error': {'class': 'VireoChrUnseen',
                               'desc': 'no request %s arrived' % tag},
                     'tag': tag}
        self.note('<- %s' % json.dumps(reply, sort_keys=True)[:500])
        self._answer(reply)

    def _chr(self, text):
        tag = None
        try:
            cmd = json.loads(text)
            tag = cmd.get('tag')
            if cmd.get('chr') == 'again':
                self._again(tag)
                return
            if self._lost('-%s' % tag):
                return
            self.note('-> %s' % json.dumps(cmd, sort_keys=True))
            reply = {'return': self._op(cmd)}
        except Exception as e:  # every failure is the guest's to see
            reply = {'error': {'class': 'VireoChr', 'desc': '%s: %s' % (
                type(e).__name__, e)}}
        # The tag tells the reply from stray QMP replies on the channel.
        reply['tag'] = tag
        self.replies[tag] = reply
        self.replies.pop(tag - 64 if isinstance(tag, int) else None, None)
        self.note('<- %s' % json.dumps(reply, sort_keys=True)[:500])
        if not self._lost(str(tag)):
            self._answer(reply)

    def _lost(self, what):
        """Whether VIREO_CHR_LOSE loses WHAT (once)."""
        if what not in self.lose:
            return False
        self.lose.discard(what)
        self.note('lost %s on purpose (VIREO_CHR_LOSE)' % what)
        return True

    def _port(self, ident):
        if not re.fullmatch(r'[A-Za-z][A-Za-z0-9_-]*', ident or ''):
            raise ValueError('bad chardev id %r' % ident)
        if ident not in self.ports:
            self.ports[ident] = Port(os.path.join(self.scratch,
                                                  ident + '.sock'))
        return self.ports[ident]

    def _op(self, cmd):
        op = cmd.get('chr')
        ident = cmd.get('id')
        if op == 'events':
            return {'events': self._events(cmd['name'])}
        if op == 'file':
            return self._file(ident, cmd.get('find'), cmd.get('last'))
        if op == 'add':
            self._port(ident)
            reply = self.qmp.execute({
                'execute': 'chardev-add', 'arguments': {
                    'id': ident, 'backend': {'type': 'socket', 'data': {
                        'addr': {'type': 'unix', 'data': {
                            'path': self.ports[ident].path}},
                        'server': True, 'wait': False}}}})
            if 'return' not in reply:
                raise RuntimeError('chardev-add: %s' % json.dumps(reply))
            return reply['return']
        port = self._port(ident)
        if op == 'connect':
            port.connect(bool(cmd.get('drain')))
        elif op == 'close':
            port.close()
        elif op == 'send' and 'text' in cmd:
            port.sock.sendall(cmd['text'].encode())
        elif op == 'send':
            port.start(op, int(cmd['bytes']), int(cmd['seed']),
                       int(cmd.get('offset', 0)), int(cmd.get('flip', -1)),
                       bool(cmd.get('zero')))
        elif op == 'recv':
            port.start(op, int(cmd['bytes']), int(cmd['seed']),
                       int(cmd.get('offset', 0)), bool(cmd.get('zero')))
        elif op == 'wait':
            return port.wait(cmd.get('op', 'recv'),
                             float(cmd.get('timeout', 60)))
        elif op == 'expect':
            return port.expect(cmd['text'], float(cmd.get('timeout', 20)))
        else:
            raise ValueError('unknown operation %r' % op)
        return {}

    def _file(self, ident, find, last=None):
        if not re.fullmatch(r'[A-Za-z][A-Za-z0-9_-]*', ident or ''):
            raise ValueError('bad chardev id %r' % ident)
        with open(os.path.join(self.scratch, ident + '.out'), 'rb') as f:
            data = f.read()
        out = {'size': len(data), 'crc': '%08x' % zlib.crc32(data),
               'tail': printable(data)}
        if find is not None:
            out['found'] = find.encode() in data
        if last is not None:
            out['crc_last'] = '%08x' % zlib.crc32(data[-int(last):])
        return out

    def _events(self, name):
        """QMP events NAME recorded so far (the session opened if need be)."""
        if self.qmp.sock is None:
            self.qmp.execute({'execute': 'query-status'})
        self.qmp.drain_events()
        out = []
        for note in self.qmp.notes:
            m = re.match(r'# qmp: <- (?:event )?(\{.*\})$', note)
            if not m:
                continue
            try:
                msg = json.loads(m.group(1))
            except ValueError:
                continue
            if msg.get('event') == name:
                out.append({'data': msg.get('data'), 'seconds':
                            msg.get('timestamp', {}).get('seconds')})
        return out

    def stop(self):
        for p in self.ports.values():
            p.close()
        return super().stop()
