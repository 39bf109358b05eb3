"""The deal as the read path checks it: msgspec structs GENERATED from ``model.py``.

Do not edit: run ``python -m funnelctl.readmodel_gen`` (tests/test_readmodel.py
fails while this file is stale). Reading a deal file must not pay for importing
pydantic and building its validators (about 0.1 s before the first deal); msgspec
imports in a few milliseconds and checks a deal ten times faster. Every refusal
is validated again by pydantic, which reports the problem with its line or
accepts a looser form these do not take (``"yes"`` for true, ``2.0`` for 2): so
these structs may be stricter than the models, never looser.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import msgspec
from msgspec import Meta, Struct

from funnelctl import patterns

if TYPE_CHECKING:
    import funnelctl.model as model


class Strategy(Struct, kw_only=True):
    plan: str | None = None
    missing: list[str] | None = []
    resources: list[str] | None = []
    verdict: Literal['continue', 'drop'] | None = None

    def __post_init__(self) -> None:
        if self.missing is None:
            self.missing = []
        if self.resources is None:
            self.resources = []


class ManagerCheck(Struct, kw_only=True):
    date: dt.date
    manager: str
    note: str = ''
    verdict: Literal['keep', 'drop'] | None = None


class Handover(Struct, kw_only=True):
    date: dt.date
    to: str
    previous: str
    reason: str | None = None


class Snooze(Struct, kw_only=True):
    until: dt.date
    reason: str


class DealOutcome(Struct, kw_only=True):
    date: dt.date
    reason: str | None = None
    competitor: str | None = None
    note: str | None = None
    amount: Annotated[float, Meta(ge=0, le=1.7976931348623157e308)] | None = None


class NextStep(Struct, kw_only=True):
    date: dt.date
    step: str


class Action(Struct, kw_only=True):
    date: dt.date
    kind: str
    goal: str = ''
    result: str = ''
    moved: bool = False
    planned: bool = False


class Level(Struct, kw_only=True):
    level: Annotated[int, Meta(ge=0)]
    date: dt.date
    evidence: str = ''


class Tick(Struct, kw_only=True):
    date: dt.date
    evidence: str = ''


class HistoryEntry(Struct, kw_only=True):
    stage: str
    date: dt.date
    reason: str | None = None
    waived: list[str] = []
    imported: bool = False
    unproven: list[str] = []


class Contact(Struct, kw_only=True):
    name: str
    role: str = ''
    decision_maker: bool = False
    veto: bool = False
    met: dt.date | None = None
    agreed: bool = False
    agreed_on: dt.date | None = None
    last_met: dt.date | None = None
    phone: str | None = None
    goal: str | None = None
    attitude: Literal['supporter', 'neutral', 'opponent'] | None = None


class Deal(Struct, kw_only=True):
    id: Annotated[str, Meta(max_length=100, pattern=patterns.DEAL_ID)]
    title: str
    account: str
    owner: str
    amount: Annotated[float, Meta(ge=0, le=1.7976931348623157e308)]
    currency: str | None = None
    source: str | None = None
    source_id: Annotated[str, Meta(max_length=100)] | None = None
    created: dt.date
    close: dt.date | None = None
    stage: str
    status: Literal['open', 'won', 'lost'] = 'open'
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
    handovers: list[Handover] | None = []
    manager_checks: list[ManagerCheck] | None = []
    roles: dict[str, str] | None = {}
    strategy: Strategy | None = None

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
        if self.handovers is None:
            self.handovers = []
        if self.manager_checks is None:
            self.manager_checks = []
        if self.roles is None:
            self.roles = {}


# Either form of a deal: what the checks, the summary and the edits read
AnyDeal = Union["model.Deal", Deal]


def deal_or_none(data: Any) -> Deal | None:
    """The deal if it has the exact shape of a valid one, else None (ask pydantic)."""
    try:
        return msgspec.convert(data, Deal)
    except msgspec.ValidationError:
        return None
