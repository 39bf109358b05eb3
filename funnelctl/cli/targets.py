"""Targets read backwards and the forecast: target, forecast."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.common import (
    BY_OPT,
    COMMIT_OPT,
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    By,
    Format,
    Rates,
    by_owner,
    emit_json,
    err_console,
    fail,
    finite,
    out_console,
    period_arg,
    root_and_pipeline,
    scope,
    settings,
    skipped_json,
)
from funnelctl.cli.root import app
from funnelctl.i18n import _, formats


def _n_or_set(value: str | None) -> str | float | None:
    """N, a number of contracts (finite, 0 .. 1e6), or the word ``set``."""
    if value is None or value == "set":
        return value
    try:
        n = float(value)
    except ValueError:
        raise typer.BadParameter(_("{value!r} is not a number").format(value=value)) from None
    finite(n)
    if not 0 <= n <= 1e6:
        raise typer.BadParameter(_("{n} is not in the range 0<=x<=1000000").format(
            n=f"{n:g}"))
    return n


@app.command("target")
def target_cmd(
    ctx: typer.Context,
    n: Optional[str] = typer.Argument(None, metavar="[N | set N]", callback=_n_or_set,
                                      help="Contracts to sign. Without it, the committed "
                                      "targets in stages.yaml are shown. 'set N' writes "
                                      "the target of --period for --owner, --team or "
                                      "the whole team into stages.yaml."),
    set_n: Optional[float] = typer.Argument(None, min=0, max=1e6, callback=finite,
                                            metavar="", help="With set: the contracts."),
    amount: Optional[float] = typer.Option(None, "--amount", min=0, max=1e15,
                                           callback=finite, help="A money target, "
                                           "turned into deals by the average won deal."),
    period: Optional[str] = typer.Option(None, "--period", help="YYYY-MM (default: this "
                                         "month)."),
    rates: Rates = typer.Option(Rates.config, "--rates", help="config: the configured ratios; "
                              "history: what the team achieved."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    by: Optional[By] = BY_OPT,
    fmt: Format = typer.Option(Format.text, "--format", help="text or md (Markdown for "
                               "meeting notes)."),
    daily: bool = typer.Option(False, "--daily", help="Each committed target against an "
                               "even pace over the month's working days, and the month's "
                               "phase: build the funnel, split the deals, press for "
                               "signatures."),
    json_out: bool = JSON_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Back-calculate the pipeline a target needs, stage by stage, and the gap.

    Example: funnelctl target 10 --owner li.wei       (10 signed needs 12.5 in negotiation)

    Example: funnelctl target set --period 2026-12 --owner li.wei 4 --amount 500000

    Example: funnelctl target --daily --team east
    """
    if n == "set":
        from funnelctl.cli.rhythm import target_set

        target_set(ctx, period, owner, team, set_n, amount, commit)
        return
    if set_n is not None:
        fail(_("{n}: one N only ('funnelctl target set N' writes a target)").format(
            n=f"{set_n:g}"), code=2)
    if daily:
        if n is not None or amount is not None:
            fail(_("--daily tracks the committed targets: drop N and --amount"), code=2)
        from funnelctl.cli.rhythm import target_daily

        target_daily(ctx, period, owner, team, json_out, fmt)
        return
    from funnelctl.analysis.targets import (
        average_won_amount,
        committed_progress,
        required_pipeline,
    )

    if n is not None and amount is not None:
        fail(_("give N or --amount, not both"))
    loaded, deals, owners = scope(ctx, owner, team, by)
    p = loaded.pipeline
    per = period_arg(period, ctx)
    if by == "owner" and n is not None:  # the same target for each rep
        plans = {o: required_pipeline(float(n), ds, p, rates) for o, ds in by_owner(deals).items()}
        if json_out:
            emit_json({"owners": {o: x.as_json() for o, x in plans.items()}, "period": per,
                       "skipped": skipped_json(loaded)})
            return
        if fmt == "md":
            from funnelctl.render.forecast import target_md

            typer.echo(target_md([(_rep_title(o, x.target, per), x)
                                  for o, x in plans.items()]), nl=False)
            return
        from funnelctl.render.views import target

        con = out_console()
        for o, x in plans.items():
            target(con, x, p, title=_rep_title(o, x.target, per))
        return
    if n is None and amount is None:
        progs = committed_progress(deals, p, per, settings(ctx).today, owners)
        if json_out:
            emit_json({"period": per, "targets": [x.as_json() for x in progs],
                       "skipped": skipped_json(loaded)})
            return
        if not progs:
            fail(_("no targets for {period} in stages.yaml (add a 'targets:' section, or "
                   "give N: funnelctl target 10)").format(period=formats.period(per)))
        if fmt == "md":
            from funnelctl.render.forecast import progress_md

            typer.echo(progress_md(progs, per), nl=False)
            return
        from funnelctl.render.views import progress

        progress(out_console(), progs, p)
        return
    avg = None
    if amount is not None:
        avg = average_won_amount(loaded.deals if owners is None else deals, p) or \
            average_won_amount(loaded.deals, p)
        if not avg:
            fail(_("--amount needs at least one won deal to know the average deal size"))
        n = amount / avg
    plan = required_pipeline(float(n), deals, p, rates)  # type: ignore[arg-type]
    if amount is not None:
        plan.amount, plan.average_won = amount, avg
    if json_out:
        emit_json({**plan.as_json(), "period": per, "skipped": skipped_json(loaded)})
        return
    who = ", ".join(sorted(owners)) if owners else _("the team")
    title = _("To sign {n} in {period} ({who})").format(n=f"{plan.target:g}",
                                                        period=formats.period(per), who=who)
    if fmt == "md":
        from funnelctl.render.forecast import target_md

        typer.echo(target_md([(title, plan)]), nl=False)
        return
    from funnelctl.render.views import target

    target(out_console(), plan, p, title=title)


def _rep_title(owner: str, n: float, period: str) -> str:
    return _("{owner}: to sign {n} in {period}").format(owner=owner, n=f"{n:g}",
                                                        period=formats.period(period))


@app.command("forecast")
def forecast_cmd(
    ctx: typer.Context,
    period: Optional[str] = typer.Option(None, "--period", help="YYYY-MM (default: this "
                                         "month)."),
    backtest: bool = typer.Option(False, "--backtest", help="Replay the last months from the "
                                  "deals as they were at each month start (read from git "
                                  "history) and print the forecast's accuracy."),
    months: int = typer.Option(6, "--months", min=1, max=120, help="Months to replay."),
    rates: Optional[Rates] = typer.Option(
        None, "--rates", help="history: the win rates and timing the pipeline's closed deals "
        "show; config: the probabilities of stages.yaml on each close date (default: history "
        "once stages.yaml's forecast.min_closed deals are closed)."),
    fmt: Format = typer.Option(Format.text, "--format", help="text or md (Markdown for "
                               "meeting notes)."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """Expected signings and amount in a period, per rep and for the team: a low-high
    range, commit and best case, against the period's targets.

    Example: funnelctl forecast --period 2026-12 --backtest --months 12
    """
    from funnelctl.analysis import forecast as fc
    from funnelctl.analysis.calibration import calibrate

    loaded, deals, owners = scope(ctx, owner, team)
    p, today = loaded.pipeline, settings(ctx).today
    per = period_arg(period, ctx)
    mode, why = fc.choose_rates(loaded.deals, p, None if rates is None else str(rates))
    # the observed rates from every rep's deals: a rep's rate shrinks toward the team's
    model = calibrate(loaded.deals, p, today)
    whose = "team" if owners is None else team[0] if team and len(team) == 1 and not owner \
        else None
    result = fc.forecast(deals, p, per, today, model if mode == "history" else None, why,
                         whose)
    result.calibration = model
    bt = replay(ctx, loaded, today, months, mode, owners) if backtest else None
    if json_out:
        out = result.as_json()
        if bt is not None:
            out["backtest"] = [r.as_json() for r in bt.rows]
            out["backtest_summary"] = bt.summary()
            out["backtest_calibration"] = [b.as_json() for b in bt.buckets]
        emit_json({**out, "skipped": skipped_json(loaded)})
        return
    if fmt == "md":
        from funnelctl.render.forecast import forecast_md

        typer.echo(forecast_md(result, bt), nl=False)
        return
    from funnelctl.render import forecast as view

    con = out_console()
    view.forecast(con, result, p)
    if bt is not None:
        view.backtest(con, bt)


def replay(ctx: typer.Context, loaded, today, months: int, rates: str, owners):
    """The backtest, from the deal files as they were at each month start in git
    (one git log and one cat-file for all of them); a month git has nothing before
    replays today's files, cut at the month start, and a line on stderr says that
    their close dates and amounts are today's."""
    import datetime as dt

    from funnelctl.analysis import forecast as fc
    from funnelctl.analysis.currency import converted
    from funnelctl.gitio import asof, run

    p = loaded.pipeline
    root, _pipeline = root_and_pipeline(ctx)
    starts = fc.month_starts(today, months)
    try:
        commits = asof.history(root)
        found = asof.deals_as_of(root, p, starts, commits, settings(ctx).use_cache) \
            if commits else {}
    except run.GitError as exc:
        fail(exc.message)
    snaps = []
    for start in starts:
        then = found.get(start)
        eve = start - dt.timedelta(days=1)
        if then is None:
            snaps.append(fc.Snapshot(start, eve, loaded.deals, "files"))
            continue
        deals = converted(then.deals, p, min(then.commit_day, eve)).deals
        snaps.append(fc.Snapshot(start, min(then.commit_day, eve), deals,
                                 f"git {then.commit[:10]} {then.commit_day}"))
    result = fc.backtest(loaded.deals, snaps, p, rates, owners)
    if result.replayed_from_files:
        where = (_("not in git") if commits is None else _("git holds no commit of deals/")
                 if not commits else _("git has no commit before them"))
        months_ = [formats.period(m) for m in result.replayed_from_files]
        named = months_[0] if len(months_) == 1 else _("{first} .. {last}").format(
            first=months_[0], last=months_[-1])
        err_console().print(_("note: {months} replayed from today's files ({why}): stage "
                              "histories cut at each month start, but today's close dates "
                              "and amounts").format(months=named, why=where),
                            style="yellow", markup=False)
    return result
