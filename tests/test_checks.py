"""Every rule of ``checks``, one small test each, on a pipeline and a deal written
inline; and the proof that a write command and ``validate`` refuse by the same rule."""

from __future__ import annotations

import datetime as dt
import inspect
import textwrap
from dataclasses import replace

from funnelctl import checks
from funnelctl.checks import Issue
from funnelctl.model import Deal, validate_pipeline
from funnelctl.pipeline import Ladder, LossReason, Lost, Milestone, Rate, Rules, Stage, Target
from funnelctl.yamlio import load_fast

P = validate_pipeline(load_fast(textwrap.dedent("""\
    stages:
      - id: lead
        label: Lead
        probability: 0.1
        conversion: 0.5
        stall_days: 30
        milestones:
          - {id: contact, label: Contact confirmed}
      - id: offer
        label: Offer
        probability: 0.5
        conversion: 0.5
        stall_days: 30
        milestones:
          - {id: budget, label: Budget approved, evidence: required}
        requires: {power: 2}
    won: {id: won, label: Signed}
    lost:
      reasons:
        - {id: competitor, label: Lost to a competitor, competitor: required}
        - {id: other, label: Other, note: required}
        - {id: price, label: Price}
    ladders:
      - {id: power, label: Power, levels: [unknown, told, met, accepts]}
    action_kinds: [visit, call]
    targets:
      - {owner: ann, period: 2026-11, deals: 2}
    """)))

# A deal that keeps every rule: at offer, the lead milestone ticked, power 2
DEAL = textwrap.dedent("""\
    id: x
    title: T
    account: A
    owner: ann
    amount: 100
    created: 2026-11-01
    stage: offer
    history:
      - {stage: lead, date: 2026-11-01}
      - {stage: offer, date: 2026-11-05}
    milestones:
      contact: {date: 2026-11-02}
    levels:
      power: {level: 2, date: 2026-11-04}
    """)


def deal(**fields) -> Deal:
    """DEAL with some top-level fields replaced."""
    return Deal.model_validate({**load_fast(DEAL), **fields})


D = dt.date


def test_the_inline_deal_and_pipeline_break_no_rule() -> None:
    assert checks.process_findings(deal(), P) == []
    assert checks.pipeline_findings(P) == []


def test_every_check_is_listed() -> None:
    names = {n for n, f in vars(checks).items()
             if n.startswith("check_") and inspect.isfunction(f)}
    listed = {f.__name__ for f in [*checks.CHECKS, *checks.PIPELINE_CHECKS]}
    assert names == listed


# -- rules over values ------------------------------------------------------------


def test_stage_issues() -> None:
    assert checks.stage_issues("won", P) == []
    assert checks.stage_issues("nope", P) == [Issue(
        "stage", "unknown stage 'nope' (stages: lead, offer, won)",
        "unknown stage 'nope' (stages: lead, offer)")]


def test_file_name_issues() -> None:
    assert checks.file_name_issues("x", "x") == []
    assert checks.file_name_issues("x", "y") == [Issue(
        "id", "id 'x' differs from the file name 'y'", "id 'x' differs from the file name 'y'")]


def test_milestone_issues() -> None:
    known = checks.milestones_by_id(P)
    assert checks.milestone_issues("contact", "", known) == []
    assert checks.milestone_issues("budget", "CFO mail", known) == []
    assert checks.milestone_issues("nope", "x", known) == [Issue(
        "milestone", "unknown milestone 'nope'",
        "unknown milestone 'nope' (milestones: contact, budget)")]
    assert checks.milestone_issues("budget", "  ", known) == [Issue(
        "evidence", "milestone 'budget' needs evidence",
        "milestone budget needs --evidence: who said what, which document")]


def test_level_issues() -> None:
    assert checks.level_issues("power", 3, P) == []
    assert checks.level_issues("luck", 1, P) == [Issue(
        "ladder", "unknown ladder 'luck'", "unknown ladder 'luck' (ladders: power)")]
    assert checks.level_issues("power", 4, P) == [Issue(
        "level", "power level 4 does not exist (0..3)", "power has levels 0..3")]
    assert checks.level_issues("power", -1, P)[0].message == \
        "power level -1 does not exist (0..3)"


def test_action_kind_issues() -> None:
    assert checks.action_kind_issues("visit", P) == []
    text = "unknown action kind 'party' (kinds: visit, call)"
    assert checks.action_kind_issues("party", P) == [Issue("kind", text, text)]


def test_loss_issues() -> None:
    assert checks.loss_issues("price", None, None, P) == []
    assert checks.loss_issues("competitor", "Grundfos", None, P) == []
    text = "unknown loss reason 'weather' (reasons: competitor, other, price)"
    assert checks.loss_issues("weather", None, None, P) == [Issue("reason", text, text)]
    assert checks.loss_issues("competitor", "", None, P) == [Issue(
        "competitor", "loss reason 'competitor' needs the competitor",
        "loss reason competitor needs --competitor: who won it")]
    assert checks.loss_issues("other", None, " ", P) == [Issue(
        "note", "loss reason 'other' needs a note",
        "loss reason other needs --note with the reason in words")]


def test_move_date_issues() -> None:
    assert checks.move_date_issues(D(2026, 11, 5), D(2026, 11, 5)) == []
    assert checks.move_date_issues(D(2026, 11, 5), D(2026, 11, 4)) == [Issue(
        "date", "history goes back in time: 2026-11-04 after 2026-11-05",
        "today (2026-11-04) is before the deal's last move (2026-11-05)")]


def test_outcome_date_issues() -> None:
    assert checks.outcome_date_issues(D(2026, 11, 5), D(2026, 11, 5)) == []
    assert checks.outcome_date_issues(D(2026, 11, 5), D(2026, 11, 4)) == [Issue(
        "date", "the outcome is dated before the last stage move",
        "today (2026-11-04) is before the deal's last move (2026-11-05)")]


def test_entry_requirements() -> None:
    offer = P.stage("offer")
    assert checks.entry_requirements(offer, {}, set()) == [
        checks.Requirement("power", 2, 0, False)]
    r = checks.entry_requirements(offer, {"power": 3}, {"power>=2"})[0]
    assert (r.key, r.met, r.waived) == ("power>=2", True, True)


def test_requirement_issues() -> None:
    offer = P.stage("offer")
    assert checks.requirement_issues(offer, {"power": 2}, set()) == []
    assert checks.requirement_issues(offer, {"power": 1}, {"power>=2"}) == []
    assert checks.requirement_issues(offer, {"power": 1}, set()) == [Issue(
        "power>=2", "stage 'offer' needs power >= 2, the deal has power 1",
        "requirement power>=2: power is 1, offer needs 2")]


def test_milestone_gaps() -> None:
    assert checks.milestone_gaps(P.stages, {"contact", "budget"}, set()) == []
    assert checks.milestone_gaps(P.stages, {"contact"}, {"budget"}) == []
    assert checks.milestone_gaps(P.stages[:1], set(), set()) == [Issue(
        "contact", "milestone 'contact' of stage 'lead' is not ticked, but the deal has "
                   "passed that stage",
        "milestone contact (lead): Contact confirmed")]


def test_level_evidence_issues() -> None:
    assert checks.level_evidence_issues("met the CFO") == []
    assert [i.refusal for i in checks.level_evidence_issues(" ")] == [
        "a checkpoint level needs --evidence"]


def test_action_goal_issues() -> None:
    assert checks.action_goal_issues("meet the CFO") == []
    assert [i.refusal for i in checks.action_goal_issues("")] == [
        "an action needs --goal: what it set out to achieve"]


def test_next_step_issues() -> None:
    assert checks.next_step_issues(D(2026, 11, 24), D(2026, 11, 24)) == []
    assert [i.refusal for i in checks.next_step_issues(D(2026, 11, 23), D(2026, 11, 24))] == [
        "the next step's date 2026-11-23 is in the past"]


def test_snooze_issues() -> None:
    today = D(2026, 11, 24)
    assert checks.snooze_issues(D(2026, 12, 1), "budget cycle", today) == []
    assert [i.refusal for i in checks.snooze_issues(today, "budget cycle", today)] == [
        "--until 2026-11-24 is not after today (2026-11-24)"]
    assert [i.refusal for i in checks.snooze_issues(D(2026, 12, 1), " ", today)] == [
        "a snooze needs --reason: the known wait (budget cycle, tender date)"]


def test_missing_to_enter() -> None:
    at_lead = deal(stage="lead", history=[{"stage": "lead", "date": "2026-11-01"}],
                   milestones={}, levels={})
    assert checks.missing_to_enter(at_lead, P, "offer") == [
        ("contact", "milestone contact (lead): Contact confirmed"),
        ("power>=2", "requirement power>=2: power is 0, offer needs 2")]
    assert checks.missing_to_enter(deal(), P, "lead") == []  # a move back
    # what an earlier forced move waived counts as waived, as validate counts it
    waived = deal(stage="lead", history=[
        {"stage": "lead", "date": "2026-11-01"},
        {"stage": "offer", "date": "2026-11-02", "reason": "r", "waived": ["power>=2"]},
        {"stage": "lead", "date": "2026-11-03"}], levels={})
    assert checks.missing_to_enter(waived, P, "offer") == []


def test_waived_items() -> None:
    d = deal(history=[{"stage": "lead", "date": "2026-11-01"},
                      {"stage": "offer", "date": "2026-11-05", "reason": "tender",
                       "waived": ["contact", "power>=2"]}])
    assert checks.waived_items(d) == {"contact", "power>=2"}


# -- deal checks ----------------------------------------------------------------------


def test_check_stage_exists() -> None:
    assert checks.check_stage_exists(deal(stage="nope"), P) == [
        (("stage",), "unknown stage 'nope' (stages: lead, offer, won)")]


def test_check_history() -> None:
    d = deal(created="2026-11-02", history=[{"stage": "lead", "date": "2026-11-06"},
                                            {"stage": "nope", "date": "2026-11-05"}])
    assert checks.check_history(d, P) == [
        (("history", 1, "stage"), "history names unknown stage 'nope'"),
        (("history", 1, "date"), "history goes back in time: 2026-11-05 after 2026-11-06"),
        (("history",), "history ends at 'nope' but the deal is at 'offer'")]
    early = deal(created="2026-11-02")
    assert checks.check_history(early, P) == [
        (("history", 0, "date"), "history starts 2026-11-01, before the deal was created "
                                 "(2026-11-02)")]


def test_check_milestones_passed() -> None:
    assert checks.check_milestones_passed(deal(milestones={}), P) == [
        (("milestones",), "milestone 'contact' of stage 'lead' is not ticked, but the deal "
                          "has passed that stage")]


def test_check_milestones_known() -> None:
    d = deal(milestones={"contact": {"date": "2026-11-02"}, "luck": {"date": "2026-11-02"},
                         "budget": {"date": "2026-11-03"}})
    assert checks.check_milestones_known(d, P) == [
        (("milestones", "luck"), "unknown milestone 'luck'"),
        (("milestones", "budget"), "milestone 'budget' needs evidence")]


def test_check_levels() -> None:
    d = deal(levels={"power": {"level": 9, "date": "2026-11-04"},
                     "luck": {"level": 1, "date": "2026-11-04"}})
    assert checks.check_levels(d, P) == [
        (("levels", "power", "level"), "power level 9 does not exist (0..3)"),
        (("levels", "luck"), "unknown ladder 'luck'")]


def test_check_requirements() -> None:
    assert checks.check_requirements(deal(levels={}), P) == [
        (("stage",), "stage 'offer' needs power >= 2, the deal has power 0")]


def test_check_status() -> None:
    def status(**fields) -> list:
        return checks.check_status(deal(**fields), P)

    assert status(status="won") == [(("status",), "a won deal must be at stage 'won'"),
                                    (("status",), "a won deal needs outcome.date")]
    assert status(status="lost") == [
        (("status",), "a lost deal needs outcome.date and outcome.reason")]
    assert status(status="lost", outcome={"date": "2026-11-06"}) == [
        (("outcome",), "a lost deal needs outcome.reason")]
    assert status(status="lost", outcome={"date": "2026-11-06", "reason": "weather"}) == [
        (("outcome", "reason"),
         "unknown loss reason 'weather' (reasons: competitor, other, price)")]
    assert status(status="lost", outcome={"date": "2026-11-06", "reason": "competitor"}) == [
        (("outcome",), "loss reason 'competitor' needs the competitor")]
    assert status(status="lost", outcome={"date": "2026-11-06", "reason": "other"}) == [
        (("outcome",), "loss reason 'other' needs a note")]
    assert status(outcome={"date": "2026-11-04"}) == [
        (("outcome",), "an open deal has an outcome"),
        (("outcome", "date"), "the outcome is dated before the last stage move")]
    assert status(stage="won") == [
        (("status",), "the deal is at the won stage but its status is open")]


def test_check_actions() -> None:
    d = deal(actions=[{"date": "2026-11-06", "kind": "visit"},
                      {"date": "2026-11-07", "kind": "party"}])
    assert checks.check_actions(d, P) == [
        (("actions", 1, "kind"), "unknown action kind 'party' (kinds: visit, call)")]


def test_check_currency() -> None:
    p = replace(P, currency="EUR", currencies={"USD": (Rate(0.92),)})
    assert checks.check_currency(deal(), p) == []  # no currency: the reporting one
    assert checks.check_currency(deal(currency="EUR"), p) == []
    assert checks.check_currency(deal(currency="USD"), p) == []
    assert checks.check_currency(deal(currency="GBP"), p) == [
        (("currency",), "currency GBP has no rate in stages.yaml")]


# -- pipeline checks (stages.yaml) ------------------------------------------------------


def stage(id: str, **fields) -> Stage:
    return Stage(**{"id": id, "label": id, "probability": 0.5, "conversion": 0.5,
                    "stall_days": 30, **fields})


def test_check_not_empty() -> None:
    assert checks.check_not_empty(replace(P, stages=(), action_kinds=())) == [
        (("stages",), "at least one stage is needed"),
        (("action_kinds",), "at least one action kind is needed")]


def test_check_stage_ids() -> None:
    p = replace(P, stages=(stage("lead"), stage("lead"), stage("won")))
    assert checks.check_stage_ids(p) == [
        (("stages", 1, "id"), "stage id 'lead' appears twice"),
        (("stages", 2, "id"), "stage id 'won' is also an outcome id")]


def test_check_stage_numbers() -> None:
    p = replace(P, stages=(stage("a", probability=1.5, conversion=-0.1, stall_days=0),))
    assert checks.check_stage_numbers(p) == [
        (("stages", 0, "probability"), "probability must be between 0 and 1, not 1.5"),
        (("stages", 0, "conversion"), "conversion must be between 0 and 1, not -0.1"),
        (("stages", 0, "stall_days"), "stall_days must be more than 0")]


def test_check_milestone_ids() -> None:
    m = Milestone("m", "M")
    assert checks.check_milestone_ids(replace(P, stages=(stage("a", milestones=(m, m)),))) == [
        (("stages", 0, "milestones", 1, "id"), "milestone 'm' appears twice in stage 'a'")]


def test_check_outcome_ids() -> None:
    assert checks.check_outcome_ids(replace(P, lost=replace(P.lost, id="won"))) == [
        (("lost", "id"), "won and lost need different ids")]


def test_check_ladders() -> None:
    p = replace(P, ladders=(P.ladders[0], Ladder("power", "Power", ("only",))))
    assert checks.check_ladders(p) == [
        (("ladders", 1, "id"), "ladder id 'power' appears twice"),
        (("ladders", 1, "levels"), "ladder 'power' needs 2 levels or more")]


def test_check_stage_requirements() -> None:
    p = replace(P, stages=(stage("a", requires={"luck": 1, "power": 4}),))
    assert checks.check_stage_requirements(p) == [
        (("stages", 0, "requires", "luck"),
         "stage 'a' requires ladder 'luck', which is not defined (ladders: power)"),
        (("stages", 0, "requires", "power"),
         "stage 'a' requires power >= 4, but that ladder has levels 0..3")]


def test_check_loss_reasons() -> None:
    r = LossReason("price", "Price")
    assert checks.check_loss_reasons(replace(P, lost=Lost(reasons=(r, r)))) == [
        (("lost", "reasons", 1, "id"), "loss reason 'price' appears twice")]


def test_check_rules() -> None:
    assert checks.check_rules(replace(P, rules=Rules(judge_days=0))) == [
        (("rules", "judge_days"), "judge_days must be more than 0")]


def test_check_targets() -> None:
    p = replace(P, targets=(Target("ann", "2026-13", deals=1), Target("ann", "2026-11"),
                            Target("ann", "2026-11\n", amount=-5)))
    assert checks.check_targets(p) == [
        (("targets", 0, "period"), "period '2026-13': expected YYYY-MM"),
        (("targets", 1), "a target needs deals or amount"),
        (("targets", 2, "period"), "period '2026-11\\n': expected YYYY-MM"),
        (("targets", 2), "a target cannot be negative")]


def test_check_reporting_currency() -> None:
    assert checks.check_reporting_currency(replace(P, currencies={"USD": (Rate(0.9),)})) == []
    p = replace(P, currency="EUR", currencies={"EUR": (Rate(1.0),)})
    assert checks.check_reporting_currency(p) == [
        (("currencies", "EUR"), "currency EUR is the reporting currency (currency: EUR): "
                                "it needs no rate")]


def test_check_currency_rates() -> None:
    good = (Rate(0.9), Rate(0.95, D(2026, 10, 1)), Rate(0.97, D(2027, 1, 1)))
    assert checks.check_currency_rates(replace(P, currencies={"USD": good})) == []
    p = replace(P, currencies={
        "USD": (Rate(0.9, D(2026, 7, 1)), Rate(0.95, D(2026, 1, 1)), Rate(0.96)),
        "CNY": (Rate(0),), "JPY": ()})
    assert checks.check_currency_rates(p) == [
        (("currencies", "USD", 1, "from"),
         "currency USD: rates go in date order, 2026-01-01 is not after 2026-07-01"),
        (("currencies", "USD", 2), "currency USD: only the first rate may leave out 'from'"),
        (("currencies", "CNY", 0, "rate"), "currency CNY: a rate must be more than 0, not 0"),
        (("currencies", "JPY"), "currency JPY needs a rate")]


# -- a write and validate refuse by the same rule ---------------------------------------


def refusal(res) -> str:
    assert res.exit_code == 1 and res.stdout == "", res.output
    return res.stderr


def validated(world) -> list[str]:
    """The problems validate prints, without its summary line."""
    res = world.run("validate")
    assert res.exit_code == 1
    return res.stdout.splitlines()[:-1]


def test_lose_and_validate_name_the_same_loss_rule(world) -> None:
    from .conftest import STAGES

    p = validate_pipeline(load_fast(STAGES))
    [issue] = checks.loss_issues("competitor", None, None, p)
    world.deal("open")
    world.deal("lost", status="lost",
               extra="outcome:\n  date: 2026-11-03\n  reason: competitor\n")
    assert refusal(world.run("lose", "open", "--reason", "competitor")) == \
        f"funnelctl: {issue.refusal}\n"
    assert validated(world) == [f"deals/lost.yaml:12: {issue.message}"]


def test_tick_and_validate_name_the_same_evidence_rule(world) -> None:
    from .conftest import STAGES

    p = validate_pipeline(load_fast(STAGES))
    [issue] = checks.milestone_issues("budget_approved", "", checks.milestones_by_id(p))
    world.deal("a")
    world.deal("b", extra="milestones:\n  budget_approved: {date: 2026-11-02}\n")
    assert refusal(world.run("tick", "a", "budget_approved")) == f"funnelctl: {issue.refusal}\n"
    assert validated(world) == [f"deals/b.yaml:13: {issue.message}"]


def test_score_and_validate_name_the_same_level_rule(world) -> None:
    from .conftest import STAGES

    p = validate_pipeline(load_fast(STAGES))
    [issue] = checks.level_issues("power", 7, p)
    world.deal("a")
    world.deal("b", extra="levels:\n  power: {level: 7, date: 2026-11-02}\n")
    assert refusal(world.run("score", "a", "power", "7", "-e", "x")) == \
        f"funnelctl: {issue.refusal}\n"
    assert validated(world) == [f"deals/b.yaml:13: {issue.message}"]


def test_advance_and_validate_name_the_same_requirement(world) -> None:
    """advance refuses the move that validate would then report: nurture needs
    need >= 2, and the deal has need 0."""
    from .conftest import STAGES

    p = validate_pipeline(load_fast(STAGES))
    [issue] = checks.requirement_issues(p.stage("nurture"), {}, set())
    tick = "milestones:\n  need_identified: {date: 2026-11-02}\n"
    world.deal("a", extra=tick)
    world.deal("b", stage="nurture", extra=tick,
               history=[("lead", "2026-11-01"), ("nurture", "2026-11-03")])
    assert refusal(world.run("advance", "a")).splitlines() == [
        "funnelctl: cannot advance a to nurture: 1 missing", f"  - {issue.refusal}"]
    assert validated(world) == [f"deals/b.yaml:7: {issue.message}"]


def test_lose_refuses_an_outcome_before_the_last_move(world) -> None:
    """validate reports such a file, so the write refuses to make one."""
    world.deal("a", history=[("lead", "2026-11-10")])
    before = world.read("deals/a.yaml")
    assert refusal(world.run("lose", "a", "--reason", "no_decision",
                             today=dt.date(2026, 11, 9))) == (
        "funnelctl: today (2026-11-09) is before the deal's last move (2026-11-10)\n")
    assert world.read("deals/a.yaml") == before
