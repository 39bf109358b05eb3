"""The manager's views: funnel, board, stalls, target, forecast, review."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.app import app
from funnelctl.cli.common import (
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    emit_json,
    fail,
    keep_to_exit,
    load,
    out_console,
    owner_filter,
    settings,
    skipped_json,
)
from funnelctl.patterns import is_period

BY_OPT = typer.Option(None, "--by", help="'owner': one view per rep, side by side.")


def _scope(ctx: typer.Context, owner, team, by=None):
    """The loaded pipeline, the deals in scope and the owner filter."""
    from funnelctl.analysis.select import select

    if by not in (None, "owner"):
        fail(f"--by {by!r}: only 'owner' is supported")
    loaded = load(ctx)
    owners = owner_filter(loaded, owner, team)
    return loaded, select(loaded.deals, owners), owners


def _period(value: Optional[str], ctx: typer.Context) -> str:
    from funnelctl.analysis.targets import period_of

    if value is None:
        return period_of(settings(ctx).today)
    if not is_period(value):
        fail(f"--period {value!r}: expected YYYY-MM")
    return value


def _by_owner(deals):
    groups: dict[str, list] = {}
    for d in deals:
        groups.setdefault(d.owner, []).append(d)
    return dict(sorted(groups.items()))


@app.command("funnel")
def funnel_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    by: Optional[str] = BY_OPT,
    by_amount: bool = typer.Option(False, "--by-amount", help="Bar widths by money."),
    json_out: bool = JSON_OPT,
) -> None:
    """The funnel's shape against the benchmark, with its diagnosis.

    Example: funnelctl funnel --by owner
    """
    from funnelctl.analysis.funnel import funnel_shape

    loaded, deals, _ = _scope(ctx, owner, team, by)
    p = loaded.pipeline
    if by == "owner":
        views = {o: funnel_shape(ds, p) for o, ds in _by_owner(deals).items()}
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

    loaded, deals, _ = _scope(ctx, owner, team)
    cols = kanban(deals, loaded.pipeline, settings(ctx).today)
    if json_out:
        emit_json({"columns": [c.as_json() for c in cols], "skipped": skipped_json(loaded)})
        return
    from funnelctl.render.views import board

    board(out_console(), cols, loaded.pipeline, rows)


@app.command("stalls")
def stalls_cmd(
    ctx: typer.Context,
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    by: Optional[str] = BY_OPT,
    limit: int = typer.Option(50, "--limit", min=1, help="Deals shown (worst and largest "
                              "first); --json always has them all."),
    show_all: bool = typer.Option(False, "--all", help="Show every deal with a warning."),
    json_out: bool = JSON_OPT,
) -> None:
    """Open deals that need the manager's question, worst and largest first.

    Example: funnelctl stalls --owner anna.berg
    """
    from funnelctl.analysis.stalls import stalled_deals

    loaded, deals, _ = _scope(ctx, owner, team, by)
    p, today = loaded.pipeline, settings(ctx).today
    if by == "owner":
        views = {o: stalled_deals(ds, p, today) for o, ds in _by_owner(deals).items()}
        if json_out:
            emit_json({"owners": {o: s.as_json() for o, s in views.items()},
                       "skipped": skipped_json(loaded)})
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
    from funnelctl.render.views import stalls

    stalls(out_console(), result, p, None if show_all else limit)


@app.command("target")
def target_cmd(
    ctx: typer.Context,
    n: Optional[float] = typer.Argument(None, min=0, help="Contracts to sign. Without it, "
                                        "the committed targets in stages.yaml are shown."),
    amount: Optional[float] = typer.Option(None, "--amount", min=0, help="A money target, "
                                           "turned into deals by the average won deal."),
    period: Optional[str] = typer.Option(None, "--period", help="YYYY-MM (default: this "
                                         "month)."),
    rates: str = typer.Option("config", "--rates", help="config: the configured ratios; "
                              "history: what the team achieved."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    by: Optional[str] = BY_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """Back-calculate the pipeline a target needs, stage by stage, and the gap.

    Example: funnelctl target 10 --owner li.wei       (10 signed needs 12.5 in negotiation)
    """
    from funnelctl.analysis.targets import (
        average_won_amount,
        committed_progress,
        required_pipeline,
    )

    if rates not in ("config", "history"):
        fail(f"--rates {rates!r}: expected config or history")
    if n is not None and amount is not None:
        fail("give N or --amount, not both")
    loaded, deals, owners = _scope(ctx, owner, team, by)
    p = loaded.pipeline
    per = _period(period, ctx)
    if by == "owner" and n is not None:  # the same target for each rep
        plans = {o: required_pipeline(float(n), ds, p, rates) for o, ds in _by_owner(deals).items()}
        if json_out:
            emit_json({"owners": {o: x.as_json() for o, x in plans.items()}, "period": per,
                       "skipped": skipped_json(loaded)})
            return
        from funnelctl.render.views import target

        con = out_console()
        for o, x in plans.items():
            target(con, x, p, title=f"{o}: to sign {x.target:g} in {per}")
        return
    if n is None and amount is None:
        progs = committed_progress(deals, p, per, settings(ctx).today, owners)
        if json_out:
            emit_json({"period": per, "targets": [x.as_json() for x in progs],
                       "skipped": skipped_json(loaded)})
            return
        if not progs:
            fail(f"no targets for {per} in stages.yaml (add a 'targets:' section, "
                 f"or give N: funnelctl target 10)")
        from funnelctl.render.views import progress

        progress(out_console(), progs, p)
        return
    avg = None
    if amount is not None:
        avg = average_won_amount(loaded.deals if owners is None else deals) or \
            average_won_amount(loaded.deals)
        if not avg:
            fail("--amount needs at least one won deal to know the average deal size")
        n = amount / avg
    plan = required_pipeline(float(n), deals, p, rates)  # type: ignore[arg-type]
    if amount is not None:
        plan.amount, plan.average_won = amount, avg
    if json_out:
        emit_json({**plan.as_json(), "period": per, "skipped": skipped_json(loaded)})
        return
    from funnelctl.render.views import target

    who = ", ".join(sorted(owners)) if owners else "the team"
    target(out_console(), plan, p, title=f"To sign {plan.target:g} in {per} ({who})")


@app.command("forecast")
def forecast_cmd(
    ctx: typer.Context,
    period: Optional[str] = typer.Option(None, "--period", help="YYYY-MM (default: this "
                                         "month)."),
    backtest: bool = typer.Option(False, "--backtest", help="Replay the last months and "
                                  "print the forecast's accuracy."),
    months: int = typer.Option(6, "--months", min=1, help="Months to replay."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """Expected signings and amount in a period: per rep, commit and best case.

    Example: funnelctl forecast --period 2026-12
    """
    from funnelctl.analysis import forecast as fc

    loaded, deals, _ = _scope(ctx, owner, team)
    p, today = loaded.pipeline, settings(ctx).today
    per = _period(period, ctx)
    result = fc.forecast(deals, p, per, today)
    rows = fc.backtest(deals, p, today, months) if backtest else None
    if json_out:
        out = result.as_json()
        if rows is not None:
            out["backtest"] = [r.as_json() for r in rows]
        emit_json({**out, "skipped": skipped_json(loaded)})
        return
    from funnelctl.render import views

    con = out_console()
    views.forecast(con, result, p)
    if rows is not None:
        views.backtest(con, rows)


@app.command("review")
def review_cmd(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", help="Moves since YYYY-MM-DD "
                                        "(default: 7 days ago)."),
    period: Optional[str] = typer.Option(None, "--period", help="Target period YYYY-MM "
                                         "(default: this month)."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    fmt: str = typer.Option("text", "--format", help="text or md (Markdown for meeting "
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
    from funnelctl.cli.common import parse_date

    if fmt not in ("text", "md"):
        fail(f"--format {fmt!r}: expected text or md")
    today = settings(ctx).today
    since_d = parse_date(since, "--since") if since else today - dt.timedelta(days=7)
    loaded, deals, owners = _scope(ctx, owner, team)
    p, per = loaded.pipeline, _period(period, ctx)
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
