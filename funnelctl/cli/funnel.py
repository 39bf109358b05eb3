"""The funnel's shape and the kanban board: funnel, board."""

from __future__ import annotations

from pathlib import Path
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
    scope,
    settings,
    skipped_json,
)
from funnelctl.cli.root import app
from funnelctl.cli.svg import SVG_OPT, refuse_with, shown


@app.command("funnel")
def funnel_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    by: Optional[By] = BY_OPT,
    by_amount: bool = typer.Option(False, "--by-amount", help="Bar widths by money."),
    fmt: Format = typer.Option(Format.text, "--format", help="text or md (Markdown for "
                               "meeting notes)."),
    svg: Optional[Path] = SVG_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """The funnel's shape against the benchmark, with its diagnosis.

    Example: funnelctl funnel --by owner

    Example: funnelctl funnel --format md >> notes/2026-11-24.md
    """
    from funnelctl.analysis.funnel import funnel_shape
    from funnelctl.analysis.targets import committed_progress, period_of, still_to_sign

    refuse_with(svg, json_out, fmt == "md")
    loaded, deals, owners = scope(ctx, owner, team, by)
    p = loaded.pipeline
    today = settings(ctx).today
    # the narrow bottom is judged against what this month's target still asks to sign:
    # a rep's own, a team's (--team, one), or the whole team's
    progress = committed_progress(deals, p, period_of(today), today, owners)
    if by == "owner":
        views = {o: funnel_shape(ds, p, target=still_to_sign(progress, o))
                 for o, ds in by_owner(deals).items()}
        if json_out:
            emit_json({"owners": {o: f.as_json() for o, f in views.items()},
                       "skipped": skipped_json(loaded)})
            return
        if fmt == "md":
            from funnelctl.render.md_views import funnel_page

            typer.echo(funnel_page(settings(ctx).today, dict(views)), nl=False)
            return
        from rich.columns import Columns

        from funnelctl.render.views import funnel, funnel_view

        def draw_all(con) -> None:
            if con.width >= 160:  # two reps side by side
                half = con.width // 2 - 2
                con.print(Columns([funnel_view(f, p, half, by_amount, title=o)
                                   for o, f in views.items()], width=half))
            else:
                for o, f in views.items():
                    funnel(con, f, p, by_amount, title=o)
                    con.print()

        shown(draw_all, svg, "funnelctl funnel")
        return
    whose = (owner[0] if owner and len(owner) == 1 and not team
             else team[0] if team and len(team) == 1 and not owner
             else "team" if not owner and not team else None)
    f = funnel_shape(deals, p, target=still_to_sign(progress, whose) if whose else None)
    if json_out:
        emit_json({**f.as_json(), "skipped": skipped_json(loaded)})
        return
    if fmt == "md":
        from funnelctl.render.md_views import funnel_page

        typer.echo(funnel_page(settings(ctx).today, {None: f}), nl=False)
        return
    from funnelctl.render.views import funnel

    shown(lambda con: funnel(con, f, p, by_amount), svg, "funnelctl funnel")

@app.command("board")
def board_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    rows: Optional[int] = typer.Option(None, "--rows", min=1,
                                       help="Cards per column (default: fits the screen)."),
    svg: Optional[Path] = SVG_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """The kanban: a column per open stage, a card per deal, stalled cards marked.

    Example: funnelctl board --owner anna.berg

    Example: funnelctl board --svg board.svg
    """
    from funnelctl.analysis.board import kanban

    refuse_with(svg, json_out, False)
    loaded, deals, _ = scope(ctx, owner, team)
    cols = kanban(deals, loaded.pipeline, settings(ctx).today)
    if json_out:
        emit_json({"columns": [c.as_json() for c in cols], "skipped": skipped_json(loaded)})
        return
    from funnelctl.render.views import board

    shown(lambda con: board(con, cols, loaded.pipeline, rows), svg, "funnelctl board")
