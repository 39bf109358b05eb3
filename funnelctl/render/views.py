"""Rich renderings of the manager's views. Each takes a view's data and a console;
none reads a file or computes a number the view did not."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Span, Text

from funnelctl.analysis.board import Column
from funnelctl.analysis.funnel import Funnel
from funnelctl.analysis.review import TEAM_WARNED, Leader, Section
from funnelctl.analysis.stalls import Stalls, Warning
from funnelctl.analysis.targets import Progress, TargetPlan
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import (
    Col,
    Line,
    as_text,
    buffered,
    rule,
    table,
    wrapped,
)
from funnelctl.render.rep import money, short_money
from funnelctl.render.safe import safe, safe_text


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def funnel_bar(value: float, bench: float, top: float, width: int) -> Text:
    """A centred bar: █ the actual, ░ the benchmark the actual falls short of,
    ▓ (red) the actual beyond the benchmark."""
    a = round(width * value / top) if top else 0
    b = round(width * bench / top) if top else 0
    a = max(a, 1) if value else 0
    cells = []
    for x in range(width):
        # distance of cell x from the centre, compared with half of each bar
        dist = abs(2 * x + 1 - width)
        in_a, in_b = dist < a, dist < b
        cells.append("█" if in_a and in_b else "▓" if in_a else "░" if in_b else " ")
    # one styled run per kind of cell, not one per cell: a table lays it out faster
    text = Text()
    line = "".join(cells)
    start = 0
    for x in range(1, width + 1):
        if x == width or line[x] != line[start]:
            text.append(line[start:x], style=BAR_STYLE[line[start]])
            start = x
    return text


BAR_STYLE = {"█": "cyan", "▓": "red", "░": "dim", " ": ""}


def funnel_lines(f: Funnel, p: Pipeline, width: int, by_amount: bool = False,
                 title: str | None = None) -> list[Line]:
    """The funnel table and its diagnosis, fitted to ``width`` columns."""
    values = [s.amount if by_amount else s.count for s in f.stages]
    bench = [s.benchmark for s in f.stages]
    if by_amount and f.stages and f.stages[0].count:
        per = f.stages[0].amount / f.stages[0].count
        bench = [b * per for b in bench]
    top = max([*values, *bench, 1])
    bar_w = max(8, min(40, width - 68))
    # The figures are one pre-aligned column (ASCII, fixed widths)
    figures = "{:>5}  {:>5}  {:>6}  {:>8}  {:>12}"
    cols = [Col("stage", max_width=20), Col("funnel", "center"),
            Col(figures.format("deals", "bench", "amount", "weighted", "conv obs/cfg"))]
    rows: list[list] = [
        [safe(s.label), funnel_bar(v, b, top, bar_w),
         figures.format(s.count, f"{s.benchmark:.1f}", short_money(s.amount),
                        short_money(s.weighted), f"{pct(s.observed)}/{pct(s.conversion)}")]
        for s, v, b in zip(f.stages, values, bench, strict=True)]
    lines = table(cols, rows, width, title=title,
                  caption="█ deals  ░ benchmark not reached  ▓ beyond the benchmark")
    for d in f.diagnosis:
        style = {"bulge": "red", "thin_top": "yellow", "late_entry_rep": "magenta",
                 "clean": "green"}.get(d.kind, "")
        label = {"bulge": "bulge", "thin_top": "thin top", "late_entries": "late entries",
                 "late_entry_rep": "kept back?", "clean": "clean"}.get(d.kind, d.kind)
        line = Text(f"  {label}: ", style=style)
        line.append(safe(d.message))
        if d.kind == "late_entries" and d.deals:
            shown = ", ".join(map(safe, d.deals[:6])) + (" …" if len(d.deals) > 6 else "")
            line.append(f" ({shown})", style="dim")
        lines.extend(wrapped(line, width))
    return lines


def funnel_view(f: Funnel, p: Pipeline, width: int, by_amount: bool = False,
                title: str | None = None) -> Group:
    """The funnel as one renderable, for rich to set side by side."""
    return Group(*map(as_text, funnel_lines(f, p, width, by_amount, title)))


@buffered
def funnel(con: Console, f: Funnel, p: Pipeline, by_amount: bool = False,
           title: str | None = None) -> None:
    con.lines(funnel_lines(f, p, con.width, by_amount, title))


@buffered
def stalls(con: Console, s: Stalls, p: Pipeline, limit: int | None = None,
           more: str = "--all shows them") -> None:
    """One row per deal, its warnings together, worst and largest deals first."""
    if not s.warnings:
        con.print("No warnings: every open deal moved, was followed up and has a next step.")
    else:
        shown, n_deals = s.grouped(limit)
        warning_rows(con, shown, n_deals, len(s.warnings), limit, more)
    if s.snoozed:
        con.print(Text("Snoozed on purpose:", style="bold"))
        for z in s.snoozed:
            con.print(f"  {safe(z.deal)} ({safe(z.owner)}, {safe(z.stage)}) until {z.until}: "
                      f"{safe(z.reason)}", markup=False)


def warning_rows(con: Console, shown: list[list[Warning]], n_deals: int, n_warnings: int,
           limit: int | None, more: str) -> None:
    """The deals shown, a row each with its warnings, and how many there are."""
    wide = con.width >= 110  # narrow screens get the warnings on a line of their own
    rows: list[list] = []
    for ws in shown:
        w0 = ws[0]
        # the warnings in a few words, coloured by severity, made as one Text: appending
        # them piece by piece was a large share of a 400-rep review's rendering
        pieces: list[str] = []
        spans: list[Span] = []
        at = 0
        for w in ws:
            if pieces:
                pieces.append(" · ")
                at += 3
            short, severity = w.short, w.severity
            if severity >= 2:
                spans.append(Span(at, at + len(short), "red" if severity >= 4 else "yellow"))
            pieces.append(short)
            at += len(short)
        why = Text("".join(pieces), spans=spans)
        row = [safe(w0.deal), safe(w0.owner), safe(w0.stage), short_money(w0.amount)]
        if wide:
            rows.append([*row, why])
        else:
            head = Text(row[0], style="bold")
            head.append(f"  {row[1]}  {row[2]}  {row[3]}")
            con.print(head)
            con.print(Text("    ").append_text(why))
    if wide:
        con.lines(table([Col("deal", max_width=30), Col("owner", max_width=12),
                         Col("stage", max_width=11), Col("amount", "right"),
                         Col("warnings", fold=True)], rows, con.width))
    if limit is not None and n_deals > limit:
        con.print(f"… and {n_deals - limit} more deals ({more})", markup=False)
    con.print(f"{n_warnings} warnings on {n_deals} deals", markup=False)


@buffered
def target(con: Console, plan: TargetPlan, p: Pipeline, title: str | None = None) -> None:
    cols = [Col("stage"), *(Col(h, "right") for h in ("ratio", "required", "deals",
                                                       "actual", "gap"))]
    rows: list[list] = [
        [safe(r.label), f"{r.rate:.3g}", f"{r.required:.1f}", str(r.required_deals), str(r.actual),
         Text(f"{r.gap:+.1f}", style="red" if r.gap > 1e-9 else "green")]
        for r in plan.rows]
    con.lines(table(cols, rows, con.width, title=title))
    if plan.amount is not None:
        con.print(f"  {money(plan.amount)} at an average won deal of "
                  f"{money(plan.average_won or 0)} = {plan.target:.1f} deals")
    if plan.rates_from == "history":
        fb = ("; configured ratio where no deal has left a stage: "
              + ", ".join(map(safe, plan.fallback))) if plan.fallback else ""
        con.print(f"  ratios achieved by the team, from {plan.history_base} deals' "
                  f"stage histories{fb}", markup=False)
    if plan.blocking:
        row = next(r for r in plan.rows if r.stage == plan.blocking)
        con.print(Text(f"  blocked at {safe(row.label)}: {row.gap:.1f} deals short "
                       f"(need {row.required:.1f}, hold {row.actual})", style="red bold"))
    else:
        con.print(Text("  every stage holds what the target needs", style="green"))


@buffered
def progress(con: Console, progs: list[Progress], p: Pipeline) -> None:
    """Each target against the share of the period gone: deals and money apart."""

    def verdict(have: float, target: float) -> Text:
        due = target * pr.elapsed
        ok = have >= due - 1e-9
        return Text(" on track" if ok else " behind", style="green" if ok else "red")

    for pr in progs:
        head = Text(f"{safe(pr.owner)} {safe(pr.period)}", style="bold")
        head.append(f" ({pr.elapsed:.0%} of the period gone):")
        if pr.target_deals is not None:
            head.append(f" signed {pr.won_deals} of {pr.target_deals:g} "
                        f"({pr.target_deals * pr.elapsed:.1f} due by now),")
            head.append_text(verdict(pr.won_deals, pr.target_deals))
            head.append(";" if pr.target_amount is not None else "")
        if pr.target_amount is not None:
            head.append(f" {money(pr.won_amount)} of {money(pr.target_amount)},")
            head.append_text(verdict(pr.won_amount, pr.target_amount))
        con.print(head)
        if pr.plan:
            target(con, pr.plan, p)


@buffered
def board(con: Console, cols: list[Column], p: Pipeline, rows: int | None = None) -> None:
    """Columns of cards when they fit the screen (16 characters a column at least),
    else one summary line per stage: never wrapped into noise."""
    n = len(cols)
    if n * 16 + (n - 1) > con.width:
        t = Table(box=None, pad_edge=False, header_style="bold")
        for col in ("stage", "deals", "amount", "stalled", "largest"):
            t.add_column(col, justify="right" if col in ("deals", "amount", "stalled") else
                         "left", no_wrap=True, overflow="ellipsis")
        for c in cols:
            top = c.cards and max(c.cards, key=lambda x: x.amount)
            t.add_row(safe_text(c.label), Text(str(len(c.cards))), Text(money(c.amount)),
                      Text(str(sum(x.stalled for x in c.cards))),
                      Text(f"{safe(top.account)} {money(top.amount)}" if top else ""))
        con.print(t)
        con.print(f"({n} stages do not fit {con.width} columns as a board: widen the "
                  f"terminal, or filter with --owner)", markup=False)
        return
    colw = max(16, (con.width - (n - 1)) // max(n, 1))
    rows = rows if rows is not None else max(3, (con.height - 8) // 4)
    t = Table(box=None, pad_edge=False, show_lines=False, header_style="bold")
    for c in cols:
        t.add_column(Text(f"{safe(c.label)}\n{len(c.cards)} · {money(c.amount)}"), width=colw - 1,
                     overflow="ellipsis", no_wrap=True)
    cells: list[list[Text]] = []
    for c in cols:
        lines: list[Text] = []
        for card in c.cards[:rows]:
            mark = "⚠ " if card.stalled else ""
            txt = Text()
            txt.append(f"{mark}{safe(card.account)}\n",
                       style="red bold" if card.stalled else "bold")
            txt.append(f"{money(card.amount)} {safe(card.owner)}\n")
            txt.append(f"{card.days}d · {safe(card.weakest or '')}\n", style="dim")
            lines.append(txt)
        if len(c.cards) > rows:
            rest = c.cards[rows:]
            lines.append(Text(f"+{len(rest)} more, {money(sum(x.amount for x in rest))}",
                              style="italic"))
        cells.append(lines)
    height = max((len(x) for x in cells), default=0)
    for i in range(height):
        t.add_row(*[x[i] if i < len(x) else Text("") for x in cells])
    con.print(t)


# A rep's screen shows the worst deals, the first questions and rule-breakers; the
# Markdown notes list them all
WARNED_SHOWN = 12
QUESTIONS_SHOWN = 12
FLAGGED_SHOWN = 8


@buffered
def rep_section(con: Console, s: Section, p: Pipeline, since) -> None:
    """One rep's screen, or the team's, which repeats no per-deal list the reps already
    showed beyond the largest warnings."""
    con.print(rule(s.owner, con.width))
    funnel(con, s.funnel, p)
    if s.targets:
        progress(con, s.targets, p)
    if s.alerts:
        con.print(Text("Alerts:", style="bold red"))
        for a in s.alerts:
            con.print(f"  {safe(a.message)}", markup=False)
    if s.team and s.move_kinds:
        con.print(Text(f"Since {since}: ", style="bold").append(
            ", ".join(f"{n} {kind} ({money(amount)})" for kind, n, amount in s.move_kinds),
            style=""))
    elif s.moved:
        con.print(Text(f"Since {since}:", style="bold"))
        for m in s.moved:
            detail = ""
            if m.kind in ("advanced", "regressed"):
                detail = f"{safe(m.from_stage or '')} -> {safe(m.stage)}" + (
                    " (forced)" if m.forced else "")
            elif m.kind == "lost":
                detail = f"at {safe(m.stage)}: {safe(str(m.reason))}" + (
                    f", to {safe(m.competitor)}" if m.competitor else "")
            elif m.kind == "inflow":
                detail = f"new at {safe(m.stage)}"
            style = {"won": "green", "lost": "red", "regressed": "yellow"}.get(m.kind, "")
            line = Text(f"  {m.date} ")
            line.append(f"{m.kind:<9}", style=style)
            line.append(f" {safe(m.deal)} ({safe(m.account)}, {money(m.amount)}) {detail}")
            con.print(line)
        if s.more_moved:
            con.print(f"  … and {s.more_moved} more (--json has them all)", markup=False)
    else:
        con.print(f"Nothing moved since {since}.", markup=False)
    if s.warnings:
        con.print(Text("Warnings:" if not s.team else "Largest warnings:", style="bold"))
        limit = TEAM_WARNED if s.team else WARNED_SHOWN
        warning_rows(con, s.warned[:limit], s.warned_deals, s.warnings, limit,
                     "funnelctl stalls lists them")
    if s.snoozed:
        con.print(f"  ({s.snoozed} snoozed on purpose)", markup=False)
    if s.flagged:
        ids = ", ".join(safe(f["deal"]) for f in s.flagged[:FLAGGED_SHOWN]) + (
            " …" if len(s.flagged) > FLAGGED_SHOWN else "")
        con.print(Text(f"Break a process rule ({len(s.flagged)}): ", style="bold red")
                  .append(f"{ids} (funnelctl validate)", style=""))
    if s.questions:
        con.print(Text("Questions to ask:", style="bold"))
        for q in s.questions[:QUESTIONS_SHOWN]:
            con.print(f"  {safe(q.deal)} ({safe(q.account)}): {safe(q.text)}", markup=False)
        if len(s.questions) > QUESTIONS_SHOWN:
            con.print(f"  … and {len(s.questions) - QUESTIONS_SHOWN} more", markup=False)
    f = s.figures
    con.print(Text("Process:", style="bold"))
    stays = ", ".join(f"{k} {num(v, 0)}" for k, v in f.days_in_stage.items())
    conv = ", ".join(f"{k} {pct(v)}" for k, v in f.conversion.items())
    con.print(f"  deals {f.deals} (open {f.open_deals}, won {f.won}, lost {f.lost})  "
              f"win rate {pct(f.win_rate)}  actions per won deal {num(f.actions_per_won)}  "
              f"cycle {num(f.cycle_days, 0)} days", markup=False)
    con.print(f"  days in stage: {stays}", markup=False)
    con.print(f"  conversion: {conv}", markup=False)
    con.print(f"  sales velocity: {num(f.velocity, 0)} per day "
              f"(open {f.open_deals} x avg won {num(f.average_won, 0)} x win rate "
              f"{pct(f.win_rate)} / {num(f.cycle_days, 0)} days)", markup=False)


# The weekly review in three pieces, which the command writes one after the other:
# the heading, the reps' sections (on a large team, part of them written by another
# process), and the end (the team's section, the waivers and the leaderboard)


@buffered
def review_head(con: Console, today, since, period: str) -> None:
    con.print(Text(f"Weekly review {today} (moves since {since}, period {period})",
                   style="bold"))


@buffered
def review_sections(con: Console, sections: list[Section], p: Pipeline, since) -> None:
    for s in sections:
        rep_section(con, s, p, since)


@buffered
def review_end(con: Console, team: Section | None, waivers: list[dict],
               leaders: list[Leader], p: Pipeline, since, period: str) -> None:
    """The team's section (none for a review of one rep), the waivers, the leaderboard."""
    if team is not None:
        rep_section(con, team, p, since)
    if waivers:
        con.print(Text("Waivers (forced moves):", style="bold"))
        for w in waivers:
            con.print(f"  {w['date']} {safe(w['deal'])} ({safe(w['owner'])}) -> "
                      f"{safe(w['stage'])}: {safe(str(w['reason']))} "
                      f"[waived: {', '.join(map(safe, w['waived']))}]", markup=False)
    cols = [Col("#", "right"), Col("owner"), *(Col(h, "right") for h in (
        "signed", "target", "amount", "target amount"))]
    con.lines(table(cols, [[str(i), safe(x.owner), str(x.won_deals),
                            "-" if x.target_deals is None else f"{x.target_deals:g}",
                            money(x.won_amount),
                            "-" if x.target_amount is None else money(x.target_amount)]
                           for i, x in enumerate(leaders, 1)], con.width,
                    title=f"Leaderboard {period}"))
