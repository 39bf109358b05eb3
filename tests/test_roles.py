"""Stage roles: the support people a stage needs (stages.yaml ``roles:``), who holds
them on a deal (``assign``), what a deal lacks (the rule ``advance`` applies), and
each support person's load (``load``)."""

from __future__ import annotations

from importlib.resources import files

import pytest

from funnelctl import yamlio
from funnelctl.analysis.roles import missing_role_issues, missing_roles, role_issues, stage_roles
from funnelctl.store import load_pipeline, validate_pipeline_text
from tests.conftest import STAGES, World
from tests.test_write_inputs import VALUES, _accepted_or_refused
from tests.test_writes import diff

ROLES = (STAGES
         .replace("    requires:\n      power: 3\n",
                  "    requires:\n      power: 3\n    roles: [presales]\n")
         .replace("    requires:\n      power: 4\n",
                  "    requires:\n      power: 4\n    roles: [finance, legal]\n")
         .replace("  east: [ann, bob]\n", "  east: [ann, bob]\n  west: [cid]\n"))


@pytest.fixture
def roles(world: World) -> World:
    world.write("stages.yaml", ROLES)
    return world


def test_roles_of_the_pipeline_and_what_a_deal_lacks(roles: World) -> None:
    p = load_pipeline(roles.root)
    assert stage_roles(p) == ["presales", "finance", "legal"]
    neg = p.stage("negotiation")
    assert missing_roles(neg, {}) == ["finance", "legal"]
    assert missing_roles(neg, {"legal": "eva", "finance": "  "}) == ["finance"]  # blank: nobody
    assert missing_roles(neg, {"finance": "mo", "legal": "eva", "presales": "x"}) == []
    assert missing_roles(p.stage("lead"), {}) == []
    assert missing_roles(None, {}) == []  # won, or an unknown stage
    issue, = missing_role_issues(neg, {"legal": "eva"})
    assert (issue.about, issue.refusal) == (
        "role:finance", "role finance: nobody holds it (funnelctl assign DEAL finance PERSON)")
    assert role_issues("presales", p) == []
    assert role_issues("sales", p)[0].refusal == \
        "unknown role 'sales' (roles: presales, finance, legal)"


@pytest.mark.parametrize("template", ["en", "zh"])
def test_the_templates_carry_default_roles(template: str) -> None:
    text = (files("funnelctl") / "templates" / f"stages_{template}.yaml").read_bytes()
    p = validate_pipeline_text(text)
    assert {s.id: s.roles for s in p.stages} == {
        "lead": (), "nurture": (), "evaluation": ("presales",),
        "negotiation": ("finance", "legal")}
    assert p.rules.require_roles is False


def test_assign_writes_the_roles_block(roles: World) -> None:
    roles.deal("d1", stage="evaluation")
    before = roles.read("deals/d1.yaml")
    res = roles.run("assign", "d1", "presales", "wang.jun")
    assert res.exit_code == 0, res.output
    assert res.stdout == "d1: presales wang.jun (deals/d1.yaml)\n"
    assert diff(before, roles.read("deals/d1.yaml")) == ["+roles:", "+  presales: wang.jun"]
    # another holder replaces the first; the same one changes nothing
    res = roles.run("assign", "d1", "presales", "li.na")
    assert res.stdout == "d1: presales li.na (was wang.jun) (deals/d1.yaml)\n"
    after = roles.read("deals/d1.yaml")
    res = roles.run("assign", "d1", "presales", "li.na")
    assert res.stdout == "d1: li.na holds presales already (deals/d1.yaml)\n"
    assert roles.read("deals/d1.yaml") == after
    # --remove takes it away, and the empty block with it
    res = roles.run("assign", "d1", "presales", "--remove")
    assert res.exit_code == 0, res.output
    assert roles.read("deals/d1.yaml") == before


def test_assign_refuses_a_role_no_stage_names_with_exit_2(roles: World) -> None:
    roles.deal("d1")
    before = roles.read("deals/d1.yaml")
    res = roles.run("assign", "d1", "sales", "wang.jun")
    assert res.exit_code == 2
    assert "unknown role 'sales' (roles: presales, finance, legal)" in res.stderr
    for args in (["d1", "presales"], ["d1", "presales", "x", "--remove"]):
        assert roles.run("assign", *args).exit_code == 2
    res = roles.run("assign", "d1", "legal", "--remove")
    assert res.exit_code == 1 and "nobody holds legal on d1" in res.stderr
    assert roles.read("deals/d1.yaml") == before


@pytest.mark.parametrize("value", ["esc", "newline", "bidi", "null", "spaces"])
def test_a_holder_reads_back_or_is_refused(roles: World, value: str) -> None:
    roles.deal("d1")
    before = roles.read("deals/d1.yaml")
    res = roles.run("assign", "d1", "presales", VALUES[value])
    _accepted_or_refused(roles, res, "deals/d1.yaml", before, VALUES[value],
                         lambda d: d["roles"]["presales"])


@pytest.fixture
def team(roles: World) -> World:
    """wang holds presales on e1, e2 (evaluation, ann and cid) and n1 (nurture, bob);
    li on e3 (evaluation, ann); e4 at evaluation has nobody; l1 at lead has nobody
    but lead needs no presales; w1, won, held by wang, is no longer open."""
    for id, stage, owner, who in [("e1", "evaluation", "ann", "wang"),
                                  ("e2", "evaluation", "cid", "wang"),
                                  ("n1", "nurture", "bob", "wang"),
                                  ("e3", "evaluation", "ann", "li"),
                                  ("e4", "evaluation", "bob", None),
                                  ("l1", "lead", "ann", None)]:
        roles.deal(id, stage=stage, owner=owner, amount=1000,
                   extra=f"roles: {{presales: {who}}}\n" if who else "")
    roles.deal("w1", stage="won", status="won", extra="outcome: {date: 2026-11-02}\n"
               "roles: {presales: wang}\n", history=[("lead", "2026-11-01"), ("won", "2026-11-02")])
    return roles


def test_load_counts_each_holders_open_deals_by_stage(team: World) -> None:
    r, = team.json("load", "--role", "presales")["roles"]
    assert r["needed_at"] == ["evaluation"]
    wang, li = r["people"]
    assert (wang["person"], wang["open"], wang["by_stage"], wang["owners"], wang["teams"]) == (
        "wang", 3, {"nurture": 1, "evaluation": 2}, ["ann", "bob", "cid"], ["east", "west"])
    assert wang["amount"] == 3000
    assert (li["person"], li["by_stage"], li["teams"]) == ("li", {"evaluation": 1}, ["east"])
    assert (r["unassigned"]["deals"], r["unassigned"]["by_stage"]) == (
        ["e4"], {"evaluation": 1})


def test_load_as_a_table_person_by_stage(team: World) -> None:
    res = team.run("load", "--role", "presales")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "presales: 2 people, 4 open deals (needed at Evaluation)",
        "person  lead  nurture  evaluation  negotiation  open  amount  serves",
        "wang       ·        1           2            ·     3   3,000  east, west (3 reps)",
        "li         ·        ·           1            ·     1   1,000  east (1 rep)",
        "nobody     ·        ·           1            ·     1   1,000  east (1 rep)",
        "nobody holds presales on: e4 (funnelctl assign DEAL presales PERSON)"]
    md = team.run("load", "--role", "presales", "--format", "md").stdout
    assert "| wang | · | 1 | 2 | · | 3 | 3,000 | east, west (3 reps) |" in md


def test_load_of_every_role_and_of_a_team(team: World) -> None:
    data = team.json("load")
    assert [r["role"] for r in data["roles"]] == ["presales", "finance", "legal"]
    assert data["roles"][1]["people"] == []
    west, = team.json("load", "--role", "presales", "--team", "west")["roles"]
    assert [(x["person"], x["deals"]) for x in west["people"]] == [("wang", ["e2"])]
    res = team.run("load", "--role", "sales")
    assert res.exit_code == 2 and "roles: presales, finance, legal" in res.stderr


def test_load_without_roles_in_stages_yaml_says_how_to_add_them(world: World) -> None:
    world.deal("d1")
    res = world.run("load")
    assert res.exit_code == 1 and "add roles: [presales] to a stage" in res.stderr


def test_sample_stages_yaml_names_the_roles(sample_copy) -> None:
    p = load_pipeline(sample_copy)
    assert stage_roles(p) == ["presales", "finance", "legal"]
    assert yamlio.load_fast((sample_copy / "stages.yaml").read_bytes())["stages"][2]["roles"] \
        == ["presales"]


# -- advance into a stage whose roles nobody holds (edits.advance, cli/writes.py) --------

NEGOTIATION_READY = """\
milestones:
  need_identified: {date: 2026-11-02}
  budget_approved: {date: 2026-11-03, evidence: CFO mail}
  solution_accepted: {date: 2026-11-04}
levels:
  power: {level: 4, date: 2026-11-04, evidence: accepts our solution}
"""


def test_advance_warns_when_the_stage_entered_needs_roles_nobody_holds(roles: World) -> None:
    roles.deal("d1", stage="evaluation", extra=NEGOTIATION_READY + "roles: {legal: eva}\n")
    res = roles.run("advance", "d1")
    assert res.exit_code == 0, res.output
    assert res.stdout == "d1: advanced evaluation -> negotiation (deals/d1.yaml)\n"
    assert res.stderr == ("note: negotiation needs finance; nobody holds it on d1: "
                          "funnelctl assign d1 finance PERSON\n")


def test_advance_refuses_under_require_roles_unless_forced(roles: World) -> None:
    roles.write("stages.yaml", ROLES.replace("rules: {", "rules: {require_roles: true, "))
    roles.deal("d1", stage="evaluation", extra=NEGOTIATION_READY)
    before = roles.read("deals/d1.yaml")
    res = roles.run("advance", "d1")
    assert res.exit_code == 1
    assert "cannot advance d1 to negotiation: 2 missing" in res.stderr
    assert "role finance: nobody holds it (funnelctl assign d1 finance PERSON)" in res.stderr
    assert roles.read("deals/d1.yaml") == before
    # once both are held it moves
    roles.run("assign", "d1", "finance", "mo")
    roles.run("assign", "d1", "legal", "eva")
    assert roles.run("advance", "d1").exit_code == 0
    # forced with a reason, the move records the roles it waived
    roles.deal("d2", stage="evaluation", extra=NEGOTIATION_READY)
    res = roles.run("advance", "d2", "--force", "--reason", "legal joins next week")
    assert res.exit_code == 0, res.output
    history = yamlio.load_fast((roles.root / "deals/d2.yaml").read_bytes())["history"]
    assert history[-1]["waived"] == ["role:finance", "role:legal"]
    # a move back never needs the roles of the stage it returns to
    roles.deal("d3", stage="negotiation", extra=NEGOTIATION_READY.replace(
        "levels", "  terms_agreed: {date: 2026-11-05}\nlevels"))
    assert roles.run("advance", "d3", "--to", "evaluation").exit_code == 0
