"""--json output is as safe in a terminal as the tables: C1 controls, bidi and
zero-width characters are written as \\u escapes, and a parser reads back exactly
the text the file holds."""

from __future__ import annotations

import json

import pytest

from funnelctl.render.safe import json_safe
from tests.conftest import World

PAYLOAD = "A\u009b31mB\u202eC\u200bD\u2028E\x7fF\U000e0041G 华东泵业"
RAW = ("\u009b", "\u202e", "\u200b", "\u2028", "\x7f", "\U000e0041", "\x1b")


@pytest.mark.parametrize("args", [["list"], ["show", "acme"], ["review"], ["stalls"],
                                  ["plan"]])
def test_no_raw_control_or_format_character_in_json(world: World, args) -> None:
    quoted = json.dumps(PAYLOAD)  # a YAML double-quoted string takes JSON's escapes
    world.deal("acme", extra=f"next: {{date: 2026-11-20, step: {quoted}}}\n")
    text = world.read("deals/acme.yaml").replace("title: T acme", f"title: {quoted}")
    world.write("deals/acme.yaml", text.replace("account: A acme", f"account: {quoted}"))
    res = world.run(*args, "--json")
    assert res.exit_code == 0, res.output
    for ch in RAW:
        assert ch not in res.stdout, (args, repr(ch))
    assert PAYLOAD in json.dumps(json.loads(res.stdout), ensure_ascii=False)
    assert "华东泵业" in res.stdout  # CJK stays readable


def test_json_safe_keeps_the_value() -> None:
    value = {"t": PAYLOAD, "emoji": "👩\u200d💻", "n": [1, 2.5, None]}
    out = json_safe(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    assert json.loads(out) == value
    assert b"\\u009b" in out and b"\\udb40\\udc41" in out
    clean = b'{"a": "plain \xe5\x8d\x8e"}'
    assert json_safe(clean) is clean
