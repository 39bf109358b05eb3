"""Gates read the whole deal: a signature holds the deal to the requirements of its
stage again; win records what was signed and when; a closed deal keeps no next
step and no snooze."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import World

NEGOTIATION = """\
milestones:
  need_identified: {date: 2026-11-02}
  budget_approved: {date: 2026-11-02, evidence: mail}
  solution_accepted: {date: 2026-11-03}
  terms_agreed: {date: 2026-11-10}
levels:
  need: {level: 3, date: 2026-11-02}
  power: {level: %d, date: 2026-11-02}
next: {date: 2026-11-30, step: sign}  # the CFO signs
snooze: {until: 2026-12-10, reason: holidays}
# kept by the rep
"""


def negotiating(world: World, power: int) -> None:
    world.deal("acme", stage="negotiation", amount=120000,
               history=[("lead", "2026-11-01"), ("nurture", "2026-11-02"),
                        ("evaluation", "2026-11-03"),
                        ("negotiation", "2026-11-04")], extra=NEGOTIATION % power)


def test_power_below_the_negotiation_minimum_refuses_the_signature(world: World) -> None:
    """Negotiation needs power 4; the level dropped to 2 after the deal entered."""
    negotiating(world, 2)
    before = world.read("deals/acme.yaml")
    res = world.run("win", "acme")
    assert res.exit_code == 1
    assert res.stderr == ("funnelctl: cannot sign acme: 1 missing\n"
                          "  - requirement power>=4: power is 2, negotiation needs 4\n")
    assert world.read("deals/acme.yaml") == before
    res = world.run("win", "acme", "--force", "--reason", "the owner signed himself")
    assert res.exit_code == 0, res.output
    history = world.json("show", "acme")["deal"]["history"]
    assert history[-1] == {"stage": "won", "date": "2026-11-24",
                           "reason": "the owner signed himself", "waived": ["power>=4"]}


def test_win_records_the_signed_amount_and_day_and_clears_next_and_snooze(world) -> None:
    negotiating(world, 4)
    res = world.run("win", "acme", "--amount", "115000", "--date", "2026-11-23")
    assert res.exit_code == 0, res.output
    text = world.read("deals/acme.yaml")
    assert "next:" not in text and "snooze:" not in text
    assert text.endswith("# kept by the rep\n")
    deal = world.json("show", "acme")["deal"]
    assert deal["outcome"] == {"date": "2026-11-23", "amount": 115000}
    assert deal["history"][-1] == {"stage": "won", "date": "2026-11-23"}
    # the views count what was signed, not the estimate
    row = next(r for r in world.json("list") if r["id"] == "acme")
    assert row["amount"] == 115000
    assert world.run("validate").exit_code == 0


@pytest.mark.parametrize("args,message", [
    (["--date", "2026-11-25"], "--date 2026-11-25 is in the future: record a signature "
                               "after it happened"),
    (["--date", "2026-11-03"], "is before the deal's last move (2026-11-04)"),
])
def test_win_dates_are_checked(world: World, args, message) -> None:
    negotiating(world, 4)
    res = world.run("win", "acme", *args)
    assert res.exit_code == 1
    assert message in res.stderr


def test_lose_clears_next_and_snooze(world: World) -> None:
    negotiating(world, 4)
    res = world.run("lose", "acme", "--reason", "no_decision", today=dt.date(2026, 11, 24))
    assert res.exit_code == 0, res.output
    text = world.read("deals/acme.yaml")
    assert "next:" not in text and "snooze:" not in text
    assert text.endswith("# kept by the rep\n")
