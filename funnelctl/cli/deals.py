"""One deal and lists of them: new, show, list, plan."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from funnelctl.cli.app import app
from funnelctl.cli.common import (
    COMMIT_OPT,
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    Status,
    commit_change,
    emit_json,
    fail,
    finite,
    load,
    out_console,
    owner_filter,
    parse_date,
    root_and_pipeline,
    settings,
    skipped_json,
    wants_commit,
)


@app.command("new")
def new_cmd(
    ctx: typer.Context,
    account: str = typer.Option(..., "--account", help="The customer."),
    title: str = typer.Option(..., "--title", help="What the deal is about."),
    owner: str = typer.Option(..., "--owner", help="The rep who owns it."),
    amount: float = typer.Option(..., "--amount", min=0, max=1e15, callback=finite,
                                 help="Expected order value."),
    source: Optional[str] = typer.Option(None, "--source", help="Where the lead came from."),
    close: Optional[str] = typer.Option(None, "--close", help="Expected close YYYY-MM-DD."),
    deal_id: Optional[str] = typer.Option(None, "--id", help="Deal id (default: a slug of "
                                          "account and title)."),
    folder: Optional[str] = typer.Option(None, "--folder", help="Sub-folder of deals/, "
                                         "e.g. east."),
    json_out: bool = JSON_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Register a potential customer at the first stage.

    Example: funnelctl new --account "Acme Pumps" --title "Line 3 cooling" --owner li.wei
    --amount 120000 --close 2027-03-31
    """
    from funnelctl import edits, yamlio
    from funnelctl.patterns import DEAL_ID_MAX, is_deal_id
    from funnelctl.store import DEALS_DIR, StoreError, create_exclusive
    from funnelctl.store.files import within_limit
    from funnelctl.store.walk import id_in_use

    s = settings(ctx)
    root, pipeline = root_and_pipeline(ctx)
    close_date = parse_date(close, "--close") if close else None
    wants_commit(ctx, root, pipeline, commit)
    if close_date and close_date < s.today:
        fail(f"--close {close_date} is in the past")
    did = deal_id or edits.slug(f"{account}-{title}")
    if not is_deal_id(did):
        fail(f"--id {did!r}: use letters, digits, '.', '_' and '-' only, "
             f"at most {DEAL_ID_MAX} characters", code=2)
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
    taken = id_in_use(root, did)
    if taken:
        fail(f"a deal with id {did!r} exists already: {taken}")
    try:
        doc = edits.new_deal(pipeline, s.today, deal_id=did, account=account, title=title,
                             owner=owner, amount=amount, source=source, close=close_date)
    except edits.Refused as exc:  # text that could not be written and read back
        fail(exc.message, code=2)
    y = yamlio.rt_yaml("")
    text = yamlio.rt_dump(y, doc)
    path = sub / f"{did}.yaml"
    rel = path.relative_to(root).as_posix()
    try:
        within_limit(rel, text.encode("utf-8"), pipeline.max_file_bytes)
        create_exclusive(path, text)
    except StoreError as exc:
        fail(exc.message if exc.message.startswith(rel) else f"{rel}: {exc.message}")
    if json_out:
        emit_json({"id": did, "path": rel})
    else:
        typer.echo(f"{did}\t{rel}")
    commit_change(ctx, root, [rel], f"new {did}: {account}, {title}",
                  f"owner: {owner}\namount: {amount:g}" + (f"\nclose: {close_date}"
                                                             if close_date else ""))

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
        # read once: checked by read_deal, shown as stored
        raw = read_file(root, rel, pipeline.max_file_bytes)
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
    status: Optional[Status] = typer.Option(None, "--status", help="open, won or lost."),
    json_out: bool = JSON_OPT,
) -> None:
    """List deals.

    Example: funnelctl list --owner li.wei --status open
    """
    from funnelctl.analysis.currency import converted, is_left_out
    from funnelctl.analysis.select import select

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
