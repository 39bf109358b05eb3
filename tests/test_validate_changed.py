"""`funnelctl validate --changed [REV]`: only what git says changed, in a real
repository; and the pre-commit hook that runs it."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import REPO, World, deal_yaml


@pytest.fixture
def repo(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    """The world's pipeline committed in a repository of its own: three good deals and
    one broken one (an old problem the next commit is not about)."""
    for k in list(os.environ):
        if k.startswith("GIT_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for k, v in (("NAME", "Rep"), ("EMAIL", "rep@example.invalid")):
        monkeypatch.setenv(f"GIT_AUTHOR_{k}", v)
        monkeypatch.setenv(f"GIT_COMMITTER_{k}", v)
    world.write(".gitignore", ".funnelctl-cache/\n")
    world.deal("acme", folder="east")
    world.deal("bolt", folder="east")
    world.deal("carl", folder="west")
    world.write("deals/west/old-bad.yaml", deal_yaml("old-bad", stage="nowhere"))
    git(world.root, "init", "--quiet")
    commit(world.root, "the pipeline")
    return world


def git(cwd: Path, *args: str) -> str:
    res = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert res.returncode == 0, f"git {' '.join(args)}: {res.stderr}"
    return res.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", message)


def test_only_the_changed_deals_are_checked(repo: World) -> None:
    res = repo.run("validate")  # the full check finds the old problem
    assert res.exit_code == 1 and "deals/west/old-bad.yaml:7: unknown stage" in res.stdout
    assert repo.run("validate", "--changed").stdout == "ok: 0 changed deals, no problems\n"
    repo.deal("acme", folder="east", amount=5)  # edited, not staged
    repo.write("deals/east/bolt.yaml", deal_yaml("bolt", status="maybe"))
    git(repo.root, "add", "deals/east/bolt.yaml")  # staged
    repo.deal("dora", folder="north")  # new, untracked
    (repo.root / "deals/west/carl.yaml").unlink()  # deleted: nothing to check
    res = repo.run("validate", "--changed")
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        "deals/east/bolt.yaml:8: status: Input should be 'open', 'won' or 'lost'",
        "1 problem in 1 file (1 left out); 2 changed deals read"]
    res = repo.run("validate", "--changed", "--json")
    assert res.exit_code == 1
    assert '"deals": 2' in res.stdout and "old-bad" not in res.stdout


def test_an_id_is_checked_against_every_other_file(repo: World) -> None:
    repo.write("deals/north/ACME.yaml", deal_yaml("ACME"))  # new
    repo.write("deals/south/bolt.yml", deal_yaml("bolt"))
    git(repo.root, "mv", "deals/west/carl.yaml", "deals/west/Bolt.yaml")  # renamed
    repo.write("deals/west/Bolt.yaml", deal_yaml("Bolt"))
    repo.deal("acme", folder="east", amount=5)  # edited in place: its name is no news
    res = repo.run("validate", "--changed")
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        "deals/north/ACME.yaml:1: id 'ACME' is also used, as 'acme', by deals/east/acme.yaml",
        "deals/south/bolt.yml:1: id 'bolt' is also used by deals/east/bolt.yaml",
        "deals/south/bolt.yml:1: id 'bolt' is also used, as 'Bolt', by deals/west/Bolt.yaml",
        "deals/west/Bolt.yaml:1: id 'Bolt' is also used, as 'bolt', by deals/east/bolt.yaml",
        "deals/west/Bolt.yaml:1: id 'Bolt' is also used, as 'bolt', by deals/south/bolt.yml",
        "5 problems in 3 files (0 left out); 4 changed deals read"]


def test_a_revision_further_back_and_what_is_not_a_deal(repo: World) -> None:
    repo.deal("acme", folder="east", amount=7)
    repo.write("deals/east/notes.md", "# not a deal\n")
    repo.write("deals/east/.hidden.yaml", "id: [\n")
    commit(repo.root, "more")
    repo.deal("bolt", folder="east", amount=8)
    assert repo.run("validate", "--changed").stdout == "ok: 1 changed deal, no problems\n"
    assert repo.run("validate", "--changed", "HEAD~1").stdout == \
        "ok: 2 changed deals, no problems\n"
    git(repo.root, "tag", "review/2026-11-17", "HEAD~1")
    assert repo.run("validate", "--changed", "review/2026-11-17").stdout == \
        "ok: 2 changed deals, no problems\n"


def test_a_renamed_deal_is_checked_under_its_new_name(repo: World) -> None:
    git(repo.root, "mv", "deals/east/acme.yaml", "deals/east/acme-pumps.yaml")
    res = repo.run("validate", "--changed")
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        "deals/east/acme-pumps.yaml:1: id 'acme' differs from the file name 'acme-pumps'",
        "1 problem in 1 file (0 left out); 1 changed deal read"]


def test_a_conflict_left_in_a_changed_deal_is_named_by_line(repo: World) -> None:
    text = repo.read("deals/east/acme.yaml").replace(
        "amount: 1000\n", "<<<<<<< ours\namount: 1000\n=======\namount: 2000\n>>>>>>> theirs\n")
    repo.write("deals/east/acme.yaml", text)
    res = repo.run("validate", "--changed")
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0] == ("deals/east/acme.yaml:5: a git merge conflict marker "
                                          "(<<<<<<<): resolve the conflict")


def test_a_changed_stages_yaml_checks_every_deal(repo: World) -> None:
    stages = repo.root / "stages.yaml"
    stages.write_text(stages.read_text() + "# a comment\n")
    res = repo.run("validate", "--changed")
    assert res.exit_code == 1
    assert "deals/west/old-bad.yaml:7: unknown stage" in res.stdout
    assert res.stdout.splitlines()[-1].endswith("4 deals read")
    assert res.stderr == "note: stages.yaml changed since HEAD: every deal is checked against it\n"


def test_the_first_commit_checks_everything(world: World, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    world.deal("acme")
    git(world.root, "init", "--quiet")
    res = world.run("validate", "--changed")
    assert res.exit_code == 0, res.output
    assert res.stdout == "ok: 1 deal, no problems\n"  # stages.yaml is new: all of it


def test_an_unknown_revision_is_a_usage_error(repo: World) -> None:
    res = repo.run("validate", "--changed", "no-such-branch")
    assert res.exit_code == 2
    assert res.stderr == "funnelctl: no-such-branch: no such revision in this repository\n"
    res = repo.run("validate", "HEAD")
    assert res.exit_code == 2
    assert res.stderr == ("funnelctl: 'HEAD': a revision is for --changed (funnelctl validate "
                          "--changed HEAD)\n")


def test_validate_changed_outside_a_repository_says_it_needs_one(world: World) -> None:
    world.deal("acme")
    res = world.run("validate", "--changed")
    assert res.exit_code == 1
    assert res.stderr == (f"funnelctl: validate --changed needs a git repository: {world.root} "
                          "is not in one (run 'git init' there, or 'funnelctl init')\n")
    assert world.run("validate").stdout == "ok: 1 deal, no problems\n"


def test_the_pre_commit_hook_runs_validate_changed_on_deal_and_stages_files() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["funnelctl-validate"]
    hook = hooks[0]
    assert hook["entry"] == "funnelctl validate --changed"
    assert (hook["language"], hook["pass_filenames"]) == ("python", False)
    files = re.compile(hook["files"])
    assert [p for p in ("deals/acme.yaml", "deals/east/acme.yml", "stages.yaml", "README.md",
                        "deals/notes.md", "sales/stages.yaml") if files.search(p)] == [
        "deals/acme.yaml", "deals/east/acme.yml", "stages.yaml"]
