"""The manager's 1 / 15 / 30 cadence over the deals' checks (``funnelctl check`` and
``funnelctl judge``), as pure functions of (summaries, pipeline, today).

The cycle of one open deal:

- day 1: the manager looks at the deal (a check). The cycle starts at the first
  check ever, or again at the latest ``judge keep`` (a keep is a look, and starts
  a new cycle);
- re-check: ``rules.follow_up_days`` (15) days after the latest look (a check or a
  judgement), the manager must look again;
- judge: ``rules.judge_days`` (30) days after the cycle started, the manager must
  judge the customer's intent: ``judge keep`` starts a new cycle, ``judge drop``
  closes the deal as lost. A deal to judge is not also listed as a re-check (one
  deal, one warning: the judgement is the look it needs).

A deal the manager has never looked at has no cycle yet: it is no re-check and
no judgement, but ``unlooked`` finds it once it has been open ``follow_up_days``
(counted from its first history entry), as it finds every deal whose latest look
is that old: "the deals the manager has not looked at in 15 days".

Only open deals have a cadence. Snoozed deals are the caller's business:
``cadence_due`` and ``not_looked_at`` leave them out (as ``stalls`` does), the
per-deal functions do not ask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from funnelctl import i18n
from funnelctl.analysis.select import is_snoozed
from funnelctl.i18n import _, formats, nformat
from funnelctl.pipeline import Pipeline
from funnelctl.summary import AboutDeal, Summary

# judge before recheck before unchecked, then the longest wait, then the largest deal
_RANK = {"judge": 0, "recheck": 1, "unchecked": 2}


@contextmanager
def in_english() -> Iterator[None]:
    """Speak English for a while: the ``message`` of a finding is in the active
    language for the views, and in English in its JSON (JSON never changes with
    the language)."""
    was = i18n.current()
    if was == i18n.DEFAULT:
        yield
        return
    i18n.activate(i18n.DEFAULT)
    try:
        yield
    finally:
        i18n.activate(was)


@dataclass(slots=True)
class Cadence(AboutDeal):
    """What the cadence asks of the manager about one open deal.

    ``kind``: ``judge`` (the cycle is ``judge_days`` old), ``recheck`` (the latest
    look is ``follow_up_days`` old) or ``unchecked`` (never looked at, open for
    ``follow_up_days``). ``since`` is the day ``days`` count from: the cycle's
    start, the latest look, or the day the deal came in. ``last_look`` is the latest
    check or judgement (None: never); ``looks`` how many checks and judgements the
    current cycle holds."""

    of: Summary
    kind: str
    days: int
    since: dt.date
    last_look: dt.date | None
    looks: int

    @property
    def manager(self) -> str | None:
        """Who looked last."""
        return self.of.checked[-1].manager if self.of.checked else None

    @property
    def message(self) -> str:
        """What the manager must do, in the active language."""
        ago = nformat("{n} day ago", "{n} days ago", self.days)
        since = formats.day(self.since)
        if self.kind == "judge":
            return _("cycle started {since}, {ago} ({looks}): judge the customer's intent, "
                     "keep or drop").format(
                since=since, ago=ago, looks=nformat("{n} look", "{n} looks", self.looks))
        if self.kind == "recheck":
            return _("last looked at {since} by {manager}, {ago}: check the progress "
                     "again").format(since=since, manager=self.manager, ago=ago)
        return nformat("never looked at by a manager, open {n} day",
                       "never looked at by a manager, open {n} days", self.days)

    @property
    def short(self) -> str:
        days = formats.days(self.days)
        if self.kind == "judge":
            return _("judge {days}").format(days=days)
        if self.kind == "recheck":
            return _("re-check {days}").format(days=days)
        return _("never checked {days}").format(days=days)

    def as_json(self) -> dict:
        d = self.of
        with in_english():
            message = self.message
        return {"deal": d.id, "account": d.account, "owner": d.owner, "stage": d.stage,
                "amount": d.amount, "kind": self.kind, "days": self.days, "since": self.since,
                "last_look": self.last_look, "manager": self.manager, "looks": self.looks,
                "message": message}


def cycle_start(d: Summary) -> dt.date | None:
    """The day the deal's current cycle began: its latest ``judge keep``, else its
    first check; None when no manager ever looked at it."""
    checks = d.checked  # oldest first
    if not checks:
        return None
    for c in reversed(checks):
        if c.verdict == "keep":
            return c.date
    return checks[0].date


def last_look(d: Summary) -> dt.date | None:
    """The latest check or judgement of the deal, if any."""
    return d.checked[-1].date if d.checked else None  # oldest first


def deal_cadence(d: Summary, p: Pipeline, today: dt.date) -> Cadence | None:
    """The warning the cadence raises on one deal: ``judge`` when its cycle is
    ``judge_days`` old, else ``recheck`` when its latest look is ``follow_up_days``
    old, else None (and None for a closed deal, or one never looked at)."""
    if d.status != "open" or not d.checked:
        return None
    start = cycle_start(d) or d.checked[0].date
    last = d.checked[-1].date
    looks = sum(1 for c in d.checked if c.date >= start)
    rules = p.rules
    age = (today - start).days
    if age >= rules.judge_days:
        return Cadence(d, "judge", age, start, last, looks)
    idle = (today - last).days
    if idle >= rules.follow_up_days:
        return Cadence(d, "recheck", idle, last, last, looks)
    return None


def unlooked(d: Summary, p: Pipeline, today: dt.date) -> Cadence | None:
    """The deal, when the manager has not looked at it for ``follow_up_days``:
    ``recheck`` (its latest look is that old) or ``unchecked`` (never looked at, and
    in the pipeline that long, from its first history entry); else None."""
    if d.status != "open":
        return None
    last = last_look(d)
    if last is None:
        came = d.history[0][1]
        days = (today - came).days
        if days >= p.rules.follow_up_days:
            return Cadence(d, "unchecked", days, came, None, 0)
        return None
    days = (today - last).days
    if days < p.rules.follow_up_days:
        return None
    start = cycle_start(d)
    return Cadence(d, "recheck", days, last, last,
                   sum(1 for c in d.checked if start is not None and c.date >= start))


def _order(c: Cadence) -> tuple:
    return _RANK[c.kind], -c.days, -c.of.amount, c.of.id


def cadence_due(deals: list[Summary], p: Pipeline, today: dt.date) -> list[Cadence]:
    """The open deals, not snoozed, whose cadence asks for a judgement or a re-check
    (``deal_cadence``): judgements first, then the longest waits, the largest deals."""
    out = [c for d in deals if d.status == "open" and d.checked and not is_snoozed(d, today)
           for c in (deal_cadence(d, p, today),) if c is not None]
    out.sort(key=_order)
    return out


def not_looked_at(deals: list[Summary], p: Pipeline, today: dt.date) -> list[Cadence]:
    """The open deals, not snoozed, that the manager has not looked at in
    ``follow_up_days`` (``unlooked``): re-checks first, then the deals never looked
    at; the longest waits and the largest deals first."""
    out = [c for d in deals if d.status == "open" and not is_snoozed(d, today)
           for c in (unlooked(d, p, today),) if c is not None]
    out.sort(key=_order)
    return out

