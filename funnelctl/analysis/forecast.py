"""Forecast of a period's signings, and its backtest over the stage histories.

An open deal counts in the period when its expected close date falls in it; a
deal whose close date has already passed is counted in the current period (it
is slipping, and the manager should hear about it). Expected = stage probability
x amount. Commit = deals at negotiation (the last open stage) and later; best
case = every open deal closing in the period at full amount. Deals already
signed in the period are added to every figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from funnelctl.analysis.targets import period_bounds, won_in
from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary


@dataclass
class Line:
    owner: str
    won_deals: int = 0
    won_amount: float = 0.0
    open_deals: int = 0
    expected_deals: float = 0.0
    expected_amount: float = 0.0
    commit_deals: int = 0
    commit_amount: float = 0.0
    best_deals: int = 0
    best_amount: float = 0.0
    slipping: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"owner": self.owner, "won_deals": self.won_deals,
                "won_amount": self.won_amount, "open_deals": self.open_deals,
                "expected_deals": round(self.expected_deals, 2),
                "expected_amount": round(self.expected_amount, 2),
                "commit_deals": self.commit_deals, "commit_amount": self.commit_amount,
                "best_case_deals": self.best_deals, "best_case_amount": self.best_amount,
                "slipping": self.slipping}


@dataclass
class Forecast:
    period: str
    owners: list[Line]
    total: Line

    def as_json(self) -> dict:
        return {"period": self.period, "owners": [o.as_json() for o in self.owners],
                "total": self.total.as_json()}


def forecast(deals: list[Summary], p: Pipeline, period: str, today: dt.date) -> Forecast:
    start, end = period_bounds(period)
    current = start <= today <= end
    lines: dict[str, Line] = {}
    total = Line("total")
    commit_from = len(p.stages) - 1
    for d in won_in(deals, start, end):
        for line in (lines.setdefault(d.owner, Line(d.owner)), total):
            line.won_deals += 1
            line.won_amount += d.amount
            line.expected_deals += 1
            line.expected_amount += d.amount
            line.commit_deals += 1
            line.commit_amount += d.amount
            line.best_deals += 1
            line.best_amount += d.amount
    for d in deals:
        if d.status != "open" or d.close is None or d.stage not in p.stage_ids:
            continue
        slipping = d.close < today
        if not (start <= d.close <= end or (current and slipping)):
            continue
        i = p.index(d.stage)
        prob = p.stages[i].probability
        for line in (lines.setdefault(d.owner, Line(d.owner)), total):
            line.open_deals += 1
            line.expected_deals += prob
            line.expected_amount += prob * d.amount
            if i >= commit_from:
                line.commit_deals += 1
                line.commit_amount += d.amount
            line.best_deals += 1
            line.best_amount += d.amount
            if slipping:
                line.slipping.append(d.id)
    return Forecast(period, [lines[k] for k in sorted(lines)], total)


# -- backtest ------------------------------------------------------------------------


@dataclass
class BacktestRow:
    month: str
    forecast_deals: float
    forecast_amount: float
    actual_deals: int
    actual_amount: float

    @property
    def accuracy(self) -> float | None:
        """1 - |forecast - actual| / actual on amount; None when nothing closed."""
        if not self.actual_amount:
            return None
        return max(0.0, 1 - abs(self.forecast_amount - self.actual_amount) / self.actual_amount)

    def as_json(self) -> dict:
        acc = self.accuracy
        return {"month": self.month, "forecast_deals": round(self.forecast_deals, 2),
                "forecast_amount": round(self.forecast_amount, 2),
                "actual_deals": self.actual_deals, "actual_amount": self.actual_amount,
                "accuracy": None if acc is None else round(acc, 3)}


def state_at(d: Summary, p: Pipeline, day: dt.date) -> str | None:
    """The open stage a deal was at on ``day`` (None: not yet in, or already closed)."""
    if d.history[0][1] > day:
        return None
    if d.status != "open" and d.outcome_date and d.outcome_date <= day:
        return None
    stage = None
    for s, date, _ in d.history:
        if date > day:
            break
        stage = s
    return stage if stage in p.stage_ids else None


def backtest(deals: list[Summary], p: Pipeline, today: dt.date, months: int = 6
             ) -> list[BacktestRow]:
    """At each of the last ``months`` full month starts: open deals then, weighted by
    the stage they were at, whose expected close falls in that month (a close date
    already past counts in it); against what was signed in that month. The close
    date is the one on file today: earlier values are in git, not in the deal."""
    rows = []
    first = dt.date(today.year, today.month, 1)
    starts = []
    y, m = first.year, first.month
    for _ in range(months):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        starts.append(dt.date(y, m, 1))
    by_month: dict[str, list[Summary]] = defaultdict(list)
    for start in reversed(starts):
        period = f"{start.year:04d}-{start.month:02d}"
        _, end = period_bounds(period)
        fd = fa = 0.0
        for d in deals:
            stage = state_at(d, p, start)
            if stage is None or d.close is None or d.close > end:
                continue
            prob = p.stage(stage).probability  # type: ignore[union-attr]
            fd += prob
            fa += prob * d.amount
        won = won_in(deals, start, end)
        by_month[period] = won
        rows.append(BacktestRow(period, fd, fa, len(won), sum(d.amount for d in won)))
    return rows
