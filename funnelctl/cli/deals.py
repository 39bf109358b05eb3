"""One deal and lists of them: new, show, list, plan."""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter, itemgetter
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
    from funnelctl.analysis.currency import converted
    from funnelctl.analysis.select import select

    loaded = load(ctx, convert=False)  # each deal's own amount, and converted below
    p = loaded.pipeline
    if stage and not p.known_stage(stage):  # a label in any language, or a usage error
        stage = stage_option(stage, [*p.stages, p.won], _(
            "--stage {text!r}: unknown stage (stages: {choices})"))
    owners = owner_filter(loaded, owner, team)
    deals = select(loaded.deals, owners, stage, status)
    deals = _ordered(deals, p.positions)
    priced = converted(deals, p, settings(ctx).today).deals
    if json_out:  # rows made as they are written (emit_json): 100,000 never at once
        emit_json(_rows(deals, priced, p, settings(ctx).today))
        return
    from funnelctl.render.rep import deal_list

    deal_list(out_console(), deals, p, priced)

_by_id = attrgetter("id")


def _ordered(deals: list, pos: dict[str, int]) -> list:
    """The deals by stage (``pos``: stages in order, then won; an unknown stage last),
    owner and id, as a sort by (position, owner, id) orders them: grouped by stage
    and owner in one pass, and each group sorted by id (measured: 100,000 deals in
    0.15 s, not 0.37)."""
    groups: dict[tuple[int, str], list] = {}
    for d in deals:
        key = (pos.get(d.stage, 99), d.owner)
        group = groups.get(key)
        if group is None:
            groups[key] = [d]
        else:
            group.append(d)
    out: list = []
    for key in sorted(groups):
        group = groups[key]
        group.sort(key=_by_id)
        out += group
    return out


# What list --json adds to a deal's own fields (``Summary.as_row``), in this order
ADDED = ("amount_converted", "entered", "days_in_stage", "probability", "weighted",
         "next_date", "next_step", "last_action", "actions", "outcome_date", "lost_reason",
         "competitor", "snooze_until", "snooze_reason", "imported")


def _rows(deals, priced, p, today) -> Iterator:
    """``list --json``'s rows: a deal's own fields (``Summary.as_row``) with its
    currency (none: the reporting one), its amount converted (None: no rate), where
    it stands today (days in its stage, the win probability of its stage and the
    converted amount weighted by it), its next step, its outcome and its snooze;
    None where it has none.

    A row is a msgspec Struct with these keys as its fields, made from the summary's
    fields by position: it encodes to the JSON object a dict of them would, and 100,000
    of them are made in 0.4 s where dicts (``as_row`` and the rest) took 1.0 s, and
    encoded in 0.17 s, not 0.22 (measured). as_row stays what says which fields are
    the deal's own: unless it is the copy of ``summary.ROW``'s fields and the path
    that this reads, each row is a dict made by it."""
    import msgspec

    from funnelctl.analysis.currency import is_left_out
    from funnelctl.summary import ROW, Summary

    reporting = p.currency
    # where an open deal stands: its stage's win probability (an unknown stage: None)
    chance = {s.id: s.probability for s in p.stages}
    own = (*ROW, "path")
    values = itemgetter(*(Summary._fields.index(k) for k in own))
    row_type = msgspec.defstruct("Row", list(dict.fromkeys((*own, "currency", *ADDED))),
                                 gc=False)
    place = own.index("currency") if "currency" in own else None
    plain = bool(deals) and place is not None and \
        deals[0].as_row() == dict(zip(own, values(deals[0]), strict=True)) and \
        list(deals[0].as_row()) == list(own)
    some_foreign = priced is not deals  # else every amount is in the reporting currency
    for d, c in zip(deals, priced, strict=True):
        amount = None if some_foreign and is_left_out(c, p) else c.amount
        status = d.status
        entered = d.entered
        if status == "open":
            days = (today - entered).days
            probability = chance.get(d.stage)
        else:
            days = None
            probability = 1.0 if status == "won" else 0.0
        added = (amount, entered, days, probability,
                 None if amount is None or probability is None
                 else round(amount * probability, 2),
                 d.next_date, d.next_step, d.last_action, d.actions, d.outcome_date,
                 d.lost_reason, d.competitor, d.snooze_until, d.snooze_reason, d.imported)
        if plain:
            fields = values(d)
            if not fields[place]:  # as ``d.currency or reporting``
                fields = (*fields[:place], reporting, *fields[place + 1:])
            yield row_type(*fields, *added)
        else:
            row = d.as_row()
            row["currency"] = d.currency or reporting
            row.update(zip(ADDED, added, strict=True))
            yield row


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
