"""Target back-calculation: to sign N in a period, how many deals each stage must
hold now; and each rep's committed target against what he holds and has signed.

The gap of a stage is required minus actual (positive: deals missing). The stage
that blocks the target is the first with a gap, reading back from the signature:
deals must come through negotiation before anything else helps this period.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field

from funnelctl.analysis.conversion import observed_conversion, required_per_stage
from funnelctl.analysis.currency import is_left_out
from funnelctl.pipeline import Pipeline, Target
from funnelctl.summary import Summary


@dataclass
class TargetRow:
    stage: str
    label: str
    rate: float
    required: float
    actual: int

    @property
    def required_deals(self) -> int:
        return math.ceil(self.required - 1e-9)

    @property
    def gap(self) -> float:
        return self.required - self.actual

    def as_json(self) -> dict:
        return {"stage": self.stage, "rate": round(self.rate, 4),
                "required": round(self.required, 2), "required_deals": self.required_deals,
                "actual": self.actual, "gap": round(self.gap, 2)}


@dataclass
class TargetPlan:
    target: float
    rates_from: str  # config | history
    rows: list[TargetRow]
    blocking: str | None
    history_base: int | None = None  # deals the observed rates rest on
    fallback: list[str] = field(default_factory=list)  # stages without history: configured
    amount: float | None = None
    average_won: float | None = None

    def as_json(self) -> dict:
        out = {"target": self.target, "rates": self.rates_from,
               "stages": [r.as_json() for r in self.rows], "blocking": self.blocking}
        if self.amount is not None:
            out["amount"] = self.amount
            out["average_won"] = self.average_won
        if self.rates_from == "history":
            out["history_base"] = self.history_base
            out["configured_fallback"] = self.fallback
        return out


def average_won_amount(deals: list[Summary], p: Pipeline) -> float | None:
    """The average signed amount, over the won deals whose amount is known in the
    reporting currency (a deal in a currency with no rate is left out)."""
    won = [d.amount for d in deals if d.status == "won" and not is_left_out(d, p)]
    return sum(won) / len(won) if won else None


def history_rates(deals: list[Summary], p: Pipeline) -> tuple[list[float], int, list[str]]:
    """Observed rates, the number of deals they rest on, and stages that fell back to
    the configured ratio because no deal has left them yet (or none converted)."""
    obs = observed_conversion(deals, p)
    rates, fallback = [], []
    for o, s in zip(obs, p.stages, strict=True):
        if o.rate:
            rates.append(o.rate)
        else:
            rates.append(s.conversion)
            fallback.append(s.id)
    base = sum(1 for d in deals if len(d.history) > 1 or d.status != "open")
    return rates, base, fallback


def required_pipeline(n: float, deals: list[Summary], p: Pipeline,
                      rates_from: str = "config") -> TargetPlan:
    if rates_from == "history":
        rates, base, fallback = history_rates(deals, p)
    else:
        rates, base, fallback = [s.conversion for s in p.stages], None, []
    req = required_per_stage(n, rates)
    actual = [0] * len(p.stages)
    for d in deals:
        if d.status == "open" and d.stage in p.stage_ids:
            actual[p.index(d.stage)] += 1
    rows = [TargetRow(s.id, s.label, rates[i], req[i], actual[i]) for i, s in enumerate(p.stages)]
    blocking = next((r.stage for r in reversed(rows) if r.gap > 1e-9), None)
    return TargetPlan(n, rates_from, rows, blocking, base, fallback)


# -- committed targets per rep and period --------------------------------------------


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a YYYY-MM period."""
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def period_of(today: dt.date) -> str:
    return f"{today.year:04d}-{today.month:02d}"


def elapsed_share(period: str, today: dt.date) -> float:
    start, end = period_bounds(period)
    if today < start:
        return 0.0
    if today > end:
        return 1.0
    return ((today - start).days + 1) / ((end - start).days + 1)


@dataclass
class Progress:
    owner: str
    period: str
    target_deals: float | None
    target_amount: float | None
    won_deals: int
    won_amount: float
    elapsed: float
    plan: TargetPlan | None

    @property
    def expected_by_now(self) -> float | None:
        return None if self.target_deals is None else self.target_deals * self.elapsed

    def as_json(self) -> dict:
        return {"owner": self.owner, "period": self.period, "target_deals": self.target_deals,
                "target_amount": self.target_amount, "won_deals": self.won_deals,
                "won_amount": self.won_amount, "elapsed": round(self.elapsed, 3),
                "expected_by_now": None if self.expected_by_now is None
                else round(self.expected_by_now, 2),
                "remaining_plan": self.plan.as_json() if self.plan else None}


def won_in(deals: list[Summary], start: dt.date, end: dt.date) -> list[Summary]:
    return [d for d in deals if d.status == "won" and d.outcome_date
            and start <= d.outcome_date <= end]


def target_deals_of(t: Target, avg_won: float | None) -> float | None:
    if t.deals is not None:
        return float(t.deals)
    if t.amount is not None and avg_won:
        return t.amount / avg_won
    return None


def committed_progress(deals: list[Summary], p: Pipeline, period: str, today: dt.date,
                       owners: set[str] | None = None) -> list[Progress]:
    """Each target of the period with what was signed so far, the elapsed share of the
    period, and the pipeline the rest of the target still needs. A target's owner is a
    rep, a team of stages.yaml, or ``team`` (everyone). With ``owners`` given, only the
    targets wholly inside those reps are shown."""
    start, end = period_bounds(period)
    avg: float | None = None
    out = []
    for t in p.targets:
        if t.period != period:
            continue
        if avg is None and t.deals is None:  # a money target: deals by the average won
            avg = average_won_amount(deals, p)
        if t.owner == "team":
            members = None
        elif t.owner in p.teams:
            members = set(p.teams[t.owner])
        else:
            members = {t.owner}
        if owners is not None and (members is None or not members <= owners):
            continue
        mine = deals if members is None else [d for d in deals if d.owner in members]
        won = won_in(mine, start, end)
        n = target_deals_of(t, avg)
        remaining = None if n is None else max(0.0, n - len(won))
        plan = required_pipeline(remaining, mine, p) if remaining else None
        out.append(Progress(t.owner, period, n, t.amount, len(won),
                            sum(d.amount for d in won), elapsed_share(period, today), plan))
    return out

def still_to_sign(targets: list[Progress], owner: str) -> float | None:
    """What ``owner``'s target for the period still asks to sign, or None without one:
    the funnel's narrow bottom is measured against it."""
    for t in targets:
        if t.owner == owner and t.target_deals is not None:
            return max(t.target_deals - t.won_deals, 0.0)
    return None

