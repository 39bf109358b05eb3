"""Stall warnings: every open deal that needs the manager's question.

Rules (days counted up to today):
- stalled: in the stage longer than the stage's ``stall_days``: the customer's
  intent must be judged (a stage's own threshold rules, not a flat 30 days: a
  deal 35 days into a 45-day evaluation is not stalled);
- follow_up: no action for ``follow_up_days`` (15), counted from the last action,
  or from entering the stage when there is none;
- no_progress: ``repeat_actions`` (3) or more actions since the customer last
  moved (a stage entered, a milestone ticked or a level set; what the rep says of
  an action is not progress), unless the deal is stalled with no progress since
  it entered the stage: that is the same fact said twice;
- next_overdue / no_next_step: the dated next step is past, or missing;
- judge / recheck: the manager's 1/15/30 cadence (``analysis.cadence``): a deal the
  manager checked is judged ``judge_days`` after its cycle began, and checked again
  ``follow_up_days`` after the last look.

A deal snoozed until a later date raises no warning and is listed apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter

from funnelctl.analysis.cadence import deal_cadence
from funnelctl.analysis.select import is_snoozed
from funnelctl.pipeline import Pipeline, Stage
from funnelctl.summary import AboutDeal, Summary

SEVERITY = {"judge": 5, "stalled": 4, "no_progress": 3, "next_overdue": 2, "follow_up": 2,
            "recheck": 2, "no_next_step": 1}


@dataclass(slots=True)
class Warning(AboutDeal):
    """One warning on one deal. Its message is written when asked for: a team's review
    raises tens of thousands of warnings and shows a few hundred."""

    of: Summary  # the deal
    at: Stage  # the stage it is in
    kind: str
    days: int
    # worst first: severity, then amount, then days, then the deal's id; made once,
    # since a team's review sorts tens of thousands of warnings
    order: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.order = (-SEVERITY[self.kind], -self.of.amount, -self.days, self.of.id)

    @property
    def severity(self) -> int:
        return SEVERITY[self.kind]

    @property
    def message(self) -> str:
        d, days = self.of, self.days
        kind = self.kind
        if kind == "stalled":
            return f"{days} days in {self.at.label} (threshold {self.at.stall_days}): judge " \
                   f"the customer's intent, keep it or drop it"
        if kind == "judge":
            return f"the manager's cycle began {days} days ago: judge the customer's " \
                   f"intent (funnelctl judge {d.id} keep|drop)"
        if kind == "recheck":
            return f"the manager last looked {days} days ago: check the progress again " \
                   f"(funnelctl check {d.id})"
        if kind == "follow_up":
            what = f"last action {d.last_action}" if d.last_action else "no action yet"
            return f"no action for {days} days ({what}): follow up"
        if kind == "no_progress":
            return f"{d.idle_actions} actions since the customer last moved ({d.progress}) " \
                   f"and no milestone, level or stage since"
        if kind == "next_overdue":
            return f"next step {days} days overdue: {d.next_step}"
        return "no next step"

    @property
    def short(self) -> str:
        """The warning in a few words with its number, for tables."""
        return {"stalled": f"stalled {self.days}d", "judge": f"judge {self.days}d",
                "recheck": f"re-check {self.days}d",
                "follow_up": f"no action {self.days}d",
                "no_progress": f"no progress {self.days}d",
                "next_overdue": f"next step {self.days}d late",
                "no_next_step": "no next step"}[self.kind]

    def as_json(self) -> dict:
        d = self.of
        return {"deal": d.id, "account": d.account, "owner": d.owner,
                "stage": d.stage, "kind": self.kind, "days": self.days,
                "amount": d.amount, "severity": SEVERITY[self.kind], "message": self.message}


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
    # each deal's warnings, as they were made: the worst few deals are grouped
    # without walking every warning (a pipeline of 100,000 deals has tens of thousands)
    by_deal: dict[str, list[Warning]] | None = field(default=None, repr=False)

    def grouped(self, limit: int | None = None) -> tuple[list[list[Warning]], int]:
        """The warnings of the ``limit`` worst deals (of every deal without a limit),
        each deal's worst first, and how many deals have a warning."""
        if limit is None:  # the sorted warnings taken apart by deal stay sorted
            groups: dict[str, list[Warning]] = {}
            for w in self.warnings:
                groups.setdefault(w.of.id, []).append(w)
            return list(groups.values()), len(groups)
        by_deal = self.by_deal
        if by_deal is None:
            by_deal = {}
            for w in self.warnings:
                by_deal.setdefault(w.deal, []).append(w)
        ids: dict[str, None] = {}
        for w in self.warnings:  # sorted: a deal comes first at its worst warning
            if len(ids) >= limit:
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
    entered = d.history[-1][1]  # d.entered, without a property call per deal
    in_stage = (today - entered).days
    stalled = in_stage > stage.stall_days
    if stalled:
        out.append(Warning(d, stage, "stalled", in_stage))
    last = d.last_action
    since_touch = (today - (last if last and last > entered else entered)).days
    if since_touch >= rules.follow_up_days:
        out.append(Warning(d, stage, "follow_up", since_touch))
    if d.idle_actions >= rules.repeat_actions and not (stalled and d.progress <= entered):
        out.append(Warning(d, stage, "no_progress", (today - d.progress).days))
    if d.checked:
        due = deal_cadence(d, p, today)
        if due is not None:
            out.append(Warning(d, stage, due.kind, due.days))
    if d.next_date is None:
        out.append(Warning(d, stage, "no_next_step", 0))
    elif d.next_date < today:
        late = (today - d.next_date).days
        out.append(Warning(d, stage, "next_overdue", late))
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
