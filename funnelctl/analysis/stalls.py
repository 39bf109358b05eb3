"""Stall warnings: every open deal that needs the manager's question.

Rules (days counted up to today):
- stalled: in the stage longer than the stage's ``stall_days``;
- judge: no stage move for ``judge_days`` (30): judge the intent, qualify or drop;
- follow_up: no action for ``follow_up_days`` (15), counted from the last action,
  or from entering the stage when there is none;
- no_progress: ``repeat_actions`` (3) or more actions since the customer last
  moved (stage entry, or an action marked moved) without a move;
- next_overdue / no_next_step: the dated next step is past, or missing.

A deal snoozed until a later date raises no warning and is listed apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter

from funnelctl.analysis.select import is_snoozed
from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary

SEVERITY = {"judge": 5, "stalled": 4, "no_progress": 3, "next_overdue": 2, "follow_up": 2,
            "no_next_step": 1}


@dataclass(slots=True)
class Warning:
    deal: str
    account: str
    owner: str
    stage: str
    kind: str
    days: int
    amount: float
    message: str
    # worst first: severity, then amount, then days, then the deal's id; made once,
    # since a team's review sorts tens of thousands of warnings
    order: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.order = (-SEVERITY[self.kind], -self.amount, -self.days, self.deal)

    @property
    def severity(self) -> int:
        return SEVERITY[self.kind]

    @property
    def short(self) -> str:
        """The warning in a few words with its number, for tables."""
        return {"stalled": f"stalled {self.days}d", "judge": f"no move {self.days}d",
                "follow_up": f"no action {self.days}d",
                "no_progress": f"no progress {self.days}d",
                "next_overdue": f"next step {self.days}d late",
                "no_next_step": "no next step"}[self.kind]

    def as_json(self) -> dict:
        return {"deal": self.deal, "account": self.account, "owner": self.owner,
                "stage": self.stage, "kind": self.kind, "days": self.days,
                "amount": self.amount, "severity": self.severity, "message": self.message}


@dataclass
class Snoozed:
    deal: str
    owner: str
    stage: str
    until: dt.date
    reason: str

    def as_json(self) -> dict:
        return {"deal": self.deal, "owner": self.owner, "stage": self.stage,
                "until": self.until, "reason": self.reason}


worst_first = attrgetter("order")  # the sort key of warnings


@dataclass
class Stalls:
    warnings: list[Warning]
    snoozed: list[Snoozed]
    # each deal's warnings, as they were made: the view groups by deal without
    # walking every warning (a team's review has tens of thousands)
    by_deal: dict[str, list[Warning]] | None = field(default=None, repr=False)

    def grouped(self, limit: int | None = None) -> tuple[list[list[Warning]], int]:
        """The warnings of the ``limit`` worst deals, each deal's worst first, and how
        many deals have a warning."""
        by_deal = self.by_deal
        if by_deal is None:
            by_deal = {}
            for w in self.warnings:
                by_deal.setdefault(w.deal, []).append(w)
        ids: dict[str, None] = {}
        for w in self.warnings:  # sorted: a deal comes first at its worst warning
            if limit is not None and len(ids) >= limit:
                break
            ids.setdefault(w.deal)
        return [sorted(by_deal[d], key=worst_first) for d in ids], len(by_deal)

    def as_json(self) -> dict:
        return {"warnings": [w.as_json() for w in self.warnings],
                "snoozed": [s.as_json() for s in self.snoozed]}


def deal_warnings(d: Summary, p: Pipeline, today: dt.date) -> list[Warning]:
    stage = p.stage(d.stage)
    if d.status != "open" or stage is None:
        return []
    rules = p.rules
    out: list[Warning] = []

    def warn(kind: str, days: int, message: str) -> None:
        out.append(Warning(d.id, d.account, d.owner, d.stage, kind, days, d.amount, message))

    entered = d.history[-1][1]  # d.entered, without a property call per deal
    in_stage = (today - entered).days
    if in_stage > stage.stall_days:
        warn("stalled", in_stage, f"{in_stage} days in {stage.label} "
                                  f"(threshold {stage.stall_days})")
    if in_stage >= rules.judge_days:
        warn("judge", in_stage, f"no stage move for {in_stage} days: judge the customer's "
                                f"intent, qualify or drop")
    last = d.last_action
    since_touch = (today - (last if last and last > entered else entered)).days
    if since_touch >= rules.follow_up_days:
        what = f"last action {last}" if last else "no action yet"
        warn("follow_up", since_touch, f"no action for {since_touch} days ({what}): "
                                       f"follow up")
    if d.idle_actions >= rules.repeat_actions:
        warn("no_progress", (today - d.progress).days,
             f"{d.idle_actions} actions since the customer last moved ({d.progress}) "
             f"and no move")
    if d.next_date is None:
        warn("no_next_step", 0, "no next step")
    elif d.next_date < today:
        late = (today - d.next_date).days
        warn("next_overdue", late, f"next step {late} days overdue: {d.next_step}")
    return out


def stalled_deals(deals: list[Summary], p: Pipeline, today: dt.date) -> Stalls:
    """Warnings sorted by severity, then amount, then days; snoozed deals apart."""
    warnings: list[Warning] = []
    snoozed: list[Snoozed] = []
    by_deal: dict[str, list[Warning]] = {}
    for d in deals:
        if d.status != "open":
            continue
        if is_snoozed(d, today):
            snoozed.append(Snoozed(d.id, d.owner, d.stage, d.snooze_until,  # type: ignore[arg-type]
                                   d.snooze_reason or ""))
            continue
        ws = deal_warnings(d, p, today)
        if ws:
            warnings.extend(ws)
            by_deal.setdefault(d.id, []).extend(ws)
    warnings.sort(key=worst_first)
    snoozed.sort(key=lambda s: (s.until, s.deal))
    return Stalls(warnings, snoozed, by_deal)
