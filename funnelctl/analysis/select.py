"""Choosing deals: by owner, team, stage and status; and the small derived numbers
every view shares (days in stage, weight)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary


def owners_of(pipeline: Pipeline, owners: Iterable[str] | None,
              teams: Iterable[str] | None) -> set[str] | None:
    """The owners a filter admits, or None for everyone. Unknown teams raise KeyError."""
    wanted: set[str] = set(owners or [])
    for team in teams or []:
        if team not in pipeline.teams:
            raise KeyError(team)
        wanted.update(pipeline.teams[team])
    return wanted or None


def select(deals: Iterable[Summary], owners: set[str] | None = None, stage: str | None = None,
           status: str | None = None) -> list[Summary]:
    return [d for d in deals
            if (owners is None or d.owner in owners)
            and (stage is None or d.stage == stage)
            and (status is None or d.status == status)]


def days_in_stage(d: Summary, today: dt.date) -> int:
    end = d.outcome_date if d.status != "open" and d.outcome_date else today
    return max(0, (end - d.entered).days)


def probability(d: Summary, pipeline: Pipeline) -> float:
    if d.status == "won":
        return 1.0
    if d.status == "lost":
        return 0.0
    stage = pipeline.stage(d.stage)
    return stage.probability if stage else 0.0


def is_snoozed(d: Summary, today: dt.date) -> bool:
    return d.snooze_until is not None and d.snooze_until > today


def owners_in(deals: Iterable[Summary]) -> list[str]:
    return sorted({d.owner for d in deals})
