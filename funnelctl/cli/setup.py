"""Setting up and checking a pipeline: init, validate, schema."""

from __future__ import annotations

from pathlib import Path

import typer

from funnelctl.cli.app import app
from funnelctl.cli.common import (
    JSON_OPT,
    Schema,
    Template,
    emit_json,
    fail,
    load,
    out_console,
    plural,
    root_and_pipeline,
    settings,
)

# What init puts in .gitignore: the cache and locks, and a write in progress
IGNORED = [".funnelctl-cache/", ".*.tmp"]

@app.command("init")
def init_cmd(
    ctx: typer.Context,
    directory: Path = typer.Argument(Path("."), help="Folder to set up (created if missing)."),
    template: Template = typer.Option(Template.en, "--template", help="en, or zh for the original "
                                 "stage names (线索确认 … 签订合同)."),
) -> None:
    """Scaffold stages.yaml and deals/ for a new pipeline.

    Example: funnelctl init sales --template zh
    """
    from importlib.resources import files

    from funnelctl.store import STAGES_FILE, StoreError, atomic_write, create_exclusive

    if directory.exists() and not directory.is_dir():
        fail(f"{directory} is a file: init sets up a folder", code=2)
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

@app.command("validate")
def validate_cmd(ctx: typer.Context, json_out: bool = JSON_OPT) -> None:
    """Check stages.yaml and every deal file; print each problem as file:line.

    Example: funnelctl validate
    """
    from funnelctl.checks import dated_after_today
    from funnelctl.render.safe import safe
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
            con.print(safe(str(p)), markup=False, soft_wrap=True)
        if problems:
            con.print(f"{plural(len(problems), 'problem')} in {plural(files, 'file')} "
                      f"({len(loaded.skipped_files)} left out); "
                      f"{plural(len(loaded.deals), 'deal')} read", markup=False)
        else:
            con.print(f"ok: {plural(len(loaded.deals), 'deal')}, no problems", markup=False)
    if problems:
        raise typer.Exit(1)

@app.command("schema")
def schema_cmd(
    ctx: typer.Context,
    which: Schema = typer.Argument(Schema.deal, help="deal or stages"),
) -> None:
    """Print the JSON Schema of a deal file or of stages.yaml, for editors.

    Example: funnelctl schema deal > deal.schema.json
    (then '# yaml-language-server: $schema=deal.schema.json' atop a deal file)
    """
    from funnelctl.model import Deal, pipeline_json_schema

    emit_json(Deal.model_json_schema() if which == "deal" else pipeline_json_schema())
