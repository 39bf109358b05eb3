"""Whatever a write command accepts, it writes in a form it reads back; what it
cannot write so, it refuses (exit 1 or 2) and leaves the file as it was. Every
write command x every text option x hostile and extreme values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from funnelctl import yamlio
from funnelctl.store import load_pipeline, read_deal
from funnelctl.store.files import MAX_FILE_BYTES, read_file
from tests.conftest import World

VALUES = {
    "esc": "\x1b[2J\x1b]52;c;ZXZpbA==\x07owned",
    "nul": "a\x00b",
    "newline": "line one\nid: forged",
    "separators": "ls\u2028ps\u2029nel\x85",
    "bidi": "abc\u202edcba\u200b",
    "bom": "\ufeffbom",
    "yaml": "key: value # not a comment",
    "flow": "[a, b]: {c: d}",
    "tags": "!!python/object:os.system ['ls']",
    "marker": "---",
    "quotes": "'single' \"double\" `back`",
    "spaces": "  padded  ",
    "fullwidth": "２０２６年１２月１日：拜访（采购部）",
    "emoji": "👩\u200d💻 ok",
    "null": "null",
    "number": "1e309",
    "long": "x" * 20_000,
    "huge": "y" * 1_100_000,  # over the 1 MB file limit once written
}

Read = Callable[[dict], Any]


def _last(key: str, field: str) -> Read:
    return lambda d: d[key][-1][field]


# (command line with {} for the value, where the value is read back)
CASES: dict[str, tuple[list[str], Read]] = {
    "act --goal": (["act", "d1", "-k", "call", "-g", "{}"], _last("actions", "goal")),
    "act --result": (["act", "d1", "-k", "call", "-g", "g", "-r", "{}"],
                     _last("actions", "result")),
    "act --next": (["act", "d1", "-k", "call", "-g", "g", "--next", "2026-12-02: {}"],
                   lambda d: d["next"]["step"]),
    "tick --evidence": (["tick", "d1", "need_identified", "-e", "{}"],
                        lambda d: d["milestones"]["need_identified"]["evidence"]),
    "score --evidence": (["score", "d1", "need", "2", "-e", "{}"],
                         lambda d: d["levels"]["need"]["evidence"]),
    "advance --reason": (["advance", "d1", "--to", "evaluation", "--force", "--reason", "{}"],
                         _last("history", "reason")),
    "win --reason": (["win", "d1", "--force", "--reason", "{}"], _last("history", "reason")),
    "lose --competitor": (["lose", "d1", "--reason", "competitor", "--competitor", "{}"],
                          lambda d: d["outcome"]["competitor"]),
    "lose --note": (["lose", "d1", "--reason", "other", "--note", "{}"],
                    lambda d: d["outcome"]["note"]),
    "snooze --reason": (["snooze", "d1", "--until", "2027-01-15", "--reason", "{}"],
                        lambda d: d["snooze"]["reason"]),
    "reassign --to": (["reassign", "--from", "ann", "--to", "{}"], lambda d: d["owner"]),
    "reassign --reason": (["reassign", "--from", "ann", "--to", "bob", "--reason", "{}"],
                          _last("handovers", "reason")),
}

NEW_CASES = {
    "new --account": ("--account", lambda d: d["account"]),
    "new --title": ("--title", lambda d: d["title"]),
    "new --owner": ("--owner", lambda d: d["owner"]),
    "new --source": ("--source", lambda d: d["source"]),
}


def _accepted_or_refused(world: World, res, rel: str, before: str | None, value: str,
                         read: Read) -> None:
    path = world.root / rel
    if res.exit_code == 0:
        data = yamlio.load_fast(path.read_bytes())
        assert read(data) in (value, value.strip()), "written but reads back otherwise"
        # and every command still reads the deal: the store's reader, as they use it
        # (a call here rather than a command per case keeps 370 cases in seconds)
        raw = read_file(world.root, rel, MAX_FILE_BYTES)
        deal, problems = read_deal(world.root, rel, load_pipeline(world.root), raw)
        assert deal is not None, problems
    else:
        assert res.exit_code in (1, 2), res.output
        assert res.stderr.startswith("funnelctl: ") or res.stderr.startswith("Usage")
        if before is None:
            assert not path.exists()
        else:
            assert path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("value", list(VALUES.values()), ids=list(VALUES))
@pytest.mark.parametrize("case", list(CASES))
def test_every_write_option_reads_back_or_refuses(world: World, case: str, value: str) -> None:
    if value in (VALUES["huge"],) and case not in ("act --goal", "new --title"):
        pytest.skip("the huge value once per kind of write is enough")
    world.deal("d1", owner="ann")
    before = world.read("deals/d1.yaml")
    args, read = CASES[case]
    res = world.run(*[a.replace("{}", value) for a in args])
    _accepted_or_refused(world, res, "deals/d1.yaml", before, value, read)


@pytest.mark.parametrize("value", list(VALUES.values()), ids=list(VALUES))
@pytest.mark.parametrize("case", list(NEW_CASES))
def test_every_new_option_reads_back_or_refuses(world: World, case: str, value: str) -> None:
    if value == VALUES["huge"] and case != "new --title":
        pytest.skip("the huge value once per kind of write is enough")
    option, read = NEW_CASES[case]
    args = {"--account": "Acme", "--title": "Pumps", "--owner": "ann", "--source": "fair",
            option: value}
    res = world.run("new", *[x for kv in args.items() for x in kv], "--amount", "1",
                    "--id", "d9")
    _accepted_or_refused(world, res, "deals/d9.yaml", None, value, read)


@pytest.mark.parametrize("amount", ["nan", "inf", "-inf", "1e309", "-1", "1e16", "0x10", ""])
def test_new_refuses_amounts_it_could_not_read_back(world: World, amount: str) -> None:
    res = world.run("new", "--account", "A", "--title", "T", "--owner", "ann",
                    "--amount", amount, "--id", "d9")
    assert res.exit_code == 2, res.output
    assert not (world.root / "deals" / "d9.yaml").exists()


@pytest.mark.parametrize("args", [
    ["score", "d1", "need", "99999999999999999999", "-e", "x"],
    ["score", "d1", "need", "-1", "-e", "x"],
    ["snooze", "d1", "--until", "99999-01-01", "--reason", "r"],
    ["act", "d1", "-k", "call", "-g", "g", "--date", "0001-01-01"],
    ["act", "d1", "-k", "call", "-g", "g", "--next", "20261202: step"],
    ["act", "d1", "-k", "\x1b[2J", "-g", "g"],
    ["tick", "d1", "\x1b[2J"],
    ["lose", "d1", "--reason", "\x1b[2J"],
])
def test_extreme_or_unknown_values_are_refused_with_the_file_untouched(world: World,
                                                                       args) -> None:
    world.deal("d1", owner="ann")
    before = world.read("deals/d1.yaml")
    res = world.run(*args)
    assert res.exit_code in (1, 2), res.output
    assert "\x1b" not in res.output  # the refusal shows what was typed safely
    assert world.read("deals/d1.yaml") == before
