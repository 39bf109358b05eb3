"""``funnelctl day``: yesterday, today and tomorrow per rep, and the roll call, on a
small pipeline written inline. Today is Tuesday 2026-11-24: yesterday is Monday
11-23, tomorrow Wednesday 11-25, this week 11-18 .. 11-24."""

from __future__ import annotations

import datetime as dt

import pytest

from funnelctl.analysis.day import (
    deals_to_read,
    next_working_day,
    previous_working_day,
    visit_quota,
    visits_by_rep,
    windows,
    working_days,
)

from .conftest import STAGES, World

D = dt.date


def test_working_days() -> None:
    # November 2026 starts on a Sunday: 2-6, 9-13, 16-20, 23-27 and the 30th
    assert working_days(D(2026, 11, 1), D(2026, 11, 30)) == 21
    assert working_days(D(2026, 11, 1), D(2026, 11, 24)) == 17
    assert working_days(D(2026, 11, 28), D(2026, 11, 29)) == 0  # a weekend
    assert working_days(D(2026, 11, 24), D(2026, 11, 23)) == 0
    assert previous_working_day(D(2026, 11, 23)) == D(2026, 11, 20)  # Monday -> Friday
    assert next_working_day(D(2026, 11, 20)) == D(2026, 11, 23)  # Friday -> Monday
    w = windows(D(2026, 11, 23))  # a Monday: yesterday is Friday to Sunday
    assert (w.yesterday, w.tomorrow, w.week) == (
        (D(2026, 11, 20), D(2026, 11, 22)), (D(2026, 11, 24), D(2026, 11, 24)),
        (D(2026, 11, 17), D(2026, 11, 23)))
    w = windows(D(2026, 11, 20))  # a Friday: tomorrow is Saturday to Monday
    assert w.tomorrow == (D(2026, 11, 21), D(2026, 11, 23))


def action(date: str, kind: str = "visit", goal: str = "g", result: str = "r",
           moved: bool = False, planned: bool = False) -> str:
    out = (f"  - date: {date}\n    kind: {kind}\n    goal: {goal}\n    result: {result}\n"
           f"    moved: {'true' if moved else 'false'}\n")
    return out + ("    planned: true\n" if planned else "")


@pytest.fixture
def team(world: World) -> World:
    (world.root / "stages.yaml").write_text(
        STAGES.replace("east: [ann, bob]", "east: [ann, bob, dan]")
        .replace("repeat_actions: 3}", "repeat_actions: 3, daily_visits: 2}"))
    # ann: a1 entered nurture on Monday, the day of her visit (moved); her call on a2
    # the same day moved nothing though she said it did; a visit planned for
    # tomorrow on a1, one planned for last Friday on a2 and never done (missed); a2's
    # next step was due on Friday (4 days late)
    world.deal("a1", owner="ann", stage="nurture",
               history=[("lead", "2026-11-01"), ("nurture", "2026-11-23")],
               extra="actions:\n" + action("2026-11-23", goal="meet the CFO",
                                           result="budget confirmed")
               + action("2026-11-25", goal="demo", planned=True)
               + "next: {date: 2026-12-01, step: send the offer}\n")
    world.deal("a2", owner="ann", extra="actions:\n"
               + action("2026-11-23", kind="call", goal="ask for the tender", result="later",
                        moved=True)
               + action("2026-11-20", kind="demo", goal="show the pumps", planned=True)
               + action("2026-11-10", result="old")  # before the week: not read
               + "next: {date: 2026-11-20, step: call the buyer}\n")
    # ann's a3: a level set last Thursday with her visit (moved), and a call the day
    # before that moved nothing
    world.deal("a3", owner="ann", extra="levels:\n  need: {level: 1, date: 2026-11-19, "
               "evidence: asked}\nactions:\n" + action("2026-11-18", kind="call")
               + action("2026-11-19") + "next: {date: 2026-12-01, step: later}\n")
    # bob: one visit last Thursday that moved nothing, nothing yesterday, no plan
    world.deal("b1", owner="bob", extra="actions:\n" + action("2026-11-19")
               + "next: {date: 2026-12-05, step: later}\n")
    # cy (in no team): a milestone ticked on Monday with his visit; next step tomorrow;
    # a plan on a lost deal counts for nothing
    world.deal("c1", owner="cy", extra="milestones:\n  need_identified: {date: 2026-11-23}\n"
               "actions:\n" + action("2026-11-23", goal="confirm the need", result="yes")
               + "next: {date: 2026-11-25, step: send the brochure}\n")
    world.deal("c2", owner="cy", status="lost",
               extra="outcome: {date: 2026-11-02, reason: no_decision}\nactions:\n"
               + action("2026-11-25", planned=True))
    # an old deal of bob's: no action this week, nothing to read
    world.deal("b-old", owner="bob", extra="actions:\n" + action("2026-10-01"))
    return world


def test_only_the_deals_with_work_in_the_window_are_read(team: World) -> None:
    loaded = team.loaded()
    picked = sorted(d.id for d in deals_to_read(loaded.deals, D(2026, 11, 24)))
    # a1, a2 and c1 have actions from yesterday on, a3 moved this week; b1's one action
    # of the week (11-19)
    # is counted from its summary: the deal has not moved since 11-01, so the action
    # moved nothing; b-old has no action this week, the lost c2 only a plan
    assert picked == ["a1", "a2", "a3", "c1"]


def test_visits_against_the_quota_from_the_summaries(team: World) -> None:
    loaded = team.loaded()
    # the week 11-18 .. 11-24: ann 4 (a1, a2 on Monday, a3 twice), bob 1, cy 1
    assert visits_by_rep(loaded.deals, D(2026, 11, 18), D(2026, 11, 24)) == {
        "ann": 4, "bob": 1, "cy": 1}
    # 2 a working day, 5 working days from Wednesday to Tuesday
    assert visit_quota(loaded.pipeline, D(2026, 11, 18), D(2026, 11, 24)) == 10


def test_the_day_per_rep(team: World) -> None:
    out = team.json("day")
    assert (out["date"], out["yesterday"], out["tomorrow"], out["quota"]) == (
        "2026-11-24", {"from": "2026-11-23", "to": "2026-11-23"},
        {"from": "2026-11-25", "to": "2026-11-25"}, 2)
    reps = {r["owner"]: r for r in out["reps"]}
    assert list(reps) == ["ann", "bob", "cy", "dan"]  # dan: a team member, no deal
    ann = reps["ann"]
    assert [(a["deal"], a["kind"], a["goal"], a["result"], a["moved"], a["progress"],
             a["declared"]) for a in ann["yesterday"]] == [
        ("a1", "visit", "meet the CFO", "budget confirmed", True, ["entered nurture"], False),
        ("a2", "call", "ask for the tender", "later", False, [], True)]
    assert [(x["deal"], x["kind"], x["goal"], x["days_late"]) for x in ann["due"]] == [
        ("a2", "next step", "call the buyer", 4)]
    assert [(x["deal"], x["date"], x["goal"]) for x in ann["missed"]] == [
        ("a2", "2026-11-20", "show the pumps")]
    assert [(x["deal"], x["kind"], x["goal"]) for x in ann["tomorrow"]] == [
        ("a1", "visit", "demo")]
    # ann's week: the two actions of Monday and a3's two (a2's of 11-10 is before the
    # week); a1's visit and a3's of 11-19 moved
    assert (ann["week"], ann["visits_yesterday"], ann["planned_tomorrow"]) == (
        {"actions": 4, "moved": 2}, 2, 1)
    cy = reps["cy"]
    assert [(a["deal"], a["progress"]) for a in cy["yesterday"]] == [
        ("c1", ["ticked need_identified"])]
    assert [(x["deal"], x["kind"], x["goal"]) for x in cy["tomorrow"]] == [
        ("c1", "next step", "send the brochure")]  # not c2's plan: the deal is lost
    assert reps["bob"]["week"] == {"actions": 1, "moved": 0}
    assert out["roll_call"] == {
        "logged_nothing": ["bob", "dan"], "planned_nothing": ["bob", "dan"],
        "moved_nothing": [{"owner": "bob", "actions": 1}, {"owner": "dan", "actions": 0}],
        # the quota is 2: ann made 2, cy 1, bob and dan none
        "under_quota": [{"owner": "bob", "visits": 0}, {"owner": "cy", "visits": 1},
                        {"owner": "dan", "visits": 0}]}


def test_a_monday_looks_back_to_friday(team: World) -> None:
    out = team.json("day", "--date", "2026-11-23", "--owner", "bob")
    assert out["yesterday"] == {"from": "2026-11-20", "to": "2026-11-22"}
    (bob,) = out["reps"]
    # Thursday's visit is before Friday: not yesterday's, but this week's
    assert bob["yesterday"] == [] and bob["week"] == {"actions": 1, "moved": 0}
    out = team.json("day", "--date", "2026-11-20", "--owner", "ann")  # a Friday
    (ann,) = out["reps"]
    # a2's demo planned for Friday is today's plan; its next step is due today
    assert [x["goal"] for x in ann["planned_today"]] == ["show the pumps"]
    assert [(x["goal"], x["days_late"]) for x in ann["due"]] == [("call the buyer", 0)]
    # tomorrow runs Saturday to Monday: nothing planned there yet on Friday
    assert out["tomorrow"] == {"from": "2026-11-21", "to": "2026-11-23"}


def test_the_day_as_text(team: World) -> None:
    res = team.run("day", "--team", "east")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == ("Day 2026-11-24 (Tue)  yesterday 2026-11-23 · tomorrow 2026-11-25 · "
                        "quota 2 visits a working day")
    assert "Yesterday (2 visits of 2):" in lines
    assert "  visit a1 (A a1): meet the CFO -> budget confirmed · moved: entered nurture" in lines
    assert "  call a2 (A a2): ask for the tender -> later · no move (declared moved)" in lines
    assert "  4d late   a2 (A a2): next step: call the buyer" in lines
    assert "  missed    a2 (A a2): demo: show the pumps (planned 2026-11-20)" in lines
    assert "  visit: a1 (A a1): demo" in lines
    assert "This week: 4 actions, 2 on a day the customer moved" in lines
    assert "cy" not in res.stdout  # not in the team
    assert lines[-4:] == [
        "  logged nothing yesterday: bob, dan",
        "  planned nothing for tomorrow: bob, dan",
        "  visits moved nothing this week: bob (1 action), dan (0 actions)",
        "  under the quota of 2 yesterday: bob (0), dan (0)"]


def test_the_day_as_markdown_escapes_the_data(team: World) -> None:
    text = team.read("deals/a1.yaml").replace("goal: meet the CFO", "goal: meet *the* CFO | x")
    team.write("deals/a1.yaml", text)
    res = team.run("day", "--owner", "ann", "--format", "md")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "# Day 2026-11-24 (Tue)"
    assert "## ann" in lines
    assert ("- visit **a1** (A a1): meet \\*the\\* CFO \\| x → budget confirmed: "
            "*moved: entered nurture*") in lines
    assert "- next step 4d late: **a2** (A a2): call the buyer" in lines
    assert lines[-4:] == ["- logged nothing yesterday: none",
                          "- planned nothing for tomorrow: none",
                          "- visits moved nothing this week: none",
                          "- under the quota of 2 yesterday: none"]


def test_a_bad_date_is_a_usage_error(team: World) -> None:
    res = team.run("day", "--date", "2026-13-01")
    assert res.exit_code == 2 and "'2026-13-01'" in res.stderr
