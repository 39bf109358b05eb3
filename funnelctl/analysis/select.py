"""Choosing deals: by owner, team, stage and status; and whether a deal is snoozed."""

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
    if owners is None and stage is None and status is None:
        return list(deals)
    return [d for d in deals
            if (owners is None or d.owner in owners)
            and (stage is None or d.stage == stage)
            and (status is None or d.status == status)]


def is_snoozed(d: Summary, today: dt.date) -> bool:
    return d.snooze_until is not None and d.snooze_until > today
