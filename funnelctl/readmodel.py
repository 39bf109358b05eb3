"""The deal as the read path checks it: msgspec mirrors of ``model.py``.

Reading a deal file (the one that changed since the last run, or 10,000 on a cold
start) must not pay for importing pydantic and building its validators (about
0.1 s before the first deal); msgspec imports in a few milliseconds and checks a
deal ten times faster. ``model.py`` stays the schema of record: it gives the
JSON Schema, the whole deal for ``show`` (keys a team added included), and the
message for any deal these structs refuse: every refusal is validated again by
pydantic, which reports the problem with its line or accepts a looser form that
these do not take (``"yes"`` for true, ``2.0`` for 2). So these structs may be
stricter than the models, never looser, and where both accept a deal they read
the same values: tests/test_readmodel.py holds that on every sample deal and on
generated ones. Keys a team adds are ignored here, as nothing downstream of the
read path looks at them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import msgspec
from msgspec import Meta, Struct

if TYPE_CHECKING:
    import funnelctl.model as model

Date = dt.date


class Contact(Struct, kw_only=True):
    name: str
    role: str = ""
    decision_maker: bool = False
    veto: bool = False
    met: Date | None = None
    agreed: bool = False


class HistoryEntry(Struct, kw_only=True):
    stage: str
    date: Date
    reason: str | None = None
    waived: list[str] = []


class Tick(Struct, kw_only=True):
    date: Date
    evidence: str = ""


class Level(Struct, kw_only=True):
    level: Annotated[int, Meta(ge=0)]
    date: Date
    evidence: str = ""


class Action(Struct, kw_only=True):
    date: Date
    kind: str
    goal: str = ""
    result: str = ""
    moved: bool = False


class NextStep(Struct, kw_only=True):
    date: Date
    step: str


class DealOutcome(Struct, kw_only=True):
    date: Date
    reason: str | None = None
    competitor: str | None = None
    note: str | None = None


class Snooze(Struct, kw_only=True):
    until: Date
    reason: str


class Deal(Struct, kw_only=True):
    # \Z, not $: Python's $ also matches before a final newline, pydantic's does not
    id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")]
    title: str
    account: str
    owner: str
    amount: Annotated[float, Meta(ge=0)]
    currency: str | None = None
    source: str | None = None
    created: Date
    close: Date | None = None
    stage: str
    status: Literal["open", "won", "lost"] = "open"
    # None is read as empty, as model.py's validators do
    contacts: list[Contact] | None = []
    history: Annotated[list[HistoryEntry], Meta(min_length=1)]
    milestones: dict[str, Tick] | None = {}
    levels: dict[str, Level] | None = {}
    actions: list[Action] | None = []
    next: NextStep | None = None
    competitors: list[str] | None = []
    outcome: DealOutcome | None = None
    snooze: Snooze | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        if self.contacts is None:
            self.contacts = []
        if self.milestones is None:
            self.milestones = {}
        if self.levels is None:
            self.levels = {}
        if self.actions is None:
            self.actions = []
        if self.competitors is None:
            self.competitors = []


# Either form of a deal: what the checks, the summary and the edits read
AnyDeal = Union["model.Deal", Deal]


def deal_or_none(data: Any) -> Deal | None:
    """The deal if it has the exact shape of a valid one, else None (ask pydantic)."""
    try:
        return msgspec.convert(data, Deal)
    except msgspec.ValidationError:
        return None
