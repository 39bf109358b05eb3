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
from typing import Any

from funnelctl import i18n
from funnelctl.analysis.cadence import deal_cadence
from funnelctl.analysis.select import is_snoozed
from funnelctl.i18n import N_, _, formats, nformat
from funnelctl.pipeline import Pipeline, Stage
from funnelctl.summary import AboutDeal, Summary

SEVERITY = {"judge": 5, "stalled": 4, "no_progress": 3, "next_overdue": 2, "follow_up": 2,
            "recheck": 2, "no_next_step": 1}
# a warning in a few words, for tables: {days} is ``12d`` / ``12天``
SHORT = {"stalled": N_("stalled {days}"), "judge": N_("judge {days}"),
         "recheck": N_("re-check {days}"), "follow_up": N_("no action {days}"),
         "no_progress": N_("no progress {days}"), "next_overdue": N_("next step {days} late")}


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
            return nformat("{n} day in {stage} (threshold {threshold}): judge the customer's "
                           "intent, keep it or drop it",
                           "{n} days in {stage} (threshold {threshold}): judge the customer's "
                           "intent, keep it or drop it", days, stage=named(self.at),
                           threshold=self.at.stall_days)
        if kind == "judge":
            return nformat("the manager's cycle began {n} day ago: judge the customer's "
                           "intent (funnelctl judge {id} keep|drop)",
                           "the manager's cycle began {n} days ago: judge the customer's "
                           "intent (funnelctl judge {id} keep|drop)", days, id=d.id)
        if kind == "recheck":
            return nformat("the manager last looked {n} day ago: check the progress again "
                           "(funnelctl check {id})",
                           "the manager last looked {n} days ago: check the progress again "
                           "(funnelctl check {id})", days, id=d.id)
        if kind == "follow_up":
            what = _("last action {day}").format(day=formats.day(d.last_action)) \
                if d.last_action else _("no action yet")
            return nformat("no action for {n} day ({what}): follow up",
                           "no action for {n} days ({what}): follow up", days, what=what)
        if kind == "no_progress":
            return nformat("{n} action since the customer last moved ({day}) and no "
                           "milestone, level or stage since",
                           "{n} actions since the customer last moved ({day}) and no "
                           "milestone, level or stage since", d.idle_actions,
                           day=formats.day(d.progress))
        if kind == "next_overdue":
            return nformat("next step {n} day overdue: {step}",
                           "next step {n} days overdue: {step}", days, step=d.next_step)
        return _("no next step")

    @property
    def short(self) -> str:
        """The warning in a few words with its number, for tables."""
        kind = self.kind
        if kind == "no_next_step":
            return _("no next step")
        return _(SHORT[kind]).format(days=formats.days(self.days))

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
    at: Stage | None = field(default=None, repr=False, compare=False)  # for its name

    def as_json(self) -> dict:
        return {"deal": self.deal, "owner": self.owner, "stage": self.stage,
                "until": self.until, "reason": self.reason}


worst_first = attrgetter("order")  # the sort key of warnings


def worst_of_deal(ws: list[Warning]) -> tuple:
    """The sort key of one deal's warnings, worst first: its worst one's."""
    return ws[0].order


def named(item: Stage | Any) -> str:
    """What a stage (ladder, milestone) of stages.yaml is called in the active language,
    as ``i18n.label`` says, without the lookup for an item that has no label in another
    language (every item of an English pipeline): a team's review names thousands."""
    return i18n.label(item) if item.labels else item.label


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
        by_deal = self.by_deal
        if limit is None and by_deal is not None:
            # each deal's few warnings sorted, then the deals by their worst: the order
            # of the sorted warnings taken apart by deal, without a dict entry per
            # warning (the sections of 400 reps grouped them in 0.3 s, 0.1 s so)
            groups = [sorted(ws, key=worst_first) for ws in by_deal.values()]
            groups.sort(key=worst_of_deal)
            return groups, len(groups)
        if limit is None:  # the sorted warnings taken apart by deal stay sorted
            by_id: dict[str, list[Warning]] = {}
            for w in self.warnings:
                by_id.setdefault(w.of.id, []).append(w)
            return list(by_id.values()), len(by_id)
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
                                   d.snooze_reason or "", p.stage(d.stage)))
            continue
        ws = deal_warnings(d, p, today)
        if ws:
            warnings.extend(ws)
            by_deal.setdefault(d.id, []).extend(ws)
    warnings.sort(key=worst_first)
    snoozed.sort(key=lambda s: (s.until, s.deal))
    return Stalls(warnings, snoozed, by_deal)
