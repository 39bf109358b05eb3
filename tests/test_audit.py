"""funnelctl audit: the rules on plain data (gitio.audit), then end to end on a real
repository where reps and managers of two teams commit, one of them with an email
stages.yaml does not know."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl.cli.app import app
from funnelctl.gitio.audit import audit, managers_of
from funnelctl.gitio.history import Commit, DealState, Entry, FileChange, Outcome
from funnelctl.pipeline import Pipeline, Stage

from .conftest import STAGES
from .test_history import ACME, Repo

# -- the rules on data -------------------------------------------------------------------

D = dt.date(2026, 11, 10)
PIPELINE = Pipeline(
    stages=(Stage("lead", "Lead", 0.1, 0.5, 30), Stage("nurture", "Nurture", 0.2, 0.5, 30)),
    won=None, lost=None, action_kinds=("visit",),  # type: ignore[arg-type]
    teams={"east": ["li.wei", "anna.berg"], "west": ["marco.rossi"], "key": ["li.wei"]},
    team_managers={"east": ["mia.chen"], "west": ["tom.ford"], "key": ["kim.lee"]},
    people={"li.wei": "li.wei@example.com", "anna.berg": "anna.berg@example.com",
            "marco.rossi": "Marco.Rossi@Example.com", "mia.chen": "mia.chen@example.com",
            "tom.ford": "tom.ford@example.com", "kim.lee": "kim.lee@example.com"})

LEAD = Entry("lead", dt.date(2026, 11, 1))
BASE = DealState(id="acme", owner="li.wei", stage="lead", history=(LEAD,))
FORCED = Entry("nurture", D, reason="the CFO said yes", waived=("budget_approved",))


def commit(email: str, before: DealState | None, after: DealState | None, **kw) -> Commit:
    return Commit("c" * 40, email, D, changes=(FileChange("deals/acme.yaml", before, after,
                                                           **kw),))


def kinds(*commits: Commit) -> list[str]:
    return [f.kind for f in audit(list(commits), PIPELINE).findings]


def test_managers_are_those_of_every_team_the_owner_is_a_member_of() -> None:
    assert managers_of("li.wei", PIPELINE) == {"mia.chen", "kim.lee"}
    assert managers_of("marco.rossi", PIPELINE) == {"tom.ford"}
    assert managers_of("nobody", PIPELINE) == set()


def test_a_forced_move_is_a_finding_unless_a_manager_of_the_owner_made_it() -> None:
    forced = replace(BASE, stage="nurture", history=(LEAD, FORCED))
    assert kinds(commit("li.wei@example.com", BASE, forced)) == ["forced"]  # his own deal
    assert kinds(commit("mia.chen@example.com", BASE, forced)) == []
    assert kinds(commit("kim.lee@example.com", BASE, forced)) == []  # manager of his other team
    # tom manages another team: he may neither force nor change li's deal
    assert kinds(commit("tom.ford@example.com", BASE, forced)) == ["outsider", "forced"]
    # an author no one knows: named once as such, and the forced move is still reported
    assert kinds(commit("eve@x.example", BASE, forced)) == ["forced", "unknown_author"]
    # a new file whose history holds a forced entry is a forced move too
    assert kinds(commit("li.wei@example.com", None, forced)) == ["forced"]
    assert kinds(commit("mia.chen@example.com", None, forced)) == []


def test_a_move_with_its_history_entry_is_no_finding_and_one_without_is() -> None:
    moved = DealState(id="acme", owner="li.wei", stage="nurture",
                      history=(LEAD, Entry("nurture", D)))
    assert kinds(commit("li.wei@example.com", BASE, moved)) == []
    by_hand = DealState(id="acme", owner="li.wei", stage="nurture", history=(LEAD,))
    found = audit([commit("li.wei@example.com", BASE, by_hand)], PIPELINE).findings
    assert [(f.kind, f.detail) for f in found] == [("by_hand", {"from": "lead",
                                                                "to": "nurture"})]


def test_history_and_outcome_rewritten_after_the_fact() -> None:
    edited = DealState(id="acme", owner="li.wei", stage="lead",
                       history=(Entry("lead", dt.date(2026, 10, 1)),))
    found = audit([commit("li.wei@example.com", BASE, edited)], PIPELINE).findings
    assert [(f.kind, f.detail["what"], f.detail["was"]["date"], f.detail["now"]["date"])
            for f in found] == [("rewritten", "history", LEAD.date, dt.date(2026, 10, 1))]
    two = DealState(id="acme", owner="li.wei", stage="lead",
                    history=(LEAD, Entry("lead", D)))
    removed = DealState(id="acme", owner="li.wei", stage="lead", history=(Entry("lead", D),))
    found = audit([commit("li.wei@example.com", two, removed)], PIPELINE).findings
    assert [(f.kind, f.detail["now"]) for f in found] == [("rewritten", None)]
    lost = DealState(id="acme", owner="li.wei", stage="lead", status="lost", history=(LEAD,),
                     outcome=Outcome(D, "competitor", "DHL"))
    other = DealState(id="acme", owner="li.wei", stage="lead", status="lost", history=(LEAD,),
                      outcome=Outcome(D, "no_decision"))
    reopened = DealState(id="acme", owner="li.wei", stage="lead", history=(LEAD,))
    assert kinds(commit("li.wei@example.com", BASE, lost)) == []  # an outcome recorded
    assert kinds(commit("li.wei@example.com", lost, other)) == ["rewritten"]
    assert kinds(commit("mia.chen@example.com", lost, reopened)) == ["rewritten"]
    # entries kept as they were, another put between them (a merge does that): no finding
    merged = DealState(id="acme", owner="li.wei", stage="lead",
                       history=(LEAD, Entry("lead", dt.date(2026, 11, 5)), Entry("lead", D)))
    assert kinds(commit("li.wei@example.com", two, merged)) == []


def test_owner_and_managers_may_change_a_deal_others_may_not() -> None:
    changed = DealState(id="acme", owner="li.wei", stage="lead", history=(LEAD,), amount=5.0)
    assert kinds(commit("li.wei@example.com", BASE, changed)) == []
    assert kinds(commit("MIA.CHEN@example.com", BASE, changed)) == []  # emails: any case
    assert kinds(commit("anna.berg@example.com", BASE, changed)) == ["outsider"]  # a teammate
    # the owner before the change decides: a manager hands the deal over, the old owner
    # may give it away, nobody may take it
    handed = DealState(id="acme", owner="anna.berg", stage="lead", history=(LEAD,))
    assert kinds(commit("mia.chen@example.com", BASE, handed)) == []
    assert kinds(commit("li.wei@example.com", BASE, handed)) == []
    assert kinds(commit("anna.berg@example.com", BASE, handed)) == ["outsider"]
    # deleting is changing
    assert kinds(commit("marco.rossi@example.com", BASE, None)) == ["outsider"]
    # people's email matched without regard to case
    assert kinds(commit("marco.rossi@example.com", BASE, changed)) == ["outsider"]


def test_an_unreadable_version_is_a_finding_and_nothing_is_compared_across_it() -> None:
    forced = DealState(id="acme", owner="li.wei", stage="nurture", history=(LEAD, FORCED))
    assert kinds(commit("li.wei@example.com", BASE, None, problem="line 3: not valid YAML")
                 ) == ["unreadable"]
    # after a broken version, the fix is not read as a new forced move or a stage change
    assert kinds(commit("li.wei@example.com", None, forced,
                        before_problem="line 3: not valid YAML")) == []


def test_an_unknown_email_is_named_once_with_its_commits() -> None:
    changed = DealState(id="acme", owner="li.wei", stage="lead", history=(LEAD,), amount=5.0)
    a = Commit("a" * 40, "eve@x.example", D, "Eve",
               changes=(FileChange("deals/acme.yaml", BASE, changed),))
    b = Commit("b" * 40, "Eve@X.example", D, "Eve",
               changes=(FileChange("deals/acme.yaml", changed, BASE),))
    report = audit([a, b], PIPELINE)
    assert (report.commits, report.changes) == (2, 2)
    assert [(f.kind, f.email, f.detail) for f in report.findings] == [
        ("unknown_author", "eve@x.example", {"commits": ["a" * 40, "b" * 40]})]


# -- end to end ------------------------------------------------------------------------

NORDIC = ACME.replace("id: acme", "id: nordic").replace("owner: li.wei", "owner: marco.rossi")


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Repo, dict[str, str]]:
    """Two teams' month: the commits a manager wants to hear about, and the rest. Returns
    the repository and the commits by name."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("NO_COLOR", "1")
    for var in ("FUNNELCTL_DIR", "FUNNELCTL_TODAY"):
        monkeypatch.delenv(var, raising=False)
    r = Repo(tmp_path / "sales")
    c = {}
    r.write("deals/east/acme.yaml", ACME)
    c["acme"] = r.commit("li", "2026-11-02", "new acme")
    r.write("deals/west/nordic.yaml", NORDIC)
    c["nordic"] = r.commit("marco", "2026-11-02", "new nordic")
    r.ok("advance", "acme", "--force", "--reason", "the CFO said yes", today="2026-11-05")
    c["rep forces"] = r.commit("li", "2026-11-05", "advance acme (forced)")  # flagged
    r.ok("advance", "acme", "--force", "--reason", "board approved", today="2026-11-06")
    c["manager forces"] = r.commit("mia", "2026-11-06", "advance acme (forced)")
    r.ok("act", "nordic", "-k", "call", "-g", "check the budget", today="2026-11-08")
    c["outsider"] = r.commit("li", "2026-11-08", "act nordic: call")  # flagged: not his
    r.ok("act", "nordic", "-k", "visit", "-g", "meet the CFO", today="2026-11-09")
    c["manager acts"] = r.commit("tom", "2026-11-09", "act nordic: visit")  # marco's manager
    r.edit("deals/west/nordic.yaml", "date: 2026-11-02\n", "date: 2026-10-20\n")
    c["backdated"] = r.commit("marco", "2026-11-10", "backdate")  # flagged
    r.edit("deals/west/nordic.yaml", "stage: lead", "stage: evaluation")
    c["by hand"] = r.commit("marco", "2026-11-12", "skip ahead")  # flagged
    r.edit("deals/east/acme.yaml", "amount: 120000", "amount: 1")
    c["unknown"] = r.commit("eve", "2026-11-13", "tidy")  # flagged
    r.write("notes.md", "hello\n")
    c["notes"] = r.commit("li", "2026-11-14", "notes")  # no deal file: not read
    r.git("mv", "deals/east/acme.yaml", "deals/east/acme-pumps.yaml")
    r.edit("deals/east/acme-pumps.yaml", "id: acme\n", "id: acme-pumps\n")
    c["rename"] = r.commit("li", "2026-11-15", "rename acme")  # one change, not two
    return r, c


def test_audit_reports_each_kind_with_commit_author_deal_and_day(team) -> None:
    r, c = team
    res = r.run("audit", today="2026-11-24")
    assert res.exit_code == 1, res.output
    s = {name: commit[:7] for name, commit in c.items()}
    assert res.stdout.splitlines() == [
        "audit of HEAD since 2026-10-25: 10 commits, 10 deal file changes",
        "",
        "Forced moves and waivers not committed by a manager of the owner (1):",
        f"  {s['rep forces']}  2026-11-05  li.wei  acme: nurture 2026-11-05, forced: the CFO "
        "said yes, waived need_identified, need>=2; by its owner (managers: mia.chen)",
        "",
        "Deals changed by someone who neither owns them nor manages their owner (1):",
        f"  {s['outsider']}  2026-11-08  li.wei  nordic: neither the owner (marco.rossi) nor a "
        "manager (tom.ford)",
        "",
        "History or outcome rewritten after the fact (1):",
        f"  {s['backdated']}  2026-11-10  marco.rossi  nordic: history entry edited: lead "
        "2026-11-02: date 2026-11-02 -> 2026-10-20",
        "",
        "Stage changed by hand, without a history entry (1):",
        f"  {s['by hand']}  2026-11-12  marco.rossi  nordic: stage lead -> evaluation",
        "",
        "Authors whose email is in no people: entry of stages.yaml (1):",
        f"  eve@elsewhere.example (Eve): 1 commit: {s['unknown']}",
        "",
        "5 findings",
    ]


def test_audit_json_and_a_clean_range_exits_0(team) -> None:
    r, c = team
    res = r.run("audit", "--json", today="2026-11-24")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert (data["range"], data["since"], data["commits"], data["changes"]) == (
        None, "2026-10-25", 10, 10)
    assert [(f["kind"], f["commit"], f["person"], f["deal"]) for f in data["findings"]] == [
        ("forced", c["rep forces"], "li.wei", "acme"),
        ("outsider", c["outsider"], "li.wei", "nordic"),
        ("rewritten", c["backdated"], "marco.rossi", "nordic"),
        ("by_hand", c["by hand"], "marco.rossi", "nordic"),
        ("unknown_author", c["unknown"], None, None)]
    assert data["findings"][0]["date"] == "2026-11-05T12:00:00Z"
    assert data["findings"][0]["entry"]["waived"] == ["need_identified", "need>=2"]
    # the manager's forced move, the other manager's visit, the owner's rename (and a
    # commit of no deal file): nothing to report
    for first, last in (("rep forces", "manager forces"), ("outsider", "manager acts"),
                        ("unknown", "rename")):
        clean = r.run("audit", f"{c[first]}..{c[last]}")
        assert clean.exit_code == 0, clean.output
    assert clean.stdout == (f"audit of {c['unknown']}..{c['rename']}: 1 commit, 1 deal file "
                            "change: nothing to report\n")
    assert r.run("audit", f"{c['rep forces']}..{c['manager acts']}").exit_code == 1


def test_the_default_range_is_the_last_30_days_of_today(team, monkeypatch) -> None:
    r, _ = team

    def counted(today: str | None, env: bool = False) -> tuple[int, int]:
        if env:
            monkeypatch.setenv("FUNNELCTL_TODAY", today)
            res = CliRunner().invoke(app, ["--dir", str(r.root), "audit", "--json"])
        else:
            res = r.run("audit", "--json", today=today)
        data = json.loads(res.stdout)
        return data["commits"], res.exit_code

    assert counted("2026-12-05") == (8, 1)  # since 2026-11-05: the two new deals are out
    assert counted("2026-12-06", env=True) == (7, 1)  # since 11-06: the rep's forced move too
    assert counted("2026-12-15") == (1, 0)  # since 11-15: the rename alone
    assert counted("2026-12-16") == (0, 0)


def test_audit_in_markdown_for_the_ci_summary(team) -> None:
    r, c = team
    out = r.run("audit", "--format", "md", today="2026-11-24").stdout
    assert out.startswith("## Audit of HEAD since 2026-10-25\n\n10 commits, 10 deal file "
                          "changes, 5 findings.\n")
    assert (f"| `{c['by hand'][:7]}` | 2026-11-12 | marco.rossi | nordic | stage lead -> "
            "evaluation |") in out


def test_a_bad_range_is_a_usage_error_and_outside_git_one_line(team, tmp_path: Path,
                                                              monkeypatch) -> None:
    r, _ = team
    for bad in ("nope..HEAD", "--all"):
        res = r.run("audit", "--", bad) if bad.startswith("-") else r.run("audit", bad)
        assert res.exit_code == 2, (bad, res.output)
        assert res.stdout == ""
        assert res.stderr.startswith(f"funnelctl: REV-RANGE {bad!r}: ")
        assert res.stderr.count("\n") == 1
    alone = tmp_path / "alone"
    (alone / "deals").mkdir(parents=True)
    (alone / "stages.yaml").write_text(STAGES, encoding="utf-8")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    res = CliRunner().invoke(app, ["--dir", str(alone), "audit"])
    assert res.exit_code == 1
    assert res.stderr == (f"funnelctl: audit needs a git repository: {alone} is not in one "
                          f"(run 'git init' there, or 'funnelctl init')\n")


def test_an_empty_repository_has_nothing_to_audit(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    (tmp_path / "deals").mkdir()
    (tmp_path / "stages.yaml").write_text(STAGES, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    res = CliRunner().invoke(app, ["--dir", str(tmp_path), "--today", "2026-11-24", "audit"])
    assert res.exit_code == 0, res.output
    assert res.stdout == "audit of HEAD since 2026-10-25: 0 commits, 0 deal file changes: " \
                         "nothing to report\n"


def test_audit_runs_one_log_and_one_cat_file(team, monkeypatch) -> None:
    """Whatever the number of commits; the blobs asked for are those of deal files."""
    from funnelctl.gitio import run

    r, c = team
    calls: list[tuple[tuple[str, ...], bytes | None]] = []
    real = run.git

    def counted(cwd, *args, **kw):
        calls.append((args, kw.get("input")))
        return real(cwd, *args, **kw)

    monkeypatch.setattr(run, "git", counted)
    r.run("audit", today="2026-11-24")
    names = [a[0] for a, _ in calls]
    assert names.count("log") == 1 and names.count("cat-file") == 1 and len(calls) == 3
    asked = next(i for a, i in calls if a[0] == "cat-file").split()
    notes = r.git("rev-parse", f"{c['notes']}:notes.md").strip()
    assert notes.encode() not in asked
    # every version of the two deals, each once: the 2 first ones, then the one each of
    # the 8 later commits made (the rename changed the id line too)
    assert len(asked) == len(set(asked)) == 2 + 8


def test_audit_of_a_pipeline_below_the_top_of_the_repository(tmp_path: Path,
                                                             monkeypatch) -> None:
    """Commits outside the pipeline's deals/ are not read; paths are the pipeline's."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("TZ", "UTC")
    r = Repo(tmp_path / "company", sub="sales")
    r.write("deals/east/acme.yaml", ACME)
    r.commit("li", "2026-11-02", "new acme")
    (tmp_path / "company" / "deals").mkdir()  # another folder called deals, not the pipeline's
    (tmp_path / "company" / "deals" / "x.yaml").write_text("id: x\n", encoding="utf-8")
    r.edit("deals/east/acme.yaml", "stage: lead", "stage: nurture")
    hand = r.commit("li", "2026-11-03", "by hand")
    data = json.loads(r.run("audit", "--json").stdout)
    assert (data["commits"], data["changes"]) == (2, 2)
    assert [(f["kind"], f["commit"], f["path"]) for f in data["findings"]] == [
        ("by_hand", hand, "deals/east/acme.yaml")]
