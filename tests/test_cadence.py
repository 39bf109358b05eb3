"""The manager's 1 / 15 / 30 cadence: ``check`` and ``judge`` write the deal file, the
cadence functions say which deals need a re-check, a judgement, or a first look.
Today is 2026-11-24 throughout; every number of days is counted by hand."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import subprocess
from pathlib import Path

import pytest

from funnelctl.analysis.cadence import (
    cadence_due,
    cycle_start,
    deal_cadence,
    not_looked_at,
    unlooked,
)

from .conftest import STAGES, TODAY, World


def diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if not line.startswith(("---", "+++", "@@"))]


def checks(*entries: tuple[str, str | None]) -> str:
    """A ``manager_checks:`` block of (date, verdict) entries by mia."""
    lines = ["manager_checks:"]
    for date, verdict in entries:
        lines += [f"  - date: {date}", "    manager: mia", "    note: looked"]
        if verdict:
            lines.append(f"    verdict: {verdict}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def cadence_world(world: World) -> World:
    # A: first look 11-01, nothing since: 23 days since the look (>= 15: re-check);
    #    the cycle is 23 days old (< 30: no judgement yet)
    world.deal("a", history=[("lead", "2026-10-01")], extra=checks(("2026-11-01", None)))
    # B: cycle from 10-20 (35 days: judge), looked again 11-15 (9 days: no re-check)
    world.deal("b", history=[("lead", "2026-10-01")],
               extra=checks(("2026-10-20", None), ("2026-11-15", None)))
    # C: kept on 11-10: a new cycle of 14 days, last look 14 days ago: nothing due
    world.deal("c", history=[("lead", "2026-09-01")],
               extra=checks(("2026-10-01", None), ("2026-11-10", "keep")))
    # D: kept 11-05 (cycle 19 days), looked 11-08 (16 days ago): re-check
    world.deal("d", amount=5000, history=[("lead", "2026-09-01")],
               extra=checks(("2026-11-05", "keep"), ("2026-11-08", None)))
    # E: never looked at, in the pipeline since 11-01 (23 days): unchecked
    world.deal("e", history=[("lead", "2026-11-01")])
    # F: never looked at, since 11-20 (4 days): too soon
    world.deal("f", history=[("lead", "2026-11-20")])
    # G: lost, with an old look: closed deals have no cadence
    world.deal("g", status="lost", history=[("lead", "2026-09-01")],
               extra="outcome: {date: 2026-11-02, reason: no_decision}\n"
               + checks(("2026-09-10", None)))
    # H: snoozed, with an old look: left out of the lists
    world.deal("h", history=[("lead", "2026-09-01")],
               extra="snooze: {until: 2026-12-15, reason: budget cycle}\n"
               + checks(("2026-09-10", None)))
    return world


def by_id(world: World):
    loaded = world.loaded()
    return loaded.pipeline, {d.id: d for d in loaded.deals}, loaded.deals


def test_cycle_starts_at_the_first_look_or_the_latest_keep(cadence_world: World) -> None:
    _, deals, _ = by_id(cadence_world)
    assert cycle_start(deals["a"]) == dt.date(2026, 11, 1)
    assert cycle_start(deals["b"]) == dt.date(2026, 10, 20)
    assert cycle_start(deals["c"]) == dt.date(2026, 11, 10)
    assert cycle_start(deals["d"]) == dt.date(2026, 11, 5)
    assert cycle_start(deals["e"]) is None


def test_each_deal_s_cadence(cadence_world: World) -> None:
    p, deals, _ = by_id(cadence_world)
    got = {k: deal_cadence(d, p, TODAY) for k, d in deals.items()}
    assert {k: (c.kind, c.days, c.since, c.looks) for k, c in got.items() if c} == {
        "a": ("recheck", 23, dt.date(2026, 11, 1), 1),
        "b": ("judge", 35, dt.date(2026, 10, 20), 2),  # a judgement, not also a re-check
        "d": ("recheck", 16, dt.date(2026, 11, 8), 2),
        "h": ("judge", 75, dt.date(2026, 9, 10), 1),  # the per-deal function: no snooze
    }
    assert got["b"].message == ("cycle started 2026-10-20, 35 days ago (2 looks): judge the "
                                "customer's intent, keep or drop")
    assert got["a"].message == ("last looked at 2026-11-01 by mia, 23 days ago: check the "
                                "progress again")
    assert got["a"].short == "re-check 23d" and got["b"].short == "judge 35d"


def test_the_lists_leave_out_snoozed_and_closed_deals(cadence_world: World) -> None:
    p, _, deals = by_id(cadence_world)
    # judgements first, then the longest wait: a (23 days) before d (16)
    assert [(c.deal, c.kind, c.days) for c in cadence_due(deals, p, TODAY)] == [
        ("b", "judge", 35), ("a", "recheck", 23), ("d", "recheck", 16)]
    # not looked at in 15 days: a and d (their last looks), e never; b was looked at
    # 9 days ago, c 14 days ago, f came in 4 days ago
    assert [(c.deal, c.kind, c.days) for c in not_looked_at(deals, p, TODAY)] == [
        ("a", "recheck", 23), ("d", "recheck", 16), ("e", "unchecked", 23)]
    e = unlooked(next(d for d in deals if d.id == "e"), p, TODAY)
    assert e is not None and e.message == "never looked at by a manager, open 23 days"
    assert e.as_json()["last_look"] is None


def test_the_thresholds_are_the_rules(cadence_world: World) -> None:
    text = (cadence_world.root / "stages.yaml").read_text()
    (cadence_world.root / "stages.yaml").write_text(text.replace(
        "rules: {follow_up_days: 15, judge_days: 30,",
        "rules: {follow_up_days: 7, judge_days: 20,"))
    p, deals, _ = by_id(cadence_world)
    # a: cycle 23 days >= 20: judge now; c: cycle 14, last look 14 >= 7: re-check
    assert deal_cadence(deals["a"], p, TODAY).kind == "judge"
    assert (deal_cadence(deals["c"], p, TODAY).kind, deal_cadence(deals["c"], p, TODAY).days) \
        == ("recheck", 14)
    assert deal_cadence(deals["f"], p, TODAY) is None
    assert unlooked(deals["f"], p, TODAY) is None  # 4 days < 7


# -- check --------------------------------------------------------------------------------


def test_check_appends_the_manager_s_look(world: World) -> None:
    world.deal("acme", extra="# the rep's notes end the file\n")
    before = world.read("deals/acme.yaml")
    res = world.run("check", "acme", "--note", "CFO met; waiting for legal", "--manager", "mia")
    assert res.exit_code == 0, res.output
    assert res.stdout == "acme: checked by mia (deals/acme.yaml)\n"
    after = world.read("deals/acme.yaml")
    assert diff(before, after) == [
        "+manager_checks:", "+  - date: 2026-11-24", "+    manager: mia",
        "+    note: CFO met; waiting for legal"]
    assert after.endswith("# the rep's notes end the file\n")
    # a second look goes under the first; the cadence reads both
    world.run("check", "acme", "--note", "again", "--manager", "mia",
              today=dt.date(2026, 11, 30))
    (d,) = world.loaded().deals
    assert [(c.date, c.manager, c.verdict) for c in d.checked] == [
        (dt.date(2026, 11, 24), "mia", None), (dt.date(2026, 11, 30), "mia", None)]
    assert world.run("validate").exit_code == 0


def test_check_refusals_leave_the_file_as_it_was(world: World) -> None:
    world.deal("acme")
    world.deal("gone", status="lost", extra="outcome: {date: 2026-11-02, reason: no_decision}\n")
    before = world.read("deals/acme.yaml")
    res = world.run("check", "acme", "--note", "   ", "--manager", "mia")
    assert res.exit_code == 1
    assert res.stderr == ("funnelctl: a check needs --note: what was done, what moved, what "
                          "is blocked\n")
    res = world.run("check", "gone", "--note", "x", "--manager", "mia")
    assert res.exit_code == 1
    assert res.stderr == "funnelctl: deal gone is lost: there is nothing left to check\n"
    res = world.run("check", "acme", "--manager", "mia")
    assert res.exit_code == 2 and "--note" in res.stderr
    assert world.read("deals/acme.yaml") == before


@pytest.fixture
def no_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No identity from this machine: no global or system git config, and no
    repository found above the test's folder."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for k in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(k, raising=False)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, capture_output=True, check=True)


def test_outside_git_the_manager_must_be_named(world: World, no_git_config) -> None:
    world.deal("acme")
    before = world.read("deals/acme.yaml")
    res = world.run("check", "acme", "--note", "x")
    assert res.exit_code == 2
    assert res.stderr.startswith("funnelctl: --manager: name the manager (no git identity")
    assert world.read("deals/acme.yaml") == before


def test_in_git_the_manager_is_the_user_or_his_person(world: World, no_git_config) -> None:
    world.deal("acme")
    git(world.root, "init", "-q")
    git(world.root, "config", "user.name", "Mia Chen")
    git(world.root, "config", "user.email", "Mia@Example.com")
    res = world.run("check", "acme", "--note", "first")
    assert res.exit_code == 0 and res.stdout.startswith("acme: checked by Mia Chen ")
    # stages.yaml's people: names the person whose email it is (in any case)
    (world.root / "stages.yaml").write_text(STAGES + "people: {mia: mia@example.com}\n")
    res = world.run("check", "acme", "--note", "second")
    assert res.exit_code == 0 and res.stdout.startswith("acme: checked by mia ")
    (d,) = world.loaded().deals
    assert [c.manager for c in d.checked] == ["Mia Chen", "mia"]


# -- judge --------------------------------------------------------------------------------


def test_judge_keep_starts_a_new_cycle(cadence_world: World) -> None:
    before = cadence_world.read("deals/b.yaml")
    res = cadence_world.run("judge", "b", "keep", "--reason", "budget approved for Q1",
                            "--manager", "mia")
    assert res.exit_code == 0, res.output
    assert res.stdout == "b: kept by mia: a new cycle starts (deals/b.yaml)\n"
    assert diff(before, cadence_world.read("deals/b.yaml")) == [
        "+  - date: 2026-11-24", "+    manager: mia", "+    note: budget approved for Q1",
        "+    verdict: keep"]
    p, deals, _ = by_id(cadence_world)
    assert cycle_start(deals["b"]) == TODAY and deal_cadence(deals["b"], p, TODAY) is None
    # 15 days on, a re-check; 30 days on, the next judgement
    assert deal_cadence(deals["b"], p, TODAY + dt.timedelta(days=15)).kind == "recheck"
    assert deal_cadence(deals["b"], p, TODAY + dt.timedelta(days=30)).kind == "judge"


def test_judge_drop_loses_the_deal_with_no_decision(cadence_world: World) -> None:
    before = cadence_world.read("deals/b.yaml")
    res = cadence_world.run("judge", "b", "drop", "--manager", "mia")
    assert res.exit_code == 0, res.output
    assert res.stdout == "b: dropped by mia: lost (no_decision) (deals/b.yaml)\n"
    assert diff(before, cadence_world.read("deals/b.yaml")) == [
        "-status: open", "+status: lost",
        "+  - date: 2026-11-24", "+    manager: mia", "+    verdict: drop",
        "+outcome:", "+  date: 2026-11-24", "+  reason: no_decision"]
    p, deals, _ = by_id(cadence_world)
    assert deals["b"].lost_reason == "no_decision" and deal_cadence(deals["b"], p, TODAY) is None
    assert cadence_world.run("validate").exit_code == 0


def test_judge_drop_with_another_reason(cadence_world: World) -> None:
    before = cadence_world.read("deals/a.yaml")
    res = cadence_world.run("judge", "a", "drop", "--reason", "competitor", "--manager", "mia")
    assert res.exit_code == 1
    assert res.stderr == "funnelctl: loss reason competitor needs --competitor: who won it\n"
    assert cadence_world.read("deals/a.yaml") == before
    res = cadence_world.run("judge", "a", "drop", "--reason", "competitor", "--competitor",
                            "Wilo", "--note", "cheaper by 12%", "--manager", "mia")
    assert res.exit_code == 0, res.output
    _, deals, _ = by_id(cadence_world)
    assert (deals["a"].status, deals["a"].lost_reason, deals["a"].competitor) == (
        "lost", "competitor", "Wilo")
    assert deals["a"].checked[-1].verdict == "drop"


def test_judge_usage(cadence_world: World) -> None:
    before = cadence_world.read("deals/a.yaml")
    res = cadence_world.run("judge", "a", "maybe", "--manager", "mia")
    assert res.exit_code == 2
    assert "'maybe'" in res.stderr and "keep" in res.stderr and "drop" in res.stderr
    res = cadence_world.run("judge", "a", "keep", "--manager", "mia")
    assert res.exit_code == 1
    assert res.stderr == ("funnelctl: judge keep needs --note: the intent you heard that "
                          "keeps the deal\n")
    res = cadence_world.run("judge", "a", "keep", "--competitor", "X", "--note", "y",
                            "--manager", "mia")
    assert res.exit_code == 2
    res = cadence_world.run("judge", "g", "keep", "--note", "y", "--manager", "mia")
    assert res.exit_code == 1 and "deal g is lost" in res.stderr
    assert cadence_world.read("deals/a.yaml") == before


def test_a_note_with_line_breaks_and_controls_reads_back(world: World) -> None:
    from funnelctl.store import read_deal

    world.deal("acme")
    note = "line one\nline two \x1b[31m red\t# not a comment"
    res = world.run("check", "acme", "--note", note, "--manager", "mia")
    assert res.exit_code == 0, res.output
    p = world.loaded().pipeline
    deal, problems = read_deal(world.root, "deals/acme.yaml", p)
    assert problems == [] and deal.manager_checks[0].note == note
    res = world.run("check", "acme", "--note", "bad \udcff byte", "--manager", "mia")
    assert res.exit_code == 1 and "is not UTF-8 text" in res.stderr
