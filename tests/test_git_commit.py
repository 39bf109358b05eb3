"""--commit on every write command, against real git in a temporary repository: one
commit per change, only the deal file, the user's own identity, a structured
subject; a commit that fails leaves the file written, says so, and exits 1."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import World

ISOLATED = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_DATE": "2026-11-24T10:00:00",
            "GIT_COMMITTER_DATE": "2026-11-24T10:00:00"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def repo(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """The world as a git repository with one committed deal and the identity of Ann."""
    monkeypatch.setenv("HOME", str(tmp_path))  # no global git config of this machine
    for k, v in ISOLATED.items():
        monkeypatch.setenv(k, v)
    world.deal("acme", extra="""\
        milestones:
          need_identified: {date: 2026-11-02}
        levels:
          need: {level: 2, date: 2026-11-03, evidence: asked twice}
        # notes kept by the rep
        """)
    git(world.root, "init", "-q", "-b", "main")
    git(world.root, "config", "user.name", "Ann Lee")
    git(world.root, "config", "user.email", "ann@acme.example")
    git(world.root, "add", "-A")
    git(world.root, "commit", "-qm", "start")
    return world


def last_commit(root: Path) -> tuple[str, str, list[str]]:
    """(author, full message, files) of HEAD."""
    author = git(root, "log", "-1", "--format=%an <%ae>")
    message = git(root, "log", "-1", "--format=%B")
    files = git(root, "show", "--name-only", "--format=", "HEAD").split()
    return author.strip(), message.strip(), files


CHANGES = [
    (["act", "acme", "-k", "visit", "-g", "meet the CFO", "-r", "budget confirmed"],
     "act acme: visit", ["goal: meet the CFO", "result: budget confirmed", "moved: no"]),
    (["tick", "acme", "budget_approved", "-e", "CFO email of 3 May"],
     "tick acme: budget_approved", ["evidence: CFO email of 3 May"]),
    (["score", "acme", "need", "3", "-e", "in writing"],
     "score acme: need 2 -> 3", ["evidence: in writing"]),
    (["advance", "acme"], "advance acme: lead -> nurture", ["move: advanced"]),
    (["lose", "acme", "--reason", "competitor", "--competitor", "DHL"],
     "lose acme: competitor (DHL)", ["date: 2026-11-24"]),
    (["win", "acme", "--force", "--reason", "signed in a hurry"],
     "win acme", ["forced: yes", "reason: signed in a hurry"]),
    (["snooze", "acme", "--until", "2027-01-15", "--reason", "budget cycle"],
     "snooze acme: until 2027-01-15", ["reason: budget cycle"]),
]


@pytest.mark.parametrize("args,subject,body", CHANGES, ids=[c[1] for c in CHANGES])
def test_each_write_commits_only_its_deal(repo: World, args, subject, body) -> None:
    # work the user has staged stays staged and out of funnelctl's commit
    repo.write("notes.txt", "draft\n")
    git(repo.root, "add", "notes.txt")
    before = git(repo.root, "rev-parse", "HEAD").strip()
    res = repo.run(*args, "--commit")
    assert res.exit_code == 0, res.output
    author, message, files = last_commit(repo.root)
    assert git(repo.root, "rev-parse", "HEAD~1").strip() == before  # exactly one commit
    assert author == "Ann Lee <ann@acme.example>"
    assert message.splitlines()[0] == subject
    for line in body:
        assert line in message.splitlines()
    assert files == ["deals/acme.yaml"]
    assert git(repo.root, "status", "--porcelain") == "A  notes.txt\n"
    assert f"committed {git(repo.root, 'rev-parse', 'HEAD')[:10]}: {subject}" in res.stdout


def test_new_commits_the_new_file(repo: World) -> None:
    res = repo.run("new", "--account", "华东泵业", "--title", "冷却水泵", "--owner", "bob",
                   "--amount", "80000", "--id", "hd-pump", "--commit")
    assert res.exit_code == 0, res.output
    _, message, files = last_commit(repo.root)
    assert message.splitlines()[0] == "new hd-pump: 华东泵业, 冷却水泵"
    assert files == ["deals/hd-pump.yaml"]
    assert git(repo.root, "status", "--porcelain") == ""


def test_stages_yaml_commit_true_is_the_default_and_no_commit_overrides(repo: World) -> None:
    repo.write("stages.yaml", repo.read("stages.yaml") + "commit: true\n")
    git(repo.root, "commit", "-qam", "commit by default")
    assert repo.run("tick", "acme", "budget_approved", "-e", "ok").exit_code == 0
    assert last_commit(repo.root)[1].splitlines()[0] == "tick acme: budget_approved"
    head = git(repo.root, "rev-parse", "HEAD")
    res = repo.run("act", "acme", "-k", "call", "-g", "check", "--no-commit")
    assert res.exit_code == 0, res.output
    assert git(repo.root, "rev-parse", "HEAD") == head
    assert git(repo.root, "status", "--porcelain") == " M deals/acme.yaml\n"


def test_outside_a_repository_nothing_is_written(world: World) -> None:
    world.deal("acme")
    before = world.read("deals/acme.yaml")
    res = world.run("act", "acme", "-k", "visit", "-g", "meet", "--commit")
    assert res.exit_code == 1
    assert res.stderr.strip() == (f"funnelctl: --commit needs a git repository: {world.root} "
                                  "is not in one (run 'git init' there, or 'funnelctl init')")
    assert world.read("deals/acme.yaml") == before
    # without --commit the same write works as ever
    assert world.run("act", "acme", "-k", "visit", "-g", "meet").exit_code == 0


def test_no_identity_leaves_the_file_written_and_says_so(repo: World) -> None:
    git(repo.root, "config", "--unset", "user.email")
    git(repo.root, "config", "user.useConfigOnly", "true")
    head = git(repo.root, "rev-parse", "HEAD")
    res = repo.run("tick", "acme", "budget_approved", "-e", "ok", "--commit")
    assert res.exit_code == 1
    assert res.stderr.strip() == ("funnelctl: deals/acme.yaml written but not committed: git "
                                  "does not know who you are: set git config user.name and "
                                  "user.email")
    assert "budget_approved:" in repo.read("deals/acme.yaml")
    assert git(repo.root, "rev-parse", "HEAD") == head


def test_a_hook_refusing_leaves_the_file_written_and_says_so(repo: World) -> None:
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'no commits on friday' >&2\nexit 1\n")
    hook.chmod(0o755)
    res = repo.run("score", "acme", "need", "3", "-e", "in writing", "--commit")
    assert res.exit_code == 1
    assert res.stderr.strip() == ("funnelctl: deals/acme.yaml written but not committed: git "
                                  "commit failed: no commits on friday")
    assert "level: 3" in repo.read("deals/acme.yaml")


def test_the_subject_stays_one_line_whatever_was_typed(repo: World) -> None:
    res = repo.run("lose", "acme", "--reason", "competitor", "--competitor",
                   "DHL\nSigned-off-by: boss", "--commit")
    assert res.exit_code == 0, res.output
    subject = last_commit(repo.root)[1].splitlines()[0]
    assert subject == "lose acme: competitor (DHL\\nSigned-off-by: boss)"


def test_lose_keeps_the_comment_after_next(repo: World) -> None:
    """The issue's case: lose and win --force deleted the comment that follows next:."""
    text = repo.read("deals/acme.yaml").replace(
        "# notes kept by the rep",
        "next: {date: 2026-11-30, step: call back}\n# notes kept by the rep")
    repo.write("deals/acme.yaml", text)
    res = repo.run("lose", "acme", "--reason", "no_decision", "--commit")
    assert res.exit_code == 0, res.output
    assert "# notes kept by the rep\n" in repo.read("deals/acme.yaml")
