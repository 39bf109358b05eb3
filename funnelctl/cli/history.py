"""What git remembers: history (one deal's timeline) and audit (who changed what)."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.common import JSON_OPT, Format, emit_json, fail, root_and_pipeline, settings
from funnelctl.cli.completion import complete_deal
from funnelctl.cli.root import app
from funnelctl.i18n import _

FORMAT_OPT = typer.Option(Format.text, "--format", help="text or md (Markdown).")


@app.command("history")
def history_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    fmt: Format = FORMAT_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """A deal's timeline from git: each commit of its file (renames followed) with its
    date, author and what it changed in the deal's terms, then the history the file
    records. Flags history entries edited or removed after the fact, stage changes
    without a history entry and versions that are not a deal; uncommitted changes
    come last, as the working tree.

    Example: funnelctl history acme-cooling
    """
    from funnelctl.cli.common import deal_titles
    from funnelctl.gitio import run
    from funnelctl.gitio.history import read_timeline
    from funnelctl.render import history as view
    from funnelctl.store import StoreError, find_deal

    root, pipeline = root_and_pipeline(ctx)
    try:
        top = run.require_repo(root, "history")  # says so before "no deal" outside git
        # by its id, the beginning of one, or its exact title
        rel = find_deal(root, deal, titles=lambda: deal_titles(ctx, root, pipeline))
        timeline = read_timeline(root, rel, pipeline, top)
    except StoreError as exc:
        fail(exc.message, exc.problems)
    if json_out:
        emit_json(view.timeline_json(timeline))
    elif fmt == Format.md:
        typer.echo(view.timeline_md(timeline, pipeline), nl=False)
    else:
        typer.echo(view.timeline_text(timeline, pipeline), nl=False)


@app.command("audit")
def audit_cmd(
    ctx: typer.Context,
    rev_range: Optional[str] = typer.Argument(
        None, metavar="[REV-RANGE]",
        help="Commits to read, as git names them (v1..HEAD, origin/main..HEAD, a tag "
        "or branch); default: HEAD's commits of the last 30 days."),
    fmt: Format = FORMAT_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """Who changed what: reads the commits that changed deal files and reports forced
    moves and waivers not committed by a manager of the deal's owner, deals changed by
    someone who neither owns them nor manages their owner, history or outcomes
    rewritten after the fact, stage changes made by hand without a history entry,
    commits that left a deal file unreadable, and authors whose email is in no
    people: entry. People, teams and managers come from
    stages.yaml; merge commits are left out (each change is read in the commit that
    made it). Exit 1 when it finds anything, 0 when clean; a range git does not know
    is a usage error (exit 2).

    Example: funnelctl audit origin/main..HEAD     (in CI, on every push)
    """
    import datetime as dt

    from funnelctl.gitio.audit import audit
    from funnelctl.gitio.history import RangeError, read_commits
    from funnelctl.render import history as view
    from funnelctl.store import StoreError

    root, pipeline = root_and_pipeline(ctx)
    since = None if rev_range is not None else settings(ctx).today - dt.timedelta(days=30)
    try:
        commits = read_commits(root, pipeline, rev_range, since)
    except RangeError as exc:
        # a wrong argument, as a bad option value is: 2, so that CI tells a misspelt
        # range from an audit that found something (1)
        fail(_("REV-RANGE {error}").format(error=exc.message), code=2)
    except StoreError as exc:
        fail(exc.message, exc.problems)
    report = audit(commits, pipeline)
    if json_out:
        emit_json(view.audit_json(report, rev_range, since))
    elif fmt == Format.md:
        typer.echo(view.audit_md(report, rev_range, since, pipeline), nl=False)
    else:
        typer.echo(view.audit_text(report, rev_range, since, pipeline), nl=False)
    raise typer.Exit(1 if report.findings else 0)
