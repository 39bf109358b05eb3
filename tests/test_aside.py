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


def _review(*args: str) -> str:
    res = CliRunner().invoke(app, ["--dir", str(ROOT), "--no-cache", "--today", "2026-11-24",
                                   "review", *args], env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.mark.skipif(not LINUX, reason="forks only on Linux with two cores")
def test_the_review_is_the_same_when_work_is_forked(monkeypatch) -> None:
    """The sample pipeline's review in every format, with the tallies counted by a
    child and the sections rendered by one, is what one process writes."""
    monkeypatch.setattr(aside, "FORK_FROM", 10**9)
    alone = [_review(), _review("--json"), _review("--format", "md")]
    forks = []
    real = aside.forked
    monkeypatch.setattr(aside, "FORK_FROM", 1)
    monkeypatch.setattr(aside, "forked", lambda fn, *a: forks.append(fn) or real(fn, *a))
    assert [_review(), _review("--json"), _review("--format", "md")] == alone
    # the tallies for each format, and half the sections of text and Markdown
    assert [f.__name__ for f in forks] == ["_tallies", "rendered", "_tallies", "_tallies",
                                           "_sections"]


@pytest.mark.skipif(not LINUX, reason="forks only on Linux with two cores")
def test_a_styled_review_is_the_same_when_a_child_renders_half() -> None:
    """On a terminal (styles, colours), the half a child renders joins the rest
    exactly where one process would have written it."""
    import datetime as dt
    import io

    from rich.console import Console

    from funnelctl.analysis.review import weekly_review
    from funnelctl.render.views import review
    from funnelctl.store import load_all, load_pipeline

    p = load_pipeline(ROOT, use_cache=False)
    deals = load_all(ROOT, p, use_cache=False).deals
    today = dt.date(2026, 11, 24)
    rv = weekly_review(deals, p, today, today - dt.timedelta(days=7))
    outputs = []
    for how in (None, aside.forked):
        con = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      width=100, highlight=False)
        review(con, rv, p, how)
        outputs.append(con.file.getvalue())
    assert "\x1b[1m" in outputs[0] and outputs[0].count("\n") > 200
    assert outputs[1] == outputs[0]
