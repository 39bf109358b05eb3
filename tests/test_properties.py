"""A team's review is the sum of its reps': the funnel, the conversion bases and the
process counts of the team equal the sums over its reps, its funnel equals the one
`funnel` computes in one pass over all the deals, and its process figures those of
one rep holding all its deals. Shown on a small pipeline worked out by hand, then
on any pipeline hypothesis makes up. Everything goes through the CLI's JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from funnelctl.cli.app import app

from .conftest import STAGES, TODAY, deal_yaml

STAGE_IDS = ["lead", "nurture", "evaluation", "negotiation"]
COUNTS = ("deals", "open", "won", "lost")


# typer builds the click command on every CliRunner.invoke (0.1 s, most of a run on
# these small pipelines): build it once and run it in the runner's isolation
COMMAND = typer.main.get_command(app)


def cli_json(root: Path, *args: str) -> dict:
    """`funnelctl --dir ROOT --today TODAY --no-cache ARGS --json`, parsed."""
    with CliRunner().isolation(env={"NO_COLOR": "1"}) as streams:
        try:
            COMMAND.main(["--dir", str(root), "--today", str(TODAY), "--no-cache", *args,
                          "--json"], prog_name="funnelctl")
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        out, err = (s.getvalue().decode("utf-8") for s in streams[:2])
    assert code == 0, (args, out, err)
    return json.loads(out)


def approx(x: float):
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def converted(stage: dict) -> int:
    """The deals that went on from a stage: the JSON gives the base and the rate
    (3 decimals, exact enough to give the count back below 500 deals)."""
    if not stage["observed_base"]:
        assert stage["observed_conversion"] is None
        return 0
    return round(stage["observed_conversion"] * stage["observed_base"])


def funnel_rows(funnel: dict) -> list[tuple]:
    return [(s["stage"], s["count"], approx(s["amount"]), approx(s["weighted"]),
             s["observed_base"], s["observed_conversion"]) for s in funnel["stages"]]


OWNER_LINE = re.compile(r"^owner: *(\S+) *$", re.M)


def one_rep_copy(root: Path, owners: set[str], dest: Path) -> Path:
    """A copy of the pipeline with every deal of ``owners`` given to one rep, 'solo':
    that rep's figures are counted in one pass over all those deals."""
    (dest / "deals").mkdir(parents=True)
    (dest / "stages.yaml").write_bytes((root / "stages.yaml").read_bytes())
    for path in sorted((root / "deals").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        owner = OWNER_LINE.search(text)
        if owner and owner.group(1) in owners:
            (dest / "deals" / path.name).write_text(OWNER_LINE.sub("owner: solo", text),
                                                     encoding="utf-8")
    return dest


def assert_team_is_sum_of_reps(root: Path, *scope: str) -> dict:
    """`review --json` (with the --owner/--team ``scope``): the team's figures are the
    sums of its reps'; its funnel is `funnel --json`'s one pass over the same deals,
    and each rep's is `funnel --by owner --json`'s; its process figures (win rate,
    cycle, days in stage, velocity, ...) are those of one rep holding all its deals.
    Returns the review."""
    rv = cli_json(root, "review", *scope)
    team, reps = rv["team"], rv["reps"]
    stages = team["funnel"]["stages"]
    assert [s["stage"] for s in stages] == STAGE_IDS
    for i, s in enumerate(stages):
        parts = [r["funnel"]["stages"][i] for r in reps]
        assert all(p["stage"] == s["stage"] for p in parts)
        assert s["count"] == sum(p["count"] for p in parts), s["stage"]
        assert s["amount"] == approx(sum(p["amount"] for p in parts)), s["stage"]
        assert s["weighted"] == approx(sum(p["weighted"] for p in parts)), s["stage"]
        assert s["observed_base"] == sum(p["observed_base"] for p in parts), s["stage"]
        assert converted(s) == sum(converted(p) for p in parts), s["stage"]
    for key in COUNTS:
        assert team["figures"][key] == sum(r["figures"][key] for r in reps), key
    assert team["snoozed"] == sum(r["snoozed"] for r in reps)

    def keys(items: list[dict], *fields: str) -> Counter:
        return Counter(tuple(x.get(f) for f in fields) for x in items)

    for part, fields in (("moved", ("deal", "kind", "date")),
                         ("warnings", ("deal", "kind", "days")),
                         ("questions", ("deal", "kind", "question"))):
        assert keys(team[part], *fields) == sum(
            (keys(r[part], *fields) for r in reps), Counter()), part

    whole = cli_json(root, "funnel", *scope)
    assert funnel_rows(team["funnel"]) == funnel_rows(whole)
    assert team["funnel"]["diagnosis"] == whole["diagnosis"]
    by_owner = cli_json(root, "funnel", "--by", "owner", *scope)["owners"]
    assert sorted(by_owner) == sorted(r["owner"] for r in reps)
    for r in reps:
        assert funnel_rows(r["funnel"]) == funnel_rows(by_owner[r["owner"]]), r["owner"]

    with tempfile.TemporaryDirectory() as tmp:
        solo = cli_json(one_rep_copy(root, {r["owner"] for r in reps}, Path(tmp)), "review")
    assert [r["owner"] for r in solo["reps"]] == (["solo"] if reps else [])
    if reps:
        assert team["figures"] == solo["reps"][0]["figures"]
        assert funnel_rows(team["funnel"]) == funnel_rows(solo["reps"][0]["funnel"])
    return rv


# -- a pipeline worked out by hand -------------------------------------------------

HAND_MADE = {
    # ann: one deal at each of lead and nurture, one signed through every stage
    "a1": dict(owner="ann", amount=1000, history=[("lead", "2026-11-01")]),
    "a2": dict(owner="ann", stage="nurture", amount=2000,
               history=[("lead", "2026-10-01"), ("nurture", "2026-10-21")]),
    "a3": dict(owner="ann", stage="won", status="won", amount=5000,
               history=[("lead", "2026-09-01"), ("nurture", "2026-09-11"),
                        ("evaluation", "2026-09-21"), ("negotiation", "2026-10-01"),
                        ("won", "2026-11-10")], extra="outcome: {date: 2026-11-10}\n"),
    # bob: a late entry at evaluation, a deal lost at nurture, a new lead this week
    "b1": dict(owner="bob", stage="evaluation", amount=4000,
               history=[("evaluation", "2026-10-05")]),
    "b2": dict(owner="bob", stage="nurture", status="lost", amount=3000,
               history=[("lead", "2026-09-01"), ("nurture", "2026-09-15")],
               extra="outcome: {date: 2026-10-15, reason: no_decision}\n"),
    "b3": dict(owner="bob", amount=500, history=[("lead", "2026-11-20")]),
    # cy, outside team east: one deal at negotiation
    "c1": dict(owner="cy", stage="negotiation", amount=10000,
               history=[("negotiation", "2026-11-02")]),
}

# Worked out by hand (probabilities 0.1, 0.2, 0.5, 0.8; open deals only in the funnel):
#   funnel (count, amount, weighted) per stage lead / nurture / evaluation / negotiation
#     ann   1, 1000, 100  / 1, 2000, 400 / 0            / 0
#     bob   1,  500,  50  / 0            / 1, 4000, 2000 / 0
#     cy    0             / 0            / 0            / 1, 10000, 8000
#   observed conversion: the deals that reached a stage and left it (the base), and
#   of those the ones that went on
#     ann   lead: a2, a3 left, both went on 2/2; nurture: a3 1/1; evaluation 1/1;
#           negotiation 1/1 (signing is the stage after the last); a1, a2 still there
#     bob   lead: b2 went on 1/1 (b3 still there); nurture: b2 lost there 0/1;
#           evaluation: b1 still there, base 0
#     cy    c1 still at negotiation, base 0
#     east  lead 3/3 = 1.0, nurture 1/2 = 0.5, evaluation 1/1, negotiation 1/1
#   figures: ann 3 deals (2 open, 1 won), bob 3 (2 open, 1 lost), cy 1 open
#     east  6 deals, 4 open, 1 won, 1 lost: win rate 1/2; a3's cycle 2026-09-01 to
#           2026-11-10 = 70 days; days in stage: lead a2 20, a3 10, b2 14 -> 44/3 =
#           14.7; nurture a3 10, b2 30 (until lost) -> 20.0; evaluation a3 10;
#           negotiation a3 40 (until signed); velocity 4 open x 5000 x 0.5 / 70 = 142.9
#     all   7 deals, 5 open: velocity 5 x 5000 x 0.5 / 70 = 178.6
#   moves since 2026-11-17: b3 entered at lead on 2026-11-20


def hand_made(world) -> None:
    for deal_id, kw in HAND_MADE.items():
        world.deal(deal_id, **kw)


def funnel_of(rows: list[tuple]) -> list[tuple]:
    return [(sid, *row) for sid, row in zip(STAGE_IDS, rows, strict=True)]


def counts(rv: dict, owner: str) -> tuple:
    part = rv["team"] if owner == "team" else next(r for r in rv["reps"] if r["owner"] == owner)
    f = part["funnel"]
    return ([(s["stage"], s["count"], s["amount"], s["weighted"], s["observed_base"],
              s["observed_conversion"]) for s in f["stages"]],
            {k: part["figures"][k] for k in (*COUNTS, "win_rate", "cycle_days",
                                             "days_in_stage", "velocity_per_day")})


def test_the_team_of_a_hand_made_pipeline(world) -> None:
    hand_made(world)
    assert world.run("validate").exit_code == 1  # rule breakers (no milestones): still counted
    rv = assert_team_is_sum_of_reps(world.root, "--team", "east")
    assert [r["owner"] for r in rv["reps"]] == ["ann", "bob"]
    assert counts(rv, "ann")[0] == funnel_of([
        (1, 1000, 100, 2, 1.0), (1, 2000, 400, 1, 1.0), (0, 0, 0, 1, 1.0), (0, 0, 0, 1, 1.0)])
    assert counts(rv, "bob")[0] == funnel_of([
        (1, 500, 50, 1, 1.0), (0, 0, 0, 1, 0.0), (1, 4000, 2000, 0, None), (0, 0, 0, 0, None)])
    funnel, figures = counts(rv, "team")
    assert funnel == funnel_of([
        (2, 1500, 150, 3, 1.0), (1, 2000, 400, 2, 0.5), (1, 4000, 2000, 1, 1.0),
        (0, 0, 0, 1, 1.0)])
    assert figures == {
        "deals": 6, "open": 4, "won": 1, "lost": 1, "win_rate": 0.5, "cycle_days": 70.0,
        "days_in_stage": {"lead": 14.7, "nurture": 20.0, "evaluation": 10.0,
                          "negotiation": 40.0},
        "velocity_per_day": 142.9}
    assert [(m["deal"], m["kind"]) for m in rv["team"]["moved"]] == [("b3", "inflow")]

    rv = assert_team_is_sum_of_reps(world.root)
    assert [r["owner"] for r in rv["reps"]] == ["ann", "bob", "cy"]
    funnel, figures = counts(rv, "team")
    assert funnel[3] == ("negotiation", 1, 10000, 8000, 1, 1.0)
    assert (figures["deals"], figures["open"], figures["velocity_per_day"]) == (7, 5, 178.6)


# -- any pipeline ------------------------------------------------------------------

OWNERS = ["ann", "bob", "cy"]  # ann and bob are team east in conftest's STAGES
START = dt.date(2026, 5, 1)
SPAN = (TODAY - START).days


@st.composite
def deals(draw) -> dict[str, str]:
    """A few deals as YAML texts: any owner, stage road (forward, skipping, back),
    outcome, amount, actions and next step; dates in order up to today."""
    out = {}
    for n in range(draw(st.integers(1, 8))):
        road = draw(st.lists(st.sampled_from(STAGE_IDS), min_size=1, max_size=5))
        status = draw(st.sampled_from(["open", "open", "won", "lost"]))
        steps = len(road) + (status != "open") + 2  # + outcome, actions, next step
        days = sorted(draw(st.lists(st.integers(0, SPAN), min_size=steps, max_size=steps)))
        date = [str(START + dt.timedelta(days=d)) for d in days]
        history = list(zip(road, date, strict=False))
        extra = ""
        if status == "won":
            history.append(("won", date[len(road)]))
            extra += f"outcome: {{date: {date[len(road)]}}}\n"
        elif status == "lost":
            extra += f"outcome: {{date: {date[len(road)]}, reason: no_decision}}\n"
        actions = draw(st.lists(st.tuples(st.sampled_from(["visit", "call", "demo"]),
                                          st.booleans()), max_size=3))
        if actions:
            extra += "actions:\n" + "".join(
                f"  - {{date: {date[-2]}, kind: {kind}, goal: g, moved: {str(moved).lower()}}}\n"
                for kind, moved in actions)
        if status == "open" and draw(st.booleans()):
            extra += f"next: {{date: {date[-1]}, step: call}}\n"
        deal_id = f"d{n}"
        out[deal_id] = deal_yaml(
            deal_id, stage=history[-1][0], owner=draw(st.sampled_from(OWNERS)),
            amount=draw(st.integers(0, 2_000_000)), history=history, status=status,
            extra=textwrap.dedent(extra))
    return out


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pipeline=deals(), scope=st.sampled_from([(), ("--team", "east")]))
def test_a_team_is_the_sum_of_its_reps_on_any_pipeline(pipeline, scope) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "deals").mkdir()
        (root / "stages.yaml").write_text(STAGES, encoding="utf-8")
        for deal_id, text in pipeline.items():
            (root / "deals" / f"{deal_id}.yaml").write_text(text, encoding="utf-8")
        rv = assert_team_is_sum_of_reps(root, *scope)
        assert rv["skipped"] == []  # every generated file is a deal

