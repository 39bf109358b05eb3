"""The day: yesterday summarised, today's work, tomorrow planned, per rep; and the
team's roll call.

Working days are Monday to Friday (no holiday calendar). For a day D:

- *yesterday* is the previous working day, and the weekend days between it and D:
  on a Monday, Friday to Sunday (what a rep did on Saturday is reported too); on a
  Tuesday, Monday;
- *today* is D: the next steps due on D or overdue, the actions planned for D, the
  planned actions whose day passed without being done (missed), and what was
  already logged on D;
- *tomorrow* is the next working day and the weekend days before it: on a Friday,
  Saturday to Monday. What is planned there: planned actions (``act --plan``) and
  next steps dated then;
- *this week* is the seven days up to D (D - 6 .. D), for the roll call's "moved
  nothing".

An action *moved* the deal when the customer moved on that day: the deal entered a
later stage (or was signed), ticked a milestone or had a ladder level set on the
action's date. The rep's own ``moved: true`` is shown beside it as what he
declared, and counts for nothing.

A summary holds no action texts: the view needs the full deal of the few deals
with an action in the week or a plan up to tomorrow (``deals_to_read`` picks them;
the command reads them), and nothing else.

Every action done counts as a visit against ``rules.daily_visits``, whatever its
kind: the quota counts the customer contacts a rep reported with a goal and a
result.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from funnelctl.pipeline import Pipeline
from funnelctl.summary import AboutDeal, Summary

if TYPE_CHECKING:  # a full deal: the pydantic model, or the read struct of the same shape
    from funnelctl.model import Deal

ONE = dt.timedelta(days=1)


# -- working days ------------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def previous_working_day(day: dt.date) -> dt.date:
    day -= ONE
    while not is_working_day(day):
        day -= ONE
    return day


def next_working_day(day: dt.date) -> dt.date:
    day += ONE
    while not is_working_day(day):
        day += ONE
    return day


def working_days(start: dt.date, end: dt.date) -> int:
    """Working days from ``start`` to ``end``, both included (0 when end < start)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for i in range(rest) if (first + i) % 7 < 5)


@dataclass(frozen=True)
class Windows:
    """The spans of days the view reads, each from and to included."""

    day: dt.date
    yesterday: tuple[dt.date, dt.date]
    tomorrow: tuple[dt.date, dt.date]
    week: tuple[dt.date, dt.date]

    def as_json(self) -> dict:
        return {"date": self.day,
                **{k: {"from": getattr(self, k)[0], "to": getattr(self, k)[1]}
                   for k in ("yesterday", "tomorrow", "week")}}


def windows(day: dt.date) -> Windows:
    return Windows(day, (previous_working_day(day), day - ONE),
                   (day + ONE, next_working_day(day)), (day - 6 * ONE, day))


# -- what the view shows -------------------------------------------------------------


class Move(NamedTuple):
    """One thing the customer did on a day: ``signed``, ``entered`` a stage
    (``item``), ``ticked`` a milestone, or a ``level`` set on a ladder."""

    what: str  # signed | entered | ticked | level
    item: str = ""  # the stage, milestone or ladder id
    level: int = 0

    @property
    def code(self) -> str:
        if self.what == "signed":
            return "signed"
        if self.what == "level":
            return f"{self.item} {self.level}"
        return f"{self.what} {self.item}"


@dataclass(slots=True)
class ActionItem(AboutDeal):
    """An action done: goal -> result, and what the customer did that day."""

    of: Summary
    date: dt.date
    kind: str
    goal: str
    result: str
    declared: bool  # the rep's own "moved" flag
    moves: list[Move]  # what the customer did on the day

    @property
    def moved(self) -> bool:
        return bool(self.moves)

    @property
    def progress(self) -> list[str]:
        """The moves as the JSON writes them: "entered nurture", "ticked x", "power 3"."""
        return [m.code for m in self.moves]

    def as_json(self) -> dict:
        return {"deal": self.of.id, "account": self.of.account, "date": self.date,
                "kind": self.kind, "goal": self.goal, "result": self.result,
                "moved": self.moved, "progress": self.progress, "declared": self.declared}


@dataclass(slots=True)
class PlannedItem(AboutDeal):
    """A planned action (``kind`` and ``goal``) or a dated next step (``kind`` is
    ``next step``, ``goal`` the step)."""

    of: Summary
    date: dt.date
    kind: str
    goal: str
    days_late: int = 0  # for a next step or plan whose day is past

    def as_json(self) -> dict:
        return {"deal": self.of.id, "account": self.of.account, "stage": self.of.stage,
                "date": self.date, "kind": self.kind, "goal": self.goal,
                "days_late": self.days_late}


NEXT_STEP = "next step"


@dataclass
class RepDay:
    owner: str
    yesterday: list[ActionItem] = field(default_factory=list)
    done_today: list[ActionItem] = field(default_factory=list)
    due: list[PlannedItem] = field(default_factory=list)  # next steps due or overdue
    planned_today: list[PlannedItem] = field(default_factory=list)
    missed: list[PlannedItem] = field(default_factory=list)  # plans whose day passed
    tomorrow: list[PlannedItem] = field(default_factory=list)  # plans and next steps
    week_actions: int = 0
    week_moved: int = 0  # of them, actions on a day the customer moved
    quota: int | None = None

    @property
    def logged_nothing(self) -> bool:
        return not self.yesterday

    @property
    def planned_nothing(self) -> bool:
        return not self.tomorrow

    @property
    def moved_nothing(self) -> bool:
        return self.week_moved == 0

    @property
    def under_quota(self) -> bool:
        return self.quota is not None and len(self.yesterday) < self.quota

    def as_json(self) -> dict:
        return {"owner": self.owner,
                "yesterday": [a.as_json() for a in self.yesterday],
                "visits_yesterday": len(self.yesterday), "quota": self.quota,
                "done_today": [a.as_json() for a in self.done_today],
                "due": [x.as_json() for x in self.due],
                "planned_today": [x.as_json() for x in self.planned_today],
                "missed": [x.as_json() for x in self.missed],
                "tomorrow": [x.as_json() for x in self.tomorrow],
                "planned_tomorrow": sum(1 for x in self.tomorrow if x.kind != NEXT_STEP),
                "week": {"actions": self.week_actions, "moved": self.week_moved}}


@dataclass
class RollCall:
    """The reps the manager asks about, by name."""

    logged_nothing: list[str]  # no action yesterday
    planned_nothing: list[str]  # no planned action nor next step for tomorrow
    moved_nothing: list[tuple[str, int]]  # (rep, his actions this week): none moved
    under_quota: list[tuple[str, int]]  # (rep, his visits yesterday) below the quota

    def as_json(self) -> dict:
        return {"logged_nothing": self.logged_nothing, "planned_nothing": self.planned_nothing,
                "moved_nothing": [{"owner": o, "actions": n} for o, n in self.moved_nothing],
                "under_quota": [{"owner": o, "visits": n} for o, n in self.under_quota]}


@dataclass
class Day:
    windows: Windows
    quota: int | None
    reps: list[RepDay]
    roll_call: RollCall
    # the pipeline the day was read over: the views name its stages, milestones,
    # ladders and kinds in their language (not part of the data)
    pipeline: Pipeline | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict:
        return {**self.windows.as_json(), "quota": self.quota,
                "reps": [r.as_json() for r in self.reps],
                "roll_call": self.roll_call.as_json()}


# -- the computation -----------------------------------------------------------------


def _any_between(dates: tuple[dt.date, ...], lo: dt.date, hi: dt.date) -> bool:
    """Whether sorted ``dates`` hold a day in lo .. hi."""
    return bisect_right(dates, hi) > bisect_left(dates, lo)


def deals_to_read(deals: Iterable[Summary], day: dt.date) -> list[Summary]:
    """The deals whose full file the day needs: an action done from yesterday to the
    day (its text is shown), an action this week on a deal the customer moved this
    week (which of its actions moved it is in the file alone: a deal that has not
    moved since the week began moved with none of them), or, open, an action
    planned up to tomorrow's end (missed plans included). A few per rep; every other
    deal is counted from its summary."""
    w = windows(day)
    week = w.week[0]
    lo = w.yesterday[0]
    hi = w.tomorrow[1]
    out = []
    for d in deals:
        last = d.last_action
        if last is not None and last >= week and (
                _any_between(d.action_dates, lo, day)
                or (d.progress >= week and _any_between(d.action_dates, week, day))):
            out.append(d)
        elif d.status == "open" and d.planned_dates and d.planned_dates[0] <= hi:
            out.append(d)
    return out


def progress_on(deal: Deal | Any, p: Pipeline) -> dict[dt.date, list[Move]]:
    """Per day, what the customer did on it: a later stage entered (or the signature),
    a milestone ticked, a ladder level set. The deal's first history entry is its
    coming in, not a move; a move back is no progress."""
    out: dict[dt.date, list[Move]] = {}
    pos = p.positions
    history = deal.history
    for prev, h in zip(history, history[1:], strict=False):
        a, b = pos.get(prev.stage), pos.get(h.stage)
        if a is not None and b is not None and b > a:
            what = Move("signed") if h.stage == p.won.id else Move("entered", h.stage)
            out.setdefault(h.date, []).append(what)
    for mid, tick in sorted(deal.milestones.items()):
        out.setdefault(tick.date, []).append(Move("ticked", mid))
    for ladder, lv in sorted(deal.levels.items()):
        out.setdefault(lv.date, []).append(Move("level", ladder, lv.level))
    return out


def day_reps(deals: Iterable[Summary], p: Pipeline, owners: set[str] | None) -> list[str]:
    """The reps of the day: the owners of open deals and the members of stages.yaml's
    teams (a rep with no open deal is on the roll call too), within ``owners``."""
    reps = {d.owner for d in deals if d.status == "open"}
    for members in p.teams.values():
        reps.update(members)
    if owners is not None:
        reps = (reps & owners) | owners
    return sorted(reps)


def day_view(deals: list[Summary], full: Mapping[str, Deal | Any], p: Pipeline, day: dt.date,
             reps: Iterable[str]) -> Day:
    """The day of ``reps`` over their ``deals``. ``full`` maps a deal's path to its full
    deal, for the deals ``deals_to_read`` picked (others are not needed)."""
    w = windows(day)
    quota = p.rules.daily_visits
    by_rep = {o: RepDay(o, quota=quota) for o in reps}
    y_from, y_to = w.yesterday
    t_from, t_to = w.tomorrow
    wk_from = w.week[0]
    for d in deals:
        rep = by_rep.get(d.owner)
        if rep is None:
            continue
        if d.status == "open" and d.next_date is not None and d.next_date <= t_to:
            item = PlannedItem(d, d.next_date, NEXT_STEP, d.next_step or "",
                               max(0, (day - d.next_date).days))
            (rep.due if d.next_date <= day else rep.tomorrow).append(item)
        deal = full.get(d.path)
        if deal is None:
            # not read: no action from yesterday on and none that moved it this week
            # (deals_to_read), so its week's actions are counted from the summary
            if d.last_action is not None and d.last_action >= wk_from:
                rep.week_actions += bisect_right(d.action_dates, day) - \
                    bisect_left(d.action_dates, wk_from)
            continue
        moves = progress_on(deal, p)
        for a in deal.actions:
            if a.planned:
                if d.status != "open" or a.date > t_to:
                    continue
                item = PlannedItem(d, a.date, a.kind, a.goal or "",
                                   max(0, (day - a.date).days))
                if a.date < day:
                    rep.missed.append(item)
                elif a.date == day:
                    rep.planned_today.append(item)
                else:
                    rep.tomorrow.append(item)
                continue
            if a.date > day or a.date < min(wk_from, y_from):
                continue
            done = ActionItem(d, a.date, a.kind, a.goal or "", a.result or "", a.moved,
                              moves.get(a.date, []))
            if y_from <= a.date <= y_to:
                rep.yesterday.append(done)
            elif a.date == day:
                rep.done_today.append(done)
            if a.date >= wk_from:
                rep.week_actions += 1
                rep.week_moved += done.moved
    for rep in by_rep.values():
        for items in (rep.yesterday, rep.done_today):
            items.sort(key=lambda x: (x.date, x.of.id))
        for plans in (rep.due, rep.planned_today, rep.missed, rep.tomorrow):
            plans.sort(key=lambda x: (x.date, x.of.id, x.kind))
    ordered = [by_rep[o] for o in sorted(by_rep)]
    roll = RollCall([r.owner for r in ordered if r.logged_nothing],
                    [r.owner for r in ordered if r.planned_nothing],
                    [(r.owner, r.week_actions) for r in ordered if r.moved_nothing],
                    [(r.owner, len(r.yesterday)) for r in ordered if r.under_quota])
    return Day(w, quota, ordered, roll, p)


def visits_by_rep(deals: Iterable[Summary], start: dt.date, end: dt.date) -> dict[str, int]:
    """Each rep's actions done from ``start`` to ``end`` (both included), counted from
    the summaries alone (no file is read): the visits a quota is measured against."""
    out: dict[str, int] = {}
    for d in deals:
        last = d.last_action
        if last is None or last < start:
            continue
        n = bisect_right(d.action_dates, end) - bisect_left(d.action_dates, start)
        if n:
            out[d.owner] = out.get(d.owner, 0) + n
    return out


def visit_quota(p: Pipeline, start: dt.date, end: dt.date) -> int | None:
    """What ``rules.daily_visits`` asks of one rep from ``start`` to ``end``: the quota
    times the working days between (None: no quota)."""
    q = p.rules.daily_visits
    return None if q is None else q * working_days(start, end)
