"""Reading and writing agree: the fast reader reads YAML 1.2 like the round-trip
writer, writes keep every byte they do not mean to change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from funnelctl import yamlio


def test_the_fast_reader_uses_libyaml() -> None:
    assert yamlio.HAVE_LIBYAML, "PyYAML without libyaml: reads would be ~10x slower"
    assert issubclass(yamlio.CoreLoader, yaml.CSafeLoader)


@pytest.mark.parametrize("text,value", [
    ("no", "no"), ("yes", "yes"), ("on", "on"), ("off", "off"), ("y", "y"), ("NO", "NO"),
    ("true", True), ("false", False), ("09:30", "09:30"), ("1:20", "1:20"),
    ("010", 10), ("0o10", 8), ("0x1f", 31), ("1_000", 1000), ("12.5", 12.5),
    ("2026-11-24", dt.date(2026, 11, 24)), ("2026-11", "2026-11"), ("~", None),
    ("null", None), ("1e3", 1000.0),
])
def test_reader_resolves_plain_scalars_as_yaml_1_2(text: str, value) -> None:
    from ruamel.yaml import YAML

    assert yamlio.load_fast(f"k: {text}\n") == {"k": value}
    # and the round-trip parser that writes the files agrees
    rt = YAML(typ="rt").load(f"k: {text}\n")["k"]
    assert rt == value


@pytest.mark.parametrize("s", ["no", "yes", "On", "1.0", "2026-01-01", "null", "", " pad",
                               "a: b", "#tag", "- x", "[x]", "1:20", "010", "true", "@x"])
def test_strings_that_would_read_back_as_something_else_are_quoted(s: str) -> None:
    y = yamlio.rt_yaml("")
    text = yamlio.rt_dump(y, {"k": yamlio.plain_safe(s)})
    assert yamlio.load_fast(text) == {"k": s}
    assert yaml.safe_load(text) == {"k": s}  # a YAML 1.1 reader too


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30))
def test_any_text_written_reads_back_the_same(s: str) -> None:
    y = yamlio.rt_yaml("")
    text = yamlio.rt_dump(y, {"k": yamlio.plain_safe(s)})
    assert yamlio.load_fast(text) == {"k": s}


@settings(max_examples=200, deadline=None)
@given(st.text(st.one_of(st.characters(blacklist_categories=("Cs",)),
                         st.sampled_from("\t\r\n\x00\x85\u2028\u2029\ufeff\ufffe\x7f")),
               max_size=30))
def test_text_with_controls_and_line_breaks_is_written_so_that_it_reads_back(s: str) -> None:
    """Whatever a command accepts, it writes in a form it reads back: a control, a tab,
    NEL, LS, PS or a BOM is written escaped in double quotes, for YAML 1.2 and 1.1."""
    y = yamlio.rt_yaml("")
    text = yamlio.rt_dump(y, {"k": yamlio.plain_safe(s)})
    assert yamlio.load_fast(text) == {"k": s}
    assert yaml.safe_load(text) == {"k": s}
    comment = yamlio.rt_dump(y, {"k": 1}).replace("k:", f"# {yamlio.comment_safe(s)}\nk:")
    assert yamlio.load_fast(comment) == {"k": 1}  # a comment line stays one line


def test_a_lone_surrogate_cannot_be_written() -> None:
    with pytest.raises(ValueError):
        yamlio.plain_safe("caf\udce9")
    assert yamlio.has_surrogate("caf\udce9") and not yamlio.has_surrogate("café")


SAMPLES = [
    # funnelctl's own style, comments, quoting, flow maps, unicode
    """# Acme: pumps
id: acme   # the id
title: "Line 3 cooling"
account: 'Acme Pumps'
owner: li.wei
amount: 120000
tags: [a, "b", 'c']
history:
  - stage: lead
    date: 2026-11-01

  # a comment before milestones
milestones:
  need_identified: {date: 2026-11-02, evidence: "yes"}
notes: |
  二期项目，客户关心交货周期。
  Second line.
""",
    # lists flush with their key, 4-space mappings
    """id: b
history:
- stage: lead
  date: 2026-11-01
contacts:
- name: Wang
  role: CFO
levels:
    need:
        level: 2
        date: 2026-11-02
""",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_round_trip_is_byte_identical(text: str) -> None:
    y, doc = yamlio.rt_load(text)
    assert yamlio.rt_dump(y, doc) == text


def test_guess_indent() -> None:
    assert yamlio.guess_indent(SAMPLES[0]) == (2, 4, 2)
    assert yamlio.guess_indent(SAMPLES[1]) == (4, 2, 0)


def test_line_of_walks_keys_and_indexes() -> None:
    text = SAMPLES[0]
    assert yamlio.line_of(text, ("history", 0, "date")) == 10
    assert yamlio.line_of(text, ("milestones", "need_identified", "evidence")) == 14
    assert yamlio.line_of(text, ("nope",)) == 2  # not there: the document's first node


def test_the_fast_builder_matches_the_loader_on_every_sample_deal(sample_copy: Path) -> None:
    files = sorted((sample_copy / "deals").rglob("*.yaml"))
    assert files
    for path in files:
        data = path.read_bytes()
        assert yamlio.load_fast(data) == yaml.load(data, Loader=yamlio.CoreLoader), path


@pytest.mark.parametrize("text", [
    "a: [1, 0o17, 0x1F, -2_000, 1.5, .inf, -.Inf, .nan, true, False, ~, 2026-01-02]\n",
    "a: 2026-01-02T10:20:30Z\nb: '2026-01-02'\nc: !!str 12\n",
    "a: &x {k: v}\nb: *x\n",
    "- {x: 1}\n- [a, b]\n- |\n  text\n  more\n",
])
def test_the_fast_builder_matches_the_loader(text: str) -> None:
    import math

    got, want = yamlio.load_fast(text), yaml.load(text, Loader=yamlio.CoreLoader)
    if text.startswith("a: [1"):
        assert math.isnan(got["a"][7]) and math.isnan(want["a"][7])
        got["a"][7] = want["a"][7] = 0
    assert got == want


@pytest.mark.parametrize("text,message", [
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("? [1, 2]\n: x\n", "a key must be a plain value"),
    ("a: !!python/object:os.system x\n", "unsupported tag"),
    ("a: [1\n", "not valid YAML"),
])
def test_the_fast_builder_refuses_what_it_should(text: str, message: str) -> None:
    with pytest.raises(yamlio.YamlError) as exc:
        yamlio.load_fast(text)
    assert message in exc.value.message


def test_the_loaders_quick_resolve_agrees_with_pyyamls(sample_copy: Path) -> None:
    """CoreLoader.resolve skips PyYAML's path resolvers (it has none) and list joins:
    every scalar of the sample, and the edge cases, resolve to the same tag."""
    import yaml.resolver

    assert not yamlio.CoreLoader.yaml_path_resolvers
    assert None not in yamlio.CoreLoader.yaml_implicit_resolvers
    loader = yamlio.CoreLoader("")
    values = {"", "~", "null", "Null", "no", "yes", "on", "true", "False", "0o17", "0x1F",
              "-2_000", "09", "1.5", ".inf", "-.Inf", ".nan", "2026-01-02", "2026-13-01",
              "2026-01-02T10:20:30Z", "09:30", "1e3", "+1", "-", "abc"}
    for path in sorted((sample_copy / "deals").rglob("*.yaml"))[:20]:
        node = yaml.compose(path.read_bytes(), Loader=yaml.SafeLoader)
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, yaml.ScalarNode):
                values.add(n.value)
            elif isinstance(n, yaml.SequenceNode):
                stack.extend(n.value)
            elif isinstance(n, yaml.MappingNode):
                stack.extend(x for pair in n.value for x in pair)
    for value in values:
        for implicit in ((True, False), (False, True), (False, False)):
            assert loader.resolve(yaml.ScalarNode, value, implicit) == \
                yaml.resolver.BaseResolver.resolve(loader, yaml.ScalarNode, value, implicit)
    for kind in (yaml.SequenceNode, yaml.MappingNode):
        assert loader.resolve(kind, None, (True, False)) == \
            yaml.resolver.BaseResolver.resolve(loader, kind, None, (True, False))
