"""The rep's commands: init, new, tick, score, act, advance, win, lose, snooze, show,
list, plan, validate."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from funnelctl.cli.app import app
from funnelctl.cli.common import (
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    edit,
    emit_json,
    fail,
    load,
    out_console,
    owner_filter,
    parse_date,
    root_and_pipeline,
    settings,
    skipped_json,
)

# What init puts in .gitignore: the cache and locks, and a write in progress
IGNORED = [".funnelctl-cache/", ".*.tmp"]


@app.command("init")
def init_cmd(
    ctx: typer.Context,
    directory: Path = typer.Argument(Path("."), help="Folder to set up (created if missing)."),
    template: str = typer.Option("en", "--template", help="en, or zh for the original "
                                 "stage names (线索确认 … 签订合同)."),
) -> None:
    """Scaffold stages.yaml and deals/ for a new pipeline.

    Example: funnelctl init sales --template zh
    """
    from importlib.resources import files

    from funnelctl.store import STAGES_FILE, StoreError, atomic_write, create_exclusive

    if template not in ("en", "zh"):
        fail(f"--template: {template!r} is not one of en, zh")
    target = directory / STAGES_FILE
    ignore = directory / ".gitignore"
    for path in (target, ignore):
        if path.is_symlink():  # a dangling one too: never write where it leads
            fail(f"{path} is a symlink; nothing written")
    if target.exists():
        fail(f"{target} exists already; nothing written")
    text = (files("funnelctl") / "templates" / f"stages_{template}.yaml").read_text("utf-8")
    try:
        (directory / "deals").mkdir(parents=True, exist_ok=True)
        create_exclusive(target, text)  # whole or not at all, and never over another
        lines = ignore.read_text("utf-8").splitlines() if ignore.exists() else []
        wanted = [line for line in IGNORED if line not in lines]
        if wanted:
            old = ignore.read_text("utf-8") if ignore.exists() else ""
            sep = "" if not old or old.endswith("\n") else "\n"
            atomic_write(ignore, old + sep + "\n".join(wanted) + "\n")
    except StoreError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"{directory}: {exc.strerror}; nothing written")
    typer.echo(f"created {target} and {directory / 'deals'}/")


@app.command("new")
def new_cmd(
    ctx: typer.Context,
    account: str = typer.Option(..., "--account", help="The customer."),
    title: str = typer.Option(..., "--title", help="What the deal is about."),
    owner: str = typer.Option(..., "--owner", help="The rep who owns it."),
    amount: float = typer.Option(..., "--amount", min=0, help="Expected order value."),
    source: Optional[str] = typer.Option(None, "--source", help="Where the lead came from."),
    close: Optional[str] = typer.Option(None, "--close", help="Expected close YYYY-MM-DD."),
    deal_id: Optional[str] = typer.Option(None, "--id", help="Deal id (default: a slug of "
                                          "account and title)."),
    folder: Optional[str] = typer.Option(None, "--folder", help="Sub-folder of deals/, "
                                         "e.g. east."),
    json_out: bool = JSON_OPT,
) -> None:
    """Register a potential customer at the first stage.

    Example: funnelctl new --account "Acme Pumps" --title "Line 3 cooling" --owner li.wei
    --amount 120000 --close 2027-03-31
    """
    from funnelctl import edits, yamlio
    from funnelctl.patterns import is_deal_id
    from funnelctl.store import DEALS_DIR, StoreError, create_exclusive, find_deal

    s = settings(ctx)
    root, pipeline = root_and_pipeline(ctx)
    close_date = parse_date(close, "--close") if close else None
    if close_date and close_date < s.today:
        fail(f"--close {close_date} is in the past")
    did = deal_id or edits.slug(f"{account}-{title}")
    if not is_deal_id(did):
        fail(f"--id {did!r}: use letters, digits, '.', '_' and '-' only")
    base = (root / DEALS_DIR).resolve()
    sub = base
    if folder:
        parts = Path(folder).parts
        if Path(folder).is_absolute() or any(p in ("..", ".") or p.startswith(".")
                                             for p in parts):
            fail(f"--folder {folder!r} must be a plain sub-folder of {DEALS_DIR}/")
        sub = (base / folder).resolve()
        if base != sub and base not in sub.parents:
            fail(f"--folder {folder!r} escapes {DEALS_DIR}/")
    try:
        fail(f"a deal with id {did!r} exists already: {find_deal(root, did)}")
    except StoreError:
        pass  # no such deal yet: the id is free
    doc = edits.new_deal(pipeline, s.today, deal_id=did, account=account, title=title,
                         owner=owner, amount=amount, source=source, close=close_date)
    y = yamlio.rt_yaml("")
    text = yamlio.rt_dump(y, doc)
    path = sub / f"{did}.yaml"
    rel = path.relative_to(root).as_posix()
    try:
        create_exclusive(path, text)
    except StoreError as exc:
        fail(f"{rel}: {exc.message}")
    if json_out:
        emit_json({"id": did, "path": rel})
    else:
        typer.echo(f"{did}\t{rel}")


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


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id."),
    json_out: bool = JSON_OPT,
) -> None:
    """One deal's road map on one screen.

    Example: funnelctl show acme-pumps
    """
    from funnelctl.analysis.roadmap import road_map
    from funnelctl.store import StoreError, find_deal, read_deal
    from funnelctl.store.files import FileRefused, read_file
    from funnelctl.yamlio import load_fast

    s = settings(ctx)
    root, pipeline = root_and_pipeline(ctx)
    try:
        rel = find_deal(root, deal)
    except StoreError as exc:
        fail(exc.message)
    try:
        raw = read_file(root, rel)  # once: checked by read_deal, shown as stored
    except FileRefused as exc:
        fail(f"{rel}: {exc.message}")
    except OSError as exc:
        fail(f"{rel}: cannot read: {exc.strerror}")
    d, problems = read_deal(root, rel, pipeline, raw, full=True)
    if d is None:
        fail(f"{rel} cannot be read as a deal", problems)
    rm = road_map(d, load_fast(raw), pipeline, s.today)
    rm["path"] = rel
    rm["problems"] = [p.as_json() for p in problems]
    if json_out:
        emit_json(rm)
        return
    from funnelctl.render.rep import show

    show(out_console(), rm, [str(p) for p in problems])


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    stage: Optional[str] = typer.Option(None, "--stage", help="Only deals at this stage."),
    status: Optional[str] = typer.Option(None, "--status", help="open, won or lost."),
    json_out: bool = JSON_OPT,
) -> None:
    """List deals.

    Example: funnelctl list --owner li.wei --status open
    """
    from funnelctl.analysis.currency import converted, is_left_out
    from funnelctl.analysis.select import select

    if status not in (None, "open", "won", "lost"):
        fail(f"--status {status!r}: expected open, won or lost")
    loaded = load(ctx, convert=False)  # each deal's own amount, and converted below
    p = loaded.pipeline
    if stage and not p.known_stage(stage):
        fail(f"--stage {stage!r}: unknown stage "
             f"(stages: {', '.join([*p.stage_ids, p.won.id])})")
    owners = owner_filter(loaded, owner, team)
    deals = select(loaded.deals, owners, stage, status)
    pos = p.positions  # stages in order, then won; an unknown stage last
    deals.sort(key=lambda d: (pos.get(d.stage, 99), d.owner, d.id))
    priced = converted(deals, p, settings(ctx).today).deals
    if json_out:
        rows = []
        for d, c in zip(deals, priced, strict=True):
            row = d.as_row()
            row["currency"] = d.currency or p.currency  # no currency: the reporting one
            row["amount_converted"] = None if is_left_out(c, p) else c.amount
            rows.append(row)
        emit_json(rows)
        return
    from funnelctl.render.rep import deal_list

    deal_list(out_console(), deals, p, priced)


@app.command("plan")
def plan_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """Next steps overdue, due today and this week, and deals with no next step.

    Example: funnelctl plan --owner li.wei
    """
    from funnelctl.analysis.plan import next_steps
    from funnelctl.analysis.select import select

    s = settings(ctx)
    loaded = load(ctx)
    deals = select(loaded.deals, owner_filter(loaded, owner, team))
    result = next_steps(deals, s.today)
    if json_out:
        emit_json({**result.as_json(), "skipped": skipped_json(loaded)})
        return
    from funnelctl.render.rep import plan

    plan(out_console(), result)


@app.command("validate")
def validate_cmd(ctx: typer.Context, json_out: bool = JSON_OPT) -> None:
    """Check stages.yaml and every deal file; print each problem as file:line.

    Example: funnelctl validate
    """
    from funnelctl.checks import dated_after_today
    from funnelctl.store import locate

    loaded = load(ctx, quiet_skips=True)
    root, _ = root_and_pipeline(ctx)
    today = settings(ctx).today
    found = list(loaded.problems)
    for d in loaded.deals:  # the one rule that depends on the day: not in the cache
        if d.last_move > today or (d.outcome_date is not None and d.outcome_date > today):
            found.extend(locate(root, d.path, dated_after_today(d.history, d.outcome_date,
                                                                today)))
    problems = sorted(found, key=lambda p: (p.file, p.line))
    files = len({p.file for p in problems})
    if json_out:
        emit_json({"deals": len(loaded.deals), "problems": [p.as_json() for p in problems]})
    else:
        con = out_console()
        for p in problems:  # one line each, however long: editors and grep read them
            con.print(str(p), markup=False, soft_wrap=True)
        if problems:
            con.print(f"{_n(len(problems), 'problem')} in {_n(files, 'file')} "
                      f"({len(loaded.skipped_files)} left out); "
                      f"{_n(len(loaded.deals), 'deal')} read", markup=False)
        else:
            con.print(f"ok: {_n(len(loaded.deals), 'deal')}, no problems", markup=False)
    if problems:
        raise typer.Exit(1)



@app.command("schema")
def schema_cmd(
    ctx: typer.Context,
    which: str = typer.Argument("deal", help="deal or stages"),
) -> None:
    """Print the JSON Schema of a deal file or of stages.yaml, for editors.

    Example: funnelctl schema deal > deal.schema.json
    (then '# yaml-language-server: $schema=deal.schema.json' atop a deal file)
    """
    from funnelctl.model import Deal, pipeline_json_schema

    if which not in ("deal", "stages"):
        fail(f"{which!r}: expected deal or stages")
    emit_json(Deal.model_json_schema() if which == "deal" else pipeline_json_schema())


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
