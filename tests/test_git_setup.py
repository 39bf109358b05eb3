"""`funnelctl git-setup` and the git parts of `funnelctl init`, in real repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl.cli.app import app

from .conftest import STAGES

DRIVER = "funnelctl merge-driver %O %A %B %P"
LINES = "deals/**/*.yaml merge=funnelctl\ndeals/**/*.yml merge=funnelctl\n"


@pytest.fixture(autouse=True)
def no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith(("GIT_", "FUNNELCTL_")):
            monkeypatch.delenv(k)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(cwd: Path, *args: str) -> str:
    res = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert res.returncode == 0, f"git {' '.join(args)}: {res.stderr}"
    return res.stdout


def config(repo: Path, key: str) -> str | None:
    res = subprocess.run(["git", "config", "--local", "--get", key], cwd=repo,
                         capture_output=True, text=True)
    return res.stdout.rstrip("\n") if res.returncode == 0 else None


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def pipeline(root: Path) -> Path:
    (root / "deals").mkdir(parents=True)
    (root / "stages.yaml").write_text(STAGES, encoding="utf-8")
    return root


# -- git-setup -----------------------------------------------------------------------


def test_git_setup_registers_the_driver_and_keeps_gitattributes_byte_for_byte(
        tmp_path: Path) -> None:
    pipeline(tmp_path)
    git(tmp_path, "init", "--quiet")
    old = b"*.png binary\r\n# a team's own line, no final line break"
    (tmp_path / ".gitattributes").write_bytes(old)
    res = run("--dir", str(tmp_path), "git-setup")
    assert res.exit_code == 0, res.output
    assert res.stdout == (f"added the merge driver's lines to {tmp_path / '.gitattributes'}\n"
                          "merge driver funnelctl registered in this clone's git config\n")
    assert (tmp_path / ".gitattributes").read_bytes() == old + b"\n" + LINES.encode()
    assert config(tmp_path, "merge.funnelctl.driver") == DRIVER
    assert config(tmp_path, "merge.funnelctl.name") == "funnelctl: deal files merged by meaning"
    assert git(tmp_path, "check-attr", "merge", "--", "deals/east/acme.yaml",
               "deals/acme.yml", "stages.yaml").splitlines() == [
        "deals/east/acme.yaml: merge: funnelctl", "deals/acme.yml: merge: funnelctl",
        "stages.yaml: merge: unspecified"]
    before = (tmp_path / ".gitattributes").read_bytes(), (tmp_path / ".git/config").read_bytes()
    res = run("--dir", str(tmp_path), "git-setup")  # again: nothing changes
    assert res.exit_code == 0
    assert res.stdout == "merge driver funnelctl already registered in this clone's git config\n"
    assert ((tmp_path / ".gitattributes").read_bytes(),
            (tmp_path / ".git/config").read_bytes()) == before


def test_lines_said_with_other_spacing_count_as_present(tmp_path: Path) -> None:
    pipeline(tmp_path)
    git(tmp_path, "init", "--quiet")
    old = "deals/**/*.yaml   merge=funnelctl\n"
    (tmp_path / ".gitattributes").write_text(old)
    assert run("--dir", str(tmp_path), "git-setup").exit_code == 0
    assert (tmp_path / ".gitattributes").read_text() == old + "deals/**/*.yml merge=funnelctl\n"


def test_a_pipeline_in_a_subfolder_gets_its_own_gitattributes(tmp_path: Path) -> None:
    git(tmp_path, "init", "--quiet")
    root = pipeline(tmp_path / "sales")
    res = run("--dir", str(root), "git-setup")
    assert res.exit_code == 0, res.output
    assert (root / ".gitattributes").read_text() == LINES
    assert not (tmp_path / ".gitattributes").exists()
    assert config(tmp_path, "merge.funnelctl.driver") == DRIVER
    assert git(tmp_path, "check-attr", "merge", "--", "sales/deals/a.yaml",
               "deals/a.yaml").splitlines() == ["sales/deals/a.yaml: merge: funnelctl",
                                                "deals/a.yaml: merge: unspecified"]


def test_git_setup_outside_a_repository_says_it_needs_one(tmp_path: Path) -> None:
    pipeline(tmp_path)
    res = run("--dir", str(tmp_path), "git-setup")
    assert res.exit_code == 1
    assert res.stderr == (f"funnelctl: git-setup needs a git repository: {tmp_path} is not in "
                          "one (run 'git init' there, or 'funnelctl init')\n")
    assert not (tmp_path / ".gitattributes").exists()


def test_a_symlinked_gitattributes_is_written_only_inside_the_repository(
        tmp_path: Path) -> None:
    repo = pipeline(tmp_path / "repo")
    git(repo, "init", "--quiet")
    outside = tmp_path / "shared.gitattributes"
    outside.write_text("keep\n")
    os.symlink(outside, repo / ".gitattributes")
    res = run("--dir", str(repo), "git-setup")
    assert res.exit_code == 1
    assert res.stderr == (f"funnelctl: {repo / '.gitattributes'} is a symlink that leads out "
                          "of the repository; nothing written\n")
    assert outside.read_text() == "keep\n"
    assert config(repo, "merge.funnelctl.driver") is None
    os.unlink(repo / ".gitattributes")
    (repo / "attributes").write_text("keep\n")
    os.symlink("attributes", repo / ".gitattributes")
    assert run("--dir", str(repo), "git-setup").exit_code == 0
    assert (repo / ".gitattributes").is_symlink()
    assert (repo / "attributes").read_text() == "keep\n" + LINES


# -- init ----------------------------------------------------------------------------


def test_init_makes_a_repository_with_the_driver_ignores_and_an_empty_deals_folder(
        tmp_path: Path) -> None:
    root = tmp_path / "sales"
    res = run("init", str(root))
    assert res.exit_code == 0, res.output
    assert res.stdout == (f"initialized a git repository in {root}\n"
                          f"created {root / 'stages.yaml'} and {root / 'deals'}/\n")
    assert (root / ".git").is_dir()
    assert (root / ".gitignore").read_text() == ".funnelctl-cache/\n.*.tmp\n"
    assert (root / ".gitattributes").read_text() == LINES
    assert (root / "deals" / ".gitkeep").read_bytes() == b""
    assert config(root, "merge.funnelctl.driver") == DRIVER
    # what a first commit takes: the pipeline, and nothing a command leaves behind
    (root / ".funnelctl-cache").mkdir()
    (root / "deals" / ".acme.yaml.k3j9x1.tmp").write_text("id: ac")
    status = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    # the deal schema is shared: git shows it
    assert sorted(status) == ["?? .funnelctl/deal.schema.json", "?? .gitattributes",
                              "?? .gitignore", "?? deals/.gitkeep", "?? stages.yaml"]


def test_init_with_no_git_leaves_git_alone(tmp_path: Path) -> None:
    root = tmp_path / "sales"
    res = run("init", "--no-git", str(root))
    assert res.exit_code == 0, res.output
    assert res.stdout == f"created {root / 'stages.yaml'} and {root / 'deals'}/\n"
    assert not (root / ".git").exists()
    assert (root / ".gitattributes").read_text() == LINES
    assert (root / "deals" / ".gitkeep").exists()


def test_init_inside_a_repository_does_not_make_another(tmp_path: Path) -> None:
    git(tmp_path, "init", "--quiet")
    (tmp_path / ".gitattributes").write_text("*.png binary\n")
    root = tmp_path / "sales"
    res = run("init", str(root))
    assert res.exit_code == 0, res.output
    assert res.stdout == f"created {root / 'stages.yaml'} and {root / 'deals'}/\n"
    assert not (root / ".git").exists()
    assert config(tmp_path, "merge.funnelctl.driver") == DRIVER
    assert (root / ".gitattributes").read_text() == LINES
    assert (tmp_path / ".gitattributes").read_text() == "*.png binary\n"


def test_init_keeps_no_gitkeep_beside_deals_that_exist(tmp_path: Path) -> None:
    (tmp_path / "deals" / "east").mkdir(parents=True)
    assert run("init", "--no-git", str(tmp_path)).exit_code == 0
    assert not (tmp_path / "deals" / ".gitkeep").exists()


def test_init_without_git_installed_writes_nothing_and_names_no_git(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    root = tmp_path / "sales"
    res = run("init", str(root))
    assert res.exit_code == 1
    assert res.stderr == ("funnelctl: git is not installed (or not on PATH); use --no-git to "
                          "set up the pipeline without git\n")
    assert not (root / "stages.yaml").exists() and not (root / ".gitignore").exists()


def test_init_refuses_a_symlinked_gitattributes(tmp_path: Path) -> None:
    target = tmp_path / "shared"
    target.write_text("keep\n")
    root = tmp_path / "sales"
    root.mkdir()
    os.symlink(target, root / ".gitattributes")
    res = run("init", str(root))
    assert res.exit_code == 1
    assert res.stderr == f"funnelctl: {root / '.gitattributes'} is a symlink; nothing written\n"
    assert target.read_text() == "keep\n" and not (root / "stages.yaml").exists()
