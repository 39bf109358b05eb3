"""The pipeline definition (stages.yaml): stages, outcomes, ladders, rules, teams,
targets and exchange rates, as plain frozen dataclasses.

pydantic validates stages.yaml into these classes (``model.validate_pipeline``),
but nothing here imports it: a run that finds stages.yaml unchanged loads the
validated pipeline from the cache and never pays for pydantic. The rules that
span fields (duplicate ids, ranges, a requirement naming a ladder that exists)
are ``checks.PIPELINE_CHECKS``, reported with the line they are about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

# Every class refuses keys it does not know: a typo in stages.yaml is an error.
FORBID = {"extra": "forbid"}


@dataclass(frozen=True)
class Milestone:
    __pydantic_config__ = FORBID
    id: str
    label: str
    evidence: Literal["required", "optional"] = "optional"
    # the label in other languages by code (en, zh): shown in that language, and
    # accepted by the commands besides the id and the label
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Stage:
    __pydantic_config__ = FORBID
    id: str
    label: str
    probability: float  # chance of a win from this stage, 0..1
    conversion: float  # share of deals expected to reach the next stage, 0..1
    stall_days: int  # days in the stage before a deal is stalled
    milestones: tuple[Milestone, ...] = ()  # exit criteria
    requires: dict[str, int] = field(default_factory=dict)  # ladder -> minimum level
    # the support roles a deal in this stage needs (presales, finance, legal)
    roles: tuple[str, ...] = ()
    # the label in other languages by code (en, zh): shown in that language, and
    # accepted by the commands besides the id and the label
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    __pydantic_config__ = FORBID
    id: str
    label: str
    # the label in other languages by code (en, zh): shown in that language, and
    # accepted by the commands besides the id and the label
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LossReason:
    __pydantic_config__ = FORBID
    id: str
    label: str
    competitor: Literal["required", "optional", "none"] = "none"
    note: Literal["required", "optional"] = "optional"
    # the label in other languages by code (en, zh): shown in that language, and
    # accepted by the commands besides the id and the label
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Lost:
    __pydantic_config__ = FORBID
    reasons: tuple[LossReason, ...]
    id: str = "lost"
    label: str = "Lost"
    # the label in other languages by code (en, zh): shown in that language, and
    # accepted by the commands besides the id and the label
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ladder:
    __pydantic_config__ = FORBID
    id: str
    label: str
    levels: tuple[str, ...]  # the label of level 0, 1, ... N
    # the label in other languages by code (en, zh): shown in that language, and
    # accepted by the commands besides the id and the label
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def top(self) -> int:
        return len(self.levels) - 1


@dataclass(frozen=True)
class ActionKind:
    """A kind of action with its labels; stages.yaml may also write a kind as its
    bare id (``action_kinds: [visit, call]``)."""

    __pydantic_config__ = FORBID
    id: str
    label: str = ""
    # the label in other languages by code (en, zh): shown in that language, and
    # accepted by the commands besides the id and the label
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rules:
    __pydantic_config__ = FORBID
    follow_up_days: int = 15
    judge_days: int = 30
    repeat_actions: int = 3  # actions in one stage without a move
    # a rep whose actions of the last 30 days go to one deal or account for more
    # than this share, while other deals stall, has piled effort on one customer
    effort_share: float = 0.5
    # a rep or account holding more than this share of the team's won revenue or
    # open pipeline is a concentration risk
    concentration_share: float = 0.3
    # visits a rep is expected to make each working day (None: no quota)
    daily_visits: int | None = None
    # advance refuses to enter a stage whose roles nobody holds (else it warns)
    require_roles: bool = False


@dataclass(frozen=True)
class Target:
    """A committed target of a rep, a team of stages.yaml, or ``team`` (everyone),
    for one month (YYYY-MM)."""

    __pydantic_config__ = FORBID
    owner: str
    period: str
    deals: int | None = None
    amount: float | None = None


@dataclass(frozen=True)
class Rate:
    """Units of the reporting currency one unit of another currency is worth, from a
    date on (``from`` in stages.yaml; None: from the start)."""

    __pydantic_config__ = FORBID
    rate: float
    # pydantic reads the alias from the field's metadata: no pydantic import here
    from_: dt.date | None = field(default=None, metadata={"alias": "from"})


@dataclass(frozen=True)
class ForecastSettings:
    """How ``funnelctl forecast`` learns from the pipeline's closed deals: it uses the
    observed win rates once ``min_closed`` deals are closed (else the configured
    probabilities), and shrinks a rep's rate toward the team's (and the team's
    toward the configured one) as if ``prior_weight`` more deals had closed at it."""

    __pydantic_config__ = FORBID
    min_closed: int = 30
    prior_weight: int = 10


@dataclass(frozen=True)
class Pipeline:
    __pydantic_config__ = FORBID
    stages: tuple[Stage, ...]
    won: Outcome
    lost: Lost
    action_kinds: tuple[str | ActionKind, ...]
    currency: str = "EUR"
    # the language funnelctl speaks to this team (en, zh), unless --lang says otherwise
    lang: str | None = None
    ladders: tuple[Ladder, ...] = ()
    rules: Rules = field(default_factory=Rules)
    # team -> its reps (owner ids); stages.yaml may write a team as a plain list of
    # reps or as {members: [...], managers: [...]}
    teams: dict[str, list[str]] = field(default_factory=dict)
    # team -> the people who manage it (filled from the second form above)
    team_managers: dict[str, list[str]] = field(default_factory=dict)
    # person (owner id) -> the email their git commits carry, for `funnelctl audit`
    people: dict[str, str] = field(default_factory=dict)
    # every write command commits its change (as if given --commit)
    commit: bool = False
    targets: tuple[Target, ...] = ()
    # the rates of the other currencies into ``currency``, each list oldest first;
    # stages.yaml may give one plain number, read as a single rate from the start
    currencies: dict[str, tuple[Rate, ...]] = field(default_factory=dict)
    # a deal file larger than this is refused unread (a deal is a few KB)
    max_file_bytes: int = 1 << 20
    # the forecast's rates: observed once enough deals are closed (see ForecastSettings)
    forecast: ForecastSettings = field(default_factory=ForecastSettings)

    # -- lookups used everywhere (computed once: views call them per deal) -------
    @cached_property
    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    @cached_property
    def kind_ids(self) -> list[str]:
        """The ids of the action kinds, however stages.yaml writes them."""
        return [k if isinstance(k, str) else k.id for k in self.action_kinds]

    @cached_property
    def positions(self) -> dict[str, int]:
        """Stage id -> position; the won outcome is the position after the last stage."""
        out = {s.id: i for i, s in enumerate(self.stages)}
        out[self.won.id] = len(self.stages)
        return out

    @cached_property
    def _stage_by_id(self) -> dict[str, Stage]:
        return {s.id: s for s in self.stages}

    def index(self, stage_id: str) -> int:
        """Position of a stage; the won outcome counts as the stage after the last."""
        return self.positions[stage_id]

    def stage(self, stage_id: str) -> Stage | None:
        return self._stage_by_id.get(stage_id)

    @cached_property
    def _ladder_by_id(self) -> dict[str, Ladder]:
        return {lad.id: lad for lad in self.ladders}

    def ladder(self, ladder_id: str) -> Ladder | None:
        return self._ladder_by_id.get(ladder_id)

    def loss_reason(self, reason_id: str) -> LossReason | None:
        for r in self.lost.reasons:
            if r.id == reason_id:
                return r
        return None

    def rate(self, currency: str | None, on: dt.date) -> float | None:
        """Units of the reporting currency per unit of ``currency`` on the day ``on``:
        1.0 for the reporting currency itself or no currency at all (a deal without
        one is in the reporting currency); the rate whose ``from`` is the latest on
        or before ``on``, and before the first ``from`` the earliest rate (the best
        known, rather than none); None when stages.yaml gives no rate."""
        if currency is None or currency == self.currency:
            return 1.0
        rates = self.currencies.get(currency)
        if not rates:
            return None
        found = rates[0].rate
        for r in rates[1:]:  # oldest first (checks.check_currency_rates holds it)
            if r.from_ is None or r.from_ > on:
                break
            found = r.rate
        return found

    def known_stage(self, stage_id: str) -> bool:
        return stage_id in self.positions

    def label(self, stage_id: str) -> str:
        if stage_id == self.won.id:
            return self.won.label
        if stage_id == self.lost.id:
            return self.lost.label
        s = self.stage(stage_id)
        return s.label if s else stage_id
