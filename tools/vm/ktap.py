#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ktap.py FILE: the KTAP documents of a console log, checked.

Prints every document found in FILE as clean KTAP, then "N passed,
N failed, N skipped" over the leaf tests; exits 1 if a test failed or
there was no document.  Kernel messages ("[ 12.345678] " timestamps or
not) may be mixed in anywhere; a top-level version line starts a new
document; nesting follows indentation, whatever its step (our guest
uses 2 spaces, KUnit 4).  Parsing never fails: what is wrong with a
document fails the test concerned and its ancestors, the reason kept in
Test.problems.  Format: Documentation/dev-tools/ktap.rst of the kernel.
Only the Python standard library is used.
"""

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

PASS, FAIL, SKIP = "pass", "fail", "skip"

# Directives that change a result's outcome; any other text after "#" on
# a result line (TIMEOUT, XFAIL, "12.3s"...) is a comment, and the test
# keeps its ok / not ok outcome, as the specification asks.
DIRECTIVES = ("SKIP", "TODO")

# "[   12.345678] ", or "[   12.345678][    T1] " with CONFIG_PRINTK_CALLER.
_TIMESTAMP = re.compile(r"\[\s*\d+(?:\.\d+)?\](?:\[\s*[TC]\d+\])? ?")
_VERSION = re.compile(r"K?TAP version \d+$")
_SUBTEST = re.compile(r"# Subtest: (.*)$")
_PLAN = re.compile(r"1\.\.(\d+)\s*(?:#.*)?$")
# "ok 3 name # SKIP why"; TAP's optional "- " before the name is dropped.
_RESULT = re.compile(
    r"(ok|not ok)\s+(\d+)\b(?:\s+-(?=\s|$))?([^#]*)(?:#(.*))?$")


@dataclass
class Test:
    name: str                  # "" for a document root
    number: int | None         # None for a document root
    status: str                # PASS / FAIL / SKIP (after propagation)
    directive: str = ""        # e.g. "SKIP no disk", "" if none
    comment: str = ""          # text after " # " that is not a directive
    plan: int | None = None
    children: list["Test"] = field(default_factory=list)
    diag: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class _Level:
    """An open nesting level: the test whose results are being read."""
    indent: int
    owner: Test                # the root, or a subtest awaiting its result
    started: bool = False      # saw a plan, result or deeper level
    pending: list[str] = field(default_factory=list)  # diag for next result


def _split_line(raw: str) -> tuple[int, str]:
    """Return (indent, text) of a console line, timestamp removed."""
    line = raw.rstrip()
    stamp = _TIMESTAMP.match(line)
    line = line[stamp.end() if stamp else 0:].expandtabs()
    body = line.lstrip(" ")
    return len(line) - len(body), body


def _result(m: re.Match) -> Test:
    ok, number, name, tail = m.groups()
    tail = (tail or "").strip()
    word, _, rest = tail.partition(" ")
    if word.upper() in DIRECTIVES:
        directive, comment = f"{word.upper()} {rest.strip()}".rstrip(), ""
    else:
        directive, comment = "", tail
    status = SKIP if directive else PASS if ok == "ok" else FAIL
    return Test(name.strip(), int(number), status, directive, comment)


def _check_numbers(t: Test) -> None:
    """Check t's results against its plan; add the missing ones."""
    seen: set[int] = set()
    prev = 0
    for c in t.children:
        if c.number in seen:
            t.problems.append(f"duplicate result {c.number}")
        elif c.number < prev:
            t.problems.append(f"result {c.number} out of order")
        seen.add(c.number)
        prev = c.number
    top = max(seen, default=0)
    if t.plan is not None:
        if len(t.children) > t.plan or top > t.plan:
            t.problems.append(f"more results than planned (1..{t.plan})")
        top = t.plan
    # Gaps count as missing even without a plan: numbering is 1, 2, ...
    for n in range(1, top + 1):
        if n not in seen:
            gap = Test(f"<missing {n}>", n, FAIL,
                       problems=[f"missing result {n}"])
            at = next((i for i, c in enumerate(t.children) if c.number > n),
                      len(t.children))
            t.children.insert(at, gap)


class _Parser:
    """Reads a console log, line by line, into document trees."""

    def __init__(self) -> None:
        self.docs: list[Test] = []
        self.stack: list[_Level] = []    # open levels, the root first
        # The result on the line before (diag lines aside), for its log.
        self.last: Test | None = None

    def feed(self, raw: str) -> None:
        indent, body = _split_line(raw)
        version = _VERSION.match(body)
        if not version and not self.stack:
            return                       # noise outside any document
        last, self.last = self.last, None
        if version:
            self._version(indent)
        elif m := _SUBTEST.match(body):
            self._subtest(indent, m[1].strip(), body)
        elif m := _PLAN.match(body):
            self._plan(indent, int(m[1]))
        elif m := _RESULT.match(body):
            self._add_result(indent, _result(m))
        elif body.startswith("#"):
            self._diag(indent, body[1:].removeprefix(" "), last)
        else:
            self.last = last             # unknown line: changes nothing

    def finish(self) -> list[Test]:
        self._end_document()
        for root in self.docs:
            _settle(root)
        return self.docs

    def _push(self, indent: int, name: str = "") -> None:
        self.stack[-1].started = True
        self.stack.append(_Level(indent, Test(name, None, FAIL)))

    def _abandon(self, level: _Level) -> None:
        """level ended before its parent's result line: fail it there."""
        t = level.owner
        parent = self.stack[-1].owner
        t.number = parent.children[-1].number + 1 if parent.children else 1
        t.name = t.name or f"<subtest {t.number}>"
        t.diag += level.pending
        t.problems.append(
            f"incomplete: document ended before the result of {t.name}")
        _check_numbers(t)
        parent.children.append(t)

    def _pop_deeper(self, indent: int) -> _Level | None:
        """Close the levels a line at indent is outside of.

        All but the outermost of them are incomplete; that one is
        returned, still open: a result line at indent may be its result.
        """
        while len(self.stack) > 1 and self.stack[-2].indent > indent:
            self._abandon(self.stack.pop())
        if len(self.stack) > 1 and self.stack[-1].indent > indent:
            return self.stack.pop()
        return None

    def _enter(self, indent: int) -> None:
        """Make the innermost open level the one for a line at indent."""
        child = self._pop_deeper(indent)
        if child:
            self._abandon(child)
        if self.stack[-1].indent < indent:
            self._push(indent)

    def _end_document(self) -> None:
        if not self.stack:
            return
        while len(self.stack) > 1:
            self._abandon(self.stack.pop())
        level = self.stack.pop()
        root = level.owner
        root.diag += level.pending
        if root.plan is None:
            root.problems.append("missing plan")
        _check_numbers(root)

    def _version(self, indent: int) -> None:
        if not self.stack or indent <= self.stack[0].indent:
            self._end_document()
            root = Test("", None, PASS)
            self.docs.append(root)
            self.stack = [_Level(indent, root)]
            return
        self._enter(indent)
        if self.stack[-1].started:
            # A version line inside a level already under way: the
            # subtest of that level never got its result.
            self._abandon(self.stack.pop())
            self._push(indent)

    def _subtest(self, indent: int, name: str, body: str) -> None:
        # After the subtest's version line (KUnit), or in place of it.
        top = self.stack[-1]
        if indent > top.indent:
            self._push(indent, name)
        elif (indent == top.indent and len(self.stack) > 1
              and not top.started and not top.owner.name):
            top.owner.name = name
        else:
            self._diag(indent, body[1:].removeprefix(" "), None)

    def _plan(self, indent: int, plan: int) -> None:
        self._enter(indent)
        top = self.stack[-1]
        if top.owner.plan is None:
            top.owner.plan = plan
        else:
            top.owner.problems.append(f"second plan 1..{plan}")
        top.started = True

    def _add_result(self, indent: int, t: Test) -> None:
        child = self._pop_deeper(indent)
        if self.stack[-1].indent < indent:   # a level that starts with t
            if child:
                self._abandon(child)
                child = None
            self._push(indent)
        top = self.stack[-1]
        if child:
            # The subtest's results, plan and diagnostics become t's.
            sub = child.owner
            _check_numbers(sub)
            t.children, t.plan = sub.children, sub.plan
            t.problems = sub.problems
            t.name = t.name or sub.name
            t.diag = sub.diag + child.pending
        t.diag += top.pending
        top.pending = []
        top.owner.children.append(t)
        top.started = True
        self.last = t

    def _diag(self, indent: int, text: str, last: Test | None) -> None:
        # A diagnostic is about the next result at its level (or, before
        # the level's first plan or result, about the level's own test),
        # except for a log indented under the result just read and
        # naming its test ("# abi_x: EXPECTATION FAILED...").  The name
        # keeps the log of a suite that failed to start (printed the
        # same way) away from the suite before it.
        if (last is not None and indent > self.stack[-1].indent
                and text.startswith(f"{last.name}:")):
            last.diag.append(text)
            self.last = last             # its log may go on
            return
        level = next((lv for lv in reversed(self.stack)
                      if lv.indent <= indent), self.stack[0])
        if level.started:
            level.pending.append(text)
        else:
            level.owner.diag.append(text)


def _settle(t: Test) -> None:
    """Propagate failures up from the leaves; note inconsistent parents."""
    for c in t.children:
        _settle(c)
    failed = any(c.status == FAIL for c in t.children)
    if failed and t.number is not None and t.status != FAIL:
        t.problems.append(f"reported {t.status} but a subtest failed")
    if failed or t.problems:
        t.status = FAIL


def parse(text: str) -> list[Test]:
    """Every top-level KTAP document found in text, in order, each as a
    root Test (name "", number None) whose children are the top-level
    results.  Status is computed/propagated."""
    parser = _Parser()
    for line in text.splitlines():
        parser.feed(line)
    return parser.finish()


def parse_one(text: str) -> Test:
    """The one document expected in text.  None: a failed root with
    problem "no KTAP document"; several: a failed root holding all their
    children, with problem "N documents, expected 1"."""
    docs = parse(text)
    if len(docs) == 1:
        return docs[0]
    root = Test("", None, FAIL)
    for d in docs:
        root.children += d.children
        root.diag += d.diag
        root.problems += d.problems
    root.problems.append(f"{len(docs)} documents, expected 1" if docs
                         else "no KTAP document")
    return root


def leaves(t: Test) -> Iterator[Test]:
    """The tests without children in t's tree (t too, unless a root)."""
    if not t.children and t.number is not None:
        yield t
    for c in t.children:
        yield from leaves(c)


def counts(t: Test) -> dict[str, int]:
    """{"pass": n, "fail": n, "skip": n} over the leaves of t."""
    result = {PASS: 0, FAIL: 0, SKIP: 0}
    for leaf in leaves(t):
        result[leaf.status] += 1
    return result


def _notes(t: Test, pad: str) -> list[str]:
    return [f"{pad}# {d}".rstrip() for d in t.diag] + \
           [f"{pad}# problem: {p}" for p in t.problems]


def _document(t: Test, indent: int, name: str = "") -> list[str]:
    pad = " " * indent
    lines = [pad + "KTAP version 1"]
    if name:
        lines.append(f"{pad}# Subtest: {name}")
    if t.plan is not None:
        lines.append(f"{pad}1..{t.plan}")
    for c in t.children:
        lines += emit(c, indent)
    return lines


def emit(t: Test, indent: int = 0) -> list[str]:
    """t as clean KTAP lines with 2-space nesting.

    A root gives a document, its diagnostics and problems last.  Another
    test gives its subtests' document (if any) at indent + 2, then its
    diagnostics and problems ("# problem: ...") and its result line at
    indent: "not ok" whenever it failed, also if only a problem did it.
    """
    pad = " " * indent
    if t.number is None:
        return _document(t, indent) + _notes(t, pad)
    lines = []
    if t.children or t.plan is not None:
        lines = _document(t, indent + 2, t.name)
    lines += _notes(t, pad)
    word = "not ok" if t.status == FAIL else "ok"
    line = f"{pad}{word} {t.number} {t.name}".rstrip()
    tail = " ".join(s for s in (t.directive, t.comment) if s)
    lines.append(f"{line} # {tail}" if tail else line)
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} FILE", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        text = f.read()
    docs = parse(text)
    total = Counter()
    for doc in docs:
        print("\n".join(emit(doc)))
        total.update(counts(doc))
    if not docs:
        print("no KTAP document", file=sys.stderr)
    print(f"{total[PASS]} passed, {total[FAIL]} failed, "
          f"{total[SKIP]} skipped")
    return 1 if not docs or any(d.status == FAIL for d in docs) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
