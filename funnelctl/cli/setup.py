"""Setting up and checking a pipeline: init, validate, schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from funnelctl.cli.common import (
    JSON_OPT,
    Schema,
    Template,
    emit_json,
    fail,
    load,
    out_console,
    root_and_pipeline,
    settings,
)
from funnelctl.cli.root import app
from funnelctl.i18n import _, nformat

if TYPE_CHECKING:
    from funnelctl.pipeline import Pipeline
    from funnelctl.problems import Problem
    from funnelctl.summary import Summary

# What init puts in .gitignore: the cache and locks, and a write in progress (never
# .funnelctl/, whose deal schema is shared)
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
    git-setup' does. Writes .funnelctl/deal.schema.json, the JSON Schema of a deal
    of this pipeline, for editors (commit it: it is shared; validate keeps it up to
    date with stages.yaml).

    Example: funnelctl init sales --template zh
    """
    from importlib.resources import files

    from funnelctl.cli.merge import write_attributes
    from funnelctl.gitio import run, setup
    from funnelctl.schema_export import SCHEMA_DIR, SCHEMA_FILE
    from funnelctl.store import (
        STAGES_FILE,
        StoreError,
        atomic_write,
        atomic_write_bytes,
        create_exclusive,
    )

    if directory.exists() and not directory.is_dir():
        fail(_("{path} is a file: init sets up a folder").format(path=directory), code=2)
    target = directory / STAGES_FILE
    ignore = directory / ".gitignore"
    keep = directory / "deals" / ".gitkeep"
    schema = directory / SCHEMA_FILE
    for path in (target, ignore, directory / ".gitattributes", keep, directory / SCHEMA_DIR,
                 schema):
        if path.is_symlink():  # a dangling one too: never write where it leads
            fail(_("{path} is a symlink; nothing written").format(path=path))
    if target.exists():
        fail(_("{path} exists already; nothing written").format(path=target))
    text = (files("funnelctl") / "templates" / f"stages_{template}.yaml").read_text("utf-8")
    top = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not no_git:  # before any file: where git is missing, nothing is written
            top = run.toplevel(directory)
            if top is None:
                top = setup.init_repository(directory)
                typer.echo(_("initialized a git repository in {path}").format(path=directory))
        (directory / "deals").mkdir(exist_ok=True)
        create_exclusive(target, text)  # whole or not at all, and never over another
        lines = ignore.read_text("utf-8").splitlines() if ignore.exists() else []
        wanted = [line for line in IGNORED if line not in lines]
        if wanted:
            old = ignore.read_text("utf-8") if ignore.exists() else ""
            sep = "" if not old or old.endswith("\n") else "\n"
            atomic_write(ignore, old + sep + "\n".join(wanted) + "\n")
        write_attributes(directory, top, follow=False)
        atomic_write_bytes(schema, fitted_schema_bytes(_template_pipeline(text)))
        if not any(p for p in (directory / "deals").iterdir() if p.name != ".gitkeep"):
            if not keep.exists():  # git keeps no empty folder: this keeps deals/
                atomic_write(keep, "")
        if top is not None:
            setup.register_driver(top)
    except run.GitError as exc:
        fail(_("{error}; use --no-git to set up the pipeline without git").format(
            error=exc.message))
    except StoreError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(_("{path}: {error}; nothing written").format(path=directory, error=exc.strerror))
    typer.echo(_("created {stages} and {deals}/").format(stages=target,
                                                         deals=directory / "deals"))


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

    Where .funnelctl/deal.schema.json exists (init writes it), validate rewrites it
    when stages.yaml no longer gives the same schema, and says so on stderr.

    Example: funnelctl validate

    Before a commit: funnelctl validate --changed
    """
    if rev is not None and not changed:
        fail(_("{rev!r}: a revision is for --changed (funnelctl validate --changed {rev})")
             .format(rev=rev), code=2)
    from funnelctl.cli.rhythm import target_warnings

    root, pipeline = root_and_pipeline(ctx)
    refresh_schema(root, pipeline)
    warnings = target_warnings(root, pipeline)  # printed, not counted as problems
    if changed:
        found = _changed_problems(ctx, root, pipeline, rev or "HEAD")
        if found is not None:
            _report(ctx, root, *found, json_out, changed=True, warnings=warnings)
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
        err_console().print(_("note: {stages} changed since {rev}: every deal is checked "
                              "against it").format(stages=STAGES_FILE, rev=rev), markup=False)
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
                out.append(Problem(d.path, 1, _("id {id!r} is also used by {path}").format(
                    id=d.id, path=rel) if stem == d.id else _(
                    "id {id!r} is also used, as {name!r}, by {path}").format(
                    id=d.id, name=stem, path=rel)))
    return out


def _report(ctx: typer.Context, root: Path, deals: list[Summary], found: list[Problem],
            json_out: bool, changed: bool = False, warnings: list[Problem] | None = None
            ) -> None:
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
        n = len(deals)
        if problems:
            read = nformat("{n} changed deal read", "{n} changed deals read", n) if changed \
                else nformat("{n} deal read", "{n} deals read", n)
            con.print(_("{problems} in {files} ({left_out} left out); {read}").format(
                problems=nformat("{n} problem", "{n} problems", len(problems)),
                files=nformat("{n} file", "{n} files", files), left_out=left_out,
                read=read), markup=False)
        elif changed:
            con.print(nformat("ok: {n} changed deal, no problems",
                              "ok: {n} changed deals, no problems", n), markup=False)
        else:
            con.print(nformat("ok: {n} deal, no problems", "ok: {n} deals, no problems", n),
                      markup=False)
    if problems:
        raise typer.Exit(1)


@app.command("schema")
def schema_cmd(
    ctx: typer.Context,
    which: Schema = typer.Argument(Schema.deal, help="deal or stages"),
    generic: bool = typer.Option(False, "--generic", help="The deal schema of any pipeline "
                                 "(stages, milestones and ladders not checked, unknown keys "
                                 "allowed): needs no stages.yaml."),
    write: bool = typer.Option(False, "--write", help="Write the deal schema to "
                               ".funnelctl/deal.schema.json (as init does) instead of "
                               "printing it."),
) -> None:
    """Print the JSON Schema of a deal file or of stages.yaml, for editors.

    The deal schema is fitted to this pipeline: its stage ids, milestone ids, ladders
    with their levels, action kinds, loss reasons and currencies as the only values,
    and no key a deal does not know. 'funnelctl init' writes it to
    .funnelctl/deal.schema.json, 'funnelctl new' points each new deal at it on its
    first line, and 'funnelctl validate' keeps it up to date with stages.yaml.

    Example: funnelctl schema --write
    (then '# yaml-language-server: $schema=../.funnelctl/deal.schema.json' atop
    deals/acme.yaml)
    """
    if which == Schema.stages and (generic or write):
        fail(_("{option} is for the deal schema (funnelctl schema deal {option})").format(
            option="--generic" if generic else "--write"), code=2)
    if generic and write:
        fail(_("--write writes the schema fitted to this pipeline; --generic prints the one "
               "of any pipeline (funnelctl schema deal --generic > deal.schema.json)"), code=2)
    if which == Schema.stages or generic:
        from funnelctl.model import pipeline_json_schema
        from funnelctl.schema_export import generic_deal_schema

        emit_json(generic_deal_schema() if which == Schema.deal else pipeline_json_schema())
        return
    from funnelctl.store import StoreError, find_root, load_pipeline

    s = settings(ctx)
    try:
        root = find_root(Path.cwd(), s.dir)
        pipeline = load_pipeline(root, use_cache=s.use_cache)
    except StoreError as exc:
        fail(_("{error}; the deal schema is fitted to a pipeline ('funnelctl schema deal "
               "--generic' prints the one of any pipeline)").format(error=exc.message),
             exc.problems)
    data = fitted_schema_bytes(pipeline)
    if not write:
        _stdout_bytes(data)
        return
    from funnelctl.schema_export import SCHEMA_DIR, SCHEMA_FILE
    from funnelctl.store import atomic_write_bytes

    path = root / SCHEMA_FILE
    if (root / SCHEMA_DIR).is_symlink() or path.is_symlink():
        fail(_("{path} is a symlink; nothing written").format(
            path=path if path.is_symlink() else root / SCHEMA_DIR))
    try:
        changed = _file_bytes(path) != data
        if changed:
            atomic_write_bytes(path, data)
    except OSError as exc:
        fail(_("{path}: cannot write: {error}; nothing written").format(path=SCHEMA_FILE,
                                                                         error=exc.strerror))
    typer.echo((_("wrote {path}") if changed else _("unchanged: {path}")).format(path=path))


# -- the deal schema in the repository ----------------------------------------------

_SCHEMA_KEY = "deal-schema.key"  # in the cache folder: what the file was last checked for


def fitted_schema_bytes(pipeline: Pipeline) -> bytes:
    """The deal schema of this pipeline as the file holds it (and ``schema`` prints
    it): indented JSON, UTF-8, with the characters a terminal would act on (from a
    label in stages.yaml) written as escapes."""
    import json

    from funnelctl.render.safe import json_safe
    from funnelctl.schema_export import fitted_deal_schema

    text = json.dumps(fitted_deal_schema(pipeline), indent=2, ensure_ascii=False) + "\n"
    return json_safe(text.encode("utf-8"))


def _template_pipeline(text: str) -> Pipeline:
    from funnelctl.store import validate_pipeline_text

    return validate_pipeline_text(text.encode("utf-8"))


def _file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _stdout_bytes(data: bytes) -> None:
    import sys

    stream = getattr(sys.stdout, "buffer", None)
    try:
        if stream is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            sys.stdout.flush()
            stream.write(data)
            stream.flush()
    except BrokenPipeError:  # `funnelctl schema | head`
        pass


def refresh_schema(root: Path, pipeline: Pipeline) -> None:
    """Rewrite .funnelctl/deal.schema.json where it exists and no longer matches the
    schema stages.yaml gives (compared by content, written atomically), with a note
    on stderr. Never fails: a folder that cannot be written is said in one line, and
    validate goes on.

    Building the schema takes pydantic (most of a second on a cold start), so the
    check is skipped when nothing it depends on changed since the last one: the key
    kept in the cache folder is funnelctl's code, stages.yaml and the file's own
    bytes, so a file edited by hand or brought by a pull is looked at again."""
    import hashlib

    from funnelctl.cli.common import err_console
    from funnelctl.schema_export import SCHEMA_DIR, SCHEMA_FILE
    from funnelctl.store import CACHE_DIR, atomic_write_bytes
    from funnelctl.store.cache import cache_key
    from funnelctl.store.files import FileRefused, read_file

    path = root / SCHEMA_FILE
    if not path.exists() and not path.is_symlink():
        return  # no schema in this pipeline (init writes one; 'schema --write' too)

    def note(message: str, error: str | None = None) -> None:
        err_console().print(message.format(path=SCHEMA_FILE, error=error), style="yellow",
                            markup=False)

    if (root / SCHEMA_DIR).is_symlink() or path.is_symlink():
        note(_("note: {path} is a symlink: not refreshed"))
        return
    try:
        old = read_file(root, SCHEMA_FILE)
        key = f"{cache_key(root)}-{hashlib.blake2b(old, digest_size=16).hexdigest()}"
    except (FileRefused, OSError):
        old, key = None, None
    key_file = root / CACHE_DIR / _SCHEMA_KEY
    if key is not None and _file_bytes(key_file) == key.encode():
        return
    new = fitted_schema_bytes(pipeline)
    if new != old:
        try:
            atomic_write_bytes(path, new)
        except OSError as exc:
            note(_("note: {path} is out of date with stages.yaml and cannot be written "
                   "({error}): editors check deals against the old one"), exc.strerror)
            return
        note(_("note: {path} refreshed from stages.yaml: commit it with stages.yaml"))
        key = f"{cache_key(root)}-{hashlib.blake2b(new, digest_size=16).hexdigest()}"
    if key is not None:
        try:  # best effort: without it the next validate builds the schema again
            atomic_write_bytes(key_file, key.encode(), durable=False)
        except OSError:
            pass
