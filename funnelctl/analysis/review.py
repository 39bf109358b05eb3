"""The weekly review: per rep, the funnel against the target, what moved since the
last meeting, the warnings, the questions to ask, and the process figures; then a
team summary and the period's leaderboard."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from funnelctl.analysis.conversion import Observed, observed_conversion, summed
from funnelctl.analysis.funnel import Funnel, StageTally, funnel_of, stage_tally
from funnelctl.analysis.select import is_snoozed
from funnelctl.analysis.stalls import Warning, deal_warnings, worst_first
from funnelctl.analysis.targets import (
    Progress,
    committed_progress,
    period_bounds,
    period_of,
    won_in,
)
from funnelctl.pipeline import Ladder, Pipeline
from funnelctl.summary import AboutDeal, Summary

# Runs a function elsewhere and returns a function that waits for its result
Aside = Callable[..., Callable[[], Any]]


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
    deals: int
    open_deals: int
    won: int
    lost: int
    actions_per_won: float | None
    cycle_days: float | None
    days_in_stage: dict[str, float | None]
    conversion: dict[str, float | None]
    win_rate: float | None
    average_won: float | None
    velocity: float | None  # amount per day

    def as_json(self) -> dict:
        r = _round
        return {"deals": self.deals, "open": self.open_deals, "won": self.won,
                "lost": self.lost, "actions_per_won": r(self.actions_per_won),
                "cycle_days": r(self.cycle_days),
                "days_in_stage": {k: r(v) for k, v in self.days_in_stage.items()},
                "conversion": {k: r(v, 3) for k, v in self.conversion.items()},
                "win_rate": r(self.win_rate, 3), "average_won": r(self.average_won),
                "velocity_per_day": r(self.velocity)}


def _round(x: float | None, n: int = 1) -> float | None:
    return None if x is None else round(x, n)


@dataclass
class Tallies:
    stages: StageTally
    figures: FigureTally
    observed: list[Observed]


@dataclass
class RepReview:
    owner: str
    funnel: Funnel
    targets: list[Progress]
    moved: list[Moved]
    warnings: list[Warning]
    snoozed: int
    questions: list[Question]
    figures: Figures
    flagged: list[dict] = field(default_factory=list)  # deals that break a process rule
    tallies: Tallies | None = field(default=None, repr=False)  # what a team sums
    by_deal: dict[str, list[Warning]] | None = field(default=None, repr=False)

    def as_json(self) -> dict:
        return {"owner": self.owner, "funnel": self.funnel.as_json(),
                "targets": [t.as_json() for t in self.targets],
                "moved": [m.as_json() for m in self.moved],
                "warnings": [w.as_json() for w in self.warnings], "snoozed": self.snoozed,
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


def moves_since(deals: list[Summary], p: Pipeline, since: dt.date, today: dt.date
                ) -> list[Moved]:
    out: list[Moved] = []
    pos = p.positions
    for d in deals:
        # most deals did not move in the window: their history is not walked
        for i, (stage, date, forced) in enumerate(d.history if d.last_move >= since else ()):
            if not since <= date <= today:
                continue
            if i == 0:
                out.append(Moved(d.id, d.account, d.owner, "inflow", date, stage,
                                 amount=d.amount))
                continue
            prev = d.history[i - 1][0]
            if stage == p.won.id:
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
    order = {"won": 0, "lost": 1, "advanced": 2, "regressed": 3, "inflow": 4}
    out.sort(key=lambda m: (order[m.kind], m.date, m.deal))
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
            return f"what stands between us and: {'; '.join(m.label.lower() for m in x)}?"
        if kind == "ladder":
            ladder, level, when, stage, need = x
            label = ladder.label.lower() if isinstance(ladder, Ladder) else ladder
            return (f"{label} has stayed at {level}"
                    f"{' since ' + str(when) if when else ''}; "
                    f"{stage} needs {need}: what is the next step up?")
        if kind == "veto":
            return f"veto holders not yet met and agreed: {', '.join(self.of.veto_unmet)}"
        if kind == "power":
            return "we have not met the decision maker yet"
        return "what is the next step, and when?"

    def as_json(self) -> dict:
        return {"deal": self.of.id, "account": self.of.account, "kind": self.kind,
                "question": self.text}


def questions(d: Summary, p: Pipeline, today: dt.date, since: dt.date) -> list[Question]:
    """The manager's questions for one open deal, from what is missing."""
    i = p.positions.get(d.stage)
    if d.status != "open" or i is None or i >= len(p.stages):
        return []
    out: list[Question] = []
    stage = p.stages[i]
    if stage.milestones and (today - d.history[-1][1]).days > stage.stall_days // 2:
        ticked = d.ticked
        missing = tuple(m for m in stage.milestones if m.id not in ticked)
        if missing:
            out.append(Question(d, "milestone", missing))
    if i + 1 < len(p.stages):
        after = p.stages[i + 1]
        levels = d.levels
        for lid, need in after.requires.items():
            level, when = levels.get(lid, (0, None))
            if level < need and (when is None or when < since):
                out.append(Question(d, "ladder", (p.ladder(lid) or lid, level, when,
                                                  after.label, need)))
    if d.veto_unmet and i >= 1:
        out.append(Question(d, "veto"))
    if d.decision_maker_met is False and i >= 2:
        out.append(Question(d, "power"))
    if d.next_date is None:
        out.append(Question(d, "next_step"))
    return out


@dataclass
class FigureTally:
    """What the process figures count of a set of deals; tallies of disjoint sets add
    up, so a team's figures are the sum of its reps'."""

    deals: int = 0
    open_deals: int = 0
    won: int = 0
    lost: int = 0
    won_amount: float = 0.0
    won_actions: int = 0
    cycle_days: int = 0
    cycles: int = 0
    stay_days: dict[str, int] = field(default_factory=dict)  # per open stage
    stays: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def summed(parts: list[FigureTally]) -> FigureTally:
        """The tally of disjoint sets of deals together (a team from its reps)."""
        out = FigureTally()
        stay_days: Counter[str] = Counter()
        stays: Counter[str] = Counter()
        for t in parts:
            out.deals += t.deals
            out.open_deals += t.open_deals
            out.won += t.won
            out.lost += t.lost
            out.won_amount += t.won_amount
            out.won_actions += t.won_actions
            out.cycle_days += t.cycle_days
            out.cycles += t.cycles
            stay_days.update(t.stay_days)
            stays.update(t.stays)
        out.stay_days, out.stays = dict(stay_days), dict(stays)
        return out


def figure_tally(deals: list[Summary], p: Pipeline) -> FigureTally:
    t = FigureTally(deals=len(deals))
    stay_days: dict[str, int] = defaultdict(int)
    stays: dict[str, int] = defaultdict(int)
    open_ids = set(p.stage_ids)
    for d in deals:
        status = d.status
        if status == "open":
            t.open_deals += 1
        elif status == "won":
            t.won += 1
            t.won_amount += d.amount
            t.won_actions += d.actions
            if d.outcome_date:
                t.cycle_days += (d.outcome_date - d.created).days
                t.cycles += 1
        elif status == "lost":
            t.lost += 1
        h = d.history
        stage, date, _ = h[0]
        for nxt in h[1:]:  # each stay ends at the next move
            if stage in open_ids:
                stay_days[stage] += (nxt[1] - date).days
                stays[stage] += 1
            stage, date = nxt[0], nxt[1]
        if status == "lost" and d.outcome_date and stage in open_ids:
            stay_days[stage] += (d.outcome_date - date).days  # the last stay ends lost
            stays[stage] += 1
    t.stay_days, t.stays = dict(stay_days), dict(stays)
    return t


def process_figures(deals: list[Summary], p: Pipeline, today: dt.date,
                    observed: list[Observed] | None = None) -> Figures:
    obs = observed if observed is not None else observed_conversion(deals, p)
    return figures_of(figure_tally(deals, p), p, obs)


def figures_of(t: FigureTally, p: Pipeline, obs: list[Observed]) -> Figures:
    closed = t.won + t.lost
    win_rate = t.won / closed if closed else None
    avg_won = t.won_amount / t.won if t.won else None
    cycle = t.cycle_days / t.cycles if t.cycles else None
    velocity = (t.open_deals * avg_won * win_rate / cycle
                if avg_won and win_rate and cycle else None)
    return Figures(
        deals=t.deals, open_deals=t.open_deals, won=t.won, lost=t.lost,
        actions_per_won=t.won_actions / t.won if t.won else None,
        cycle_days=cycle,
        days_in_stage={s.id: (t.stay_days[s.id] / t.stays[s.id] if t.stays.get(s.id) else None)
                       for s in p.stages},
        conversion={o.stage: o.rate for o in obs},
        win_rate=win_rate, average_won=avg_won, velocity=velocity)


def tally(deals: list[Summary], p: Pipeline) -> Tallies:
    """What a set of deals counts, whatever the date: a team sums its reps'."""
    return Tallies(stage_tally(deals, p), figure_tally(deals, p), observed_conversion(deals, p))


class _Found(NamedTuple):
    """A rep's findings that depend on the date, before the tallies join them."""

    owner: str
    targets: list[Progress]
    moved: list[Moved]
    warnings: list[Warning]
    snoozed: int
    questions: list[Question]
    flagged: list[dict]
    by_deal: dict[str, list[Warning]]


def _findings(owner: str, deals: list[Summary], p: Pipeline, today: dt.date,
              since: dt.date, period: str) -> _Found:
    warnings: list[Warning] = []
    by_deal: dict[str, list[Warning]] = {}
    asks: list[Question] = []
    snoozed = 0
    for d in deals:
        if d.status != "open":
            continue
        if is_snoozed(d, today):
            snoozed += 1
            continue
        ws = deal_warnings(d, p, today)
        if ws:
            warnings.extend(ws)
            by_deal.setdefault(d.id, []).extend(ws)
        asks.extend(questions(d, p, today, since))
    warnings.sort(key=worst_first)
    flagged = [{"deal": d.id, "path": d.path, "problems": list(d.flags)}
               for d in deals if d.flags]
    return _Found(owner, committed_progress(deals, p, period, today, owners={owner}),
                  moves_since(deals, p, since, today), warnings, snoozed, asks, flagged,
                  by_deal)


def _reviewed(f: _Found, t: Tallies, p: Pipeline) -> RepReview:
    return RepReview(f.owner, funnel_of(t.stages, p, t.observed), f.targets, f.moved,
                     f.warnings, f.snoozed, f.questions, figures_of(t.figures, p, t.observed),
                     f.flagged, t, f.by_deal)


def _tallies(groups: list[list[Summary]], p: Pipeline) -> list[Tallies]:
    return [tally(g, p) for g in groups]


def team_review(reps: list[RepReview], deals: list[Summary], p: Pipeline, today: dt.date,
                period: str, owners: set[str] | None) -> RepReview:
    """The team: the reps' findings gathered, their tallies summed (no deal is looked
    at twice)."""
    order = {"won": 0, "lost": 1, "advanced": 2, "regressed": 3, "inflow": 4}
    moved = sorted((m for r in reps for m in r.moved),
                   key=lambda m: (order[m.kind], m.date, m.deal))
    warnings = sorted((w for r in reps for w in r.warnings),
                      key=worst_first)
    targets = [t for t in committed_progress(deals, p, period, today, owners)
               if t.owner == "team" or t.owner in p.teams]  # reps' own are in their section
    parts = [r.tallies for r in reps if r.tallies is not None]
    if parts:
        tallies = Tallies(StageTally.summed([t.stages for t in parts]),
                          FigureTally.summed([t.figures for t in parts]),
                          summed([t.observed for t in parts], p))
    else:
        tallies = Tallies(stage_tally([], p), figure_tally([], p), observed_conversion([], p))
    return RepReview("team", funnel_of(tallies.stages, p, tallies.observed), targets, moved,
                     warnings, sum(r.snoozed for r in reps),
                     [q for r in reps for q in r.questions],
                     figures_of(tallies.figures, p, tallies.observed),
                     [f for r in reps for f in r.flagged], tallies, _merged(reps))


def _merged(reps: list[RepReview]) -> dict[str, list[Warning]]:
    out: dict[str, list[Warning]] = {}
    for r in reps:
        for deal, ws in (r.by_deal or {}).items():
            if deal in out:  # one id in two reps' files: a duplicate, reported apart
                out[deal] = [*out[deal], *ws]
            else:
                out[deal] = ws
    return out


def weekly_review(deals: list[Summary], p: Pipeline, today: dt.date, since: dt.date,
                  period: str | None = None, owners: set[str] | None = None,
                  aside: Aside | None = None) -> Review:
    """``aside``, if given, runs a function elsewhere and returns a function that
    gives its result (``funnelctl.aside.forked``): the answer is the same."""
    period = period or period_of(today)
    by_owner: dict[str, list[Summary]] = defaultdict(list)
    for d in deals:
        by_owner[d.owner].append(d)
    names = sorted(by_owner)
    # The tallies do not depend on the date: with ``aside=forked`` the other core
    # counts them while this one looks for warnings, questions and moves
    groups = [by_owner[o] for o in names]
    later = aside(_tallies, groups, p) if aside else None
    found = [_findings(o, g, p, today, since, period) for o, g in zip(names, groups, strict=True)]
    tallies = later() if later else _tallies(groups, p)
    reps = [_reviewed(f, t, p) for f, t in zip(found, tallies, strict=True)]
    team = team_review(reps, deals, p, today, period, owners)
    start, end = period_bounds(period)
    targets = {t.owner: t for t in p.targets if t.period == period}
    board = []
    for o in sorted(by_owner):
        won = won_in(by_owner[o], start, end)
        t = targets.get(o)
        board.append(Leader(o, len(won), sum(d.amount for d in won),
                            float(t.deals) if t and t.deals is not None else None,
                            t.amount if t else None))
    board.sort(key=lambda x: (-x.won_amount, -x.won_deals, x.owner))
    waivers = [{"deal": d.id, "owner": d.owner, "stage": w[0], "date": w[1], "reason": w[2],
                "waived": w[3]} for d in deals for w in d.waived]
    return Review(today, since, period, reps, team, board, waivers)
