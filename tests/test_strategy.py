"""strategy DEAL: the one-page sheet of a large deal, and the commands that fill its
own fields (plan, missing, resources, competitors, verdict) without hand editing."""

from __future__ import annotations

import pytest

from tests.conftest import World
from tests.test_write_inputs import VALUES, _accepted_or_refused
from tests.test_writes import diff

DEAL = """\
id: big
title: Warehouse automation
account: Hansa Cold Chain
owner: ann
amount: 600000
created: 2026-07-01
close: 2027-01-31
stage: evaluation
status: open
contacts:
  - name: Eva Rossi
    role: plant director
    decision_maker: true
    met: 2026-07-03
    last_met: 2026-11-14
    goal: payback under two years
    attitude: supporter
  - name: Jonas Berg
    role: CFO
    veto: true
  - name: Li Na
    role: engineer
    met: 2026-08-01
history:
  - stage: evaluation
    date: 2026-07-26
levels:
  need: {level: 3, date: 2026-07-17, evidence: the real need is delivery time}
  power: {level: 3, date: 2026-11-14, evidence: met Eva Rossi}
competitors: [Knapp]
roles:
  presales: wang.jun
"""


@pytest.fixture
def big(world: World) -> str:
    world.write("deals/big.yaml", DEAL)
    return DEAL


def test_the_sheet_holds_the_players_elements_and_gaps(world: World, big: str) -> None:
    s = world.json("strategy", "big")
    eva, jonas = s["players"]  # the engineer neither decides nor holds a veto
    assert eva == {"name": "Eva Rossi", "role": "plant director", "decision_maker": True,
                   "veto": False, "attitude": "supporter", "goal": "payback under two years",
                   "last_met": "2026-11-14", "days_since_met": 10, "agreed": False,
                   "agreed_on": None}
    assert (jonas["name"], jonas["last_met"], jonas["days_since_met"]) == ("Jonas Berg", None,
                                                                          None)
    assert s["other_contacts"] == 1
    # the two ladders of the test pipeline; negotiation, the next stage, needs power 4
    assert [(e["ladder"], e["level"], e["needed_next"]) for e in s["elements"]] == [
        ("need", 3, None), ("power", 3, 4)]
    assert s["elements"][1]["level_label"] == "met"
    assert (s["competitors"], s["plan"], s["missing"], s["resources"], s["verdict"]) == (
        ["Knapp"], None, [], [], None)
    assert s["gaps"] == ["Jonas Berg (veto): not met yet",
                         "Jonas Berg (veto): personal goal unknown",
                         "Jonas Berg (veto): attitude unknown",
                         "Jonas Berg (veto): has not agreed yet",
                         "our plan against Knapp"]
    assert (s["roles"], s["roles_missing"]) == ({"presales": "wang.jun"}, [])


def test_writes_fill_the_sheet_with_only_the_lines_they_add(world: World, big: str) -> None:
    res = world.run("strategy", "big", "--plan", "reference visit at Baltic Steel",
                    "--missing", "the CFO's capex limit", "--missing", "who signs above 500k",
                    "--resource", "presales: 3 days", "--competitor", "SSI Schäfer",
                    "--verdict", "continue")
    assert res.exit_code == 0, res.output
    assert diff(big, world.read("deals/big.yaml")) == [
        "-competitors: [Knapp]", "+competitors: [Knapp, SSI Schäfer]",
        "+strategy:", "+  plan: reference visit at Baltic Steel", "+  missing:",
        "+    - the CFO's capex limit", "+    - who signs above 500k", "+  resources:",
        '+    - "presales: 3 days"', "+  verdict: continue"]
    s = world.json("strategy", "big")
    assert (s["plan"], s["missing"], s["resources"], s["verdict"], s["competitors"]) == (
        "reference visit at Baltic Steel", ["the CFO's capex limit", "who signs above 500k"],
        ["presales: 3 days"], "continue", ["Knapp", "SSI Schäfer"])
    assert "our plan against Knapp, SSI Schäfer" not in s["gaps"]
    # an item found leaves the list; an item is matched ignoring case
    res = world.run("strategy", "big", "--found", "WHO SIGNS ABOVE 500K", "--verdict", "drop",
                    "--drop-competitor", "knapp")
    assert res.exit_code == 0, res.output
    assert "note: the sheet says drop; to close the deal: funnelctl lose big" in res.stderr
    s = world.json("strategy", "big")
    assert (s["missing"], s["verdict"], s["competitors"]) == (
        ["the CFO's capex limit"], "drop", ["SSI Schäfer"])


def test_a_write_that_says_what_the_file_says_writes_nothing(world: World, big: str) -> None:
    world.run("strategy", "big", "--verdict", "continue")
    before = world.read("deals/big.yaml")
    res = world.run("strategy", "big", "--verdict", "continue")
    assert res.exit_code == 0 and "strategy unchanged" in res.stdout
    assert world.read("deals/big.yaml") == before


@pytest.mark.parametrize(("args", "message"), [
    (["--missing", "X", "--missing", "x"], "'x' is listed in missing already"),
    (["--competitor", "knapp"], "'knapp' is listed in competitors already"),
    (["--found", "budget"], "'budget' is not in missing (missing: none)"),
    (["--drop-resource", "CEO"], "'CEO' is not in resources (resources: none)"),
    (["--plan", "  "], "--plan needs text"),
])
def test_refusals_leave_the_file_as_it_was(world: World, big: str, args: list[str],
                                           message: str) -> None:
    res = world.run("strategy", "big", "--plan", "p", *args) if args[0] != "--plan" else \
        world.run("strategy", "big", *args)
    assert res.exit_code == 1
    assert message in res.stderr
    assert world.read("deals/big.yaml") == big


def test_a_closed_deals_sheet_is_shown_but_not_written(world: World) -> None:
    world.write("deals/big.yaml", DEAL.replace("status: open", "status: lost").replace(
        "roles:", "outcome: {date: 2026-11-20, reason: no_decision}\nroles:"))
    res = world.run("strategy", "big", "--verdict", "drop")
    assert res.exit_code == 1 and "deal big is lost: its strategy sheet is closed" in res.stderr
    s = world.json("strategy", "big")
    assert (s["status"], s["roles_missing"]) == ("lost", [])


def test_bad_usage_exits_2(world: World, big: str) -> None:
    assert world.run("strategy", "big", "--verdict", "maybe").exit_code == 2
    assert world.run("strategy", "big", "--plan", "p", "--format", "md").exit_code == 2
    assert world.read("deals/big.yaml") == big
    # --json with a write: what it changed, as every write prints it
    assert world.json("strategy", "big", "--plan", "p") == {
        "id": "big", "path": "deals/big.yaml", "changed": ["strategy"]}
    assert world.run("strategy", "nope").exit_code == 1


def test_text_and_markdown_sheets(world: World, big: str) -> None:
    world.run("strategy", "big", "--resource", "CEO visit", "--missing", "the budget")
    out = world.run("strategy", "big").stdout
    assert out.startswith("Strategy sheet: big  Hansa Cold Chain: Warehouse automation\n"
                          "owner ann · Evaluation · 600,000 · close 2027-01-31\n")
    assert "Eva Rossi   plant director  decides           supporter  2026-11-14 (10 days ago)\n" \
           "    wants: payback under two years\n" in out
    assert "Jonas Berg  CFO             veto, not agreed  ?          not met\n" \
           "    wants: unknown\n" in out
    assert "Power  3/6  met\n            met Eva Rossi (2026-11-14) · Negotiation needs 4\n" in out
    assert "Competitors: Knapp\nOur plan: none yet\n" in out
    assert "Still missing\n  - the budget\nNot known from the deal file\n" in out
    assert "Resources asked for\n  - CEO visit\nTeam: presales wang.jun\n" in out
    assert out.endswith("Verdict: not judged yet\n")
    md = world.run("strategy", "big", "--format", "md").stdout
    assert md.startswith("# Strategy sheet: big, Hansa Cold Chain: Warehouse automation\n")
    assert "| Eva Rossi | plant director | decides | supporter | 2026-11-14 (10 days ago) | " \
           "payback under two years |" in md
    assert "\n## Verdict: not judged yet\n" in md


CASES = {
    "--plan": (["--plan", "{}"], lambda d: d["strategy"]["plan"]),
    "--missing": (["--missing", "{}"], lambda d: d["strategy"]["missing"][-1]),
    "--resource": (["--resource", "{}"], lambda d: d["strategy"]["resources"][-1]),
    "--competitor": (["--competitor", "{}"], lambda d: d["competitors"][-1]),
}


# the values of test_write_inputs most likely to go wrong in a list or a nested key
@pytest.mark.parametrize("value", ["esc", "newline", "bidi", "flow", "marker", "null", "spaces",
                                   "huge"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_strategy_text_reads_back_or_is_refused(world: World, case: str,
                                                      value: str) -> None:
    if value == "huge" and case != "--plan":
        pytest.skip("the huge value once is enough")
    world.deal("d1")
    before = world.read("deals/d1.yaml")
    args, read = CASES[case]
    res = world.run("strategy", "d1", *[a.replace("{}", VALUES[value]) for a in args])
    _accepted_or_refused(world, res, "deals/d1.yaml", before, VALUES[value], read)
    if res.exit_code == 0 and value == "esc":  # and the sheet shows it safely
        assert "\x1b" not in world.run("strategy", "d1").stdout
