"""Targets read backwards and the forecast: target, forecast."""

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
    Rates,
    by_owner,
    emit_json,
    fail,
    finite,
    out_console,
    period_arg,
    scope,
    settings,
    skipped_json,
)


@app.command("target")
def target_cmd(
    ctx: typer.Context,
    n: Optional[float] = typer.Argument(None, min=0, max=1e6, callback=finite,
                                        help="Contracts to sign. Without it, "
                                        "the committed targets in stages.yaml are shown."),
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

    if n is not None and amount is not None:
        fail("give N or --amount, not both")
    loaded, deals, owners = scope(ctx, owner, team, by)
    p = loaded.pipeline
    per = period_arg(period, ctx)
    if by == "owner" and n is not None:  # the same target for each rep
        plans = {o: required_pipeline(float(n), ds, p, rates) for o, ds in by_owner(deals).items()}
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
        avg = average_won_amount(loaded.deals if owners is None else deals, p) or \
            average_won_amount(loaded.deals, p)
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
    months: int = typer.Option(6, "--months", min=1, max=120, help="Months to replay."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """Expected signings and amount in a period: per rep, commit and best case.

    Example: funnelctl forecast --period 2026-12
    """
    from funnelctl.analysis import forecast as fc

    loaded, deals, _ = scope(ctx, owner, team)
    p, today = loaded.pipeline, settings(ctx).today
    per = period_arg(period, ctx)
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
