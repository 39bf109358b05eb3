"""The month: the monthly report, the losses, the daily tracking of the targets, the
rule that the reps' targets cover their team's, and ``target set`` writing stages.yaml.
Every figure is worked out by hand from the pipeline written here; today is
Tuesday 2026-11-24 (17 of November's 21 working days gone)."""

from __future__ import annotations

import datetime as dt
import difflib

import pytest

from funnelctl.analysis.month import (
    daily_tracking,
    shift_period,
    target_shortfalls,
    third_of,
)
from funnelctl.edits_rhythm import set_target, write_targets
from funnelctl.store import StoreError, load_pipeline

from .conftest import STAGES, TODAY, World

TARGETS = """\
targets:
  - {owner: team, period: 2026-11, deals: 4}
  - {owner: ann, period: 2026-11, deals: 3, amount: 5000}
  - {owner: ann, period: 2026-12, deals: 2}
"""


def diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if not line.startswith(("---", "+++", "@@"))]


def won(date: str) -> str:
    return f"outcome: {{date: {date}}}\n"


def lost(date: str, reason: str, competitor: str | None = None) -> str:
    rival = f", competitor: {competitor}" if competitor else ""
    return f"outcome: {{date: {date}, reason: {reason}{rival}}}\n"


@pytest.fixture
def month(world: World) -> World:
    (world.root / "stages.yaml").write_text(STAGES + TARGETS)
    d = world.deal
    # November, ann: two signed (cycles 40 and 19 days), two lost, one moved back
    d("w1", amount=1000, stage="won", status="won", extra=won("2026-11-10"),
      history=[("lead", "2026-10-01"), ("nurture", "2026-10-15"), ("evaluation", "2026-11-02"),
               ("negotiation", "2026-11-05"), ("won", "2026-11-10")])
    d("w2", amount=3000, stage="won", status="won", extra=won("2026-11-20"),
      history=[("lead", "2026-11-01"), ("nurture", "2026-11-05"), ("won", "2026-11-20")])
    d("l1", amount=500, stage="evaluation", status="lost",
      extra=lost("2026-11-15", "competitor", "Rival"),
      history=[("lead", "2026-09-01"), ("evaluation", "2026-11-03")])
    d("l2", amount=200, status="lost", extra=lost("2026-11-16", "no_decision"),
      history=[("lead", "2026-11-02")])
    d("r1", amount=100, history=[("lead", "2026-10-01"), ("nurture", "2026-10-20"),
                                 ("lead", "2026-11-12")])
    # October, ann: one signed (30 days), two lost; one deal came in
    d("w0", amount=2000, stage="won", status="won", extra=won("2026-10-20"),
      history=[("lead", "2026-09-20"), ("won", "2026-10-20")])
    d("l0", amount=100, status="lost", extra=lost("2026-10-05", "no_decision"),
      history=[("lead", "2026-09-10")])
    d("l0b", amount=100, status="lost", extra=lost("2026-10-25", "no_decision"),
      history=[("lead", "2026-09-15")])
    d("o1", amount=100, history=[("lead", "2026-10-10")], extra="close: 2026-11-28\n")
    # bob: one deal came in on 11-03 and went on to negotiation
    d("b1", owner="bob", amount=700, stage="negotiation",
      history=[("lead", "2026-11-03"), ("negotiation", "2026-11-06")])
    return world


def test_shift_period() -> None:
    assert shift_period("2026-11", 1) == "2026-12"
    assert shift_period("2026-12", 1) == "2027-01"
    assert shift_period("2026-01", -1) == "2025-12"
    assert shift_period("2026-11", -13) == "2025-10"


def test_the_month_of_a_rep(month: World) -> None:
    out = month.json("month", "--period", "2026-11")
    assert (out["period"], out["previous"], out["next"]) == ("2026-11", "2026-10", "2026-12")
    ann = next(r for r in out["reps"] if r["owner"] == "ann")
    assert ann["target"] == {"deals": 3.0, "amount": 5000}
    assert ann["signed"] == {"deals": 2, "amount": 4000}
    # entries in November: lead w2, l2 and r1 (moved back); nurture w2; evaluation w1,
    # l1; negotiation w1; signed w1, w2
    assert ann["movement"] == {
        "entered": {"lead": 3, "nurture": 1, "evaluation": 2, "negotiation": 1, "won": 2},
        "inflow": 2, "advanced": 4, "regressed": 1, "won": 2, "lost": 2}
    losses = ann["losses"]
    assert (losses["count"], losses["amount"]) == (2, 700)
    assert [(t["key"], t["count"], t["amount"]) for t in losses["by_stage"]] == [
        ("lead", 1, 200), ("evaluation", 1, 500)]
    assert [(t["key"], t["count"]) for t in losses["by_reason"]] == [
        ("competitor", 1), ("no_decision", 1)]
    assert [(t["key"], t["count"], t["amount"]) for t in losses["competitors"]] == [
        ("Rival", 1, 500)]
    # November: 2 won of 4 closed, average (1000 + 3000) / 2, cycle (40 + 19) / 2,
    # 2 came in (w2, l2: 3200); October: 1 of 3, 2000, 30 days, 3 came in (w1, r1, o1)
    assert ann["kpis"] == {"period": "2026-11", "won": 2, "lost": 2, "won_amount": 4000,
                           "win_rate": 0.5, "average_won": 2000, "cycle_days": 29.5,
                           "inflow": 2, "inflow_amount": 3200}
    assert (ann["previous"]["win_rate"], ann["previous"]["cycle_days"],
            ann["previous"]["inflow"]) == (0.333, 30, 3)
    assert ann["changes"] == {
        "win_rate": {"this": 0.5, "previous": 0.333, "change": 0.167},
        "average_won": {"this": 2000, "previous": 2000, "change": 0},
        "cycle_days": {"this": 29.5, "previous": 30, "change": -0.5},
        "inflow": {"this": 2, "previous": 3, "change": -1}}
    # December: 2 to sign needs 2 / 0.8 = 2.5 in negotiation, 4, 10 and 20 at lead;
    # ann holds r1 and o1 at lead
    nxt = ann["next"]
    assert nxt["period"] == "2026-12" and nxt["target"] == {"deals": 2.0, "amount": None}
    assert [(r["stage"], r["required"], r["actual"]) for r in nxt["plan"]["stages"]] == [
        ("lead", 20, 2), ("nurture", 10, 0), ("evaluation", 4, 0), ("negotiation", 2.5, 0)]
    assert nxt["plan"]["blocking"] == "negotiation"
    bob = next(r for r in out["reps"] if r["owner"] == "bob")
    assert bob["target"] == {"deals": None, "amount": None} and bob["next"]["plan"] is None
    assert (bob["movement"]["inflow"], bob["movement"]["advanced"]) == (1, 1)


def test_the_team_s_month(month: World) -> None:
    team = month.json("month", "--period", "2026-11")["team"]
    assert team["owner"] == "team" and team["target"] == {"deals": 4.0, "amount": None}
    assert team["signed"] == {"deals": 2, "amount": 4000}
    assert team["movement"]["entered"] == {"lead": 4, "nurture": 1, "evaluation": 2,
                                           "negotiation": 2, "won": 2}
    assert (team["kpis"]["inflow"], team["kpis"]["inflow_amount"]) == (3, 3900)
    assert team["next"]["target"] == {"deals": None, "amount": None}
    # one rep: no team section; his own target and plan
    out = month.json("month", "--period", "2026-11", "--owner", "ann")
    assert out["team"] is None and [r["owner"] for r in out["reps"]] == ["ann"]
    # a team of stages.yaml: its own target (east has none here)
    out = month.json("month", "--period", "2026-11", "--team", "east")
    assert out["team"]["owner"] == "east" and out["team"]["target"]["deals"] is None


def test_the_month_as_text_and_markdown(month: World) -> None:
    res = month.run("month", "--period", "2026-11", "--owner", "ann")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "Month 2026-11 (KPIs against 2026-10; plan for 2026-12)"
    assert "signed 2 of 3 deals · 4,000 of 5,000" in lines
    assert "Movement: 2 new, 4 advanced, 1 regressed, 2 won, 2 lost" in lines
    assert "  competitors: Rival 1 (500)" in lines
    kpis = [line.split() for line in lines]
    assert ["win", "rate", "50%", "33%", "+17", "pts"] in kpis
    assert ["cycle", "days", "29.5", "30", "-0.5"] in kpis
    assert ["average", "won", "deal", "2,000", "2,000", "0"] in kpis
    assert "  blocked at Negotiation: 2.5 deals short (need 2.5, hold 0)" in lines
    res = month.run("month", "--period", "2026-11", "--format", "md")
    assert res.exit_code == 0, res.output
    md = res.stdout.splitlines()
    assert md[0] == "# Month 2026-11"
    assert "## team" in md and "- **signed 2 of 4 deals · 4,000**" in md
    assert "| win rate | 50% | 33% | +17 pts |" in md
    assert "- 2026-11-15 **l1** (A l1, ann, 500) at evaluation: competitor, to Rival" in md


def test_losses_by_stage_reason_and_competitor(month: World) -> None:
    out = month.json("losses", "--period", "2026-11")
    assert (out["from"], out["to"]) == ("2026-11-01", "2026-11-30")
    assert out["reps"]["bob"]["count"] == 0
    assert [(x["deal"], x["stage"], x["reason"], x["competitor"])
            for x in out["team"]["deals"]] == [
        ("l1", "evaluation", "competitor", "Rival"), ("l2", "lead", "no_decision", None)]
    # two months: October's two no-decisions too
    out = month.json("losses", "--period", "2026-11", "--months", "2")
    assert out["from"] == "2026-10-01"
    assert [(t["key"], t["count"], t["amount"]) for t in out["team"]["by_reason"]] == [
        ("competitor", 1, 500), ("no_decision", 3, 400)]
    res = month.run("losses", "--period", "2026-11")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "Losses 2026-11"
    assert "bob" not in lines[1]  # a rep who lost nothing has no section
    assert any(line.startswith("2026-11-15  l1") and "Rival" in line for line in lines)
    assert month.run("losses", "--months", "0").exit_code == 2


# -- daily tracking -------------------------------------------------------------------------


def test_thirds_of_the_month() -> None:
    assert [third_of(dt.date(2026, 11, d)) for d in (1, 10, 11, 20, 21, 30)] == [
        0, 0, 1, 1, 2, 2]


def test_daily_tracking_at_an_even_pace(month: World) -> None:
    loaded = month.loaded()
    daily = daily_tracking(loaded.deals, loaded.pipeline, "2026-11", TODAY)
    assert (daily.working_days, daily.worked, daily.third, daily.phase) == (
        21, 17, "last", "press")
    rows = {r.progress.owner: r for r in daily.rows}
    ann = rows["ann"]
    # 3 x 17/21 = 2.43 due, 2 signed: 0.43 behind; 5000 x 17/21 = 4047.62, 4000 signed
    assert ann.as_json() | {"focus": None} == {
        "owner": "ann", "target_deals": 3.0, "target_amount": 5000, "due_deals": 2.43,
        "due_amount": 4047.62, "signed_deals": 2, "signed_amount": 4000, "gap_deals": 0.43,
        "gap_amount": 47.62, "focus": None}
    # one still to sign; o1 is expected to close on 11-28; nothing in the late stages
    focus = ann.focus.as_json()
    assert focus["remaining"] == 1 and [c["deal"] for c in focus["closing"]] == ["o1"]
    assert focus["late_stages"] == [{"stage": "evaluation", "deals": 0, "amount": 0},
                                    {"stage": "negotiation", "deals": 0, "amount": 0}]
    team = rows["team"]  # 4 x 17/21 = 3.24 due; bob's b1 is in negotiation
    assert (round(team.due_deals, 2), round(team.gap_deals, 2)) == (3.24, 1.24)
    assert team.focus.late[-1][2:] == (1, 700)
    # December has not started: nothing due yet, no phase
    december = daily_tracking(loaded.deals, loaded.pipeline, "2026-12", TODAY)
    assert (december.worked, december.third, december.rows[0].due_deals) == (0, None, 0)


# -- the reps' targets cover their team's ---------------------------------------------------


def test_target_shortfalls() -> None:
    from funnelctl.model import validate_pipeline
    from funnelctl.yamlio import load_fast

    p = validate_pipeline(load_fast(STAGES + """\
targets:
  - {owner: team, period: 2026-12, deals: 6}
  - {owner: east, period: 2026-12, deals: 5, amount: 1000}
  - {owner: ann, period: 2026-12, deals: 2, amount: 600}
  - {owner: team, period: 2027-01, deals: 3}
  - {owner: ann, period: 2027-01, deals: 2}
  - {owner: bob, period: 2027-01, deals: 1}
"""))
    got = [(s.period, s.owner, s.of_what, s.measure, s.target, s.summed, s.missing)
           for s in target_shortfalls(p)]
    # December: the reps add up to 2 of the team's 6 and of east's 5 (bob has none), and
    # 600 of east's 1000; the teams add up to 5 of 6. January adds up exactly: fine.
    assert got == [
        ("2026-12", "team", "reps", "deals", 6, 2, ["bob"]),
        ("2026-12", "team", "teams", "deals", 6, 5, []),
        ("2026-12", "east", "reps", "amount", 1000, 600, ["bob"]),
        ("2026-12", "east", "reps", "deals", 5, 2, ["bob"])]
    assert target_shortfalls(p)[-1].message == (
        "targets 2026-12: the targets of east's reps add up to 2 deals (ann 2; none for bob), "
        "less than east's 5 deals: the decomposed targets must cover the assigned one")


# -- target set: stages.yaml written through the round trip ----------------------------------

COMMENTED = STAGES + """\
# Targets: committed per rep, per month.
targets:
  - {owner: team, period: 2026-11, deals: 8}   # the board's number
  - {owner: ann, period: 2026-11, deals: 3}
  - {owner: team, period: 2026-12, deals: 10}
# the end of the file
"""


def test_set_target_changes_only_its_lines(world: World) -> None:
    (world.root / "stages.yaml").write_text(COMMENTED)
    root = world.root
    what, after = write_targets(root, lambda doc: set_target(doc, "2026-11", "ann", 4, 900.0))
    assert what == "changed" and after is not None
    assert diff(COMMENTED, world.read("stages.yaml")) == [
        "-  - {owner: ann, period: 2026-11, deals: 3}",
        "+  - {owner: ann, period: 2026-11, deals: 4, amount: 900}"]
    # a new entry goes after the last of its period; a figure not given stays
    write_targets(root, lambda doc: set_target(doc, "2026-11", "bob", 5, None))
    write_targets(root, lambda doc: set_target(doc, "2026-11", "ann", None, 1200.5))
    text = world.read("stages.yaml")
    assert diff(COMMENTED, text) == [
        "-  - {owner: ann, period: 2026-11, deals: 3}",
        "+  - {owner: ann, period: 2026-11, deals: 4, amount: 1200.5}",
        "+  - {owner: bob, period: 2026-11, deals: 5}"]
    assert text.endswith("  - {owner: team, period: 2026-12, deals: 10}\n# the end of the file\n")
    # a period with no entry yet: at the end, before the closing comment
    what, _ = write_targets(root, lambda doc: set_target(doc, "2027-01", "team", 12, None))
    assert what == "added"
    assert world.read("stages.yaml").endswith(
        "  - {owner: team, period: 2026-12, deals: 10}\n"
        "  - {owner: team, period: 2027-01, deals: 12}\n# the end of the file\n")
    p = load_pipeline(root, use_cache=False)
    assert [(t.owner, t.period, t.deals, t.amount) for t in p.targets][1:3] == [
        ("ann", "2026-11", 4, 1200.5), ("bob", "2026-11", 5, None)]


def test_set_target_starts_the_section(world: World) -> None:
    root = world.root
    _, after = write_targets(root, lambda doc: set_target(doc, "2026-12", "east", 7, None))
    assert diff(STAGES, world.read("stages.yaml")) == [
        "+targets:", "+  - {owner: east, period: 2026-12, deals: 7}"]
    assert after is not None and after.targets[0].owner == "east"
    # the same figures again: nothing to write
    what, after = write_targets(root, lambda doc: set_target(doc, "2026-12", "east", 7, None))
    assert what == "changed" and after is None


def test_a_write_that_breaks_stages_yaml_is_refused(world: World) -> None:
    (world.root / "stages.yaml").write_text(STAGES + "targets: []\n")

    def bad(doc):  # a change no command makes: the pipeline would not validate
        set_target(doc, "2026-12", "ann", 1, None)
        doc["targets"][0]["deals"] = -1

    with pytest.raises(StoreError) as exc:
        write_targets(world.root, bad)
    assert exc.value.message == "stages.yaml is broken"
    assert world.read("stages.yaml") == STAGES + "targets: []\n"


# -- the commands behind `target` (cli/targets.py hands `set` and --daily to cli/rhythm) -----


def test_target_set_command(world: World) -> None:
    (world.root / "stages.yaml").write_text(COMMENTED)
    res = world.run("target", "set", "--period", "2026-12", "--owner", "ann", "4",
                    "--amount", "500000")
    assert res.exit_code == 0, res.output
    assert res.stdout == "target 2026-12 ann: 4 deals, amount 500,000 (added, stages.yaml)\n"
    # the team's 10 are not covered by ann's 4 (bob has none): a warning, not a refusal
    assert res.stderr == (
        "warning: targets 2026-12: the reps' targets add up to 4 deals (ann 4; none for bob), "
        "less than the team's 10 deals: the decomposed targets must cover the assigned one\n")
    assert "  - {owner: ann, period: 2026-12, deals: 4, amount: 500000}\n" in \
        world.read("stages.yaml")
    res = world.run("target", "set", "--period", "2026-12", "--team", "east", "9")
    assert res.exit_code == 0 and "east: 9 deals (added" in res.stdout
    res = world.run("target", "set", "--period", "2026-12", "12")  # the whole team
    assert res.exit_code == 0 and "team: 12 deals (changed" in res.stdout
    before = world.read("stages.yaml")
    for args, msg in [
        (["--team", "north", "3"], "no such team"),
        (["--owner", "east", "3"], "names a team: use --team east"),
        (["--owner", "ann", "--team", "east", "3"], "one --owner or one --team"),
        (["--owner", "ann", "2.5"], "a whole number of deals"),
        (["--owner", "ann"], "give N"),
        (["--period", "2026-13", "--owner", "ann", "1"], "'2026-13'")]:
        res = world.run("target", "set", *args)
        assert res.exit_code == 2 and msg in res.stderr, (args, res.stderr)
    assert world.read("stages.yaml") == before


def test_target_daily_command(month: World) -> None:
    out = month.json("target", "--daily", "--period", "2026-11")
    assert (out["working_days"], out["worked"], out["third"], out["phase"]) == (
        21, 17, "last", "press")
    assert [(t["owner"], t["due_deals"], t["signed_deals"], t["gap_deals"])
            for t in out["targets"]] == [("team", 3.24, 2, 1.24), ("ann", 2.43, 2, 0.43)]
    res = month.run("target", "--daily", "--period", "2026-11")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[:2] == ["Targets 2026-11 on 2026-11-24: 17 of 21 working days gone (81%)",
                         "last third of the month: press for signatures"]
    assert "  ann: 1 to sign: nothing in Negotiation yet; closing by the month's end: o1" \
        in lines
    assert "  team: 2 to sign: press 1 in Negotiation (700); closing by the month's end: o1" \
        in lines
    res = month.run("target", "--daily", "--period", "2027-03")
    assert res.exit_code == 1 and "no targets for 2027-03" in res.stderr
    assert month.run("target", "5", "--daily").exit_code == 2


def test_validate_warns_when_the_reps_do_not_cover_the_team(world: World) -> None:
    (world.root / "stages.yaml").write_text(STAGES + """\
targets:
  - {owner: east, period: 2026-12, deals: 5}
  - {owner: ann, period: 2026-12, deals: 2}
  - {owner: bob, period: 2026-12, deals: 3}
""")
    res = world.run("validate")
    assert res.exit_code == 0 and res.stdout == "ok: 0 deals, no problems\n"  # 2 + 3 = 5
    world.run("target", "set", "--period", "2026-12", "--owner", "bob", "2")
    res = world.run("validate")
    # a warning on the line of east's target (STAGES has 58 lines, then targets:);
    # validate still passes
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "stages.yaml:60: warning: targets 2026-12: the targets of east's reps add up to "
        "4 deals (ann 2, bob 2), less than east's 5 deals: the decomposed targets must "
        "cover the assigned one", "ok: 0 deals, no problems"]
    assert world.json("validate")["warnings"][0]["line"] == 60
