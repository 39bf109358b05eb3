"""The rep's writes to a deal: act, tick, score, advance, win, lose, snooze.

Each is a thin layer over ``edits`` through ``common.edit``: the store reads the
deal under its lock, the edit refuses by the rules of ``checks`` or changes the
round-trip document, and the store writes it atomically."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.app import app
from funnelctl.cli.common import (
    edit,
    fail,
    parse_date,
    settings,
)


@app.command("act")
def act_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    kind: str = typer.Option(..., "--kind", "-k", help="visit, call, demo, meeting, ..."),
    goal: str = typer.Option(..., "--goal", "-g", help="What the action set out to achieve."),
    result: str = typer.Option("", "--result", "-r", help="What came of it."),
    moved: bool = typer.Option(False, "--moved", help="The customer moved forward."),
    next_step: Optional[str] = typer.Option(None, "--next",
                                            help='The next step: "YYYY-MM-DD: step".'),
    on: Optional[str] = typer.Option(None, "--date", help="When it happened (default: "
                                     "today), for yesterday's visit."),
) -> None:
    """Record an action report: goal before, result after, did the customer move.

    Example: funnelctl act acme-pumps --kind visit --goal "meet the CFO" --result "met,
    budget confirmed" --moved --next "2026-12-02: send the proposal"
    """
    from funnelctl import edits

    today = settings(ctx).today
    when = parse_date(on, "--date") if on else today
    if when > today:
        fail(f"--date {when} is in the future: record an action after it happened")
    nxt = None
    if next_step is not None:
        date_s, sep, step = next_step.partition(":")
        if not sep or not step.strip():
            fail(f'--next {next_step!r}: expected "YYYY-MM-DD: step"')
        nxt = (parse_date(date_s.strip(), "--next"), step.strip())
    _, rel, _ = edit(ctx, deal, lambda doc, d, p: edits.act(doc, d, p, when, kind, goal,
                                                              result, moved, nxt, today))
    typer.echo(f"{deal}: {kind} recorded ({rel})")

@app.command("tick")
def tick_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    milestone: str = typer.Argument(..., help="Milestone id from stages.yaml."),
    evidence: str = typer.Option("", "--evidence", "-e", help="Who said what, which document."),
) -> None:
    """Tick a milestone, with the date and the evidence.

    Example: funnelctl tick acme-pumps budget_approved -e "CFO email of 3 May: approved"
    """
    from funnelctl import edits

    today = settings(ctx).today
    _, rel, _ = edit(ctx, deal, lambda doc, d, p: edits.tick(doc, d, p, today, milestone,
                                                               evidence))
    typer.echo(f"{deal}: ticked {milestone} ({rel})")

@app.command("score")
def score_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    ladder: str = typer.Argument(..., help="Ladder id: need, power, goal, value, ..."),
    level: int = typer.Argument(..., help="The checkpoint level reached."),
    evidence: str = typer.Option("", "--evidence", "-e", help="What shows this level."),
) -> None:
    """Set a key element's checkpoint level.

    Example: funnelctl score acme-pumps power 3 -e "met Mr Zhang, plant director"
    """
    from funnelctl import edits

    today = settings(ctx).today
    _, rel, before = edit(ctx, deal, lambda doc, d, p: edits.score(doc, d, p, today, ladder,
                                                                   level, evidence))
    was = f" (was {before})" if before is not None else ""
    typer.echo(f"{deal}: {ladder} {level}{was} ({rel})")

@app.command("advance")
def advance_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    to: Optional[str] = typer.Option(None, "--to", help="Stage to move to (default: next)."),
    force: bool = typer.Option(False, "--force", help="Move despite missing milestones or "
                               "requirements; needs --reason, recorded as waived."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the rules are waived."),
) -> None:
    """Move a deal to the next (or named) stage once its milestones are passed.

    Example: funnelctl advance acme-pumps            (refuses and lists what is missing)
    """
    from funnelctl import edits

    today = settings(ctx).today
    state: dict = {}

    def change(doc, d, p):
        entered = edits.advance(doc, d, p, today, to, force, reason)
        state["from"] = d.stage
        state["move"] = "regressed" if p.index(entered) < p.index(d.stage) else "advanced"
        return entered

    _, rel, entered = edit(ctx, deal, change)
    move = state["move"]
    typer.echo(f"{deal}: {move} {state['from']} -> {entered} ({rel})")

@app.command("win")
def win_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    force: bool = typer.Option(False, "--force", help="Sign despite missing milestones."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the rules are waived."),
) -> None:
    """Mark a deal won: the contract is signed.

    Example: funnelctl win acme-pumps
    """
    from funnelctl import edits

    today = settings(ctx).today
    _, rel, _ = edit(ctx, deal, lambda doc, d, p: edits.win(doc, d, p, today, force, reason))
    typer.echo(f"{deal}: won ({rel})")

@app.command("lose")
def lose_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    reason: str = typer.Option(..., "--reason", help="Loss reason id from stages.yaml."),
    competitor: Optional[str] = typer.Option(None, "--competitor", help="Who won it."),
    note: Optional[str] = typer.Option(None, "--note", help="The story in words."),
) -> None:
    """Mark a deal lost, with the reason (and the competitor that won).

    Example: funnelctl lose acme-pumps --reason competitor --competitor Grundfos
    """
    from funnelctl import edits

    today = settings(ctx).today
    _, rel, _ = edit(ctx, deal, lambda doc, d, p: edits.lose(doc, d, p, today, reason,
                                                               competitor, note))
    typer.echo(f"{deal}: lost ({reason}) ({rel})")

@app.command("snooze")
def snooze_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    until: str = typer.Option(..., "--until", help="Pause the warnings until YYYY-MM-DD."),
    reason: str = typer.Option(..., "--reason", help="The known wait: budget cycle, tender."),
) -> None:
    """Pause a deal's stall warnings on purpose, with the reason.

    Example: funnelctl snooze acme-pumps --until 2027-01-15 --reason "budget cycle starts"
    """
    from funnelctl import edits

    today = settings(ctx).today
    until_d = parse_date(until, "--until")
    _, rel, _ = edit(ctx, deal, lambda doc, d, p: edits.snooze(doc, d, today, until_d, reason))
    typer.echo(f"{deal}: snoozed until {until_d} ({rel})")
