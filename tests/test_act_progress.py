"""act records what a visit achieved in one command (a tick, a level, a stage), plans
visits for days to come, and turns a planned visit into the visit done on the day."""

from __future__ import annotations

import datetime as dt

from tests.conftest import World

LEAD = """\
milestones:
  need_identified: {date: 2026-11-02}
levels:
  need: {level: 1, date: 2026-11-02, evidence: suspected}
# notes
"""


def test_a_visit_that_ticks_scores_and_advances(world: World) -> None:
    world.deal("acme", history=[("lead", "2026-11-01")], extra=LEAD)
    res = world.run("act", "acme", "-k", "visit", "-g", "confirm the need", "-r", "confirmed",
                    "--score", "need=2", "-e", "plant director said so", "--advance",
                    "--date", "2026-11-23")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "acme: visit recorded (deals/acme.yaml)", "acme: need 2 (was 1)",
        "acme: advanced lead -> nurture"]
    deal = world.json("show", "acme")["deal"]
    assert deal["stage"] == "nurture"
    assert deal["history"][-1] == {"stage": "nurture", "date": "2026-11-23"}
    assert deal["levels"]["need"] == {"level": 2, "date": "2026-11-23",
                                      "evidence": "plant director said so"}
    assert deal["actions"] == [{"date": "2026-11-23", "kind": "visit",
                                "goal": "confirm the need", "result": "confirmed",
                                "moved": True}]
    assert world.read("deals/acme.yaml").endswith("# notes\n")


def test_a_refused_step_writes_nothing(world: World) -> None:
    """Nurture needs need 2: the advance is refused, so the visit and the tick are not
    written either (one command, one change)."""
    world.deal("acme", history=[("lead", "2026-11-01")], extra=LEAD)
    before = world.read("deals/acme.yaml")
    res = world.run("act", "acme", "-k", "visit", "-g", "g", "--advance")
    assert res.exit_code == 1
    assert "need>=2" in res.stderr
    assert world.read("deals/acme.yaml") == before


def test_moved_alone_is_no_progress(world: World) -> None:
    """carpathia-port's case: visits marked moved, nothing ticked, scored or advanced:
    the no-progress warning counts from the stage entry."""
    world.deal("acme", history=[("lead", "2026-11-10")],
               extra="next: {date: 2026-12-01, step: call}\n")
    for day in ("2026-11-12", "2026-11-16", "2026-11-20"):
        assert world.run("act", "acme", "-k", "visit", "-g", "g", "--moved",
                         "--date", day).exit_code == 0
    got = [(w["kind"], w["days"]) for w in world.json("stalls")["warnings"]]
    assert got == [("no_progress", 14)]


def test_plan_a_visit_then_record_it_on_the_day(world: World) -> None:
    world.deal("acme", history=[("lead", "2026-11-01")], extra=LEAD)
    res = world.run("act", "acme", "-k", "visit", "-g", "meet the CFO", "--plan",
                    "--date", "2026-11-26")
    assert res.exit_code == 0, res.output
    assert res.stdout == "acme: visit planned for 2026-11-26 (deals/acme.yaml)\n"
    deal = world.json("show", "acme")["deal"]
    assert deal["actions"] == [{"date": "2026-11-26", "kind": "visit",
                                "goal": "meet the CFO", "planned": True}]
    # a plan is no action yet: nothing counts it as done
    row = next(r for r in world.json("list"))
    assert row["id"] == "acme"
    # on the day, act completes the plan (its goal is the default)
    day = dt.date(2026, 11, 26)
    res = world.run("act", "acme", "-k", "visit", "-r", "budget confirmed", today=day)
    assert res.exit_code == 0, res.output
    deal = world.json("show", "acme", today=day)["deal"]
    assert deal["actions"] == [{"date": "2026-11-26", "kind": "visit",
                                "goal": "meet the CFO", "result": "budget confirmed",
                                "moved": False}]


def test_plan_usage(world: World) -> None:
    world.deal("acme")
    for args, message in [
        (["--plan"], "--plan needs a --date after today"),
        (["--plan", "--date", "2026-11-24"], "--plan needs a --date after today"),
        (["--plan", "--date", "2026-11-30", "--advance"], "--plan records a visit to come"),
        (["--date", "2026-11-30"], "is in the future: record an action after it happened, "
                                   "or plan it with --plan"),
        (["--score", "need"], "--score 'need': expected LADDER=LEVEL"),
    ]:
        res = world.run("act", "acme", "-k", "visit", "-g", "g", *args)
        assert res.exit_code in (1, 2), args
        assert message in res.stderr, (args, res.stderr)
    res = world.run("act", "acme", "-k", "visit")
    assert res.exit_code == 1
    assert "--goal is needed: no visit of this kind was planned for 2026-11-24" in res.stderr


def test_plan_shows_the_visits_planned_this_week(world: World) -> None:
    world.deal("acme", extra="next: {date: 2026-12-10, step: call}\n")
    world.run("act", "acme", "-k", "visit", "-g", "meet", "--plan", "--date", "2026-11-27")
    world.run("act", "acme", "-k", "call", "-g", "later", "--plan", "--date", "2026-12-05")
    out = world.json("plan")
    assert [(v["deal"], v["date"], v["days"]) for v in out["visits"]] == [
        ("acme", "2026-11-27", -3)]
    text = world.run("plan").stdout
    assert "Visits planned (1)" in text and "2026-11-27" in text
