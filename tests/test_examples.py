"""Every ``Example:`` in a command's --help runs as written on a copy of the
repository's sample pipeline: a reader who pastes one gets what it promises.

The copy is a clone of a repository holding the sample (so that ``origin/main``,
a deal's history and ``--commit`` are there), with a git identity (the manager's,
as ``check`` and ``judge`` take it), last week's review tagged
(``review/2026-11-17``, as ``review --tag`` would have left it), the CRM export
``import``'s example names (``deals.csv``), and the clock at 2026-11-24. The
examples of a command that writes (one with --commit) run each on a copy of their
own; the others share one, whose parse cache they fill once.

An example is read as a shell would read it: ``VAR=value`` before a command sets
the environment, ``> FILE`` and ``>> FILE`` write the output to a file, ``&&``
joins steps, ``cd`` changes the folder, ``git`` runs git; funnelctl runs in this
process. A remark after two blanks or on a line of its own in
parentheses (``(refuses and lists what is missing)``) is no part of the command;
``REMOTE`` stands for the repository the copy was cloned from.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from funnelctl.cli.app import app

from .conftest import copy_sample

TODAY = "2026-11-24"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
# The exit an example documents when it is not 0: advance's refuses and lists what
# the deal is missing (exit 1)
EXPECTED_EXIT = {"funnelctl advance": 1}
# A HubSpot deals export, as import's example reads it
HUBSPOT_CSV = """\
Record ID,Deal Name,Associated Company,Deal owner,Amount,Deal Stage,Create Date,Close Date
9001,Line 3 cooling,Acme Pumps,Li Wei,120000,Qualified To Buy,2026-10-01,2027-03-31
9002,Boiler retrofit,Acme Pumps,Li Wei,80000,Appointment Scheduled,2026-11-02,2027-05-31
"""
_EXAMPLE = re.compile(r"^Example: (.*(?:\n(?!\n|\().+)*)", re.M)


def examples() -> list[tuple[str, str, bool]]:
    """(command, example, whether the command writes) for every ``Example:`` of every
    command's help, the lines of one example joined, the remarks taken off."""
    out = []

    def walk(cmd, path: list[str]) -> None:
        for name, sub in sorted(cmd.commands.items()):
            if hasattr(sub, "commands"):
                walk(sub, [*path, name])
                continue
            writes = any("--commit" in p.opts for p in sub.params)
            for m in _EXAMPLE.finditer(sub.help or ""):
                text = re.sub(r"\s*\n\s*", " ", m.group(1).strip())
                text = re.sub(r" {2,}\(.*\)$", "", text)
                out.append((" ".join([*path, name]), text, writes))

    walk(typer.main.get_command(app), [])
    return out


EXAMPLES = examples()


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding the sample pipeline, last week's review tagged."""
    root = copy_sample(tmp_path_factory.mktemp("origin") / "sales")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the sample pipeline")
    git(root, "tag", "review/2026-11-17")
    return root


@pytest.fixture(scope="module")
def clone(origin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample as a user has it: cloned, with a git identity and a CRM export."""
    work = tmp_path_factory.mktemp("clone") / "sales"
    git(origin.parent, "clone", "-q", str(origin), str(work))
    git(work, "config", "user.name", "Mia Chen")
    git(work, "config", "user.email", "mia.chen@example.com")
    (work / "deals.csv").write_text(HUBSPOT_CSV, encoding="utf-8")
    return work


@pytest.fixture(scope="module")
def shared(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the clone for the examples that only read."""
    work = tmp_path_factory.mktemp("shared") / "sales"
    shutil.copytree(clone, work, symlinks=True)
    return work


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GIT_ENV.items():
        if not name.startswith("GIT_AUTHOR") and not name.startswith("GIT_COMMITTER"):
            monkeypatch.setenv(name, value)  # the identity is the clone's own
    monkeypatch.setenv("FUNNELCTL_TODAY", TODAY)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("VISUAL", "true")  # `edit`: an editor that saves nothing
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("FUNNELCTL_DIR", "FUNNELCTL_LANG", "LC_ALL", "LC_MESSAGES",
                 "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)


def run_example(text: str, cwd: Path, remote: Path) -> tuple[int, str]:
    """Run an example's steps in ``cwd``; the exit of the last step and what the
    steps printed."""
    words = list(shlex.shlex(text.replace("REMOTE", shlex.quote(str(remote))), posix=True,
                             punctuation_chars="&>"))
    steps: list[list[str]] = [[]]
    for w in words:
        if w == "&&":
            steps.append([])
        else:
            steps[-1].append(w)
    code, said = 0, ""
    for step in steps:
        env = {}
        while step and re.fullmatch(r"[A-Z_]+=.*", step[0]):
            name, _eq, value = step.pop(0).partition("=")
            env[name] = value
        target, mode = None, "w"
        for op in (">", ">>"):
            if op in step:
                i = step.index(op)
                target, mode = step[i + 1], "a" if op == ">>" else "w"
                del step[i:i + 2]
        if step[0] == "cd":
            cwd = cwd / step[1]
            continue
        if step[0] == "git":
            res = subprocess.run(step, cwd=cwd, capture_output=True, text=True,
                                 env={**os.environ, **env})
            code, said = res.returncode, said + res.stdout + res.stderr
            continue
        assert step[0] == "funnelctl", step
        old = os.getcwd()
        os.chdir(cwd)
        try:
            res = CliRunner().invoke(app, step[1:], env=env, catch_exceptions=False)
        finally:
            os.chdir(old)
        code = res.exit_code
        if target is not None:
            path = cwd / target
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, mode, encoding="utf-8") as f:
                f.write(res.stdout)
            said += res.stderr
        else:
            said += res.stdout + res.stderr
        if code:
            break
    return code, said


def test_every_command_shows_an_example() -> None:
    commands = {c for c, _e, _w in EXAMPLES}
    assert {"act", "review", "contact add", "merge-driver", "git-setup"} <= commands
    assert {c for c, _e, writes in EXAMPLES if writes} >= {"act", "new", "target"}
    assert len(EXAMPLES) >= 45


@pytest.mark.parametrize(("command", "example", "writes"), EXAMPLES,
                         ids=[f"{c}:{i}" for i, (c, _e, _w) in enumerate(EXAMPLES)])
def test_the_example_runs_as_written(command: str, example: str, writes: bool, clone: Path,
                                     shared: Path, origin: Path, tmp_path: Path,
                                     env: None) -> None:
    work = shared
    if writes:
        work = tmp_path / "sales"
        shutil.copytree(clone, work, symlinks=True)
    if example.startswith("git clone"):  # into a folder of its own
        work = tmp_path / "elsewhere"
        work.mkdir()
    code, said = run_example(example, work, origin)
    expected = next((c for prefix, c in EXPECTED_EXIT.items()
                     if example.startswith(prefix + " ")), 0)
    assert code == expected, f"{example}\nexit {code}:\n{said}"
