"""The schema: pydantic models of the pipeline definition (stages.yaml) and of a deal.

The models check shape and types, and the rules that need nothing but the file
itself (duplicate stage ids, probabilities in 0..1, a requirement naming a
ladder that exists). Rules that tie a deal to the pipeline live in
``checks.py`` as small functions, so that a deal that breaks the process still
loads and is shown, flagged.
"""

import datetime as dt
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Date = dt.date


class Strict(BaseModel):
    """Configuration models refuse unknown keys: a typo in stages.yaml is an error."""

    # defer_build: a schema is built on first use, so a run that reads only the cache
    # never pays for the deal models
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Milestone(Strict):
    id: str
    label: str
    evidence: Literal["required", "optional"] = "optional"


class Stage(Strict):
    id: str
    label: str
    probability: float = Field(ge=0, le=1, description="chance of a win from this stage")
    conversion: float = Field(
        ge=0, le=1, description="share of deals expected to reach the next stage"
    )
    stall_days: int = Field(gt=0, description="days in the stage before the deal is stalled")
    milestones: list[Milestone] = []
    requires: dict[str, int] = Field(
        default_factory=dict, description="minimum ladder levels needed to enter the stage"
    )

    @model_validator(mode="after")
    def _unique_milestones(self) -> "Stage":
        seen: set[str] = set()
        for m in self.milestones:
            if m.id in seen:
                raise ValueError(f"milestone {m.id!r} appears twice in stage {self.id!r}")
            seen.add(m.id)
        return self


class Outcome(Strict):
    id: str
    label: str


class LossReason(Strict):
    id: str
    label: str
    competitor: Literal["required", "optional", "none"] = "none"
    note: Literal["required", "optional"] = "optional"


class Lost(Strict):
    id: str = "lost"
    label: str = "Lost"
    reasons: list[LossReason]


class Ladder(Strict):
    id: str
    label: str
    levels: list[str] = Field(min_length=2, description="label of level 0, 1, ... N")

    @property
    def top(self) -> int:
        return len(self.levels) - 1


class Rules(Strict):
    follow_up_days: int = Field(15, gt=0)
    judge_days: int = Field(30, gt=0)
    repeat_actions: int = Field(3, gt=0, description="actions in one stage without a move")


class Target(Strict):
    """A committed target for one rep (or ``team``) in one period (YYYY-MM)."""

    owner: str
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    deals: int | None = Field(None, ge=0)
    amount: float | None = Field(None, ge=0)


class Pipeline(Strict):
    currency: str = "EUR"
    stages: list[Stage] = Field(min_length=1)
    won: Outcome
    lost: Lost
    ladders: list[Ladder] = []
    action_kinds: list[str] = Field(min_length=1)
    rules: Rules = Field(default_factory=Rules)
    teams: dict[str, list[str]] = {}
    targets: list[Target] = []

    # -- lookups used everywhere (computed once: views call them per deal) -------
    @cached_property
    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

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

    def ladder(self, ladder_id: str) -> Ladder | None:
        for lad in self.ladders:
            if lad.id == ladder_id:
                return lad
        return None

    def loss_reason(self, reason_id: str) -> LossReason | None:
        for r in self.lost.reasons:
            if r.id == reason_id:
                return r
        return None

    def known_stage(self, stage_id: str) -> bool:
        return stage_id in self.positions

    def label(self, stage_id: str) -> str:
        if stage_id == self.won.id:
            return self.won.label
        if stage_id == self.lost.id:
            return self.lost.label
        s = self.stage(stage_id)
        return s.label if s else stage_id

    def team_of(self, owner: str) -> list[str]:
        return [team for team, members in self.teams.items() if owner in members]


def pipeline_findings(p: "Pipeline") -> list[tuple[tuple[Any, ...], str]]:
    """Rules across the fields of stages.yaml, as (location, message) pairs."""
    out: list[tuple[tuple[Any, ...], str]] = []
    ids = p.stage_ids
    for i, sid in enumerate(ids):
        if sid in ids[:i]:
            out.append((("stages", i, "id"), f"stage id {sid!r} appears twice"))
        if sid in (p.won.id, p.lost.id):
            out.append((("stages", i, "id"), f"stage id {sid!r} is also an outcome id"))
    if p.won.id == p.lost.id:
        out.append((("lost", "id"), "won and lost need different ids"))
    ladders = {ladder.id: ladder for ladder in p.ladders}
    for i, ladder in enumerate(p.ladders):
        if [lad.id for lad in p.ladders].index(ladder.id) != i:
            out.append((("ladders", i, "id"), f"ladder id {ladder.id!r} appears twice"))
    for i, stage in enumerate(p.stages):
        for lid, level in stage.requires.items():
            loc = ("stages", i, "requires", lid)
            if lid not in ladders:
                out.append((loc, f"stage {stage.id!r} requires ladder {lid!r}, "
                                 f"which is not defined (ladders: {', '.join(ladders)})"))
            elif not 0 <= level <= ladders[lid].top:
                out.append((loc, f"stage {stage.id!r} requires {lid} >= {level}, "
                                 f"but that ladder has levels 0..{ladders[lid].top}"))
    reasons = [r.id for r in p.lost.reasons]
    for i, rid in enumerate(reasons):
        if rid in reasons[:i]:
            out.append((("lost", "reasons", i, "id"), f"loss reason {rid!r} appears twice"))
    for i, t in enumerate(p.targets):
        if t.deals is None and t.amount is None:
            out.append((("targets", i), "a target needs deals or amount"))
    return out


# -- a deal ----------------------------------------------------------------------


class Loose(BaseModel):
    """Deal parts keep keys a team adds; funnelctl never drops them on a write."""

    model_config = ConfigDict(extra="allow", defer_build=True)


class Contact(Loose):
    name: str
    role: str = ""
    decision_maker: bool = False
    veto: bool = False
    met: Date | None = Field(None, description="first meeting with us; a veto holder needs one")
    agreed: bool = False


class HistoryEntry(Loose):
    stage: str
    date: Date
    reason: str | None = Field(None, description="why a forced move skipped the rules")
    waived: list[str] = Field(default_factory=list, description="milestones and requirements")


class Tick(Loose):
    date: Date
    evidence: str = ""


class Level(Loose):
    level: int = Field(ge=0)
    date: Date
    evidence: str = ""


class Action(Loose):
    date: Date
    kind: str
    goal: str = ""
    result: str = ""
    moved: bool = False


class NextStep(Loose):
    date: Date
    step: str


class DealOutcome(Loose):
    date: Date
    reason: str | None = None
    competitor: str | None = None
    note: str | None = None


class Snooze(Loose):
    until: Date
    reason: str


class Deal(Loose):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str
    account: str
    owner: str
    amount: float = Field(ge=0)
    currency: str | None = None
    source: str | None = None
    created: Date
    close: Date | None = None
    stage: str
    status: Literal["open", "won", "lost"] = "open"
    contacts: list[Contact] = []
    history: list[HistoryEntry] = Field(min_length=1)
    milestones: dict[str, Tick] = {}
    levels: dict[str, Level] = {}
    actions: list[Action] = []
    next: NextStep | None = None
    competitors: list[str] = []
    outcome: DealOutcome | None = None
    snooze: Snooze | None = None
    notes: str | None = None

    @field_validator("milestones", "levels", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return {} if v is None else v

    @field_validator("contacts", "actions", "competitors", mode="before")
    @classmethod
    def _none_is_empty_list(cls, v: Any) -> Any:
        return [] if v is None else v
