"""The method's diagnoses, each on a hand-made pipeline (tests/conftest.py's stages:
conversion lead 0.5, nurture 0.4, evaluation 0.625, negotiation 0.8; stall_days
30, 45, 45, 30)."""

from __future__ import annotations

from funnelctl.analysis.funnel import funnel_shape
from tests.conftest import World


def moved_to(stage: str) -> list[tuple[str, str]]:
    """Entered at lead, moved to ``stage`` (no late entry)."""
    return [("lead", "2026-10-01")] + ([(stage, "2026-11-20")] if stage != "lead" else [])


def narrow_team(world: World) -> None:
    """100 leads, 50 in nurture, 20 in evaluation, 5 in negotiation."""
    for stage, n in (("lead", 100), ("nurture", 50), ("evaluation", 20), ("negotiation", 5)):
        for i in range(n):
            world.deal(f"{stage}-{i}", stage=stage, history=moved_to(stage))


def test_a_narrow_bottom_is_flagged(world: World) -> None:
    """From 20 in evaluation the benchmark expects 20 x 0.625 = 12.5 in negotiation;
    5 < 12.5 / 1.5 and 7.5 short: narrow. Nurture (50 = 100 x 0.5) and evaluation
    (20 = 50 x 0.4) are as expected; no thin top (100 leads fed 50/0.5 = 100)."""
    narrow_team(world)
    out = world.json("funnel")
    assert [d["kind"] for d in out["diagnosis"]] == ["narrow"]
    assert out["diagnosis"][0] == {
        "kind": "narrow", "stage": "negotiation",
        "message": "Negotiation holds 5 deals; from 20 in Evaluation the benchmark expects "
                   "12.5: the visits do not move deals on to Negotiation"}


def test_the_narrow_bottom_against_the_target(world: World) -> None:
    """A target of 10 signatures needs 10 / 0.8 = 12.5 deals in negotiation."""
    narrow_team(world)
    loaded = world.loaded()
    f = funnel_shape(loaded.deals, loaded.pipeline, target=10)
    assert f.diagnosis[0].message == (
        "Negotiation holds 5 deals; from 20 in Evaluation the benchmark expects 12.5, and "
        "the target of 10 needs 12.5 here: the visits do not move deals on to Negotiation")


def test_a_steady_funnel_is_clean_and_an_empty_one_is_empty(world: World) -> None:
    for stage, n in (("lead", 8), ("nurture", 4), ("evaluation", 2), ("negotiation", 1)):
        for i in range(n):
            world.deal(f"{stage}-{i}", stage=stage, history=moved_to(stage))
    world.deal("gone", owner="cy", status="lost",
               extra="outcome: {date: 2026-11-05, reason: no_decision}\n")
    per = world.json("funnel", "--by", "owner")["owners"]
    assert [d["kind"] for d in per["ann"]["diagnosis"]] == ["clean"]
    assert per["cy"]["diagnosis"] == [{"kind": "empty", "message": "empty: no open deals"}]


def test_a_stalled_deal_is_judged_once_and_by_its_stage(world: World) -> None:
    """Evaluation stalls after 45 days: at 40 days there is nothing to judge yet (a flat
    30 days would have said "no move"); at 50 days one warning says it, with no second
    "no progress" for the same 50 days."""
    visits = "actions:\n" + "".join(f"  - {{date: 2026-10-{d:02d}, kind: visit}}\n"
                                    for d in (10, 15, 20, 25))
    nxt = "next: {date: 2026-12-01, step: call}\n"
    world.deal("e40", stage="evaluation", history=[("evaluation", "2026-10-15")],
               extra="actions:\n  - {date: 2026-11-20, kind: call}\n" + nxt)
    world.deal("e50", stage="evaluation", history=[("evaluation", "2026-10-05")],
               extra=visits + nxt)
    got = [(w["deal"], w["kind"], w["days"]) for w in world.json("stalls")["warnings"]]
    assert got == [("e50", "stalled", 50), ("e50", "follow_up", 30)]
    msg = world.json("stalls")["warnings"][0]["message"]
    assert msg == ("50 days in Evaluation (threshold 45): judge the customer's intent, "
                   "keep it or drop it")


def test_effort_piled_on_one_customer_while_others_stall(world: World) -> None:
    """ann: 6 of her 8 actions in the last 30 days went to big (75% > 50%) while old,
    in lead since 2026-10-01 (54 days > 30), stalls. bob spreads his 4 actions over
    two deals: no alert. cy's 5 actions to one deal stall nothing: no alert."""
    acts = lambda days: "actions:\n" + "".join(  # noqa: E731
        f"  - {{date: 2026-11-{d:02d}, kind: visit}}\n" for d in days)
    nxt = "next: {date: 2026-12-01, step: call}\n"
    world.deal("big", history=[("lead", "2026-11-01")], extra=acts([2, 5, 9, 12, 16, 20]) + nxt)
    world.deal("small", history=[("lead", "2026-11-01")], extra=acts([3, 18]) + nxt)
    world.deal("old", history=[("lead", "2026-10-01")], extra=acts([]).replace(
        "actions:\n", "") + nxt)
    world.deal("b1", owner="bob", history=[("lead", "2026-10-01")], extra=acts([2, 9]) + nxt)
    world.deal("b2", owner="bob", history=[("lead", "2026-11-01")], extra=acts([4, 11]) + nxt)
    world.deal("c1", owner="cy", history=[("lead", "2026-11-01")],
               extra=acts([2, 4, 6, 8, 10]) + nxt)
    out = world.json("review")
    alerts = {r["owner"]: [a for a in r["alerts"] if a["kind"] == "effort"]
              for r in out["reps"]}
    assert alerts["bob"] == [] and alerts["cy"] == []
    assert alerts["ann"] == [{
        "kind": "effort", "owner": "ann", "on": "deal", "name": "big", "actions": 6, "total": 8,
        "share": 0.75, "stalling": ["old"],
        "message": "ann: 6 of 8 actions in the last 30 days went to deal big (75%) while "
                   "old stalls"}]
    assert [a for a in out["team"]["alerts"] if a["kind"] == "effort"] == alerts["ann"]
    text = world.run("review").stdout
    assert "Alerts:\n  ann: 6 of 8 actions in the last 30 days went to deal big (75%)" in text
    assert "- **alert**: ann: 6 of 8 actions" in world.run("review", "--format", "md").stdout


def test_the_cadence_in_stalls_and_review(world: World) -> None:
    """checked: the manager looked on 2026-11-05 (19 days ago): re-check; judged: the
    cycle began 2026-10-20 (35 days ago): judge; fresh: looked at 2026-11-20; never:
    in the pipeline since 2026-11-01, never looked at (23 days >= 15)."""
    nxt = "next: {date: 2026-12-01, step: call}\n"
    recent = "actions:\n  - {date: 2026-11-22, kind: call}\n"
    world.deal("checked", history=[("lead", "2026-11-01")], extra=recent + nxt +
               "manager_checks: [{date: 2026-11-05, manager: mia, note: ok}]\n")
    world.deal("judged", history=[("lead", "2026-11-01")], extra=recent + nxt +
               "manager_checks:\n  - {date: 2026-10-20, manager: mia}\n"
               "  - {date: 2026-11-15, manager: mia}\n")
    world.deal("fresh", history=[("lead", "2026-11-01")], extra=recent + nxt +
               "manager_checks: [{date: 2026-11-20, manager: mia}]\n")
    world.deal("never", history=[("lead", "2026-11-01")], extra=recent + nxt)
    got = [(w["deal"], w["kind"], w["days"]) for w in world.json("stalls")["warnings"]]
    assert got == [("judged", "judge", 35), ("checked", "recheck", 19)]
    rep = world.json("review")["reps"][0]
    unseen = [a for a in rep["alerts"] if a["kind"] == "unlooked"]
    assert unseen == [{"kind": "unlooked", "owner": "ann", "deals": ["checked", "never"],
                       "message": "ann: 2 open deals the manager has not looked at in 15 "
                                  "days: checked, never (funnelctl check DEAL)"}]


def test_concentration_and_the_visit_quota(world: World) -> None:
    """Won: ann 9,000 of 10,000 (90% > 30%); bob 1,000 (10%). Quota 2 a working day:
    the 7 days to Tuesday 2026-11-24 hold 5 working days, 10 visits; ann made 3."""
    world.write("stages.yaml", world.read("stages.yaml").replace(
        "rules: {follow_up_days: 15, judge_days: 30, repeat_actions: 3}",
        "rules: {follow_up_days: 15, judge_days: 30, repeat_actions: 3, daily_visits: 2}"))
    won = "outcome: {date: 2026-11-10}\n"
    world.deal("a-won", status="won", stage="won", amount=9000,
               history=[("lead", "2026-10-01"), ("won", "2026-11-10")], extra=won)
    world.deal("b-won", owner="bob", status="won", stage="won", amount=1000,
               history=[("lead", "2026-10-01"), ("won", "2026-11-10")], extra=won)
    world.deal("a-open", history=[("lead", "2026-11-20")], extra="actions:\n" + "".join(
        f"  - {{date: 2026-11-{d}, kind: visit}}\n" for d in (18, 20, 23)))
    out = world.json("review")
    team = [a for a in out["team"]["alerts"] if a.get("measure") == "won"]
    assert [(a["name"], round(a["share"], 2)) for a in team] == [("ann", 0.9), ("A a-won", 0.9)]
    ann = next(r for r in out["reps"] if r["owner"] == "ann")
    assert [a for a in ann["alerts"] if a["kind"] == "visits"] == [{
        "kind": "visits", "owner": "ann", "deals": [], "visits": 3, "quota": 10,
        "message": "ann: 3 visits in the last 7 days against a quota of 10 (2 a working day)"}]


def test_funnel_measures_the_narrow_bottom_against_this_months_target(world: World) -> None:
    """ann's target for 2026-11 is 10 deals, none signed: 10 / 0.8 = 12.5 needed in
    negotiation, where she holds 5."""
    narrow_team(world)
    world.write("stages.yaml", world.read("stages.yaml") + (
        "targets:\n  - {owner: ann, period: 2026-11, deals: 10}\n"))
    for args in (["--owner", "ann"], ["--by", "owner"]):
        out = world.json("funnel", *args)
        diag = out["diagnosis"] if "diagnosis" in out else out["owners"]["ann"]["diagnosis"]
        assert diag[0]["message"].endswith(
            "the benchmark expects 12.5, and the target of 10 needs 12.5 here: the visits "
            "do not move deals on to Negotiation"), args
