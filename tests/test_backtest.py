"""The backtest replays each month start from the deals as they were then: read from
git history where the pipeline is in git, cut at the month start otherwise; and
nothing that happened after a month start changes that month's forecast."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl.cli.app import app

from .conftest import STAGES, deal_yaml

SETTINGS = "forecast: {min_closed: 1, prior_weight: 2}\n"
FORECAST_FIELDS = ("month", "forecast_deals", "forecast_amount", "source")


class Repo:
    """A pipeline (in ``sub`` of the repository when given) with dated commits."""

    def __init__(self, top: Path, sub: str = ""):
        self.top = top
        self.root = top / sub if sub else top
        (self.root / "deals").mkdir(parents=True)
        (self.root / "stages.yaml").write_text(STAGES + SETTINGS, encoding="utf-8")
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=top, check=True)

    def deal(self, id: str, **kw) -> None:
        extra = kw.pop("extra", "")
        (self.root / "deals" / f"{id}.yaml").write_text(
            deal_yaml(id, extra=textwrap.dedent(extra), **kw), encoding="utf-8")

    def commit(self, day: str) -> None:
        stamp = f"{day}T12:00:00+00:00"
        env = {**os.environ, "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com",
               "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com",
               "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        for args in (["add", "-A"], ["commit", "-q", "-m", f"work of {day}"]):
            subprocess.run(["git", *args], cwd=self.top, env=env, check=True,
                           capture_output=True)

    def run(self, *args: str):
        return CliRunner().invoke(app, ["--dir", str(self.root), "--today", "2026-11-24",
                                        *args], catch_exceptions=False)

    def json(self, *args: str) -> dict:
        import json

        res = self.run(*args, "--json")
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    for var in ("FUNNELCTL_DIR", "FUNNELCTL_TODAY", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(var, raising=False)


NEG = [("negotiation", "2026-08-10")]


def story(r: Repo) -> None:
    """z signed 08-20 (at negotiation from 08-01); x at negotiation from 08-10, due
    10-20; y and l come in on 09-10 and 09-05; l is lost 10-05, y signed 10-12; on
    10-15 x's close date moves to 12-15 and its amount to 5,000."""
    r.deal("z", owner="ann", stage="won", status="won", amount=1000,
           history=[("negotiation", "2026-08-01"), ("won", "2026-08-20")],
           extra="outcome: {date: 2026-08-20}\n")
    r.deal("x", owner="ann", stage="negotiation", amount=1000, history=NEG,
           extra="close: 2026-10-20\n")
    r.commit("2026-08-20")
    r.deal("y", owner="bob", stage="negotiation", amount=2000,
           history=[("negotiation", "2026-09-10")], extra="close: 2026-10-10\n")
    r.deal("l", owner="bob", stage="negotiation", amount=3000,
           history=[("negotiation", "2026-09-05")], extra="close: 2026-11-30\n")
    r.commit("2026-09-10")
    r.deal("l", owner="bob", stage="negotiation", status="lost", amount=3000,
           history=[("negotiation", "2026-09-05")],
           extra="close: 2026-10-05\noutcome: {date: 2026-10-05, reason: no_decision}\n")
    r.commit("2026-10-05")
    r.deal("y", owner="bob", stage="won", status="won", amount=2000,
           history=[("negotiation", "2026-09-10"), ("won", "2026-10-12")],
           extra="close: 2026-10-12\noutcome: {date: 2026-10-12}\n")
    r.commit("2026-10-12")
    r.deal("x", owner="ann", stage="negotiation", amount=5000, history=NEG,
           extra="close: 2026-12-15\n")
    r.commit("2026-10-15")


def forecast_part(out: dict) -> list[dict]:
    """What each replayed month forecast, with both rates (not what was signed)."""
    return [{**{k: row[k] for k in FORECAST_FIELDS},
             **{f"{rates}_{k}": row[rates][k] for rates in ("history", "config")
                for k in ("deals", "amount")}} for row in out["backtest"]]


def test_october_is_replayed_from_the_files_as_they_were_on_the_last_commit_before(
        tmp_path: Path, git_env: None) -> None:
    r = Repo(tmp_path / "top", sub="sales")  # the pipeline below the top of the repository
    story(r)
    out = r.json("forecast", "--backtest", "--months", "2")
    sep, oct_ = out["backtest"]
    assert sep["source"].startswith("git ") and sep["source"].endswith(" 2026-08-20")
    assert oct_["source"].endswith(" 2026-09-10")
    # configured rates on 10-01, as the commit of 09-10 had it: x (due 10-20, not
    # 12-15 as today) and y (due 10-10) at negotiation, 0.8 each: 1.6 deals, 2,400;
    # l is due 11-30. Signed in October: y, 2,000. Accuracy 1 - 0.6 / 1 = 40%
    assert oct_["config"] == {"deals": 1.6, "amount": 2400.0, "accuracy": 0.4,
                              "amount_accuracy": 0.8}
    assert (oct_["actual_deals"], oct_["actual_amount"]) == (1, 2000)
    # observed rates on 10-01 (known to 09-10: z the one closed deal, 19 days at
    # negotiation): team (1 + 2 x 0.8) / 3 = 0.8667, ann (1 + 2 x 0.8667) / 3 = 0.9111.
    # x, 31 days in: no closed deal stayed as long: won (0 + 1.7333) / (1 + 1.7333) =
    #   0.6341, lost (0 + 0.2667) / (0 + 0.2667) = 1: 0.9111 x 0.6341 / (0.9111 x
    #   0.6341 + 0.0889) = 0.8667, and no won deal to spread by past its date: in
    #   October, where its close date then was
    # y, 0 days in: bob's rate is the team's 0.8667; spread from its close date 10-10
    #   (day 30), later than z's 19 days: in October
    # deals not yet in: 1 win in the 41 days known (08-01 .. 09-10) at 19 days from
    #   creation: created 09-12 .. 10-12 (31 days) it signs in October: 31 / 41
    expected = 0.8667 + 0.8667 + 31 / 41
    assert oct_["history"]["deals"] == pytest.approx(expected, abs=0.01)
    assert oct_["rates"] == "history" and oct_["forecast_deals"] == oct_["history"]["deals"]
    # September (known to 08-20): x is due in October, nothing signed: no accuracy
    assert sep["config"]["deals"] == 0 and sep["accuracy"] is None


def test_nothing_after_a_month_start_changes_that_months_forecast(tmp_path: Path,
                                                                  git_env: None) -> None:
    """Every change of a later commit: x moves back a stage and changes its amount
    and close date again, l (lost 10-05, after the October start) is rewritten as
    won, and z, closed before, gets another amount. The replayed forecasts stay;
    what was signed, read from today's files, moves (l now signed in October)."""
    r = Repo(tmp_path / "sales")
    story(r)
    before = r.json("forecast", "--backtest", "--months", "2")
    r.deal("x", owner="ann", stage="evaluation", amount=9000,
           history=[*NEG, ("evaluation", "2026-11-20")], extra="close: 2027-01-31\n")
    r.deal("l", owner="bob", stage="won", status="won", amount=3000,
           history=[("negotiation", "2026-09-05"), ("won", "2026-10-05")],
           extra="close: 2026-10-05\noutcome: {date: 2026-10-05}\n")
    r.deal("z", owner="ann", stage="won", status="won", amount=1500,
           history=[("negotiation", "2026-08-01"), ("won", "2026-08-20")],
           extra="outcome: {date: 2026-08-20}\n")
    r.commit("2026-11-20")
    after = r.json("forecast", "--backtest", "--months", "2")
    assert forecast_part(after) == forecast_part(before)
    assert before["backtest"][1]["actual_deals"] == 1
    assert after["backtest"][1]["actual_deals"] == 2  # today's files: l signed 10-05
    # today's rates did see the changes: negotiation won 2 of 3, now 3 of 3
    neg = [x["calibration"]["stages"][3] for x in (before, after)]
    assert [(n["closed"], n["won"]) for n in neg] == [(3, 2), (3, 3)]


def test_a_backtest_reads_git_with_one_log_and_one_cat_file(tmp_path: Path, git_env: None,
                                                            monkeypatch) -> None:
    from funnelctl.gitio import run

    r = Repo(tmp_path / "sales")
    story(r)
    calls: list[tuple[str, ...]] = []
    real = run.git

    def counted(cwd, *args, **kw):
        calls.append(args)
        return real(cwd, *args, **kw)

    monkeypatch.setattr(run, "git", counted)
    assert r.run("--no-cache", "forecast", "--backtest", "--months", "6").exit_code == 0
    assert sum("log" in a for a in calls) == 1
    assert sum("cat-file" in a for a in calls) == 1
    assert len(calls) == 3  # and the one that finds the repository


def test_without_git_the_replay_cuts_histories_and_says_it_uses_todays_dates(
        tmp_path: Path, git_env: None) -> None:
    r = Repo(tmp_path / "sales")
    story(r)
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(r.root / "stages.yaml", copy)
    shutil.copytree(r.root / "deals", copy / "deals")
    res = CliRunner().invoke(app, ["--dir", str(copy), "--today", "2026-11-24", "forecast",
                                   "--backtest", "--months", "2"], catch_exceptions=False)
    assert res.exit_code == 0
    assert res.stderr.count("\n") == 1
    assert ("note: 2026-09 .. 2026-10 replayed from today's files (not in git): stage "
            "histories cut at each month start, but today's close dates and amounts"
            ) in res.stderr
    out = CliRunner().invoke(app, ["--dir", str(copy), "--today", "2026-11-24", "forecast",
                                   "--backtest", "--months", "2", "--json"])
    import json

    oct_ = json.loads(out.stdout)["backtest"][1]
    # today's files: x is due 12-15 (in git it was due 10-20 on 10-01), and l's close
    # date is the day it was lost, 10-05: y and l at 0.8 in October, 0.8 x (2,000 +
    # 3,000) = 4,000, where git's files gave x and y, 2,400
    assert oct_["source"] == "files" and oct_["config"]["amount"] == 4000


def test_without_git_a_deal_closed_after_the_month_start_is_open_then(world) -> None:
    """Cut at the month start, l lost on 10-05 is the same open deal on 10-01 as one
    still open today: its loss feeds neither October's rates nor its forecast."""
    (world.root / "stages.yaml").write_text(STAGES + SETTINGS, encoding="utf-8")
    world.deal("z", owner="ann", stage="won", status="won", amount=1000,
               history=[("negotiation", "2026-08-01"), ("won", "2026-08-20")],
               extra="outcome: {date: 2026-08-20}\n")
    world.deal("y", owner="bob", stage="negotiation", amount=2000,
               history=[("negotiation", "2026-09-10")], extra="close: 2026-10-10\n")
    world.deal("l", owner="bob", stage="negotiation", amount=3000,
               history=[("negotiation", "2026-09-05")], extra="close: 2026-10-20\n")
    still_open = world.json("forecast", "--backtest", "--months", "2")
    world.deal("l", owner="bob", stage="negotiation", status="lost", amount=3000,
               history=[("negotiation", "2026-09-05")],
               extra="close: 2026-10-20\noutcome: {date: 2026-10-05, reason: no_decision}\n")
    lost = world.json("forecast", "--backtest", "--months", "2")
    assert forecast_part(lost) == forecast_part(still_open)
    # today it is closed, and today's rates count it
    assert still_open["calibration"]["closed"] == 1 and lost["calibration"]["closed"] == 2


def test_the_backtest_text_and_markdown(tmp_path: Path, git_env: None) -> None:
    r = Repo(tmp_path / "sales")
    story(r)
    text = r.run("forecast", "--backtest", "--months", "2").stdout
    assert "Backtest (history rates)" in text
    assert "config rates: mean accuracy 40% on the count of deals signed, 80% on the amount" \
        in text
    assert "accuracy = 100% minus |forecast - signed| / signed (0% at worst)" in text
    assert "Calibration: the deals open at each month start" in text
    md = r.run("forecast", "--backtest", "--months", "2", "--format", "md").stdout
    assert "## Backtest (history rates)" in md and "### Calibration" in md
    assert "| 2026-10 |" in md


def test_the_parsed_blobs_cache_never_changes_an_answer(tmp_path: Path, git_env: None,
                                                        monkeypatch) -> None:
    from funnelctl.gitio import run
    from funnelctl.store.root import CACHE_DIR

    r = Repo(tmp_path / "sales")
    story(r)
    args = ("forecast", "--backtest", "--months", "3")
    cold = r.json("--no-cache", *args)
    filled = r.json(*args)
    calls: list[tuple[str, ...]] = []
    real = run.git

    def counted(cwd, *a, **kw):
        calls.append(a)
        return real(cwd, *a, **kw)

    monkeypatch.setattr(run, "git", counted)
    warm = r.json(*args)
    assert cold == filled == warm
    assert not any("cat-file" in a for a in calls)  # every blob came from the cache
    (r.root / CACHE_DIR / "asof.msgpack").write_bytes(b"not msgpack")
    assert r.json(*args) == cold
