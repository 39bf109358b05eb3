"""``source_id``: the deal's id in the CRM or sheet it came from. The first field
added by CONTRIBUTING.md's recipe (model.py, summary.py, render/rep.py): list
shows it, validate checks it, schema exports it, the cache carries it."""

from __future__ import annotations

import json


def test_list_shows_the_source_id_only_when_a_deal_has_one(world) -> None:
    world.deal("a", amount=500)
    res = world.run("list")
    assert "source id" not in res.stdout
    world.deal("b", extra="source_id: HS-1042\n")
    res = world.run("list")
    assert res.exit_code == 0
    header, row_a, row_b = res.stdout.splitlines()[:3]
    assert header.rstrip().endswith("source id")
    assert row_b.rstrip().endswith("HS-1042") and row_b.startswith("b ")
    assert not row_a.rstrip().endswith("HS-1042")
    rows = world.json("list")
    assert [(r["id"], r["source_id"]) for r in rows] == [("a", None), ("b", "HS-1042")]


def test_validate_refuses_a_source_id_that_is_not_text(world) -> None:
    world.deal("a")
    world.deal("b", extra="source_id: [1, 2]\n")
    world.deal("c", extra=f"source_id: {'x' * 101}\n")
    res = world.run("validate")
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    # the line of the field: deal_yaml writes 9 lines and 2 of history before it
    assert "deals/b.yaml:12: source_id: Input should be a valid string" in lines
    assert "deals/c.yaml:12: source_id: String should have at most 100 characters" in lines
    assert [d["id"] for d in world.json("list")] == ["a"]  # the others still load


def test_schema_exports_the_source_id(world) -> None:
    res = world.run("schema", "deal")
    assert res.exit_code == 0
    field = json.loads(res.stdout)["properties"]["source_id"]
    assert {"type": "string", "maxLength": 100} in field["anyOf"]
