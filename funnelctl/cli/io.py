"""In and out: import deals from a CRM's or a spreadsheet's export, export the
pipeline as tables for BI tools."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Optional

import typer

from funnelctl.cli.common import (
    COMMIT_OPT,
    JSON_OPT,
    commit_change,
    emit_json,
    fail,
    load,
    root_and_pipeline,
    settings,
    wants_commit,
)
from funnelctl.cli.root import app
from funnelctl.i18n import N_, _, nformat

# the paths a commit passes to git on one command line (Linux holds about 2 MB)
COMMIT_ARGS_MAX = 1_000_000


class Crm(StrEnum):
    pipedrive = "pipedrive"
    hubspot = "hubspot"
    salesforce = "salesforce"


class DateFormat(StrEnum):
    mdy = "mdy"
    dmy = "dmy"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    sqlite = "sqlite"
    parquet = "parquet"


def _pairs(values: list[str] | None, option: str, what: str) -> list[tuple[str, str]]:
    """``A=B`` values of a repeatable option; a bad one is a usage error."""
    out = []
    for v in values or []:
        left, sep, right = v.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            fail(_("{option} {value!r}: expected {what}").format(option=option, value=v,
                                                                  what=what), code=2)
        out.append((left.strip(), right.strip()))
    return out


def _progress(total: int):
    """A bar on stderr for a long write on a terminal; nothing when piped."""
    if total < 200 or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    from funnelctl.cli.common import styles

    prog = Progress(transient=True, console=Console(stderr=True, emoji=False, **styles()))
    prog.start()
    return prog, prog.add_task(_("importing"), total=total)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="The CRM's or spreadsheet's export: .csv or .xlsx."),
    crm: Optional[Crm] = typer.Option(None, "--from", help="The CRM whose export this is: "
                                      "its column and stage names need no --map."),
    maps: Optional[list[str]] = typer.Option(None, "--map", help="FIELD=COLUMN: read FIELD "
                                             "from COLUMN (repeatable). Fields: id, account, "
                                             "title, owner, amount, currency, stage, status, "
                                             "created, close, closed, source, lost_reason."),
    stage_maps: Optional[list[str]] = typer.Option(None, "--stage-map", help="VALUE=STAGE: "
                                                   "the source's stage VALUE is STAGE, or won "
                                                   "or lost (repeatable)."),
    owner_maps: Optional[list[str]] = typer.Option(None, "--owner-map", help="VALUE=OWNER: "
                                                   "the source's rep VALUE is OWNER "
                                                   "(repeatable)."),
    date_format: Optional[DateFormat] = typer.Option(
        None, "--date-format", help="How to read 3/4/2026: mdy (4 March, US) or dmy "
        "(3 April). Default: as the file's other dates show; ISO, D.M.YYYY and "
        "YYYY年M月D日 are always read."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="The CSV's encoding "
                                           "when it is not UTF-8 (cp1252, gbk)."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="The sheet of an .xlsx "
                                        "(default: the first)."),
    folder: Optional[str] = typer.Option(None, "--folder", help="Sub-folder of deals/ for "
                                         "the new deals, e.g. east."),
    write: bool = typer.Option(False, "--write", help="Create the deals (default: a dry "
                               "run that writes nothing)."),
    update: bool = typer.Option(False, "--update", help="Also change the deals imported "
                                "before whose rows changed, as the write commands would."),
    force_moves: bool = typer.Option(False, "--force-moves", help="With --update: make the "
                                     "moves whose milestones are not ticked, recorded as "
                                     "waived with --reason."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why moves are forced "
                                         "(--force-moves)."),
    json_out: bool = JSON_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Import deals from a CRM's or a spreadsheet's export (CSV or XLSX).

    A dry run by default: what it would create per owner and stage, and every row it
    cannot take, with its row number and why. --write creates the deals, each at its
    real created date and current stage with one history entry marked imported (no
    inflow, no forced move); --commit makes that one git commit. A second run finds
    the deals again by the source's id column and changes nothing; --update applies
    the rows that changed since.

    Example: funnelctl import deals.csv --from hubspot --owner-map "Li Wei=li.wei"
    --write --commit
    """
    from funnelctl.io import plan as planning
    from funnelctl.io.presets import FIELDS, PRESETS, key
    from funnelctl.io.table import TableError, read_table

    s = settings(ctx)
    root, p = root_and_pipeline(ctx)
    columns = {}
    for f, col in _pairs(maps, "--map", "FIELD=COLUMN"):
        if f not in FIELDS:
            fail(_("--map {field}={column}: unknown field {field!r} (fields: {fields})").format(
                field=f, column=col, fields=", ".join(FIELDS)), code=2)
        columns[f] = col
    stage_map = {}
    for value, stage in _pairs(stage_maps, "--stage-map", "VALUE=STAGE"):
        stage_map[key(value)] = _stage_map_target(p, value, stage)
    owner_map = {key(v): o for v, o in _pairs(owner_maps, "--owner-map", "VALUE=OWNER")}
    if (force_moves or reason) and not update:
        fail(_("--force-moves and --reason apply to --update"), code=2)
    if force_moves and not (reason and reason.strip()):
        fail(_("--force-moves needs --reason: a manager sees every waiver"), code=2)
    sub = "deals"
    if folder:
        parts = Path(folder).parts
        if Path(folder).is_absolute() or any(x in ("..", ".") or x.startswith(".")
                                             for x in parts):
            fail(_("--folder {folder!r} must be a plain sub-folder of {deals}/").format(
                folder=folder, deals="deals"), code=2)
        sub = "/".join(["deals", *parts])
    opts = planning.Options(PRESETS[crm.value] if crm else None, columns, stage_map,
                            owner_map, date_format.value if date_format else None, sub)
    try:
        table = read_table(file, encoding, sheet)
    except TableError as exc:
        fail(exc.message)
    try:
        rows, refused = planning.read_rows(table, p, opts, s.today)
    except planning.UsageError as exc:
        fail(exc.message, details=exc.details, code=2)

    plan = _plan(ctx, root, p, rows, refused, opts, len(table.rows))
    written: list[str] = []
    failed: list[planning.Refused] = []
    changed: list[str] = []
    if write:
        if wants_commit(ctx, root, p, commit):
            paths = [n.path for n in plan.new] + [u.path for u in plan.updates] * update
            if sum(len(x.encode("utf-8")) + 1 for x in paths) > COMMIT_ARGS_MAX:
                fail(_("--commit of {n} files at once is more than one git command line "
                       "holds: import without --commit, then commit deals/ with git").format(
                    n=len(paths)), code=2)
        from funnelctl.io.apply import apply_updates, write_new

        bar = _progress(len(plan.new) + (len(plan.updates) if update else 0))
        step = (lambda: bar[0].advance(bar[1])) if bar else (lambda: None)
        from funnelctl.store import StoreError

        try:
            written, failed = write_new(root, plan.new, step)
            if update:
                changed, refused_updates = apply_updates(
                    root, plan.updates, p, s.today, f"owner changed in {file.name}",
                    reason.strip() if force_moves and reason else None, step)
                failed += refused_updates
        except StoreError as exc:
            fail(exc.message)
        finally:
            if bar:
                bar[0].stop()
        made = set(written)
        plan.new = [n for n in plan.new if n.path in made]  # the others are refused
    refusals = sorted(plan.refused + failed, key=lambda r: r.row)
    if json_out:
        emit_json({"file": str(file), "from": crm.value if crm else None,
                   "rows": plan.rows, "written": write,
                   "new": [n.as_json() for n in plan.new],
                   "by_owner": plan.by_owner(),
                   "changed": [{**u.as_json(), "applied": u.path in changed}
                               for u in plan.updates],
                   "unchanged": plan.unchanged,
                   "refused": [r.as_json() for r in refusals],
                   "warnings": [w.as_json() for w in plan.warnings]})
    else:
        _report(plan, p, refusals, file.name, crm, write, update, table.note, set(changed))
    rels = written + changed
    if rels:
        n_new, n_changed = len(written), len(changed)
        commit_change(ctx, root, rels,
                      f"import {file.name}: {n_new} new, {n_changed} changed",
                      "\n".join(([f"from: {crm.value}"] if crm else [])
                                + [f"rows: {plan.rows}"]
                                + [f"refused: {len(refusals)}"] * bool(refusals)))
    if refusals:
        raise typer.Exit(1)


def _plan(ctx, root, p, rows, refused, opts, total):
    from funnelctl.io import plan as planning
    from funnelctl.store import deal_files, read_deal

    loaded = load(ctx, quiet_skips=True, convert=False)
    if loaded.skipped_files:  # their source ids are unknown: their rows would be new
        from funnelctl.cli.common import err_console

        n = len(loaded.skipped_files)
        err_console().print(nformat(
            "note: {n} deal file cannot be read, so its source ids are not known: a row of "
            "one would be imported again (see 'funnelctl validate')",
            "note: {n} deal files cannot be read, so their source ids are not known: a row "
            "of one would be imported again (see 'funnelctl validate')", n),
            style="yellow", markup=False)
    by_source: dict[str, list] = {}
    for d in loaded.deals:
        if d.source_id is not None:
            by_source.setdefault(d.source_id, []).append(d)
    files, _problems = deal_files(root)
    taken = {rel.rsplit("/", 1)[-1].rsplit(".", 1)[0].casefold() for rel, _file_id in files}
    taken |= {d.id.casefold() for d in loaded.deals}

    def read(rel: str):
        return read_deal(root, rel, p)[0]

    return planning.make_plan(rows, refused, p, settings(ctx).today, opts, by_source, taken,
                              read, total)


ROWS_NAMED = 10  # rows named per broken rule (--json lists every one)


def _report(plan, p, refusals, name, crm, write, update, note, changed) -> None:
    from funnelctl.cli.common import say

    rows_s = nformat("{name}: {n} row", "{name}: {n} rows", plan.rows, name=name)
    say(rows_s + (_(" ({crm} export)").format(crm=crm.value) if crm else "")
        + (_("; {note}").format(note=note) if note else ""))
    n = len(plan.new)
    if not n:
        say(nformat("created {n} deal", "created {n} deals", n) if write
            else nformat("would create {n} deal", "would create {n} deals", n))
    else:  # the table follows
        say(nformat("created {n} deal:", "created {n} deals:", n) if write
            else nformat("would create {n} deal:", "would create {n} deals:", n))
    if n:
        _by_owner_table(plan, p, say)
    if plan.updates or plan.unchanged:
        say(_("already imported: {unchanged} unchanged, {changed} changed in the source")
            .format(unchanged=plan.unchanged, changed=len(plan.updates))
            + ("" if update or not plan.updates else _(" (--update applies them)")))
        verb = (_("changed") if write else _("would change")) if update else _("differs")
        for u in plan.updates:
            if write and update and u.path not in changed:
                continue  # refused: listed with the rows it cannot take
            what = "; ".join(f"{f} {_v(a)} -> {_v(b)}" for f, a, b in u.changes)
            say(_("  row {row}: {id} {verb}: {what}").format(row=u.deal.row, id=u.id,
                                                            verb=verb, what=what))
    if plan.warnings:
        rows = len({w.row for w in plan.warnings})
        say(nformat("{n} new deal would break a process rule (created all the same; see "
                    "'funnelctl validate'):",
                    "{n} new deals would break a process rule (created all the same; see "
                    "'funnelctl validate'):", rows))
        by_rule: dict[str, list[int]] = {}
        for w in plan.warnings:
            by_rule.setdefault(w.reason, []).append(w.row)
        for rule, at in by_rule.items():
            named = ", ".join(map(str, at[:ROWS_NAMED]))
            more = _(" and {n} more").format(n=len(at) - ROWS_NAMED) \
                if len(at) > ROWS_NAMED else ""
            say(f"  {rule}: " + nformat("row {rows}", "rows {rows}", len(at), rows=named)
                + more)
    if refusals:
        say(nformat("cannot take {n} row:", "cannot take {n} rows:", len(refusals)))
        for r in refusals:
            say(_("  row {row}: {reason}").format(row=r.row, reason=r.reason))
    if not write:
        say(_("dry run: nothing written (--write creates the deals)"))


def _by_owner_table(plan, p, say) -> None:
    """The new deals per owner (rows) and stage (columns, then won and lost). English
    heads the columns with the stages' ids, as it always has; another language with
    their names (as wide: 线索确认 is 8 cells, negotiation 11)."""
    from rich.cells import cell_len

    from funnelctl import i18n

    cols = [*p.stage_ids, p.won.id, "lost"]
    if i18n.current() == i18n.DEFAULT:
        heads = cols
    else:
        heads = [*(i18n.label(s) for s in p.stages), i18n.label(p.won), i18n.label(p.lost)]
    by_owner = plan.by_owner()
    owner_head, total_head = _("owner"), _("total")

    def pad(text: str, width: int, right: bool = False) -> str:
        gap = " " * max(0, width - cell_len(text))
        return gap + text if right else text + gap

    w0 = max(5, cell_len(owner_head), *(cell_len(o) for o in by_owner))
    widths = [max(cell_len(h), 3) for h in heads]
    wt = max(5, cell_len(total_head))
    say("  " + pad(owner_head, w0) + "".join("  " + pad(h, w, True)
                                             for h, w in zip(heads, widths, strict=True))
        + "  " + pad(total_head, wt, True))
    for o, counts in by_owner.items():
        say("  " + pad(o, w0) + "".join("  " + pad(str(counts.get(c, 0)), w, True)
                                        for c, w in zip(cols, widths, strict=True))
            + "  " + pad(str(sum(counts.values())), wt, True))


def _stage_map_target(p, value: str, stage: str) -> str:
    """What ``--stage-map VALUE=STAGE`` maps VALUE to: an open stage's id, or won or
    lost; STAGE is an id or a label in any language (``labels``). Else exit 2 with
    the choices."""
    from funnelctl import labels
    from funnelctl.io import plan as planning

    if stage in (planning.WON, planning.LOST):
        return stage
    try:
        found = labels.stage(p, stage, outcomes=True)
    except labels.NoSuchChoice:
        fail(_("--stage-map {value}={stage}: unknown stage {stage!r} (stages: {choices})")
             .format(value=value, stage=stage, choices=planning.stage_choices(p)), code=2)
    return planning.WON if found == p.won.id else planning.LOST if found == p.lost.id \
        else found


def _v(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return _("none") if value is None else str(value)


# export's summary: the rows of each table, named as in English by the table's name
TABLE_COUNTS = {"deals": N_("{n} deals"), "history": N_("{n} history"),
                "actions": N_("{n} actions"), "milestones": N_("{n} milestones"),
                "levels": N_("{n} levels"), "contacts": N_("{n} contacts"),
                "stages": N_("{n} stages")}


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(..., "--format", help="csv (a folder of files), json, "
                                     "sqlite or parquet (a folder of files)."),
    out: str = typer.Option(..., "--out", help="Where: a folder for csv and parquet, a file "
                            "for json and sqlite ('-' for json on stdout)."),
) -> None:
    """Export deals, stage history, actions, milestones, levels and contacts as
    tables with stable column names, for BI tools and spreadsheets.

    Example: funnelctl export --format sqlite --out pipeline.db
    """
    from funnelctl.io import export
    from funnelctl.store import deal_files, read_deal

    root, p = root_and_pipeline(ctx)
    if out == "-" and fmt != ExportFormat.json:
        fail((_("--out -: only --format json writes to stdout (--format {format} writes a "
                "folder)") if fmt in ("csv", "parquet") else _(
            "--out -: only --format json writes to stdout (--format {format} writes a file)"))
             .format(format=fmt.value), code=2)
    files, problems = deal_files(root)
    deals = []
    skipped = list(problems)
    for rel, _file_id in files:
        deal, found = read_deal(root, rel, p)
        if deal is None:
            skipped.extend(found)
        else:
            deals.append((rel, deal))
    rows = export.tables_of(deals, p)
    if out == "-":
        sys.stdout.write(export.json_text(rows))
    else:
        target = Path(out)
        if fmt in (ExportFormat.csv, ExportFormat.parquet) and target.exists() \
                and not target.is_dir():
            fail(_("--out {out}: --format {format} writes a folder, and {out} is a file").format(
                out=out, format=fmt.value), code=2)
        if fmt in (ExportFormat.json, ExportFormat.sqlite) and target.is_dir():
            fail(_("--out {out}: --format {format} writes a file, and {out} is a folder").format(
                out=out, format=fmt.value), code=2)
        try:
            written = export.WRITERS[fmt.value](rows, target)
        except export.MissingLibrary as exc:
            fail(str(exc))
        except (OSError, export.sqlite3.Error) as exc:
            fail(_("--out {out}: cannot write: {error}").format(
                out=out, error=getattr(exc, "strerror", None) or exc))
        counts = ", ".join(_(TABLE_COUNTS[t]).format(n=len(rows[t])) if t in TABLE_COUNTS
                           else f"{len(rows[t])} {t}" for t in export.TABLES)
        typer.echo(_("wrote {counts} to {paths}").format(
            counts=counts, paths=", ".join(str(w) for w in written)))
    if skipped:
        from funnelctl.cli.common import err_console

        n = len({q.file for q in skipped})
        err_console().print(nformat(
            "note: {n} file left out, not readable as a deal (see 'funnelctl validate')",
            "note: {n} files left out, not readable as a deal (see 'funnelctl validate')", n),
            style="yellow", markup=False)

