"""Forecast of a period's signings, and its backtest over past month starts.

Two sets of rates (``--rates``):

- **config**: the configured stage probability of stages.yaml, counted in the
  period of the deal's close date (a close date already passed counts in the
  current period: the deal is slipping). Nothing is learnt from history.
- **history**: the win rates and timing learnt from the pipeline's closed deals
  (``calibration``). A deal is expected to close on its close date when that is
  set and still ahead, else now; from there the observed days from its stage to
  a signature spread its chance over the coming days (a deal does not count only
  in the month someone typed). Deals not yet in the pipeline that will be signed
  in the period are added from the recent pace of wins.

Expected deals and amount are sums of the deals' chances (amount: chance x
amount); deals signed in the period already count in full. The low-high range is
the 10th and 90th percentile: for the count, exactly, from the distribution of a
sum of independent yes/no outcomes with those chances (computed by dynamic
programming) plus a Poisson count of deals not yet in; for the amount, by the
normal approximation with the same mean and variance. Commit = signed + open
deals at the last stage with a close date in the period; best case = signed +
every open deal that could be signed in it: a chance in the period, a close date
in it, or a close date already past in the current period.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from funnelctl.analysis.calibration import Calibration, Query, calibrate, closed_count
from funnelctl.analysis.targets import period_bounds, won_in
from funnelctl.i18n import N_
from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary

Z90 = 1.2815515655446004  # the normal distribution's 90th percentile


@dataclass
class Line:
    owner: str
    won_deals: int = 0
    won_amount: float = 0.0
    open_deals: int = 0  # open deals that could be signed in the period (best case)
    expected_deals: float = 0.0
    expected_amount: float = 0.0
    commit_deals: int = 0
    commit_amount: float = 0.0
    best_deals: int = 0
    best_amount: float = 0.0
    new_deals: float = 0.0  # of the expected: deals not yet in the pipeline
    new_amount: float = 0.0
    low: int = 0  # 10th and 90th percentile of the deals signed in the period
    high: int = 0
    amount_low: float = 0.0
    amount_high: float = 0.0
    target_deals: float | None = None
    target_amount: float | None = None
    slipping: list[str] = field(default_factory=list)
    chances: list[float] = field(default_factory=list, repr=False)
    amount_var: float = 0.0

    def count_in(self, chance: float, amount: float) -> None:
        self.open_deals += 1
        if chance <= 0:
            return
        self.expected_deals += chance
        self.expected_amount += chance * amount
        self.chances.append(chance)
        self.amount_var += chance * (1 - chance) * amount * amount

    def settle(self) -> None:
        """The range, once every chance is in."""
        lo, hi = count_range(self.chances, self.new_deals)
        self.low, self.high = self.won_deals + lo, self.won_deals + hi
        sd = math.sqrt(max(0.0, self.amount_var))
        self.amount_low = max(self.won_amount, self.expected_amount - Z90 * sd)
        self.amount_high = self.expected_amount + Z90 * sd

    def as_json(self) -> dict:
        return {"owner": self.owner, "won_deals": self.won_deals,
                "won_amount": self.won_amount, "open_deals": self.open_deals,
                "expected_deals": round(self.expected_deals, 2),
                "expected_amount": round(self.expected_amount, 2),
                "low_deals": self.low, "high_deals": self.high,
                "low_amount": round(self.amount_low, 2),
                "high_amount": round(self.amount_high, 2),
                "new_deals": round(self.new_deals, 2), "new_amount": round(self.new_amount, 2),
                "commit_deals": self.commit_deals, "commit_amount": self.commit_amount,
                "best_case_deals": self.best_deals, "best_case_amount": self.best_amount,
                "target_deals": self.target_deals, "target_amount": self.target_amount,
                "slipping": self.slipping}


@dataclass
class Forecast:
    period: str
    owners: list[Line]
    total: Line
    rates: str = "config"  # config | history
    why: str = ""  # why these rates
    calibration: Calibration | None = None

    def as_json(self) -> dict:
        out = {"period": self.period, "rates": self.rates, "rates_why": str(self.why),
               "owners": [o.as_json() for o in self.owners], "total": self.total.as_json()}
        if self.calibration is not None:
            out["calibration"] = self.calibration.as_json()
        return out


# -- which rates ---------------------------------------------------------------------


class Why(str):
    """Why the forecast uses its rates: the English words (``rates_why`` of the JSON),
    and the ``message`` and ``values`` they were written from, for a renderer to say
    it in another language."""

    message: str
    values: dict[str, Any]

    def __new__(cls, message: str, **values: Any) -> Why:
        self = super().__new__(cls, message.format(**values))
        self.message = message
        self.values = values
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:
        return (self.message,), self.values  # a copy or a pickle made again from both


ASKED = N_("asked for with --rates ({closed} closed deals)")
ENOUGH = N_("{closed} closed deals, at least the {need} of forecast.min_closed")
TOO_FEW = N_("only {closed} closed deals, fewer than the {need} of forecast.min_closed")


def choose_rates(deals: list[Summary], p: Pipeline, asked: str | None) -> tuple[str, str]:
    """The rates to use and why, in a few words (a ``Why``): what ``--rates`` asked,
    else the observed ones once stages.yaml's ``forecast.min_closed`` deals are
    closed."""
    closed = closed_count(deals)
    need = p.forecast.min_closed
    if asked is not None:
        return asked, Why(ASKED, closed=closed)
    if closed >= need:
        return "history", Why(ENOUGH, closed=closed, need=need)
    return "config", Why(TOO_FEW, closed=closed, need=need)


# -- the range of a sum of chances ----------------------------------------------------


def count_pmf(chances: list[float], new: float = 0.0) -> list[float]:
    """The distribution of how many of independent deals are signed (chances
    ``chances``), plus a Poisson count of mean ``new``: exact by dynamic
    programming, cut where the rest holds less than 1e-12 of the mass."""
    mean = sum(chances) + new
    var = sum(c * (1 - c) for c in chances) + new
    cap = int(mean + 12 * math.sqrt(var) + 12)
    pmf = [1.0]
    skipped = 0  # counts below the first kept: their mass is under 1e-15 in all
    for c in chances:
        q = 1.0 - c
        # P(k) after this deal: P(k) unsigned, or P(k - 1) and this one signed
        pmf = [a * q + b * c for a, b in zip(pmf + [0.0], [0.0, *pmf], strict=True)]
        if len(pmf) + skipped > cap + 1:
            pmf.pop()
        while len(pmf) > 1 and pmf[0] < 1e-17:
            pmf.pop(0)
            skipped += 1
    pmf = [0.0] * skipped + pmf
    if new > 0:
        pois = [math.exp(-new)]
        while len(pois) <= cap:
            pois.append(pois[-1] * new / len(pois))
        out = [0.0] * min(cap + 1, len(pmf) + len(pois) - 1)
        for i, a in enumerate(pmf):
            if a:
                for j in range(min(len(pois), len(out) - i)):
                    out[i + j] += a * pois[j]
        pmf = out
    return pmf


def percentile(pmf: list[float], q: float) -> int:
    acc = 0.0
    for k, x in enumerate(pmf):
        acc += x
        if acc >= q - 1e-12:
            return k
    return len(pmf) - 1


def count_range(chances: list[float], new: float = 0.0) -> tuple[int, int]:
    """The 10th and 90th percentile of the count of deals signed."""
    pmf = count_pmf(chances, new)
    return percentile(pmf, 0.1), percentile(pmf, 0.9)


# -- the forecast ---------------------------------------------------------------------


@dataclass
class Window:
    """A forecast's time: signatures counted from ``first`` to ``end`` (the period,
    less what is past), deals known open at the end of ``known``, deals not yet in
    created from ``new_from``; ``current``: the period holds the day of the forecast."""

    start: dt.date
    end: dt.date
    first: dt.date
    known: dt.date
    new_from: dt.date
    current: bool

    @classmethod
    def live(cls, period: str, today: dt.date) -> Window:
        start, end = period_bounds(period)
        return cls(start, end, max(start, today), today - dt.timedelta(days=1),
                   today + dt.timedelta(days=1), start <= today <= end)

    @classmethod
    def month_start(cls, start: dt.date, known: dt.date) -> Window:
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        return cls(start, end, start, known, known + dt.timedelta(days=1), True)


def config_chance(d: Summary, i: int, w: Window, p: Pipeline) -> float:
    """The configured probability of open deal ``d`` at stage ``i`` when its close date
    falls in the window's period (or has passed, in the current period)."""
    close = d.close
    if close is None or w.end < w.first:
        return 0.0
    if w.start <= close <= w.end or (close < w.first and w.current):
        return p.stages[i].probability
    return 0.0


def history_chances(deals: list[tuple[Summary, int]], w: Window, model: Calibration
                    ) -> list[float]:
    """The chance that each open deal (with its stage) is signed within the window,
    with the observed rates: its win chance in the period of its close date when
    that is set and ahead, else spread by the observed days to a signature."""
    out = [0.0] * len(deals)
    if w.end < w.first:
        return out
    by_stage: dict[int, list[int]] = {}
    for k, (_, i) in enumerate(deals):
        by_stage.setdefault(i, []).append(k)
    for i, ks in by_stage.items():
        queries = []
        for k in ks:
            d = deals[k][0]
            entered = d.history[-1][1]
            ahead = d.close is not None and d.close >= w.first
            queries.append(Query(d.owner, (w.known - entered).days, (w.first - entered).days,
                                 (w.end - entered).days,
                                 (d.close - entered).days if ahead else None))  # type: ignore[operator]
        for k, (win, share) in zip(ks, model.judge(i, queries), strict=True):
            close = deals[k][0].close
            if share is None:  # no won deal to learn the timing from: as configured
                in_window = close is not None and (w.start <= close <= w.end or (
                    close < w.first and w.current))
                out[k] = win if in_window else 0.0
            else:
                out[k] = win * share
    return out


def expect(deals: list[Summary], p: Pipeline, w: Window, model: Calibration | None,
           owners_of_new: list[str] | None = None) -> tuple[dict[str, Line], Line,
                                                            dict[str, float]]:
    """Per owner and in total: signed, expected, commit and best case in the window;
    and each open deal's chance (by id). ``owners_of_new``: the reps whose deals not
    yet in are added (None: every rep with a deal here)."""
    lines: dict[str, Line] = {}
    total = Line("total")
    last = len(p.stages) - 1
    chances: dict[str, float] = {}
    for d in won_in(deals, w.start, w.end):
        for line in (lines.setdefault(d.owner, Line(d.owner)), total):
            line.won_deals += 1
            line.won_amount += d.amount
            line.expected_deals += 1
            line.expected_amount += d.amount
            line.commit_deals += 1
            line.commit_amount += d.amount
            line.best_deals += 1
            line.best_amount += d.amount
    pos = p.positions
    live = [(d, pos[d.stage]) for d in deals
            if d.status == "open" and pos.get(d.stage, last + 1) <= last]
    if model is None:
        got = [config_chance(d, i, w, p) for d, i in live]
    else:
        got = history_chances(live, w, model)
    for (d, i), chance in zip(live, got, strict=True):
        chances[d.id] = chance
        close = d.close
        dated = close is not None and w.start <= close <= w.end and w.end >= w.first
        slipping = close is not None and close < w.first and w.current
        if chance <= 0 and not dated and not slipping:
            continue
        line = lines.setdefault(d.owner, Line(d.owner))
        for x in (line, total):
            x.count_in(chance, d.amount)
            if dated and i == last:
                x.commit_deals += 1
                x.commit_amount += d.amount
            x.best_deals += 1  # dated in the period, slipping, or with a chance in it
            x.best_amount += d.amount
            if slipping:
                x.slipping.append(d.id)
    if model is not None:
        share = model.new_share(w.new_from, w.first, w.end)
        for owner in (sorted(lines) if owners_of_new is None else owners_of_new):
            count, amount, var = model.new_signed(owner, share)
            if count <= 0:
                continue
            line = lines.setdefault(owner, Line(owner))
            for x in (line, total):
                x.new_deals += count
                x.new_amount += amount
                x.expected_deals += count
                x.expected_amount += amount
                x.amount_var += var
    return lines, total, chances


def _target(p: Pipeline, owner: str | None, period: str) -> tuple[float | None, float | None]:
    for t in p.targets:
        if t.owner == owner and t.period == period:
            return (None if t.deals is None else float(t.deals)), t.amount
    return None, None


def forecast(deals: list[Summary], p: Pipeline, period: str, today: dt.date,
             model: Calibration | None = None, why: str = "",
             total_target: str | None = None) -> Forecast:
    """The period's forecast per rep and in total, with configured rates (``model``
    None) or the observed ones; ``total_target``: whose target of stages.yaml the
    total is set against (``team``, a team, or None)."""
    w = Window.live(period, today)
    reps = sorted({d.owner for d in deals})
    lines, total, _ = expect(deals, p, w, model, reps)
    for line in [*lines.values(), total]:
        line.settle()
    for o, line in lines.items():
        line.target_deals, line.target_amount = _target(p, o, period)
    total.target_deals, total.target_amount = _target(p, total_target, period)
    return Forecast(period, [lines[k] for k in sorted(lines)], total,
                    "config" if model is None else "history", why, model)


def calibrated(all_deals: list[Summary], p: Pipeline, today: dt.date) -> Calibration:
    """The observed rates of today's forecast: every deal closed by today."""
    return calibrate(all_deals, p, today)


# -- backtest ------------------------------------------------------------------------


def accuracy(forecast: float, signed: float) -> float | None:
    """1 - |forecast - signed| / signed, at least 0: an over- and an under-forecast
    by the same number score the same. None when nothing was signed (the month is
    left out of the mean; its forecast still shows in the bias)."""
    if not signed:
        return None
    return max(0.0, 1 - abs(forecast - signed) / signed)


@dataclass
class Snapshot:
    """The deals as they were at a month start: ``deals`` read from the files as
    they were then (or today's, ``source`` "files"), known to the end of ``known``."""

    start: dt.date
    known: dt.date
    deals: list[Summary]
    source: str  # "git <commit> <day>" or "files"


@dataclass
class BacktestRow:
    """One replayed month: the forecast at its start with each set of rates, and
    what was signed in it. ``forecast_*`` and ``accuracy`` are the chosen rates'."""

    month: str
    rates: str  # config | history: the rates of forecast_* and accuracy
    history_deals: float
    history_amount: float
    config_deals: float
    config_amount: float
    actual_deals: int
    actual_amount: float
    source: str = "files"

    @property
    def forecast_deals(self) -> float:
        return self.history_deals if self.rates == "history" else self.config_deals

    @property
    def forecast_amount(self) -> float:
        return self.history_amount if self.rates == "history" else self.config_amount

    @property
    def accuracy(self) -> float | None:
        return accuracy(self.forecast_deals, self.actual_deals)

    @property
    def amount_accuracy(self) -> float | None:
        return accuracy(self.forecast_amount, self.actual_amount)

    @property
    def bias(self) -> float:
        """Forecast minus signed, in deals: above 0 the forecast was too high."""
        return self.forecast_deals - self.actual_deals

    def scored(self, rates: str) -> tuple[float, float, float | None, float | None]:
        """Deals, amount and their accuracies with ``rates``."""
        d, a = ((self.history_deals, self.history_amount) if rates == "history"
                else (self.config_deals, self.config_amount))
        return d, a, accuracy(d, self.actual_deals), accuracy(a, self.actual_amount)

    def as_json(self) -> dict:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 3)

        out = {"month": self.month, "rates": self.rates,
               "forecast_deals": round(self.forecast_deals, 2),
               "forecast_amount": round(self.forecast_amount, 2),
               "actual_deals": self.actual_deals, "actual_amount": self.actual_amount,
               "accuracy": r(self.accuracy), "amount_accuracy": r(self.amount_accuracy),
               "bias_deals": round(self.bias, 2), "source": self.source}
        for rates in ("history", "config"):
            d, a, acc, amount_acc = self.scored(rates)
            out[rates] = {"deals": round(d, 2), "amount": round(a, 2), "accuracy": r(acc),
                          "amount_accuracy": r(amount_acc)}
        return out


@dataclass
class Bucket:
    """Deals whose forecast chance of a signature in the month fell in [lo, hi)."""

    lo: float
    hi: float
    deals: int = 0
    chance: float = 0.0  # the sum of their chances
    signed: int = 0

    def as_json(self) -> dict:
        return {"from": self.lo, "to": self.hi, "deals": self.deals,
                "mean_chance": round(self.chance / self.deals, 4) if self.deals else None,
                "share_signed": round(self.signed / self.deals, 4) if self.deals else None}


def mean(xs: list[float | None]) -> float | None:
    got = [x for x in xs if x is not None]
    return sum(got) / len(got) if got else None


@dataclass
class Backtest:
    rates: str  # the rates of the forecast column: config | history
    rows: list[BacktestRow]
    buckets: list[Bucket]
    replayed_from_files: list[str]  # months read from today's files, not from git

    def means(self, rates: str) -> tuple[float | None, float | None, float | None]:
        """Mean accuracy of the count and of the amount, and the mean bias in deals,
        with ``rates``."""
        scored = [r.scored(rates) for r in self.rows]
        return (mean([s[2] for s in scored]), mean([s[3] for s in scored]),
                mean([s[0] - r.actual_deals for s, r in zip(scored, self.rows, strict=True)]))

    def summary(self) -> dict:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 3)

        out: dict = {"rates": self.rates, "months": len(self.rows),
                     "replayed_from_files": self.replayed_from_files}
        for rates in ("history", "config"):
            acc, amount_acc, bias = self.means(rates)
            out[rates] = {"mean_accuracy": r(acc), "mean_amount_accuracy": r(amount_acc),
                          "mean_bias_deals": r(bias)}
        return out


def month_starts(today: dt.date, months: int) -> list[dt.date]:
    """The first days of the ``months`` full months before today's, oldest first."""
    out = []
    y, m = today.year, today.month
    for _ in range(months):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(dt.date(y, m, 1))
    return out[::-1]


def backtest(now: list[Summary], snapshots: list[Snapshot], p: Pipeline, rates: str,
             owners: set[str] | None = None) -> Backtest:
    """At each snapshot's month start, the forecast of that month made from the deals
    as they were known then only (their stage history to that day, their amounts
    and close dates as the snapshot holds them, rates from the deals closed by
    then), with both sets of rates; against what today's files say was signed in
    the month. The calibration table sorts every deal open at a month start by the
    chance the forecast gave it, against whether it was signed in that month."""
    from funnelctl.analysis.calibration import as_of

    buckets = [Bucket(k / 10, (k + 1) / 10) for k in range(10)]
    signed_when = {d.id: d.outcome_date for d in now if d.status == "won"}
    mine = [d for d in now if owners is None or d.owner in owners]
    rows = []
    for snap in snapshots:
        w = Window.month_start(snap.start, snap.known)
        then = as_of(snap.deals, p, snap.known)
        model = calibrate(then, p, snap.known)
        scope = [d for d in then if owners is None or d.owner in owners]
        reps = sorted({d.owner for d in scope})
        _, hist, hist_chances = expect(scope, p, w, model, reps)
        _, conf, conf_chances = expect(scope, p, w, None)
        chances = hist_chances if rates == "history" else conf_chances
        for deal_id, chance in chances.items():
            b = buckets[min(9, int(chance * 10))]
            b.deals += 1
            b.chance += chance
            day = signed_when.get(deal_id)
            b.signed += day is not None and w.start <= day <= w.end
        won = won_in(mine, w.start, w.end)
        rows.append(BacktestRow(f"{w.start.year:04d}-{w.start.month:02d}", rates,
                                hist.expected_deals, hist.expected_amount,
                                conf.expected_deals, conf.expected_amount, len(won),
                                sum(d.amount for d in won), snap.source))
    files = [r.month for r in rows if r.source == "files"]
    return Backtest(rates, rows, buckets, files)
