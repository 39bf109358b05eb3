"""The rep's writes: each changes only the lines it means to, refuses without
touching the file, and never stores anything derived."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from funnelctl.store import deal_lock

DEAL = """\
# Acme Pumps: line 3 cooling pumps
id: acme
title: Line 3 cooling   # as the customer calls it
account: "Acme Pumps"
owner: li.wei
amount: 120000
created: 2026-11-01
stage: lead
status: open
contacts:
  - name: Zhang Min
    role: plant director
    decision_maker: true
history:
  - stage: lead
    date: 2026-11-01

# what the customer has passed
milestones:
  need_identified:
    date: 2026-11-02
    evidence: 'asked for a quote'
levels:
  need: {level: 2, date: 2026-11-02, evidence: stated}
crm_ref: X-1   # a key the team added
"""


def diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if not line.startswith(("---", "+++", "@@"))]


def setup(world, text: str = DEAL) -> str:
    world.write("deals/acme.yaml", text)
    return text


def test_advance_changes_the_stage_line_and_appends_one_history_entry(world) -> None:
    before = setup(world)
    res = world.run("advance", "acme")
    assert res.exit_code == 0, res.output
    assert res.stdout == "acme: advanced lead -> nurture (deals/acme.yaml)\n"
    after = world.read("deals/acme.yaml")
    assert diff(before, after) == [
        "-stage: lead", "+stage: nurture",
        "+  - stage: nurture", "+    date: 2026-11-24"]
    # the new entry sits right after the old one: the blank line and comment stay
    # between the list and the next key
    assert "    date: 2026-11-01\n  - stage: nurture\n    date: 2026-11-24\n\n# what" in after


def test_advance_refuses_and_leaves_the_file_byte_for_byte(world) -> None:
    before = setup(world, DEAL.replace("need: {level: 2", "need: {level: 1"))
    path = world.root / "deals/acme.yaml"
    mtime = path.stat().st_mtime_ns
    res = world.run("advance", "acme", "--to", "evaluation")
    assert res.exit_code == 1
    # need >= 2 is nurture's entry requirement; the deal moves past nurture, so only
    # nurture's milestones and evaluation's requirements are asked
    assert res.stderr.splitlines() == [
        "funnelctl: cannot advance acme to evaluation: 2 missing",
        "  - milestone budget_approved (nurture): Budget approved",
        "  - requirement power>=3: power is 0, evaluation needs 3"]
    assert path.read_text() == before and path.stat().st_mtime_ns == mtime


def test_forced_advance_records_reason_and_waivers(world) -> None:
    before = setup(world)
    res = world.run("advance", "acme", "--to", "evaluation", "--force")
    assert res.exit_code == 1 and "--force needs --reason" in res.stderr
    assert world.read("deals/acme.yaml") == before
    res = world.run("advance", "acme", "--to", "evaluation", "--force", "--reason",
                    "tender deadline")
    assert res.exit_code == 0, res.output
    assert diff(before, world.read("deals/acme.yaml")) == [
        "-stage: lead", "+stage: evaluation",
        "+  - stage: evaluation", "+    date: 2026-11-24", "+    reason: tender deadline",
        "+    waived: [budget_approved, power>=3]"]
    # validation accepts the waived items, and show lists them
    assert world.run("validate").exit_code == 0
    shown = world.json("show", "acme")
    assert shown["moves"][-1]["waived"] == ["budget_approved", "power>=3"]
    assert shown["moves"][-1]["reason"] == "tender deadline"


def test_moving_back_is_allowed_and_shown_as_a_regression(world) -> None:
    setup(world)
    world.run("tick", "acme", "budget_approved", "-e", "CFO mail")
    world.run("score", "acme", "power", "3", "-e", "met")
    assert world.run("advance", "acme", "--to", "evaluation").exit_code == 0
    res = world.run("advance", "acme", "--to", "nurture")
    assert res.exit_code == 0 and "regressed evaluation -> nurture" in res.stdout
    assert [m["move"] for m in world.json("show", "acme")["moves"]] == [
        "entered", "advanced", "regressed"]


def test_tick_score_act_append_only_their_lines(world) -> None:
    before = setup(world)
    assert world.run("tick", "acme", "budget_approved", "-e", "CFO: approved").exit_code == 0
    assert world.run("score", "acme", "power", "2", "-e", "no").exit_code == 0
    assert world.run("act", "acme", "-k", "visit", "-g", "meet the CFO", "-r", "yes",
                     "--moved", "--next", "2026-12-01: send offer").exit_code == 0
    after = world.read("deals/acme.yaml")
    assert diff(before, after) == [
        "+  budget_approved:", "+    date: 2026-11-24", '+    evidence: "CFO: approved"',
        "+  power:", "+    level: 2", "+    date: 2026-11-24", '+    evidence: "no"',
        "+actions:", "+  - date: 2026-11-24", "+    kind: visit", "+    goal: meet the CFO",
        '+    result: "yes"', "+    moved: true",
        "+next:", "+  date: 2026-12-01", "+  step: send offer"]
    assert "crm_ref: X-1   # a key the team added" in after


def test_score_updates_a_level_in_place(world) -> None:
    before = setup(world)
    res = world.run("score", "acme", "need", "3", "-e", "real need: delivery time")
    assert res.exit_code == 0 and "need 3 (was 2)" in res.stdout
    assert diff(before, world.read("deals/acme.yaml")) == [
        "-  need: {level: 2, date: 2026-11-02, evidence: stated}",
        '+  need: {level: 3, date: 2026-11-24, evidence: "real need: delivery time"}']


def test_refusals_of_tick_score_act(world) -> None:
    before = setup(world)
    cases = [
        (["tick", "acme", "budget_approved"],
         "milestone budget_approved needs --evidence: who said what, which document"),
        (["tick", "acme", "need_identified", "-e", "x"],
         "milestone need_identified is already ticked (2026-11-02)"),
        (["score", "acme", "power", "7", "-e", "x"], "power has levels 0..6"),
        (["act", "acme", "-k", "visit", "-g", "x", "--next", "2026-11-01: y"],
         "the next step's date 2026-11-01 is in the past"),
        (["advance", "nobody"], "no deal 'nobody' under deals/ (try 'funnelctl list' for the ids)"),
        (["lose", "acme", "--reason", "competitor"],
         "loss reason competitor needs --competitor: who won it"),
        (["win", "acme"], "cannot sign acme: 5 missing\n"
         "  - milestone budget_approved (nurture): Budget approved\n"
         "  - milestone solution_accepted (evaluation): Solution accepted\n"
         "  - milestone terms_agreed (negotiation): Terms agreed\n"
         "  - requirement power>=3: power is 0, evaluation needs 3\n"
         "  - requirement power>=4: power is 0, negotiation needs 4"),
    ]
    for args, msg in cases:
        res = world.run(*args)
        assert res.exit_code == 1, args
        assert res.stdout == "", args
        assert res.stderr == f"funnelctl: {msg}\n", args
    assert world.read("deals/acme.yaml") == before
    # a milestone, ladder, kind or loss reason that names nothing in stages.yaml is bad
    # usage: exit 2, with every choice as "id (label)"
    for args, msg in [
        (["tick", "acme", "nope", "-e", "x"],
         "no milestone 'nope' (choose one of: need_identified (Need identified), "
         "budget_approved (Budget approved), solution_accepted (Solution accepted), "
         "terms_agreed (Terms agreed))"),
        (["score", "acme", "luck", "1", "-e", "x"],
         "no ladder 'luck' (choose one of: need, power)"),
        (["act", "acme", "-k", "party", "-g", "x"],
         "no action kind 'party' (choose one of: visit, call, demo)"),
        (["lose", "acme", "--reason", "weather"],
         "no loss reason 'weather' (choose one of: competitor (Lost to a competitor), "
         "no_decision (No decision), other)"),
    ]:
        res = world.run(*args)
        assert (res.exit_code, res.stdout, res.stderr) == (2, "", f"funnelctl: {msg}\n"), args
    assert world.read("deals/acme.yaml") == before
    # a next step with no date before it is bad usage: exit 2, with the forms
    res = world.run("act", "acme", "-k", "visit", "-g", "x", "--next", "tomorrow")
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.startswith("funnelctl: --next: 'tomorrow': expected \"DATE: step\", "
                                 "DATE as YYYY-MM-DD or one of MM-DD, today, ")
    assert world.read("deals/acme.yaml") == before


def test_win_and_lose(world) -> None:
    setup(world)
    world.run("act", "acme", "-k", "call", "-g", "g", "--next", "2026-12-01: x")
    res = world.run("lose", "acme", "--reason", "competitor", "--competitor", "Grundfos",
                    today=__import__("datetime").date(2026, 11, 25))
    assert res.exit_code == 0, res.output
    text = world.read("deals/acme.yaml")
    assert "status: lost\n" in text
    assert text.endswith("outcome:\n  date: 2026-11-25\n  reason: competitor\n"
                         "  competitor: Grundfos\n")
    assert "next:" not in text  # a closed deal has no next step
    # on the day it was lost; the day before, the outcome is dated after today
    assert world.run("validate", today=__import__("datetime").date(2026, 11, 25)).exit_code == 0
    res = world.run("advance", "acme")
    assert res.exit_code == 1 and "is lost" in res.stderr


def test_win_after_every_milestone(world) -> None:
    setup(world, DEAL.replace("stage: lead\nstatus", "stage: negotiation\nstatus").replace(
        "    date: 2026-11-01\n\n", "    date: 2026-11-01\n  - stage: negotiation\n"
        "    date: 2026-11-03\n\n").replace(
        "levels:\n  need: {level: 2, date: 2026-11-02, evidence: stated}\n",
        "  budget_approved: {date: 2026-11-02, evidence: mail}\n"
        "  solution_accepted: {date: 2026-11-02}\n  terms_agreed: {date: 2026-11-03}\n"
        "levels:\n  need: {level: 2, date: 2026-11-02, evidence: stated}\n"
        "  power: {level: 4, date: 2026-11-02}\n"))
    assert world.run("validate").exit_code == 0
    res = world.run("win", "acme")
    assert res.exit_code == 0, res.output
    d = world.json("show", "acme")
    assert d["deal"]["status"] == "won" and d["deal"]["stage"] == "won"
    # the signed amount (the estimate, as none was given) and the day
    assert d["deal"]["outcome"] == {"date": "2026-11-24", "amount": 120000}
    assert d["derived"]["probability"] == 1.0


def test_nothing_derived_is_written(world) -> None:
    setup(world)
    world.run("tick", "acme", "budget_approved", "-e", "x")
    world.run("advance", "acme", "--force", "--reason", "r")
    text = world.read("deals/acme.yaml")
    for derived in ("days", "probability", "weighted", "stalled"):
        assert derived not in text


def test_append_keeps_a_comment_after_the_last_item_last(world) -> None:
    text = textwrap.dedent("""\
        id: acme
        title: t
        account: a
        owner: o
        amount: 1
        created: 2026-11-01
        stage: lead
        history:
          - stage: lead
            date: 2026-11-01
          # keep me last in history
        actions:
          - date: 2026-11-01
            kind: call
            goal: g
        # end of file comment
        """)
    world.write("deals/acme.yaml", text)
    assert world.run("act", "acme", "-k", "visit", "-g", "again").exit_code == 0
    after = world.read("deals/acme.yaml")
    assert after.endswith("    goal: g\n  - date: 2026-11-24\n    kind: visit\n"
                          "    goal: again\n    moved: false\n# end of file comment\n")
    assert world.run("snooze", "acme", "--until", "2027-01-10", "--reason",
                     "budget").exit_code == 0
    after = world.read("deals/acme.yaml")
    assert after.endswith("    moved: false\nsnooze:\n  until: 2027-01-10\n  reason: budget\n"
                          "# end of file comment\n")
    assert "    date: 2026-11-01\n  # keep me last in history\nactions:" in after


def test_a_write_on_an_unreadable_deal_is_refused(world) -> None:
    world.write("deals/acme.yaml", "id: acme\ntitle: [\n")
    res = world.run("tick", "acme", "need_identified")
    assert res.exit_code == 1
    assert "cannot be read as a deal" in res.stderr
    assert "deals/acme.yaml:3: not valid YAML" in res.stderr


def test_act_can_record_yesterdays_visit_but_not_tomorrows(world) -> None:
    setup(world)
    res = world.run("act", "acme", "-k", "visit", "-g", "g", "--date", "2026-11-25")
    assert res.exit_code == 1 and "in the future" in res.stderr
    assert world.run("act", "acme", "-k", "visit", "-g", "g", "--date", "2026-11-23").exit_code == 0
    assert "  - date: 2026-11-23\n    kind: visit\n" in world.read("deals/acme.yaml")


# -- the deal lock ----------------------------------------------------------------
#
# The test takes the deal's lock itself (store.deal_lock, as a write does), starts
# real funnelctl processes that write the same deal, and asks the kernel
# (/proc/locks) whether they wait on that very lock; no sleeps decide anything.

FUNNELCTL = [sys.executable, "-m", "funnelctl"]

# funnelctl with deal_lock made a no-op wherever it is looked up: the lock tests must
# fail against it (test_the_lock_tests_fail_without_the_lock)
NO_LOCK = [sys.executable, "-c", textwrap.dedent("""\
    import contextlib, importlib, pkgutil, sys
    import funnelctl.store, funnelctl.cli.app, funnelctl.cli.common
    for info in pkgutil.walk_packages(getattr(funnelctl.store, "__path__", []),
                                      "funnelctl.store."):
        importlib.import_module(info.name)
    real = funnelctl.store.deal_lock
    @contextlib.contextmanager
    def no_lock(root, rel):
        yield
    for name, module in list(sys.modules.items()):
        if name.startswith("funnelctl") and getattr(module, "deal_lock", None) is real:
            module.deal_lock = no_lock
    funnelctl.cli.app.main()
    """)]

REL = "deals/acme.yaml"


def start(world, command: list[str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([*command, "--dir", str(world.root), "--today", "2026-11-24",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=world.root)


def lock_table() -> list[tuple[bool, int, str]] | None:
    """/proc/locks as (waiting, pid, device:inode) rows; None where there is none.
    A holder's row reads "1: FLOCK  ADVISORY  WRITE PID DEV:INODE 0 EOF", a waiter's
    "1: -> FLOCK ..." ("1: -> -> FLOCK ..." when queued behind another waiter)."""
    try:
        text = Path("/proc/locks").read_text()
    except OSError:
        return None
    rows = []
    for line in text.splitlines():
        fields = line.split()[1:]
        arrows = 0
        while arrows < len(fields) and fields[arrows] == "->":
            arrows += 1
        rest = fields[arrows:]
        if len(rest) >= 5 and rest[3].isdigit():
            rows.append((arrows > 0, int(rest[3]), rest[4]))
    return rows


def my_locks() -> set[str] | None:
    """The device:inode of every lock this process holds."""
    rows = lock_table()
    if rows is None:
        return None
    return {lock for waiting, pid, lock in rows if not waiting and pid == os.getpid()}


@contextmanager
def holding_the_deal_lock(world):
    """Hold the deal's lock as a write does; yields its device:inode in /proc/locks
    (None where there is no /proc/locks)."""
    before = my_locks()
    with deal_lock(world.root, REL):
        if before is None:
            yield None
            return
        new = my_locks() - before
        assert len(new) == 1, f"deal_lock took no lock here (or more than one): {new}"
        yield new.pop()


def wait_until_blocked(procs: list[subprocess.Popen], lock_id: str | None,
                       before: str, path: Path) -> None:
    """Wait until every process waits on the lock ``lock_id`` (held by this test).
    Fails as soon as one of them ends or the file changes: the write did not wait.
    Without /proc/locks, each must still be running after 2 s (a write takes ~0.3 s).
    The 30 s bound is only ever reached when something is wrong."""
    deadline = time.monotonic() + (30.0 if lock_id else 2.0)
    waiting: set[int] = set()
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                out, err = proc.communicate()
                raise AssertionError(f"a write ran while the deal was locked: exit "
                                     f"{proc.returncode}, stdout {out!r}, stderr {err!r}")
        if path.read_text(encoding="utf-8") != before:
            raise AssertionError("a write ran while the deal was locked: the file changed")
        if lock_id:
            waiting = {pid for blocked, pid, lock in lock_table() or []
                       if blocked and lock == lock_id}
            if all(proc.pid in waiting for proc in procs):
                return
        time.sleep(0.01)
    if lock_id:
        raise AssertionError(f"not seen waiting on the lock in 30 s: {waiting}")


@contextmanager
def reaped(procs: list[subprocess.Popen]):
    """Kill what is still running when the test fails half way."""
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


def write_waits_for_the_lock(world, command: list[str]) -> None:
    before = setup(world)
    path = world.root / REL
    with reaped([]) as procs:
        with holding_the_deal_lock(world) as lock_id:
            procs.append(start(world, command, "act", "acme", "-k", "call", "-g", "late call"))
            wait_until_blocked(procs, lock_id, before, path)
            assert procs[0].poll() is None
            assert path.read_text(encoding="utf-8") == before
        out, err = procs[0].communicate(timeout=30)
        assert (procs[0].returncode, out, err) == (
            0, "acme: call recorded (deals/acme.yaml)\n", "")
    assert diff(before, path.read_text(encoding="utf-8")) == [
        "+actions:", "+  - date: 2026-11-24", "+    kind: call", "+    goal: late call",
        "+    moved: false"]


def many_writers_all_land(world, command: list[str], n: int = 4) -> None:
    """n writers on one deal, let go at the same instant: every action is recorded."""
    before = setup(world)
    path = world.root / REL
    goals = [f"call {i}" for i in range(n)]
    with reaped([]) as procs:
        with holding_the_deal_lock(world) as lock_id:
            procs.extend(start(world, command, "act", "acme", "-k", "call", "-g", g)
                         for g in goals)
            wait_until_blocked(procs, lock_id, before, path)
        for proc, goal in zip(procs, goals, strict=True):
            out, err = proc.communicate(timeout=30)
            assert (proc.returncode, err) == (0, ""), goal
    actions = yaml.safe_load(path.read_text(encoding="utf-8"))["actions"]
    assert sorted(a["goal"] for a in actions) == goals
    assert world.run("validate").exit_code == 0


def test_a_write_waits_for_the_deal_lock(world) -> None:
    write_waits_for_the_lock(world, FUNNELCTL)


def test_many_writers_on_one_deal_all_land(world) -> None:
    many_writers_all_land(world, FUNNELCTL)


@pytest.mark.skipif(lock_table() is None, reason="needs /proc/locks to tell a waiting process")
def test_the_lock_test_fails_without_the_lock(world) -> None:
    """The lock test against a funnelctl whose deal_lock does nothing: it fails (the
    many-writers test fails the same way, in the same wait_until_blocked). If this
    test fails, NO_LOCK no longer reaches the lock (see where update_deal looks
    deal_lock up) and the lock tests prove nothing until it does."""
    with pytest.raises(AssertionError, match="a write ran while the deal was locked"):
        write_waits_for_the_lock(world, NO_LOCK)


@pytest.mark.parametrize("args,key", [
    (["act", "x1", "-k", "visit", "-g", "g"], "actions:"),
    (["tick", "x1", "need_identified"], "milestones:"),
    (["score", "x1", "need", "2", "-e", "said so"], "levels:"),
])
def test_a_new_block_goes_before_the_comment_that_ends_the_file(world, args, key) -> None:
    """A deal whose last key is a flow map with a comment, then a comment line: a
    write that adds a block puts it before that comment, never between the new key
    and its first entry."""
    world.write("deals/x1.yaml", "id: x1\ntitle: t\naccount: a\nowner: o\namount: 1\n"
                "created: 2026-11-01\nstage: lead\nstatus: open\n"
                "history: [{stage: lead, date: 2026-11-01}]\n"
                "next: {date: 2026-11-20, step: call}  # agreed\n# notes kept\n")
    res = world.run(*args)
    assert res.exit_code == 0, res.output
    text = world.read("deals/x1.yaml")
    assert text.endswith("\n# notes kept\n")
    assert "next: {date: 2026-11-20, step: call}  # agreed\n" in text
    after_key = text.split(key + "\n", 1)[1]
    assert after_key.startswith("  "), text  # the entry follows its key
