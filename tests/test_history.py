"""funnelctl history: a deal's timeline read from real git repositories built in the
test, commit by commit, by several identities; renames followed; disagreements between
the commits and the recorded history flagged."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl.cli.app import app

from .conftest import STAGES

TEAMS = """\
teams:
  east: {members: [li.wei, anna.berg], managers: [mia.chen]}
  west: {members: [marco.rossi], managers: [tom.ford]}
people:
  li.wei: li.wei@example.com
  anna.berg: anna.berg@example.com
  marco.rossi: Marco.Rossi@Example.com
  mia.chen: mia.chen@example.com
  tom.ford: tom.ford@example.com
"""

WHO = {
    "li": ("Li Wei", "li.wei@example.com"),
    "anna": ("Anna Berg", "anna.berg@example.com"),
    "mia": ("Mia Chen", "mia.chen@example.com"),
    "marco": ("Marco Rossi", "marco.rossi@example.com"),
    "tom": ("Tom Ford", "tom.ford@example.com"),
    "eve": ("Eve", "eve@elsewhere.example"),
}

ACME = """\
# Acme Pumps: line 3 cooling
id: acme
title: Line 3 cooling
account: Acme Pumps
owner: li.wei
amount: 120000
created: 2026-11-02
close: 2027-01-29
stage: lead
status: open
contacts:
  - name: Zhang Min
    role: plant director
history:
  - stage: lead
    date: 2026-11-02
"""


class Repo:
    """A pipeline in a git repository (optionally in a subfolder of it); commits are
    made by the identities of WHO on the day given."""

    def __init__(self, top: Path, sub: str = ""):
        self.top = top
        self.root = top / sub if sub else top
        (self.root / "deals" / "east").mkdir(parents=True)
        (self.root / "stages.yaml").write_text(STAGES.replace("teams:\n  east: [ann, bob]\n",
                                                              TEAMS), encoding="utf-8")
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=top, check=True)

    def git(self, *args: str, who: str = "li", day: str = "2026-11-01") -> str:
        name, email = WHO[who]
        stamp = f"{day}T12:00:00+00:00"
        env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
               "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        return subprocess.run(["git", *args], cwd=self.root, env=env, check=True,
                              capture_output=True, text=True).stdout

    def commit(self, who: str, day: str, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, who=who, day=day)
        return self.git("rev-parse", "HEAD").strip()

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def run(self, *args: str, today: str = "2026-11-24"):
        return CliRunner().invoke(app, ["--dir", str(self.root), "--today", today, *args],
                                  catch_exceptions=False)

    def ok(self, *args: str, today: str) -> None:
        res = self.run(*args, today=today)
        assert res.exit_code == 0, res.output


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git configuration, UTC, no colour, a fixed width."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("NO_COLOR", "1")
    for var in ("FUNNELCTL_DIR", "FUNNELCTL_TODAY", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> Repo:
    return Repo(tmp_path / "sales")


def acme_story(r: Repo) -> list[str]:
    """The deal's life: written, worked with funnelctl by its owner, forced once, then
    touched by hand by a colleague, renamed by the manager; returns the commit ids."""
    r.write("deals/east/acme.yaml", ACME)
    ids = [r.commit("li", "2026-11-02", "new acme")]
    r.ok("tick", "acme", "need_identified", "-e", "asked for a quote", today="2026-11-04")
    r.ok("score", "acme", "need", "2", "-e", "stated in the call", today="2026-11-04")
    ids.append(r.commit("li", "2026-11-04", "tick and score acme"))
    r.ok("advance", "acme", today="2026-11-06")
    ids.append(r.commit("li", "2026-11-06", "advance acme: lead -> nurture"))
    r.ok("act", "acme", "-k", "visit", "-g", "present the references", "--next",
         "2026-11-20: send the survey form", today="2026-11-10")
    ids.append(r.commit("li", "2026-11-10", "act acme: visit"))
    r.ok("advance", "acme", "--force", "--reason", "budget approved verbally",
         today="2026-11-12")
    ids.append(r.commit("li", "2026-11-12", "advance acme (forced)"))
    r.edit("deals/east/acme.yaml", "stage: evaluation", "stage: negotiation")
    ids.append(r.commit("anna", "2026-11-14", "acme is negotiating"))
    r.edit("deals/east/acme.yaml", "budget approved verbally", "budget approved in writing")
    ids.append(r.commit("anna", "2026-11-16", "wording"))
    r.git("mv", "deals/east/acme.yaml", "deals/east/acme-pumps.yaml")
    r.edit("deals/east/acme-pumps.yaml", "id: acme\n", "id: acme-pumps\n")
    ids.append(r.commit("mia", "2026-11-18", "rename acme to acme-pumps"))
    r.edit("deals/east/acme-pumps.yaml", "amount: 120000", "amount: 95000")  # not committed
    return ids


FORCED = "evaluation 2026-11-12, forced: budget approved {}, waived budget_approved, power>=3"


def test_history_shows_each_commit_in_the_deals_terms_and_flags_what_disagrees(
        repo: Repo) -> None:
    ids = [i[:7] for i in acme_story(repo)]
    res = repo.run("history", "acme-pumps")
    assert res.exit_code == 0, res.output
    li, anna, mia = (f"{n} <{e}>" for n, e in (WHO["li"], WHO["anna"], WHO["mia"]))
    assert res.stdout.splitlines() == [
        "acme-pumps (deals/east/acme-pumps.yaml): 8 commits, 3 authors, 2 flags",
        "",
        f"2026-11-02  {ids[0]}  {li}  new acme",
        "    created at lead, 120,000 EUR, owner li.wei, close 2027-01-29",
        "    history + lead 2026-11-02",
        f"2026-11-04  {ids[1]}  {li}  tick and score acme",
        "    need 2",
        "    ticked need_identified",
        f"2026-11-06  {ids[2]}  {li}  advance acme: lead -> nurture",
        "    stage lead -> nurture",
        "    history + nurture 2026-11-06",
        f"2026-11-10  {ids[3]}  {li}  act acme: visit",
        "    action visit 2026-11-10: present the references",
        "    next step 2026-11-20: send the survey form",
        f"2026-11-12  {ids[4]}  {li}  advance acme (forced)",
        "    stage nurture -> evaluation",
        "    history + " + FORCED.format("verbally"),
        f"2026-11-14  {ids[5]}  {anna}  acme is negotiating",
        "    stage evaluation -> negotiation",
        "  ! stage evaluation -> negotiation changed without a history entry",
        f"2026-11-16  {ids[6]}  {anna}  wording",
        '  ! history entry edited after the fact: evaluation 2026-11-12: reason '
        '"budget approved verbally" -> "budget approved in writing"',
        f"2026-11-18  {ids[7]}  {mia}  rename acme to acme-pumps",
        "    renamed deals/east/acme.yaml -> deals/east/acme-pumps.yaml",
        "    id acme -> acme-pumps",
        "(working tree)  not committed",
        "    amount 120,000 -> 95,000 EUR",
        "",
        "History recorded in the file:",
        f"  lead 2026-11-02  (added in {ids[0]} by Li Wei on 2026-11-02)",
        f"  nurture 2026-11-06  (added in {ids[2]} by Li Wei on 2026-11-06)",
        f"  {FORCED.format('in writing')}  (added in {ids[4]} by Li Wei on 2026-11-12, "
        f"edited in {ids[6]} by Anna Berg on 2026-11-16)",
    ]
    md = repo.run("history", "acme-pumps", "--format", "md").stdout.splitlines()
    assert md[:6] == ["## acme-pumps (deals/east/acme-pumps.yaml)", "", "8 commits, 2 flags", "",
                      "| date | commit | author | changes |", "|---|---|---|---|"]
    assert md[11] == (f"| 2026-11-14 | `{ids[5]}` | Anna Berg | stage evaluation -> negotiation"
                      "<br>**stage evaluation -> negotiation changed without a history entry** |")
    assert md[14] == "| | working tree | | amount 120,000 -> 95,000 EUR |"


def test_history_json_has_iso_dates_full_ids_and_every_change_by_kind(repo: Repo) -> None:
    ids = acme_story(repo)
    res = repo.run("history", "acme-pumps", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["deal"], data["path"], data["flags"]) == ("acme-pumps",
                                                          "deals/east/acme-pumps.yaml", 2)
    rows = data["timeline"]
    assert [r["commit"] for r in rows] == [*ids, None]
    assert [r["working_tree"] for r in rows] == [False] * 8 + [True]
    assert {r["email"] for r in rows[:-1]} == {"li.wei@example.com", "anna.berg@example.com",
                                               "mia.chen@example.com"}
    assert rows[0]["date"] == "2026-11-02T12:00:00Z"  # the author's time, RFC 3339
    assert [r["path"] for r in rows] == ["deals/east/acme.yaml"] * 7 + [
        "deals/east/acme-pumps.yaml"] * 2
    assert [[c["kind"] for c in r["changes"]] for r in rows] == [
        ["created", "history"], ["level", "ticked"], ["stage", "history"], ["action", "next"],
        ["stage", "history"], ["stage"], [], ["renamed", "id"], ["amount"]]
    assert [[f["kind"] for f in r["flags"]] for r in rows] == [
        [], [], [], [], [], ["stage_without_history"], ["history_edited"], [], []]
    assert rows[1]["changes"][0] == {"kind": "level", "ladder": "need", "from": None, "to": 2}
    assert rows[4]["changes"][1] == {
        "kind": "history", "stage": "evaluation", "date": "2026-11-12",
        "reason": "budget approved verbally", "waived": ["budget_approved", "power>=3"]}
    assert rows[6]["flags"][0]["was"]["reason"] == "budget approved verbally"
    assert rows[6]["flags"][0]["now"]["reason"] == "budget approved in writing"
    assert rows[8]["changes"][0] == {"kind": "amount", "from": 120000.0, "to": 95000.0,
                                     "currency": "EUR"}
    assert [(e["stage"], e["added"]["commit"], (e["edited"] or {}).get("commit"))
            for e in data["recorded"]] == [
        ("lead", ids[0], None), ("nurture", ids[2], None), ("evaluation", ids[4], ids[6])]


def test_history_in_a_pipeline_below_the_top_of_the_repository(tmp_path: Path,
                                                               git_env: None) -> None:
    """Paths are the pipeline's own (deals/...), wherever the repository's top is."""
    r = Repo(tmp_path / "company", sub="sales")
    ids = acme_story(r)
    data = json.loads(r.run("history", "acme-pumps", "--json").stdout)
    assert [x["commit"] for x in data["timeline"]] == [*ids, None]
    assert data["timeline"][-2]["changes"][0] == {
        "kind": "renamed", "from": "deals/east/acme.yaml", "to": "deals/east/acme-pumps.yaml"}


def test_a_version_that_is_no_deal_is_flagged_and_the_next_compared_with_the_last_good(
        repo: Repo) -> None:
    repo.write("deals/east/acme.yaml", ACME)
    first = repo.commit("li", "2026-11-02", "new acme")
    repo.edit("deals/east/acme.yaml", "stage: lead\n", "stage: [lead\n")
    broken = repo.commit("li", "2026-11-03", "oops")
    repo.edit("deals/east/acme.yaml", "stage: [lead\n", "stage: lead\n")
    repo.edit("deals/east/acme.yaml", "amount: 120000", "amount: 100000")
    fixed = repo.commit("li", "2026-11-04", "fix")
    data = json.loads(repo.run("history", "acme", "--json").stdout)
    rows = data["timeline"]
    assert [r["commit"] for r in rows] == [first, broken, fixed]
    assert rows[1]["changes"] == []
    assert rows[1]["flags"][0]["kind"] == "unreadable"
    assert rows[1]["flags"][0]["problem"].startswith("line ")
    assert rows[2]["compared_with"] == first
    assert rows[2]["changes"] == [{"kind": "amount", "from": 120000.0, "to": 100000.0,
                                   "currency": "EUR"}]
    text = repo.run("history", "acme").stdout
    assert "  ! this version is not readable as a deal: line " in text
    assert f"    (compared with {first[:7]}, the last version that is a deal)" in text


def test_outcome_rewritten_and_history_removed_are_flagged(repo: Repo) -> None:
    repo.write("deals/east/acme.yaml", ACME)
    repo.commit("li", "2026-11-02", "new acme")
    repo.ok("lose", "acme", "--reason", "competitor", "--competitor", "DHL", today="2026-11-05")
    repo.commit("li", "2026-11-05", "lose acme")
    repo.edit("deals/east/acme.yaml", "competitor: DHL", "competitor: Kuehne")
    repo.commit("li", "2026-11-06", "not DHL")
    res = repo.run("history", "acme")
    assert "    lost: competitor (DHL), 2026-11-05" in res.stdout
    assert ("  ! outcome rewritten: competitor (DHL), 2026-11-05 -> competitor (Kuehne), "
            "2026-11-05") in res.stdout
    repo.edit("deals/east/acme.yaml", "history:\n  - stage: lead\n    date: 2026-11-02\n",
              "history:\n  - stage: lead\n    date: 2026-11-02\n  - stage: lead\n"
              "    date: 2026-11-03\n")
    repo.commit("li", "2026-11-07", "two entries")
    repo.edit("deals/east/acme.yaml", "  - stage: lead\n    date: 2026-11-02\n", "")
    data = json.loads(repo.run("history", "acme", "--json").stdout)
    last = data["timeline"][-1]
    assert last["working_tree"] and last["flags"] == [
        {"kind": "history_removed", "was": {"stage": "lead", "date": "2026-11-02",
                                            "reason": None, "waived": []}}]


def test_a_deal_never_committed_is_the_working_tree_alone(repo: Repo) -> None:
    repo.write("deals/east/acme.yaml", ACME)
    res = repo.run("history", "acme")  # no commit at all in the repository yet
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[:4] == [
        "acme (deals/east/acme.yaml): 0 commits, 0 authors, 0 flags", "",
        "(working tree)  not committed",
        "    created at lead, 120,000 EUR, owner li.wei, close 2027-01-29"]
    assert res.stdout.splitlines()[-1] == "  lead 2026-11-02  (added in the working tree)"


def test_an_unchanged_file_has_no_working_tree_row(repo: Repo) -> None:
    repo.write("deals/east/acme.yaml", ACME)
    repo.commit("li", "2026-11-02", "new acme")
    rows = json.loads(repo.run("history", "acme", "--json").stdout)["timeline"]
    assert len(rows) == 1 and rows[0]["commit"]


def test_history_outside_a_repository_and_of_an_unknown_deal(
        tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "deals").mkdir()
    (tmp_path / "stages.yaml").write_text(STAGES, encoding="utf-8")
    (tmp_path / "deals" / "acme.yaml").write_text(ACME, encoding="utf-8")
    # a repository above tmp_path would make this one's folder part of it
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    res = CliRunner().invoke(app, ["--dir", str(tmp_path), "history", "acme"])
    assert res.exit_code == 1
    assert res.stdout == ""
    assert res.stderr == (f"funnelctl: history needs a git repository: {tmp_path} is not in "
                          f"one (run 'git init' there, or 'funnelctl init')\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    res = CliRunner().invoke(app, ["--dir", str(tmp_path), "history", "nope"])
    assert res.exit_code == 1
    assert res.stderr == ("funnelctl: no deal 'nope' under deals/ "
                          "(try 'funnelctl list' for the ids)\n")


def test_history_reads_one_file_and_two_git_processes_per_run(repo: Repo,
                                                              monkeypatch) -> None:
    """One git log and one cat-file whatever the number of commits, plus the one that
    finds the repository."""
    from funnelctl.gitio import run

    acme_story(repo)
    repo.write("deals/east/other.yaml", ACME.replace("id: acme", "id: other"))
    repo.commit("anna", "2026-11-20", "another deal")
    calls: list[tuple[str, ...]] = []
    real = run.git

    def counted(cwd, *args, **kw):
        calls.append(args)
        return real(cwd, *args, **kw)

    monkeypatch.setattr(run, "git", counted)
    assert repo.run("history", "acme-pumps").exit_code == 0
    assert [a[0] for a in calls].count("log") == 1
    assert [a[0] for a in calls].count("cat-file") == 1
    assert len(calls) == 3


def test_a_merge_shows_each_side_in_its_own_commit_and_no_working_tree_row(
        repo: Repo) -> None:
    repo.write("deals/east/acme.yaml", ACME)
    repo.commit("li", "2026-11-02", "new acme")
    repo.git("checkout", "-q", "-b", "side")
    repo.edit("deals/east/acme.yaml", "title: Line 3 cooling", "title: Line 3 and 4 cooling")
    side = repo.commit("anna", "2026-11-03", "acme: line 4 too")
    repo.git("checkout", "-q", "main")
    repo.edit("deals/east/acme.yaml", "close: 2027-01-29", "close: 2027-03-31")
    main = repo.commit("li", "2026-11-04", "acme: close in March")
    repo.git("merge", "-q", "--no-edit", "side", who="li", day="2026-11-05")
    data = json.loads(repo.run("history", "acme", "--json").stdout)
    assert [(r["commit"], [c["kind"] for c in r["changes"]]) for r in data["timeline"][1:]] \
        == [(side, ["title"]), (main, ["close"])]  # by date; the merge adds nothing


def test_names_and_subjects_from_commits_are_shown_as_safe_text(repo: Repo) -> None:
    repo.write("deals/east/acme.yaml", ACME)
    WHO["evil"] = ("Evil\x1b[2JName", "evil@example.com")
    try:
        repo.commit("evil", "2026-11-02", "new \x1b]0;owned\x07acme")
    finally:
        del WHO["evil"]
    out = repo.run("history", "acme").stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "Evil\\x1b[2JName <evil@example.com>  new \\x1b]0;owned\\x07acme" in out

