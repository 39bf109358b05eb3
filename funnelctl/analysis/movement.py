"""What moved since a revision: every deal as it was at the revision against the deal
now, for the deals in the files git says changed; and a review tag's forecast
against what was signed since.

A deal is the same deal at the revision and now when it has the same id, wherever
its file went (a rename git did not pair, an untracked copy beside a deletion):
a moved file is never reported as a new deal and a deleted one. Amounts are
compared in the reporting currency (``currency.converted``), the deal at the
revision converted as the deal now is, for a deal whose status stayed; a deal
with no rate on either side has no amount to compare.

``snapshot`` is what ``review --tag`` stores: the period's forecast as ``forecast``
computes it and the open pipeline per stage, as plain data that ``Snapshot.
from_json`` reads back from the tag, trusting nothing in it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from funnelctl.analysis.currency import converted, is_left_out
from funnelctl.analysis.targets import period_bounds
from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary

if TYPE_CHECKING:  # imported by ``snapshot``: review --since-ref needs none of it
    from funnelctl.analysis.forecast import Forecast

# The kinds of movement, in the order a review lists them
KINDS = ("won", "lost", "advanced", "regressed", "reopened", "new", "pushed", "cut", "owner",
         "deleted")
_ORDER = {k: i for i, k in enumerate(KINDS)}


@dataclass(slots=True)
class Shift:
    """One way one deal moved. ``owner`` is the rep it is reported under: its owner
    now, or at the revision for a deal that left the view (deleted, or handed to a
    rep the view leaves out); ``before`` and ``after`` are what changed (a stage, a
    close date, an amount, an owner; for ``won`` the stage it was signed from and the
    signature's date), ``amount`` the deal's amount now (at the revision for a
    deleted deal)."""

    kind: str
    deal: str
    account: str
    owner: str
    path: str
    amount: float
    before: Any = None
    after: Any = None
    reason: str | None = None
    competitor: str | None = None

    @property
    def value(self) -> float:
        """What the shift adds to its kind's money total: the cut for an amount cut,
        the deal's amount otherwise."""
        return self.before - self.after if self.kind == "cut" else self.amount

    def as_json(self) -> dict:
        out: dict = {"kind": self.kind, "deal": self.deal, "account": self.account,
                     "owner": self.owner, "path": self.path, "amount": self.amount}
        if self.before is not None:
            out["from"] = self.before
        if self.after is not None:
            out["to"] = self.after
        if self.reason is not None:
            out["reason"] = self.reason
        if self.competitor is not None:
            out["competitor"] = self.competitor
        return out


def tally(shifts: list[Shift]) -> list[tuple[str, int, float]]:
    """Per kind, in KINDS order: how many shifts, and their money (``Shift.value``)."""
    counts: dict[str, list] = {}
    for s in shifts:
        c = counts.setdefault(s.kind, [0, 0.0])
        c[0] += 1
        c[1] += s.value
    return [(k, *counts[k]) for k in KINDS if k in counts]


@dataclass
class Expected:
    """A rep's (or the team's) forecast of the period at the tag, against what was
    signed since the tag with a signature date in that period."""

    owner: str
    expected_deals: float = 0.0  # the forecast at the tag, signed deals included
    expected_amount: float = 0.0
    signed_before_deals: int = 0  # of which signed in the period by the tag
    signed_before_amount: float = 0.0
    signed_deals: int = 0  # signed since the tag, in the period
    signed_amount: float = 0.0

    @property
    def to_come_deals(self) -> float:
        """What the forecast expected to be signed after the tag."""
        return self.expected_deals - self.signed_before_deals

    @property
    def to_come_amount(self) -> float:
        return self.expected_amount - self.signed_before_amount

    def add(self, other: Expected) -> None:
        self.expected_deals += other.expected_deals
        self.expected_amount += other.expected_amount
        self.signed_before_deals += other.signed_before_deals
        self.signed_before_amount += other.signed_before_amount
        self.signed_deals += other.signed_deals
        self.signed_amount += other.signed_amount

    def as_json(self) -> dict:
        r = round
        return {"owner": self.owner, "expected_deals": r(self.expected_deals, 2),
                "expected_amount": r(self.expected_amount, 2),
                "signed_by_tag_deals": self.signed_before_deals,
                "signed_by_tag_amount": r(self.signed_before_amount, 2),
                "to_come_deals": r(self.to_come_deals, 2),
                "to_come_amount": r(self.to_come_amount, 2),
                "signed_since_deals": self.signed_deals,
                "signed_since_amount": r(self.signed_amount, 2)}


@dataclass
class ForecastCheck:
    """A review tag's forecast against what was signed since it."""

    date: dt.date  # the review's day
    period: str
    reps: list[Expected]
    team: Expected
    outside: int = 0  # deals signed since the tag with a signature date outside the period

    def as_json(self) -> dict:
        return {"date": self.date, "period": self.period,
                "reps": [e.as_json() for e in self.reps], "team": self.team.as_json(),
                "signed_since_outside_period": self.outside}


@dataclass
class Movement:
    """Every deal's movement since a revision, by rep."""

    ref: str
    commit: str
    date: dt.date | None  # the revision's commit date
    reps: dict[str, list[Shift]]  # rep -> his deals' shifts, in KINDS order
    unreadable: list[str] = field(default_factory=list)  # changed files not compared
    forecast: ForecastCheck | None = None

    @property
    def shifts(self) -> list[Shift]:
        return [s for ss in self.reps.values() for s in ss]

    def as_json(self) -> dict:
        team = tally(self.shifts)
        out: dict = {
            "ref": self.ref, "commit": self.commit, "date": self.date,
            "reps": [{"owner": o, "counts": {k: n for k, n, _ in tally(ss)},
                      "shifts": [s.as_json() for s in ss]} for o, ss in self.reps.items()],
            "team": {k: {"deals": n, "amount": round(v, 2)} for k, n, v in team},
            "unreadable": self.unreadable}
        if self.forecast is not None:
            out["forecast"] = self.forecast.as_json()
        return out


def paired(then: list[Summary], now: list[Summary]
           ) -> list[tuple[Summary | None, Summary | None]]:
    """The deals at the revision and now, paired by id (a deal in each list once at
    most is the usual case; a duplicated id pairs in order): (then, now), (then,
    None) for a deal that is gone, (None, now) for one that is new."""
    waiting: dict[str, list[Summary]] = {}
    for d in then:
        waiting.setdefault(d.id, []).append(d)
    pairs: list[tuple[Summary | None, Summary | None]] = []
    for d in now:
        earlier = waiting.get(d.id)
        pairs.append((earlier.pop(0) if earlier else None, d))
    pairs += [(d, None) for ds in waiting.values() for d in ds]
    return pairs


def shifts_of(old: Summary | None, new: Summary | None, p: Pipeline, owner: str
              ) -> list[Shift]:
    """How one deal moved between the revision (``old``) and now (``new``), reported
    under ``owner``. Both converted into the reporting currency."""
    if new is None:
        assert old is not None
        return [Shift("deleted", old.id, old.account, owner, old.path, old.amount,
                      before=old.stage)]
    d = new

    def shift(kind: str, before: Any = None, after: Any = None, **kw: Any) -> Shift:
        return Shift(kind, d.id, d.account, owner, d.path, d.amount, before, after, **kw)

    if old is None:
        out = [shift("new", after=d.stage)]
        if d.status == "won":
            out.append(shift("won", after=d.outcome_date))
        elif d.status == "lost":
            out.append(shift("lost", after=d.stage, reason=d.lost_reason,
                             competitor=d.competitor))
        return out
    out = []
    if d.status == "won" and old.status != "won":
        out.append(shift("won", old.stage, d.outcome_date))
    elif d.status == "lost" and old.status != "lost":
        out.append(shift("lost", before=old.stage, after=d.stage, reason=d.lost_reason,
                         competitor=d.competitor))
    elif d.status == "open" and old.status != "open":
        out.append(shift("reopened", before=old.status, after=d.stage))
    elif d.status == "open":
        pos = p.positions
        a, b = pos.get(old.stage), pos.get(d.stage)
        if a is not None and b is not None and a != b:
            out.append(shift("advanced" if b > a else "regressed", old.stage, d.stage))
    if d.status == "open" and old.close is not None and d.close is not None \
            and d.close > old.close:
        out.append(shift("pushed", old.close, d.close))
    # an amount is cut on a deal whose status stayed: a deal signed since is converted
    # at the rate of its signature's day, the same deal open at the revision at today's
    if d.status == old.status and d.amount < old.amount and not is_left_out(d, p) \
            and not is_left_out(old, p):
        out.append(shift("cut", old.amount, d.amount))
    if d.owner != old.owner:
        out.append(shift("owner", old.owner, d.owner))
    return out


def deal_movement(then: list[Summary], now: list[Summary], p: Pipeline, today: dt.date,
                  owners: set[str] | None = None, unsure: frozenset[str] = frozenset()
                  ) -> dict[str, list[Shift]]:
    """The movement, by rep (reps sorted), of the deals in the files that changed:
    ``then`` as parsed at the revision (converted here), ``now`` as loaded (converted
    already). A deal whose file could not be read on one side (its path in
    ``unsure``) is neither new nor deleted: nothing is known of it. ``owners``: the
    reps the view admits (None: all); a deal is in the view when its owner then or
    now is."""
    then = converted(then, p, today).deals
    reps: dict[str, list[Shift]] = {}
    for old, new in paired(then, now):
        if (old is None and new is not None and new.path in unsure) or \
                (new is None and old is not None and old.path in unsure):
            continue
        if new is not None and (owners is None or new.owner in owners):
            owner = new.owner
        elif old is not None and (owners is None or old.owner in owners):
            owner = old.owner
        else:
            continue
        for s in shifts_of(old, new, p, owner):
            reps.setdefault(owner, []).append(s)
    for ss in reps.values():
        ss.sort(key=lambda s: (_ORDER[s.kind], s.deal))
    return dict(sorted(reps.items()))


# -- the review tag -----------------------------------------------------------------


@dataclass
class StageLoad:
    """The open deals at one stage: how many, their amount and weighted amount."""

    stage: str
    label: str
    deals: int
    amount: float
    weighted: float

    def as_json(self) -> dict:
        return {"stage": self.stage, "label": self.label, "deals": self.deals,
                "amount": round(self.amount, 2), "weighted": round(self.weighted, 2)}


def open_pipeline(deals: list[Summary], p: Pipeline) -> list[StageLoad]:
    """The open pipeline per stage, in the pipeline's order."""
    loads = {s.id: StageLoad(s.id, s.label, 0, 0.0, 0.0) for s in p.stages}
    prob = {s.id: s.probability for s in p.stages}
    for d in deals:
        load = loads.get(d.stage) if d.status == "open" else None
        if load is not None:
            load.deals += 1
            load.amount += d.amount
            load.weighted += prob[d.stage] * d.amount
    return list(loads.values())


@dataclass
class Snapshot:
    """What ``review --tag`` stores in the tag: the day, the period's forecast per rep
    and for the team, and the open pipeline per stage."""

    date: dt.date
    currency: str
    forecast: Forecast
    pipeline: list[StageLoad]

    def as_json(self) -> dict:
        return {"funnelctl": "review", "version": 1, "date": self.date,
                "currency": self.currency, "forecast": self.forecast.as_json(),
                "pipeline": [s.as_json() for s in self.pipeline]}


def snapshot(deals: list[Summary], p: Pipeline, today: dt.date, period: str) -> Snapshot:
    from funnelctl.analysis.forecast import forecast

    return Snapshot(today, p.currency, forecast(deals, p, period, today), open_pipeline(deals, p))


@dataclass
class Tagged:
    """A review tag's forecast as read back: per owner (and ``total``), the expected
    deals and amount and what was signed in the period by the tag."""

    date: dt.date
    period: str
    lines: dict[str, Expected]
    total: Expected


def tagged(data: dict) -> Tagged | None:
    """A review tag's forecast from its plain data (``Snapshot.as_json`` written out);
    None when it is not one: a tag anyone may have written is trusted for nothing
    but finite numbers where numbers are due."""
    try:
        if data.get("funnelctl") != "review":
            return None
        day = dt.date.fromisoformat(data["date"])
        fc = data["forecast"]
        period = fc["period"]
        if not isinstance(period, str) or not _PERIOD.fullmatch(period):
            return None
        period_bounds(period)  # a month that exists

        def line(x: dict) -> Expected:
            return Expected(str(x["owner"]), _number(x["expected_deals"]),
                            _number(x["expected_amount"]), int(_number(x["won_deals"])),
                            _number(x["won_amount"]))

        lines = {e.owner: e for e in map(line, fc["owners"])}
        total = line(fc["total"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return Tagged(day, period, lines, total)


_PERIOD = re.compile(r"\d{4}-\d{2}")


def _number(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError(x)
    return float(x)


def against_forecast(tag: Tagged, reps: dict[str, list[Shift]], owners: set[str] | None
                     ) -> ForecastCheck:
    """The tag's forecast per rep and for the team against the deals signed since
    (the ``won`` shifts) with a signature date in the forecast's period; the team's
    forecast is the tag's total, or for a view of some reps the sum of theirs."""
    start, end = period_bounds(tag.period)
    lines = {o: Expected(o, e.expected_deals, e.expected_amount, e.signed_before_deals,
                         e.signed_before_amount)
             for o, e in tag.lines.items() if owners is None or o in owners}
    outside = 0
    for owner, shifts in reps.items():
        for s in shifts:
            if s.kind != "won":
                continue
            if s.after is None or not start <= s.after <= end:
                outside += 1
                continue
            e = lines.setdefault(owner, Expected(owner))
            e.signed_deals += 1
            e.signed_amount += s.amount
    if owners is None:
        t = tag.total
        team = Expected("team", t.expected_deals, t.expected_amount, t.signed_before_deals,
                        t.signed_before_amount)
        team.signed_deals = sum(e.signed_deals for e in lines.values())
        team.signed_amount = sum(e.signed_amount for e in lines.values())
    else:
        team = Expected("team")
        for e in lines.values():
            team.add(e)
    return ForecastCheck(tag.date, tag.period, [lines[o] for o in sorted(lines)], team,
                         outside)
