"""Work set aside in a forked child gives the answer it gives here."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl import aside
from funnelctl.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
LINUX = sys.platform == "linux" and (os.cpu_count() or 1) >= 2


def _where(n: int) -> tuple[int, list[int]]:
    return os.getpid(), [i * i for i in range(n)]


@pytest.mark.skipif(not LINUX, reason="forks only on Linux with two cores")
def test_forked_runs_in_a_child_and_returns_its_result() -> None:
    later = aside.forked(_where, 50_000)  # a result larger than a pipe's buffer
    pid, squares = later()
    assert pid != os.getpid()
    assert squares == [i * i for i in range(50_000)]
    assert later() is later()  # read once, then kept


def _fails(message: str) -> None:
    raise ValueError(message)


def test_an_error_in_the_child_is_raised_here() -> None:
    later = aside.forked(_fails, "no such stage")
    with pytest.raises(ValueError, match="no such stage"):
        later()


def test_here_runs_at_once() -> None:
    calls = []
    later = aside.here(calls.append, 1)
    assert calls == [1]
    assert later() is None


def test_small_work_stays_here() -> None:
    assert aside.for_size(aside.FORK_FROM - 1) is None
    assert aside.for_size(aside.FORK_FROM) is (aside.forked if aside.can_fork() else None)


def _review(*args: str, styled: bool = False) -> str:
    env = {"COLUMNS": "100", **({"FORCE_COLOR": "1"} if styled else {"NO_COLOR": "1"})}
    res = CliRunner().invoke(app, ["--dir", str(ROOT), "--no-cache", "--today", "2026-11-24",
                                   "review", *args], env=env)
    assert res.exit_code == 0, res.output
    return res.stdout


FORMATS = [(), ("--json",), ("--format", "md"), ("--owner", "li.wei"),
           ("--format", "md", "--team", "east")]


@pytest.mark.skipif(not LINUX, reason="forks only on Linux with two cores")
def test_the_review_is_the_same_when_work_is_forked(monkeypatch) -> None:
    """The sample pipeline's review in every format, with the first reps' sections
    reviewed and written by a child, is what one process writes."""
    monkeypatch.setattr(aside, "FORK_FROM", 10**9)
    alone = [_review(*args) for args in FORMATS]
    forks = []
    real = aside.forked
    monkeypatch.setattr(aside, "FORK_FROM", 1)
    monkeypatch.setattr(aside, "forked", lambda fn, *a: forks.append((fn, a)) or real(fn, *a))
    assert [_review(*args) for args in FORMATS] == alone
    # --no-cache: each run lists the deal files in a child while stages.yaml is validated
    assert sum(fn.__name__ == "deal_files" for fn, _ in forks) == len(FORMATS)
    forks = [(fn, a) for fn, a in forks if fn.__name__ != "deal_files"]
    # text and Markdown: a child reviews the reps that hold the first half of the deals,
    # this process the rest; --json is not forked
    assert [fn.__name__ for fn, _ in forks] == ["reviewed"] * 4
    # (the sample's reps hold 26, 36, 27 and 7 deals: the first two pass 48 of 96)
    assert [[o for o, _ in a[0]] for _, a in forks] == [
        ["anna.berg", "li.wei"], ["anna.berg", "li.wei"], ["li.wei"], ["anna.berg", "li.wei"]]


@pytest.mark.skipif(not LINUX, reason="forks only on Linux with two cores")
def test_a_styled_review_is_the_same_when_a_child_writes_part(monkeypatch) -> None:
    """On a terminal (styles, colours), the sections a child writes join the rest
    exactly where one process would have written them."""
    monkeypatch.setattr(aside, "FORK_FROM", 10**9)
    alone = _review(styled=True)
    monkeypatch.setattr(aside, "FORK_FROM", 1)
    forked = _review(styled=True)
    assert "\x1b[1m" in alone and alone.count("\n") > 200
    assert forked == alone
