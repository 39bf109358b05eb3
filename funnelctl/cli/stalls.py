"""Who needs a question: stalls."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.common import (
    BY_OPT,
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    By,
    Format,
    by_owner,
    emit_json,
    out_console,
    scope,
    settings,
    skipped_json,
)
from funnelctl.cli.root import app


@app.command("stalls")
def stalls_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    by: Optional[By] = BY_OPT,
    limit: int = typer.Option(50, "--limit", min=1, help="Deals shown (worst and largest "
                              "first); --json always has them all."),
    show_all: bool = typer.Option(False, "--all", help="Show every deal with a warning."),
    fmt: Format = typer.Option(Format.text, "--format", help="text or md (Markdown for "
                               "meeting notes)."),
    json_out: bool = JSON_OPT,
) -> None:
    """Open deals that need the manager's question, worst and largest first.

    Example: funnelctl stalls --owner anna.berg

    Example: funnelctl stalls --by owner --format md >> notes/2026-11-24.md
    """
    from funnelctl.analysis.stalls import stalled_deals

    loaded, deals, _ = scope(ctx, owner, team, by)
    p, today = loaded.pipeline, settings(ctx).today
    if by == "owner":
        views = {o: stalled_deals(ds, p, today) for o, ds in by_owner(deals).items()}
        if json_out:
            emit_json({"owners": {o: s.as_json() for o, s in views.items()},
                       "skipped": skipped_json(loaded)})
            return
        if fmt == "md":
            from funnelctl.render.md_views import stalls_page

            typer.echo(stalls_page(today, dict(views), None if show_all else limit), nl=False)
            return
        from funnelctl.render.views import stalls

        con = out_console()
        for o, s in views.items():
            con.rule(o)
            stalls(con, s, p, None if show_all else limit)
        return
    result = stalled_deals(deals, p, today)
    if json_out:
        emit_json({**result.as_json(), "skipped": skipped_json(loaded)})
        return
    if fmt == "md":
        from funnelctl.render.md_views import stalls_page

        typer.echo(stalls_page(today, {None: result}, None if show_all else limit), nl=False)
        return
    from funnelctl.render.views import stalls

    stalls(out_console(), result, p, None if show_all else limit)
