"""One deal and lists of them: new, show, list, plan."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

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
    report_change,
    root_and_pipeline,
    settings,
    skipped_json,
    wants_commit,
)
from funnelctl.cli.completion import complete_deal, complete_owner, complete_stage
from funnelctl.cli.root import app
from funnelctl.i18n import _, formats


@app.command("new")
def new_cmd(
    ctx: typer.Context,
    account: str = typer.Option(..., "--account", help="The customer."),
    title: str = typer.Option(..., "--title", help="What the deal is about."),
    owner: str = typer.Option(..., "--owner", help="The rep who owns it.",
                              autocompletion=complete_owner),
    amount: float = typer.Option(..., "--amount", min=0, max=1e15, callback=finite,
                                 help="Expected order value."),
    source: Optional[str] = typer.Option(None, "--source", help="Where the lead came from."),
    close: Optional[str] = typer.Option(None, "--close", help="Expected close YYYY-MM-DD."),
    deal_id: Optional[str] = typer.Option(None, "--id", help="Deal id (default: account and "
                                          "title in words, Chinese in pinyin, -2 when "
                                          "taken)."),
    folder: Optional[str] = typer.Option(None, "--folder", help="Sub-folder of deals/, "
                                         "e.g. east."),
    created: Optional[str] = typer.Option(None, "--created", help="When the deal was created, "
                                          "YYYY-MM-DD, if before today (a deal brought in "
                                          "from elsewhere)."),
    stage: Optional[str] = typer.Option(None, "--stage", help="The stage the deal is at "
                                        "already (default: the first).",
                                        autocompletion=complete_stage),
    json_out: bool = JSON_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Register a potential customer at the first stage.

    A deal brought in from elsewhere keeps its past: --created gives the day it was
    created and --stage the stage it has reached. Its one history entry is then
    marked imported: it counts as no inflow and no forced move, and lists the
    milestones before that stage as unproven (the gates apply from now on).

    Example: funnelctl new --account "Acme Pumps" --title "Line 3 cooling" --owner li.wei
    --amount 120000 --close 2027-03-31
    """
    from funnelctl import edits, yamlio
    from funnelctl.patterns import DEAL_ID_MAX, is_deal_id
    from funnelctl.schema_export import SCHEMA_FILE, modeline
    from funnelctl.store import DEALS_DIR, StoreError, create_exclusive
    from funnelctl.store.files import within_limit
    from funnelctl.store.walk import id_in_use

    s = settings(ctx)
    root, pipeline = root_and_pipeline(ctx)
    close_date = parse_date(close, "--close") if close else None
    created_date = parse_date(created, "--created") if created else None
    if created_date and created_date > s.today:
        fail(_("--created {day} is after today ({today})").format(
            day=formats.day(created_date), today=formats.day(s.today)), code=2)
    if stage is not None:  # an id, or a stage's label in any language
        stage = stage_option(stage, pipeline.stages, _(
            "--stage {text!r}: not an open stage (stages: {choices}; a won or lost deal is "
            "brought in by 'funnelctl import')"))
    wants_commit(ctx, root, pipeline, commit)
    if close_date and close_date < s.today:
        fail(_("--close {day} is in the past").format(day=formats.day(close_date)))
    if deal_id:
        did = deal_id
    else:  # a second deal of the same account and title is -2, not refused
        from funnelctl.ids import unique_id
        from funnelctl.store.walk import deal_ids

        did = unique_id(edits.slug(f"{account}-{title}"), deal_ids(root))
    if not is_deal_id(did):
        fail(_("--id {id!r}: use letters, digits, '.', '_' and '-' only, at most {max} "
               "characters").format(id=did, max=DEAL_ID_MAX), code=2)
    base = (root / DEALS_DIR).resolve()
    sub = base
    if folder:
        parts = Path(folder).parts
        if Path(folder).is_absolute() or any(p in ("..", ".") or p.startswith(".")
                                             for p in parts):
            fail(_("--folder {folder!r} must be a plain sub-folder of {deals}/").format(
                folder=folder, deals=DEALS_DIR))
        sub = (base / folder).resolve()
        if base != sub and base not in sub.parents:
            fail(_("--folder {folder!r} escapes {deals}/").format(folder=folder,
                                                                   deals=DEALS_DIR))
    taken = id_in_use(root, did)
    if taken:
        fail(_("a deal with id {id!r} exists already: {path}").format(id=did, path=taken))
    try:
        doc = edits.new_deal(pipeline, s.today, deal_id=did, account=account, title=title,
                             owner=owner, amount=amount, source=source, close=close_date)
    except edits.Refused as exc:  # text that could not be written and read back
        fail(exc.message, code=2)
    if created_date is not None or stage is not None:
        _brought_in(doc, pipeline, created_date or s.today, stage or pipeline.stages[0].id)
    y = yamlio.rt_yaml("")
    text = yamlio.rt_dump(y, doc)
    path = sub / f"{did}.yaml"
    rel = path.relative_to(root).as_posix()
    if (root / SCHEMA_FILE).is_file():  # editors check and complete the deal against it
        text = modeline(rel) + text  # the schema's path from the deal's folder
    try:
        within_limit(rel, text.encode("utf-8"), pipeline.max_file_bytes)
        create_exclusive(path, text)
    except StoreError as exc:
        fail(exc.message if exc.message.startswith(rel) else f"{rel}: {exc.message}")
    if json_out:  # one line, as every write prints what it changed (and its commit)
        settings(ctx).json = True
        report_change(ctx, did, rel, [str(key) for key in doc])
    else:
        typer.echo(f"{did}\t{rel}")
    commit_change(ctx, root, [rel], f"new {did}: {account}, {title}",
                  f"owner: {owner}\namount: {amount:g}" + (f"\nclose: {close_date}"
                                                             if close_date else "")
                  + (f"\ncreated: {created_date}" if created_date else "")
                  + (f"\nstage: {stage} (imported)" if stage else ""))


def stage_option(text: str, items, refusal: str) -> str:
    """The id of the stage ``text`` names among ``items`` (its id, or its label in any
    language: ``labels.stage``); else a usage error (exit 2): ``refusal`` (translated,
    with {text} and {choices}) listing the choices as ``id (label)``, or the items
    a label shared by two of them names."""
    from funnelctl import labels

    try:
        return labels.resolve("stage", items, text)
    except labels.NoSuchChoice as exc:
        k = labels.key(text)
        if any(labels.key(n) == k for i in items for n in labels.choice(i).names):
            fail(exc.message, code=2)  # a label two stages share
        fail(refusal.format(text=text, choices=", ".join(
            labels.describe(labels.choice(i)) for i in items)), code=2)


def _brought_in(doc, pipeline, created, stage: str) -> None:
    """A new deal made one brought in from elsewhere: its own created date, the stage
    it has reached, and its one history entry (dated today) marked imported, with
    what it has passed unseen (io.plan.unproven)."""
    from ruamel.yaml.comments import CommentedSeq

    from funnelctl.io.plan import unproven

    doc["created"] = created
    doc["stage"] = stage
    entry = doc["history"][0]
    entry["stage"] = stage
    entry["imported"] = True
    gaps = unproven(pipeline, stage)
    if gaps:
        seq = CommentedSeq(gaps)
        seq.fa.set_flow_style()
        entry["unproven"] = seq


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    json_out: bool = JSON_OPT,
) -> None:
    """One deal's road map on one screen.

    Example: funnelctl show acme-cooling
    """
    from funnelctl.analysis.roadmap import road_map
    from funnelctl.cli.common import deal_titles
    from funnelctl.store import StoreError, find_deal, read_deal
    from funnelctl.store.files import FileRefused, read_file
    from funnelctl.yamlio import load_fast

    s = settings(ctx)
    root, pipeline = root_and_pipeline(ctx)
    try:  # by its id, the beginning of one, or its exact title
        rel = find_deal(root, deal, titles=lambda: deal_titles(ctx, root, pipeline))
    except StoreError as exc:
        fail(exc.message)
    try:
        # read once: checked by read_deal, shown as stored
        raw = read_file(root, rel, pipeline.max_file_bytes)
    except FileRefused as exc:
        fail(f"{rel}: {exc.message}")
    except OSError as exc:
        fail(_("{path}: cannot read: {error}").format(path=rel, error=exc.strerror))
    d, problems = read_deal(root, rel, pipeline, raw, full=True)
    if d is None:
        fail(_("{path} cannot be read as a deal").format(path=rel), problems)
    rm = road_map(d, load_fast(raw), pipeline, s.today)
    rm["path"] = rel
    rm["problems"] = [p.as_json() for p in problems]
    if json_out:
        emit_json(rm)
        return
    from funnelctl.render.rep import show

    show(out_console(), rm, [str(p) for p in problems], pipeline)

@app.command("list")
def list_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    stage: Optional[str] = typer.Option(None, "--stage", help="Only deals at this stage.",
                                        autocompletion=complete_stage),
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
    if stage and not p.known_stage(stage):  # a label in any language, or a usage error
        stage = stage_option(stage, [*p.stages, p.won], _(
            "--stage {text!r}: unknown stage (stages: {choices})"))
    owners = owner_filter(loaded, owner, team)
    deals = select(loaded.deals, owners, stage, status)
    pos = p.positions  # stages in order, then won; an unknown stage last
    deals.sort(key=lambda d: (pos.get(d.stage, 99), d.owner, d.id))
    priced = converted(deals, p, settings(ctx).today).deals
    if json_out:
        today = settings(ctx).today
        rows = []
        for d, c in zip(deals, priced, strict=True):
            row = d.as_row()
            row["currency"] = d.currency or p.currency  # no currency: the reporting one
            row["amount_converted"] = None if is_left_out(c, p) else c.amount
            row.update(_derived(d, row["amount_converted"], p, today))
            rows.append(row)
        emit_json(rows)
        return
    from funnelctl.render.rep import deal_list

    deal_list(out_console(), deals, p, priced)

def _derived(d, converted: float | None, p, today) -> dict:
    """What ``list --json`` adds to a deal's own fields: where it stands today (days
    in its stage, the win probability of its stage and the converted amount weighted
    by it), its next step, its outcome and its snooze; None where it has none."""
    open_ = d.status == "open"
    stage = p.stage(d.stage)
    probability = (stage.probability if stage else None) if open_ else \
        1.0 if d.status == "won" else 0.0
    return {
        "entered": d.entered,
        "days_in_stage": (today - d.entered).days if open_ else None,
        "probability": probability,
        "weighted": None if converted is None or probability is None
        else round(converted * probability, 2),
        "next_date": d.next_date, "next_step": d.next_step,
        "last_action": d.last_action, "actions": d.actions,
        "outcome_date": d.outcome_date, "lost_reason": d.lost_reason,
        "competitor": d.competitor,
        "snooze_until": d.snooze_until, "snooze_reason": d.snooze_reason,
        "imported": d.imported,
    }


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
