"""The compact record every view runs on: what the analysis needs of one deal.

A whole deal (contacts' roles, action texts, evidence) is read only where one
deal is shown. The views get a ``Summary`` per deal, which is small enough to
cache for 100,000 deals and load in a blink. Nothing here depends on today's
date, so a cached summary never goes stale by time alone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # summaries are built by the loader; the views need no pydantic
    from funnelctl.readmodel import AnyDeal as Deal


class Move(NamedTuple):
    """One entry of a deal's stage history."""

    stage: str
    date: dt.date
    forced: bool  # a forced move: a reason or waived items were recorded


class Waiver(NamedTuple):
    """What a forced move skipped, and why."""

    stage: str
    date: dt.date
    reason: str
    items: tuple[str, ...]


class Summary(NamedTuple):
    """A tuple, so that 100,000 of them decode from the cache at C speed. ``history``
    holds the moves, oldest first; ``levels`` maps a ladder to (level, date).
    Actions are kept as the few numbers the views need.

    A field named like a field of the deal (``id`` through ``status``, and any
    added later) is copied from the deal as it is: adding one here is all it takes
    to carry a new deal field to the views (CONTRIBUTING.md). The fields after
    ``status`` are derived by ``summarize``."""

    id: str
    path: str  # relative to the pipeline root, with forward slashes
    title: str
    account: str
    owner: str
    amount: float
    currency: str | None
    created: dt.date
    close: dt.date | None
    stage: str
    status: str
    source_id: str | None
    history: tuple[Move, ...]
    last_move: dt.date  # the latest date in the history (a hand edit may disorder it)
    actions: int  # how many actions the deal has had
    last_action: dt.date | None
    progress: dt.date  # the customer's last move: stage entry or an action that moved it
    idle_actions: int  # actions since ``progress`` that did not move the customer
    ticked: tuple[str, ...]
    levels: dict[str, tuple[int, dt.date]]
    veto_unmet: tuple[str, ...]  # veto holders we have not met or who have not agreed
    decision_maker_met: bool | None  # None: no decision maker named
    next_date: dt.date | None
    next_step: str | None
    outcome_date: dt.date | None
    lost_reason: str | None
    competitor: str | None
    snooze_until: dt.date | None
    snooze_reason: str | None
    waived: tuple[Waiver, ...]
    flags: tuple[str, ...]  # process rules the deal breaks, as "line: message"

    @property
    def entered(self) -> dt.date:
        """The day the deal entered its current stage."""
        return self.history[-1][1]

    def as_row(self) -> dict:
        """The deal's own fields (every field copied from the file) and its path."""
        row = {name: getattr(self, name) for name in ROW}
        row["path"] = self.path
        return row


class AboutDeal:
    """A finding about one deal, held as the deal's summary (``of``): it reads the
    deal's id, account, owner, stage and amount from there instead of copying them."""

    __slots__ = ()
    of: Summary

    @property
    def deal(self) -> str:
        return self.of.id

    @property
    def account(self) -> str:
        return self.of.account

    @property
    def owner(self) -> str:
        return self.of.owner

    @property
    def stage(self) -> str:
        return self.of.stage

    @property
    def amount(self) -> float:
        return self.of.amount


def _copied() -> tuple[str, ...]:
    from funnelctl.readmodel import Deal as Struct

    return tuple(f for f in Summary._fields if f in Struct.__struct_fields__
                 and f not in DERIVED)


# Fields named like the deal's but computed from it
DERIVED = frozenset({"history", "levels", "actions", "waived"})
COPIED = _copied()
# list --json: these first, as they always were, then the other copied fields
ROW = ("id", "title", "account", "owner", "stage", "status", "amount",
       *(f for f in COPIED if f not in {"id", "title", "account", "owner", "stage", "status",
                                        "amount"}))


def summarize(deal: Deal, path: str, flags: list[str]) -> Summary:
    decision_makers = [c for c in deal.contacts if c.decision_maker]
    progress = max([deal.history[-1].date, *(a.date for a in deal.actions if a.moved)])
    return Summary(
        **{name: getattr(deal, name) for name in COPIED},
        path=path,
        history=tuple(Move(h.stage, h.date, bool(h.reason or h.waived)) for h in deal.history),
        last_move=max(h.date for h in deal.history),
        actions=len(deal.actions),
        last_action=max((a.date for a in deal.actions), default=None),
        progress=progress,
        idle_actions=sum(1 for a in deal.actions if a.date >= progress and not a.moved),
        ticked=tuple(sorted(deal.milestones)),
        levels={k: (v.level, v.date) for k, v in deal.levels.items()},
        veto_unmet=tuple(c.name for c in deal.contacts if c.veto and not (c.met and c.agreed)),
        decision_maker_met=(any(c.met for c in decision_makers) if decision_makers else None),
        next_date=deal.next.date if deal.next else None,
        next_step=deal.next.step if deal.next else None,
        outcome_date=deal.outcome.date if deal.outcome else None,
        lost_reason=deal.outcome.reason if deal.outcome and deal.status == "lost" else None,
        competitor=deal.outcome.competitor if deal.outcome else None,
        snooze_until=deal.snooze.until if deal.snooze else None,
        snooze_reason=deal.snooze.reason if deal.snooze else None,
        waived=tuple(Waiver(h.stage, h.date, h.reason or "", tuple(h.waived))
                     for h in deal.history if h.reason or h.waived),
        flags=tuple(flags),
    )
