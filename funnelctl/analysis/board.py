"""The kanban: one column per open stage, one card per open deal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from funnelctl.analysis.stalls import deal_warnings
from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary


@dataclass
class Card:
    deal: str
    account: str
    owner: str
    amount: float
    days: int
    weakest: str | None  # "power 1/6": the ladder furthest from its top
    stalled: bool

    def as_json(self) -> dict:
        return {"deal": self.deal, "account": self.account, "owner": self.owner,
                "amount": self.amount, "days_in_stage": self.days, "weakest": self.weakest,
                "stalled": self.stalled}


@dataclass
class Column:
    stage: str
    label: str
    cards: list[Card]

    @property
    def amount(self) -> float:
        return sum(c.amount for c in self.cards)

    def as_json(self) -> dict:
        return {"stage": self.stage, "label": self.label, "count": len(self.cards),
                "amount": self.amount, "cards": [c.as_json() for c in self.cards]}


def weakest_ladder(d: Summary, p: Pipeline) -> str | None:
    best = None
    for lad in p.ladders:
        level = d.levels.get(lad.id, (0, None))[0]
        share = level / lad.top
        if best is None or share < best[0]:
            best = (share, f"{lad.id} {level}/{lad.top}")
    return best[1] if best else None


def kanban(deals: list[Summary], p: Pipeline, today: dt.date) -> list[Column]:
    """Cards sorted stalled first, then by amount (largest first)."""
    cols = {s.id: Column(s.id, s.label, []) for s in p.stages}
    for d in deals:
        if d.status != "open" or d.stage not in cols:
            continue
        stalled = any(w.kind == "stalled" for w in deal_warnings(d, p, today))
        if d.snooze_until and d.snooze_until > today:
            stalled = False
        cols[d.stage].cards.append(Card(d.id, d.account, d.owner, d.amount,
                                        (today - d.entered).days, weakest_ladder(d, p), stalled))
    for c in cols.values():
        c.cards.sort(key=lambda c: (not c.stalled, -c.amount, c.deal))
    return list(cols.values())
