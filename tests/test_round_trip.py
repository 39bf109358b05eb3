"""A write changes only the lines it means to: on generated deal files (comments on
their own lines and at line ends, CJK text, flow and block styles, quoted scalars,
CRLF, a BOM, ``---`` and ``...``, an anchor and its alias, trailing blanks, a line
longer than any width), every write command keeps each line outside the keys it
edits byte for byte and in order, with its line ending, and the file reads back."""

from __future__ import annotations

import difflib
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funnelctl import yamlio

# each command with valid arguments on a generated deal (at lead or nurture, open,
# need_identified ticked at most), and the top-level keys it means to change
COMMANDS = {
    "act": (["act", "d1", "-k", "visit", "-g", "技术交流 at the plant", "-r", "met: the CFO",
             "--moved", "--next", "2026-12-01: 安排技术交流"], {"actions", "next"}),
    "tick": (["tick", "d1", "budget_approved", "-e", "CFO's email"], {"milestones"}),
    "score": (["score", "d1", "power", "3", "-e", "met Mr Zhang"], {"levels"}),
    "advance": (["advance", "d1", "--force", "--reason", "customer asked"],
                {"stage", "history"}),
    "win": (["win", "d1", "--force", "--reason", "signed early"],
            {"stage", "status", "history", "next", "outcome"}),
    "lose": (["lose", "d1", "--reason", "competitor", "--competitor", "西门子"],
             {"status", "next", "outcome"}),
    "lose-no-decision": (["lose", "d1", "--reason", "no_decision"], {"status", "next", "outcome"}),
    "snooze": (["snooze", "d1", "--until", "2026-12-20", "--reason", "budget: January"],
               {"snooze"}),
}

TEXTS = ["Line 3 cooling", "仓储自动化", "黄河水泥：二期", "it's done", "a # b", "yes",
         "2026-01-01", "café crème", "x: y", "安排技术交流", "010", "met the CFO"]
COMMENTS = ["# a note", "# 备注：客户关心交货周期", "#", "# trailing blanks   ", "#no space"]


@st.composite
def scalars(draw, pool=TEXTS) -> str:
    """A string in one of YAML's styles: plain (where it reads back as itself), single
    or double quoted (double: with or without \\u escapes)."""
    value = draw(st.sampled_from(pool))
    style = draw(st.sampled_from(["plain", "single", "double", "escaped"]))
    if style == "plain" and type(yamlio.plain_safe(value)) is str:
        return value
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=style == "escaped")


@st.composite
def deal_files(draw) -> str:
    """The text of a valid deal file ``d1`` (one of countless layouts of it)."""
    m = draw(st.sampled_from([2, 4]))  # a nested mapping's indentation
    off = draw(st.sampled_from([0, 2]))  # a block list's dash under its key
    item = " " * off + "- "
    cont = " " * (off + 2)  # an item's further keys

    def mapping(key: str, pairs: list[tuple[str, str]], indent: str = "") -> list[str]:
        if draw(st.booleans()):
            return [f"{indent}{key}: {{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"]
        return [f"{indent}{key}:"] + [f"{indent}{' ' * m}{k}: {v}" for k, v in pairs]

    def items(key: str, entries: list[list[tuple[str, str]]]) -> list[str]:
        out = [f"{key}:"]
        for pairs in entries:
            if draw(st.booleans()):
                out.append(item + "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}")
            else:
                out.append(item + f"{pairs[0][0]}: {pairs[0][1]}")
                out += [f"{cont}{k}: {v}" for k, v in pairs[1:]]
        return out

    nurture = draw(st.booleans())
    history = [[("stage", "lead"), ("date", "2026-11-01")]]
    if nurture:
        history.append([("stage", "nurture"), ("date", "2026-11-05")])
    blocks: list[list[str]] = [
        ["id: d1"], [f"title: {draw(scalars())}"], [f"account: {draw(scalars())}"],
        ["owner: ann"], ["amount: 120000"], ["created: 2026-11-01"],
        [f"stage: {'nurture' if nurture else 'lead'}"], ["status: open"],
        items("history", history),
    ]
    optional: list[list[str]] = []
    if draw(st.booleans()):
        optional.append(items("contacts", [[("name", draw(scalars())), ("role", "CFO")],
                                           [("name", "王总"), ("role", draw(scalars()))]]))
    if draw(st.booleans()):
        optional.append(["milestones:"] + mapping(
            "need_identified", [("date", "2026-11-02"), ("evidence", draw(scalars()))],
            " " * m))
    if draw(st.booleans()):
        levels = ["levels:"] + mapping("need", [("level", "2"), ("date", "2026-11-02"),
                                                ("evidence", draw(scalars()))], " " * m)
        if draw(st.booleans()):
            levels += mapping("power", [("level", "1"), ("date", "2026-11-03"),
                                        ("evidence", draw(scalars()))], " " * m)
        optional.append(levels)
    if draw(st.booleans()):
        optional.append(items("actions", [[("date", "2026-11-03"), ("kind", "visit"),
                                           ("goal", draw(scalars())), ("moved", "false")]]))
    if draw(st.booleans()):
        optional.append(mapping("next", [("date", "2026-12-05"), ("step", draw(scalars()))]))
    if draw(st.booleans()):
        optional.append([f"competitors: [Siemens, {draw(scalars(['本地供应商', 'ABB']))}]"])
    if draw(st.booleans()):
        optional.append([f"notes: &n {draw(scalars())}", "x_note: *n"])
    if draw(st.booleans()):
        optional.append(["x_text: |", "  第一行", "  second line"])
    if draw(st.booleans()):
        optional.append(["x_long: " + "long-" * 1000 + "end"])  # over 4096 characters
    blocks += draw(st.permutations(optional))

    lines: list[str] = []
    for block in blocks:
        for i, line in enumerate(block):
            indent = line[:len(line) - len(line.lstrip(" "))]
            in_literal = block[0] == "x_text: |" and i > 0
            if not in_literal and draw(st.integers(0, 5)) == 0:  # at its block's depth or not
                lines.append((indent if draw(st.booleans()) else "") + draw(
                    st.sampled_from(COMMENTS)))
            if i == 0 and draw(st.integers(0, 6)) == 0:
                lines.append("")
            if not in_literal and draw(st.integers(0, 4)) == 0:
                line += "  " + draw(st.sampled_from(COMMENTS))
            if not in_literal and draw(st.integers(0, 6)) == 0:
                line += " " * draw(st.integers(1, 3))
            lines.append(line)
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(COMMENTS)))
    head = ""
    if draw(st.booleans()):
        head = draw(st.sampled_from(["---", "--- # the deal", "# d1\n---"])) + "\n"
    tail = draw(st.sampled_from(["", "", "...\n", "...\n# after the end\n"]))
    text = head + "\n".join(lines) + "\n" + tail
    if not tail and not lines[-1].startswith("  ") and draw(st.integers(0, 5)) == 0:
        text = text[:-1]  # no line break at the end (after a block scalar: see below)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


_KEY = re.compile(r"([^\s#:'\"-][^:]*):(?:\s|$)")


def touched_lines(lines: list[str], keys: set[str]) -> set[int]:
    """The indexes of the lines that belong to the top-level ``keys``: the key's line
    and the lines under it, but not the comment and blank lines that end it (they
    belong to what follows)."""
    out: set[int] = set()
    i = 0
    while i < len(lines):
        m = _KEY.match(lines[i])
        if not m or m.group(1) not in keys:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and (lines[j][:1] in (" ", "") or lines[j].startswith("#")
                                  or lines[j].strip() == ""):
            j += 1
        k = j
        while k > i + 1 and (not lines[k - 1].strip() or lines[k - 1].lstrip().startswith("#")):
            k -= 1
        out.update(range(i, k))
        i = j
    return out


def check_write(before: bytes, after: bytes, keys: set[str]) -> None:
    text, new = before.decode("utf-8"), after.decode("utf-8")
    assert new.startswith("\ufeff") == text.startswith("\ufeff"), "the BOM"
    if "\r\n" in text:  # every line keeps the file's ending, new lines take it
        assert new.count("\n") == new.count("\r\n"), "a line without CRLF"
    else:
        assert "\r" not in new
    assert new.endswith("\n") == text.endswith("\n"), "the line break at the end"
    old_lines = [s for s, _ in yamlio.split_lines(text.removeprefix("\ufeff"))]
    new_lines = [s for s, _ in yamlio.split_lines(new.removeprefix("\ufeff"))]
    for marker in ("---", "--- # the deal", "...", "# after the end"):
        if marker in old_lines:
            assert marker in new_lines, marker
    # every line outside the edited keys is in the new file, byte for byte and in order
    # (the lines of the edited keys are never matched: two equal comment lines, one in
    # a removed block and one after it, are not confused)
    allowed = touched_lines(old_lines, keys)
    marked = [f"\0{i}" if i in allowed else s for i, s in enumerate(old_lines)]
    sm = difflib.SequenceMatcher(None, marked, new_lines, autojunk=False)
    for tag, i1, i2, _, _ in sm.get_opcodes():
        if tag in ("replace", "delete"):
            for i in range(i1, i2):
                assert i in allowed, f"line {i + 1} changed: {old_lines[i]!r}\n" + "\n".join(
                    difflib.unified_diff(old_lines, new_lines, lineterm="", n=1))
    # and the data outside the keys the command edits is the same, in the same order
    was, now = yamlio.load_fast(before), yamlio.load_fast(after)
    assert [(k, v) for k, v in was.items() if k not in keys] == \
           [(k, v) for k, v in now.items() if k not in keys]


@pytest.mark.parametrize("command", sorted(COMMANDS))
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=deal_files())
def test_a_write_changes_only_the_lines_it_means_to(world, command: str, text: str) -> None:
    args, keys = COMMANDS[command]
    path = world.root / "deals" / "d1.yaml"
    before = text.encode("utf-8")
    path.write_bytes(before)
    res = world.run(*args)
    assert res.exit_code == 0, res.output + "\n" + text
    after = path.read_bytes()
    check_write(before, after, keys)


# -- the cases the hardening issue names, one by one -----------------------------------

DEAL = """\
# Acme: line 3
id: d1
title: "黄河水泥: 仓储"   # as the customer calls it
account: 'Acme'
owner: ann
amount: 1000
created: 2026-11-01
stage: lead
status: open
history:
  - stage: lead
    date: 2026-11-01
notes: &n the CFO decides\x20\x20\x20
x_note: *n
next:   # the next step
  date: 2026-12-01
  step: call
# notes kept by the rep
competitors: [Siemens]
"""


def run_on(world, text: str, *args: str) -> str:
    path = world.root / "deals" / "d1.yaml"
    path.write_bytes(text.encode("utf-8"))
    res = world.run(*args)
    assert res.exit_code == 0, res.output
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("args", [["lose", "d1", "--reason", "no_decision"],
                                  ["win", "d1", "--force", "--reason", "signed early"]])
def test_closing_a_deal_keeps_the_comment_under_next(world, args: list[str]) -> None:
    new = run_on(world, DEAL, *args)
    assert "next:" not in new
    assert "\nnotes: &n the CFO decides   \nx_note: *n\n# notes kept by the rep\n" \
        "competitors: [Siemens]\n" in new
    check_write(DEAL.encode(), new.encode(), set(COMMANDS["win"][1]))


def test_closing_a_deal_whose_next_ends_the_file_keeps_the_comments_at_the_end(world) -> None:
    text = DEAL.replace("competitors: [Siemens]\n", "") + "\n# the end\n"
    new = run_on(world, text, "lose", "d1", "--reason", "no_decision")
    assert new.endswith("x_note: *n\n# notes kept by the rep\n\n# the end\n"
                        "outcome:\n  date: 2026-11-24\n  reason: no_decision\n") or \
        new.endswith("x_note: *n\noutcome:\n  date: 2026-11-24\n  reason: no_decision\n"
                     "# notes kept by the rep\n\n# the end\n")


def test_crlf_bom_markers_anchor_trailing_blanks_and_a_long_line_survive(world) -> None:
    long_line = "x_long: " + "word " * 1500 + "end"
    text = ("\ufeff---\n" + DEAL + long_line + "\n...\n").replace("\n", "\r\n")
    new = run_on(world, text, "act", "d1", "-k", "call", "-g", "ask", "--next",
                 "2026-12-02: visit")
    assert new.startswith("\ufeff---\r\n# Acme: line 3\r\n")
    assert new.count("\n") == new.count("\r\n")
    assert "\r\nnotes: &n the CFO decides   \r\nx_note: *n\r\n" in new
    assert "\r\n" + long_line + "\r\n" in new
    assert new.endswith("\r\n...\r\n")
    assert "next:   # the next step\r\n  date: 2026-12-02\r\n  step: visit\r\n" in new
    assert "actions:\r\n  - date: 2026-11-24\r\n    kind: call\r\n" in new
    check_write(text.encode(), new.encode(), {"actions", "next"})


def test_a_file_without_a_line_break_at_the_end_gets_none(world) -> None:
    text = DEAL.rstrip("\n")
    new = run_on(world, text, "snooze", "d1", "--until", "2026-12-20", "--reason", "budget")
    assert new == text + "\nsnooze:\n  until: 2026-12-20\n  reason: budget"


def test_a_block_scalar_without_a_line_break_at_the_end_keeps_its_value(world) -> None:
    """A literal block that ends the file without a line break has no line break at
    its end either; a key written after it needs one, so ruamel's ``|-`` says it: the
    value stays the same (the one line the merge cannot keep as read)."""
    text = DEAL + "x_text: |\n  first\n  second"
    new = run_on(world, text, "snooze", "d1", "--until", "2026-12-20", "--reason", "budget")
    assert new == DEAL + "x_text: |-\n  first\n  second\nsnooze:\n  until: 2026-12-20\n" \
        "  reason: budget"
    assert yamlio.load_fast(new)["x_text"] == "first\nsecond"


def test_untouched_lines_are_kept_where_ruamel_would_rewrite_them(world) -> None:
    """Flow collections over two lines, odd spacing in flow maps, an anchored date,
    a comment inside a flow list: ruamel writes them its own way; a write leaves them."""
    text = DEAL.replace("competitors: [Siemens]\n", "competitors: [Siemens,   # first\n"
                        "  ABB]\nx_map: {a: 1,b: 2}\nx_day: &d 2026-11-01\nx_again: *d\n")
    new = run_on(world, text, "score", "d1", "need", "2", "-e", "stated")
    assert new == text + "levels:\n  need:\n    level: 2\n    date: 2026-11-24\n" \
        "    evidence: stated\n"


@pytest.mark.parametrize("value", ["a\x01b", "tab\there", "line\nbreak", "cr\rhere", "nel\x85",
                                   "ls\u2028ps\u2029", "bom\ufeff", "del\x7f", "nul\x00",
                                   "  padded  ", "\ufffe"])
def test_text_with_control_characters_is_written_so_that_it_reads_back(world, value) -> None:
    """Whatever a command accepts, it writes in a form it reads back."""
    new = run_on(world, DEAL, "act", "d1", "-k", "call", "-g", value, "-r", value,
                 "--next", "2026-12-02: " + value)
    data = yamlio.load_fast(new.encode("utf-8"))
    assert data["actions"][0]["goal"] == value.strip()
    assert data["next"]["step"] == value.strip()
    assert world.run("validate").exit_code == 0


def test_a_long_value_is_written_on_one_line(world) -> None:
    goal = "ask " * 1500 + "why"
    new = run_on(world, DEAL, "act", "d1", "-k", "call", "-g", goal)
    assert f"\n    goal: {goal}\n" in new
    assert yamlio.load_fast(new)["actions"][0]["goal"] == goal


def test_a_lone_surrogate_is_refused_and_nothing_written(world) -> None:
    """A byte of an argument that is not UTF-8 reaches Python as a lone surrogate: no
    UTF-8 file can hold it."""
    path = world.root / "deals" / "d1.yaml"
    path.write_text(DEAL, encoding="utf-8")
    res = world.run("act", "d1", "-k", "call", "-g", "caf\udce9")
    assert res.exit_code == 1
    assert "not UTF-8 text" in res.stderr
    assert path.read_text(encoding="utf-8") == DEAL


def test_new_writes_a_title_with_a_line_break_into_its_comment_safely(world) -> None:
    res = world.run("new", "--account", "Acme\r\nid: evil", "--title", "a\x01b\u2028c",
                    "--owner", "ann", "--amount", "1", "--id", "d2")
    assert res.exit_code == 0, res.output
    text = world.read("deals/d2.yaml")
    data = yamlio.load_fast(text)
    assert data["id"] == "d2" and data["account"] == "Acme\r\nid: evil"
    assert data["title"] == "a\x01b\u2028c"
    assert world.run("validate").exit_code == 0


def test_an_alias_bomb_is_refused_before_the_round_trip_parser(world) -> None:
    """The fast reader, which bounds aliases, reads a deal before any write parses it
    for the round trip: a bomb is refused in milliseconds and the file left as it is."""
    bomb = ["x_a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    bomb += [f"x_a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    text = DEAL + "\n".join(bomb) + "\n"
    path = world.root / "deals" / "d1.yaml"
    path.write_text(text, encoding="utf-8")
    for args in COMMANDS.values():
        start = time.perf_counter()
        res = world.run(*args[0])
        assert time.perf_counter() - start < 5
        assert res.exit_code == 1
        assert "cannot be read as a deal" in res.stderr and "too many aliases" in res.stderr
    assert path.read_text(encoding="utf-8") == text


def test_the_round_trip_writes_aliases_back_and_never_expands_them() -> None:
    """Aliases the reader allows are written as aliases, not copies: the writer's
    output grows with the file, not with what the aliases expand to."""
    text = "a0: &a0 [x, x, x]\n" + "".join(  # 3 ** 6 strings, within the reader's bound
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]\n" for i in range(1, 6))
    y, doc = yamlio.rt_load(text)
    doc["new"] = 1
    out = yamlio.rt_dump(y, doc)
    assert out == text + "new: 1\n"
    y = yamlio.rt_yaml(text)
    doc = y.load(text)
    doc["new"] = 1
    assert len(yamlio.rt_dump(y, doc)) < 2 * len(text)  # ruamel's own rendering too


def test_a_merge_that_would_read_otherwise_falls_back_to_ruamels_rendering() -> None:
    """The merged text is checked against ruamel's rendering; where they would read
    differently (mixed indentation: ruamel's new item would not be under the list),
    ruamel's rendering is written, with the file's BOM, endings and markers."""
    text = "\ufeff---\r\nh:\r\n- a\r\nl:\r\n    - b   \r\n"
    y, doc = yamlio.rt_load(text)
    doc["l"].append("c")
    out = yamlio.rt_dump(y, doc)
    assert yamlio.load_fast(out) == {"h": ["a"], "l": ["b", "c"]}
    assert out.startswith("\ufeff---\r\n") and out.count("\n") == out.count("\r\n")


def test_sample_deals_round_trip_byte_for_byte(sample_copy: Path) -> None:
    for path in sorted((sample_copy / "deals").rglob("*.yaml"))[:20]:
        text = path.read_text(encoding="utf-8")
        y, doc = yamlio.rt_load(text)
        assert yamlio.rt_dump(y, doc) == text


def test_closing_a_sample_deal_keeps_the_comment_under_next(sample_copy: Path, world) -> None:
    src = sample_copy / "deals" / "west" / "rhein-cooling.yaml"
    text = src.read_text(encoding="utf-8").replace("id: rhein-cooling", "id: d1")
    assert "  step: send the revised offer\n# notes kept by the rep\n" in text
    (world.root / "stages.yaml").write_bytes((sample_copy / "stages.yaml").read_bytes())
    new = run_on(world, text, "lose", "d1", "--reason", "budget")
    assert "next:" not in new and "# notes kept by the rep\nnotes:" in new
    check_write(text.encode(), new.encode(), {"status", "next", "outcome"})
