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


class Check(NamedTuple):
    """A manager's look at a deal (``verdict`` None) or judgement (keep or drop)."""

    date: dt.date
    manager: str
    verdict: str | None


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
    source: str | None
    history: tuple[Move, ...]
    last_move: dt.date  # the latest date in the history (a hand edit may disorder it)
    actions: int  # how many actions the deal has had
    last_action: dt.date | None
    # the customer's last move: a stage entered, a milestone ticked or a ladder level
    # set (what the rep says of an action, ``moved``, is not progress by itself)
    progress: dt.date
    idle_actions: int  # actions since ``progress`` on a day the deal did not move
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
    roles: dict[str, str]  # stage role -> the person who holds it
    action_dates: tuple[dt.date, ...]  # the actions done, oldest first
    planned_dates: tuple[dt.date, ...]  # the actions planned, earliest first
    checked: tuple[Check, ...]  # the manager's checks and judgements, oldest first
    # the deal came in by an import (or new --stage): its first history entry is the
    # stage the source stated, not a move funnelctl saw (no inflow, no stay counted)
    imported: bool

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
DERIVED = frozenset({"history", "levels", "actions", "waived", "amount"})
COPIED = _copied()
# list --json: these first, as they always were, then the other copied fields
ROW = ("id", "title", "account", "owner", "stage", "status", "amount",
       *(f for f in COPIED if f not in {"id", "title", "account", "owner", "stage", "status",
                                        "amount"}))


def summarize(deal: Deal, path: str, flags: list[str]) -> Summary:
    decision_makers = [c for c in deal.contacts if c.decision_maker]
    done = [a for a in deal.actions if not a.planned]
    # the days the customer moved: a stage entered, a milestone ticked, a level set
    moved_on = {h.date for h in deal.history}
    moved_on.update(t.date for t in deal.milestones.values())
    moved_on.update(v.date for v in deal.levels.values())
    progress = max(moved_on)
    o = deal.outcome
    return Summary(
        **{name: getattr(deal, name) for name in COPIED},
        # a won deal counts what was signed, when the signature recorded it
        amount=o.amount if o is not None and o.amount is not None and deal.status == "won"
        else deal.amount,
        path=path,
        history=tuple(Move(h.stage, h.date, bool(h.reason or h.waived)) for h in deal.history),
        last_move=max(h.date for h in deal.history),
        actions=len(done),
        last_action=max((a.date for a in done), default=None),
        progress=progress,
        idle_actions=sum(1 for a in done if a.date >= progress and a.date not in moved_on),
        ticked=tuple(sorted(deal.milestones)),
        levels={k: (v.level, v.date) for k, v in deal.levels.items()},
        veto_unmet=tuple(c.name for c in deal.contacts if c.veto and not (c.met and c.agreed)),
        decision_maker_met=(any(c.met for c in decision_makers) if decision_makers else None),
        next_date=deal.next.date if deal.next else None,
        next_step=deal.next.step if deal.next else None,
        outcome_date=o.date if o else None,
        lost_reason=o.reason if o and deal.status == "lost" else None,
        competitor=o.competitor if o else None,
        snooze_until=deal.snooze.until if deal.snooze else None,
        snooze_reason=deal.snooze.reason if deal.snooze else None,
        waived=tuple(Waiver(h.stage, h.date, h.reason or "", tuple(h.waived))
                     for h in deal.history if h.reason or h.waived),
        flags=tuple(flags),
        action_dates=tuple(sorted(a.date for a in done)),
        planned_dates=tuple(sorted(a.date for a in deal.actions if a.planned)),
        checked=tuple(sorted((Check(c.date, c.manager, c.verdict) for c in deal.manager_checks),
                             key=lambda c: c.date)),
        imported=deal.history[0].imported,
    )
