"""The kanban: one column per open stage, one card per open deal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from funnelctl.analysis.stalls import deal_warnings
from funnelctl.pipeline import Ladder, Pipeline
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
    # the weakest ladder and its level, for a view to name it in its language
    weak: tuple[Ladder, int] | None = None

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
    weak = weakest(d, p)
    return f"{weak[0].id} {weak[1]}/{weak[0].top}" if weak else None


def weakest(d: Summary, p: Pipeline) -> tuple[Ladder, int] | None:
    """The ladder furthest from its top (the first of equals), and its level."""
    best = None
    for lad in p.ladders:
        level = d.levels.get(lad.id, (0, None))[0]
        share = level / lad.top
        if best is None or share < best[0]:
            best = (share, lad, level)
    return (best[1], best[2]) if best else None


def kanban(deals: list[Summary], p: Pipeline, today: dt.date) -> list[Column]:
    """Cards sorted stalled first, then by amount (largest first)."""
    cols = {s.id: Column(s.id, s.label, []) for s in p.stages}
    for d in deals:
        if d.status != "open" or d.stage not in cols:
            continue
        stalled = any(w.kind == "stalled" for w in deal_warnings(d, p, today))
        if d.snooze_until and d.snooze_until > today:
            stalled = False
        weak = weakest(d, p)
        cols[d.stage].cards.append(Card(
            d.id, d.account, d.owner, d.amount, (today - d.entered).days,
            f"{weak[0].id} {weak[1]}/{weak[0].top}" if weak else None, stalled, weak))
    for c in cols.values():
        c.cards.sort(key=lambda c: (not c.stalled, -c.amount, c.deal))
    return list(cols.values())
