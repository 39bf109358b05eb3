"""The month: the monthly report and next month's plan, the losses, the daily
tracking of a month's targets, and the rule that the reps' targets cover their
team's.

**Month report** (``month_report``), per rep and for the team, for a period
YYYY-MM:

- signed against the period's target (deals and money), won by outcome date;
- the funnel's movement during the month: deals entering each stage (the first
  entry of a deal that came in by an import is no entry), inflow (new deals),
  advanced, regressed, won and lost, as ``review`` counts them;
- the losses of the month (``Losses``);
- the KPIs against the previous month (``Kpis``): win rate (won / closed, by
  outcome date in the month), average won deal, cycle days (creation to
  signature, over the deals won in the month), inflow (deals that came in);
- next month's target and the pipeline it needs now, from the back-calculation
  (``targets.required_pipeline``) over the deals held today.

**Losses** (``losses_of``): the deals lost in a span of days, by the stage they
were lost at, by reason (in stages.yaml's order) and by the competitor named.

**Daily tracking** (``daily_tracking``): each target of the period against an even
pace over the month's working days (Monday to Friday, no holiday calendar): due by
today = target x working days gone (today included) / working days in the month;
the gap is due minus signed (positive: behind). The month's rhythm goes by its
calendar thirds: days 1-10 build the funnel, 11-20 split the deals (decide which
deals make the rest of the target), 21 to the end press for signatures.

**Target shortfalls** (``target_shortfalls``): for each period, a team's target
(``owner: <team>``) against the sum of its members' targets, and the whole team's
(``owner: team``) against the sum of every rep's target and, where teams have
targets, the sum of the teams': the decomposed targets must at least cover the
assigned one, in deals and in money each (a rep without a target counts 0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from funnelctl.analysis.cadence import in_english
from funnelctl.analysis.currency import is_left_out
from funnelctl.analysis.day import working_days
from funnelctl.analysis.review import moves_since
from funnelctl.analysis.targets import (
    Progress,
    TargetPlan,
    average_won_amount,
    committed_progress,
    period_bounds,
    required_pipeline,
    target_deals_of,
    won_in,
)
from funnelctl.i18n import N_, _, formats, ngettext
from funnelctl.pipeline import Pipeline, Target
from funnelctl.summary import AboutDeal, Summary


def shift_period(period: str, months: int) -> str:
    """The period ``months`` after (or before, negative) ``period``."""
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _r(x: float | None, n: int = 1) -> float | None:
    return None if x is None else round(x, n)


# -- losses ---------------------------------------------------------------------------


@dataclass
class Tally:
    """A count and the money of the deals under one key (a stage, a reason, a
    competitor)."""

    key: str
    label: str
    count: int = 0
    amount: float = 0.0
    # the stage or loss reason of stages.yaml counted (None: a competitor, or an id
    # stages.yaml no longer has): the views name it in their language
    item: Any = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict:
        return {"key": self.key, "label": self.label, "count": self.count,
                "amount": round(self.amount, 2)}


@dataclass(slots=True)
class LostDeal(AboutDeal):
    of: Summary

    def as_json(self) -> dict:
        d = self.of
        return {"deal": d.id, "account": d.account, "owner": d.owner, "stage": d.stage,
                "amount": d.amount, "date": d.outcome_date, "reason": d.lost_reason,
                "competitor": d.competitor}


@dataclass
class Losses:
    deals: list[LostDeal]
    by_stage: list[Tally]
    by_reason: list[Tally]
    competitors: list[Tally]
    # the pipeline the deals were counted over: the views name its stages and
    # reasons in their language (not part of the data)
    pipeline: Pipeline | None = field(default=None, repr=False, compare=False)

    @property
    def count(self) -> int:
        return len(self.deals)

    @property
    def amount(self) -> float:
        return sum(x.of.amount for x in self.deals)

    def as_json(self) -> dict:
        return {"count": self.count, "amount": round(self.amount, 2),
                "by_stage": [t.as_json() for t in self.by_stage],
                "by_reason": [t.as_json() for t in self.by_reason],
                "competitors": [t.as_json() for t in self.competitors],
                "deals": [x.as_json() for x in self.deals]}


NO_COMPETITOR = "(none named)"


def losses_of(deals: Iterable[Summary], p: Pipeline, start: dt.date, end: dt.date) -> Losses:
    """The deals lost from ``start`` to ``end`` (their outcome's date, both days
    included), by the stage they were lost at (pipeline order, an unknown stage
    last), by reason (stages.yaml's order, an unknown reason last) and by competitor
    (most deals first; deals lost to a competitor nobody named are counted apart)."""
    lost = sorted((d for d in deals if d.status == "lost" and d.outcome_date is not None
                   and start <= d.outcome_date <= end),
                  key=lambda d: (d.outcome_date, d.id))
    stages = {s.id: Tally(s.id, s.label, item=s) for s in p.stages}
    reasons = {r.id: Tally(r.id, r.label, item=r) for r in p.lost.reasons}
    rivals: dict[str, Tally] = {}
    for d in lost:
        s = stages.setdefault(d.stage, Tally(d.stage, d.stage))
        reason = d.lost_reason or "(none)"
        r = reasons.setdefault(reason, Tally(reason, reason))
        for t in (s, r):
            t.count += 1
            t.amount += d.amount
        named = d.competitor
        if named or reason == "competitor":
            key = named or NO_COMPETITOR
            c = rivals.setdefault(key, Tally(key, key))
            c.count += 1
            c.amount += d.amount
    return Losses([LostDeal(d) for d in lost], [t for t in stages.values() if t.count],
                  [t for t in reasons.values() if t.count],
                  sorted(rivals.values(), key=lambda t: (-t.count, -t.amount, t.key)), p)


# -- KPIs and movement ----------------------------------------------------------------


@dataclass
class Kpis:
    """What a month's closings and inflow count, and the rates that follow."""

    period: str
    won: int
    lost: int
    won_amount: float  # of the won deals whose amount is known (priced)
    priced: int
    cycle_days: float | None  # creation to signature, average over the won deals
    inflow: int  # deals that came in during the month
    inflow_amount: float

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None

    @property
    def average_won(self) -> float | None:
        return self.won_amount / self.priced if self.priced else None

    def figures(self) -> dict[str, float | None]:
        return {"win_rate": self.win_rate, "average_won": self.average_won,
                "cycle_days": self.cycle_days, "inflow": float(self.inflow)}

    def as_json(self) -> dict:
        return {"period": self.period, "won": self.won, "lost": self.lost,
                "won_amount": round(self.won_amount, 2), "win_rate": _r(self.win_rate, 3),
                "average_won": _r(self.average_won, 2), "cycle_days": _r(self.cycle_days),
                "inflow": self.inflow, "inflow_amount": round(self.inflow_amount, 2)}


def _came_in(d: Summary) -> bool:
    """Whether the deal's first history entry is its coming in (not a stage an
    import brought along)."""
    return not d.imported


def kpis(deals: Iterable[Summary], p: Pipeline, period: str) -> Kpis:
    start, end = period_bounds(period)
    won = lost = priced = dated = inflow = 0
    won_amount = inflow_amount = 0.0
    cycle = 0
    for d in deals:
        o = d.outcome_date
        if o is not None and start <= o <= end:
            if d.status == "won":
                won += 1
                if not is_left_out(d, p):
                    won_amount += d.amount
                    priced += 1
                cycle += (o - d.created).days
                dated += 1
            elif d.status == "lost":
                lost += 1
        if start <= d.history[0][1] <= end and _came_in(d):
            inflow += 1
            inflow_amount += d.amount
    return Kpis(period, won, lost, won_amount, priced, cycle / dated if dated else None,
                inflow, inflow_amount)


def kpi_changes(now: Kpis, before: Kpis) -> dict[str, dict[str, float | None]]:
    """Each KPI this month, the month before, and the change (None where either
    month has no figure)."""
    a, b = now.figures(), before.figures()
    return {k: {"this": _r(a[k], 3), "previous": _r(b[k], 3),
                "change": None if a[k] is None or b[k] is None else round(a[k] - b[k], 3)}
            for k in a}


@dataclass
class Movement:
    """The funnel's movement in a span: entries per stage (the won outcome too), and
    the moves as ``review`` counts them."""

    entered: dict[str, int]
    inflow: int = 0
    advanced: int = 0
    regressed: int = 0
    won: int = 0
    lost: int = 0

    def as_json(self) -> dict:
        return {"entered": self.entered, "inflow": self.inflow, "advanced": self.advanced,
                "regressed": self.regressed, "won": self.won, "lost": self.lost}


def movement(deals: list[Summary], p: Pipeline, start: dt.date, end: dt.date) -> Movement:
    entered = {s: 0 for s in [*p.stage_ids, p.won.id]}
    for d in deals:
        if d.last_move < start:
            continue
        for i, (stage, date, _how) in enumerate(d.history):
            if start <= date <= end and stage in entered and (i or _came_in(d)):
                entered[stage] += 1
    m = Movement(entered)
    for x in moves_since(deals, p, start, end):
        setattr(m, x.kind, getattr(m, x.kind) + 1)
    return m


# -- the month report -----------------------------------------------------------------


def targets_of(p: Pipeline, period: str) -> dict[str, Target]:
    """The period's targets by owner (a rep, a team, or ``team``); the last entry wins
    when stages.yaml lists an owner twice."""
    return {t.owner: t for t in p.targets if t.period == period}


@dataclass
class MonthSection:
    owner: str
    team: bool
    target_deals: float | None
    target_amount: float | None
    signed: int
    signed_amount: float
    movement: Movement
    losses: Losses
    kpis: Kpis
    previous: Kpis
    next_period: str
    next_target_deals: float | None
    next_target_amount: float | None
    next_plan: TargetPlan | None

    @property
    def changes(self) -> dict[str, dict[str, float | None]]:
        return kpi_changes(self.kpis, self.previous)

    def as_json(self) -> dict:
        return {"owner": self.owner,
                "target": {"deals": self.target_deals, "amount": self.target_amount},
                "signed": {"deals": self.signed, "amount": round(self.signed_amount, 2)},
                "movement": self.movement.as_json(), "losses": self.losses.as_json(),
                "kpis": self.kpis.as_json(), "previous": self.previous.as_json(),
                "changes": self.changes,
                "next": {"period": self.next_period,
                         "target": {"deals": self.next_target_deals,
                                    "amount": self.next_target_amount},
                         "plan": self.next_plan.as_json() if self.next_plan else None}}


@dataclass
class MonthReport:
    period: str
    previous: str
    next: str
    reps: list[MonthSection]
    team: MonthSection | None

    def as_json(self) -> dict:
        return {"period": self.period, "previous": self.previous, "next": self.next,
                "reps": [r.as_json() for r in self.reps],
                "team": self.team.as_json() if self.team else None}


def month_section(owner: str, deals: list[Summary], p: Pipeline, period: str,
                  target: Target | None, next_target: Target | None,
                  team: bool = False) -> MonthSection:
    """One rep's month (or the team's, over every deal of its reps)."""
    start, end = period_bounds(period)
    won = won_in(deals, start, end)
    avg: float | None = None
    if (target and target.deals is None) or (next_target and next_target.deals is None):
        avg = average_won_amount(deals, p)
    nxt = shift_period(period, 1)
    n_next = target_deals_of(next_target, avg) if next_target else None
    return MonthSection(
        owner, team, target_deals_of(target, avg) if target else None,
        target.amount if target else None, len(won), sum(d.amount for d in won),
        movement(deals, p, start, end), losses_of(deals, p, start, end),
        kpis(deals, p, period), kpis(deals, p, shift_period(period, -1)), nxt,
        n_next, next_target.amount if next_target else None,
        required_pipeline(n_next, deals, p) if n_next else None)


def month_report(groups: dict[str, list[Summary]], p: Pipeline, period: str,
                 team_owner: str | None = "team") -> MonthReport:
    """Each rep's month (``groups``: rep -> his deals), and the team's over all of them
    against the target of ``team_owner`` (``team``, a team of stages.yaml, or None:
    no team target, as for a hand-picked set of reps). One rep: no team section."""
    now, nxt = targets_of(p, period), targets_of(p, shift_period(period, 1))
    reps = [month_section(o, ds, p, period, now.get(o), nxt.get(o))
            for o, ds in groups.items()]
    team = None
    if len(groups) != 1:
        every = [d for ds in groups.values() for d in ds]
        team = month_section(team_owner or "team", every, p, period,
                             now.get(team_owner) if team_owner else None,
                             nxt.get(team_owner) if team_owner else None, team=True)
    return MonthReport(period, shift_period(period, -1), shift_period(period, 1), reps, team)


def losses_report(groups: dict[str, list[Summary]], p: Pipeline, start: dt.date,
                  end: dt.date) -> tuple[dict[str, Losses], Losses]:
    """Each rep's losses in the span, and the team's."""
    reps = {o: losses_of(ds, p, start, end) for o, ds in groups.items()}
    return reps, losses_of([d for ds in groups.values() for d in ds], p, start, end)


# -- daily tracking -------------------------------------------------------------------

THIRDS = (("first", "build", "build the funnel"),
          ("middle", "split", "split the deals"),
          ("last", "press", "press for signatures"))


def third_of(day: dt.date) -> int:
    """0, 1 or 2: the calendar third of the month ``day`` is in (1-10, 11-20, 21-)."""
    return 0 if day.day <= 10 else 1 if day.day <= 20 else 2


@dataclass
class Focus:
    """What the phase of the month asks of one target's reps, in numbers."""

    remaining: float | None  # deals still to sign (None: a money target, no average)
    short: list[tuple[str, str, float]]  # (stage, label, deals short) the rest needs
    late: list[tuple[str, str, int, float]]  # (stage, label, deals, amount), last two stages
    closing: list[Summary]  # open deals expected to close by the period's end

    def as_json(self) -> dict:
        return {"remaining": _r(self.remaining, 2),
                "short": [{"stage": s, "short": round(g, 2)} for s, _label, g in self.short],
                "late_stages": [{"stage": s, "deals": n, "amount": round(a, 2)}
                                for s, _label, n, a in self.late],
                "closing": [{"deal": d.id, "account": d.account, "stage": d.stage,
                             "amount": d.amount, "close": d.close} for d in self.closing]}


@dataclass
class DailyRow:
    progress: Progress
    pace: float  # share of the month's working days gone
    focus: Focus

    @property
    def due_deals(self) -> float | None:
        t = self.progress.target_deals
        return None if t is None else t * self.pace

    @property
    def due_amount(self) -> float | None:
        t = self.progress.target_amount
        return None if t is None else t * self.pace

    @property
    def gap_deals(self) -> float | None:
        due = self.due_deals
        return None if due is None else due - self.progress.won_deals

    @property
    def gap_amount(self) -> float | None:
        due = self.due_amount
        return None if due is None else due - self.progress.won_amount

    def as_json(self) -> dict:
        pr = self.progress
        return {"owner": pr.owner, "target_deals": pr.target_deals,
                "target_amount": pr.target_amount, "due_deals": _r(self.due_deals, 2),
                "due_amount": _r(self.due_amount, 2), "signed_deals": pr.won_deals,
                "signed_amount": round(pr.won_amount, 2), "gap_deals": _r(self.gap_deals, 2),
                "gap_amount": _r(self.gap_amount, 2), "focus": self.focus.as_json()}


@dataclass
class Daily:
    period: str
    today: dt.date
    working_days: int  # in the month
    worked: int  # of them, gone by today (today included)
    third: str | None  # first | middle | last; None when today is outside the period
    phase: str | None  # build | split | press
    advice: str | None  # the phase in words
    rows: list[DailyRow]

    @property
    def pace(self) -> float:
        return self.worked / self.working_days if self.working_days else 1.0

    def as_json(self) -> dict:
        return {"period": self.period, "today": self.today, "working_days": self.working_days,
                "worked": self.worked, "pace": round(self.pace, 4), "third": self.third,
                "phase": self.phase, "advice": self.advice,
                "targets": [r.as_json() for r in self.rows]}


def _members(owner: str, p: Pipeline) -> set[str] | None:
    if owner == "team":
        return None
    return set(p.teams[owner]) if owner in p.teams else {owner}


def focus_of(deals: list[Summary], p: Pipeline, pr: Progress, end: dt.date) -> Focus:
    """The figures the month's phases ask about, over the target's reps' deals."""
    members = _members(pr.owner, p)
    mine = [d for d in deals if members is None or d.owner in members]
    remaining = None if pr.target_deals is None else max(0.0, pr.target_deals - pr.won_deals)
    short = [(r.stage, r.label, r.gap) for r in pr.plan.rows if r.gap > 1e-9] \
        if pr.plan else []
    late_ids = p.stage_ids[-2:]
    late = []
    for sid in late_ids:
        held = [d for d in mine if d.status == "open" and d.stage == sid]
        late.append((sid, p.label(sid), len(held), sum(d.amount for d in held)))
    closing = sorted((d for d in mine if d.status == "open" and d.close is not None
                      and d.close <= end),
                     key=lambda d: (-p.positions.get(d.stage, -1), -d.amount, d.id))
    return Focus(remaining, short, late, closing)


def daily_tracking(deals: list[Summary], p: Pipeline, period: str, today: dt.date,
                   owners: set[str] | None = None) -> Daily:
    """Each target of the period (``committed_progress``: only the targets wholly
    inside ``owners``) against an even pace over the month's working days."""
    start, end = period_bounds(period)
    total = working_days(start, end)
    worked = working_days(start, min(today, end)) if today >= start else 0
    pace = worked / total if total else 1.0
    third = phase = advice = None
    if start <= today <= end:
        third, phase, advice = THIRDS[third_of(today)]
    rows = [DailyRow(pr, pace, focus_of(deals, p, pr, end))
            for pr in committed_progress(deals, p, period, today, owners)]
    return Daily(period, today, total, worked, third, phase, advice, rows)


# -- the reps' targets cover their team's -----------------------------------------------


# what a ``team`` target's shortfall added up, in its message
SUMMED = {"reps": N_("the reps' targets"), "teams": N_("the teams' targets")}


@dataclass
class Shortfall:
    """A target (``index`` in stages.yaml's ``targets``) that the targets under it do
    not cover in one measure (``deals`` or ``amount``)."""

    period: str
    index: int
    owner: str  # a team of stages.yaml, or ``team``
    of_what: str  # "reps" or "teams": what was added up
    measure: str  # deals | amount
    target: float
    summed: float
    parts: list[tuple[str, float]]  # (owner, value) that were added
    missing: list[str] = field(default_factory=list)  # under it, with no such figure

    @property
    def message(self) -> str:
        """The warning in the active language (in English in the JSON)."""
        money = self.measure == "amount"

        def figure(x: float) -> str:
            return formats.money(x) if money else f"{x:g}"

        def n(x: float) -> str:
            if money:
                return formats.money(x)
            return ngettext("{count} deal", "{count} deals", 1 if x == 1 else 2).format(
                count=f"{x:g}")

        if self.owner == "team":
            subject = _(SUMMED[self.of_what])
            whose = _("the team's {target}")
        else:
            subject = _("the targets of {owner}'s reps").format(owner=self.owner)
            whose = _("{owner}'s {target}")
        parts = ", ".join(f"{o} {figure(v)}" for o, v in self.parts) or _("no target")
        if self.missing:
            parts = _("{parts}; none for {owners}").format(parts=parts,
                                                           owners=", ".join(self.missing))
        return _("targets {period}: {subject} add up to {summed} ({parts}), less than "
                 "{whose}: the decomposed targets must cover the assigned one").format(
            period=formats.period(self.period), subject=subject, summed=n(self.summed),
            parts=parts, whose=whose.format(owner=self.owner, target=n(self.target)))

    def as_json(self) -> dict:
        with in_english():
            message = self.message
        return {"period": self.period, "index": self.index, "owner": self.owner,
                "added": self.of_what, "measure": self.measure, "target": self.target,
                "summed": self.summed, "parts": [{"owner": o, "value": v}
                                                 for o, v in self.parts],
                "missing": self.missing, "message": message}


def _short(period: str, index: int, parent: Target, of_what: str,
           children: list[tuple[str, Target | None]]) -> list[Shortfall]:
    out = []
    for measure in ("deals", "amount"):
        want = getattr(parent, measure)
        if want is None:
            continue
        parts = [(o, float(getattr(t, measure))) for o, t in children
                 if t is not None and getattr(t, measure) is not None]
        summed = sum(v for _owner, v in parts)
        if summed < want - 1e-9:
            missing = [o for o, t in children if t is None or getattr(t, measure) is None]
            out.append(Shortfall(period, index, parent.owner, of_what, measure, float(want),
                                 summed, parts, missing))
    return out


def target_shortfalls(p: Pipeline) -> list[Shortfall]:
    """Every team target not covered by its members' targets, and every ``team``
    target not covered by all the reps' (nor by the teams', where teams have
    targets), per period and measure, in stages.yaml's order."""
    out: list[Shortfall] = []
    by_period: dict[str, dict[str, tuple[int, Target]]] = {}
    for i, t in enumerate(p.targets):
        by_period.setdefault(t.period, {})[t.owner] = (i, t)
    team_members = sorted({m for ms in p.teams.values() for m in ms})
    for period, found in by_period.items():
        for owner, (i, t) in found.items():
            if owner in p.teams:
                kids: list[tuple[str, Any]] = [(m, found.get(m, (0, None))[1])
                                               for m in p.teams[owner]]
                out.extend(_short(period, i, t, "reps", kids))
            elif owner == "team":
                reps = sorted({o for o in found if o != "team" and o not in p.teams}
                              | set(team_members))
                out.extend(_short(period, i, t, "reps",
                                  [(o, found.get(o, (0, None))[1]) for o in reps]))
                teams = [(o, found[o][1]) for o in p.teams if o in found]
                if teams:
                    out.extend(_short(period, i, t, "teams",
                                      [(o, found.get(o, (0, None))[1]) for o in p.teams]))
    out.sort(key=lambda s: (s.index, s.of_what, s.measure))
    return out


def target_findings(p: Pipeline) -> list[tuple[tuple[Any, ...], str]]:
    """``target_shortfalls`` as (location in stages.yaml, message), as the checks
    report: the location is the team's target entry."""
    return [(("targets", s.index), s.message) for s in target_shortfalls(p)]

