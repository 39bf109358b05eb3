"""review --since-ref and review --tag against real git in temporary repositories: one
committed pipeline, one deal changed in each way a week can change it, and the
movement, the forecast stored in a review tag and the forecast against what was
signed since, each number worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import msgspec
import pytest

from funnelctl.gitio.since import forecast_block

from .conftest import World, deal_yaml

BASE_DATE = "2026-11-17T10:00:00+00:00"  # every commit and tag of these tests


GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
           **{f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER")
              for what, value in (("NAME", "Ann Manager"), ("EMAIL", "ann@example.com"),
                                  ("DATE", BASE_DATE))}}


def isolate(mp: pytest.MonkeyPatch, tmp: Path) -> None:
    """git sees no configuration of this machine, and never a repository above ``tmp``."""
    for key, value in GIT_ENV.items():
        mp.setenv(key, value)
    mp.setenv("GIT_CEILING_DIRECTORIES", str(tmp.parent))


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A", "stages.yaml", "deals")
    git(root, "commit", "-q", "-m", message)


def init(world: World) -> None:
    git(world.root, "init", "-q", "-b", "main")
    world.write(".gitignore", ".funnelctl-cache/\n")
    git(world.root, "add", ".gitignore")
    commit_all(world.root, "the pipeline")


def edit(world: World, rel: str, old: str, new: str) -> None:
    text = world.read(rel)
    assert old in text
    world.write(rel, text.replace(old, new, 1))


READY = """\
milestones:
  need_identified: {date: 2026-11-02}
levels:
  need: {level: 2, date: 2026-11-02, evidence: stated}
"""
LEAD_TO_NEG = [("lead", "2026-10-01"), ("nurture", "2026-10-10"), ("evaluation", "2026-10-20"),
               ("negotiation", "2026-11-01")]


def make_week(world: World) -> None:
    """A pipeline committed at 2026-11-17, then a week of changes in the working tree,
    one deal for each kind of movement and one renamed without a change."""
    world.deal("adv", amount=1000, extra=READY)
    world.deal("reg", stage="evaluation", amount=2000,
               history=[("lead", "2026-10-01"), ("nurture", "2026-10-10"),
                        ("evaluation", "2026-10-20")])
    world.deal("signed", stage="negotiation", amount=4000, history=LEAD_TO_NEG)
    world.deal("gone", stage="nurture", amount=3000,
               history=[("lead", "2026-10-01"), ("nurture", "2026-10-10")])
    world.deal("late", stage="nurture", amount=1500,
               history=[("lead", "2026-10-01"), ("nurture", "2026-10-10")],
               extra="close: 2026-12-15\n")
    world.deal("cheap", amount=8000)
    world.deal("handed", amount=700)
    world.deal("dropped", owner="bob", amount=900)
    world.deal("moved", owner="bob", amount=1200)
    world.deal("still", owner="bob", amount=100)
    init(world)
    # the week
    assert world.run("advance", "adv").exit_code == 0
    edit(world, "deals/reg.yaml", "stage: evaluation\nstatus", "stage: nurture\nstatus")
    world.deal("fresh", owner="bob", amount=500)  # new, not yet added to git
    res = world.run("win", "signed", "--force", "--reason", "board approval came early")
    assert res.exit_code == 0, res.output
    res = world.run("lose", "gone", "--reason", "competitor", "--competitor", "DHL")
    assert res.exit_code == 0, res.output
    edit(world, "deals/late.yaml", "close: 2026-12-15", "close: 2027-01-31")
    edit(world, "deals/cheap.yaml", "amount: 8000", "amount: 6000")
    edit(world, "deals/handed.yaml", "owner: ann", "owner: bob")
    (world.root / "deals/dropped.yaml").unlink()
    (world.root / "deals/east").mkdir()
    git(world.root, "mv", "deals/moved.yaml", "deals/east/moved.yaml")


@pytest.fixture(scope="module")
def week_made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The week, made once: each test gets a copy (``week``)."""
    root = tmp_path_factory.mktemp("week")
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)
        for key in ("FUNNELCTL_DIR", "FUNNELCTL_TODAY"):
            mp.delenv(key, raising=False)
        make_week(World(root))
    return root


@pytest.fixture
def week(world: World, git_env, week_made: Path) -> World:
    shutil.copytree(week_made, world.root, symlinks=True, dirs_exist_ok=True)
    return world


# What the week holds, by rep: the deal now owned by bob was ann's; the deleted one bob's
ANN = [
    {"kind": "won", "deal": "signed", "account": "A signed", "owner": "ann",
     "path": "deals/signed.yaml", "amount": 4000.0, "from": "negotiation",
     "to": "2026-11-24"},
    {"kind": "lost", "deal": "gone", "account": "A gone", "owner": "ann",
     "path": "deals/gone.yaml", "amount": 3000.0, "from": "nurture", "to": "nurture",
     "reason": "competitor", "competitor": "DHL"},
    {"kind": "advanced", "deal": "adv", "account": "A adv", "owner": "ann",
     "path": "deals/adv.yaml", "amount": 1000.0, "from": "lead", "to": "nurture"},
    {"kind": "regressed", "deal": "reg", "account": "A reg", "owner": "ann",
     "path": "deals/reg.yaml", "amount": 2000.0, "from": "evaluation", "to": "nurture"},
    {"kind": "pushed", "deal": "late", "account": "A late", "owner": "ann",
     "path": "deals/late.yaml", "amount": 1500.0, "from": "2026-12-15", "to": "2027-01-31"},
    {"kind": "cut", "deal": "cheap", "account": "A cheap", "owner": "ann",
     "path": "deals/cheap.yaml", "amount": 6000.0, "from": 8000.0, "to": 6000.0},
]
BOB = [
    {"kind": "new", "deal": "fresh", "account": "A fresh", "owner": "bob",
     "path": "deals/fresh.yaml", "amount": 500.0, "to": "lead"},
    {"kind": "owner", "deal": "handed", "account": "A handed", "owner": "bob",
     "path": "deals/handed.yaml", "amount": 700.0, "from": "ann", "to": "bob"},
    {"kind": "deleted", "deal": "dropped", "account": "A dropped", "owner": "bob",
     "path": "deals/dropped.yaml", "amount": 900.0, "from": "lead"},
]
# per kind: one deal each; the money is the deals' amounts, for the cut what was cut
TEAM = {"won": {"deals": 1, "amount": 4000}, "lost": {"deals": 1, "amount": 3000},
        "advanced": {"deals": 1, "amount": 1000}, "regressed": {"deals": 1, "amount": 2000},
        "new": {"deals": 1, "amount": 500}, "pushed": {"deals": 1, "amount": 1500},
        "cut": {"deals": 1, "amount": 2000}, "owner": {"deals": 1, "amount": 700},
        "deleted": {"deals": 1, "amount": 900}}


def movement(world: World, ref: str, *args: str) -> dict:
    out = world.json("review", "--since-ref", ref, *args)
    return out["movement"]


def test_since_head_reports_each_change_once(week) -> None:
    mv = movement(week, "HEAD")
    assert [r["owner"] for r in mv["reps"]] == ["ann", "bob"]
    ann, bob = mv["reps"]
    assert ann["shifts"] == ANN
    assert bob["shifts"] == BOB
    assert mv["team"] == TEAM
    assert mv["unreadable"] == [] and "forecast" not in mv
    assert mv["date"] == "2026-11-17" and mv["ref"] == "HEAD"
    assert mv["commit"] == git(week.root, "rev-parse", "HEAD").strip()
    # the renamed deal moved nowhere: neither new nor deleted
    assert all(s["deal"] != "moved" for r in mv["reps"] for s in r["shifts"])


def test_by_tag_branch_commit_and_date_once_the_week_is_committed(week, monkeypatch) -> None:
    git(week.root, "tag", "base")
    git(week.root, "branch", "before")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-24T09:00:00+00:00")
    commit_all(week.root, "the week")  # HEAD~1 is now the pipeline of 2026-11-17
    for ref in ("HEAD~1", "base", "before", "@{2026-11-20}"):
        mv = movement(week, ref)
        assert mv["team"] == TEAM, ref
        assert [r["shifts"] for r in mv["reps"]] == [ANN, BOB], ref
    assert movement(week, "HEAD")["team"] == {}  # nothing changed since the commit


def test_each_blob_is_parsed_once_and_the_cache_never_changes_the_answer(week) -> None:
    first = movement(week, "HEAD")
    cache = week.root / ".funnelctl-cache" / "since.msgpack"
    key, entries = msgspec.msgpack.decode(cache.read_bytes())
    # one entry per file at the revision that changed: 7 edited, 1 deleted, 1 renamed
    assert sorted(k.split(" ", 1)[1] for k in entries) == [
        f"deals/{d}.yaml" for d in ("adv", "cheap", "dropped", "gone", "handed", "late",
                                    "moved", "reg", "signed")]
    assert all(len(k.split(" ")[0]) == 40 for k in entries)  # the blob's id
    written = cache.stat().st_ino
    assert movement(week, "HEAD") == first
    assert cache.stat().st_ino == written  # every blob was found: nothing to write
    assert week.json("review", "--since-ref", "HEAD", cache=False)["movement"] == first
    cache.write_bytes(b"\x93not a cache")
    assert movement(week, "HEAD") == first
    assert msgspec.msgpack.decode(cache.read_bytes())[1].keys() == entries.keys()


def test_the_review_moves_are_listed_since_the_revisions_day(week) -> None:
    out = week.json("review", "--since-ref", "HEAD")
    assert out["since"] == "2026-11-17"  # the commit's day, not a week before today
    moved = {(m["deal"], m["kind"]) for r in out["reps"] for m in r["moved"]}
    assert ("adv", "advanced") in moved  # the history entry advance wrote on 2026-11-24
    assert ("reg", "regressed") not in moved  # a hand edit leaves no history entry


def test_owner_and_team_filters(week) -> None:
    mv = movement(week, "HEAD", "--owner", "bob")
    assert [r["owner"] for r in mv["reps"]] == ["bob"]
    assert mv["reps"][0]["shifts"] == BOB
    # ann's view keeps the deal she handed over, under her name
    mv = movement(week, "HEAD", "--owner", "ann")
    assert [r["owner"] for r in mv["reps"]] == ["ann"]
    assert mv["reps"][0]["shifts"] == ANN + [
        {**BOB[1], "owner": "ann"}]
    assert movement(week, "HEAD", "--team", "east")["team"] == TEAM


def test_text_lists_the_movement_per_rep_and_for_the_team(week) -> None:
    commit = git(week.root, "rev-parse", "--short=7", "HEAD").strip()
    res = week.run("review", "--since-ref", "HEAD")
    assert res.exit_code == 0, res.output
    text = res.stdout
    head = f"Since HEAD ({commit}, 2026-11-17): "
    assert head + ("1 won (4,000), 1 lost (3,000), 1 advanced (1,000), 1 regressed (2,000), "
                   "1 close pushed (1,500), 1 amount cut (2,000)\n") in text
    assert head + "1 new (500), 1 owner changed (700), 1 deleted (900)\n" in text
    for line in [
        "  won           signed (A signed, 4,000) from Negotiation on 2026-11-24",
        "  lost          gone (A gone, 3,000) at Nurture: competitor, to DHL",
        "  advanced      adv (A adv, 1,000) Lead -> Nurture",
        "  regressed     reg (A reg, 2,000) Evaluation -> Nurture",
        "  close pushed  late (A late, 1,500) close 2026-12-15 -> 2027-01-31",
        "  amount cut    cheap (A cheap, 6,000) amount 8,000 -> 6,000",
        "  new           fresh (A fresh, 500) at Lead",
        "  owner changed handed (A handed, 700) ann -> bob",
        "  deleted       dropped (A dropped, 900) deals/dropped.yaml, was at Lead",
    ]:
        assert line + "\n" in text, line
    # each rep's movement follows his own section; the team's closes the review
    assert text.index("─  ann  ─") < text.index("  won           signed") < \
        text.index("─  bob  ─")
    end = text[text.index(f" since HEAD ({commit}, 2026-11-17) "):]
    assert end.splitlines()[1] == (
        "Team: 1 won (4,000), 1 lost (3,000), 1 advanced (1,000), 1 regressed (2,000), "
        "1 new (500), 1 close pushed (1,500), 1 amount cut (2,000), 1 owner changed (700), "
        "1 deleted (900)")
    assert "moved (A moved" not in text.split("─ since")[0].split(head)[-1]


def test_markdown(week) -> None:
    commit = git(week.root, "rev-parse", "--short=7", "HEAD").strip()
    res = week.run("review", "--since-ref", "HEAD", "--format", "md")
    assert res.exit_code == 0, res.output
    md = res.stdout
    assert f"### Since HEAD ({commit}, 2026-11-17)\n\n1 won (4,000), 1 lost (3,000)" in md
    assert "- **lost** gone (A gone, 3,000) at Nurture: competitor, to DHL\n" in md
    assert "- **owner changed** handed (A handed, 700) ann -> bob\n" in md
    assert "- **deleted** dropped (A dropped, 900) deals/dropped.yaml, was at Lead\n" in md
    assert f"## Since HEAD ({commit}, 2026-11-17)\n\nTeam: 1 won (4,000)," in md
    assert "# Weekly review 2026-11-24\n\nMoves since 2026-11-17;" in md


def test_a_file_broken_at_the_revision_is_named_not_counted(week) -> None:
    week.write("deals/bad.yaml", "id: [\n")
    commit_all(week.root, "the week, with a broken file")
    week.write("deals/bad.yaml", deal_yaml("bad", amount=10))
    mv = movement(week, "HEAD")
    assert mv["team"] == {}
    assert mv["unreadable"] == [
        "deals/bad.yaml:2 at HEAD: not valid YAML: did not find expected node content"]


def test_a_file_moved_outside_git_is_the_same_deal(world, git_env) -> None:
    """git pairs no rename with an untracked file: the deal's id does. A deleted deal
    whose rep holds no other is reported with the team."""
    world.deal("x", amount=300)
    world.deal("y", amount=400)
    world.deal("z", owner="cy", amount=50)
    init(world)
    (world.root / "deals/west").mkdir()
    (world.root / "deals/x.yaml").rename(world.root / "deals/west/x.yaml")
    edit(world, "deals/y.yaml", "stage: lead", "stage: nurture")
    (world.root / "deals/z.yaml").unlink()
    mv = movement(world, "HEAD")
    assert mv["team"] == {"advanced": {"deals": 1, "amount": 400},
                          "deleted": {"deals": 1, "amount": 50}}
    # cy holds no deal now: his deleted one is listed with the team's movement
    text = world.run("review", "--since-ref", "HEAD").stdout
    assert text.endswith("Team: 1 advanced (400), 1 deleted (50)\ncy (holds no deal now):\n"
                         "    deleted       z (A z, 50) deals/z.yaml, was at Lead\n")


def test_refusals(world, git_env, tmp_path) -> None:
    world.deal("a")
    res = world.run("review", "--since-ref", "HEAD")
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr == (f"funnelctl: review --since-ref needs a git repository: {world.root} "
                          f"is not in one (run 'git init' there, or 'funnelctl init')\n")
    res = world.run("review", "--tag")
    assert res.exit_code == 1 and res.stderr.startswith(
        "funnelctl: review --tag needs a git repository: ")
    git(world.root, "init", "-q")
    res = world.run("review", "--tag")
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr == ("funnelctl: review --tag needs a commit to tag: this repository has "
                          "none yet\n")
    init(world)
    res = world.run("review", "--since-ref", "no-such-thing")
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr == "funnelctl: no-such-thing: no such revision in this repository\n"
    res = world.run("review", "--since-ref", "--output=x")
    assert res.exit_code == 1 and "not a revision" in res.stderr
    res = world.run("review", "--since-ref", "HEAD", "--since", "2026-11-01")
    assert res.exit_code == 2 and res.stdout == ""
    assert "--since and --since-ref" in res.stderr
    res = world.run("review", "--tag", "--owner", "ann")
    assert res.exit_code == 2 and "--tag" in res.stderr


# -- review --tag ---------------------------------------------------------------------


@pytest.fixture
def forecast_world(world: World, git_env) -> World:
    """ann: one deal signed on 2026-11-10, one at negotiation and one at evaluation
    closing in November; bob: one lead closing in November, one at negotiation
    closing in December (outside the period)."""
    world.deal("w0", stage="won", status="won", amount=1000,
               history=[("lead", "2026-10-01"), ("won", "2026-11-10")],
               extra="outcome: {date: 2026-11-10}\n")
    world.deal("n1", stage="negotiation", amount=10000, history=LEAD_TO_NEG,
               extra="close: 2026-11-28\n")
    world.deal("e1", stage="evaluation", amount=4000, history=LEAD_TO_NEG[:3],
               extra="close: 2026-11-30\n")
    world.deal("l1", owner="bob", amount=2000, extra="close: 2026-11-26\n")
    world.deal("x1", owner="bob", stage="negotiation", amount=5000, history=LEAD_TO_NEG,
               extra="close: 2026-12-15\n")
    init(world)
    return world


def tag_message(root: Path, name: str) -> str:
    return git(root, "cat-file", "tag", name).split("\n\n", 1)[1]


def test_tag_stores_the_forecast_and_is_never_replaced(forecast_world) -> None:
    w = forecast_world
    res = w.run("review", "--tag")
    assert res.exit_code == 0, res.output
    assert "Weekly review 2026-11-24" in res.stdout
    assert res.stderr.endswith("tagged review/2026-11-24: the forecast for 2026-11 "
                               "(git show review/2026-11-24)\n")
    assert git(w.root, "rev-parse", "review/2026-11-24^{commit}") == \
        git(w.root, "rev-parse", "HEAD")
    message = tag_message(w.root, "review/2026-11-24")
    # ann: 1 signed (1,000) + negotiation 0.8 x 10,000 + evaluation 0.5 x 4,000 = 2.3
    # deals, 11,000; bob: lead 0.1 x 2,000 = 0.1, 200 (x1 closes in December)
    lines = message.splitlines()
    assert lines[0] == "Weekly review 2026-11-24: forecast for 2026-11"
    table = lines[lines.index(next(x for x in lines if x.startswith("  owner"))):][:4]
    assert [x.split() for x in table] == [
        ["owner", "expected", "deals", "expected", "amount", "signed", "signed", "amount",
         "open", "deals"],
        ["ann", "2.30", "11,000", "1", "1,000", "2"],
        ["bob", "0.10", "200", "0", "0", "1"],
        ["team", "2.40", "11,200", "1", "1,000", "3"]]
    stages = lines[lines.index("Open pipeline per stage (EUR):") + 2:][:4]
    assert [x.split() for x in stages] == [
        ["Lead", "1", "2,000", "200"], ["Nurture", "0", "0", "0"],
        ["Evaluation", "1", "4,000", "2,000"], ["Negotiation", "2", "15,000", "12,000"]]
    data = forecast_block(message)
    assert data["date"] == "2026-11-24" and data["forecast"]["period"] == "2026-11"
    total = data["forecast"]["total"]
    assert (total["expected_deals"], total["expected_amount"]) == (2.4, 11200)
    assert data["pipeline"][3] == {"stage": "negotiation", "label": "Negotiation",
                                   "deals": 2, "amount": 15000, "weighted": 12000}
    # the same day again: refused before the review is written, the tag as it was
    before = git(w.root, "rev-parse", "review/2026-11-24")
    res = w.run("review", "--tag")
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr == ("funnelctl: tag review/2026-11-24 exists already: this day's review "
                          "is tagged (git show review/2026-11-24)\n")
    assert git(w.root, "rev-parse", "review/2026-11-24") == before
    # another day is another tag; JSON output tags too
    res = w.run("review", "--tag", "--json", today=dt.date(2026, 11, 25))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["today"] == "2026-11-25"
    assert git(w.root, "tag", "--list", "review/*").split() == ["review/2026-11-24",
                                                                "review/2026-11-25"]


def test_since_a_review_tag_the_forecast_against_what_was_signed(forecast_world) -> None:
    w = forecast_world
    assert w.run("review", "--tag").exit_code == 0  # git dates the tag 2026-11-17
    later = dt.date(2026, 11, 26)
    for deal in ("n1", "l1"):
        res = w.run("win", deal, "--force", "--reason", "signed early", today=later)
        assert res.exit_code == 0, res.output
    commit_all(w.root, "two signed")
    out = w.json("review", "--since-ref", "review/2026-11-24", today=later)
    # the moves are listed since the review the tag holds, not since its commit's day
    # nor the day git gave the tag
    assert out["since"] == "2026-11-24"
    mv = out["movement"]
    assert mv["date"] == "2026-11-24"
    assert [s["deal"] for r in mv["reps"] for s in r["shifts"]] == ["n1", "l1"]
    fc = mv["forecast"]
    assert fc["date"] == "2026-11-24" and fc["period"] == "2026-11"
    # ann: 2.3 / 11,000 forecast, 1 / 1,000 signed by the tag, so 1.3 / 10,000 to come;
    # n1 signed since: 1 / 10,000. bob: 0.1 / 200 to come; l1 signed: 1 / 2,000
    assert fc["reps"] == [
        {"owner": "ann", "expected_deals": 2.3, "expected_amount": 11000,
         "signed_by_tag_deals": 1, "signed_by_tag_amount": 1000, "to_come_deals": 1.3,
         "to_come_amount": 10000, "signed_since_deals": 1, "signed_since_amount": 10000},
        {"owner": "bob", "expected_deals": 0.1, "expected_amount": 200,
         "signed_by_tag_deals": 0, "signed_by_tag_amount": 0, "to_come_deals": 0.1,
         "to_come_amount": 200, "signed_since_deals": 1, "signed_since_amount": 2000}]
    assert fc["team"] == {
        "owner": "team", "expected_deals": 2.4, "expected_amount": 11200,
        "signed_by_tag_deals": 1, "signed_by_tag_amount": 1000, "to_come_deals": 1.4,
        "to_come_amount": 10200, "signed_since_deals": 2, "signed_since_amount": 12000}
    assert fc["signed_since_outside_period"] == 0
    text = w.run("review", "--since-ref", "review/2026-11-24", today=later).stdout
    assert "Forecast of review/2026-11-24 for 2026-11 against what was signed since" in text
    rows = [x.split() for x in text.splitlines() if x.startswith(("ann ", "bob ", "team "))]
    assert rows[-3:] == [
        ["ann", "2.3", "/", "11,000", "1", "/", "1,000", "1.3", "/", "10,000", "1", "/",
         "10,000"],
        ["bob", "0.1", "/", "200", "0", "/", "0", "0.1", "/", "200", "1", "/", "2,000"],
        ["team", "2.4", "/", "11,200", "1", "/", "1,000", "1.4", "/", "10,200", "2", "/",
         "12,000"]]
    md = w.run("review", "--since-ref", "review/2026-11-24", "--format", "md",
               today=later).stdout
    assert "| team | 2.4 / 11,200 | 1 / 1,000 | 1.4 / 10,200 | 2 / 12,000 |" in md
    # bob's view: his line, and his alone as the team's
    fc = w.json("review", "--since-ref", "review/2026-11-24", "--owner", "bob",
                today=later)["movement"]["forecast"]
    assert [e["owner"] for e in fc["reps"]] == ["bob"]
    assert (fc["team"]["to_come_deals"], fc["team"]["signed_since_amount"]) == (0.1, 2000)
    # a revision that is not a review tag has no forecast to compare
    git(w.root, "tag", "-a", "v1", "-m", "a release", "HEAD~1")
    # nor a tag whose forecast block anyone could have written does not hold one
    forged = tag_message(w.root, "review/2026-11-24").replace('"expected_deals": 2.3',
                                                              '"expected_deals": "many"')
    git(w.root, "tag", "-a", "forged", "-m", forged, "HEAD~1")
    for ref in ("HEAD~1", "v1", "forged"):
        mv = w.json("review", "--since-ref", ref, today=later)["movement"]
        assert "forecast" not in mv and mv["team"]["won"]["deals"] == 2
