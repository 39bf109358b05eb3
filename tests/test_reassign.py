"""reassign: a departing rep's open deals move in one change, the handover is
recorded in each deal, and a sheet per deal says what the new rep must know."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import World

A1_EXTRA = """\
close: 2027-01-31
contacts:
  - name: Zhang Min
    role: plant director
    decision_maker: true
    met: 2026-11-05
  - name: Eva Horvath
    role: purchasing
    veto: true
milestones:
  need_identified: {date: 2026-11-02}
levels:
  need: {level: 2, date: 2026-11-03, evidence: asked twice}
  power: {level: 1, date: 2026-11-03, evidence: told}
actions:
  - {date: 2026-11-10, kind: visit, goal: meet the CFO, result: budget confirmed}
  - {date: 2026-11-20, kind: call, goal: send the offer}
  - {date: 2026-11-15, kind: demo, goal: show the pump, result: liked it}
  - {date: 2026-11-01, kind: call, goal: first call}
next: {date: 2026-11-20, step: send the revised offer}  # agreed on the phone
# notes kept by the rep
"""


@pytest.fixture
def team(world: World) -> World:
    world.deal("a1", stage="nurture", owner="ann", amount=50000,
               history=[("lead", "2026-11-01"), ("nurture", "2026-11-08")], extra=A1_EXTRA)
    world.deal("a2", owner="ann", amount=1000)
    world.deal("a3", owner="ann", status="won", stage="negotiation",
               history=[("negotiation", "2026-11-01")], extra="outcome: {date: 2026-11-20}\n")
    world.deal("b1", owner="bob")
    return world


SHEET_A1 = """\
ann -> bob: 2 deals handed over (left the company)

a1  A a1: T a1 · Nurture · 50,000 · close 2027-01-31
  next       2026-11-20 send the revised offer (overdue)
  contacts   Zhang Min (plant director; decision maker; met 2026-11-05)
             Eva Horvath (purchasing; veto; not met yet)
  to pass    budget_approved: Budget approved
  to raise   power 1 -> 3 for the next stage
  last       2026-11-20 call: send the offer
             2026-11-15 demo: show the pump -> liked it
             2026-11-10 visit: meet the CFO -> budget confirmed

a2  A a2: T a2 · Lead · 1,000
  next       none: agree one with the customer
  contacts   none on file: find out who decides
  to pass    need_identified: Need identified
  to raise   need 0 -> 2 for the next stage
  last       no action recorded
"""


def test_open_deals_move_with_a_sheet_each(team: World) -> None:
    before = {d: team.read(f"deals/{d}.yaml") for d in ("a1", "a2", "a3", "b1")}
    checked = team.run("validate").output
    res = team.run("reassign", "--from", "ann", "--to", "bob", "--reason", "left the company")
    assert res.exit_code == 0, res.output
    assert res.stdout == SHEET_A1
    # only the owner line changes, and the handover is appended: nothing else moves
    for d in ("a1", "a2"):
        after = team.read(f"deals/{d}.yaml")
        expected = before[d].replace("owner: ann\n", "owner: bob\n") + (
            "handovers:\n  - date: 2026-11-24\n    previous: ann\n    to: bob\n"
            "    reason: left the company\n")
        if d == "a1":  # the comment that ends the document stays at its end
            expected = before[d].replace("owner: ann\n", "owner: bob\n").replace(
                "# notes kept by the rep\n",
                "handovers:\n  - date: 2026-11-24\n    previous: ann\n    to: bob\n"
                "    reason: left the company\n# notes kept by the rep\n")
        assert after == expected
    assert team.read("deals/a3.yaml") == before["a3"]  # won: not handed over
    assert team.read("deals/b1.yaml") == before["b1"]
    rows = {r["id"]: r for r in team.json("list")}
    assert rows["a1"]["owner"] == "bob" and rows["a3"]["owner"] == "ann"
    # a handover is no stage move: the stage clock and the history stay as they were
    assert team.json("show", "a1")["deal"]["history"] == [
        {"stage": "lead", "date": "2026-11-01"}, {"stage": "nurture", "date": "2026-11-08"}]
    assert team.run("validate").output == checked  # no new problem


def test_markdown_and_json(team: World) -> None:
    res = team.run("reassign", "--from", "ann", "--to", "bob", "--deal", "a1", "--format", "md")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "# Handover: ann → bob: 1 deal handed over"
    assert "## a1: A a1, T a1" in lines
    assert "- **To raise for the next stage:** power 1 → 3" in lines
    assert "  - 2026-11-10 visit: meet the CFO → budget confirmed" in lines
    assert "owner: ann" in team.read("deals/a2.yaml")  # only the deal named
    out = team.json("reassign", "--from", "ann", "--to", "cy", "--deal", "a2")
    assert out["deals"][0]["id"] == "a2" and out["failed"] == []
    assert out["deals"][0]["open_milestones"] == ["need_identified"]


@pytest.mark.parametrize("args,code,message", [
    (["--deal", "a3"], 1, "funnelctl: deal a3 is won; only open deals are handed over"),
    (["--deal", "b1"], 1, "funnelctl: deal b1 is owned by bob, not ann"),
    (["--deal", "zz"], 1, "funnelctl: no deal 'zz' (see 'funnelctl list')"),
])
def test_refusals_write_nothing(team: World, args, code, message) -> None:
    before = {d: team.read(f"deals/{d}.yaml") for d in ("a1", "a2", "a3", "b1")}
    res = team.run("reassign", "--from", "ann", "--to", "bob", "--deal", "a1", *args)
    assert res.exit_code == code
    assert res.stderr.strip() == message
    assert {d: team.read(f"deals/{d}.yaml") for d in before} == before


def test_usage_and_nothing_to_hand_over(team: World) -> None:
    res = team.run("reassign", "--from", "ann", "--to", "ann")
    assert res.exit_code == 2
    assert "nothing to hand over" in res.stderr
    res = team.run("reassign", "--from", "zed", "--to", "ann")
    assert res.exit_code == 1
    assert res.stderr.strip() == "funnelctl: zed has no open deals to hand over"


def test_one_commit_for_the_whole_handover(team: World, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=team.root, capture_output=True, text=True,
                              check=True).stdout

    git("init", "-q")
    git("config", "user.name", "Mia Manager")
    git("config", "user.email", "mia@acme.example")
    git("add", "-A")
    git("commit", "-qm", "start")
    res = team.run("reassign", "--from", "ann", "--to", "bob", "--reason", "left", "--commit")
    assert res.exit_code == 0, res.output
    assert git("log", "-1", "--format=%s%n%b").strip().splitlines() == [
        "reassign ann -> bob: 2 deals", "reason: left", "deal: a1", "deal: a2"]
    assert sorted(git("show", "--name-only", "--format=", "HEAD").split()) == [
        "deals/a1.yaml", "deals/a2.yaml"]
    assert git("status", "--porcelain") == ""
