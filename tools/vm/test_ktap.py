# SPDX-License-Identifier: GPL-2.0
"""Unit tests for tools/vm/ktap.py.

    python3 tools/vm/test_ktap.py [-v]

Only the Python standard library is used.
"""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree

import ktap  # noqa: E402
from ktap import FAIL, PASS, SKIP  # noqa: E402


def doc(text):
    """Test input written indented in the source: dedent it."""
    return textwrap.dedent(text).lstrip("\n")


def find(t, *names):
    """The test reached from t by following child names."""
    for name in names:
        matches = [c for c in t.children if c.name == name]
        assert len(matches) == 1, f"{name!r} in {[c.name for c in t.children]}"
        t = matches[0]
    return t


def shape(t):
    """What a round trip must keep: names, numbers, statuses, nesting."""
    return (t.name, t.number, t.status, [shape(c) for c in t.children])


GUEST = doc("""
    KTAP version 1
    1..1
      KTAP version 1
      # Subtest: blk-ext4
      ok 1 mkfs.ext4 /dev/vblk0
      # some diagnostic
      not ok 2 mount /dev/vblk0
      ok 3 e2fsck clean # SKIP no e2fsck
    not ok 1 blk-ext4
""")

# KUnit 6.12 as printk shows it: timestamps, 4-space levels, "# module:",
# a failed case's log before its result, the suite's statistics lines.
KUNIT = doc("""
    [    1.100000] KTAP version 1
    [    1.100001] 1..1
    [    1.100002]     KTAP version 1
    [    1.100003]     # Subtest: vireo_vring_abi
    [    1.100004]     # module: vireo_kunit
    [    1.100005]     1..4
    [    1.100006]     ok 1 abi_struct_layout
    [    1.100007]     ok 2 abi_vring_size
    [    1.100008]     ok 3 abi_vring_layout # SKIP no vring
    [    1.100009]     # abi_x: EXPECTATION FAILED at kunit/foo.c:12
    [    1.100010]     Expected a == b, but
    [    1.100011]         a == 1 (0x1)
    [    1.100012]     not ok 4 abi_x
    [    1.100013] # vireo_vring_abi: pass:2 fail:1 skip:1 total:4
    [    1.100014] # Totals: pass:2 fail:1 skip:1 total:4
    [    1.100015] not ok 1 vireo_vring_abi
""")


class GoodDocuments(unittest.TestCase):
    def test_flat(self):
        root = ktap.parse_one("KTAP version 1\n1..3\nok 1 a\nok 2 b\n"
                              "ok 3 - c # 12.3s\n")
        self.assertEqual(root.status, PASS)
        self.assertEqual((root.name, root.number, root.plan), ("", None, 3))
        self.assertEqual([c.name for c in root.children], ["a", "b", "c"])
        self.assertEqual(root.children[2].comment, "12.3s")
        self.assertEqual(root.children[2].directive, "")
        self.assertEqual(root.problems, [])
        self.assertEqual(ktap.counts(root), {PASS: 3, FAIL: 0, SKIP: 0})

    def test_guest_two_space_nesting_without_nested_plan(self):
        root = ktap.parse_one(GUEST)
        suite = find(root, "blk-ext4")
        self.assertEqual((suite.number, suite.plan), (1, None))
        self.assertEqual([(c.number, c.status) for c in suite.children],
                         [(1, PASS), (2, FAIL), (3, SKIP)])
        self.assertEqual(find(suite, "mount /dev/vblk0").diag,
                         ["some diagnostic"])
        self.assertEqual(find(suite, "e2fsck clean").directive,
                         "SKIP no e2fsck")
        self.assertEqual((suite.status, root.status), (FAIL, FAIL))
        # Reported "not ok" as it should be: no parser problem anywhere.
        self.assertEqual([t.problems for t in (root, suite)], [[], []])
        self.assertEqual(ktap.counts(root), {PASS: 1, FAIL: 1, SKIP: 1})

    def test_kunit_four_space_nesting_with_timestamps(self):
        root = ktap.parse_one(KUNIT)
        suite = find(root, "vireo_vring_abi")
        self.assertEqual(suite.plan, 4)
        self.assertEqual([c.status for c in suite.children],
                         [PASS, PASS, SKIP, FAIL])
        self.assertEqual(find(suite, "abi_x").diag,
                         ["abi_x: EXPECTATION FAILED at kunit/foo.c:12"])
        self.assertEqual(suite.diag, [
            "module: vireo_kunit",
            "vireo_vring_abi: pass:2 fail:1 skip:1 total:4",
            "Totals: pass:2 fail:1 skip:1 total:4"])
        self.assertEqual((suite.status, suite.problems), (FAIL, []))
        self.assertEqual(root.status, FAIL)

    def test_kunit_all_passing(self):
        text = KUNIT.replace("not ok", "ok")
        root = ktap.parse_one(text)
        self.assertEqual(root.status, PASS)
        self.assertEqual(ktap.counts(root), {PASS: 3, FAIL: 0, SKIP: 1})

    def test_kunit_case_log_indented_below_its_result(self):
        # The case's log after its result, one level deeper.
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..1
                KTAP version 1
                # Subtest: vireo_vring_abi
                1..2
                ok 1 abi_struct_layout
                not ok 2 abi_x
                    # abi_x: EXPECTATION FAILED at kunit/foo.c:12
                    # abi_x: second line
            not ok 1 vireo_vring_abi
        """))
        x = find(root, "vireo_vring_abi", "abi_x")
        self.assertEqual(x.diag, [
            "abi_x: EXPECTATION FAILED at kunit/foo.c:12",
            "abi_x: second line"])
        self.assertEqual(find(root, "vireo_vring_abi").diag, [])

    def test_subtest_without_version_line(self):
        # Older KUnit: "# Subtest:" opens the level; or just results.
        root = ktap.parse_one(doc("""
            TAP version 14
            1..2
                # Subtest: old
                1..1
                ok 1 - case
            ok 1 - old
              ok 1 bare
            ok 2 holder
        """))
        self.assertEqual(root.status, PASS)
        self.assertEqual(find(root, "old").plan, 1)
        self.assertEqual([c.name for c in find(root, "holder").children],
                         ["bare"])

    def test_three_levels_spec_example(self):
        # The example of Documentation/dev-tools/ktap.rst.
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..1
              KTAP version 1
              1..3
                KTAP version 1
                1..1
                # test_1: initializing test_1
                ok 1 test_1
              ok 1 example_test_1
                KTAP version 1
                1..2
                ok 1 test_1 # SKIP test_1 skipped
                ok 2 test_2
              ok 2 example_test_2
                KTAP version 1
                1..3
                ok 1 test_1
                # test_2: FAIL
                not ok 2 test_2
                ok 3 test_3 # SKIP test_3 skipped
              not ok 3 example_test_3
            not ok 1 main_test
        """))
        main = find(root, "main_test")
        self.assertEqual([(c.name, c.status) for c in main.children],
                         [("example_test_1", PASS), ("example_test_2", PASS),
                          ("example_test_3", FAIL)])
        self.assertEqual(find(main, "example_test_1", "test_1").diag,
                         ["test_1: initializing test_1"])
        self.assertEqual(find(main, "example_test_2", "test_1").directive,
                         "SKIP test_1 skipped")
        self.assertEqual(find(main, "example_test_3", "test_2").diag,
                         ["test_2: FAIL"])
        self.assertEqual((main.status, main.problems), (FAIL, []))
        self.assertEqual(ktap.counts(root), {PASS: 3, FAIL: 1, SKIP: 2})

    def test_kunit_parameterised_case_three_levels(self):
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..1
                KTAP version 1
                # Subtest: suite
                1..1
                    KTAP version 1
                    # Subtest: param_case
                    ok 1 param-0
                    not ok 2 param-1
                    ok 3 param-2 # SKIP unsupported
                # param_case: pass:1 fail:1 skip:1 total:3
                ok 1 param_case
            ok 1 suite
        """))
        case = find(root, "suite", "param_case")
        self.assertEqual([c.status for c in case.children], [PASS, FAIL, SKIP])
        self.assertEqual(case.status, FAIL)
        self.assertEqual(case.problems,
                         ["reported pass but a subtest failed"])
        self.assertEqual(find(root, "suite").problems,
                         ["reported pass but a subtest failed"])
        self.assertEqual(root.status, FAIL)


class BrokenDocuments(unittest.TestCase):
    def test_missing_top_level_plan(self):
        root = ktap.parse_one("KTAP version 1\nok 1 a\nok 2 b\n")
        self.assertEqual((root.status, root.problems),
                         (FAIL, ["missing plan"]))
        self.assertEqual([c.status for c in root.children], [PASS, PASS])

    def test_crash_end_of_input_inside_subtest(self):
        cut = GUEST[:GUEST.index("  # some diagnostic")]
        root = ktap.parse_one(cut + "[   9.9] Kernel panic - not syncing\n")
        suite = root.children[0]
        self.assertEqual((suite.name, suite.number, suite.status),
                         ("blk-ext4", 1, FAIL))
        self.assertEqual(suite.problems, [
            "incomplete: document ended before the result of blk-ext4"])
        self.assertEqual([(c.name, c.status) for c in suite.children],
                         [("mkfs.ext4 /dev/vblk0", PASS)])
        self.assertEqual((root.status, root.problems), (FAIL, []))

    def test_crash_then_new_document(self):
        cut = GUEST[:GUEST.index("  not ok 2")]
        docs = ktap.parse(cut + "[    0.000000] Linux version 6.12\n" + GUEST)
        self.assertEqual(len(docs), 2)
        first, second = docs
        self.assertEqual(first.status, FAIL)
        self.assertEqual(first.children[0].problems, [
            "incomplete: document ended before the result of blk-ext4"])
        self.assertEqual(first.children[0].diag, ["some diagnostic"])
        self.assertEqual(shape(second), shape(ktap.parse_one(GUEST)))

    def test_crash_three_levels_deep(self):
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..2
              KTAP version 1
              # Subtest: outer
                KTAP version 1
                # Subtest: inner
                1..2
                ok 1 first
        """))
        outer = find(root, "outer")
        inner = find(outer, "inner")
        self.assertEqual([(c.name, c.status) for c in inner.children],
                         [("first", PASS), ("<missing 2>", FAIL)])
        self.assertEqual(inner.problems, [
            "incomplete: document ended before the result of inner"])
        self.assertEqual(outer.problems, [
            "incomplete: document ended before the result of outer"])
        self.assertEqual([c.name for c in root.children],
                         ["outer", "<missing 2>"])
        self.assertEqual(root.status, FAIL)

    def test_hang_after_plan(self):
        root = ktap.parse_one("KTAP version 1\n1..2\n")
        self.assertEqual(root.status, FAIL)
        self.assertEqual([(c.name, c.number, c.status, c.problems)
                          for c in root.children],
                         [("<missing 1>", 1, FAIL, ["missing result 1"]),
                          ("<missing 2>", 2, FAIL, ["missing result 2"])])
        self.assertEqual(ktap.counts(root), {PASS: 0, FAIL: 2, SKIP: 0})

    def test_hang_after_nested_plan(self):
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..1
              KTAP version 1
              1..1
        """))
        sub = root.children[0]
        self.assertEqual((sub.name, sub.status), ("<subtest 1>", FAIL))
        self.assertEqual(sub.problems[0], "incomplete: document ended "
                         "before the result of <subtest 1>")
        self.assertEqual([c.name for c in sub.children], ["<missing 1>"])

    def test_unfinished_subtest_followed_by_sibling(self):
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..2
              KTAP version 1
              # Subtest: hung
              ok 1 a
              KTAP version 1
              # Subtest: next
              ok 1 b
            ok 2 next
        """))
        self.assertEqual([(c.name, c.number, c.status) for c in root.children],
                         [("hung", 1, FAIL), ("next", 2, PASS)])

    def test_parent_ok_with_failing_child(self):
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..2
              KTAP version 1
              1..2
              ok 1 a
              not ok 2 b
            ok 1 parent
            ok 2 other
        """))
        parent = find(root, "parent")
        self.assertEqual(parent.status, FAIL)
        self.assertEqual(parent.problems,
                         ["reported pass but a subtest failed"])
        self.assertEqual(find(root, "other").status, PASS)
        self.assertEqual((root.status, root.problems), (FAIL, []))

    def test_skipped_parent_with_failing_child(self):
        root = ktap.parse_one("KTAP version 1\n1..1\n  not ok 1 a\n"
                              "ok 1 p # SKIP why\n")
        self.assertEqual(root.children[0].problems,
                         ["reported skip but a subtest failed"])
        self.assertEqual(root.status, FAIL)

    def test_fewer_results_than_planned(self):
        root = ktap.parse_one("KTAP version 1\n1..4\nok 1 a\nok 3 c\n")
        self.assertEqual([(c.number, c.name, c.status) for c in root.children],
                         [(1, "a", PASS), (2, "<missing 2>", FAIL),
                          (3, "c", PASS), (4, "<missing 4>", FAIL)])
        self.assertEqual(root.children[3].problems, ["missing result 4"])
        self.assertEqual(root.status, FAIL)

    def test_more_results_than_planned(self):
        root = ktap.parse_one("KTAP version 1\n1..1\nok 1 a\nok 2 b\n")
        self.assertEqual((root.status, root.problems),
                         (FAIL, ["more results than planned (1..1)"]))
        self.assertEqual([c.status for c in root.children], [PASS, PASS])

    def test_nested_plan_mismatch_fails_parent(self):
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..1
                1..1
                ok 1 a
                ok 2 b
            ok 1 parent
        """))
        parent = find(root, "parent")
        self.assertEqual((parent.status, parent.problems),
                         (FAIL, ["more results than planned (1..1)"]))
        self.assertEqual(root.status, FAIL)

    def test_duplicate_number(self):
        root = ktap.parse_one("KTAP version 1\n1..2\nok 1 a\nok 1 b\n"
                              "ok 2 c\n")
        self.assertEqual(root.status, FAIL)
        self.assertIn("duplicate result 1", root.problems)

    def test_out_of_order_numbers(self):
        root = ktap.parse_one("KTAP version 1\n1..2\nok 2 b\nok 1 a\n")
        self.assertEqual((root.status, root.problems),
                         (FAIL, ["result 1 out of order"]))

    def test_gap_without_plan(self):
        root = ktap.parse_one("KTAP version 1\n1..1\n  ok 1 a\n  ok 3 c\n"
                              "ok 1 p\n")
        p = find(root, "p")
        self.assertEqual([c.name for c in p.children],
                         ["a", "<missing 2>", "c"])
        self.assertEqual(p.status, FAIL)

    def test_not_ok_overrides_passing_subtests(self):
        root = ktap.parse_one("KTAP version 1\n1..1\n  ok 1 a\nnot ok 1 p\n")
        self.assertEqual((find(root, "p").status, root.status), (FAIL, FAIL))
        self.assertEqual(find(root, "p").problems, [])


class Directives(unittest.TestCase):
    def test_skip_todo_and_comments(self):
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..6
            ok 1 a # SKIP no disk
            not ok 2 b # TODO not written yet
            ok 3 c # skip lower case
            not ok 4 d # SKIP
            ok 5 e # rcode=0
            not ok 6 f # TIMEOUT 30 seconds
        """))
        got = [(c.status, c.directive, c.comment) for c in root.children]
        self.assertEqual(got, [
            (SKIP, "SKIP no disk", ""),
            (SKIP, "TODO not written yet", ""),
            (SKIP, "SKIP lower case", ""),
            (SKIP, "SKIP", ""),
            (PASS, "", "rcode=0"),
            (FAIL, "", "TIMEOUT 30 seconds")])

    def test_skips_do_not_fail_parent(self):
        root = ktap.parse_one("KTAP version 1\n1..1\n  ok 1 a # SKIP x\n"
                              "  not ok 2 b # TODO y\n  ok 3 c\nok 1 p\n")
        self.assertEqual((find(root, "p").status, root.status), (PASS, PASS))
        self.assertEqual(ktap.counts(root), {PASS: 1, FAIL: 0, SKIP: 2})


class ConsoleLogs(unittest.TestCase):
    def test_no_document(self):
        for text in ("", "\n", "[    0.0] Linux version 6.12\nok 1 stray\n"
                     "1..3\n# not in a document\n"):
            self.assertEqual(ktap.parse(text), [])
            root = ktap.parse_one(text)
            self.assertEqual((root.status, root.problems, root.children),
                             (FAIL, ["no KTAP document"], []))

    def test_several_documents_with_noise(self):
        log = ("[    0.000000] Linux version 6.12.0 (gcc 13)\n"
               "random noise ok\n"
               + GUEST +
               "[    2.500000] reboot: Power down\n"
               "[    0.000000] Linux version 6.12.0 (gcc 13)\n"
               + KUNIT.replace("    ok 2", "[    1.1] vireo: probe\n    ok 2")
               + "\x1b[0m# \n")
        docs = ktap.parse(log)
        self.assertEqual([shape(d) for d in docs],
                         [shape(ktap.parse_one(GUEST)),
                          shape(ktap.parse_one(KUNIT))])
        root = ktap.parse_one(log)
        self.assertEqual(root.problems, ["2 documents, expected 1"])
        self.assertEqual([c.name for c in root.children],
                         ["blk-ext4", "vireo_vring_abi"])

    def test_printk_interleaved_in_nested_block(self):
        noisy = doc("""
            KTAP version 1
            [    1.000000] virtio_blk virtio0: [vda] 2048 512-byte blocks
            1..1
              KTAP version 1
            BUG: something odd
              # Subtest: blk-ext4
            [    1.2] EXT4-fs (vblk0): mounted filesystem
              ok 1 mkfs.ext4 /dev/vblk0
                  Call Trace:
            [    1.3]   KTAP-like noise but not KTAP
              # some diagnostic
            [    1.4] ok not a result
              not ok 2 mount /dev/vblk0
            [    1.500000]   ok 3 e2fsck clean # SKIP no e2fsck
            not ok 1 blk-ext4
            [    1.6] sd 0:0:0:0: done
        """)
        self.assertEqual(shape(ktap.parse_one(noisy)),
                         shape(ktap.parse_one(GUEST)))
        self.assertEqual(find(ktap.parse_one(noisy), "blk-ext4",
                              "mount /dev/vblk0").diag, ["some diagnostic"])

    def test_printk_caller_id(self):
        root = ktap.parse_one("[    1.0][    T1] KTAP version 1\n"
                              "[    1.1][    C0] 1..1\n"
                              "[    1.2][  T123]   ok 1 a\n"
                              "[    1.3][    T1] ok 1 p\n")
        self.assertEqual(root.status, PASS)
        self.assertEqual([c.name for c in find(root, "p").children], ["a"])

    def test_failed_suite_log_after_previous_result(self):
        # A suite that fails to initialise logs at the case indent right
        # after the previous suite's result: the log is the new suite's.
        root = ktap.parse_one(doc("""
            KTAP version 1
            1..2
                ok 1 case
            ok 1 prev
                # next: # failed to initialize (-12)
            not ok 2 next
        """))
        self.assertEqual(find(root, "prev").diag, [])
        self.assertEqual(find(root, "next").diag,
                         ["next: # failed to initialize (-12)"])

    def test_crlf_and_tabs(self):
        text = "KTAP version 1\r\n1..1\r\n\tok 1 a\r\nok 1 p\r\n"
        root = ktap.parse_one(text)
        self.assertEqual(root.status, PASS)
        self.assertEqual([c.name for c in find(root, "p").children], ["a"])


class Emit(unittest.TestCase):
    def test_emit_guest(self):
        self.assertEqual(ktap.emit(ktap.parse_one(GUEST)),
                         GUEST.rstrip("\n").split("\n"))

    def test_emit_notes_problems(self):
        root = ktap.parse_one("KTAP version 1\n1..2\n  not ok 1 a\n"
                              "ok 1 p\n")
        self.assertEqual(ktap.emit(root), [
            "KTAP version 1",
            "1..2",
            "  KTAP version 1",
            "  # Subtest: p",
            "  not ok 1 a",
            "# problem: reported pass but a subtest failed",
            "not ok 1 p",
            "# problem: missing result 2",
            "not ok 2 <missing 2>"])

    def test_round_trip(self):
        cases = {
            "guest": GUEST, "kunit": KUNIT,
            "crash": GUEST[:GUEST.index("  not ok 2")],
            "hang": "KTAP version 1\n1..2\n",
            "no plan": "KTAP version 1\nok 1 a\n",
            "more": "KTAP version 1\n1..1\nok 1 a\nok 2 b\n",
            "order": "KTAP version 1\n1..2\nok 2 b\nok 1 a\n",
            "parent ok": "KTAP version 1\n1..1\n  not ok 1 a\nok 1 p\n",
            "skip": "KTAP version 1\n1..2\nok 1 a # SKIP x\n"
                    "not ok 2 b # TODO y\n",
        }
        for label, text in cases.items():
            with self.subTest(label):
                first = ktap.parse_one(text)
                again = ktap.parse_one("\n".join(ktap.emit(first)))
                self.assertEqual(shape(again), shape(first))
                self.assertEqual(ktap.counts(again), ktap.counts(first))

    def test_nest_guest_document_in_runner_document(self):
        guest = ktap.parse_one(GUEST)
        boot = ktap.Test("boot blk-ext4", 1, guest.status,
                         children=guest.children)
        runner = ktap.Test("", None, PASS, plan=2,
                           children=[boot, ktap.Test("lint", 2, PASS)])
        again = ktap.parse_one("\n".join(ktap.emit(runner)))
        self.assertEqual([(c.name, c.status) for c in again.children],
                         [("boot blk-ext4", FAIL), ("lint", PASS)])
        self.assertEqual(shape(find(again, "boot blk-ext4", "blk-ext4")),
                         shape(find(guest, "blk-ext4")))

    def test_leaves(self):
        root = ktap.parse_one(GUEST)
        self.assertEqual([t.name for t in ktap.leaves(root)],
                         ["mkfs.ext4 /dev/vblk0", "mount /dev/vblk0",
                          "e2fsck clean"])
        self.assertEqual(list(ktap.leaves(ktap.parse_one(""))), [])


class Cli(unittest.TestCase):
    def run_cli(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
            f.write(text)
            f.flush()
            return subprocess.run(
                [sys.executable, "-B", os.path.join(HERE, "ktap.py"), f.name],
                capture_output=True, text=True, check=False)

    def test_cli(self):
        passing = GUEST.replace("not ok", "ok")
        for text, rc, last in (
                (passing, 0, "2 passed, 0 failed, 1 skipped"),
                (GUEST, 1, "1 passed, 1 failed, 1 skipped"),
                ("noise\n", 1, "0 passed, 0 failed, 0 skipped")):
            with self.subTest(last):
                out = self.run_cli(text)
                self.assertEqual(out.returncode, rc)
                self.assertEqual(out.stdout.splitlines()[-1], last)
        self.assertEqual(self.run_cli(GUEST).stdout.splitlines()[:-1],
                         GUEST.rstrip("\n").split("\n"))


if __name__ == "__main__":
    unittest.main()
