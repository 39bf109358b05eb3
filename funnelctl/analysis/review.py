"""The weekly review: per rep, the funnel against the target, what moved since the
last meeting, the warnings, the questions to ask, and the process figures; then a
team summary and the period's leaderboard.

A rep's review is an ordinary function of his deals (and the pipeline, today...);
the team's joins its reps' results: their counts add up (no deal is counted twice)
and their lists are gathered. ``section`` and ``team_section`` make what one screen
shows, with the caps decided once for the text and the Markdown review.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from itertools import islice
from operator import attrgetter

from funnelctl import checks
from funnelctl.analysis.accounts import concentration
from funnelctl.analysis.cadence import not_looked_at
from funnelctl.analysis.conversion import Observed, observed_conversion, summed
from funnelctl.analysis.currency import is_left_out
from funnelctl.analysis.day import visit_quota, visits_by_rep
from funnelctl.analysis.effort import effort_piles
from funnelctl.analysis.funnel import Funnel, StageTally, funnel_of, funnel_shape, stage_tally
from funnelctl.analysis.select import is_snoozed
from funnelctl.analysis.stalls import (
    Stalls,
    Warning,
    named,
    stalled_deals,
    worst_first,
    worst_of_deal,
)
from funnelctl.analysis.targets import (
    Progress,
    committed_progress,
    period_bounds,
    period_of,
    still_to_sign,
    won_in,
)
from funnelctl.i18n import _, formats, nformat
from funnelctl.pipeline import Ladder, Pipeline, Stage
from funnelctl.summary import AboutDeal, Summary

MOVES_SHOWN = 20  # a rep's moves listed; the rest are counted ("… and N more")
TEAM_WARNED = 5  # the team's section lists the largest warnings of this many deals
MOVE_ORDER = {"won": 0, "lost": 1, "advanced": 2, "regressed": 3, "inflow": 4}


@dataclass
class Moved:
    deal: str
    account: str
    owner: str
    kind: str  # inflow | advanced | regressed | won | lost
    date: dt.date
    stage: str  # the stage entered (or lost at)
    from_stage: str | None = None
    amount: float = 0.0
    reason: str | None = None
    competitor: str | None = None
    forced: bool = False

    def as_json(self) -> dict:
        out = {"deal": self.deal, "account": self.account, "owner": self.owner,
               "kind": self.kind, "date": self.date, "stage": self.stage,
               "amount": self.amount}
        if self.from_stage:
            out["from"] = self.from_stage
        if self.reason:
            out["reason"] = self.reason
        if self.competitor:
            out["competitor"] = self.competitor
        if self.forced:
            out["forced"] = True
        return out


@dataclass
class Figures:
    """The process figures of a set of deals: what it counts, which adds up over
    disjoint sets (a team's counts are its reps'), and the rates that follow."""

    deals: int
    open_deals: int
    won: int
    lost: int
    won_amount: float
    won_actions: int
    won_days: int  # creation to signature, summed over the won deals that have a date
    dated: int  # how many won deals have a date
    stay_days: dict[str, int]  # per open stage: the days of the stays that ended there
    stays: dict[str, int]
    observed: list[Observed]  # per stage: the deals that reached it, left it, went on
    # won deals whose amount is in won_amount: one in a currency with no rate is not
    won_priced: int = 0

    @property
    def actions_per_won(self) -> float | None:
        return self.won_actions / self.won if self.won else None

    @property
    def cycle_days(self) -> float | None:
        return self.won_days / self.dated if self.dated else None

    @property
    def days_in_stage(self) -> dict[str, float | None]:
        return {o.stage: self.stay_days[o.stage] / self.stays[o.stage]
                if self.stays.get(o.stage) else None for o in self.observed}

    @property
    def conversion(self) -> dict[str, float | None]:
        return {o.stage: o.rate for o in self.observed}

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None

    @property
    def average_won(self) -> float | None:
        return self.won_amount / self.won_priced if self.won_priced else None

    @property
    def velocity(self) -> float | None:
        """Amount per day: open deals x average won x win rate / cycle."""
        avg, rate, cycle = self.average_won, self.win_rate, self.cycle_days
        return self.open_deals * avg * rate / cycle if avg and rate and cycle else None

    def as_json(self) -> dict:
        r = _round
        return {"deals": self.deals, "open": self.open_deals, "won": self.won,
                "lost": self.lost, "actions_per_won": r(self.actions_per_won),
                "cycle_days": r(self.cycle_days),
                "days_in_stage": {k: r(v) for k, v in self.days_in_stage.items()},
                "conversion": {k: r(v, 3) for k, v in self.conversion.items()},
                "win_rate": r(self.win_rate, 3), "average_won": r(self.average_won),
                "velocity_per_day": r(self.velocity)}

    @staticmethod
    def summed(parts: list[Figures], p: Pipeline) -> Figures:
        """The figures of disjoint sets of deals together (a team from its reps)."""
        stay_days: Counter[str] = Counter()
        stays: Counter[str] = Counter()
        won_amount = 0.0
        for f in parts:
            won_amount += f.won_amount
            stay_days.update(f.stay_days)
            stays.update(f.stays)
        return Figures(sum(f.deals for f in parts), sum(f.open_deals for f in parts),
                       sum(f.won for f in parts), sum(f.lost for f in parts), won_amount,
                       sum(f.won_actions for f in parts), sum(f.won_days for f in parts),
                       sum(f.dated for f in parts), dict(stay_days), dict(stays),
                       summed([f.observed for f in parts], p),
                       sum(f.won_priced for f in parts))


def _round(x: float | None, n: int = 1) -> float | None:
    return None if x is None else round(x, n)


@dataclass
class RepReview:
    """The findings over one set of deals: a rep's, or (owner ``team``) every rep's."""

    owner: str
    funnel: Funnel
    targets: list[Progress]
    moved: list[Moved]
    stalls: Stalls  # the warnings, worst first, and the deals snoozed on purpose
    questions: list[Question]
    figures: Figures
    flagged: list[dict] = field(default_factory=list)  # deals that break a process rule
    # what the manager must hear of the rep's (or team's) way of working: effort piled
    # on one customer, concentration, the manager's own re-checks (each has a
    # ``message`` and ``as_json``)
    alerts: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {"owner": self.owner, "funnel": self.funnel.as_json(),
                "alerts": [a.as_json() for a in self.alerts],
                "targets": [t.as_json() for t in self.targets],
                "moved": [m.as_json() for m in self.moved],
                "warnings": [w.as_json() for w in self.stalls.warnings],
                "snoozed": len(self.stalls.snoozed),
                "questions": [q.as_json() for q in self.questions],
                "figures": self.figures.as_json(),
                "flagged": self.flagged}


@dataclass
class Leader:
    owner: str
    won_deals: int
    won_amount: float
    target_deals: float | None
    target_amount: float | None

    def as_json(self) -> dict:
        return {"owner": self.owner, "won_deals": self.won_deals,
                "won_amount": self.won_amount, "target_deals": self.target_deals,
                "target_amount": self.target_amount}


@dataclass
class Review:
    today: dt.date
    since: dt.date
    period: str
    reps: list[RepReview]
    team: RepReview
    leaderboard: list[Leader] = field(default_factory=list)
    waivers: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"today": self.today, "since": self.since, "period": self.period,
                "reps": [r.as_json() for r in self.reps], "team": self.team.as_json(),
                "leaderboard": [x.as_json() for x in self.leaderboard],
                "waivers": self.waivers}


@dataclass
class Section:
    """One screen of the review, a rep's or the team's, as both formats show it: a
    rep's moves are listed (the first MOVES_SHOWN), the team's counted by kind; a rep's
    warnings are grouped by deal, every deal (the text screen shows the worst few), the
    team's only its TEAM_WARNED largest deals'; the team asks no question of its own."""

    owner: str
    team: bool
    funnel: Funnel
    targets: list[Progress]
    moved: list[Moved]  # listed
    more_moved: int  # and how many more moved
    move_kinds: list[tuple[str, int, float]]  # per kind: how many moved, and how much
    warned: list[list[Warning]]  # each listed deal's warnings, worst deals first
    warned_deals: int  # deals with a warning
    warnings: int  # warnings on them
    snoozed: int
    flagged: list[dict]
    questions: list[Question]
    figures: Figures
    alerts: list = field(default_factory=list)


def section(r: RepReview) -> Section:
    """A rep's screen."""
    kinds: dict[str, list] = {}
    for m in r.moved:  # in order: by kind, then date
        k = kinds.setdefault(m.kind, [0, 0])
        k[0] += 1
        k[1] += m.amount
    warned, n_deals = r.stalls.grouped()
    return Section(r.owner, False, r.funnel, r.targets, r.moved[:MOVES_SHOWN],
                   max(0, len(r.moved) - MOVES_SHOWN),
                   [(kind, n, amount) for kind, (n, amount) in kinds.items()], warned,
                   n_deals, len(r.stalls.warnings), len(r.stalls.snoozed), r.flagged,
                   r.questions, r.figures, r.alerts)


def team_share(s: Section) -> Section:
    """What the team's section takes of a rep's: his counts, flags and largest
    warnings, without the lists only his own section shows."""
    return replace(s, moved=[], warned=s.warned[:TEAM_WARNED], questions=[])


@dataclass
class TeamDeals:
    """What the team's section reads of the team's deals themselves rather than of its
    reps' sections: its targets, its concentration alerts, and its warnings when an
    id is written twice with two owners (a duplicate is one deal to the team).
    Made apart, it can be made while the reps' sections are (``cli.review``)."""

    targets: list[Progress]
    alerts: list  # the team's own (``own_alerts``)
    duplicated: Stalls | None


def team_deals(deals: list[Summary], p: Pipeline, today: dt.date, period: str,
               owners: set[str] | None = None) -> TeamDeals:
    """``team_section``'s reading of the team's deals, which needs no rep's section."""
    duplicated = None
    if _one_id_two_owners(deals):
        # a duplicate (validate reports it) is one deal to the team, as to `stalls`:
        # its warnings are gathered over the team's deals
        duplicated = stalled_deals([d for ds in by_owner(deals).values() for d in ds], p, today)
    return TeamDeals(_team_targets(deals, p, today, period, owners),
                     own_alerts(deals, p), duplicated)


def team_section(reps: list[Section], deals: list[Summary], p: Pipeline, today: dt.date,
                 period: str, owners: set[str] | None = None,
                 whole: TeamDeals | None = None) -> Section:
    """The team's screen from its reps' (``team_share`` of each is enough): their
    counts added up, their moves counted by kind, their largest warnings. ``whole``:
    what ``team_deals`` read of ``deals``, when the caller made it already."""
    if whole is None:
        whole = team_deals(deals, p, today, period, owners)
    targets = whole.targets
    funnel, figures = _team_counts([(s.owner, s.funnel, s.figures) for s in reps], p,
                                   still_to_sign(targets, "team"))
    totals: dict[str, list] = {}
    for s in reps:
        for kind, n, amount in s.move_kinds:
            t = totals.setdefault(kind, [0, 0])
            t[0] += n
            t[1] += amount
    if whole.duplicated is not None:
        warned, n_deals = whole.duplicated.grouped(TEAM_WARNED)
        n_warnings = len(whole.duplicated.warnings)
    else:
        warned = list(islice(heapq.merge(*(s.warned for s in reps), key=worst_of_deal),
                             TEAM_WARNED))
        n_deals = sum(s.warned_deals for s in reps)
        n_warnings = sum(s.warnings for s in reps)
    return Section("team", True, funnel, targets, [],
                   0, [(k, *totals[k]) for k in MOVE_ORDER if k in totals], warned, n_deals,
                   n_warnings, sum(s.snoozed for s in reps),
                   [f for s in reps for f in s.flagged], [], figures,
                   team_alerts([a for s in reps for a in s.alerts], whole.alerts))


def _one_id_two_owners(deals: list[Summary]) -> bool:
    if len(set(map(attrgetter("id"), deals))) == len(deals):
        return False  # no id twice: the usual case, seen in C
    owner_of: dict[str, str] = {}
    return any(owner_of.setdefault(d.id, d.owner) != d.owner for d in deals)


def moves_since(deals: list[Summary], p: Pipeline, since: dt.date, today: dt.date
                ) -> list[Moved]:
    out: list[Moved] = []
    pos = p.positions
    won = p.won.id
    for d in deals:
        # most deals did not move in the window: their history is not walked
        if d.last_move >= since:
            for i, (stage, date, forced) in enumerate(d.history):
                if not since <= date <= today:
                    continue
                if i == 0:
                    if not d.imported:  # an imported deal's first stage is the source's
                        out.append(Moved(d.id, d.account, d.owner, "inflow", date, stage,
                                         amount=d.amount))
                    continue
                prev = d.history[i - 1][0]
                if stage == won:
                    continue  # reported as won below
                a, b = pos.get(prev), pos.get(stage)
                if a is not None and b is not None:
                    kind = "regressed" if b < a else "advanced"
                    out.append(Moved(d.id, d.account, d.owner, kind, date, stage, prev,
                                     d.amount, forced=forced))
        if d.status != "open" and d.outcome_date and since <= d.outcome_date <= today:
            out.append(Moved(d.id, d.account, d.owner, d.status, d.outcome_date, d.stage,
                             amount=d.amount, reason=d.lost_reason,
                             competitor=d.competitor if d.status == "lost" else None))
    out.sort(key=_move_order)
    return out


@dataclass(slots=True)
class Question(AboutDeal):
    """A question the manager asks about one open deal. Its text is written when asked
    for: a team's review raises tens of thousands and shows a few hundred."""

    of: Summary  # the deal
    kind: str  # milestone | ladder | veto | power | next_step
    detail: tuple = ()  # what the text names, by kind

    @property
    def text(self) -> str:
        kind, x = self.kind, self.detail
        if kind == "milestone":
            return _("what stands between us and: {milestones}?").format(
                milestones="; ".join(named(m).lower() for m in x))
        if kind == "ladder":
            ladder, level, when, stage, need = x
            label = named(ladder).lower() if isinstance(ladder, Ladder) else ladder
            if when:
                return _("{ladder} has stayed at {level} since {day}; {stage} needs {need}: "
                         "what is the next step up?").format(
                    ladder=label, level=level, day=formats.day(when),
                    stage=named(stage), need=need)
            return _("{ladder} has stayed at {level}; {stage} needs {need}: what is the next "
                     "step up?").format(ladder=label, level=level, stage=named(stage),
                                        need=need)
        if kind == "veto":
            return _("veto holders not yet met and agreed: {names}").format(
                names=", ".join(self.of.veto_unmet))
        if kind == "power":
            return _("we have not met the decision maker yet")
        return _("what is the next step, and when?")

    def as_json(self) -> dict:
        return {"deal": self.of.id, "account": self.of.account, "kind": self.kind,
                "question": self.text}


def questions(deals: list[Summary], p: Pipeline, today: dt.date, since: dt.date
              ) -> list[Question]:
    """The manager's questions for the open deals among ``deals``, from what is missing,
    deal by deal in order."""
    out: list[Question] = []
    stages = p.stages
    n = len(stages)
    # per stage: its position, the stage, the day a deal entered before is half-way to
    # its stall (asked of its milestones), the next stage when it has requirements
    at: dict[str, tuple[int, Stage, dt.date, Stage | None]] = {}
    for i, stage in enumerate(stages):
        after = stages[i + 1] if i + 1 < n else None
        at[stage.id] = (i, stage, _days_before(today, stage.stall_days // 2),
                        after if after is not None and after.requires else None)
    # a next stage's requirements depend only on the levels of the ladders it names: a
    # pipeline's few combinations are put to checks once each (5.7 µs a deal when each
    # deal asked checks)
    unmet: dict[tuple, list[checks.Requirement]] = {}
    for d in deals:
        here = at.get(d.stage)
        if here is None or d.status != "open":
            continue
        i, stage, halfway, after = here
        if stage.milestones and d.history[-1][1] < halfway:
            ticked = d.ticked
            missing = tuple(m for m in stage.milestones if m.id not in ticked)
            if missing:
                out.append(Question(d, "milestone", missing))
        if after is not None:  # the rule is checks' (entry_requirements); the question
            # is asked of a level not raised since the last review
            levels = d.levels
            key = (i, *(levels[lid][0] if lid in levels else None for lid in after.requires))
            rs = unmet.get(key)
            if rs is None:
                rs = unmet[key] = [r for r in checks.entry_requirements(
                    after, {lid: lv for lid, lv in zip(after.requires, key[1:], strict=True)
                            if lv is not None}, ()) if not r.met]
            for r in rs:
                when = levels[r.ladder][1] if r.ladder in levels else None
                if when is None or when < since:
                    out.append(Question(d, "ladder", (p.ladder(r.ladder) or r.ladder, r.has,
                                                      when, after, r.needs)))
        if d.veto_unmet and i >= 1:
            out.append(Question(d, "veto"))
        if d.decision_maker_met is False and i >= 2:
            out.append(Question(d, "power"))
        if d.next_date is None:
            out.append(Question(d, "next_step"))
    return out


def _days_before(today: dt.date, days: int) -> dt.date:
    """The day ``days`` before ``today``; the first day of the calendar for a count of
    days (a stage's stall_days) that reaches further back."""
    try:
        return today - dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min


def process_figures(deals: list[Summary], p: Pipeline, today: dt.date,
                    observed: list[Observed] | None = None) -> Figures:
    obs = observed if observed is not None else observed_conversion(deals, p)
    won = lost = open_deals = won_actions = won_days = dated = won_priced = 0
    won_amount = 0.0
    stay_days: dict[str, int] = defaultdict(int)
    stays: dict[str, int] = defaultdict(int)
    open_ids = set(p.stage_ids)
    for d in deals:
        status = d.status
        if status == "open":
            open_deals += 1
        elif status == "won":
            won += 1
            if not is_left_out(d, p):  # no rate: its amount is in no money figure
                won_amount += d.amount
                won_priced += 1
            won_actions += d.actions
            if d.outcome_date:
                won_days += (d.outcome_date - d.created).days
                dated += 1
        elif status == "lost":
            lost += 1
        h = d.history
        stage, date, _ = h[0]
        # an imported deal's first stay began before funnelctl saw it: its length is
        # unknown, so it counts in no stay figure
        counted = not d.imported
        for nxt in h[1:]:  # each stay ends at the next move
            if counted and stage in open_ids:
                stay_days[stage] += (nxt[1] - date).days
                stays[stage] += 1
            stage, date, counted = nxt[0], nxt[1], True
        if counted and status == "lost" and d.outcome_date and stage in open_ids:
            stay_days[stage] += (d.outcome_date - date).days  # the last stay ends lost
            stays[stage] += 1
    return Figures(len(deals), open_deals, won, lost, won_amount, won_actions, won_days,
                   dated, dict(stay_days), dict(stays), obs, won_priced)


def by_owner(deals: list[Summary]) -> dict[str, list[Summary]]:
    """Each owner's deals, in the order given, owners sorted: the reps of a review."""
    groups: dict[str, list[Summary]] = defaultdict(list)
    for d in deals:
        groups[d.owner].append(d)
    return dict(sorted(groups.items()))


def rep_review(owner: str, deals: list[Summary], p: Pipeline, today: dt.date,
               since: dt.date, period: str) -> RepReview:
    """One rep's review of his deals."""
    obs = observed_conversion(deals, p)
    # the open deals not snoozed: the ones warned of, asked about and looked at
    watched = [d for d in deals if d.status == "open" and not is_snoozed(d, today)]
    stalls = stalled_deals(deals, p, today)
    progress = committed_progress(deals, p, period, today, owners={owner})
    alerts = rep_alerts(owner, deals, p, today, watched, stalls.warnings)
    return RepReview(owner, funnel_shape(deals, p, obs, still_to_sign(progress, owner)),
                     progress, moves_since(deals, p, since, today), stalls,
                     questions(watched, p, today, since), process_figures(deals, p, today, obs),
                     [{"deal": d.id, "path": d.path, "problems": list(d.flags)}
                      for d in deals if d.flags], alerts)


def team_review(reps: list[RepReview], deals: list[Summary], p: Pipeline, today: dt.date,
                period: str, owners: set[str] | None = None) -> RepReview:
    """The team's review: its reps' counts added up (no deal is counted twice), their
    findings gathered. ``deals`` are the reps' deals, for the team's targets."""
    targets = _team_targets(deals, p, today, period, owners)
    funnel, figures = _team_counts([(r.owner, r.funnel, r.figures) for r in reps], p,
                                   still_to_sign(targets, "team"))
    moved = sorted((m for r in reps for m in r.moved), key=_move_order)
    warnings = sorted((w for r in reps for w in r.stalls.warnings), key=worst_first)
    stalls = Stalls(warnings, [z for r in reps for z in r.stalls.snoozed])
    return RepReview("team", funnel, targets, moved,
                     stalls, [q for r in reps for q in r.questions], figures,
                     [f for r in reps for f in r.flagged],
                     team_alerts([a for r in reps for a in r.alerts], own_alerts(deals, p)))


@dataclass(frozen=True)
class Alert:
    """A finding about a way of working (not one deal's warning): what the manager's
    cadence left unseen, visits under the quota. ``deals``: the deals it names."""

    kind: str  # unlooked | visits
    owner: str
    message: str
    deals: tuple[str, ...] = ()
    figures: tuple[tuple[str, float], ...] = ()

    def as_json(self) -> dict:
        return {"kind": self.kind, "owner": self.owner, "message": self.message,
                "deals": list(self.deals), **dict(self.figures)}


UNLOOKED_NAMED = 5


def rep_alerts(owner: str, deals: list[Summary], p: Pipeline, today: dt.date,
               watched: list[Summary] | None = None,
               warned: list[Warning] | None = None) -> list:
    """One rep's alerts: effort piled on one customer, the deals the manager has not
    looked at in ``follow_up_days`` (the 1/15/30 cadence), visits of the last week
    under the daily quota. ``watched`` (his open deals not snoozed) and ``warned``
    (their warnings), when the caller has them, are not made again."""
    out: list = list(effort_piles(deals, p, today, warned))
    unseen = not_looked_at(deals if watched is None else watched, p, today)
    if unseen:
        ids = tuple(c.deal for c in unseen)
        named = ", ".join(ids[:UNLOOKED_NAMED]) + (" …" if len(ids) > UNLOOKED_NAMED else "")
        out.append(Alert("unlooked", owner, nformat(
            "{owner}: {n} open deal the manager has not looked at in {days} days: {deals} "
            "(funnelctl check DEAL)",
            "{owner}: {n} open deals the manager has not looked at in {days} days: {deals} "
            "(funnelctl check DEAL)", len(ids), owner=owner, days=p.rules.follow_up_days,
            deals=named), ids))
    quota = visit_quota(p, today - dt.timedelta(days=6), today)
    if quota:
        done = visits_by_rep(deals, today - dt.timedelta(days=6), today).get(owner, 0)
        if done < quota:
            out.append(Alert("visits", owner, nformat(
                "{owner}: {n} visit in the last 7 days against a quota of {quota} "
                "({per_day} a working day)",
                "{owner}: {n} visits in the last 7 days against a quota of {quota} "
                "({per_day} a working day)", done, owner=owner, quota=quota,
                per_day=p.rules.daily_visits),
                figures=(("visits", done), ("quota", quota))))
    return out


def team_alerts(reps: list, own: list) -> list:
    """The team's alerts: its reps' (each names its rep), then the team's own
    (``own_alerts``)."""
    return reps + own


def own_alerts(deals: list[Summary], p: Pipeline) -> list:
    """The team's own alerts: a rep or an account holding more than
    ``rules.concentration_share`` of the won revenue or the open pipeline (the
    method's warning: customers leave with a star rep)."""
    return list(concentration(deals, p.rules.concentration_share))



def _team_counts(reps: list[tuple[str, Funnel, Figures]], p: Pipeline,
                 target: float | None = None) -> tuple[Funnel, Figures]:
    """The team's funnel and figures: its reps' counts (owner, funnel, figures) added."""
    figures = Figures.summed([f for _, _, f in reps], p)
    stages = StageTally.summed([
        StageTally([s.count for s in funnel.stages], [s.amount for s in funnel.stages],
                   [s.weighted for s in funnel.stages], funnel.late, {owner: f.deals})
        for owner, funnel, f in reps]) if reps else stage_tally([], p)
    return funnel_of(stages, p, figures.observed, target), figures


def _team_targets(deals: list[Summary], p: Pipeline, today: dt.date, period: str,
                  owners: set[str] | None) -> list[Progress]:
    """The targets of the team and its teams (the reps' own are in their sections)."""
    return [t for t in committed_progress(deals, p, period, today, owners)
            if t.owner == "team" or t.owner in p.teams]


def _move_order(m: Moved) -> tuple:
    return MOVE_ORDER[m.kind], m.date, m.deal


def rep_sections(groups: list[tuple[str, list[Summary]]], p: Pipeline, today: dt.date,
                 since: dt.date, period: str) -> list[Section]:
    """The sections of these reps (owner and deals), in order."""
    return [section(rep_review(o, ds, p, today, since, period)) for o, ds in groups]


def leaderboard(groups: dict[str, list[Summary]], p: Pipeline, period: str) -> list[Leader]:
    """The reps (owner: deals) by what they signed in the period, money first."""
    start, end = period_bounds(period)
    targets = {t.owner: t for t in p.targets if t.period == period}
    board = []
    for o, deals in groups.items():
        won = won_in(deals, start, end)
        t = targets.get(o)
        board.append(Leader(o, len(won), sum(d.amount for d in won),
                            float(t.deals) if t and t.deals is not None else None,
                            t.amount if t else None))
    board.sort(key=lambda x: (-x.won_amount, -x.won_deals, x.owner))
    return board


def waivers(deals: list[Summary]) -> list[dict]:
    """The forced moves: each stage entered without its milestones, and why."""
    return [{"deal": d.id, "owner": d.owner, "stage": w[0], "date": w[1], "reason": w[2],
             "waived": w[3]} for d in deals for w in d.waived]


def weekly_review(deals: list[Summary], p: Pipeline, today: dt.date, since: dt.date,
                  period: str | None = None, owners: set[str] | None = None) -> Review:
    period = period or period_of(today)
    groups = by_owner(deals)
    reps = [rep_review(o, ds, p, today, since, period) for o, ds in groups.items()]
    return Review(today, since, period, reps, team_review(reps, deals, p, today, period, owners),
                  leaderboard(groups, p, period), waivers(deals))
