"""The rep's writes to a deal: act, tick, score, advance, win, lose, snooze.

Each is a thin layer over ``edits`` through ``common.edit``: the store reads the
deal under its lock, the edit refuses by the rules of ``checks`` or changes the
round-trip document, and the store writes it atomically."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.app import app
from funnelctl.cli.common import (
    COMMIT_OPT,
    commit_change,
    edit,
    err_console,
    fail,
    finite,
    parse_date,
    parse_step,
    say,
    settings,
)


@app.command("act")
def act_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    kind: str = typer.Option(..., "--kind", "-k", help="visit, call, demo, meeting, ..."),
    goal: Optional[str] = typer.Option(None, "--goal", "-g", help="What the action set out "
                                       "to achieve (default: the goal of the visit planned "
                                       "for the day)."),
    result: str = typer.Option("", "--result", "-r", help="What came of it."),
    moved: bool = typer.Option(False, "--moved", help="The customer moved forward (progress "
                               "is read from a tick, a level or a stage on the day)."),
    next_step: Optional[str] = typer.Option(None, "--next",
                                            help='The next step: "DATE: step" (2026-12-01, fri, '
                                            '+7, 明天; a full-width colon too).'),
    on: Optional[str] = typer.Option(None, "--date", help="When it happened (default: "
                                     "today), for yesterday's visit; a day to come with "
                                     "--plan."),
    plan: bool = typer.Option(False, "--plan", help="Plan the visit for --date instead of "
                              "recording it; 'act' on the day records it done."),
    ticks: Optional[list[str]] = typer.Option(None, "--tick", help="Also tick this milestone "
                                              "(repeatable): what the visit achieved."),
    scores: Optional[list[str]] = typer.Option(None, "--score", help="Also set a level, "
                                               "LADDER=LEVEL (repeatable)."),
    advance: bool = typer.Option(False, "--advance", help="Also move the deal to the next "
                                 "stage."),
    evidence: str = typer.Option("", "--evidence", "-e", help="Evidence for --tick and "
                                 "--score."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Record an action report: goal before, result after, and what moved: a milestone
    ticked, a level raised or a stage entered with the visit, in one command.

    Example: funnelctl act acme-pumps --kind visit --goal "meet the CFO" --result "met,
    budget confirmed" --score power=3 -e "met the CFO" --next "2026-12-02: send the proposal"
    """
    from funnelctl import edits

    today = settings(ctx).today
    when = parse_date(on, "--date") if on else today
    if plan:
        if on is None or when <= today:
            fail("--plan needs a --date after today: the day of the planned visit", code=2)
        if ticks or scores or advance:
            fail("--plan records a visit to come: --tick, --score and --advance record what "
                 "a visit achieved, on the day", code=2)
    elif when > today:
        fail(f"--date {when} is in the future: record an action after it happened, or plan "
             f"it with --plan")
    nxt = parse_step(next_step, "--next") if next_step is not None else None
    levels = []
    for item in scores or []:
        ladder, sep, level = item.partition("=")
        if not sep or not level.strip().isdigit():
            fail(f"--score {item!r}: expected LADDER=LEVEL, e.g. power=3", code=2)
        levels.append((ladder.strip(), int(level)))
    done: dict = {}

    def change(doc, d, p):
        goal_ = goal
        if goal_ is None:
            planned = next((a for a in d.actions if a.planned and a.date == when
                            and a.kind == kind), None)
            if planned is None:
                raise edits.Refused("--goal is needed: no visit of this kind was planned for "
                                    f"{when}")
            goal_ = planned.goal
        progress = bool(ticks or levels or advance)
        edits.act(doc, d, p, when, kind, goal_, result, moved or progress, nxt, today, plan)
        for m in ticks or []:
            edits.tick(doc, d, p, when, m, evidence)
        for ladder, level in levels:
            done[ladder] = edits.score(doc, d, p, when, ladder, level, evidence)
        if advance:
            done["advanced"] = (d.stage, edits.advance(doc, edits.reread(doc), p, when, None))

    root, rel, _ = edit(ctx, deal, change, commit)
    what = "planned for " + str(when) if plan else "recorded"
    said = [f"{deal}: {kind} {what} ({rel})"]
    said += [f"{deal}: ticked {m}" for m in ticks or []]
    said += [f"{deal}: {ladder} {level}" + (f" (was {done[ladder]})"
                                            if done.get(ladder) is not None else "")
             for ladder, level in levels]
    if "advanced" in done:
        said.append(f"{deal}: advanced {done['advanced'][0]} -> {done['advanced'][1]}")
    for line in said:
        say(line)
    subject = f"act {deal}: {kind}" + (f" planned for {when}" if plan else "")
    commit_change(ctx, root, [rel], subject, body(
        date=when, goal=goal, result=result, moved="yes" if (moved or ticks or levels
                                                            or advance) else "no",
        next=f"{nxt[0]}: {nxt[1]}" if nxt else None,
        ticked=", ".join(ticks or []) or None,
        levels=", ".join(f"{a}={b}" for a, b in levels) or None,
        advanced=" -> ".join(done["advanced"]) if "advanced" in done else None))

@app.command("tick")
def tick_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    milestone: str = typer.Argument(..., help="Milestone id from stages.yaml."),
    evidence: str = typer.Option("", "--evidence", "-e", help="Who said what, which document."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Tick a milestone, with the date and the evidence.

    Example: funnelctl tick acme-pumps budget_approved -e "CFO email of 3 May: approved"
    """
    from funnelctl import edits

    today = settings(ctx).today
    root, rel, _ = edit(ctx, deal, lambda doc, d, p: edits.tick(doc, d, p, today, milestone,
                                                                  evidence), commit)
    say(f"{deal}: ticked {milestone} ({rel})")
    commit_change(ctx, root, [rel], f"tick {deal}: {milestone}", body(evidence=evidence))

@app.command("score")
def score_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    ladder: str = typer.Argument(..., help="Ladder id: need, power, goal, value, ..."),
    level: int = typer.Argument(..., help="The checkpoint level reached."),
    evidence: str = typer.Option("", "--evidence", "-e", help="What shows this level."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Set a key element's checkpoint level.

    Example: funnelctl score acme-pumps power 3 -e "met Mr Zhang, plant director"
    """
    from funnelctl import edits

    today = settings(ctx).today
    root, rel, before = edit(ctx, deal, lambda doc, d, p: edits.score(doc, d, p, today, ladder,
                                                                      level, evidence), commit)
    was = f" (was {before})" if before is not None else ""
    say(f"{deal}: {ladder} {level}{was} ({rel})")
    change = f"{before} -> {level}" if before is not None else str(level)
    commit_change(ctx, root, [rel], f"score {deal}: {ladder} {change}", body(evidence=evidence))

@app.command("advance")
def advance_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    to: Optional[str] = typer.Option(None, "--to", help="Stage to move to (default: next)."),
    force: bool = typer.Option(False, "--force", help="Move despite missing milestones or "
                               "requirements; needs --reason, recorded as waived."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the rules are waived."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Move a deal to the next (or named) stage once its milestones are passed.

    Example: funnelctl advance acme-pumps            (refuses and lists what is missing)
    """
    from funnelctl import edits
    from funnelctl.analysis.roles import missing_roles, roles_note

    today = settings(ctx).today
    state: dict = {}

    def change(doc, d, p):
        entered = edits.advance(doc, d, p, today, to, force, reason)
        state["from"] = d.stage
        state["move"] = "regressed" if p.index(entered) < p.index(d.stage) else "advanced"
        state["lacking"] = missing_roles(p.stage(entered), d.roles)
        return entered

    root, rel, entered = edit(ctx, deal, change, commit)
    move = state["move"]
    say(f"{deal}: {move} {state['from']} -> {entered} ({rel})")
    if state["lacking"]:  # the stage needs a support person nobody is named for
        from funnelctl.render.safe import safe

        err_console().print(safe(roles_note(deal, entered, state["lacking"])), markup=False)
    commit_change(ctx, root, [rel], f"advance {deal}: {state['from']} -> {entered}",
                  body(move=move, forced="yes" if force else None, reason=reason))

@app.command("win")
def win_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    amount: Optional[float] = typer.Option(None, "--amount", min=0, max=1e15, callback=finite,
                                           help="The signed amount (default: the estimate)."),
    on: Optional[str] = typer.Option(None, "--date", help="When it was signed (default: "
                                     "today)."),
    force: bool = typer.Option(False, "--force", help="Sign despite missing milestones or "
                               "levels."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the rules are waived."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Mark a deal won: the contract is signed, for the amount signed, on the day.

    Example: funnelctl win acme-pumps --amount 115000
    """
    from funnelctl import edits

    today = settings(ctx).today
    when = parse_date(on, "--date") if on else today
    if when > today:
        fail(f"--date {when} is in the future: record a signature after it happened")
    root, rel, _ = edit(ctx, deal, lambda doc, d, p: edits.win(doc, d, p, today, force, reason,
                                                                amount, when), commit)
    say(f"{deal}: won ({rel})")
    commit_change(ctx, root, [rel], f"win {deal}",
                  body(date=when, amount=f"{amount:g}" if amount is not None else None,
                       forced="yes" if force else None, reason=reason))


@app.command("lose")
def lose_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    reason: str = typer.Option(..., "--reason", help="Loss reason id from stages.yaml."),
    competitor: Optional[str] = typer.Option(None, "--competitor", help="Who won it."),
    note: Optional[str] = typer.Option(None, "--note", help="The story in words."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Mark a deal lost, with the reason (and the competitor that won).

    Example: funnelctl lose acme-pumps --reason competitor --competitor Grundfos
    """
    from funnelctl import edits

    today = settings(ctx).today
    root, rel, _ = edit(ctx, deal, lambda doc, d, p: edits.lose(doc, d, p, today, reason,
                                                                  competitor, note), commit)
    say(f"{deal}: lost ({reason}) ({rel})")
    who = f" ({competitor})" if competitor else ""
    commit_change(ctx, root, [rel], f"lose {deal}: {reason}{who}", body(date=today, note=note))

@app.command("snooze")
def snooze_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    until: str = typer.Option(..., "--until", help="Pause the warnings until YYYY-MM-DD."),
    reason: str = typer.Option(..., "--reason", help="The known wait: budget cycle, tender."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Pause a deal's stall warnings on purpose, with the reason.

    Example: funnelctl snooze acme-pumps --until 2027-01-15 --reason "budget cycle starts"
    """
    from funnelctl import edits

    today = settings(ctx).today
    until_d = parse_date(until, "--until")
    root, rel, _ = edit(ctx, deal, lambda doc, d, p: edits.snooze(doc, d, today, until_d,
                                                                    reason), commit)
    say(f"{deal}: snoozed until {until_d} ({rel})")
    commit_change(ctx, root, [rel], f"snooze {deal}: until {until_d}", body(reason=reason))


def body(**details: object) -> str:
    """A commit message's body: one ``name: value`` line per detail that is set."""
    return "\n".join(f"{k}: {v}" for k, v in details.items() if v not in (None, ""))
