"""The JSON Schema of a deal file fitted to one pipeline, for editors.

Built from the schema of record (pydantic's JSON Schema of ``model.Deal``), then
narrowed by stages.yaml, so that an editor running a YAML language server checks
and completes a deal as it is typed:

- ``stage`` and each history entry's ``stage``: the stage ids and the won outcome's
  id (what ``validate`` accepts: a lost deal stays at the stage it was lost at, so
  the lost outcome's id is no stage);
- ``milestones``: the milestone ids as its keys, each with its label, and evidence
  required where stages.yaml asks for it;
- ``levels``: the ladder ids as its keys, each level from 0 to the ladder's top,
  the labels of the levels in the description;
- an action's ``kind``, ``outcome.reason`` (with the competitor or note a reason
  asks for) and ``currency`` (those with a rate) as enums.

Unknown keys are refused at every level. The model itself keeps a key a team adds
(funnelctl never drops it on a write, and ``validate`` does not flag it); the fitted
schema is stricter on purpose, so that a typo (``evidance:``) shows in the editor
while it is typed. ``funnelctl schema deal --generic`` prints the model's own
schema, which allows them.

Where the model reads a key written with no value as an empty list or map
(``contacts:``), the schema allows null too. Written for the editors that read it:
patterns for ECMAScript (``\\Z`` becomes ``$``), and no keyword beside a ``$ref``
but annotations, so that a YAML language server that implements draft-07 whatever
``$schema`` says checks exactly what a draft 2020-12 validator checks.

Pure functions of the pipeline: ``cli/setup.py`` writes the result to
``.funnelctl/deal.schema.json``, and ``new`` points each new deal at it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import posixpath
import typing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

    from funnelctl.pipeline import Pipeline

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Where init writes the fitted schema and validate keeps it up to date: in the
# repository (shared, not ignored), beside no deal
SCHEMA_DIR = ".funnelctl"
SCHEMA_FILE = f"{SCHEMA_DIR}/deal.schema.json"
# The comment that points the YAML language server (VS Code, Neovim, Helix, …) at it
MODELINE = "# yaml-language-server: $schema="


def generic_deal_schema() -> dict[str, Any]:
    """The model's own JSON Schema of a deal: any pipeline, unknown keys allowed."""
    from funnelctl.model import Deal  # pydantic: only when a schema is built

    return Deal.model_json_schema()


def fitted_deal_schema(p: Pipeline) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a deal file of the pipeline ``p``."""
    base = copy.deepcopy(generic_deal_schema())
    defs = base.setdefault("$defs", {})
    props = base["properties"]

    stages = [*p.stage_ids, p.won.id]
    stage_help = "; ".join(f"{sid}: {p.label(sid)}" for sid in stages)
    props["stage"] = _enum(props["stage"], stages, f"the stage the deal is at ({stage_help})")
    history = defs["HistoryEntry"]["properties"]
    history["stage"] = _enum(history["stage"], stages, f"the stage entered ({stage_help})")

    props["milestones"] = _keyed(props["milestones"], _milestones(p),
                                 "the exit criteria ticked, by milestone id")
    props["levels"] = _keyed(props["levels"], _ladders(p),
                             "the checkpoint levels reached, by ladder id")

    action = defs["Action"]["properties"]
    kinds = "; ".join(k if isinstance(k, str) or not k.label else f"{k.id}: {k.label}"
                      for k in p.action_kinds)  # a bare id, or an id with its label
    action["kind"] = _enum(action["kind"], list(p.kind_ids), f"what kind of action ({kinds})")

    outcome = defs["DealOutcome"]
    reasons = [r.id for r in p.lost.reasons]
    outcome["properties"]["reason"] = _nullable_enum(
        outcome["properties"]["reason"], reasons,
        "why a lost deal was lost: " + "; ".join(f"{r.id}: {r.label}" for r in p.lost.reasons))
    needs = _loss_needs(p)
    if needs:
        outcome["allOf"] = needs

    currencies = [p.currency, *(c for c, rates in p.currencies.items()
                                if rates and c != p.currency)]
    props["currency"] = _nullable_enum(props["currency"], currencies,
                                       "the deal's currency (one with a rate in stages.yaml)")

    for schema in [base, *defs.values()]:
        if schema.get("additionalProperties") is True:
            schema["additionalProperties"] = False
    _nulls_as_empty(base, defs)
    _ecma_patterns(base)

    out: dict[str, Any] = {"$schema": DRAFT, "$id": ""}
    out["title"] = "funnelctl deal"
    out["description"] = ("A deal file of this pipeline. Generated from stages.yaml by "
                          "funnelctl ('funnelctl schema'); 'funnelctl validate' rewrites it "
                          "when stages.yaml changes: do not edit it by hand.")
    out.update((k, v) for k, v in base.items() if k not in ("title", "description"))
    # the id names this schema: the same pipeline gives the same id
    body = json.dumps(out, sort_keys=True, ensure_ascii=False).encode("utf-8")
    out["$id"] = f"urn:funnelctl:deal-schema:{hashlib.blake2b(body, digest_size=8).hexdigest()}"
    return out


def modeline(deal_rel: str) -> str:
    """The first line of a deal file at ``deal_rel`` (relative to the pipeline root,
    ``deals/east/acme.yaml``): the schema's path relative to the deal's folder."""
    folder = posixpath.dirname(deal_rel)
    return MODELINE + posixpath.relpath(SCHEMA_FILE, folder or ".") + "\n"


# -- narrowing -------------------------------------------------------------------------


def _described(schema: dict[str, Any], description: str) -> dict[str, Any]:
    out = {k: v for k, v in schema.items() if k in ("title", "default")}
    out["description"] = description
    return out


def _enum(schema: dict[str, Any], values: list[str], description: str) -> dict[str, Any]:
    return {**_described(schema, description), "type": "string", "enum": values}


def _nullable_enum(schema: dict[str, Any], values: list[str],
                   description: str) -> dict[str, Any]:
    return {**_described(schema, description), "type": ["string", "null"],
            "enum": [*values, None]}


def _keyed(schema: dict[str, Any], entries: dict[str, dict[str, Any]],
           description: str) -> dict[str, Any]:
    """A map whose keys are only the given ones (a milestone or ladder id)."""
    return {**_described(schema, description), "type": "object", "properties": entries,
            "additionalProperties": False}


def _milestones(p: Pipeline) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for stage in p.stages:
        for m in stage.milestones:
            entry: dict[str, Any] = {"description": f"{m.label} (to leave {stage.id})",
                                     "$ref": "#/$defs/Tick"}
            if m.evidence == "required":  # checks.milestone_issues: evidence.strip()
                entry["description"] += "; evidence required: who said what, which document"
                entry.update(_also(entry.pop("$ref"), {
                    "required": ["evidence"],
                    "properties": {"evidence": {"type": "string", "pattern": r"\S"}}}))
            out[m.id] = entry
    return out


def _ladders(p: Pipeline) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for lad in p.ladders:
        steps = "; ".join(f"{n}: {label}" for n, label in enumerate(lad.levels))
        out[lad.id] = {"description": f"{lad.label} ({steps})", **_also("#/$defs/Level", {
            "properties": {"level": {"type": "integer", "minimum": 0, "maximum": lad.top}}})}
    return out


def _also(ref: str, more: dict[str, Any]) -> dict[str, Any]:
    """A part as ``ref`` defines it, and ``more``. Through allOf, not beside the $ref:
    draft-07, which some YAML language servers still implement whatever ``$schema``
    says, ignores every keyword beside a $ref."""
    return {"allOf": [{"$ref": ref}, more]}


def _loss_needs(p: Pipeline) -> list[dict[str, Any]]:
    """What a loss reason asks for besides itself (checks.loss_issues): the competitor
    (any non-empty text), a note (not only spaces)."""
    out = []
    for r in p.lost.reasons:
        then: dict[str, Any] = {}
        if r.competitor == "required":
            then.setdefault("required", []).append("competitor")
            then.setdefault("properties", {})["competitor"] = {"type": "string",
                                                               "minLength": 1}
        if r.note == "required":
            then.setdefault("required", []).append("note")
            then.setdefault("properties", {})["note"] = {"type": "string", "pattern": r"\S"}
        if then:
            out.append({"if": {"properties": {"reason": {"const": r.id}},
                               "required": ["reason"]}, "then": then})
    return out


def _models(cls: type[BaseModel], seen: dict[str, type[BaseModel]]
            ) -> dict[str, type[BaseModel]]:
    """Every model a deal is made of, by the name its schema has in ``$defs``."""
    from pydantic import BaseModel

    seen[cls.__name__] = cls
    for field in cls.model_fields.values():
        stack = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                if tp.__name__ not in seen:
                    _models(tp, seen)
            else:
                stack.extend(typing.get_args(tp))
    return seen


def _nulls_as_empty(base: dict[str, Any], defs: dict[str, Any]) -> None:
    """``contacts:`` with no value is an empty list to the model (``NoneIsEmpty*``):
    the schema takes null there too."""
    from funnelctl import model

    for name, cls in _models(model.Deal, {}).items():
        schema = base if cls is model.Deal else defs.get(name)
        if schema is None:
            continue
        for fname, field in cls.model_fields.items():
            if not any(m is model.NoneIsEmptyList or m is model.NoneIsEmptyMap
                       for m in field.metadata):
                continue
            prop = schema["properties"][field.alias or fname]
            # a list of types, not anyOf: an editor then reports what is wrong inside
            # the list or map, not that it is neither a list nor null
            prop["type"] = [prop["type"], "null"]


def _ecma_patterns(node: Any) -> None:
    """Python's ``\\Z`` (the end, not before a final newline) is ``$`` in ECMAScript,
    where ``\\Z`` is no anchor at all."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str) and value.endswith(r"\Z"):
                node[key] = value[:-2] + "$"
            else:
                _ecma_patterns(value)
    elif isinstance(node, list):
        for item in node:
            _ecma_patterns(item)
