"""The pipeline week by week: the open deals per stage, their amount and their
weighted amount at each week start (the deals as git held them then) and now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from funnelctl.analysis.funnel import stage_tally
from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary


@dataclass
class Point:
    day: dt.date
    now: bool  # the working tree today, not a week start
    counts: list[int]  # open deals per open stage, in the pipeline's order
    amount: float  # of the open deals
    weighted: float

    @property
    def open_deals(self) -> int:
        return sum(self.counts)

    def as_json(self) -> dict:
        return {"day": self.day, "now": self.now, "counts": self.counts,
                "open": self.open_deals, "amount": round(self.amount, 2),
                "weighted": round(self.weighted, 2)}


def point(day: dt.date, deals: list[Summary], p: Pipeline, now: bool = False) -> Point:
    """The open deals of ``deals`` (the owners' already chosen) counted by stage."""
    t = stage_tally(deals, p)
    return Point(day, now, t.count, sum(t.amount), sum(t.weighted))


def trend(weeks: dict[dt.date, list[Summary]], today: dt.date, deals: list[Summary],
          p: Pipeline) -> list[Point]:
    """A point per week start (oldest first), then today's from ``deals``."""
    return [*(point(day, ds, p) for day, ds in sorted(weeks.items())),
            point(today, deals, p, now=True)]
