"""Writes ``readmodel.py``: the msgspec structs of the read path, derived from the
pydantic models of ``model.py`` (the schema of record) field by field.

Run ``python -m funnelctl.readmodel_gen`` after changing a deal model;
tests/test_readmodel.py fails while the checked-in file is stale. The structs
carry the same names, types, optionality, defaults and constraints (``ge``,
``min_length``, ``pattern``); a list or map marked ``NoneIsEmpty*`` in the model
reads a key with no value as empty here too. Keys a team adds are ignored by the
structs (nothing on the read path looks at them); ``model.Deal`` keeps them.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from funnelctl import model, patterns

TARGET = Path(__file__).with_name("readmodel.py")

HEADER = '''"""The deal as the read path checks it: msgspec structs GENERATED from ``model.py``.

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
'''

FOOTER = '''

# Either form of a deal: what the checks, the summary and the edits read
AnyDeal = Union["model.Deal", Deal]


def deal_or_none(data: Any) -> Deal | None:
    """The deal if it has the exact shape of a valid one, else None (ask pydantic)."""
    try:
        return msgspec.convert(data, Deal)
    except msgspec.ValidationError:
        return None
'''

# patterns are written as references to patterns.py, so that they stay one value
_PATTERN_NAMES = {getattr(patterns, n): f"patterns.{n}" for n in dir(patterns)
                  if n.isupper() and isinstance(getattr(patterns, n), str)}


def _type(tp: Any, models: list[type[BaseModel]]) -> str:
    """The annotation ``tp`` written for msgspec; nested models are collected."""
    if tp is type(None):
        return "None"
    if tp is str:
        return "str"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if tp is bool:
        return "bool"
    if tp is dt.date:
        return "dt.date"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp not in models:
            models.append(tp)
        return tp.__name__
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is typing.Annotated:
        return _type(args[0], models)
    if origin in (types.UnionType, typing.Union):
        return " | ".join(_type(a, models) for a in args)
    if origin is list:
        return f"list[{_type(args[0], models)}]"
    if origin is dict:
        return f"dict[{_type(args[0], models)}, {_type(args[1], models)}]"
    if origin is Literal:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    raise TypeError(f"readmodel_gen: no msgspec form for {tp!r}; extend _type")


def _meta(metadata: list[Any]) -> str | None:
    parts = []
    for m in metadata:
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length"):
            value = getattr(m, name, None)
            if value is not None:
                parts.append(f"{name}={value!r}")
        if getattr(m, "allow_inf_nan", None) is False:
            # msgspec has no such flag: a bound refuses infinity, and ge/le refuse NaN
            parts.append("le=1.7976931348623157e308")
        pattern = getattr(m, "pattern", None)
        if pattern is not None:
            if pattern not in _PATTERN_NAMES:
                raise ValueError(f"readmodel_gen: pattern {pattern!r} is not from patterns.py")
            parts.append(f"pattern={_PATTERN_NAMES[pattern]}")
    return f"Meta({', '.join(parts)})" if parts else None


def _none_is_empty(field: Any) -> str | None:
    for m in field.metadata:
        if m is model.NoneIsEmptyList:
            return "[]"
        if m is model.NoneIsEmptyMap:
            return "{}"
    return None


def _default(field: Any) -> str | None:
    if field.default_factory is not None:
        return repr(field.default_factory())
    if field.default is PydanticUndefined:
        return None
    return repr(field.default)


def _struct(cls: type[BaseModel], models: list[type[BaseModel]]) -> str:
    lines = [f"class {cls.__name__}(Struct, kw_only=True):"]
    empties = []
    for name, field in cls.model_fields.items():
        tp = field.annotation
        # msgspec takes a constraint on the value's own type, not on ``X | None``
        members = list(get_args(tp)) if get_origin(tp) in (types.UnionType, typing.Union) \
            else [tp]
        optional = type(None) in members
        inner = " | ".join(_type(m, models) for m in members if m is not type(None))
        meta = _meta(field.metadata)
        if meta:
            inner = f"Annotated[{inner}, {meta}]"
        empty = _none_is_empty(field)
        if empty is not None:  # ``key:`` with no value reads as empty
            empties.append((name, empty))
        text = f"{inner} | None" if optional or empty is not None else inner
        default = _default(field)
        lines.append(f"    {name}: {text}" + (f" = {default}" if default is not None else ""))
    if empties:
        lines += ["", "    def __post_init__(self) -> None:"]
        for name, empty in empties:
            lines += [f"        if self.{name} is None:", f"            self.{name} = {empty}"]
    return "\n".join(lines)


def generate() -> str:
    models: list[type[BaseModel]] = [model.Deal]
    bodies: dict[type[BaseModel], str] = {}
    i = 0
    while i < len(models):  # breadth first; nested models are written before use
        cls = models[i]
        bodies[cls] = _struct(cls, models)
        i += 1
    order = list(reversed(models))
    return HEADER + "".join(f"\n\n{bodies[c]}\n" for c in order) + FOOTER


def main() -> int:
    TARGET.write_text(generate(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
