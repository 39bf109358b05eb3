"""`funnelctl report --html` in a real browser: Chromium and chromedriver from the
system packages (.ci/run installs them), driven by Selenium, started once for the
module. The page must render without an error in the console, fetch nothing, run
no script, fit a phone's width, and show the numbers `review --json` gives for the
same pipeline; the trend's numbers come from git history, worked out by hand."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import World, copy_sample

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM or not DRIVER:
        pytest.skip("needs Chromium and its driver from the system packages: "
                    "apt-get install chromium chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--window-size=1200,900", "--hide-scrollbars"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SE_OFFLINE", "true")  # the system's driver, never one downloaded
        driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's sample pipeline, shared by the tests that only read
    it, and its page (sample/review.html, no trend)."""
    root = copy_sample(tmp_path_factory.mktemp("report") / "sample")
    with pytest.MonkeyPatch.context() as mp:
        for var in ("FUNNELCTL_DIR", "FUNNELCTL_TODAY"):
            mp.delenv(var, raising=False)
        said = report(root, root / "review.html", "--weeks", "0")
    assert said == f"wrote {root / 'review.html'}: 4 reps\n"
    return root


# Everything the tests read off the page, in one round trip: the data- attributes
# (which carry review --json's values) and the text a reader sees beside them
READ_PAGE = """
const rows = (root, sel) => [...root.querySelectorAll(sel)].map(e => ({...e.dataset}));
const text = (root, sel) => { const e = root.querySelector(sel); return e && e.textContent; };
return {
  sections: [...document.querySelectorAll('section.review')].map(s => ({
    owner: s.dataset.owner,
    funnel: [...s.querySelectorAll('table.funnel tbody tr')].map(tr => ({...tr.dataset,
      countText: text(tr, '.count'), benchmarkText: text(tr, '.benchmark')})),
    bars: rows(s, '.funnel-chart .bar-row').map(r => r.stage),
    diagnosis: rows(s, '.diagnosis li').map(d => d.kind),
    figures: Object.fromEntries([...s.querySelectorAll('.figures [data-figure]')].map(
      d => [d.dataset.figure, [d.dataset.value ?? null, text(d, 'dd')]])),
    targets: [...s.querySelectorAll('.target')].map(t => ({...t.dataset,
      plan: rows(t, 'table.plan tbody tr')})),
    warnings: rows(s, 'table.warnings tbody tr'),
    warned: {...s.querySelector('.warned').dataset},
    questions: rows(s, '.questions li'),
    moves: rows(s, '.moves li'),
  })),
  leaders: [...document.querySelectorAll('table.leaders tbody tr')].map(tr => ({
    ...tr.dataset, wonText: text(tr, '.won-deals')})),
  trend: [...document.querySelectorAll('table.trend-table tbody tr')].map(tr => ({
    ...tr.dataset, stages: [...tr.querySelectorAll('td[data-stage]')].map(
      td => Number(td.textContent))})),
  trendNotes: [...document.querySelectorAll('#trend .note')].map(p => p.textContent),
  scripts: document.scripts.length,
  images: document.images.length,
  fetched: performance.getEntriesByType('resource').map(r => r.name),
  title: document.title,
};
"""


def open_page(browser, path: Path, width: int = 1200) -> dict:
    """The page loaded at this window width, read; no error in the console."""
    browser.set_window_size(width, 900)
    browser.get(path.as_uri())
    page = browser.execute_script(READ_PAGE)
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == [], errors
    assert page["scripts"] == 0 and page["fetched"] == []
    return page


def report(world_root: Path, out: Path, *args: str, env: dict | None = None) -> str:
    from typer.testing import CliRunner

    from funnelctl.cli.app import app

    res = CliRunner().invoke(app, ["--dir", str(world_root), "--today", "2026-11-24",
                                   "report", "--html", str(out), *args],
                             env=env, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


def review_json(root: Path, *args: str) -> dict:
    from typer.testing import CliRunner

    from funnelctl.cli.app import app

    res = CliRunner().invoke(app, ["--dir", str(root), "--today", "2026-11-24", "review",
                                   "--json", *args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _num(v: str | None) -> float | None:
    return None if v is None else float(v)


def check_section(sec: dict, rep: dict, whole: bool) -> None:
    """A section of the page against review --json's section of the same deals;
    ``whole``: a rep's, which lists every warning, question and (20) moves."""
    stages = rep["funnel"]["stages"]
    assert [r["stage"] for r in sec["funnel"]] == [s["stage"] for s in stages]
    assert sec["bars"] == [s["stage"] for s in stages]
    for row, s in zip(sec["funnel"], stages, strict=True):
        assert int(row["count"]) == s["count"] and row["countText"] == str(s["count"])
        assert float(row["benchmark"]) == s["benchmark"]
        assert row["benchmarkText"] == f"{s['benchmark']:.1f}"
        assert float(row["amount"]) == s["amount"]
        assert float(row["weighted"]) == s["weighted"]
        assert _num(row.get("observed")) == s["observed_conversion"]
    assert sec["diagnosis"] == [d["kind"] for d in rep["funnel"]["diagnosis"]]
    f = rep["figures"]
    for key in ("deals", "open", "won", "lost"):
        assert sec["figures"][key] == [str(f[key]), str(f[key])], key
    for key in ("win_rate", "cycle_days", "actions_per_won", "average_won",
                "velocity_per_day"):
        assert _num(sec["figures"][key][0]) == f[key], key
    if f["win_rate"] is not None:  # shown to the percent, the JSON to the tenth of one
        assert abs(float(sec["figures"]["win_rate"][1].rstrip("%")) - 100 * f["win_rate"]) \
            <= 0.5 + 0.05
    assert len(sec["targets"]) == len(rep["targets"])
    for page_t, t in zip(sec["targets"], rep["targets"], strict=True):
        assert (page_t["owner"], page_t["period"]) == (t["owner"], t["period"])
        assert int(page_t["wonDeals"]) == t["won_deals"]
        assert _num(page_t.get("targetDeals")) == t["target_deals"]
        assert _num(page_t.get("expectedByNow")) == t["expected_by_now"]
        plan = t["remaining_plan"]
        assert page_t.get("blocking") == (plan and plan["blocking"])
        gaps = [(r["stage"], float(r["gap"]), int(r["actual"])) for r in page_t["plan"]]
        assert gaps == ([(r["stage"], r["gap"], r["actual"]) for r in plan["stages"]]
                        if plan else [])
    deals_warned = {w["deal"] for w in rep["warnings"]}
    assert int(sec["warned"]["warnings"]) == len(rep["warnings"])
    assert int(sec["warned"]["warnedDeals"]) == len(deals_warned)
    if whole:
        kinds: dict[str, set[str]] = {}
        for w in rep["warnings"]:
            kinds.setdefault(w["deal"], set()).add(w["kind"])
        assert {r["deal"]: set(r["kinds"].split()) for r in sec["warnings"]} == kinds
        assert [(q["deal"], q["kind"]) for q in sec["questions"]] == \
            [(q["deal"], q["kind"]) for q in rep["questions"]]
        assert [(m["kind"], m["deal"]) for m in sec["moves"]] == \
            [(m["kind"], m["deal"]) for m in rep["moved"]][:20]
    else:  # the team's largest warnings, of deals that have them
        assert {r["deal"] for r in sec["warnings"]} <= deals_warned
        assert sec["questions"] == []


def test_the_samples_page_shows_the_numbers_of_review_json(browser, sample):
    page = open_page(browser, sample / "review.html")
    review = review_json(sample)
    assert page["title"] == "Weekly review 2026-11-24"
    reps = {r["owner"]: r for r in review["reps"]}
    assert [s["owner"] for s in page["sections"]] == [*reps, "team"]
    for sec in page["sections"][:-1]:
        check_section(sec, reps[sec["owner"]], whole=True)
    check_section(page["sections"][-1], review["team"], whole=False)
    assert [(x["owner"], int(x["wonDeals"]), float(x["wonAmount"]), _num(x.get("targetDeals")),
             _num(x.get("targetAmount")), x["wonText"]) for x in page["leaders"]] == \
        [(x["owner"], x["won_deals"], x["won_amount"], x["target_deals"], x["target_amount"],
          str(x["won_deals"])) for x in review["leaderboard"]]
    assert page["trend"] == [] and page["trendNotes"] == []  # --weeks 0: no trend


def test_one_team_and_a_period_as_review_shows_them(browser, sample, tmp_path):
    out = tmp_path / "east.html"
    report(sample, out, "--team", "east", "--period", "2026-10", "--weeks", "0")
    page = open_page(browser, out)
    review = review_json(sample, "--team", "east", "--period", "2026-10")
    assert [s["owner"] for s in page["sections"]] == [r["owner"] for r in review["reps"]] + (
        ["team"] if len(review["reps"]) > 1 else [])
    for sec, rep in zip(page["sections"], review["reps"], strict=False):
        check_section(sec, rep, whole=True)


def test_the_page_fits_a_phone(browser, sample):
    """At a phone's width the page never scrolls sideways: wide tables scroll in their
    own box, the funnel bars and the figures shrink to the screen."""
    out = sample / "review.html"
    open_page(browser, out, width=390)
    inner, scroll = browser.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll <= inner
    tables = browser.execute_script(
        "return [...document.querySelectorAll('table')].map(t => t.parentElement.className)")
    assert tables and set(tables) == {"scroll"}
    bars = browser.execute_script("return [...document.querySelectorAll('.funnel-chart "
                                  "svg.bar')].map(b => b.getBoundingClientRect().right)")
    assert bars and max(bars) <= inner
    assert 'name="viewport"' in out.read_text(encoding="utf-8")


def test_data_is_text_never_markup(browser, world, tmp_path):
    """An owner, an account and a next step that hold HTML show as written: no
    element, no script, no image is made of them, and a bidi override is shown."""
    evil = "<img src=x onerror=alert(1)>"
    world.deal("x1", owner=evil, history=[("lead", "2026-11-01")])
    world.write("deals/x2.yaml", world.read("deals/x1.yaml")
                .replace("id: x1", "id: x2").replace("A x1", "</table><script>alert(2)</script>"
                                                     "\u202egnp.exe\"'&"))
    out = tmp_path / "evil.html"
    report(world.root, out, "--weeks", "0")
    page = open_page(browser, out)
    assert page["images"] == 0 and page["scripts"] == 0
    assert page["sections"][0]["owner"] == evil
    shown = browser.execute_script("return document.body.innerText")
    assert evil in shown
    assert "</table><script>alert(2)</script><U+202E>gnp.exe\"'&" in shown
    assert "\u202e" not in shown


def git(root: Path, *args: str, day: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com",
           "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com",
           "GIT_CEILING_DIRECTORIES": str(root.parent)}
    if day:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{day}T10:00:00+01:00"
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def commit(world: World, day: str) -> None:
    git(world.root, "add", "-A", "stages.yaml", "deals", day=day)
    git(world.root, "commit", "-q", "-m", f"week of {day}", day=day)


@pytest.fixture
def history(world: World) -> World:
    """Deals committed on three days, and one more in the working tree:

    - Wed 2026-10-28: t1 (ann, lead, 1,000), t2 (ann, lead, 2,000);
    - Thu 2026-11-05: t2 moves to nurture; t3 (bob, evaluation, 4,000) comes; a file
      that is no deal (bad.yaml) is committed;
    - Mon 2026-11-16 (a week start: counted from the next one on): t1 and bad.yaml go;
    - not committed: t4 (bob, lead, 8,000).
    """
    git(world.root, "init", "-q", "-b", "main")
    world.deal("t1", owner="ann", amount=1000, history=[("lead", "2026-10-20")])
    world.deal("t2", owner="ann", amount=2000, history=[("lead", "2026-10-20")])
    commit(world, "2026-10-28")
    world.deal("t2", stage="nurture", owner="ann", amount=2000,
               history=[("lead", "2026-10-20"), ("nurture", "2026-11-04")])
    world.deal("t3", stage="evaluation", owner="bob", amount=4000,
               history=[("lead", "2026-10-01"), ("nurture", "2026-10-15"),
                        ("evaluation", "2026-11-01")])
    world.write("deals/bad.yaml", "id: [\n")
    commit(world, "2026-11-05")
    (world.root / "deals" / "t1.yaml").unlink()
    (world.root / "deals" / "bad.yaml").unlink()
    commit(world, "2026-11-16")
    world.deal("t4", owner="bob", amount=8000, history=[("lead", "2026-11-20")])
    return world


def trend_of(page: dict) -> list[tuple]:
    return [(r["day"], r["now"], r["stages"], int(r["open"]), float(r["amount"]),
             float(r["weighted"])) for r in page["trend"]]


def test_the_trend_reads_each_week_start_from_git(browser, history, tmp_path):
    # --weeks 5 from Tuesday 2026-11-24: the Mondays 10-26 (before the first commit:
    # no point), 11-02, 11-09, 11-16 (that day's commit counts from the next week
    # on), 11-23; then now. Weighted: lead 0.1, nurture 0.2, evaluation 0.5
    out = tmp_path / "trend.html"
    said = report(history.root, out, "--weeks", "5")
    assert said == f"wrote {out}: 2 reps, trend of 4 weeks\n"
    page = open_page(browser, out)
    assert trend_of(page) == [
        ("2026-11-02", "false", [2, 0, 0, 0], 2, 3000, 300),
        ("2026-11-09", "false", [1, 1, 1, 0], 3, 7000, 100 + 400 + 2000),
        ("2026-11-16", "false", [1, 1, 1, 0], 3, 7000, 2500),
        ("2026-11-23", "false", [0, 1, 1, 0], 2, 6000, 2400),
        ("2026-11-24", "true", [1, 1, 1, 0], 3, 14000, 800 + 400 + 2000)]
    team = page["sections"][-1]
    assert [int(r["count"]) for r in team["funnel"]] == [1, 1, 1, 0]  # now = the review's
    assert page["trendNotes"] == ["1 version of deal files in git could not be read as a "
                                  "deal and is left out of the trend: deals/bad.yaml: not "
                                  "readable as a deal"]


def test_the_trend_keeps_to_the_reps_asked_for(browser, history, tmp_path):
    out = tmp_path / "bob.html"
    report(history.root, out, "--weeks", "3", "--owner", "bob")
    page = open_page(browser, out)
    assert [s["owner"] for s in page["sections"]] == ["bob"]
    assert [(r["day"], r["stages"]) for r in page["trend"]] == [
        ("2026-11-09", [0, 0, 1, 0]), ("2026-11-16", [0, 0, 1, 0]),
        ("2026-11-23", [0, 0, 1, 0]), ("2026-11-24", [1, 0, 1, 0])]


def test_outside_git_the_page_says_there_is_no_trend(browser, world, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(world.root.parent))
    world.deal("n1", history=[("lead", "2026-11-20")])
    out = tmp_path / "nogit.html"
    said = report(world.root, out)
    assert said == f"wrote {out}: 1 rep, no trend (not in git)\n"
    page = open_page(browser, out)
    assert page["trend"] == []
    (note,) = page["trendNotes"]
    assert note.startswith("no trend: report's trend needs a git repository")


def test_stdout_and_usage_errors(world, tmp_path):
    from typer.testing import CliRunner

    from funnelctl.cli.app import app

    world.deal("s1", history=[("lead", "2026-11-20")])
    run = ["--dir", str(world.root), "--today", "2026-11-24", "report"]
    res = CliRunner().invoke(app, [*run, "--html", "-", "--weeks", "0"])
    assert res.exit_code == 0 and res.stdout.startswith("<!DOCTYPE html>\n")
    assert res.stdout.endswith("</html>\n")
    missing = CliRunner().invoke(app, run)
    assert missing.exit_code == 2 and "--html" in missing.output
    bad = CliRunner().invoke(app, [*run, "--html", str(tmp_path / "x.html"), "--period", "11"])
    assert bad.exit_code == 2 and not (tmp_path / "x.html").exists()
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "r.html").mkdir()  # a folder where the file would go
    res = CliRunner().invoke(app, [*run, "--html", str(tmp_path / "ro" / "r.html")])
    assert res.exit_code == 1 and "cannot write" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_week_starts_follow_the_first_parents_of_a_pipeline_in_a_subfolder(tmp_path):
    """The pipeline in pipe/ of a larger repository; a branch merged later counts from
    its merge; a renamed file is its new path; a symbolic link is no deal file.

    - Mon 11-02: pipe/deals/a.yaml, a link to it, other/x.txt (that day: not before
      the week start of 11-02);
    - Tue 11-03, on a branch: pipe/deals/b.yaml;
    - Wed 11-04, on main: a.yaml renamed a2.yaml;
    - Wed 11-11: the branch merged.
    """
    import datetime as dt

    from funnelctl.gitio import weekly

    repo = tmp_path / "repo"
    (repo / "pipe" / "deals").mkdir(parents=True)
    (repo / "other").mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "pipe" / "deals" / "a.yaml").write_text("id: a\n")
    (repo / "pipe" / "deals" / "link.yaml").symlink_to("a.yaml")
    (repo / "other" / "x.txt").write_text("x\n")
    git(repo, "add", "-A", day="2026-11-02")
    git(repo, "commit", "-q", "-m", "c1", day="2026-11-02")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "pipe" / "deals" / "b.yaml").write_text("id: b\n")
    git(repo, "add", "-A", day="2026-11-03")
    git(repo, "commit", "-q", "-m", "c2", day="2026-11-03")
    git(repo, "checkout", "-q", "main")
    git(repo, "mv", "pipe/deals/a.yaml", "pipe/deals/a2.yaml")
    git(repo, "commit", "-q", "-m", "c3", day="2026-11-04")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "feature", day="2026-11-11")
    days = weekly.week_starts(dt.date(2026, 11, 16), 3)
    assert days == [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    snaps = weekly.snapshots(repo / "pipe", days)
    blob = {name: subprocess.run(["git", "rev-parse", f"HEAD:pipe/deals/{name}"], cwd=repo,
                                 check=True, capture_output=True, text=True).stdout.strip()
            for name in ("a2.yaml", "b.yaml")}
    assert [(s.day, s.blobs) for s in snaps] == [
        (dt.date(2026, 11, 9), {"deals/a2.yaml": blob["a2.yaml"]}),
        (dt.date(2026, 11, 16), {"deals/a2.yaml": blob["a2.yaml"],
                                 "deals/b.yaml": blob["b.yaml"]})]
