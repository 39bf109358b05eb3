"""Setting up and checking a pipeline: init, validate, schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

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

if TYPE_CHECKING:
    from funnelctl.pipeline import Pipeline
    from funnelctl.problems import Problem
    from funnelctl.summary import Summary

# What init puts in .gitignore: the cache and locks, and a write in progress
IGNORED = [".funnelctl-cache/", ".*.tmp"]

@app.command("init")
def init_cmd(
    ctx: typer.Context,
    directory: Path = typer.Argument(Path("."), help="Folder to set up (created if missing)."),
    template: Template = typer.Option(Template.en, "--template", help="en, or zh for the original "
                                 "stage names (线索确认 … 签订合同)."),
    no_git: bool = typer.Option(False, "--no-git", help="Leave git alone: no 'git init', no "
                                "merge driver in .git/config (the files are written all the "
                                "same)."),
) -> None:
    """Scaffold stages.yaml and deals/ for a new pipeline, in git.

    Runs 'git init' when the folder is in no git repository yet, writes .gitignore
    (cache, locks, a write's temporary files), .gitattributes (deal files merge by
    meaning) and deals/.gitkeep, and registers the merge driver as 'funnelctl
    git-setup' does.

    Example: funnelctl init sales --template zh
    """
    from importlib.resources import files

    from funnelctl.cli.merge import write_attributes
    from funnelctl.gitio import run, setup
    from funnelctl.store import STAGES_FILE, StoreError, atomic_write, create_exclusive

    if directory.exists() and not directory.is_dir():
        fail(f"{directory} is a file: init sets up a folder", code=2)
    target = directory / STAGES_FILE
    ignore = directory / ".gitignore"
    keep = directory / "deals" / ".gitkeep"
    for path in (target, ignore, directory / ".gitattributes", keep):
        if path.is_symlink():  # a dangling one too: never write where it leads
            fail(f"{path} is a symlink; nothing written")
    if target.exists():
        fail(f"{target} exists already; nothing written")
    text = (files("funnelctl") / "templates" / f"stages_{template}.yaml").read_text("utf-8")
    top = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not no_git:  # before any file: where git is missing, nothing is written
            top = run.toplevel(directory)
            if top is None:
                top = setup.init_repository(directory)
                typer.echo(f"initialized a git repository in {directory}")
        (directory / "deals").mkdir(exist_ok=True)
        create_exclusive(target, text)  # whole or not at all, and never over another
        lines = ignore.read_text("utf-8").splitlines() if ignore.exists() else []
        wanted = [line for line in IGNORED if line not in lines]
        if wanted:
            old = ignore.read_text("utf-8") if ignore.exists() else ""
            sep = "" if not old or old.endswith("\n") else "\n"
            atomic_write(ignore, old + sep + "\n".join(wanted) + "\n")
        write_attributes(directory, top, follow=False)
        if not any(p for p in (directory / "deals").iterdir() if p.name != ".gitkeep"):
            if not keep.exists():  # git keeps no empty folder: this keeps deals/
                atomic_write(keep, "")
        if top is not None:
            setup.register_driver(top)
    except run.GitError as exc:
        fail(f"{exc.message}; use --no-git to set up the pipeline without git")
    except StoreError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"{directory}: {exc.strerror}; nothing written")
    typer.echo(f"created {target} and {directory / 'deals'}/")


@app.command("validate")
def validate_cmd(
    ctx: typer.Context,
    changed: bool = typer.Option(False, "--changed", help="Check only the deal files git "
                                 "says changed against REV (a pre-commit hook's check)."),
    rev: Optional[str] = typer.Argument(None, metavar="[REV]", help="With --changed: the "
                                        "revision to compare with (default HEAD)."),
    json_out: bool = JSON_OPT,
) -> None:
    """Check stages.yaml and every deal file; print each problem as file:line.

    --changed checks stages.yaml and only the deal files that differ from REV
    (committed, staged, edited or new; not the deleted ones), each id also against
    the names of all the other files: fast on any size of pipeline. When stages.yaml
    itself changed, every deal is checked against it.

    Example: funnelctl validate

    Before a commit: funnelctl validate --changed
    """
    if rev is not None and not changed:
        fail(f"{rev!r}: a revision is for --changed (funnelctl validate --changed {rev})",
             code=2)
    from funnelctl.cli.rhythm import target_warnings

    root, pipeline = root_and_pipeline(ctx)
    warnings = target_warnings(root, pipeline)  # printed, not counted as problems
    if changed:
        found = _changed_problems(ctx, root, pipeline, rev or "HEAD")
        if found is not None:
            _report(ctx, root, *found, json_out, what="changed deal", warnings=warnings)
            return
    loaded = load(ctx, quiet_skips=True)
    _report(ctx, root, loaded.deals, loaded.problems, json_out, warnings=warnings)


def _changed_problems(ctx: typer.Context, root: Path, pipeline: Pipeline,
                      rev: str) -> tuple[list[Summary], list[Problem]] | None:
    """The changed deals read and their problems; None when stages.yaml changed (every
    deal is then checked)."""
    from funnelctl.cli.common import err_console
    from funnelctl.gitio import run, setup
    from funnelctl.store import STAGES_FILE, parse_one

    try:
        since = run.resolve(root, rev)
    except run.GitError as exc:  # one git call in the usual case; the reason otherwise
        try:
            run.require_repo(root, "validate --changed")
            if rev != "HEAD" or setup.has_commits(root):
                fail(exc.message, code=2)  # the revision the user gave: a usage error
            since = setup.empty_tree(root)  # the first commit: everything is new
        except run.GitError as exc2:
            fail(exc2.message)
    try:  # one listing for stages.yaml and deals/ (on 100,000 deals: 0.1 s less than two)
        changes = run.changed_since(root, since, under=".")
    except run.GitError as exc:
        fail(exc.message)
    if any(c.path == STAGES_FILE or c.old == STAGES_FILE for c in changes):
        err_console().print(f"note: {STAGES_FILE} changed since {rev}: every deal is "
                            "checked against it", markup=False)
        return None
    rels = sorted({c.path for c in changes if c.status != "D" and _deal_file(c.path)})
    deals: list[Summary] = []
    problems: list[Problem] = []
    for rel in rels:
        summary, found = parse_one(root, rel, pipeline)
        problems.extend(found)
        if summary is not None:
            deals.append(summary)
    # A deal edited in place keeps its file's name, which is its id: any other file of
    # that name is either unchanged (a problem older than REV) or new, and checked as
    # such. So only new and renamed files are looked for among the others' names.
    new = {c.path for c in changes if c.status in ("A", "R")}
    problems.extend(_ids_used_elsewhere(root, [d for d in deals if d.path in new]))
    return deals, problems


def _deal_file(rel: str) -> bool:
    """A path git reports that the loader would read as a deal: *.yaml or *.yml under
    deals/, no hidden file or folder on the way."""
    parts = rel.split("/")
    return (len(parts) > 1 and parts[0] == "deals" and parts[-1].endswith((".yaml", ".yml"))
            and not any(p.startswith(".") for p in parts))


def _ids_used_elsewhere(root: Path, deals: list[Summary]) -> list[Problem]:
    """Deals whose id (in any case) names another deal file: the same check as a full
    validate's, made on the file names (a deal's id is its file's name, which validate
    checks), so no other file is read."""
    import os

    from funnelctl.problems import Problem
    from funnelctl.store import DEALS_DIR

    wanted: dict[str, list[Summary]] = {}
    for d in deals:
        wanted.setdefault(d.id.casefold(), []).append(d)
    if not wanted:
        return []
    names = {f"{key}.{ext}" for key in wanted for ext in ("yaml", "yml")}
    found: dict[str, list[str]] = {}
    for folder, dirs, files in os.walk(root / DEALS_DIR):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.casefold() in names:  # one set look-up a file: 100,000 in 20 ms
                rel = Path(folder, name).relative_to(root).as_posix()
                found.setdefault(name.casefold().rsplit(".", 1)[0], []).append(rel)
    out = []
    for key, same in wanted.items():
        for d in same:
            for rel in sorted(found.get(key, [])):
                if rel == d.path:
                    continue
                stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                how = "" if stem == d.id else f", as {stem!r},"
                out.append(Problem(d.path, 1, f"id {d.id!r} is also used{how} by {rel}"))
    return out


def _report(ctx: typer.Context, root: Path, deals: list[Summary], found: list[Problem],
            json_out: bool, what: str = "deal", warnings: list[Problem] | None = None) -> None:
    """validate's output: each warning and problem on its line, then a count; exit 1
    on any problem (a warning alone exits 0)."""
    from funnelctl.checks import dated_after_today
    from funnelctl.render.safe import safe
    from funnelctl.store import locate

    today = settings(ctx).today
    found = list(found)
    for d in deals:  # the one rule that depends on the day: not in the cache
        if d.last_move > today or (d.outcome_date is not None and d.outcome_date > today):
            found.extend(locate(root, d.path, dated_after_today(d.history, d.outcome_date,
                                                                today)))
    problems = sorted(found, key=lambda p: (p.file, p.line))
    files = len({p.file for p in problems})
    left_out = len({p.file for p in problems if p.fatal})
    warnings = warnings or []
    if json_out:
        emit_json({"deals": len(deals), "problems": [p.as_json() for p in problems],
                   "warnings": [w.as_json() for w in warnings]})
    else:
        con = out_console()
        # one line each, however long: editors and grep read them
        for p in [*warnings, *problems]:
            con.print(safe(str(p)), markup=False, soft_wrap=True)
        if problems:
            con.print(f"{plural(len(problems), 'problem')} in {plural(files, 'file')} "
                      f"({left_out} left out); {plural(len(deals), what)} read", markup=False)
        else:
            con.print(f"ok: {plural(len(deals), what)}, no problems", markup=False)
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
