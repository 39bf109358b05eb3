"""The weekly review: review."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.app import app
from funnelctl.cli.common import (
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    Format,
    emit_json,
    keep_to_exit,
    out_console,
    parse_date,
    period_arg,
    scope,
    settings,
    skipped_json,
)


@app.command("review")
def review_cmd(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", help="Moves since YYYY-MM-DD "
                                        "(default: 7 days ago)."),
    period: Optional[str] = typer.Option(None, "--period", help="Target period YYYY-MM "
                                         "(default: this month)."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    fmt: Format = typer.Option(Format.text, "--format", help="text or md (Markdown for meeting "
                            "notes)."),
    json_out: bool = JSON_OPT,
) -> None:
    """The pre-meeting review: per rep, then the team and the leaderboard.

    Example: funnelctl review --format md > notes/2026-11-24.md
    """
    import datetime as dt
    from bisect import bisect_left
    from itertools import accumulate

    from funnelctl.analysis import review as rv
    from funnelctl.aside import for_size, here

    today = settings(ctx).today
    since_d = parse_date(since, "--since") if since else today - dt.timedelta(days=7)
    loaded, deals, owners = scope(ctx, owner, team)
    p, per = loaded.pipeline, period_arg(period, ctx)
    if json_out:
        review = keep_to_exit(rv.weekly_review(deals, p, today, since_d, per, owners))
        emit_json({**review.as_json(), "skipped": skipped_json(loaded)})
        return
    if fmt == "md":
        from funnelctl.render import markdown as page

        def out(view, *args) -> str:
            return view(*args)
    else:
        from funnelctl.render import views as page
        from funnelctl.render.lines import rendered, write

        con = out_console()

        def out(view, *args) -> str:
            return rendered(con, view, *args)

    def reviewed(part) -> tuple[str, list]:
        """These reps' sections written out, and what the team's section takes of them."""
        secs = keep_to_exit(rv.rep_sections(part, p, today, since_d, per))
        return out(page.review_sections, secs, p, since_d), [rv.team_share(s) for s in secs]

    groups = rv.by_owner(deals)
    reps = list(groups.items())
    # On a large team a child on the other core reviews and writes the reps that hold
    # the first half of the deals while this process does the rest (at 100,000 deals
    # the two take about as long); the team's section joins what the two return
    fork = for_size(len(deals))
    cut = bisect_left(list(accumulate(len(ds) for _, ds in reps)), len(deals) / 2) + 1 \
        if fork else 0
    first = (fork or here)(reviewed, reps[:cut])
    rest, shares = reviewed(reps[cut:])
    written, first_shares = first()
    team_screen = rv.team_section(first_shares + shares, deals, p, today, per, owners) \
        if len(reps) != 1 else None
    end = out(page.review_end, team_screen, rv.waivers(deals),
              rv.leaderboard(groups, p, per), p, since_d, per)
    text = out(page.review_head, today, since_d, per) + written + rest + end
    if fmt == "md":
        typer.echo(text, nl=False)
    else:
        write(con, text)
