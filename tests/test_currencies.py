"""Money in more than one currency: every sum and average in the reporting currency,
each deal converted at the rate in force on the day its amount counts, and a deal
whose currency has no rate left out of money totals and named, never added as it is.

The world of most tests (today 2026-11-24): reporting currency EUR; USD 0.90 from
2026-01-01 and 0.95 from 2026-10-01; CNY 0.128 always; no rate for GBP.

    deal        owner  status  amount       rate of          rate    in EUR
    us-open     ann    open      1,000 USD  today            0.95       950
    cn-open     bob    open    100,000 CNY  today            0.128   12,800
    eu-open     bob    open      2,000 -    (no currency)    1        2,000
    gb-open     bob    open      5,000 GBP  -                none    left out
    us-won      ann    won       1,000 USD  2026-09-15       0.90       900
    eu-won      ann    won       3,000 EUR  2026-11-05       1        3,000
    us-won-nov  ann    won       2,000 USD  2026-11-20       0.95     1,900
    cn-won      bob    won      50,000 CNY  2026-11-10       0.128    6,400

Open deals are at lead (probability 0.1) and close on 2026-12-15; won deals were
created 2026-03-01.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from pathlib import Path

import pytest

from funnelctl.analysis.currency import amount_converted, converted, left_out
from funnelctl.model import validate_pipeline
from funnelctl.store import StoreError, cache, load_pipeline
from funnelctl.yamlio import load_fast

from .conftest import STAGES

RATES = """\
currencies:
  USD:
    - {from: 2026-01-01, rate: 0.9}
    - {from: 2026-10-01, rate: 0.95}
  CNY: 0.128
"""

# every milestone a deal passes on its way to won: no process rule broken
PASSED = """\
milestones:
  need_identified: {date: 2026-03-02}
  budget_approved: {date: 2026-03-03, evidence: purchase order}
  solution_accepted: {date: 2026-03-04}
  terms_agreed: {date: 2026-03-05}
"""


def open_deal(world, id: str, owner: str, amount: int, currency: str | None) -> None:
    world.deal(id, owner=owner, amount=amount,
               extra=(f"currency: {currency}\n" if currency else "") + "close: 2026-12-15\n")


def won_deal(world, id: str, owner: str, amount: int, currency: str, signed: str) -> None:
    world.deal(id, stage="won", status="won", owner=owner, amount=amount,
               history=[("lead", "2026-03-01"), ("won", signed)],
               extra=f"currency: {currency}\noutcome: {{date: {signed}}}\n" + PASSED)


@pytest.fixture
def three(world):
    """The world of the table above."""
    world.write("stages.yaml", STAGES + RATES)
    open_deal(world, "us-open", "ann", 1000, "USD")
    open_deal(world, "cn-open", "bob", 100000, "CNY")
    open_deal(world, "eu-open", "bob", 2000, None)
    open_deal(world, "gb-open", "bob", 5000, "GBP")
    won_deal(world, "us-won", "ann", 1000, "USD", "2026-09-15")
    won_deal(world, "eu-won", "ann", 3000, "EUR", "2026-11-05")
    won_deal(world, "us-won-nov", "ann", 2000, "USD", "2026-11-20")
    won_deal(world, "cn-won", "bob", 50000, "CNY", "2026-11-10")
    return world


NOTE = ("note: 1 deal left out of money totals, no rate for its currency: "
        "gb-open 5,000 GBP\n")


# -- the rates -------------------------------------------------------------------------


def test_the_rate_in_force_on_a_day(three) -> None:
    p = load_pipeline(three.root)
    d = dt.date
    assert p.rate("USD", d(2026, 11, 24)) == 0.95  # from 2026-10-01 on
    assert p.rate("USD", d(2026, 10, 1)) == 0.95  # its first day
    assert p.rate("USD", d(2026, 9, 30)) == 0.9
    assert p.rate("USD", d(2025, 12, 10)) == 0.9  # before the first date: the first rate
    assert p.rate("CNY", d(2020, 1, 1)) == 0.128
    assert p.rate("EUR", d(2026, 11, 24)) == 1.0
    assert p.rate(None, d(2026, 11, 24)) == 1.0  # a deal without a currency
    assert p.rate("GBP", d(2026, 11, 24)) is None
    # to the cent: 333.33 x 0.95 = 316.6635
    assert amount_converted(333.33, "USD", d(2026, 11, 24), p) == 316.66


def test_each_deal_is_converted_at_the_rate_of_its_day(three) -> None:
    loaded = three.loaded()
    p = loaded.pipeline
    today = dt.date(2026, 11, 24)
    got = {d.id: (d.amount, d.currency) for d in converted(loaded.deals, p, today).deals}
    assert got == {
        "us-open": (950.0, "EUR"),  # 1,000 x 0.95, today's rate
        "cn-open": (12800.0, "EUR"),  # 100,000 x 0.128
        "eu-open": (2000.0, None),  # no currency: the reporting one, as it is
        "gb-open": (0.0, "GBP"),  # no rate: 0 in every total, its currency kept
        "us-won": (900.0, "EUR"),  # signed 2026-09-15: 1,000 x 0.90, not today's 0.95
        "eu-won": (3000.0, "EUR"),
        "us-won-nov": (1900.0, "EUR"),  # signed 2026-11-20: 2,000 x 0.95
        "cn-won": (6400.0, "EUR"),  # 50,000 x 0.128
    }
    assert [d.id for d in converted(loaded.deals, p, today).left_out] == ["gb-open"]
    assert [d.id for d in left_out(loaded.deals, p)] == ["gb-open"]
    # a year earlier the open deals were worth less: 1,000 x 0.90 (won deals keep theirs)
    before = {d.id: d.amount for d in converted(loaded.deals, p, dt.date(2025, 11, 24)).deals}
    assert (before["us-open"], before["us-won"]) == (900.0, 900.0)


def test_one_currency_is_left_as_it_is(world) -> None:
    """The usual pipeline: nothing to convert, the very list comes back (no copy of
    100,000 summaries), and list looks as it always did."""
    world.deal("a", amount=10)
    world.deal("b", amount=20, extra="currency: EUR\n")
    loaded = world.loaded()
    priced = converted(loaded.deals, loaded.pipeline, dt.date(2026, 11, 24))
    assert priced.deals is loaded.deals and priced.left_out == []
    assert left_out(loaded.deals, loaded.pipeline) == []
    res = world.run("list")
    assert res.stdout.splitlines()[0].split() == [
        "id", "account", "title", "owner", "stage", "status", "amount"]
    assert res.stdout.endswith("2 deals, 30 EUR\n") and res.stderr == ""


# -- validate --------------------------------------------------------------------------


def test_a_currency_without_a_rate_is_a_problem_on_its_line(three) -> None:
    res = three.run("validate")
    assert res.exit_code == 1
    # deal_yaml writes 11 lines (id … history); the currency is the 12th
    assert res.stdout == ("deals/gb-open.yaml:12: currency GBP has no rate in stages.yaml\n"
                          "1 problem in 1 file (0 left out); 8 deals read\n")
    assert res.stderr == ""  # validate names the problem once, as a problem


# -- the views -------------------------------------------------------------------------


def test_funnel_adds_converted_amounts_and_names_what_it_left_out(three) -> None:
    res = three.run("funnel", "--json")
    lead = json.loads(res.stdout)["stages"][0]
    # open at lead: 950 + 12,800 + 2,000 + (gb-open left out) = 15,750 EUR, and
    # weighted at lead's 0.1: 1,575; added as written it was 108,000 and 10,800
    assert (lead["count"], lead["amount"], lead["weighted"]) == (4, 15750.0, 1575.0)
    assert res.stderr == NOTE
    # the note names only the deals of the reps in view
    assert three.run("funnel", "--owner", "ann").stderr == ""
    assert three.run("funnel", "--owner", "bob").stderr == NOTE
    assert three.run("funnel", "--team", "east").stderr == NOTE  # east: ann and bob


def test_list_shows_own_amounts_converted_ones_and_a_converted_total(three) -> None:
    res = three.run("list")
    # total: open 950 + 12,800 + 2,000 + won 900 + 3,000 + 1,900 + 6,400 = 27,950
    assert res.stdout == (
        "id          account       title         owner  stage  status       amount  converted\n"
        "us-open     A us-open     T us-open     ann    lead   open      1,000 USD        950\n"
        "cn-open     A cn-open     T cn-open     bob    lead   open    100,000 CNY     12,800\n"
        "eu-open     A eu-open     T eu-open     bob    lead   open          2,000\n"
        "gb-open !   A gb-open     T gb-open     bob    lead   open      5,000 GBP    no rate\n"
        "eu-won      A eu-won      T eu-won      ann    won    won           3,000\n"
        "us-won      A us-won      T us-won      ann    won    won       1,000 USD        900\n"
        "us-won-nov  A us-won-nov  T us-won-nov  ann    won    won       2,000 USD      1,900\n"
        "cn-won      A cn-won      T cn-won      bob    won    won      50,000 CNY      6,400\n"
        "8 deals, 27,950 EUR (1 left out of the total: no rate for its currency)"
        "  (! breaks a process rule: see funnelctl validate)\n")
    assert res.stderr == NOTE
    # ann alone: 950 + 900 + 3,000 + 1,900 = 6,750, nothing left out
    ann = three.run("list", "--owner", "ann")
    assert ann.stdout.endswith("4 deals, 6,750 EUR\n") and ann.stderr == ""


def test_list_json_carries_amount_currency_and_amount_converted(three) -> None:
    rows = {r["id"]: (r["amount"], r["currency"], r["amount_converted"])
            for r in three.json("list")}
    assert rows == {
        "us-open": (1000.0, "USD", 950.0),
        "cn-open": (100000.0, "CNY", 12800.0),
        "eu-open": (2000.0, "EUR", 2000.0),  # no currency in the file: the reporting one
        "gb-open": (5000.0, "GBP", None),  # no rate: no converted amount
        "us-won": (1000.0, "USD", 900.0),
        "eu-won": (3000.0, "EUR", 3000.0),
        "us-won-nov": (2000.0, "USD", 1900.0),
        "cn-won": (50000.0, "CNY", 6400.0),
    }


def test_show_gives_the_converted_amount_beside_the_deals_own(three) -> None:
    won = three.json("show", "us-won")
    assert (won["deal"]["amount"], won["deal"]["currency"]) == (1000, "USD")  # as stored
    der = won["derived"]
    # signed 2026-09-15: 1,000 x 0.90; won, so weighted at 100%
    assert (der["currency"], der["amount_converted"], der["weighted_amount"]) == (
        "USD", 900.0, 900.0)
    assert "amount 1,000 USD (900 EUR)" in three.run("show", "us-won").stdout
    opened = three.json("show", "us-open")["derived"]
    # open: today's 0.95, 950; at lead's 0.1, weighted 95
    assert (opened["amount_converted"], opened["weighted_amount"]) == (950.0, 95.0)
    text = three.run("show", "us-open").stdout
    assert "amount 1,000 USD (950 EUR)" in text and "weighted 95 EUR" in text
    gb = three.json("show", "gb-open")["derived"]
    assert (gb["currency"], gb["amount_converted"], gb["weighted_amount"]) == (
        "GBP", None, None)
    text = three.run("show", "gb-open").stdout
    assert "amount 5,000 GBP (no rate in stages.yaml)" in text
    assert "weighted unknown (no rate for GBP)" in text
    # the reporting currency is shown as it always was
    eu = three.run("show", "eu-won").stdout
    assert "amount 3,000 EUR   stage" in eu
    assert "weighted 3,000 " in eu and "EUR (" not in eu and "weighted 3,000 EUR" not in eu


def test_target_by_amount_uses_the_converted_average_won_deal(three) -> None:
    out = three.json("target", "--amount", "30500")
    # won: 900 + 3,000 + 1,900 + 6,400 = 12,200 over 4 deals: 3,050 a deal, so
    # 30,500 is 10 deals (as written, (1,000 + 3,000 + 2,000 + 50,000) / 4 = 14,000)
    assert (out["average_won"], out["target"]) == (3050.0, 10.0)


def test_forecast_expects_converted_amounts(three) -> None:
    out = three.json("forecast", "--period", "2026-12")
    lines = {o["owner"]: o for o in [*out["owners"], out["total"]]}
    # closing 2026-12-15 at lead (0.1): ann 950 x 0.1 = 95; bob (12,800 + 2,000 + 0)
    # x 0.1 = 1,480; best case: every open deal in full, 950 + 12,800 + 2,000 = 15,750
    assert lines["ann"]["expected_amount"] == 95.0
    assert lines["bob"]["expected_amount"] == 1480.0
    assert lines["total"]["expected_amount"] == 1575.0
    assert (lines["total"]["open_deals"], lines["total"]["best_case_amount"]) == (4, 15750.0)


def test_review_leaderboard_and_velocity_in_the_reporting_currency(three) -> None:
    out = three.json("review", "--period", "2026-11")
    # signed in 2026-11: bob cn-won 6,400; ann eu-won 3,000 + us-won-nov 1,900 = 4,900
    assert [(x["owner"], x["won_deals"], x["won_amount"]) for x in out["leaderboard"]] == [
        ("bob", 1, 6400.0), ("ann", 2, 4900.0)]
    fig = out["team"]["figures"]
    # average won 12,200 / 4 = 3,050; cycle (198 + 249 + 264 + 254) / 4 = 241.25 days
    # from 2026-03-01; velocity: 4 open x 3,050 x win rate 1.0 / 241.25 = 50.57 a day
    assert (fig["average_won"], fig["velocity_per_day"]) == (3050.0, 50.6)
    text = three.run("review", "--period", "2026-11")
    assert text.stderr == NOTE
    assert "1  bob         1       -   6,400" in text.stdout


# -- stages.yaml -----------------------------------------------------------------------


def broken(tmp_path: Path, rates: str) -> list[str]:
    (tmp_path / "stages.yaml").write_text(STAGES + rates, encoding="utf-8")
    with pytest.raises(StoreError) as exc:
        load_pipeline(tmp_path, use_cache=False)
    return [str(p) for p in exc.value.problems]


def test_broken_rates_are_refused_on_their_line(tmp_path: Path) -> None:
    first = len(STAGES.splitlines()) + 1  # the line of "currencies:"
    assert broken(tmp_path, "currencies:\n  EUR: 1\n") == [
        f"stages.yaml:{first + 1}: currency EUR is the reporting currency "
        f"(currency: EUR): it needs no rate"]
    assert broken(tmp_path, "currencies:\n  USD: 0\n") == [
        f"stages.yaml:{first + 1}: currency USD: a rate must be more than 0, not 0.0"]
    assert broken(tmp_path, "currencies:\n  USD:\n"
                            "    - {from: 2026-07-01, rate: 0.9}\n"
                            "    - {from: 2026-01-01, rate: 0.95}\n") == [
        f"stages.yaml:{first + 3}: currency USD: rates go in date order, 2026-01-01 is not "
        f"after 2026-07-01"]
    assert broken(tmp_path, "currencies:\n  USD: lots\n") == [
        f"stages.yaml:{first + 1}: currencies.USD.0.rate: Input should be a valid number, "
        f"unable to parse string as a number"]
    assert broken(tmp_path, "currencies:\n  USD: [{from: soon, rate: 0.9}]\n") == [
        f"stages.yaml:{first + 1}: currencies.USD.0.from: expected a date YYYY-MM-DD"]


def test_a_pipeline_with_rates_comes_back_from_the_cache_as_it_was(world) -> None:
    world.write("stages.yaml", STAGES + RATES)
    made = load_pipeline(world.root)  # validated, and written to the cache
    text = (world.root / "stages.yaml").read_bytes()
    kept = cache.load_pipeline(world.root, text)
    assert kept is not None and kept == made
    assert kept.rate("USD", dt.date(2026, 9, 15)) == 0.9


def test_the_schema_takes_a_plain_rate_or_a_dated_list(world) -> None:
    schema = json.loads(world.run("schema", "stages").stdout)
    rates = schema["properties"]["currencies"]["additionalProperties"]["anyOf"]
    assert rates[0] == {"type": "number"}
    assert rates[1]["items"] == {"$ref": "#/$defs/Rate"}
    assert set(schema["$defs"]["Rate"]["properties"]) == {"from", "rate"}


@pytest.mark.parametrize("template", ["en", "zh"])
def test_the_templates_example_is_commented_out_and_valid(template: str) -> None:
    text = (files("funnelctl") / "templates" / f"stages_{template}.yaml").read_text("utf-8")
    assert validate_pipeline(load_fast(text)).currencies == {}  # as before: no rates
    lines = text.splitlines()
    start = lines.index("# currencies:")
    example = [line[2:] for line in lines[start:start + 3]]  # "currencies:" and two rates
    p = validate_pipeline(load_fast(text + "\n".join(example) + "\n"))
    assert len(p.currencies) == 2 and all(p.currencies.values())


def test_a_won_deal_without_a_rate_is_left_out_of_the_average_too(three) -> None:
    won_deal(three, "gb-won", "ann", 10000, "GBP", "2026-11-12")
    # still 12,200 over the 4 won deals with a rate: 3,050 (not 12,200 / 5 = 2,440)
    assert three.json("target", "--amount", "30500")["average_won"] == 3050.0
    assert three.json("review", "--period", "2026-11")["team"]["figures"][
        "average_won"] == 3050.0
