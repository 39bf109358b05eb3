"""The repository's own pipeline is a working sample: it validates and shows every
diagnosis the method knows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from rich.cells import cell_len
from typer.testing import CliRunner

from funnelctl.cli.app import app

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["--dir", str(ROOT), "--no-cache", "--today", "2026-11-24",
                                    *args], env={"COLUMNS": "100", "NO_COLOR": "1", **(env or {})})


def test_sample_validates_and_is_large_enough() -> None:
    res = run("validate")
    assert res.exit_code == 0, res.stdout
    deals = json.loads(run("list", "--json").stdout)
    assert len(deals) >= 40
    assert {d["owner"] for d in deals} == {"li.wei", "anna.berg", "marco.rossi", "zhang.min"}
    assert {d["status"] for d in deals} == {"open", "won", "lost"}
    assert {d["stage"] for d in deals} >= {"lead", "nurture", "evaluation", "negotiation", "won"}


def test_sample_spans_six_months_of_history() -> None:
    plan = json.loads(run("review", "--json", "--since", "2026-05-01").stdout)
    dates = [dt.date.fromisoformat(m["date"]) for m in plan["team"]["moved"]]
    assert min(dates) <= dt.date(2026, 6, 1) and max(dates) >= dt.date(2026, 11, 17)


def test_sample_shows_every_diagnosis() -> None:
    team = {d["kind"] for d in json.loads(run("funnel", "--json").stdout)["diagnosis"]}
    assert {"bulge", "thin_top", "late_entries", "late_entry_rep"} <= team
    per = json.loads(run("funnel", "--by", "owner", "--json").stdout)["owners"]
    kinds = {o: {d["kind"] for d in f["diagnosis"]} for o, f in per.items()}
    assert "bulge" in kinds["anna.berg"]
    assert kinds["li.wei"] == {"clean"}
    assert "late_entry_rep" in kinds["marco.rossi"]
    assert "thin_top" in kinds["zhang.min"]
    stalls = json.loads(run("stalls", "--json").stdout)
    assert {w["kind"] for w in stalls["warnings"]} == {
        "stalled", "judge", "follow_up", "no_progress", "next_overdue", "no_next_step"}
    assert stalls["snoozed"]
    rv = json.loads(run("review", "--json").stdout)
    assert {m["kind"] for m in rv["team"]["moved"]} == {
        "won", "lost", "advanced", "regressed", "inflow"}
    assert rv["waivers"]


def test_chinese_labels_render_aligned(tmp_path: Path) -> None:
    CliRunner().invoke(app, ["init", str(tmp_path), "--template", "zh"])
    res = CliRunner().invoke(app, ["--dir", str(tmp_path), "target", "10"],
                             env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert res.exit_code == 0, res.output
    rows = [line for line in res.stdout.splitlines() if line.startswith(("线索", "需求", "方案",
                                                                           "商务"))]
    assert len(rows) == 4
    # the last column is right-aligned: every row ends at the same screen column,
    # with labels two cells wide per character
    widths = {cell_len(line.rstrip()) for line in rows}
    assert len(widths) == 1, rows


def test_the_team_is_the_sum_of_its_reps() -> None:
    """The team's funnel, figures and conversion are summed from the reps' tallies;
    on the sample they equal what one pass over all its deals gives."""
    from funnelctl.analysis.funnel import funnel_shape
    from funnelctl.analysis.review import process_figures, weekly_review
    from funnelctl.store import load_all, load_pipeline

    root = Path(__file__).resolve().parent.parent
    p = load_pipeline(root, use_cache=False)
    deals = load_all(root, p, use_cache=False).deals
    today = dt.date(2026, 11, 24)
    team = weekly_review(deals, p, today, today - dt.timedelta(days=7)).team
    assert len({d.owner for d in deals}) == 4
    whole = funnel_shape(deals, p)
    assert [(s.count, round(s.amount, 2), round(s.weighted, 2), s.observed_base)
            for s in team.funnel.stages] == \
        [(s.count, round(s.amount, 2), round(s.weighted, 2), s.observed_base)
         for s in whole.stages]
    assert team.funnel.diagnosis == whole.diagnosis
    assert team.figures == process_figures(deals, p, today)
