"""account NAME: the customer's archive across its deals, and the concentration of
the business on a few reps or accounts. Numbers worked out by hand below."""

from __future__ import annotations

import datetime as dt

import pytest

from funnelctl.analysis.accounts import close_accounts, concentration, matching_accounts
from tests.conftest import World, deal_yaml


def deal(world: World, id: str, account: str, **kw) -> None:
    world.write(f"deals/{id}.yaml", deal_yaml(id, **kw).replace(f"account: A {id}",
                                                                f"account: {account}"))


WON = dict(stage="won", status="won", history=[("lead", "2026-05-01"), ("won", "2026-06-20")])


@pytest.fixture
def acme(world: World) -> World:
    """Acme Pumps: a1 open at evaluation (100,000), a2 won (estimated 50,000, signed
    60,000), a3 lost to Grundfos (30,000); ACME Pumps, the same customer typed
    otherwise: a4 open at lead (20,000); and Hansa, another customer."""
    deal(world, "a1", "Acme Pumps", stage="evaluation", amount=100000,
         history=[("evaluation", "2026-10-01")], extra="""\
        contacts:
          - name: Zhang Min
            role: plant director
            decision_maker: true
            met: 2026-10-01
            last_met: 2026-11-10
            phone: '111'
          - {name: Eva Lind, role: buyer, veto: true}
        actions:
          - {date: 2026-11-01, kind: call, goal: confirm the budget, result: approved}
          - {date: 2026-11-10, kind: visit, goal: meet the CFO}
          - {date: 2026-11-30, kind: visit, goal: demo, planned: true}
        next: {date: 2026-11-20, step: send the offer}
        """)
    deal(world, "a2", "Acme Pumps", owner="bob", amount=50000, **WON, extra="""\
        outcome: {date: 2026-06-20, amount: 60000}
        contacts:
          - {name: zhang  min, role: director, met: 2026-06-01, attitude: supporter}
        actions:
          - {date: 2026-06-15, kind: demo, goal: show line 2, result: signed}
        """)
    deal(world, "a3", "Acme Pumps", status="lost", amount=30000, extra="""\
        outcome: {date: 2026-09-01, reason: competitor, competitor: Grundfos}
        """)
    deal(world, "a4", "ACME Pumps", owner="bob", amount=20000)
    deal(world, "h1", "Hansa", amount=500000)
    return world


def test_the_archive_holds_every_deal_contact_and_the_money(acme: World) -> None:
    a = acme.json("account", "Acme Pumps")
    assert [d["id"] for d in a["deals"]] == ["a1", "a2", "a3"]  # open, won, lost
    # won: the signed 60,000 of a2; open: a1's 100,000, weighted at evaluation's 0.5
    assert (a["won"], a["won_deals"], a["open"], a["weighted"], a["open_deals"],
            a["lost_deals"]) == (60000, 1, 100000, 50000, 1, 1)
    assert a["owners"] == ["ann", "bob"]
    # Zhang Min is on a1 and a2 (spelled otherwise): one person, met last on 2026-11-10
    zhang, eva = a["contacts"]
    assert zhang == {"name": "Zhang Min", "roles": ["plant director", "director"],
                     "decision_maker": True, "veto": False, "phone": "111", "goal": None,
                     "attitude": "supporter", "first_met": "2026-06-01",
                     "last_met": "2026-11-10", "deals": ["a1", "a2"]}
    assert (eva["name"], eva["veto"], eva["last_met"]) == ("Eva Lind", True, None)
    # actions done, newest first; the planned visit is not one
    assert [(x["date"], x["deal"], x["kind"]) for x in a["last_actions"]] == [
        ("2026-11-10", "a1", "visit"), ("2026-11-01", "a1", "call"),
        ("2026-06-15", "a2", "demo")]
    assert a["actions"] == 3
    assert a["deals"][0]["next"] == {"date": "2026-11-20", "step": "send the offer",
                                     "overdue": True}
    assert a["deals"][2]["competitor"] == "Grundfos"


def test_a_name_matches_exactly_then_ignoring_case(acme: World) -> None:
    # "Acme Pumps" is an account: ACME Pumps is not taken with it
    assert acme.json("account", "Acme Pumps")["names"] == ["Acme Pumps"]
    # no account is spelled "acme pumps": both spellings are the same customer
    a = acme.json("account", "acme pumps")
    assert a["names"] == ["ACME Pumps", "Acme Pumps"]
    # a4 at lead (0.1) adds 20,000 to the pipeline and 2,000 to the weighted
    assert (a["open"], a["weighted"], len(a["deals"])) == (120000, 52000, 4)


def test_an_unknown_account_exits_1_naming_close_matches(acme: World) -> None:
    res = acme.run("account", "Hansaa")
    assert res.exit_code == 1
    assert "no account 'Hansaa'; did you mean: Hansa?" in res.stderr
    res = acme.run("account", "Zeppelin")
    assert res.exit_code == 1 and "did you mean" not in res.stderr


def test_owner_narrows_the_archive_to_the_reps_deals(acme: World) -> None:
    a = acme.json("account", "Acme Pumps", "--owner", "bob")
    assert [d["id"] for d in a["deals"]] == ["a2"]


def test_text_and_markdown_show_the_archive(acme: World) -> None:
    res = acme.run("account", "Acme Pumps")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert out.startswith("Acme Pumps\n3 deals: 1 open, 1 won, 1 lost; reps ann, bob\n"
                          "won 60,000 EUR (1 deal) · open pipeline 100,000 EUR (1 deal, "
                          "weighted 50,000)\n")
    assert "Evaluation; next 2026-11-20 send the offer (overdue)" in out
    assert "lost 2026-09-01 (competitor to Grundfos)" in out
    assert "2026-11-10  a1 (ann) visit: meet the CFO\n" in out
    md = acme.run("account", "Acme Pumps", "--format", "md").stdout
    assert md.startswith("# Account: Acme Pumps\n")
    for heading in ("## Deals", "## Contacts", "## Last actions"):
        assert f"\n{heading}\n" in md
    assert "| Zhang Min | plant director, director | decides | supporter | 2026-11-10 | 111 " \
           "|  | a1, a2 |" in md


def test_markdown_escapes_what_the_data_holds(world: World) -> None:
    deal(world, "x1", "Evil | Co", extra="contacts:\n  - {name: '[click](http://x)'}\n")
    md = world.run("account", "Evil | Co", "--format", "md").stdout
    assert "# Account: Evil \\| Co" in md
    assert "| \\[click\\](http://x) |" in md


def test_matching_and_close_names() -> None:
    names = ["Acme Pumps", "ACME Pumps", "Hansa Cold Chain"]
    assert matching_accounts("Acme Pumps", names) == ["Acme Pumps"]
    assert matching_accounts(" acme   pumps ", names) == ["ACME Pumps", "Acme Pumps"]
    assert matching_accounts("Acme", names) == []
    assert close_accounts("hansa cold chian", names) == ["Hansa Cold Chain"]
    assert close_accounts("hansa", names) == ["Hansa Cold Chain"]  # a part of the name


# -- concentration --------------------------------------------------------------------


@pytest.fixture
def team(world: World) -> list:
    """ann: won 60,000 (X), open 100,000 (X); bob: won 30,000 (Y), open 20,000 (Z);
    cid: won 10,000 (Z), open 80,000 (Z)."""
    for id, owner, account, amount, won in [
            ("w1", "ann", "X", 60000, True), ("o1", "ann", "X", 100000, False),
            ("w2", "bob", "Y", 30000, True), ("o2", "bob", "Z", 20000, False),
            ("w3", "cid", "Z", 10000, True), ("o3", "cid", "Z", 80000, False)]:
        kw = {**WON, "extra": "outcome: {date: 2026-06-20}\n"} if won else {}
        deal(world, id, account, owner=owner, amount=amount, **kw)
    return world.loaded().deals


def test_concentration_names_whoever_holds_more_than_the_share(team: list) -> None:
    found = [(c.by, c.name, c.measure, c.amount, c.total) for c in concentration(team, 0.3)]
    assert found == [
        # won 100,000: ann 60% (bob's 30% is not more than 30%); account X 60%
        ("owner", "ann", "won", 60000, 100000), ("account", "X", "won", 60000, 100000),
        # open 200,000: ann 50%, cid 40%; accounts X and Z 50% each (Z: 20,000 + 80,000)
        ("owner", "ann", "open", 100000, 200000), ("owner", "cid", "open", 80000, 200000),
        ("account", "X", "open", 100000, 200000), ("account", "Z", "open", 100000, 200000)]
    assert concentration(team, 0.3)[0].message == \
        "rep ann holds 60% of the won revenue (60,000 of 100,000, 1 deal)"
    assert concentration(team, 0.6) == []  # nobody above 60%


def test_concentration_counts_the_revenue_won_since_a_day(team: list, world: World) -> None:
    deal(world, "w1", "X", owner="ann", amount=60000, stage="won", status="won",
         history=[("lead", "2025-01-01"), ("won", "2025-01-10")],
         extra="outcome: {date: 2025-01-10}\n")
    deals = world.loaded().deals
    won = [(c.by, c.name, round(c.share, 2)) for c in
           concentration(deals, 0.3, won_since=dt.date(2026, 1, 1)) if c.measure == "won"]
    # without ann's 2025 deal: 40,000 won, bob 75%, cid 25%
    assert won == [("owner", "bob", 0.75), ("account", "Y", 0.75)]


def test_one_rep_alone_is_no_concentration(team: list) -> None:
    anns = [d for d in team if d.owner == "ann"]  # one rep, one account
    assert concentration(anns, 0.3) == []
