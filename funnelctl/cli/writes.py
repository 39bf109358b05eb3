"""The rep's writes to a deal: act, tick, score, advance, win, lose, snooze.

Each is a thin layer over ``edits`` through ``edit_deal`` (``common.edit``): the
store reads the deal under its lock, the edit refuses by the rules of ``checks`` or
changes the round-trip document, and the store writes it atomically.

A stage, milestone, ladder, action kind or loss reason is typed as its id, its
label or its label in another language (``act -k 拜访``, ``score DEAL 权力 3``):
``named`` turns it into the id, or exits 2 with the choices. The messages name
the deal by its id (whatever prefix or title found it) and the items as
``labels.said`` does: the id in English, the label in Chinese."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import typer

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
from funnelctl.cli.completion import (
    complete_deal,
    complete_kind,
    complete_ladder,
    complete_milestone,
    complete_reason,
    complete_stage,
)
from funnelctl.cli.root import app
from funnelctl.i18n import _


@dataclass
class Edited:
    """What ``edit_deal`` did: where, what the change returned, and the deal's id
    and pipeline for the command's message."""

    root: Path
    rel: str
    result: Any
    id: str
    pipeline: Any


def edit_deal(ctx: typer.Context, deal: str, change: Callable[[Any, Any, Any], Any],
              commit: bool | None) -> Edited:
    """``common.edit`` that also returns the id of the deal found (``deal`` may be
    a prefix of it or its title) and the pipeline; a stages.yaml item the change
    could not name (``labels.NoSuchChoice``, from ``named``) is bad usage: exit 2
    with the choices, nothing written."""
    from funnelctl.labels import NoSuchChoice

    seen: dict[str, Any] = {}

    def run(doc, d, p):
        seen["id"], seen["p"] = d.id, p
        return change(doc, d, p)

    try:
        root, rel, result = edit(ctx, deal, run, commit)
    except NoSuchChoice as exc:
        fail(exc.message, code=2)
    return Edited(root, rel, result, seen.get("id") or Path(rel).stem, seen.get("p"))


def named(kind: str, p: Any, text: str) -> str:
    """The id of the ``kind`` (stage, milestone, ladder, kind, reason) of stages.yaml
    that ``text`` names (``labels``); raises ``labels.NoSuchChoice``, which
    ``edit_deal`` turns into exit 2. A stage is an open stage, listed so when none
    matches; an outcome is named all the same, for ``advance`` to refuse it with the
    command that signs or loses."""
    from funnelctl import labels

    if kind != "stage":
        return getattr(labels, "loss_reason" if kind == "reason" else kind)(p, text)
    try:
        return labels.stage(p, text)
    except labels.NoSuchChoice:
        try:
            return labels.resolve("stage", [p.won, p.lost], text)
        except labels.NoSuchChoice:
            pass
        raise


def said(e: Edited, item_id: str, kind: str = "stage") -> str:
    """An item of stages.yaml as the command's message names it (``labels.said``)."""
    from funnelctl import labels

    return labels.said(e.pipeline, item_id, kind) if e.pipeline is not None else item_id


@app.command("act")
def act_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    kind: str = typer.Option(..., "--kind", "-k", help="visit, call, demo, meeting, ...",
                             autocompletion=complete_kind),
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
                                              "(repeatable): what the visit achieved.",
                                              autocompletion=complete_milestone),
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

    Example: funnelctl act acme-cooling --kind visit --goal "meet the CFO" --result "met,
    budget confirmed" --score power=3 -e "met the CFO" --next "2026-12-02: send the proposal"
    """
    from funnelctl import edits
    from funnelctl.i18n import formats

    today = settings(ctx).today
    when = parse_date(on, "--date") if on else today
    if plan:
        if on is None or when <= today:
            fail(_("--plan needs a --date after today: the day of the planned visit"), code=2)
        if ticks or scores or advance:
            fail(_("--plan records a visit to come: --tick, --score and --advance record "
                   "what a visit achieved, on the day"), code=2)
    elif when > today:
        fail(_("--date {day} is in the future: record an action after it happened, or plan "
               "it with --plan").format(day=formats.day(when)))
    nxt = parse_step(next_step, "--next") if next_step is not None else None
    typed_levels = []
    for item in scores or []:
        # 权力＝３ as a Chinese keyboard types it is power=3
        ladder, sep, level = unicodedata.normalize("NFKC", item).partition("=")
        if not sep or not level.strip().isdigit():
            fail(_("--score {item!r}: expected LADDER=LEVEL, e.g. power=3").format(item=item),
                 code=2)
        typed_levels.append((ladder.strip(), int(level)))
    done: dict = {}

    def change(doc, d, p):
        kind_ = done["kind"] = named("kind", p, kind)
        milestones = done["ticks"] = [named("milestone", p, m) for m in ticks or []]
        levels = done["levels"] = [(named("ladder", p, a), n) for a, n in typed_levels]
        goal_ = goal
        if goal_ is None:
            planned = next((a for a in d.actions if a.planned and a.date == when
                            and a.kind == kind_), None)
            if planned is None:
                raise edits.Refused(_("--goal is needed: no visit of this kind was planned "
                                      "for {day}").format(day=formats.day(when)))
            goal_ = planned.goal
        progress = bool(milestones or levels or advance)
        edits.act(doc, d, p, when, kind_, goal_, result, moved or progress, nxt, today, plan)
        for m in milestones:
            edits.tick(doc, d, p, when, m, evidence)
        for ladder, level in levels:
            done[ladder] = edits.score(doc, d, p, when, ladder, level, evidence)
        if advance:
            done["advanced"] = (d.stage, edits.advance(doc, edits.reread(doc), p, when, None))

    e = edit_deal(ctx, deal, change, commit)
    kind_, ticked, levels = done["kind"], done["ticks"], done["levels"]
    if plan:
        said_ = [_("{id}: {kind} planned for {day} ({path})").format(
            id=e.id, kind=said(e, kind_, "kind"), day=formats.day(when), path=e.rel)]
    else:
        said_ = [_("{id}: {kind} recorded ({path})").format(
            id=e.id, kind=said(e, kind_, "kind"), path=e.rel)]
    said_ += [_("{id}: ticked {milestone}").format(id=e.id, milestone=said(e, m, "milestone"))
              for m in ticked]
    for ladder, level in levels:
        before = done.get(ladder)
        if before is None:
            said_.append(_("{id}: {ladder} {level}").format(
                id=e.id, ladder=said(e, ladder, "ladder"), level=level))
        else:
            said_.append(_("{id}: {ladder} {level} (was {before})").format(
                id=e.id, ladder=said(e, ladder, "ladder"), level=level, before=before))
    if "advanced" in done:
        old, new = done["advanced"]
        said_.append(_("{id}: advanced {old} -> {new}").format(
            id=e.id, old=said(e, old), new=said(e, new)))
    for line in said_:
        say(line)
    subject = f"act {e.id}: {kind_}" + (f" planned for {when}" if plan else "")
    commit_change(ctx, e.root, [e.rel], subject, body(
        date=when, goal=goal, result=result, moved="yes" if (moved or ticked or levels
                                                            or advance) else "no",
        next=f"{nxt[0]}: {nxt[1]}" if nxt else None,
        ticked=", ".join(ticked) or None,
        levels=", ".join(f"{a}={b}" for a, b in levels) or None,
        advanced=" -> ".join(done["advanced"]) if "advanced" in done else None))


@app.command("tick")
def tick_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    milestone: str = typer.Argument(..., help="Milestone id from stages.yaml.",
                                    autocompletion=complete_milestone),
    evidence: str = typer.Option("", "--evidence", "-e", help="Who said what, which document."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Tick a milestone, with the date and the evidence.

    Example: funnelctl tick acme-cooling budget_approved -e "CFO email of 3 May: approved"
    """
    from funnelctl import edits

    today = settings(ctx).today
    state: dict = {}

    def change(doc, d, p):
        m = state["m"] = named("milestone", p, milestone)
        edits.tick(doc, d, p, today, m, evidence)

    e = edit_deal(ctx, deal, change, commit)
    say(_("{id}: ticked {milestone} ({path})").format(
        id=e.id, milestone=said(e, state["m"], "milestone"), path=e.rel))
    commit_change(ctx, e.root, [e.rel], f"tick {e.id}: {state['m']}", body(evidence=evidence))


@app.command("score")
def score_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    ladder: str = typer.Argument(..., help="Ladder id: need, power, goal, value, ...",
                                 autocompletion=complete_ladder),
    level: int = typer.Argument(..., help="The checkpoint level reached."),
    evidence: str = typer.Option("", "--evidence", "-e", help="What shows this level."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Set a key element's checkpoint level.

    Example: funnelctl score acme-cooling power 3 -e "met Mr Zhang, plant director"
    """
    from funnelctl import edits

    today = settings(ctx).today
    state: dict = {}

    def change(doc, d, p):
        a = state["ladder"] = named("ladder", p, ladder)
        return edits.score(doc, d, p, today, a, level, evidence)

    e = edit_deal(ctx, deal, change, commit)
    before, ladder_id = e.result, state["ladder"]
    if before is None:
        say(_("{id}: {ladder} {level} ({path})").format(
            id=e.id, ladder=said(e, ladder_id, "ladder"), level=level, path=e.rel))
    else:
        say(_("{id}: {ladder} {level} (was {before}) ({path})").format(
            id=e.id, ladder=said(e, ladder_id, "ladder"), level=level, before=before,
            path=e.rel))
    moved = f"{before} -> {level}" if before is not None else str(level)
    commit_change(ctx, e.root, [e.rel], f"score {e.id}: {ladder_id} {moved}",
                  body(evidence=evidence))


@app.command("advance")
def advance_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    to: Optional[str] = typer.Option(None, "--to", help="Stage to move to (default: next).",
                                     autocompletion=complete_stage),
    force: bool = typer.Option(False, "--force", help="Move despite missing milestones or "
                               "requirements; needs --reason, recorded as waived."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the rules are waived."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Move a deal to the next (or named) stage once its milestones are passed.

    Example: funnelctl advance acme-cooling          (refuses and lists what is missing)
    """
    from funnelctl import edits
    from funnelctl.analysis.roles import missing_roles, roles_note

    today = settings(ctx).today
    state: dict = {}

    def change(doc, d, p):
        target = named("stage", p, to) if to is not None else None
        entered = edits.advance(doc, d, p, today, target, force, reason)
        state["from"] = d.stage
        state["move"] = "regressed" if p.index(entered) < p.index(d.stage) else "advanced"
        state["lacking"] = missing_roles(p.stage(entered), d.roles)
        return entered

    e = edit_deal(ctx, deal, change, commit)
    entered, move = e.result, state["move"]
    if move == "regressed":
        message = _("{id}: regressed {old} -> {new} ({path})")
    else:
        message = _("{id}: advanced {old} -> {new} ({path})")
    say(message.format(id=e.id, old=said(e, state["from"]), new=said(e, entered), path=e.rel))
    if state["lacking"]:  # the stage needs a support person nobody is named for
        from funnelctl.render.safe import safe

        err_console().print(safe(roles_note(e.id, said(e, entered), state["lacking"])),
                            markup=False)
    commit_change(ctx, e.root, [e.rel], f"advance {e.id}: {state['from']} -> {entered}",
                  body(move=move, forced="yes" if force else None, reason=reason))


@app.command("win")
def win_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
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

    Example: funnelctl tick iberia-boiler vetoes_cleared -e "legal signed off" &&
    funnelctl win iberia-boiler --amount 115000
    """
    from funnelctl import edits
    from funnelctl.i18n import formats

    today = settings(ctx).today
    when = parse_date(on, "--date") if on else today
    if when > today:
        fail(_("--date {day} is in the future: record a signature after it happened").format(
            day=formats.day(when)))
    e = edit_deal(ctx, deal, lambda doc, d, p: edits.win(doc, d, p, today, force, reason,
                                                          amount, when), commit)
    say(_("{id}: won ({path})").format(id=e.id, path=e.rel))
    commit_change(ctx, e.root, [e.rel], f"win {e.id}",
                  body(date=when, amount=f"{amount:g}" if amount is not None else None,
                       forced="yes" if force else None, reason=reason))


@app.command("lose")
def lose_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    reason: str = typer.Option(..., "--reason", help="Loss reason id from stages.yaml.",
                               autocompletion=complete_reason),
    competitor: Optional[str] = typer.Option(None, "--competitor", help="Who won it."),
    note: Optional[str] = typer.Option(None, "--note", help="The story in words."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Mark a deal lost, with the reason (and the competitor that won).

    Example: funnelctl lose acme-cooling --reason competitor --competitor Grundfos
    """
    from funnelctl import edits

    today = settings(ctx).today
    state: dict = {}

    def change(doc, d, p):
        why = state["reason"] = named("reason", p, reason)
        edits.lose(doc, d, p, today, why, competitor, note)

    e = edit_deal(ctx, deal, change, commit)
    why = state["reason"]
    say(_("{id}: lost ({reason}) ({path})").format(id=e.id, reason=said(e, why, "reason"),
                                                   path=e.rel))
    who = f" ({competitor})" if competitor else ""
    commit_change(ctx, e.root, [e.rel], f"lose {e.id}: {why}{who}", body(date=today, note=note))


@app.command("snooze")
def snooze_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    until: str = typer.Option(..., "--until", help="Pause the warnings until YYYY-MM-DD."),
    reason: str = typer.Option(..., "--reason", help="The known wait: budget cycle, tender."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Pause a deal's stall warnings on purpose, with the reason.

    Example: funnelctl snooze acme-cooling --until 2027-01-15 --reason "budget cycle starts"
    """
    from funnelctl import edits
    from funnelctl.i18n import formats

    today = settings(ctx).today
    until_d = parse_date(until, "--until")
    e = edit_deal(ctx, deal, lambda doc, d, p: edits.snooze(doc, d, today, until_d, reason),
                  commit)
    say(_("{id}: snoozed until {day} ({path})").format(id=e.id, day=formats.day(until_d),
                                                       path=e.rel))
    commit_change(ctx, e.root, [e.rel], f"snooze {e.id}: until {until_d}", body(reason=reason))


def body(**details: object) -> str:
    """A commit message's body: one ``name: value`` line per detail that is set."""
    return "\n".join(f"{k}: {v}" for k, v in details.items() if v not in (None, ""))
