"""The handover sheet: what the rep who takes a deal over must know on the first
day, so that no customer leaves with the rep who left. A pure function of the deal
as its file holds it (contacts and actions are not in the summaries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from funnelctl import checks
from funnelctl.model import Deal
from funnelctl.pipeline import Pipeline

LAST_ACTIONS = 3


@dataclass(frozen=True)
class Sheet:
    id: str
    path: str
    account: str
    title: str
    stage: str  # the stage's label
    amount: float
    currency: str | None
    close: dt.date | None
    next_date: dt.date | None
    next_step: str | None
    overdue: bool
    contacts: list[dict]  # name, role, decision_maker, veto, met
    open_milestones: list[tuple[str, str]]  # (id, label) still to pass in this stage
    short_levels: list[tuple[str, int, int]]  # (ladder, level, needed) for the next stage
    last_actions: list[dict]  # date, kind, goal, result, newest first
    stage_id: str = ""
    # the pipeline the ids above belong to: a renderer names them in its language
    pipeline: Pipeline | None = field(default=None, compare=False, repr=False)

    def as_json(self) -> dict:
        return {
            "id": self.id, "path": self.path, "account": self.account, "title": self.title,
            "stage": self.stage, "amount": self.amount, "currency": self.currency,
            "close": self.close.isoformat() if self.close else None,
            "next": {"date": self.next_date.isoformat(), "step": self.next_step,
                     "overdue": self.overdue} if self.next_date else None,
            "contacts": [{**c, "met": c["met"].isoformat() if c["met"] else None}
                         for c in self.contacts],
            "open_milestones": [m for m, _ in self.open_milestones],
            "short_levels": [{"ladder": lad, "level": lvl, "needed": need}
                             for lad, lvl, need in self.short_levels],
            "last_actions": [{**a, "date": a["date"].isoformat()} for a in self.last_actions],
        }


def sheet(deal: Deal, path: str, p: Pipeline, today: dt.date) -> Sheet:
    stage = p.stage(deal.stage)
    open_ms = [(m.id, m.label) for m in (stage.milestones if stage else ())
               if m.id not in deal.milestones]
    nxt_i = p.index(deal.stage) + 1 if p.known_stage(deal.stage) else len(p.stages)
    short = []
    if nxt_i < len(p.stages):
        levels = {k: v.level for k, v in deal.levels.items()}
        short = [(r.ladder, r.has, r.needs)
                 for r in checks.entry_requirements(p.stages[nxt_i], levels, ())
                 if not r.met]
    actions = sorted(deal.actions, key=lambda a: a.date, reverse=True)[:LAST_ACTIONS]
    return Sheet(
        id=deal.id, path=path, account=deal.account, title=deal.title,
        stage=p.label(deal.stage), amount=deal.amount, currency=deal.currency,
        close=deal.close,
        next_date=deal.next.date if deal.next else None,
        next_step=deal.next.step if deal.next else None,
        overdue=bool(deal.next and deal.next.date < today),
        contacts=[{"name": c.name, "role": c.role, "decision_maker": c.decision_maker,
                   "veto": c.veto, "met": c.met} for c in deal.contacts],
        open_milestones=open_ms, short_levels=short,
        last_actions=[{"date": a.date, "kind": a.kind, "goal": a.goal, "result": a.result}
                      for a in actions],
        stage_id=deal.stage, pipeline=p,
    )
