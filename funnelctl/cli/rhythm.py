"""The team's rhythm: day, month, losses; the manager's cadence: check, judge; and
the daily target tracking and ``target set`` that ``target`` hands over to
(``target_daily``, ``target_set``)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Optional

import typer

from funnelctl.cli.common import (
    COMMIT_OPT,
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    Format,
    by_owner,
    commit_change,
    emit_json,
    err_console,
    fail,
    out_console,
    parse_date,
    period_arg,
    root_and_pipeline,
    say,
    scope,
    settings,
    skipped_json,
    wants_commit,
)
from funnelctl.cli.completion import complete_deal, complete_owner, complete_reason
from funnelctl.cli.root import app
from funnelctl.cli.writes import edit_deal, named, said
from funnelctl.i18n import _, nformat

if TYPE_CHECKING:
    from pathlib import Path

    from funnelctl.pipeline import Pipeline

FORMAT_OPT = typer.Option(Format.text, "--format", help="text or md (Markdown to paste into "
                          "a chat or the minutes).")
PERIOD_OPT = typer.Option(None, "--period", help="YYYY-MM (default: this month).")
MANAGER_OPT = typer.Option(None, "--manager", help="Who looked (default: your git identity: "
                           "the person of stages.yaml's people: with its email, else its "
                           "name).", autocompletion=complete_owner)


def _markdown(text: str) -> None:
    typer.echo(text, nl=not text.endswith("\n"))


@app.command("day")
def day_cmd(
    ctx: typer.Context,
    on: Optional[str] = typer.Option(None, "--date", help="The day to look at, YYYY-MM-DD "
                                     "(default: today)."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    fmt: Format = FORMAT_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """Yesterday, today, tomorrow per rep, and the team's roll call.

    Per rep: yesterday's actions (goal -> result, and whether the customer moved
    that day: a stage entered, a milestone ticked or a level set), today's next
    steps due or overdue and planned visits, tomorrow's planned visits and next
    steps. The roll call names the reps who logged nothing yesterday, planned
    nothing for tomorrow, or whose visits moved nothing this week (and, with
    rules.daily_visits, who fell short of the quota). Working days are Monday to
    Friday: a Monday's yesterday is Friday to Sunday, a Friday's tomorrow is
    Saturday to Monday.

    Example: funnelctl day --team east --format md
    """
    from funnelctl.analysis.day import day_reps, day_view, deals_to_read

    loaded, deals, owners = scope(ctx, owner, team)
    p = loaded.pipeline
    when = parse_date(on, "--date") if on else settings(ctx).today
    full = _full_deals(ctx, p, deals_to_read(deals, when))
    view = day_view(deals, full, p, when, day_reps(deals, p, owners))
    if json_out:
        emit_json({**view.as_json(), "skipped": skipped_json(loaded)})
        return
    from funnelctl.render import rhythm

    if fmt == "md":
        _markdown(rhythm.day_md(view))
    else:
        rhythm.day(out_console(), view)


def _full_deals(ctx: typer.Context, p: Pipeline, picked: list) -> dict:
    """The full deals of the few summaries ``picked``, by path: a file that cannot be
    read now (changed since the summaries were read) is left out, and said so."""
    from pathlib import Path

    from funnelctl.store import StoreError, find_root, read_deal

    try:
        root = find_root(Path.cwd(), settings(ctx).dir)
    except StoreError as exc:
        fail(exc.message, exc.problems)
    out = {}
    for d in picked:
        deal, problems = read_deal(root, d.path, p)
        if deal is None:
            err_console().print(_("note: {path} left out: it cannot be read as a deal now "
                                  "(see 'funnelctl validate')").format(path=d.path),
                                markup=False)
            continue
        out[d.path] = deal
    return out


@app.command("month")
def month_cmd(
    ctx: typer.Context,
    period: Optional[str] = PERIOD_OPT,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    fmt: Format = FORMAT_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """The monthly report and next month's plan, per rep and for the team.

    Signed against the target; the funnel's movement in the month (entries per
    stage, new, advanced, regressed, won, lost); the losses by stage, reason and
    competitor; win rate, average won deal, cycle days and inflow against the
    previous month; next month's target and the pipeline it needs now.

    Example: funnelctl month --period 2026-11 --format md > notes/2026-11.md
    """
    from funnelctl.analysis.month import month_report

    loaded, deals, owners = scope(ctx, owner, team)
    p = loaded.pipeline
    per = period_arg(period, ctx)
    # the team's target: the whole team's, or the one team asked for; none for a
    # hand-picked set of reps
    team_owner = "team" if owners is None else team[0] if team and len(team) == 1 \
        and not owner else None
    report = month_report(by_owner(deals), p, per, team_owner)
    if json_out:
        emit_json({**report.as_json(), "skipped": skipped_json(loaded)})
        return
    from funnelctl.render import rhythm

    if fmt == "md":
        _markdown(rhythm.month_md(report, p))
    else:
        rhythm.month(out_console(), report, p)


@app.command("losses")
def losses_cmd(
    ctx: typer.Context,
    period: Optional[str] = typer.Option(None, "--period", help="YYYY-MM: the (last) month "
                                         "(default: this month)."),
    months: int = typer.Option(1, "--months", min=1, max=120, help="Months up to --period "
                               "(3: the quarter that ends with it)."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    fmt: Format = FORMAT_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """The deals lost in a month: by the stage they were lost at, by reason and by
    competitor, per rep and for the team.

    Example: funnelctl losses --period 2026-11 --months 3
    """
    from funnelctl.analysis.month import losses_report, shift_period
    from funnelctl.analysis.targets import period_bounds

    loaded, deals, _owners = scope(ctx, owner, team)
    p = loaded.pipeline
    per = period_arg(period, ctx)
    first = shift_period(per, 1 - months)
    if first < "1900-01":
        fail(_("--months {n}: the span would start before 1900-01").format(n=months), code=2)
    start, end = period_bounds(first)[0], period_bounds(per)[1]
    groups = by_owner(deals)
    reps, team_losses = losses_report(groups, p, start, end)
    from funnelctl.i18n import formats

    span = formats.period(per) if months == 1 else _("{first} .. {last}").format(
        first=formats.period(first), last=formats.period(per))
    if json_out:
        emit_json({"from": start, "to": end, "reps": {o: x.as_json() for o, x in reps.items()},
                   "team": team_losses.as_json(), "skipped": skipped_json(loaded)})
        return
    from funnelctl.render import rhythm

    shown = {o: x for o, x in reps.items() if x.count}  # the reps who lost a deal
    team_shown = team_losses if len(groups) != 1 else None
    if fmt == "md":
        _markdown(rhythm.losses_md(span, shown, team_shown))
    else:
        rhythm.losses(out_console(), span, shown, team_shown)


# -- the manager's cadence -----------------------------------------------------------


def manager_name(root: Path, pipeline: Pipeline, given: str | None) -> str:
    """--manager, else the git identity of the user: the person of stages.yaml's
    ``people:`` whose email it is, else its name. Outside git, or with no identity,
    --manager is required (exit 2)."""
    if given is not None:
        return given
    from funnelctl.gitio import run

    who = run.identity(root) if run.toplevel(root) is not None else None
    if who is None:
        fail(_("--manager: name the manager (no git identity to take it from: outside a "
               "git repository, or git config user.name and user.email unset)"), code=2)
    name, email = who
    for person, mail in pipeline.people.items():
        if mail.casefold() == email.casefold():
            return person
    return name


@app.command("check")
def check_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    note: str = typer.Option(..., "--note", help="What the rep said was done, what moved, "
                             "what is blocked."),
    manager: Optional[str] = MANAGER_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Record the manager's look at a deal (the 1/15/30 cadence): today, who, what.

    The deal must be looked at again 15 days later (rules.follow_up_days) and
    judged 30 days after the cycle's first look (rules.judge_days): funnelctl judge.

    Example: funnelctl check acme-cooling --note "CFO met, budget in Q1; waiting for legal"
    """
    from funnelctl import edits_rhythm

    today = settings(ctx).today
    root, pipeline = root_and_pipeline(ctx)
    who = manager_name(root, pipeline, manager)
    e = edit_deal(ctx, deal, lambda doc, d, p: edits_rhythm.check(doc, d, today, who, note),
                  commit)
    say(_("{id}: checked by {manager} ({path})").format(id=e.id, manager=who, path=e.rel))
    commit_change(ctx, e.root, [e.rel], f"check {e.id}: {who}", f"note: {note.strip()}")


class Verdict(StrEnum):
    keep = "keep"
    drop = "drop"


@app.command("judge")
def judge_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    verdict: Verdict = typer.Argument(..., help="keep (a new cycle starts) or drop (the deal "
                                      "is lost)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="keep: why (the intent you "
                                         "heard); drop: the loss reason id (default "
                                         "no_decision).",
                                         autocompletion=complete_reason),
    note: Optional[str] = typer.Option(None, "--note", help="The judgement in words."),
    competitor: Optional[str] = typer.Option(None, "--competitor", help="drop: who won it."),
    manager: Optional[str] = MANAGER_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Judge a deal's intent at the end of its 30 days: keep or drop.

    keep records the judgement and starts a new cycle (check again in 15 days,
    judge again in 30); drop closes the deal as lost, with reason no_decision
    unless --reason names another (--competitor, --note as 'lose' takes them).

    Example: funnelctl judge acme-cooling keep --reason "budget approved for Q1"

    Example: funnelctl judge tatra-port-2 drop --reason competitor --competitor Konecranes
    """
    from funnelctl import edits_rhythm

    if verdict == "keep":
        if competitor is not None:
            fail(_("--competitor is a drop's: who won a deal that is lost"), code=2)
        if reason is not None and note is not None:
            fail(_("keep: say why in --reason or --note, not both"), code=2)
        why, reason = (reason if note is None else note), None
    else:
        why = note
    today = settings(ctx).today
    root, pipeline = root_and_pipeline(ctx)
    who = manager_name(root, pipeline, manager)
    e = edit_deal(ctx, deal, lambda doc, d, p: edits_rhythm.judge(
        doc, d, p, today, who, verdict.value, why,
        named("reason", p, reason) if reason is not None else None, competitor), commit)
    lost = e.result
    if lost is None:
        say(_("{id}: kept by {manager}: a new cycle starts ({path})").format(
            id=e.id, manager=who, path=e.rel))
        commit_change(ctx, e.root, [e.rel], f"judge {e.id}: keep",
                      f"manager: {who}\nnote: {why}")
    else:
        say(_("{id}: dropped by {manager}: lost ({reason}) ({path})").format(
            id=e.id, manager=who, reason=said(e, lost, "reason"), path=e.rel))
        who_won = f" ({competitor})" if competitor else ""
        commit_change(ctx, e.root, [e.rel], f"judge {e.id}: drop, lost {lost}{who_won}",
                      "\n".join(x for x in (f"manager: {who}",
                                            f"note: {why}" if why else "") if x))


# -- targets: what ``target --daily`` and ``target set`` run ---------------------------


def target_daily(ctx: typer.Context, period: str | None, owner: list[str] | None,
                 team: list[str] | None, json_out: bool, fmt: Format | str = "text") -> None:
    """``funnelctl target --daily``: each target of the period against an even pace
    over its working days, and the month's phase (build, split, press)."""
    from funnelctl.analysis.month import daily_tracking

    loaded, deals, owners = scope(ctx, owner, team)
    p = loaded.pipeline
    per = period_arg(period, ctx)
    view = daily_tracking(deals, p, per, settings(ctx).today, owners)
    if json_out:
        emit_json({**view.as_json(), "skipped": skipped_json(loaded)})
        return
    if not view.rows:
        from funnelctl.i18n import formats

        fail(_("no targets for {period} in stages.yaml (funnelctl target set --period {value} "
               "N)").format(period=formats.period(per), value=per))
    from funnelctl.render import rhythm

    if fmt == "md":
        _markdown(rhythm.daily_md(view, p))
    else:
        rhythm.daily(out_console(), view, p)


def target_set(ctx: typer.Context, period: str | None, owner: list[str] | None,
               team: list[str] | None, deals: float | None, amount: float | None,
               commit: bool | None = None) -> None:
    """``funnelctl target set [--period P] [--owner O | --team T] [N] [--amount A]``:
    writes the target of a rep, a team, or (neither given) the whole team into
    stages.yaml's ``targets:``, adding the entry or changing the figures given."""
    from funnelctl.analysis.month import target_shortfalls
    from funnelctl.edits import Refused
    from funnelctl.edits_rhythm import set_target, write_targets
    from funnelctl.store import STAGES_FILE, StoreError

    if (owner and team) or len(owner or []) > 1 or len(team or []) > 1:
        fail(_("target set: one --owner or one --team (neither: the whole team's target)"),
             code=2)
    if deals is None and amount is None:
        fail(_("target set: give N (deals to sign), --amount, or both"), code=2)
    if deals is not None and not float(deals).is_integer():
        fail(_("target set: N {n}: a whole number of deals").format(n=f"{deals:g}"), code=2)
    root, p = root_and_pipeline(ctx)
    per = period_arg(period, ctx)
    if team:
        who = team[0]
        if who not in p.teams:
            fail(_("--team {team!r}: no such team in stages.yaml (teams: {teams})").format(
                team=who, teams=_(", ").join(p.teams) or _("none")), code=2)
    elif owner:
        who = owner[0]
        if who == "team":
            fail(_("--owner {owner!r} names the whole team: use no --owner").format(owner=who),
                 code=2)
        if who in p.teams:
            fail(_("--owner {owner!r} names a team: use --team {team}").format(owner=who,
                                                                             team=who), code=2)
        if not who.strip():
            fail(_("--owner: a rep's name"), code=2)
    else:
        who = "team"
    wants_commit(ctx, root, p, commit)
    n = None if deals is None else int(deals)
    try:
        what, after = write_targets(root, lambda doc: set_target(doc, per, who, n, amount))
    except Refused as exc:
        fail(exc.message)
    except StoreError as exc:
        fail(exc.message, exc.problems)
    now = after or p
    from funnelctl.i18n import formats

    t = [x for x in now.targets if x.owner == who and x.period == per][-1]
    figures = _(", ").join(x for x in (
        nformat("{n} deal", "{n} deals", t.deals) if t.deals is not None else "",
        _("amount {amount}").format(amount=formats.money(t.amount))
        if t.amount is not None else "") if x)
    status = (_("unchanged") if after is None else _("added") if what == "added" else
              _("changed"))
    say(_("target {period} {owner}: {figures} ({status}, {path})").format(
        period=formats.period(per), owner=_("team") if who == "team"
        else who, figures=figures, status=status, path=STAGES_FILE))
    from funnelctl.render.safe import safe

    con = err_console()
    for s in target_shortfalls(now):
        if s.period == per:
            con.print(_("warning: {message}").format(message=safe(s.message)), style="yellow",
                      markup=False)
    if after is not None:
        english = ", ".join(x for x in (
            f"{t.deals} deal{'' if t.deals == 1 else 's'}" if t.deals is not None else "",
            f"amount {t.amount:,.0f}" if t.amount is not None else "") if x)
        commit_change(ctx, root, [STAGES_FILE], f"target set {who} {per}: {english}")


def target_warnings(root: Path, pipeline: Pipeline) -> list:
    """The targets of stages.yaml that the targets under them do not cover
    (``month.target_shortfalls``), as problems on the lines of stages.yaml they are
    about, for ``validate`` to print as warnings."""
    from funnelctl import yamlio
    from funnelctl.analysis.month import target_findings
    from funnelctl.problems import Problem
    from funnelctl.store import STAGES_FILE
    from funnelctl.store.files import FileRefused, read_file

    findings = target_findings(pipeline)
    if not findings:
        return []
    try:
        text = read_file(root, STAGES_FILE)
    except (FileRefused, OSError):
        text = b""
    return [Problem(STAGES_FILE, yamlio.line_of(text, loc) if text else 1,
                    _("warning: {message}").format(message=message))
            for loc, message in findings]
