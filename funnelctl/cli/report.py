"""The weekly review as a page with charts: report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from funnelctl.cli.common import (
    OWNER_OPT,
    TEAM_OPT,
    fail,
    parse_date,
    period_arg,
    say,
    scope,
    settings,
)
from funnelctl.cli.root import app
from funnelctl.i18n import _, nformat


@app.command("report")
def report_cmd(
    ctx: typer.Context,
    html_out: str = typer.Option(..., "--html", metavar="OUT.html",
                                 help="Write the page here ('-': to stdout)."),
    since: Optional[str] = typer.Option(None, "--since", help="Moves since YYYY-MM-DD "
                                        "(default: 7 days ago)."),
    period: Optional[str] = typer.Option(None, "--period", help="Target period YYYY-MM "
                                         "(default: this month)."),
    weeks: int = typer.Option(8, "--weeks", min=0, max=104,
                              help="Week starts in the trend, read from git history "
                              "(0: no trend)."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
) -> None:
    """The weekly review as one self-contained HTML page: the funnel against the
    benchmark drawn per rep and for the team, target gaps, warnings, questions, the
    leaderboard and the trend of the last weeks from git. No script and nothing
    fetched: open it in any browser, mail it, read it on a phone.

    Example: funnelctl report --html review.html

    Example: funnelctl report --team east --weeks 12 --html east.html
    """
    import datetime as dt

    from funnelctl.analysis import review as rv
    from funnelctl.render import html

    today = settings(ctx).today
    since_d = parse_date(since, "--since") if since else today - dt.timedelta(days=7)
    loaded, deals, owners = scope(ctx, owner, team)
    p, per = loaded.pipeline, period_arg(period, ctx)
    groups = rv.by_owner(deals)
    secs = rv.rep_sections(list(groups.items()), p, today, since_d, per)
    team_sec = rv.team_section([rv.team_share(s) for s in secs], deals, p, today, per,
                               owners) if len(secs) != 1 else None
    trend, why_none = _trend(ctx, weeks, loaded.deals, deals, owners, p) if weeks \
        else (None, None)
    scope_note = ", ".join([*(_("team {team}").format(team=t) for t in team or []),
                            *(owner or [])]) or None
    text = html.page(today, since_d, per, secs, team_sec, rv.waivers(deals),
                     rv.leaderboard(groups, p, per), p, trend, scope_note)
    if html_out == "-":
        typer.echo(text, nl=False)
        return
    from funnelctl.store import atomic_write

    out = Path(html_out)
    try:
        atomic_write(out, text)
    except OSError as exc:
        fail(_("--html {path}: cannot write: {error}").format(path=html_out,
                                                              error=exc.strerror or exc))
    reps = len(secs)
    weeks_shown = 0 if trend is None else len(trend.points) - 1
    shown = nformat(", trend of {n} week", ", trend of {n} weeks", weeks_shown) \
        if weeks_shown else _(", no trend ({why})").format(why=why_none) if why_none else ""
    say(nformat("wrote {path}: {n} rep", "wrote {path}: {n} reps", reps, path=html_out)
        + shown)


def _trend(ctx: typer.Context, weeks: int, everyone, deals, owners, p):
    """The open deals per stage at each of the last ``weeks`` week starts, as git
    held the deal files then, and now (``deals``, of the ``owners`` chosen from
    ``everyone`` loaded); outside git, now alone with a note. And why there is no
    week in it, in a few words (None when there is)."""
    from funnelctl.analysis.currency import converted
    from funnelctl.analysis.select import select
    from funnelctl.analysis.trend import trend
    from funnelctl.gitio import run, weekly
    from funnelctl.render.html import Trend
    from funnelctl.store import StoreError, find_root

    today = settings(ctx).today
    root = find_root(Path.cwd(), settings(ctx).dir)
    try:
        snaps = weekly.snapshots(root, weekly.week_starts(today, weeks))
        read = weekly.read(root, snaps, p, {d.path: d for d in everyone})
    except StoreError as exc:  # outside git, or git failed: the page without a trend
        in_git = run.toplevel(root) is not None
        return (Trend(trend({}, today, deals, p), _("no trend: {error}").format(
            error=exc.message)), _("git failed") if in_git else _("not in git"))
    then = {day: select(converted(ds, p, today).deals, owners)
            for day, ds in read.deals.items()}
    note = None
    if not snaps:
        note = _("no trend: no commit of the deal files before this week")
    elif read.unreadable:
        n = len(read.unreadable)
        note = nformat("{n} version of deal files in git could not be read as a deal and "
                       "is left out of the trend: {which}",
                       "{n} versions of deal files in git could not be read as a deal and "
                       "are left out of the trend: {which}", n,
                       which="; ".join(sorted(read.unreadable.values())[:3])
                       + (" …" if n > 3 else ""))
    return Trend(trend(then, today, deals, p), note), None if snaps else _("no history yet")
