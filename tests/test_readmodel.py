"""readmodel (msgspec, the read path) agrees with model (pydantic, the schema of
record): it may refuse more, never less, and what both accept reads the same."""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from funnelctl import readmodel, yamlio
from funnelctl.model import Deal
from funnelctl.summary import summarize

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "deals").rglob("*.yaml"))


def both(data: dict):
    """(readmodel's summary or None, pydantic's summary or None)."""
    fast = readmodel.deal_or_none(data)
    try:
        full = Deal.model_validate(data)
    except ValidationError:
        full = None
    return (summarize(fast, "p", []) if fast is not None else None,
            summarize(full, "p", []) if full is not None else None)


def test_every_sample_deal_reads_the_same_both_ways() -> None:
    assert SAMPLES
    for path in SAMPLES:
        fast, full = both(yamlio.load_fast(path.read_bytes()))
        assert fast is not None, f"{path}: readmodel refuses a valid sample deal"
        assert fast == full, path


BASE = yamlio.load_fast((ROOT / "deals").joinpath(
    *SAMPLES[0].relative_to(ROOT / "deals").parts).read_bytes())

# Values of the kinds a hand-edited file holds, right and wrong
ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10), st.floats(allow_nan=True),
    st.sampled_from(["", "yes", "no", "2026-11-01", "2026-13-01", "open", "won", "x\n",
                     "bad id", "lead", "1.5", "true"]),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    st.just(dt.datetime(2026, 11, 1, 0, 0)), st.just(dt.datetime(2026, 11, 1, 9, 30)),
    st.lists(st.integers(0, 3), max_size=2), st.dictionaries(st.text(max_size=3),
                                                              st.integers(), max_size=2),
)


def paths_of(data, prefix=()):
    """Every key path of a document (mappings and lists)."""
    items = data.items() if isinstance(data, dict) else \
        enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        yield (*prefix, k)
        yield from paths_of(v, (*prefix, k))


PATHS = list(paths_of(BASE))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), ODD, st.booleans()), min_size=1,
                max_size=3))
def test_readmodel_is_never_looser_than_the_schema(changes) -> None:
    data = copy.deepcopy(BASE)
    for path, value, drop in changes:
        node = data
        try:
            for k in path[:-1]:
                node = node[k]
            if drop and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    fast, full = both(data)
    if fast is not None:
        assert full is not None, "readmodel accepts what the schema refuses"
        assert fast == full


@pytest.mark.parametrize("key,value", [
    ("amount", float("nan")), ("id", "abc\n"), ("status", "closed"), ("history", []),
    ("created", "2026-13-01"),
])
def test_both_refuse(key: str, value) -> None:
    data = copy.deepcopy(BASE)
    data[key] = value
    assert both(data) == (None, None)


def test_a_looser_form_goes_to_pydantic_and_still_reads(world) -> None:
    """`agreed: yes` is no YAML 1.2 boolean: readmodel refuses the string, pydantic
    reads it as true, so the deal loads with its veto holder agreed."""
    world.deal("a", extra="contacts:\n  - {name: Eva, veto: true, met: 2026-11-02, "
                          "agreed: 'yes'}\n")
    loaded = world.loaded()
    assert not loaded.skipped
    assert loaded.deals[0].veto_unmet == ()


def test_reading_a_changed_deal_needs_no_pydantic(world) -> None:
    from funnelctl.store import cache, load_pipeline

    world.deal("a")
    cache.code_hash.cache_clear()  # the source as the child will hash it
    load_pipeline(world.root)  # stages.yaml validated once and cached, as by any run
    code = ("import sys; from pathlib import Path; "
            "from funnelctl.store import load_pipeline, read_deal; "
            f"root = Path({str(world.root)!r}); p = load_pipeline(root); "
            "d, problems = read_deal(root, 'deals/a.yaml', p); "
            "print(type(d).__module__, 'pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["funnelctl.readmodel", "False"]


def test_the_generated_structs_are_up_to_date() -> None:
    """readmodel.py is generated from model.py: a field added to the schema of record
    and not to the read path (say ``region: str | None``, with a file holding
    ``region: [1, 2]``) fails here until ``python -m funnelctl.readmodel_gen`` runs."""
    from funnelctl import readmodel_gen

    assert readmodel_gen.TARGET.read_text(encoding="utf-8") == readmodel_gen.generate(), \
        "readmodel.py is stale: run python -m funnelctl.readmodel_gen"


def _shape(tp) -> object:
    """A type as a comparable tree, for pydantic annotations and msgspec's inspect."""
    import types
    import typing

    import msgspec.inspect as mi
    from pydantic import BaseModel

    if isinstance(tp, mi.Type):
        if isinstance(tp, mi.StrType):
            return "str"
        if isinstance(tp, mi.IntType):
            return "int"
        if isinstance(tp, mi.FloatType):
            return "float"
        if isinstance(tp, mi.BoolType):
            return "bool"
        if isinstance(tp, mi.DateType):
            return "date"
        if isinstance(tp, mi.NoneType):
            return "none"
        if isinstance(tp, mi.StructType):
            return ("model", tp.cls.__name__)
        if isinstance(tp, mi.ListType):
            return ("list", _shape(tp.item_type))
        if isinstance(tp, mi.DictType):
            return ("dict", _shape(tp.key_type), _shape(tp.value_type))
        if isinstance(tp, mi.LiteralType):
            return ("literal", frozenset(tp.values))
        if isinstance(tp, mi.UnionType):
            return ("union", frozenset(_shape(t) for t in tp.types))
        raise AssertionError(f"no shape for {tp}")
    simple = {str: "str", int: "int", float: "float", bool: "bool", dt.date: "date",
              type(None): "none"}
    if tp in simple:
        return simple[tp]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return ("model", tp.__name__)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _shape(args[0])
    if origin in (types.UnionType, typing.Union):
        return ("union", frozenset(_shape(a) for a in args))
    if origin is list:
        return ("list", _shape(args[0]))
    if origin is dict:
        return ("dict", _shape(args[0]), _shape(args[1]))
    if origin is typing.Literal:
        return ("literal", frozenset(args))
    raise AssertionError(f"no shape for {tp}")


def test_the_schemas_agree_field_by_field() -> None:
    """Names, types and optionality of every deal model and its read struct, compared
    without the generator: a hand edit to either side fails here."""
    import msgspec.inspect as mi

    from funnelctl import model

    models = [model.Deal, model.Contact, model.HistoryEntry, model.Tick, model.Level,
              model.Action, model.NextStep, model.DealOutcome, model.Snooze]
    for cls in models:
        struct = getattr(readmodel, cls.__name__)
        info = mi.type_info(struct)
        fast = {f.name: f for f in info.fields}
        assert list(fast) == list(cls.model_fields), cls.__name__
        for name, field in cls.model_fields.items():
            f = fast[name]
            assert f.required == field.is_required(), f"{cls.__name__}.{name}"
            want = _shape(field.annotation)
            got = _shape(f.type)
            none_is_empty = any(m in (model.NoneIsEmptyList, model.NoneIsEmptyMap)
                                for m in field.metadata)
            if none_is_empty:  # read as empty: the struct also takes a null
                want = ("union", frozenset({want, "none"}))
            assert got == want, f"{cls.__name__}.{name}: {got} != {want}"
