"""The schema: pydantic models of a deal, and the validation of stages.yaml into the
pipeline dataclasses of ``pipeline.py``.

The models check shape and types. Rules that tie a deal to the pipeline live in
``checks.py`` as small functions, so that a deal that breaks the process still
loads and is shown, flagged.
"""

import datetime as dt
import functools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

from funnelctl.patterns import DEAL_ID, DEAL_ID_MAX
from funnelctl.pipeline import Pipeline

Date = dt.date


def validate_pipeline(data: Any) -> Pipeline:
    """stages.yaml's data as a Pipeline; raises pydantic's ValidationError."""
    return _pipeline_adapter().validate_python(_teams_split(_rates_as_lists(data)))


def _teams_split(data: Any) -> Any:
    """A team is a list of reps, or ``{members: [...], managers: [...]}``: the
    members go to ``teams``, the managers to ``team_managers``."""
    if not isinstance(data, dict) or not isinstance(data.get("teams"), dict):
        return data
    teams, managers = {}, {}
    for name, value in data["teams"].items():
        if isinstance(value, dict) and set(value) <= {"members", "managers"}:
            teams[name] = value.get("members") or []
            managers[name] = value.get("managers") or []
        else:
            teams[name] = value
    return {**data, "teams": teams, "team_managers": managers}


def _rates_as_lists(data: Any) -> Any:
    """``currencies: {USD: 0.92}`` is short for ``{USD: [{rate: 0.92}]}``: one rate
    from the start. Any other scalar is wrapped the same way, so that pydantic's
    complaint is the rate's ("should be a valid number"), not one about a list."""
    if not isinstance(data, dict) or not isinstance(data.get("currencies"), dict):
        return data
    rates = {code: value if isinstance(value, (list, tuple, dict)) else [{"rate": value}]
             for code, value in data["currencies"].items()}
    return {**data, "currencies": rates}


def pipeline_json_schema() -> dict:
    schema = _pipeline_adapter().json_schema()
    # what _rates_as_lists accepts besides the list: one plain rate
    currencies = schema["properties"]["currencies"]
    currencies["additionalProperties"] = {
        "anyOf": [{"type": "number"}, currencies["additionalProperties"]]}
    # what _teams_split accepts besides the list of reps
    teams = schema["properties"]["teams"]
    teams["additionalProperties"] = {"anyOf": [teams["additionalProperties"], {
        "type": "object", "additionalProperties": False,
        "properties": {"members": teams["additionalProperties"],
                       "managers": teams["additionalProperties"]}}]}
    del schema["properties"]["team_managers"]
    return schema


@functools.cache
def _pipeline_adapter() -> TypeAdapter:
    return TypeAdapter(Pipeline)


# -- a deal ----------------------------------------------------------------------


class Loose(BaseModel):
    """Deal parts keep keys a team adds; funnelctl never drops them on a write."""

    # python-re: the patterns of patterns.py end in \Z, which the Rust engine lacks
    model_config = ConfigDict(extra="allow", defer_build=True, regex_engine="python-re")


def _empty_list(value: Any) -> Any:
    return [] if value is None else value


def _empty_map(value: Any) -> Any:
    return {} if value is None else value


# Marks a list or map field whose key may be written with no value: the read
# structs generated from these models (readmodel.py) do the same
NoneIsEmptyList = BeforeValidator(_empty_list)
NoneIsEmptyMap = BeforeValidator(_empty_map)


class Contact(Loose):
    name: str
    role: str = ""
    decision_maker: bool = False
    veto: bool = False
    met: Date | None = Field(None, description="first meeting with us; a veto holder needs one")
    agreed: bool = False
    agreed_on: Date | None = Field(None, description="when the person agreed to our solution")
    last_met: Date | None = Field(None, description="the latest meeting with us")
    phone: str | None = None
    goal: str | None = Field(None, description="the person's own goal in the purchase")
    attitude: Literal["supporter", "neutral", "opponent"] | None = None


class HistoryEntry(Loose):
    stage: str
    date: Date
    reason: str | None = Field(None, description="why a forced move skipped the rules")
    waived: list[str] = Field(default_factory=list, description="milestones and requirements")
    imported: bool = Field(False, description=(
        "the stage a CRM or sheet stated when the deal was brought in (import, new "
        "--stage): no move funnelctl saw, so neither inflow nor a forced move"))
    unproven: list[str] = Field(default_factory=list, description=(
        "of an imported entry: the milestones and requirements before its stage that "
        "the source could not prove; the gates apply from the import on"))


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
    planned: bool = Field(False, description="a visit planned for its date, not yet done")


class ManagerCheck(Loose):
    """The manager's look at a deal (``funnelctl check``) or judgement of it
    (``funnelctl judge``: verdict keep or drop)."""

    date: Date
    manager: str
    note: str = ""
    verdict: Literal["keep", "drop"] | None = None


class Strategy(Loose):
    """The strategy sheet's own fields (``funnelctl strategy``)."""

    plan: str | None = Field(None, description="our plan against the competitor")
    missing: Annotated[list[str], NoneIsEmptyList] = Field(
        default_factory=list, description="information still missing")
    resources: Annotated[list[str], NoneIsEmptyList] = Field(
        default_factory=list, description="resources asked for")
    verdict: Literal["continue", "drop"] | None = None


class NextStep(Loose):
    date: Date
    step: str


class Handover(Loose):
    """A deal handed from one rep to another (``funnelctl reassign``)."""

    date: Date
    to: str = Field(description="the rep who took the deal over")
    previous: str = Field(description="the rep who handed it over")
    reason: str | None = None


class DealOutcome(Loose):
    date: Date
    reason: str | None = None
    competitor: str | None = None
    note: str | None = None
    amount: float | None = Field(None, ge=0, allow_inf_nan=False,
                                 description="the signed amount of a won deal")


class Snooze(Loose):
    until: Date
    reason: str


class Deal(Loose):
    id: str = Field(pattern=DEAL_ID, max_length=DEAL_ID_MAX)
    title: str
    account: str
    owner: str
    amount: float = Field(ge=0, allow_inf_nan=False)
    currency: str | None = None
    source: str | None = None
    source_id: str | None = Field(None, max_length=100, description=(
        "the opportunity's id in the CRM or sheet it came from; an import finds it by this"))
    created: Date
    close: Date | None = None
    stage: str
    status: Literal["open", "won", "lost"] = "open"
    contacts: Annotated[list[Contact], NoneIsEmptyList] = []
    history: list[HistoryEntry] = Field(min_length=1)
    milestones: Annotated[dict[str, Tick], NoneIsEmptyMap] = {}
    levels: Annotated[dict[str, Level], NoneIsEmptyMap] = {}
    actions: Annotated[list[Action], NoneIsEmptyList] = []
    next: NextStep | None = None
    competitors: Annotated[list[str], NoneIsEmptyList] = []
    outcome: DealOutcome | None = None
    snooze: Snooze | None = None
    notes: str | None = None
    handovers: Annotated[list[Handover], NoneIsEmptyList] = []
    manager_checks: Annotated[list[ManagerCheck], NoneIsEmptyList] = []
    roles: Annotated[dict[str, str], NoneIsEmptyMap] = Field(
        default_factory=dict, description="stage role -> the person who holds it")
    strategy: Strategy | None = None
