"""The forecast, its backtest and the target's back-calculation: on the terminal
and as Markdown (``--format md``). Every piece of data passes ``safe`` (terminal)
or ``md`` (Markdown); every word the message catalog; months and amounts as
``i18n.formats`` writes them (a narrow column's amounts in English as ``911k``,
``1.11M``)."""

from __future__ import annotations

import datetime as dt
import re

from rich.console import Console
from rich.text import Text

from funnelctl import i18n
from funnelctl.analysis.calibration import Calibration, median
from funnelctl.analysis.forecast import Backtest, Forecast, Line
from funnelctl.analysis.targets import Progress, TargetPlan
from funnelctl.i18n import N_, _, formats, nformat
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import Col, buffered, table
from funnelctl.render.rep import short_money as _short_en
from funnelctl.render.safe import md, safe, safe_text

money = formats.money

# the two sets of rates, as named in a sentence or a column
RATES = {"config": N_("config"), "history": N_("history")}


def short_money(x: float) -> str:
    """An amount for a narrow column: ``911k``, ``1.11M`` / ``91.1万``."""
    return _short_en(x) if i18n.current() == i18n.DEFAULT else money(x)


def _rates(name: str) -> str:
    return _(RATES[name]) if name in RATES else name


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


HEAD = [N_("owner"), N_("signed"), N_("open"), N_("expected"), N_("range"), N_("amount"),
        N_("amount range"), N_("commit"), N_("best case"), N_("target"), N_("vs target")]


def _row(line: Line, total: bool = False) -> list[str]:
    return [_("total") if total else line.owner,
            f"{line.won_deals} / {short_money(line.won_amount)}",
            str(line.open_deals), f"{line.expected_deals:.1f}", _range(line.low, line.high),
            short_money(line.expected_amount),
            f"{short_money(line.amount_low)}-{short_money(line.amount_high)}",
            short_money(line.commit_amount), short_money(line.best_amount), _target(line),
            _gap(line)]


def _why(f: Forecast) -> str:
    """Why these rates, in the active language (``analysis.forecast.Why``)."""
    why = f.why
    message = getattr(why, "message", None)
    return _(message).format(**why.values) if message else why


def how_lines(f: Forecast) -> list[str]:
    """What the figures rest on, in words."""
    t = f.total
    if f.rates == "history":
        rates = _("each stage's win rate observed from the closed deals (a rep's shrunk "
                  "toward the team's); a deal counts from its close date when that is ahead, "
                  "spread by the observed days to a signature")
    else:
        rates = _("the probabilities of stages.yaml, counted in the period of each deal's "
                  "close date")
    out = [_("rates: {rates}, {why}").format(rates=_rates(f.rates), why=_why(f)), rates,
           _("range: 10th-90th percentile; deals exactly (independent chances, by dynamic "
             "programming), amount by the normal approximation")]
    if t.new_deals >= 0.05:
        out.append(_("expected holds {deals} deals ({amount}) not yet in the pipeline, at "
                     "the pace of the last 26 weeks' wins").format(
            deals=f"{t.new_deals:.1f}", amount=money(t.new_amount)))
    return out


def rate_rows(c: Calibration) -> list[list[str]]:
    rows = []
    for s in c.stages:
        reps = [r.rate for r in s.reps.values()]
        spread = f"{min(reps):.0%}-{max(reps):.0%}" if reps else "-"
        med = median(sorted(x[1] for x in s.won_stays))
        rows.append([i18n.label(s), pct(s.configured), str(s.closed), str(s.won),
                     pct(s.observed), pct(s.rate), spread, "-" if med is None else f"{med:g}"])
    return rows


RATE_HEAD = [N_("stage"), N_("configured"), N_("closed"), N_("won"), N_("observed"),
             N_("team"), N_("reps"), N_("days to sign")]


def rates_caption(c: Calibration) -> str:
    return _("win rate from each stage: of the {closed} deals closed by {day} that passed "
             "through it, the share won; the team's shrunk toward the configured probability "
             "and each rep's toward the team's, as if {weight} more deals had closed at it; "
             "days to sign: the median from entering the stage").format(
        closed=c.closed, day=formats.day(c.known), weight=c.weight)


def _heads(head: list[str]) -> list[str]:
    return [_(h) for h in head]


@buffered
def forecast(con: Console, f: Forecast, p: Pipeline) -> None:
    head = _heads(HEAD)
    cols = [Col(head[0], max_width=20), *(Col(h, "right") for h in head[1:])]
    rows: list[list] = []
    for line in [*f.owners, f.total]:
        row: list = _row(line, line is f.total)
        row[0] = safe_text(row[0], style="bold" if line is f.total else "")
        gap = row[-1]
        row[-1] = Text(gap, style="red" if gap.startswith("-") else "green") if gap else ""
        rows.append(row)
    con.lines(table(cols, rows, con.width,
                    title=_("Forecast {period}").format(period=formats.period(f.period))))
    for text in how_lines(f):
        con.print(f"  {safe(text)}", markup=False)
    slipping = f.total.slipping
    if slipping:
        con.print("  " + nformat("{n} open deal is past its close date: {deals}",
                                 "{n} open deals are past their close date: {deals}",
                                 len(slipping), deals=", ".join(map(safe, slipping[:8])))
                  + (" …" if len(slipping) > 8 else ""), markup=False)
    if f.calibration is not None:
        rows = rate_rows(f.calibration)
        for row in rows:
            row[0] = safe(row[0])  # a stage's label, from stages.yaml
        head = _heads(RATE_HEAD)
        con.lines(table([Col(head[0], max_width=30), *(Col(h, "right") for h in head[1:])],
                        rows, con.width, title=_("Win rates")))
        con.print(Text(safe(rates_caption(f.calibration)), style="dim"))


def _other(rates: str) -> str:
    return "config" if rates == "history" else "history"


_FROM_GIT = re.compile(r"git (\S+) (\d{4}-\d\d-\d\d)")  # a replayed month's source


def _source(source: str) -> str:
    """Where a replayed month's deals came from: ``files`` (today's), or ``git COMMIT
    DAY``."""
    if source == "files":
        return _("files")
    found = _FROM_GIT.fullmatch(source)
    if found is None:
        return source
    commit, day = found.groups()
    try:
        day = formats.day(dt.date.fromisoformat(day))
    except ValueError:
        pass
    return _("git {commit} {day}").format(commit=commit, day=day)


def backtest_rows(b: Backtest) -> list[list[str]]:
    rows = []
    for r in b.rows:
        conf = r.scored(_other(b.rates))
        rows.append([formats.period(r.month), f"{r.forecast_deals:.1f}", str(r.actual_deals),
                     pct(r.accuracy), f"{r.bias:+.1f}", short_money(r.forecast_amount),
                     short_money(r.actual_amount), pct(r.amount_accuracy), f"{conf[0]:.1f}",
                     pct(conf[2]), _source(r.source)])
    return rows


def backtest_head(b: Backtest) -> list[str]:
    other = _rates(_other(b.rates))
    return [_("month"), _("forecast"), _("signed"), _("accuracy"), _("bias"), _("amount"),
            _("signed amount"), _("accuracy"), other,
            _("{rates} accuracy").format(rates=other), _("deals as of")]


def backtest_means(b: Backtest) -> list[str]:
    out = []
    for rates in (b.rates, _other(b.rates)):
        acc, amount_acc, bias = b.means(rates)
        way = "" if not bias else _(" (over)") if bias > 0 else _(" (under)")
        out.append(_("{rates} rates: mean accuracy {accuracy} on the count of deals signed, "
                     "{amount_accuracy} on the amount; mean bias {bias} deals a month{way}"
                     ).format(rates=_rates(rates), accuracy=pct(acc),
                              amount_accuracy=pct(amount_acc),
                              bias="-" if bias is None else f"{bias:+.1f}", way=way))
    return out


ACCURACY_NOTE = N_("accuracy = 100% minus |forecast - signed| / signed (0% at worst): "
                   "over and under by as much score the same; a month with nothing signed "
                   "is left out of the mean; bias = forecast - signed (above 0: over)")


def bucket_rows(b: Backtest) -> list[list[str]]:
    return [[f"{x.lo:.0%}-{x.hi:.0%}", str(x.deals),
             pct(x.chance / x.deals) if x.deals else "-",
             pct(x.signed / x.deals) if x.deals else "-"] for x in b.buckets if x.deals]


BUCKET_HEAD = [N_("chance"), N_("deals"), N_("mean chance"), N_("signed in the month")]


@buffered
def backtest(con: Console, b: Backtest) -> None:
    head = backtest_head(b)
    cols = [Col(head[0]), *(Col(h, "right") for h in head[1:-1]), Col(head[-1])]
    con.lines(table(cols, backtest_rows(b), con.width,
                    title=_("Backtest ({rates} rates): the forecast at each month start, "
                            "from the deals as they were then, against what was signed"
                            ).format(rates=_rates(b.rates))))
    for text in backtest_means(b):
        con.print(f"  {text}", markup=False)
    con.print(Text(f"  {_(ACCURACY_NOTE)}", style="dim"))
    con.lines(table([Col(h, "right") for h in _heads(BUCKET_HEAD)], bucket_rows(b), con.width,
                    title=_("Calibration: the deals open at each month start by the chance "
                            "the forecast gave them")))


# -- Markdown -------------------------------------------------------------------------


def md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A table of data: every cell is escaped here (a ``|`` would start a column)."""
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _h in head) + "|"]
    out += ["| " + " | ".join(md(str(c)) for c in r) + " |" for r in rows]
    return out


def forecast_md(f: Forecast, b: Backtest | None = None) -> str:
    out = ["# " + _("Forecast {period}").format(period=md(formats.period(f.period))), ""]
    out += md_table(_heads(HEAD), [_row(line, line is f.total)
                                   for line in [*f.owners, f.total]])
    out.append("")
    out += [f"- {md(text)}" for text in how_lines(f)]
    if f.total.slipping:
        out.append("- " + _("open deals past their close date: {deals}").format(
            deals=", ".join(map(md, f.total.slipping))))
    if f.calibration is not None:
        out += ["", "## " + _("Win rates"), ""]
        out += md_table(_heads(RATE_HEAD), rate_rows(f.calibration))
        out += ["", md(rates_caption(f.calibration))]
    if b is not None:
        out += ["", "## " + _("Backtest ({rates} rates)").format(rates=_rates(b.rates)), ""]
        out += md_table(backtest_head(b), backtest_rows(b))
        out.append("")
        out += [f"- {md(text)}" for text in backtest_means(b)]
        out += [f"- {md(_(ACCURACY_NOTE))}", "", "### " + _("Calibration"), ""]
        out += md_table(_heads(BUCKET_HEAD), bucket_rows(b))
    return "\n".join(out) + "\n"


PLAN_HEAD = [N_("stage"), N_("ratio"), N_("required"), N_("deals"), N_("actual"), N_("gap")]


def plan_md(plan: TargetPlan, title: str | None = None) -> list[str]:
    out = [f"## {md(title)}", ""] if title else []
    out += md_table(_heads(PLAN_HEAD),
                    [[i18n.label(r), f"{r.rate:.3g}", f"{r.required:.1f}", str(r.required_deals),
                      str(r.actual), f"{r.gap:+.1f}"] for r in plan.rows])
    out.append("")
    if plan.amount is not None:
        out.append("- " + _("{amount} at an average won deal of {average} = {deals} deals"
                            ).format(amount=money(plan.amount),
                                     average=money(plan.average_won or 0),
                                     deals=f"{plan.target:.1f}"))
    if plan.rates_from == "history":
        out.append("- " + _("ratios achieved by the team, from {n} deals' stage histories"
                            ).format(n=plan.history_base)
                   + (_("; configured ratio where no deal has left a stage: {stages}").format(
                       stages=", ".join(map(md, plan.fallback))) if plan.fallback else ""))
    if plan.blocking:
        row = next(r for r in plan.rows if r.stage == plan.blocking)
        out.append("- " + _("**blocked at {stage}**: {gap} deals short (need {need}, hold "
                            "{hold})").format(stage=md(i18n.label(row)), gap=f"{row.gap:.1f}",
                                              need=f"{row.required:.1f}", hold=row.actual))
    else:
        out.append("- " + _("every stage holds what the target needs"))
    return out


def target_md(plans: list[tuple[str, TargetPlan]]) -> str:
    out = []
    for title, plan in plans:
        out += plan_md(plan, title)
        out.append("")
    return "\n".join(out)


def _verdict(ok: bool) -> str:
    return _("on track") if ok else _("behind")


def progress_md(progs: list[Progress], period: str) -> str:
    out = ["# " + _("Targets {period}").format(period=md(formats.period(period))), ""]
    for pr in progs:
        owner = _("team") if pr.owner == "team" else pr.owner
        line = f"## {md(owner)} {md(formats.period(pr.period))}"
        out += [line, "", "- " + _("{share} of the period gone").format(
            share=f"{pr.elapsed:.0%}")]
        if pr.target_deals is not None:
            due = pr.target_deals * pr.elapsed
            out.append("- " + _("signed {won} of {target} ({due} due by now): {verdict}"
                                ).format(won=pr.won_deals, target=f"{pr.target_deals:g}",
                                         due=f"{due:.1f}",
                                         verdict=_verdict(pr.won_deals >= due - 1e-9)))
        if pr.target_amount is not None:
            due = pr.target_amount * pr.elapsed
            out.append("- " + _("{won} of {target}: {verdict}").format(
                won=money(pr.won_amount), target=money(pr.target_amount),
                verdict=_verdict(pr.won_amount >= due - 1e-9)))
        out.append("")
        if pr.plan:
            out += plan_md(pr.plan)
            out.append("")
    return "\n".join(out)
