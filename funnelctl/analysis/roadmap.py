"""One deal's road map: where it stands, what it passed, what it still needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from funnelctl.analysis.currency import amount_converted, conversion_day
from funnelctl.checks import entry_requirements, level_values, waived_items
from funnelctl.model import Deal
from funnelctl.pipeline import Pipeline


def road_map(deal: Deal, stored: dict[str, Any], p: Pipeline, today: dt.date,
             recent: int = 5) -> dict[str, Any]:
    """Plain data for ``show``: the deal's fields as stored (``stored``, the file's
    mapping) plus what is derived from ``deal``, the same file validated."""
    entered = deal.history[-1].date
    end = deal.outcome.date if deal.status != "open" and deal.outcome else today
    moves = []
    for i, h in enumerate(deal.history):
        kind = "entered"
        if i:
            prev, cur = deal.history[i - 1].stage, h.stage
            if p.known_stage(prev) and p.known_stage(cur):
                kind = "regressed" if p.index(cur) < p.index(prev) else "advanced"
        nxt = deal.history[i + 1].date if i + 1 < len(deal.history) else end
        moves.append({"stage": h.stage, "label": p.label(h.stage), "date": h.date,
                      "days": (nxt - h.date).days, "move": kind, "reason": h.reason,
                      "waived": list(h.waived)})
    stage = p.stage(deal.stage)
    waived = waived_items(deal)
    milestones = []
    if stage is not None:
        for m in stage.milestones:
            tick = deal.milestones.get(m.id)
            milestones.append({"id": m.id, "label": m.label, "ticked": tick is not None,
                               "date": tick.date if tick else None,
                               "evidence": tick.evidence if tick else None,
                               "waived": m.id in waived,
                               "evidence_required": m.evidence == "required"})
    requires = [{"ladder": r.ladder, "needs": r.needs, "has": r.has, "met": r.met,
                 "waived": r.waived}
                for r in (entry_requirements(stage, level_values(deal), waived)
                          if stage is not None else [])]
    ladders = []
    for lad in p.ladders:
        lv = deal.levels.get(lad.id)
        level = lv.level if lv else 0
        ladders.append({"id": lad.id, "label": lad.label, "level": level, "top": lad.top,
                        "level_label": lad.levels[min(level, lad.top)],
                        "date": lv.date if lv else None,
                        "evidence": lv.evidence if lv else None})
    prob = 1.0 if deal.status == "won" else 0.0 if deal.status == "lost" else (
        stage.probability if stage else 0.0)
    # in the reporting currency, as every view counts it; None: no rate for the currency
    converted = amount_converted(
        deal.amount, deal.currency,
        conversion_day(deal.status, deal.outcome.date if deal.outcome else None,
                       max(h.date for h in deal.history), today), p)
    return {
        "deal": stored,
        "derived": {
            "stage_label": p.label(deal.stage),
            "days_in_stage": max(0, (end - entered).days),
            "entered_stage": entered,
            "probability": prob,
            "currency": deal.currency or p.currency,
            "amount_converted": converted,
            "reporting_currency": p.currency,
            "weighted_amount": None if converted is None else round(converted * prob, 2),
            "stall_days": stage.stall_days if stage else None,
            "stalled": bool(stage and deal.status == "open"
                            and (today - entered).days > stage.stall_days),
            "next_step_overdue": bool(deal.next and deal.status == "open"
                                      and deal.next.date < today),
        },
        "moves": moves,
        "milestones": milestones,
        "requires": requires,
        "ladders": ladders,
        "contacts": [c.model_dump(mode="json", exclude_none=True) for c in deal.contacts],
        "actions": [a.model_dump(mode="json", exclude_none=True)
                    for a in sorted(deal.actions, key=lambda a: a.date)[-recent:]],
        "actions_total": len(deal.actions),
    }
