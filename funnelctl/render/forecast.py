"""The forecast, its backtest and the target's back-calculation: on the terminal
and as Markdown (``--format md``). Every piece of data passes ``safe`` (terminal)
or ``md`` (Markdown)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from funnelctl.analysis.calibration import Calibration, median
from funnelctl.analysis.forecast import Backtest, Forecast, Line
from funnelctl.analysis.targets import Progress, TargetPlan
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import Col, buffered, table
from funnelctl.render.rep import money, short_money
from funnelctl.render.safe import md, safe, safe_text


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def _range(lo: float, hi: float) -> str:
    return f"{lo:g}-{hi:g}"


def _target(line: Line) -> str:
    if line.target_deals is None and line.target_amount is None:
        return "-"
    deals = "-" if line.target_deals is None else f"{line.target_deals:g}"
    amount = "-" if line.target_amount is None else short_money(line.target_amount)
    return f"{deals} / {amount}"


def _gap(line: Line) -> str:
    """Expected deals against the target's: what the forecast says will be missing."""
    if line.target_deals is None:
        return ""
    return f"{line.expected_deals - line.target_deals:+.1f}"


HEAD = ["owner", "signed", "open", "expected", "range", "amount", "amount range", "commit",
        "best case", "target", "vs target"]


def _row(line: Line) -> list[str]:
    return [line.owner, f"{line.won_deals} / {short_money(line.won_amount)}",
            str(line.open_deals), f"{line.expected_deals:.1f}", _range(line.low, line.high),
            short_money(line.expected_amount),
            f"{short_money(line.amount_low)}-{short_money(line.amount_high)}",
            short_money(line.commit_amount), short_money(line.best_amount), _target(line),
            _gap(line)]


def how_lines(f: Forecast) -> list[str]:
    """What the figures rest on, in words."""
    t = f.total
    if f.rates == "history":
        rates = ("each stage's win rate observed from the closed deals (a rep's shrunk "
                 "toward the team's); a deal counts from its close date when that is ahead, "
                 "spread by the observed days to a signature")
    else:
        rates = ("the probabilities of stages.yaml, counted in the period of each deal's "
                 "close date")
    out = [f"rates: {f.rates}, {f.why}", rates,
           "range: 10th-90th percentile; deals exactly (independent chances, by dynamic "
           "programming), amount by the normal approximation"]
    if t.new_deals >= 0.05:
        out.append(f"expected holds {t.new_deals:.1f} deals ({money(t.new_amount)}) not yet "
                   f"in the pipeline, at the pace of the last 26 weeks' wins")
    return out


def rate_rows(c: Calibration) -> list[list[str]]:
    rows = []
    for s in c.stages:
        reps = [r.rate for r in s.reps.values()]
        spread = f"{min(reps):.0%}-{max(reps):.0%}" if reps else "-"
        med = median(sorted(x[1] for x in s.won_stays))
        rows.append([s.label, pct(s.configured), str(s.closed), str(s.won), pct(s.observed),
                     pct(s.rate), spread, "-" if med is None else f"{med:g}"])
    return rows


RATE_HEAD = ["stage", "configured", "closed", "won", "observed", "team", "reps",
             "days to sign"]


def rates_caption(c: Calibration) -> str:
    return (f"win rate from each stage: of the {c.closed} deals closed by {c.known} that "
            f"passed through it, the share won; the team's shrunk toward the configured "
            f"probability and each rep's toward the team's, as if {c.weight} more deals "
            f"had closed at it; days to sign: the median from entering the stage")


@buffered
def forecast(con: Console, f: Forecast, p: Pipeline) -> None:
    cols = [Col("owner", max_width=20), *(Col(h, "right") for h in HEAD[1:])]
    rows: list[list] = []
    for line in [*f.owners, f.total]:
        row: list = _row(line)
        row[0] = safe_text(line.owner, style="bold" if line is f.total else "")
        gap = row[-1]
        row[-1] = Text(gap, style="red" if gap.startswith("-") else "green") if gap else ""
        rows.append(row)
    con.lines(table(cols, rows, con.width, title=f"Forecast {f.period}"))
    for text in how_lines(f):
        con.print(f"  {safe(text)}", markup=False)
    if f.total.slipping:
        con.print(f"  {len(f.total.slipping)} open deals are past their close date: "
                  f"{', '.join(map(safe, f.total.slipping[:8]))}"
                  + (" …" if len(f.total.slipping) > 8 else ""), markup=False)
    if f.calibration is not None:
        rows = rate_rows(f.calibration)
        for row in rows:
            row[0] = safe(row[0])  # a stage's label, from stages.yaml
        con.lines(table([Col("stage", max_width=30), *(Col(h, "right") for h in RATE_HEAD[1:])],
                        rows, con.width, title="Win rates"))
        con.print(Text(safe(rates_caption(f.calibration)), style="dim"))


def backtest_rows(b: Backtest) -> list[list[str]]:
    rows = []
    for r in b.rows:
        conf = r.scored("config" if b.rates == "history" else "history")
        rows.append([r.month, f"{r.forecast_deals:.1f}", str(r.actual_deals), pct(r.accuracy),
                     f"{r.bias:+.1f}", short_money(r.forecast_amount),
                     short_money(r.actual_amount), pct(r.amount_accuracy), f"{conf[0]:.1f}",
                     pct(conf[2]), r.source])
    return rows


def backtest_head(b: Backtest) -> list[str]:
    other = "config" if b.rates == "history" else "history"
    return ["month", "forecast", "signed", "accuracy", "bias", "amount", "signed amount",
            "accuracy", other, f"{other} accuracy", "deals as of"]


def backtest_means(b: Backtest) -> list[str]:
    out = []
    for rates in (b.rates, "config" if b.rates == "history" else "history"):
        acc, amount_acc, bias = b.means(rates)
        way = "" if not bias else " (over)" if bias > 0 else " (under)"
        out.append(f"{rates} rates: mean accuracy {pct(acc)} on the count of deals signed, "
                   f"{pct(amount_acc)} on the amount; mean bias "
                   f"{'-' if bias is None else f'{bias:+.1f}'} deals a month{way}")
    return out


ACCURACY_NOTE = ("accuracy = 100% minus |forecast - signed| / signed (0% at worst): "
                 "over and under by as much score the same; a month with nothing signed "
                 "is left out of the mean; bias = forecast - signed (above 0: over)")


def bucket_rows(b: Backtest) -> list[list[str]]:
    return [[f"{x.lo:.0%}-{x.hi:.0%}", str(x.deals),
             pct(x.chance / x.deals) if x.deals else "-",
             pct(x.signed / x.deals) if x.deals else "-"] for x in b.buckets if x.deals]


BUCKET_HEAD = ["chance", "deals", "mean chance", "signed in the month"]


@buffered
def backtest(con: Console, b: Backtest) -> None:
    head = backtest_head(b)
    cols = [Col(head[0]), *(Col(h, "right") for h in head[1:-1]), Col(head[-1])]
    con.lines(table(cols, backtest_rows(b), con.width,
                    title=f"Backtest ({b.rates} rates): the forecast at each month start, "
                          f"from the deals as they were then, against what was signed"))
    for text in backtest_means(b):
        con.print(f"  {text}", markup=False)
    con.print(Text(f"  {ACCURACY_NOTE}", style="dim"))
    con.lines(table([Col(h, "right") for h in BUCKET_HEAD], bucket_rows(b), con.width,
                    title="Calibration: the deals open at each month start by the chance "
                          "the forecast gave them"))


# -- Markdown -------------------------------------------------------------------------


def md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A table of data: every cell is escaped here (a ``|`` would start a column)."""
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(md(str(c)) for c in r) + " |" for r in rows]
    return out


def forecast_md(f: Forecast, b: Backtest | None = None) -> str:
    out = [f"# Forecast {md(f.period)}", ""]
    out += md_table(HEAD, [_row(line) for line in [*f.owners, f.total]])
    out.append("")
    out += [f"- {md(text)}" for text in how_lines(f)]
    if f.total.slipping:
        out.append(f"- open deals past their close date: "
                   f"{', '.join(map(md, f.total.slipping))}")
    if f.calibration is not None:
        out += ["", "## Win rates", ""]
        out += md_table(RATE_HEAD, rate_rows(f.calibration))
        out += ["", md(rates_caption(f.calibration))]
    if b is not None:
        out += ["", f"## Backtest ({b.rates} rates)", ""]
        out += md_table(backtest_head(b), backtest_rows(b))
        out.append("")
        out += [f"- {md(text)}" for text in backtest_means(b)]
        out += [f"- {md(ACCURACY_NOTE)}", "", "### Calibration", ""]
        out += md_table(BUCKET_HEAD, bucket_rows(b))
    return "\n".join(out) + "\n"


def plan_md(plan: TargetPlan, title: str | None = None) -> list[str]:
    out = [f"## {md(title)}", ""] if title else []
    out += md_table(["stage", "ratio", "required", "deals", "actual", "gap"],
                    [[r.label, f"{r.rate:.3g}", f"{r.required:.1f}", str(r.required_deals),
                      str(r.actual), f"{r.gap:+.1f}"] for r in plan.rows])
    out.append("")
    if plan.amount is not None:
        out.append(f"- {money(plan.amount)} at an average won deal of "
                   f"{money(plan.average_won or 0)} = {plan.target:.1f} deals")
    if plan.rates_from == "history":
        out.append(f"- ratios achieved by the team, from {plan.history_base} deals' stage "
                   f"histories" + ("; configured ratio where no deal has left a stage: "
                                   + ", ".join(map(md, plan.fallback)) if plan.fallback else ""))
    if plan.blocking:
        row = next(r for r in plan.rows if r.stage == plan.blocking)
        out.append(f"- **blocked at {md(row.label)}**: {row.gap:.1f} deals short "
                   f"(need {row.required:.1f}, hold {row.actual})")
    else:
        out.append("- every stage holds what the target needs")
    return out


def target_md(plans: list[tuple[str, TargetPlan]]) -> str:
    out = []
    for title, plan in plans:
        out += plan_md(plan, title)
        out.append("")
    return "\n".join(out)


def progress_md(progs: list[Progress], period: str) -> str:
    out = [f"# Targets {md(period)}", ""]
    for pr in progs:
        line = f"## {md(pr.owner)} {md(pr.period)}"
        out += [line, "", f"- {pr.elapsed:.0%} of the period gone"]
        if pr.target_deals is not None:
            due = pr.target_deals * pr.elapsed
            out.append(f"- signed {pr.won_deals} of {pr.target_deals:g} ({due:.1f} due by "
                       f"now): {'on track' if pr.won_deals >= due - 1e-9 else 'behind'}")
        if pr.target_amount is not None:
            due = pr.target_amount * pr.elapsed
            out.append(f"- {money(pr.won_amount)} of {money(pr.target_amount)}: "
                       f"{'on track' if pr.won_amount >= due - 1e-9 else 'behind'}")
        out.append("")
        if pr.plan:
            out += plan_md(pr.plan)
            out.append("")
    return "\n".join(out)
