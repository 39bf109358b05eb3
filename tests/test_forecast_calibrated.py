"""The calibrated forecast on a small hand-made pipeline: every rate, chance and range
below is worked out by hand in the comments (stages.yaml: prior_weight 2, so that
a handful of deals moves the rates; configured probabilities lead 0.1, nurture
0.2, evaluation 0.5, negotiation 0.8)."""

from __future__ import annotations

import pytest

from funnelctl.analysis.calibration import Query, as_of, calibrate
from funnelctl.analysis.forecast import count_pmf, count_range

from .conftest import STAGES, TODAY

SETTINGS = """\
forecast: {min_closed: 4, prior_weight: 2}
targets:
  - {owner: bob, period: 2026-11, deals: 3}
  - {owner: team, period: 2026-11, deals: 4, amount: 5000}
"""


def won(world, id, owner, moves, amount=1000, created=None):
    world.deal(id, owner=owner, stage="won", status="won", amount=amount, history=moves,
               created=created, extra=f"outcome: {{date: {moves[-1][1]}}}\n")


def lost(world, id, owner, moves, day):
    world.deal(id, owner=owner, stage=moves[-1][0], status="lost", history=moves,
               extra=f"outcome: {{date: {day}, reason: no_decision}}\n")


@pytest.fixture
def shop(world):
    """Six closed deals and three open ones; today 2026-11-24.

    stage days (stay at the stage; to signature from entering it):
      a1 ann won   lead 06-01 (10; 40) nurture 06-11 evaluation 06-21
                   negotiation 07-01 (10; 10) won 07-11
      a2 ann lost  lead 06-01 (20) negotiation 06-21 (10), lost 07-01
      b1 bob won   negotiation 08-01 (20; 20) won 08-21
      b2 bob lost  lead 08-01 (10), lost 08-11
      b3 bob won   lead 09-01 (10; 30) negotiation 09-11 (20; 20) won 10-01
      b4 bob won   negotiation 10-20 (16; 16) won 11-05, 500: signed this period
    """
    (world.root / "stages.yaml").write_text(STAGES + SETTINGS, encoding="utf-8")
    won(world, "a1", "ann", [("lead", "2026-06-01"), ("nurture", "2026-06-11"),
                             ("evaluation", "2026-06-21"), ("negotiation", "2026-07-01"),
                             ("won", "2026-07-11")])
    lost(world, "a2", "ann", [("lead", "2026-06-01"), ("negotiation", "2026-06-21")],
         "2026-07-01")
    won(world, "b1", "bob", [("negotiation", "2026-08-01"), ("won", "2026-08-21")])
    lost(world, "b2", "bob", [("lead", "2026-08-01")], "2026-08-11")
    won(world, "b3", "bob", [("lead", "2026-09-01"), ("negotiation", "2026-09-11"),
                             ("won", "2026-10-01")])
    won(world, "b4", "bob", [("negotiation", "2026-10-20"), ("won", "2026-11-05")], amount=500)
    # open: ann's o1 at negotiation since 11-20, due 11-28; bob's o2 at negotiation
    # since 11-08 with no date; ann's o3 at lead since 11-01 with no date
    world.deal("o1", owner="ann", stage="negotiation", amount=1000,
               history=[("negotiation", "2026-11-20")], extra="close: 2026-11-28\n")
    world.deal("o2", owner="bob", stage="negotiation", amount=2000,
               history=[("negotiation", "2026-11-08")])
    world.deal("o3", owner="ann", stage="lead", amount=400, history=[("lead", "2026-11-01")])
    return world


def test_stage_rates_shrink_the_rep_toward_the_team_and_the_team_toward_configured(shop):
    loaded = shop.loaded()
    c = calibrate(loaded.deals, loaded.pipeline, TODAY)
    neg = c.stages[3]
    # negotiation: a1 b1 b3 b4 won, a2 lost: 4 of 5; team (4 + 2 x 0.8) / (5 + 2) = 0.8
    assert (neg.closed, neg.won, neg.rate) == (5, 4, pytest.approx(0.8))
    # ann 1 of 2: (1 + 2 x 0.8) / (2 + 2) = 0.65; bob 3 of 3: (3 + 1.6) / 5 = 0.92
    assert c.rep_rate("ann", 3) == pytest.approx(0.65)
    assert c.rep_rate("bob", 3) == pytest.approx(0.92)
    assert c.rep_rate("zoe", 3) == pytest.approx(0.8)  # no closed deal: the team's
    # lead: a1 b3 won, a2 b2 lost: (2 + 2 x 0.1) / (4 + 2) = 0.3667; ann 1 of 2:
    # (1 + 2 x 0.3667) / 4 = 0.4333
    assert c.stages[0].rate == pytest.approx(2.2 / 6)
    assert c.rep_rate("ann", 0) == pytest.approx((1 + 2 * 2.2 / 6) / 4)
    # nurture and evaluation: a1 alone, won: (1 + 0.4) / 3 and (1 + 1.0) / 3
    assert c.stages[1].rate == pytest.approx(1.4 / 3)
    assert c.stages[2].rate == pytest.approx(2.0 / 3)
    # stays at negotiation, longest first: won (stay, days to signature), lost stays
    assert neg.won_stays == [(20, 20), (20, 20), (16, 16), (10, 10)]
    assert neg.lost_stays == [10]
    # creation to signature of the won deals: 16 (b4), 20 (b1), 30 (b3), 40 (a1)
    assert c.cycle_days == [16, 20, 30, 40]


def test_a_deal_that_has_waited_is_judged_by_the_deals_that_stayed_as_long(shop):
    loaded = shop.loaded()
    c = calibrate(loaded.deals, loaded.pipeline, TODAY)
    # bob's deal 15 days at negotiation: won deals that stayed longer: b1, b3 (20), b4
    # (16): 3 of 4; lost: none of 1 (a2 stayed 10). Smoothed by 2 deals at 0.8:
    #   won (3 + 1.6) / (4 + 1.6) = 23/28, lost (0 + 0.4) / (1 + 0.4) = 2/7
    #   bob 0.92: 0.92 x 23/28 / (0.92 x 23/28 + 0.08 x 2/7) = 529/545 = 0.9706
    # window 16..22 days after entering (11-24 .. 11-30): all 3 signed at 16, 20, 20
    [(win, share)] = c.judge(3, [Query("bob", 15, 16, 22)])
    assert win == pytest.approx(529 / 545)
    assert share == 1.0
    # ann's deal 3 days in, due on day 8 (11-28): every closed deal stayed longer, so
    # her 0.65 stands; the spread starts at the close date: of the won deals signed on
    # day 8 or later (10, 16, 20, 20), one falls by day 10 (11-30): 1/4
    [(win, share)] = c.judge(3, [Query("ann", 3, 4, 10, close=8)])
    assert (win, share) == (pytest.approx(0.65), 0.25)
    # ann's lead deal 22 days in: no deal stayed at lead that long (a2 20 at most):
    #   won (0 + 2 x 0.3667) / (2 + 0.7333), lost (0 + 2 x 0.6333) / (2 + 1.2667)
    # and no won deal to spread by: nothing in the window
    p_team = 2.2 / 6
    p_ann = (1 + 2 * p_team) / 4
    sw = 2 * p_team / (2 + 2 * p_team)
    sl = 2 * (1 - p_team) / (2 + 2 * (1 - p_team))
    [(win, share)] = c.judge(0, [Query("ann", 22, 23, 29)])
    assert win == pytest.approx(p_ann * sw / (p_ann * sw + (1 - p_ann) * sl))
    assert share == 0.0


def test_the_forecast_per_rep_and_team_with_range_commit_best_case_and_target(shop):
    out = shop.json("forecast")
    assert out["period"] == "2026-11" and out["rates"] == "history"
    assert out["rates_why"] == "6 closed deals, at least the 4 of forecast.min_closed"
    lines = {x["owner"]: x for x in [*out["owners"], out["total"]]}
    # ann: o1 0.65 x 1/4 = 0.1625 (1000); o3 0 (kept off the open count)
    # bob: b4 signed (500) + o2 529/545 x 2000 = 0.9706 / 1941.28
    o2 = 529 / 545
    assert lines["ann"]["expected_deals"] == 0.16
    assert lines["ann"]["expected_amount"] == 162.5
    assert lines["bob"]["expected_deals"] == pytest.approx(1 + o2, abs=0.005)
    assert lines["bob"]["expected_amount"] == pytest.approx(500 + 2000 * o2, abs=0.005)
    t = lines["total"]
    assert t["expected_deals"] == pytest.approx(1.1625 + o2, abs=0.005)
    assert (t["won_deals"], t["won_amount"], t["open_deals"]) == (1, 500, 2)
    # deals created from 11-25 on cannot be signed by 11-30: the quickest took 16 days
    assert t["new_deals"] == 0
    # count: P(0) = 0.8375 x 0.0294 = 0.025, P(1) = 0.818, P(2) = 0.158: the 10th and
    # 90th percentile are 1 and 2 open deals, plus the one signed: 2 to 3
    assert (t["low_deals"], t["high_deals"]) == (2, 3)
    assert (lines["ann"]["low_deals"], lines["ann"]["high_deals"]) == (0, 1)  # P(0) 0.84
    assert (lines["bob"]["low_deals"], lines["bob"]["high_deals"]) == (2, 2)  # P(0) 0.03
    # amount: variance 0.1625 x 0.8375 x 1000^2 + 0.9706 x 0.0294 x 2000^2; the
    # normal 10th and 90th percentile are 1.2816 standard deviations off the mean
    sd = (0.1625 * 0.8375 * 1e6 + o2 * (1 - o2) * 4e6) ** 0.5
    mean = 162.5 + 500 + 2000 * o2
    assert t["low_amount"] == pytest.approx(mean - 1.2816 * sd, abs=0.5)
    assert t["high_amount"] == pytest.approx(mean + 1.2816 * sd, abs=0.5)
    # commit: signed + o1 (negotiation, due 11-28) = 2 deals, 1,500; best case: every
    # deal with a chance or a date in the period: + o2 = 3,500
    assert (t["commit_deals"], t["commit_amount"]) == (2, 1500)
    assert (t["best_case_deals"], t["best_case_amount"]) == (3, 3500)
    assert (lines["bob"]["target_deals"], t["target_deals"], t["target_amount"]) == (3, 4, 5000)
    assert lines["ann"]["target_deals"] is None
    # the rates beside the configured probability
    neg = out["calibration"]["stages"][3]
    assert (neg["configured"], neg["closed"], neg["won"], neg["observed"], neg["rate"]) == \
        (0.8, 5, 4, 0.8, 0.8)
    assert neg["reps"]["bob"] == {"closed": 3, "won": 3, "rate": 0.92}


def test_configured_rates_count_the_close_date_only(shop):
    out = shop.json("forecast", "--rates", "config")
    assert out["rates"] == "config" and out["rates_why"].startswith("asked for with --rates")
    # o1 due in the period at negotiation: 0.8; o2 and o3 have no date: nothing
    assert out["total"]["expected_deals"] == 1.8
    assert out["total"]["expected_amount"] == 500 + 800


def test_too_few_closed_deals_fall_back_to_the_configured_rates(shop):
    text = (shop.root / "stages.yaml").read_text(encoding="utf-8")
    (shop.root / "stages.yaml").write_text(text.replace("min_closed: 4", "min_closed: 7"),
                                           encoding="utf-8")
    out = shop.json("forecast")
    assert out["rates"] == "config"
    assert out["rates_why"] == "only 6 closed deals, fewer than the 7 of forecast.min_closed"
    res = shop.run("forecast")
    assert "rates: config, only 6 closed deals, fewer than the 7 of forecast.min_closed" \
        in res.stdout


def test_the_text_and_markdown_views_say_which_rates_and_how(shop):
    text = shop.run("forecast").stdout
    assert "rates: history, 6 closed deals, at least the 4 of forecast.min_closed" in text
    assert "amount by the normal approximation" in text
    assert "as if 2 more deals had closed at it" in text
    neg = next(line for line in text.splitlines() if line.startswith("Negotiation"))
    # days to sign: the median of 10, 16, 20, 20
    assert neg.split() == ["Negotiation", "80%", "5", "4", "80%", "80%", "65%-92%", "18"]
    md = shop.run("forecast", "--format", "md")
    assert md.exit_code == 0
    assert md.stdout.startswith("# Forecast 2026-11\n")
    assert "| total | 1 / 500 | 2 | 2.1 | 2-3 |" in md.stdout
    assert "## Win rates" in md.stdout


def test_the_count_range_is_exact(shop) -> None:
    # two deals at 0.5: 0, 1, 2 with 1/4, 1/2, 1/4; a third at 1.0 shifts it by one
    assert count_pmf([0.5, 0.5]) == [0.25, 0.5, 0.25]
    assert count_pmf([0.5, 0.5, 1.0]) == [0.0, 0.25, 0.5, 0.25]
    assert count_range([0.5, 0.5]) == (0, 2)
    # ten deals at 0.1: P(0) = 0.9^10 = 0.349 (>= 0.1), P(<=1) = 0.736, P(<=2) = 0.930
    assert count_range([0.1] * 10) == (0, 2)
    # a Poisson of mean 1 alone: P(0) = 0.368, P(<=1) = 0.736, P(<=2) = 0.920
    assert count_range([], 1.0) == (0, 2)
    assert sum(count_pmf([0.3] * 40, 2.5)) == pytest.approx(1.0)


def test_a_deal_as_of_a_past_day_has_its_history_then(shop):
    loaded = shop.loaded()
    import datetime as dt

    then = {d.id: d for d in as_of(loaded.deals, loaded.pipeline, dt.date(2026, 9, 30))}
    # b3 signed on 10-01: open at negotiation on 09-30; b4 and the open ones not in yet
    b3 = then["b3"]
    assert (b3.status, b3.stage, b3.outcome_date) == ("open", "negotiation", None)
    assert [m[0] for m in b3.history] == ["lead", "negotiation"]
    assert "b4" not in then and "o1" not in then
    assert then["a1"] is next(d for d in loaded.deals if d.id == "a1")  # closed before


def test_the_win_counts_funnel_and_review_can_show(shop):
    from funnelctl.analysis.calibration import stage_win_counts

    loaded = shop.loaded()
    # lead a1 b3 won of a1 a2 b2 b3; nurture and evaluation a1; negotiation 4 of 5
    assert stage_win_counts(loaded.deals, loaded.pipeline) == [(4, 2), (1, 1), (1, 1), (5, 4)]


@pytest.mark.parametrize("template", ["stages_en.yaml", "stages_zh.yaml"])
def test_the_templates_example_of_the_forecast_settings_is_valid(template) -> None:
    """Uncommented, the templates' example is the default settings."""
    import yaml
    from pydantic import TypeAdapter

    from funnelctl.pipeline import ForecastSettings

    from .conftest import REPO

    lines = (REPO / "funnelctl" / "templates" / template).read_text(encoding="utf-8")
    lines = lines.splitlines()
    start = lines.index("# forecast:")
    block = [line[2:] for line in lines[start:start + 3]]
    data = yaml.safe_load("\n".join(block))["forecast"]
    assert TypeAdapter(ForecastSettings).validate_python(data) == ForecastSettings()
    assert ForecastSettings() == ForecastSettings(min_closed=30, prior_weight=10)


def test_target_takes_format_md(shop):
    out = shop.run("target", "10", "--format", "md").stdout
    # 10 / 0.8 = 12.5 at negotiation (o1, o2 held), / 0.625 = 20, / 0.4 = 50, / 0.5 = 100
    assert out.startswith("## To sign 10 in 2026-11 (the team)\n\n| stage | ratio |")
    assert "| Negotiation | 0.8 | 12.5 | 13 | 2 | +10.5 |" in out
    assert "| Lead | 0.5 | 100.0 | 100 | 1 | +99.0 |" in out
    assert "- **blocked at Negotiation**: 10.5 deals short (need 12.5, hold 2)" in out
    progress = shop.run("target", "--format", "md").stdout
    # bob signed b4 of his 3; 24 of 30 days gone: 2.4 due by now
    assert progress.startswith("# Targets 2026-11\n")
    assert "## bob 2026-11\n\n- 80% of the period gone\n- signed 1 of 3 (2.4 due by now): " \
        "behind\n" in progress
    assert "## team 2026-11" in progress
