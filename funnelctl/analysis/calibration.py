"""Win rates and timing learnt from the pipeline's own closed deals, and each deal as
it was known on a past day (for a backtest that does not peek).

**Win rate of a stage.** Among the deals closed by the day the rates are made for
that passed through the stage, the share that was won. The team's rate is
shrunk toward the configured probability of stages.yaml, and each rep's toward
the team's, with a beta prior worth ``forecast.prior_weight`` deals (W)::

    team = (won + W x configured) / (closed + W)
    rep  = (rep's won + W x team) / (rep's closed + W)

so a stage no deal has closed through keeps its configured probability, and a
rep with three closed deals is mostly the team.

**A deal that has waited.** An open deal that has sat at its stage for ``a`` days
is judged against the closed deals that stayed at that stage more than ``a``
days: its rep's rate, in odds, times how much more often the won than the lost
ones stayed that long. Both shares are smoothed by the same W deals, so with no
such closed deal the rep's rate stands.

**When.** The days from entering a stage to the signature, over the won deals
that stayed at it more than ``a`` days, spread a deal's chance over the coming
days: the share of them signed within the window. A close date set and still
ahead is where the deal is expected to close: the spread starts there (the
share of those won deals signed in the window, of those signed on that day or
later), so the deal counts from the month its rep named, and as much of it
slips past the month as slipped for the won deals before it. A deal that has
stayed at its stage longer than every won deal did gets nothing from the spread,
unless its close date, beyond every won deal's, falls in the window.

**Deals not yet in the pipeline.** Deals created after the day and signed within
the window: the wins of the last 26 weeks a day, times the share of won deals
whose days from creation to signature fit between a day of creation and the
window, summed over the days of creation.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from typing import NamedTuple

from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary

NEW_DEALS_DAYS = 182  # the wins a day of deals not yet in the pipeline: last 26 weeks


@dataclass
class RepRate:
    closed: int
    won: int
    rate: float

    def as_json(self) -> dict:
        return {"closed": self.closed, "won": self.won, "rate": round(self.rate, 4)}


@dataclass
class StageRate:
    """One stage's win rate: configured, observed and the team's after shrinking;
    and how long the closed deals that passed through it stayed at it."""

    stage: str
    label: str
    configured: float
    closed: int  # closed deals that passed through the stage
    won: int
    rate: float  # the team's, shrunk toward the configured probability
    # won deals: (days at the stage, days from entering it to the signature), the
    # longest stay first
    won_stays: list[tuple[int, int]] = field(default_factory=list)
    lost_stays: list[int] = field(default_factory=list)  # days at the stage, sorted
    reps: dict[str, RepRate] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # the stage's in other languages

    @property
    def observed(self) -> float | None:
        return self.won / self.closed if self.closed else None

    def as_json(self) -> dict:
        obs = self.observed
        return {"stage": self.stage, "configured": self.configured, "closed": self.closed,
                "won": self.won, "observed": None if obs is None else round(obs, 4),
                "rate": round(self.rate, 4),
                "median_days_to_signature": median(sorted(x[1] for x in self.won_stays)),
                "reps": {o: r.as_json() for o, r in sorted(self.reps.items())}}


class Query(NamedTuple):
    """An open deal to judge: its owner, its days at its stage so far, the window in
    days since it entered the stage (``lo`` to ``hi``), and the day (in the same
    count) its close date names when that is still ahead (None: no such date)."""

    owner: str
    age: int
    lo: int
    hi: int
    close: int | None = None


@dataclass
class NewDeals:
    """A rep's wins a day over the last weeks: the pace of deals not yet in."""

    per_day: float = 0.0
    amount_per_day: float = 0.0
    amount_sq: float = 0.0  # mean squared won amount (the spread of a new win)


@dataclass
class Calibration:
    known: dt.date  # rates from the deals closed by this day
    weight: int
    stages: list[StageRate]
    closed: int  # closed deals the rates rest on
    cycle_days: list[int]  # creation -> signature of the won deals, sorted
    new_deals: dict[str, NewDeals]

    def rep_rate(self, owner: str, i: int) -> float:
        s = self.stages[i]
        r = s.reps.get(owner)
        return r.rate if r else s.rate

    def judge(self, i: int, queries: list[Query]) -> list[tuple[float, float | None]]:
        """For open deals at stage ``i``: the chance each is won, and the share of its
        win that falls in its window (None: no won deal passed through the stage,
        nothing to spread by). One sweep from the longest stay down, so that the
        won deals that stayed longer than each deal are at hand in order."""
        s = self.stages[i]
        w = self.weight
        stays, lost = s.won_stays, s.lost_stays
        nw, nl = len(stays), len(lost)
        pw, pl = nw + w * s.rate, nl + w * (1 - s.rate)
        pool: list[int] = []  # days to signature of the won deals that stayed longer
        j = 0
        out: list[tuple[float, float | None]] = [(0.0, None)] * len(queries)
        for k in sorted(range(len(queries)), key=lambda k: -queries[k].age):
            q = queries[k]
            while j < nw and stays[j][0] > q.age:
                insort(pool, stays[j][1])
                j += 1
            p = self.rep_rate(q.owner, i)
            if q.age >= 0 and (nw or nl):
                sw = (len(pool) + w * s.rate) / pw if pw else 1.0
                sl = (nl - bisect_right(lost, q.age) + w * (1 - s.rate)) / pl if pl else 1.0
                den = p * sw + (1 - p) * sl
                p = p * sw / den if den else 0.0
            if not nw:
                out[k] = (p, None)
                continue
            start = q.age + 1 if q.close is None else max(q.age + 1, q.close)
            after = len(pool) - bisect_left(pool, start)
            if not after:  # no won deal took this long: the close date (if any) says
                inside = q.close is not None and q.lo <= q.close <= q.hi
                out[k] = (p, 1.0 if inside else 0.0)
            elif q.hi < max(q.lo, start):
                out[k] = (p, 0.0)
            else:
                out[k] = (p, (bisect_right(pool, q.hi) - bisect_left(pool, max(q.lo, start)))
                          / after)
        return out

    def new_share(self, new_from: dt.date, first: dt.date, end: dt.date) -> float:
        """Of the won deals' days from creation to signature, the share that would
        land between ``first`` and ``end``, summed over the days of creation from
        ``new_from`` to ``end``: new wins a day times this is the count expected."""
        if not self.cycle_days or end < first or end < new_from:
            return 0.0
        share = 0.0
        cyc, n = self.cycle_days, len(self.cycle_days)
        day = new_from
        while day <= end:
            lo, hi = max(0, (first - day).days), (end - day).days
            share += (bisect_right(cyc, hi) - bisect_left(cyc, lo)) / n
            day += dt.timedelta(days=1)
        return share

    def new_signed(self, owner: str | None, share: float) -> tuple[float, float, float]:
        """Deals not yet in that are signed in a window of ``new_share`` ``share``:
        expected count, expected amount and the amount's variance, for one rep (or
        None: everyone)."""
        reps = self.new_deals.values() if owner is None else \
            [self.new_deals[owner]] if owner in self.new_deals else []
        count = sum(r.per_day for r in reps) * share
        amount = sum(r.amount_per_day for r in reps) * share
        var = sum(r.per_day * r.amount_sq for r in reps) * share
        return count, amount, var

    def as_json(self) -> dict:
        return {"known": self.known, "prior_weight": self.weight, "closed": self.closed,
                "stages": [s.as_json() for s in self.stages],
                "median_cycle_days": median(self.cycle_days)}


def median(xs: list[int]) -> float | None:
    if not xs:
        return None
    n = len(xs)
    return float(xs[n // 2]) if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def stage_win_counts(deals: list[Summary], p: Pipeline) -> list[tuple[int, int]]:
    """Per stage: the closed deals that passed through it and how many of them were
    won: the observed win rate ``calibrate`` starts from, in one light pass, for the
    views that show it beside the configured probability (funnel, review)."""
    n = len(p.stages)
    pos = p.positions
    closed = [0] * n
    won = [0] * n
    for d in deals:
        if d.status == "open":
            continue
        ended = d.outcome_date or d.last_move
        seen = {pos.get(m[0]) for m in d.history if m[1] <= ended}
        for i in seen:
            if i is not None and i < n:
                closed[i] += 1
                won[i] += d.status == "won"
    return list(zip(closed, won, strict=True))


def closed_count(deals: list[Summary]) -> int:
    return sum(1 for d in deals if d.status != "open")


def calibrate(deals: list[Summary], p: Pipeline, known: dt.date,
              weight: int | None = None) -> Calibration:
    """Rates and timing from ``deals`` closed on or before ``known`` (a closed deal
    without an outcome date counts from its last move)."""
    w = max(0, p.forecast.prior_weight if weight is None else weight)
    n = len(p.stages)
    pos = p.positions
    won_stays: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    lost_stays: list[list[int]] = [[] for _ in range(n)]
    rep_counts: list[dict[str, list[int]]] = [{} for _ in range(n)]  # [closed, won]
    cycle: list[int] = []
    recent: dict[str, list[float]] = {}
    since = known - dt.timedelta(days=NEW_DEALS_DAYS - 1)
    first_day = known
    closed = 0
    for d in deals:
        if d.history and d.history[0][1] < first_day:
            first_day = d.history[0][1]
        if d.status == "open":
            continue
        ended = d.outcome_date or d.last_move
        if ended > known:
            continue
        closed += 1
        won = d.status == "won"
        # the last entry into each stage, and the day the deal left it after that
        entered: dict[int, dt.date] = {}
        left: dict[int, dt.date] = {}
        prev: int | None = None
        for stage, date, _ in d.history:
            if date > ended:
                break
            i = pos.get(stage)
            if prev is not None and i != prev:
                left[prev] = date
            if i is not None and i < n and i != prev:
                entered[i] = date
                left.pop(i, None)
            prev = i
        for i, date in entered.items():
            stay = (left.get(i, ended) - date).days
            if won:
                won_stays[i].append((stay, (ended - date).days))
            else:
                lost_stays[i].append(stay)
            c = rep_counts[i].setdefault(d.owner, [0, 0])
            c[0] += 1
            c[1] += won
        if won:
            cycle.append(max(0, (ended - d.created).days))
            if ended >= since:
                r = recent.setdefault(d.owner, [0, 0.0, 0.0])
                r[0] += 1
                r[1] += d.amount
                r[2] += d.amount * d.amount
    stages = []
    for i, s in enumerate(p.stages):
        nw, nl = len(won_stays[i]), len(lost_stays[i])
        team = (nw + w * s.probability) / (nw + nl + w) if nw + nl + w else s.probability
        reps = {o: RepRate(c, k, (k + w * team) / (c + w) if c + w else team)
                for o, (c, k) in rep_counts[i].items()}
        stages.append(StageRate(s.id, s.label, s.probability, nw + nl, nw, team,
                                sorted(won_stays[i], reverse=True), sorted(lost_stays[i]),
                                reps, dict(s.labels)))
    span = max(1, min(NEW_DEALS_DAYS, (known - first_day).days + 1))
    new = {o: NewDeals(c / span, a / span, sq / c) for o, (c, a, sq) in recent.items()}
    return Calibration(known, w, stages, closed, sorted(cycle), new)


# -- each deal as it was known on a past day ---------------------------------------------

def as_of(deals: list[Summary], p: Pipeline, known: dt.date) -> list[Summary]:
    """The deals as they stood at the end of ``known``: those in by then, their stage
    history up to that day, open unless their outcome came by then. Amounts and
    close dates stay as given (read the deal files as they were then for those)."""
    out = []
    for d in deals:
        history = d.history
        if history[-1][1] <= known and (d.status == "open" or (
                d.outcome_date is not None and d.outcome_date <= known)):
            out.append(d)  # nothing about it happened after the day
            continue
        kept = tuple(m for m in history if m[1] <= known)
        if not kept:
            continue
        closed = d.status != "open" and d.outcome_date is not None \
            and d.outcome_date <= known
        if closed:
            stage = d.stage
        else:
            open_moves = [m for m in kept if m[0] != p.won.id]
            if not open_moves:
                continue
            kept = tuple(open_moves)
            stage = kept[-1][0]
        out.append(d._replace(history=kept, stage=stage,
                              status=d.status if closed else "open",
                              outcome_date=d.outcome_date if closed else None,
                              lost_reason=d.lost_reason if closed else None,
                              competitor=d.competitor if closed else None,
                              last_move=max(m[1] for m in kept)))
    return out
