"""The funnel's shape and the kanban board: funnel, board."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.app import app
from funnelctl.cli.common import (
    BY_OPT,
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    By,
    by_owner,
    emit_json,
    out_console,
    scope,
    settings,
    skipped_json,
)


@app.command("funnel")
def funnel_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    by: Optional[By] = BY_OPT,
    by_amount: bool = typer.Option(False, "--by-amount", help="Bar widths by money."),
    json_out: bool = JSON_OPT,
) -> None:
    """The funnel's shape against the benchmark, with its diagnosis.

    Example: funnelctl funnel --by owner
    """
    from funnelctl.analysis.funnel import funnel_shape

    loaded, deals, _ = scope(ctx, owner, team, by)
    p = loaded.pipeline
    if by == "owner":
        views = {o: funnel_shape(ds, p) for o, ds in by_owner(deals).items()}
        if json_out:
            emit_json({"owners": {o: f.as_json() for o, f in views.items()},
                       "skipped": skipped_json(loaded)})
            return
        from rich.columns import Columns

        from funnelctl.render.views import funnel, funnel_view

        con = out_console()
        if con.width >= 160:  # two reps side by side
            half = con.width // 2 - 2
            con.print(Columns([funnel_view(f, p, half, by_amount, title=o)
                               for o, f in views.items()], width=half))
        else:
            for o, f in views.items():
                funnel(con, f, p, by_amount, title=o)
                con.print()
        return
    f = funnel_shape(deals, p)
    if json_out:
        emit_json({**f.as_json(), "skipped": skipped_json(loaded)})
        return
    from funnelctl.render.views import funnel

    funnel(out_console(), f, p, by_amount)

@app.command("board")
def board_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    rows: Optional[int] = typer.Option(None, "--rows", min=1,
                                       help="Cards per column (default: fits the screen)."),
    json_out: bool = JSON_OPT,
) -> None:
    """The kanban: a column per open stage, a card per deal, stalled cards marked.

    Example: funnelctl board --owner anna.berg
    """
    from funnelctl.analysis.board import kanban

    loaded, deals, _ = scope(ctx, owner, team)
    cols = kanban(deals, loaded.pipeline, settings(ctx).today)
    if json_out:
        emit_json({"columns": [c.as_json() for c in cols], "skipped": skipped_json(loaded)})
        return
    from funnelctl.render.views import board

    board(out_console(), cols, loaded.pipeline, rows)
