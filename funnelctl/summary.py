"""The compact record every view runs on: what the analysis needs of one deal.

A whole deal (contacts' roles, action texts, evidence) is read only where one
deal is shown. The views get a ``Summary`` per deal, which is small enough to
cache for 100,000 deals and load in a blink. Nothing here depends on today's
date, so a cached summary never goes stale by time alone.
"""

from __future__ import annotations

import datetime as dt
import operator
from typing import TYPE_CHECKING, Any, NamedTuple

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


# summarize runs once for every deal a cold start parses (45 µs a deal as keyword
# arguments and generators, 20 µs this way): the copied fields are read by one
# attrgetter, the derived ones put in order by one itemgetter built from their names,
# and the summary and its moves are made as the tuples they are.
_copy = operator.attrgetter(*COPIED)
_tuple = tuple.__new__
_IN_ORDER: list[Any] = []


def _in_order(derived: dict[str, Any]) -> Any:
    """The getter that takes the copied values and then the ``derived`` ones (the
    names of summarize's dict, in its order) in the order of Summary's fields."""
    names = (*COPIED, *derived)
    if sorted(names) != sorted(Summary._fields):
        raise TypeError(f"summarize makes {names}, a Summary has {Summary._fields}")
    _IN_ORDER.append(operator.itemgetter(*(names.index(f) for f in Summary._fields)))
    return _IN_ORDER[0]


def _by_date(c: Check) -> dt.date:
    return c.date


def summarize(deal: Deal, path: str, flags: list[str]) -> Summary:
    history = deal.history
    # the days the customer moved: a stage entered, a milestone ticked, a level set
    moved_on: set[dt.date] = set()
    moves: list[Move] = []
    waived: list[Waiver] = []
    for h in history:
        date = h.date
        moved_on.add(date)
        forced = h.reason or h.waived
        moves.append(_tuple(Move, (h.stage, date, bool(forced))))
        if forced:
            waived.append(_tuple(Waiver, (h.stage, date, h.reason or "", tuple(h.waived))))
    last_move = max(moved_on)
    milestones = deal.milestones
    levels = deal.levels
    for t in milestones.values():
        moved_on.add(t.date)
    for v in levels.values():
        moved_on.add(v.date)
    progress = max(moved_on)
    done: list[dt.date] = []
    planned: list[dt.date] = []
    idle = 0
    for a in deal.actions:
        date = a.date
        if a.planned:
            planned.append(date)
        else:
            done.append(date)
            if date >= progress and date not in moved_on:
                idle += 1
    done.sort()
    planned.sort()
    veto_unmet: list[str] = []
    dm_seen = dm_met = False
    for c in deal.contacts:
        if c.decision_maker:
            dm_seen = True
            if c.met:
                dm_met = True
        if c.veto and not (c.met and c.agreed):
            veto_unmet.append(c.name)
    o = deal.outcome
    status = deal.status
    nxt = deal.next
    snooze = deal.snooze
    checks = deal.manager_checks
    derived = {
        "path": path,
        # a won deal counts what was signed, when the signature recorded it
        "amount": o.amount if o is not None and o.amount is not None and status == "won"
        else deal.amount,
        "history": tuple(moves),
        "last_move": last_move,
        "actions": len(done),
        "last_action": done[-1] if done else None,
        "progress": progress,
        "idle_actions": idle,
        "ticked": tuple(sorted(milestones)),
        "levels": {k: (v.level, v.date) for k, v in levels.items()},
        "veto_unmet": tuple(veto_unmet),
        "decision_maker_met": dm_met if dm_seen else None,
        "next_date": nxt.date if nxt else None,
        "next_step": nxt.step if nxt else None,
        "outcome_date": o.date if o else None,
        "lost_reason": o.reason if o and status == "lost" else None,
        "competitor": o.competitor if o else None,
        "snooze_until": snooze.until if snooze else None,
        "snooze_reason": snooze.reason if snooze else None,
        "waived": tuple(waived),
        "flags": tuple(flags),
        "action_dates": tuple(done),
        "planned_dates": tuple(planned),
        "checked": tuple(sorted([_tuple(Check, (c.date, c.manager, c.verdict)) for c in checks],
                                key=_by_date)) if checks else (),
        "imported": history[0].imported,
    }
    in_order = _IN_ORDER[0] if _IN_ORDER else _in_order(derived)
    return _tuple(Summary, in_order(_copy(deal) + tuple(derived.values())))
