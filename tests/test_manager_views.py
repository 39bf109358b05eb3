"""The manager's views on small hand-built pipelines; every expected number is worked
out by hand in the test."""

from __future__ import annotations

import datetime as dt

import pytest

from funnelctl.analysis.conversion import required_per_stage

from .conftest import STAGES, TODAY


def stage_deals(world, owner: str, counts: dict[str, int], entered: str = "2026-11-20",
                amount: int = 1000, prefix: str = "") -> None:
    """Open deals sitting at each stage, having come in through the first stage."""
    order = ["lead", "nurture", "evaluation", "negotiation"]
    for stage, n in counts.items():
        path = order[: order.index(stage) + 1]
        for i in range(n):
            hist = [(s, entered) for s in path]
            world.deal(f"{prefix}{owner}-{stage}-{i}", stage=stage, owner=owner, amount=amount,
                       history=hist)


# -- target ---------------------------------------------------------------------------


def test_back_calculation_with_the_default_ratios() -> None:
    # 10 signed / 0.8 = 12.5 in negotiation; / 0.625 = 20; / 0.4 = 50; / 0.5 = 100
    assert required_per_stage(10, [0.5, 0.4, 0.625, 0.8]) == pytest.approx([100, 50, 20, 12.5])


def test_domain_case_negotiation_gap_of_7_5(world) -> None:
    # a rep who must sign 10 holds 100 leads and 5 in negotiation
    stage_deals(world, "ann", {"lead": 100, "negotiation": 5})
    out = world.json("target", "10", "--owner", "ann")
    rows = {r["stage"]: r for r in out["stages"]}
    assert rows["negotiation"] == {"stage": "negotiation", "rate": 0.8, "required": 12.5,
                                   "required_deals": 13, "actual": 5, "gap": 7.5}
    assert rows["lead"]["gap"] == 0  # 100 required, 100 held
    assert rows["evaluation"]["gap"] == 20 and rows["nurture"]["gap"] == 50
    assert out["blocking"] == "negotiation"
    text = world.run("target", "10", "--owner", "ann").stdout
    assert "blocked at Negotiation: 7.5 deals short (need 12.5, hold 5)" in text


def test_target_in_money_uses_the_average_won_deal(world) -> None:
    for i, amount in enumerate([500, 1500]):
        world.deal(f"w{i}", stage="won", status="won", amount=amount,
                   history=[("won", "2026-10-01")], extra="outcome: {date: 2026-10-01}\n")
    out = world.json("target", "--amount", "5000")
    # average won deal (500 + 1500) / 2 = 1000, so 5 deals; 5 / 0.8 = 6.25 in negotiation
    assert out["target"] == 5 and out["average_won"] == 1000
    assert out["stages"][3]["required"] == 6.25


def test_target_with_the_rates_the_team_achieved(world) -> None:
    # lead: 4 deals left it, 2 reached nurture -> 0.5 (same as configured);
    # nurture: 2 left, 1 reached evaluation -> 0.5 instead of 0.4;
    # evaluation: 1 left, reached negotiation -> 1.0; negotiation: 1 left, signed -> 1.0
    world.deal("a", stage="won", status="won", extra="outcome: {date: 2026-11-05}\n",
               history=[("lead", "2026-11-01"), ("nurture", "2026-11-02"),
                        ("evaluation", "2026-11-03"), ("negotiation", "2026-11-04"),
                        ("won", "2026-11-05")])
    world.deal("b", stage="nurture", status="lost", extra="outcome: {date: 2026-11-05, "
               "reason: no_decision}\n", history=[("lead", "2026-11-01"),
                                                  ("nurture", "2026-11-02")])
    for x in ("c", "d"):
        world.deal(x, status="lost", extra="outcome: {date: 2026-11-05, reason: no_decision}\n")
    out = world.json("target", "2", "--rates", "history")
    assert [r["rate"] for r in out["stages"]] == [0.5, 0.5, 1.0, 1.0]
    # 2 / 1 / 1 / 0.5 / 0.5 = 8 at lead
    assert [r["required"] for r in out["stages"]] == [8, 4, 2, 2]
    assert out["history_base"] == 4 and out["configured_fallback"] == []


def test_committed_targets_against_elapsed_time(world) -> None:
    (world.root / "stages.yaml").write_text(
        STAGES + "targets:\n  - {owner: ann, period: 2026-11, deals: 4}\n", encoding="utf-8")
    world.deal("w", owner="ann", stage="won", status="won", history=[("won", "2026-11-03")],
               extra="outcome: {date: 2026-11-03}\n")
    stage_deals(world, "ann", {"negotiation": 2})
    out = world.json("target")
    (t,) = out["targets"]
    # 24 of 30 days of November gone: 4 x 0.8 = 3.2 expected by now, 1 signed;
    # the 3 still to sign need 3 / 0.8 = 3.75 in negotiation, 2 held
    assert (t["won_deals"], t["elapsed"], t["expected_by_now"]) == (1, 0.8, 3.2)
    neg = t["remaining_plan"]["stages"][3]
    assert (neg["required"], neg["actual"], neg["gap"]) == (3.75, 2, 1.75)
    res = world.run("target", "--period", "2027-01")
    assert res.exit_code == 1 and "no targets for 2027-01" in res.stderr


# -- funnel ---------------------------------------------------------------------------


def test_funnel_counts_benchmark_and_bulge(world) -> None:
    stage_deals(world, "ann", {"lead": 10, "nurture": 5, "evaluation": 6, "negotiation": 1})
    out = world.json("funnel")
    assert [(s["stage"], s["count"], s["amount"], s["weighted"], s["benchmark"])
            for s in out["stages"]] == [
        ("lead", 10, 10000, 1000, 10), ("nurture", 5, 5000, 1000, 5),
        ("evaluation", 6, 6000, 3000, 2), ("negotiation", 1, 1000, 800, 1.25)]
    kinds = {(d["kind"], d.get("stage")) for d in out["diagnosis"]}
    # evaluation: 5 x 0.4 = 2 allowed, 6 held (over 2 x 1.5 = 3, and 4 more): a bulge;
    # negotiation: 6 x 0.625 = 3.75 allowed, 1 held: fine
    assert ("bulge", "evaluation") in kinds and ("bulge", "negotiation") not in kinds
    # the 6 in evaluation needed 6 / (0.5 x 0.4) = 30 leads; 10 held: thin top
    thin = next(d for d in out["diagnosis"] if d["kind"] == "thin_top")
    assert "about 30" in thin["message"]


def test_a_clean_funnel(world) -> None:
    stage_deals(world, "ann", {"lead": 8, "nurture": 4, "evaluation": 2, "negotiation": 1})
    out = world.json("funnel")
    assert [d["kind"] for d in out["diagnosis"]] == ["clean"]


def test_late_entries_name_the_rep(world) -> None:
    stage_deals(world, "ann", {"lead": 4})
    world.deal("bob-1", owner="bob", stage="negotiation", history=[("negotiation", "2026-11-01")])
    world.deal("bob-2", owner="bob", stage="evaluation", history=[("evaluation", "2026-11-01")])
    world.deal("bob-3", owner="bob")
    world.deal("ann-late", owner="ann", stage="evaluation",
               history=[("evaluation", "2026-11-01")])
    out = world.json("funnel")
    late = next(d for d in out["diagnosis"] if d["kind"] == "late_entries")
    assert late["deals"] == ["ann-late", "bob-1", "bob-2"]
    reps = [d for d in out["diagnosis"] if d["kind"] == "late_entry_rep"]
    assert [(d["owner"], d["deals"]) for d in reps] == [("bob", ["bob-1", "bob-2"])]


def test_observed_conversion_from_histories(world) -> None:
    # 4 deals were at lead and left it: 3 moved on to nurture, 1 was lost at lead
    for i in range(3):
        world.deal(f"n{i}", stage="nurture", history=[("lead", "2026-11-01"),
                                                      ("nurture", "2026-11-10")])
    world.deal("lost", status="lost", extra="outcome: {date: 2026-11-05, reason: no_decision}\n")
    world.deal("still", stage="lead")  # has not left lead: not in the base
    lead = world.json("funnel")["stages"][0]
    assert (lead["observed_conversion"], lead["observed_base"]) == (0.75, 4)


def test_funnel_by_owner_and_team(world) -> None:
    stage_deals(world, "ann", {"lead": 2})
    stage_deals(world, "cy", {"lead": 1})
    out = world.json("funnel", "--by", "owner")
    assert {o: f["stages"][0]["count"] for o, f in out["owners"].items()} == {"ann": 2, "cy": 1}
    assert world.json("funnel", "--team", "east")["stages"][0]["count"] == 2
    assert world.run("funnel", "--by", "owner").exit_code == 0


# -- stalls ---------------------------------------------------------------------------


def test_each_stall_rule(world) -> None:
    nxt = "next: {date: 2026-12-01, step: s}\n"
    # in lead since 2026-10-20: 35 days > 30: stalled, the intent to be judged (one
    # warning: "no move 35d" beside "stalled 35d" said the same thing twice)
    world.deal("s", history=[("lead", "2026-10-20")], extra=nxt)
    # in lead 23 days; last action 2026-11-08, 16 days ago >= 15: follow up
    world.deal("f", history=[("lead", "2026-11-01")],
               extra="actions:\n  - {date: 2026-11-08, kind: call}\n" + nxt)
    # three actions since entering on 2026-11-10, none moved: no progress for 14 days
    world.deal("r", history=[("lead", "2026-11-10")], extra="actions:\n"
               "  - {date: 2026-11-12, kind: call}\n  - {date: 2026-11-16, kind: visit}\n"
               "  - {date: 2026-11-23, kind: call}\n" + nxt)
    # "moved" is what the rep says: without a tick, a level or a move on its day it
    # is no progress, and the four actions since 2026-11-10 count as idle
    world.deal("m", history=[("lead", "2026-11-10")], extra="actions:\n"
               "  - {date: 2026-11-12, kind: call}\n  - {date: 2026-11-14, kind: visit, "
               "moved: true}\n  - {date: 2026-11-16, kind: call}\n"
               "  - {date: 2026-11-23, kind: call}\n" + nxt)
    # a milestone ticked on 2026-11-14 is progress: two idle actions since, no warning
    world.deal("t", history=[("lead", "2026-11-10")], extra="actions:\n"
               "  - {date: 2026-11-12, kind: call}\n  - {date: 2026-11-14, kind: visit}\n"
               "  - {date: 2026-11-16, kind: call}\n  - {date: 2026-11-23, kind: call}\n"
               "milestones: {need_identified: {date: 2026-11-14}}\n" + nxt)
    world.deal("o", history=[("lead", "2026-11-20")], extra="next: {date: 2026-11-20, step: x}\n")
    world.deal("n", history=[("lead", "2026-11-20")])
    out = world.json("stalls")
    got = [(w["deal"], w["kind"], w["days"]) for w in out["warnings"]]
    # s has no action at all: no follow-up for the 35 days since it entered lead
    assert got == [("s", "stalled", 35), ("m", "no_progress", 14),
                   ("r", "no_progress", 14), ("s", "follow_up", 35), ("f", "follow_up", 16),
                   ("o", "next_overdue", 4), ("n", "no_next_step", 0)]


def test_warnings_grouped_by_deal_worst_deals_first(world) -> None:
    """The same deals as above: s (stalled 35) is worst, then m and r (no progress),
    f, o, n;
    a deal's own warnings come worst first. With the per-deal index or without."""
    from funnelctl.analysis.stalls import Stalls, stalled_deals

    test_each_stall_rule(world)
    s = stalled_deals(world.loaded().deals, world.loaded().pipeline, TODAY)
    for stalls in (s, Stalls(s.warnings, [])):
        shown, n = stalls.grouped(limit=2)
        assert n == 6
        assert [[w.kind for w in ws] for ws in shown] == [["stalled", "follow_up"],
                                                          ["no_progress"]]
        assert [ws[0].deal for ws in stalls.grouped()[0]] == ["s", "m", "r", "f", "o", "n"]


def test_snoozed_deals_are_listed_apart_until_the_date(world) -> None:
    world.deal("z", history=[("lead", "2026-10-01")],
               extra="snooze: {until: 2026-12-01, reason: tender opens 1 Dec}\n")
    out = world.json("stalls")
    assert out["warnings"] == []
    assert out["snoozed"] == [{"deal": "z", "owner": "ann", "stage": "lead",
                               "until": "2026-12-01", "reason": "tender opens 1 Dec"}]
    later = world.json("stalls", today=dt.date(2026, 12, 1))
    assert {w["kind"] for w in later["warnings"]} == {"stalled", "follow_up", "no_next_step"}


def test_warnings_sort_by_severity_then_amount(world) -> None:
    world.deal("small", amount=10, history=[("lead", "2026-10-01")])
    world.deal("big", amount=99, history=[("lead", "2026-10-20")])
    kinds = [(w["deal"], w["kind"]) for w in world.json("stalls")["warnings"]][:4]
    assert kinds == [("big", "stalled"), ("small", "stalled"), ("big", "follow_up"),
                     ("small", "follow_up")]


def test_snooze_command(world) -> None:
    world.deal("z")
    res = world.run("snooze", "z", "--until", "2026-11-01", "--reason", "x")
    assert res.exit_code == 1 and "is not after today" in res.stderr
    assert world.run("snooze", "z", "--until", "2027-01-15", "--reason", "budget").exit_code == 0
    assert world.json("stalls")["snoozed"][0]["until"] == "2027-01-15"


# -- forecast -------------------------------------------------------------------------


def test_forecast_weights_by_probability_and_close_date(world) -> None:
    def open_deal(id, stage, amount, close, owner="ann"):
        order = ["lead", "nurture", "evaluation", "negotiation"]
        hist = [(s, "2026-11-01") for s in order[: order.index(stage) + 1]]
        world.deal(id, stage=stage, amount=amount, owner=owner, history=hist,
                   extra=f"close: {close}\n")

    open_deal("n", "negotiation", 10000, "2026-12-10")
    open_deal("e", "evaluation", 2000, "2026-12-20", owner="bob")
    open_deal("l", "lead", 5000, "2027-01-15")  # another period
    open_deal("slip", "lead", 3000, "2026-11-10")  # past its date: counts this month
    out = world.json("forecast", "--period", "2026-12")
    t = out["total"]
    # 0.8 x 10000 + 0.5 x 2000 = 9000 expected; 0.8 + 0.5 = 1.3 deals
    assert (t["expected_amount"], t["expected_deals"]) == (9000, 1.3)
    assert (t["commit_amount"], t["best_case_amount"], t["open_deals"]) == (10000, 12000, 2)
    assert [o["owner"] for o in out["owners"]] == ["ann", "bob"]
    now = world.json("forecast")["total"]
    assert (now["open_deals"], now["expected_amount"], now["slipping"]) == (1, 300, ["slip"])


def test_backtest_replays_month_starts(world) -> None:
    # on 2026-10-01 the deal sat in negotiation (0.8) with its close in October;
    # it was signed on 2026-10-12 for 1000: forecast 800, accuracy 1 - 200 / 1000 = 0.8
    world.deal("w", stage="won", status="won", amount=1000, created="2026-09-01",
               history=[("lead", "2026-09-01"), ("negotiation", "2026-09-20"),
                        ("won", "2026-10-12")],
               extra="close: 2026-10-15\noutcome: {date: 2026-10-12}\n")
    rows = {r["month"]: r for r in world.json("forecast", "--backtest")["backtest"]}
    # one closed deal, fewer than forecast.min_closed: the configured rates; accuracy is
    # on the count now (1 - 0.2 / 1 = 0.8), and on the amount beside it
    oct_ = {k: rows["2026-10"][k] for k in ("month", "rates", "forecast_deals",
                                            "forecast_amount", "actual_deals",
                                            "actual_amount", "accuracy", "amount_accuracy",
                                            "bias_deals", "source")}
    assert oct_ == {"month": "2026-10", "rates": "config", "forecast_deals": 0.8,
                    "forecast_amount": 800, "actual_deals": 1, "actual_amount": 1000,
                    "accuracy": 0.8, "amount_accuracy": 0.8, "bias_deals": -0.2,
                    "source": "files"}
    # on 2026-09-01 it was a lead (0.1) closing in October: nothing forecast for September
    assert rows["2026-09"]["forecast_amount"] == 0 and rows["2026-09"]["accuracy"] is None


# -- review ---------------------------------------------------------------------------


def test_review_moves_figures_and_questions(world) -> None:
    # since 2026-11-17 (7 days before 2026-11-24)
    world.deal("adv", history=[("lead", "2026-11-01"), ("nurture", "2026-11-20")],
               stage="nurture", extra="next: {date: 2026-11-30, step: s}\n")
    world.deal("old", history=[("lead", "2026-11-01"), ("nurture", "2026-11-10")],
               stage="nurture", extra="next: {date: 2026-11-30, step: s}\n")
    world.deal("new", history=[("lead", "2026-11-18")])
    world.deal("won", stage="won", status="won", amount=3000, created="2026-10-20",
               history=[("lead", "2026-10-20"), ("won", "2026-11-19")],
               extra="outcome: {date: 2026-11-19}\nactions:\n  - {date: 2026-10-21, kind: call}\n"
                     "  - {date: 2026-11-01, kind: visit}\n")
    world.deal("lost", status="lost", amount=500, history=[("lead", "2026-11-02")],
               extra="outcome: {date: 2026-11-21, reason: competitor, competitor: Wilo}\n")
    world.deal("back", stage="nurture", history=[("lead", "2026-11-01"), ("nurture", "2026-11-05"),
                                                 ("evaluation", "2026-11-10"),
                                                 ("nurture", "2026-11-22")],
               extra="next: {date: 2026-11-30, step: s}\n")
    rv = world.json("review")
    assert rv["since"] == "2026-11-17"
    (ann,) = rv["reps"]
    moved = [(m["kind"], m["deal"]) for m in ann["moved"]]
    assert moved == [("won", "won"), ("lost", "lost"), ("advanced", "adv"),
                     ("regressed", "back"), ("inflow", "new")]
    lost = next(m for m in ann["moved"] if m["kind"] == "lost")
    assert (lost["reason"], lost["competitor"]) == ("competitor", "Wilo")
    f = ann["figures"]
    # 1 won, 1 lost: win rate 0.5; cycle 2026-10-20 -> 2026-11-19 = 30 days;
    # 2 actions on the won deal; 4 open deals x 3000 x 0.5 / 30 = 200 per day
    assert (f["won"], f["lost"], f["win_rate"], f["cycle_days"]) == (1, 1, 0.5, 30)
    assert (f["actions_per_won"], f["velocity_per_day"]) == (2, 200)
    # days in lead, from the stays that ended: won 30, adv 19, old 9, lost 19, back 4
    assert f["days_in_stage"]["lead"] == pytest.approx((30 + 19 + 9 + 19 + 4) / 5, abs=0.05)
    asks = {(q["deal"], q["kind"]) for q in ann["questions"]}
    assert ("new", "next_step") in asks
    assert rv["leaderboard"] == [{"owner": "ann", "won_deals": 1, "won_amount": 3000,
                                  "target_deals": None, "target_amount": None}]
    md = world.run("review", "--format", "md").stdout
    assert md.startswith("# Weekly review 2026-11-24")
    assert "| Lead |" in md and "**lost** lost" in md
    text = world.run("review").stdout
    assert "Leaderboard 2026-11" in text and "regressed" in text


def test_review_lists_20_moves_in_both_formats_and_counts_the_rest(world) -> None:
    # 23 deals came in since 2026-11-17 (7 days before today): 20 listed, 3 counted;
    # --json has them all
    for i in range(23):
        world.deal(f"in{i:02d}", history=[("lead", "2026-11-18")])
    assert len(world.json("review")["reps"][0]["moved"]) == 23
    text = world.run("review").stdout
    assert text.count(" inflow ") == 20 and "  … and 3 more (--json has them all)\n" in text
    md = world.run("review", "--format", "md").stdout
    assert md.count("**inflow**") == 20 and "- … and 3 more (--json has them all)\n" in md


def _sections(world, since_days: int = 7):
    import datetime as dt

    from funnelctl.analysis.review import (
        by_owner,
        rep_review,
        rep_sections,
        team_review,
        team_section,
        team_share,
    )

    loaded = world.loaded()
    p, deals = loaded.pipeline, loaded.deals
    since = TODAY - dt.timedelta(days=since_days)
    groups = list(by_owner(deals).items())
    reps = rep_sections(groups, p, TODAY, since, "2026-11")
    team = team_section([team_share(s) for s in reps], deals, p, TODAY, "2026-11")
    whole = team_review([rep_review(o, ds, p, TODAY, since, "2026-11") for o, ds in groups],
                        deals, p, TODAY, "2026-11")
    return reps, team, whole


def test_a_review_section_is_one_set_of_data_for_both_formats(world) -> None:
    """A rep's section lists his moves and every warned deal, worst first; the team's,
    joined from what it takes of its reps' sections, counts the moves by kind and keeps
    the largest warnings of 5 deals: what the team's whole review holds."""
    for i in range(7):  # ann: 7 stalled deals, the larger the later
        world.deal(f"a{i}", amount=100 * (i + 1), history=[("lead", "2026-10-01")])
    world.deal("b-won", owner="bob", stage="won", status="won", amount=3000,
               history=[("lead", "2026-10-20"), ("won", "2026-11-19")],
               extra="outcome: {date: 2026-11-19}\n")
    world.deal("b-new", owner="bob", history=[("lead", "2026-11-18")])
    (ann, bob), team, whole = _sections(world)
    assert [(m.kind, m.deal) for m in bob.moved] == [("won", "b-won"), ("inflow", "b-new")]
    assert [ws[0].deal for ws in bob.warned] == ["b-new"]
    # b-new's need is at 0 where nurture needs 2, and it has no next step
    assert [q.kind for q in bob.questions] == ["ladder", "next_step"]
    assert [ws[0].deal for ws in ann.warned] == ["a6", "a5", "a4", "a3", "a2", "a1", "a0"]
    assert (team.moved, team.more_moved, team.questions) == ([], 0, [])
    assert team.move_kinds == [("won", 1, 3000), ("inflow", 1, 1000)]
    assert [ws[0].deal for ws in team.warned] == ["a6", "a5", "a4", "a3", "a2"]
    # a0-a6: stalled, follow-up and no next step each; b-new: no next step
    assert (team.warned_deals, team.warnings) == (8, 22)
    assert (team.funnel, team.figures) == (whole.funnel, whole.figures)
    assert team.warned == whole.stalls.grouped(5)[0]


def test_the_team_counts_a_duplicate_id_once_as_stalls_does(world) -> None:
    """One id in two reps' files (validate reports it): one deal with the warnings of
    both, in the team's section as in `stalls`."""
    world.deal("dup", amount=500, history=[("lead", "2026-10-01")])
    world.deal("dup", folder="bob", owner="bob", amount=500, history=[("lead", "2026-11-20")])
    world.deal("other", owner="bob", history=[("lead", "2026-11-20")])
    _, team, whole = _sections(world)
    assert (team.warned_deals, team.warnings) == (2, 5)
    assert [[w.kind for w in ws] for ws in team.warned] == [
        ["stalled", "follow_up", "no_next_step", "no_next_step"], ["no_next_step"]]
    assert team.warned == whole.stalls.grouped(5)[0]
    stalls = world.json("stalls")["warnings"]
    assert len(stalls) == 5 and {w["deal"] for w in stalls} == {"dup", "other"}


def test_review_lists_waivers_for_the_manager(world) -> None:
    world.deal("x")
    world.run("advance", "x", "--force", "--reason", "tender tomorrow")
    rv = world.json("review")
    assert rv["waivers"] == [{"deal": "x", "owner": "ann", "stage": "nurture",
                              "date": "2026-11-24", "reason": "tender tomorrow",
                              "waived": ["need_identified", "need>=2"]}]
    assert any(m["kind"] == "advanced" and m.get("forced") for m in rv["reps"][0]["moved"])


def test_board_columns_and_cards(world) -> None:
    stage_deals(world, "ann", {"lead": 2, "evaluation": 1})
    world.deal("stuck", history=[("lead", "2026-09-01")], amount=5,
               extra="levels: {need: {level: 2, date: 2026-09-02}}\n")
    out = world.json("board")
    cols = {c["stage"]: c for c in out["columns"]}
    assert [c["count"] for c in out["columns"]] == [3, 0, 1, 0]
    first = cols["lead"]["cards"][0]
    assert (first["deal"], first["stalled"], first["days_in_stage"]) == ("stuck", True, 84)
    # need 2/4 = 0.5, power 0/6 = 0: power is the weakest
    assert first["weakest"] == "power 0/6"
    text = world.run("board", "--rows", "1").stdout
    assert "+2 more" in text


def test_review_flags_deals_that_break_a_rule(world) -> None:
    # at nurture without lead's milestone ticked: counted, and flagged for the manager
    world.deal("bad", stage="nurture", history=[("lead", "2026-11-01"), ("nurture", "2026-11-02")],
               extra="levels: {need: {level: 2, date: 2026-11-02}}\n")
    rv = world.json("review")
    assert rv["reps"][0]["funnel"]["stages"][1]["count"] == 1
    (flag,) = rv["reps"][0]["flagged"]
    assert flag["deal"] == "bad" and "need_identified" in flag["problems"][0]
    assert "Break a process rule (1): bad" in world.run("review").stdout


def test_board_summarises_when_the_columns_do_not_fit(world, monkeypatch) -> None:
    stage_deals(world, "ann", {"lead": 2, "evaluation": 1})
    monkeypatch.setenv("COLUMNS", "60")  # 4 columns x 16 + 3 > 60
    out = world.run("board").stdout
    assert "do not fit 60 columns" in out
    assert out.splitlines()[1].split()[:3] == ["Lead", "2", "2,000"]


def test_target_by_owner(world) -> None:
    stage_deals(world, "ann", {"negotiation": 5})
    stage_deals(world, "bob", {"negotiation": 1})
    out = world.json("target", "4", "--by", "owner")
    # 4 / 0.8 = 5 in negotiation: ann holds 5 (gap 0), bob 1 (gap 4)
    assert {o: x["stages"][3]["gap"] for o, x in out["owners"].items()} == {"ann": 0, "bob": 4}
