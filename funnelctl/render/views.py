"""Rich renderings of the manager's views. Each takes a view's data and a console;
none reads a file or computes a number the view did not."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, Group
from rich.table import Table
from rich.text import Span, Text

from funnelctl import i18n
from funnelctl.analysis.board import Column
from funnelctl.analysis.funnel import Funnel
from funnelctl.analysis.review import TEAM_WARNED, Leader, Section
from funnelctl.analysis.stalls import Stalls, Warning, named
from funnelctl.analysis.targets import Progress, TargetPlan
from funnelctl.i18n import N_, _, formats, nformat
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import (
    Col,
    Line,
    as_text,
    buffered,
    rule,
    table,
    uncut,
    wrapped,
)
from funnelctl.render.rep import id_names, label_names, money, short_money, waived_names
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


# what the funnel's diagnoses are called on the terminal (a kind not named: its id)
DIAGNOSIS = {"bulge": N_("bulge"), "narrow": N_("narrow"), "thin_top": N_("thin top"),
             "late_entries": N_("late entries"), "late_entry_rep": N_("kept back?"),
             "empty": N_("empty"), "clean": N_("clean")}
# the funnel's figures: their headings and the widths they are right-aligned in (wider
# where the language's heading is)
FIGURES = ((N_("deals"), 5), (N_("bench"), 5), (N_("amount"), 6), (N_("weighted"), 8),
           (N_("conv obs/cfg"), 12))


def _aligned(cells: list[str], widths: list[int]) -> str:
    """Cells right-aligned in their widths of screen cells (a CJK character takes two),
    two blanks apart: one pre-aligned column of a table."""
    return "  ".join(" " * (w - (len(c) if c.isascii() else cell_len(c))) + c
                     for c, w in zip(cells, widths, strict=True))


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
    # The figures are one pre-aligned column
    heads = [_(h) for h, _w in FIGURES]
    widths = [max(w, cell_len(h)) for h, (_h, w) in zip(heads, FIGURES, strict=True)]
    cols = [Col(_("stage"), max_width=20), Col(_("funnel"), "center"),
            Col(_aligned(heads, widths))]
    rows: list[list] = [
        [safe(s.name or s.label), funnel_bar(v, b, top, bar_w),
         _aligned([str(s.count), f"{s.benchmark:.1f}", short_money(s.amount),
                   short_money(s.weighted), f"{pct(s.observed)}/{pct(s.conversion)}"],
                  widths)]
        for s, v, b in zip(f.stages, values, bench, strict=True)]
    lines = table(cols, rows, width, title=title,
                  caption=_("█ deals  ░ benchmark not reached  ▓ beyond the benchmark"))
    for d in f.diagnosis:
        style = {"bulge": "red", "thin_top": "yellow", "late_entry_rep": "magenta",
                 "clean": "green"}.get(d.kind, "")
        label = _(DIAGNOSIS[d.kind]) if d.kind in DIAGNOSIS else d.kind
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


# where a list of warnings cut short says the rest are
MORE_ALL = N_("--all shows them")
MORE_STALLS = N_("funnelctl stalls lists them")


@buffered
def stalls(con: Console, s: Stalls, p: Pipeline, limit: int | None = None,
           more: str = MORE_ALL) -> None:
    """One row per deal, its warnings together, worst and largest deals first."""
    if not s.warnings:
        con.print(_("No warnings: every open deal moved, was followed up and has a next "
                    "step."))
    else:
        shown, n_deals = s.grouped(limit)
        warning_rows(con, shown, n_deals, len(s.warnings), limit, more)
    if s.snoozed:
        names = id_names(p)
        con.print(Text(_("Snoozed on purpose:"), style="bold"))
        for z in s.snoozed:
            con.print("  " + _("{deal} ({owner}, {stage}) until {day}: {reason}").format(
                deal=safe(z.deal), owner=safe(z.owner),
                stage=safe(names.get(z.stage, z.stage)), day=formats.day(z.until),
                reason=safe(z.reason)), markup=False)


def warnings_on(n_warnings: int, n_deals: int) -> str:
    """``20 warnings on 12 deals``."""
    return _("{warnings} on {deals}").format(
        warnings=nformat("{n} warning", "{n} warnings", n_warnings),
        deals=nformat("{n} deal", "{n} deals", n_deals))


def warning_rows(con: Console, shown: list[list[Warning]], n_deals: int, n_warnings: int,
           limit: int | None, more: str) -> None:
    """The deals shown, a row each with its warnings, and how many there are. ``more``
    (MORE_ALL, MORE_STALLS): where the rest are."""
    wide = con.width >= 110  # narrow screens get the warnings on a line of their own
    english = i18n.current() == i18n.DEFAULT  # a stage by its id, else by its label
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
        row = [safe(w0.deal), safe(w0.owner),
               safe(w0.stage if english else named(w0.at)), short_money(w0.amount)]
        if wide:
            rows.append([*row, why])
        else:
            head = Text(row[0], style="bold")
            head.append(f"  {row[1]}  {row[2]}  {row[3]}")
            con.print(head)
            con.print(Text("    ").append_text(why))
    if wide:
        con.lines(table([Col(_("deal"), max_width=30), Col(_("owner"), max_width=12),
                         Col(_("stage"), max_width=11), Col(_("amount"), "right"),
                         Col(_("warnings"), fold=True)], rows, con.width))
    if limit is not None and n_deals > limit:
        con.print(nformat("… and {n} more deal ({more})", "… and {n} more deals ({more})",
                          n_deals - limit, more=_(more)), markup=False)
    con.print(warnings_on(n_warnings, n_deals), markup=False)


TARGET_HEADS = (N_("ratio"), N_("required"), N_("deals"), N_("actual"), N_("gap"))


@buffered
def target(con: Console, plan: TargetPlan, p: Pipeline, title: str | None = None) -> None:
    cols = [Col(_("stage")), *(Col(_(h), "right") for h in TARGET_HEADS)]
    labels = label_names(p)
    rows: list[list] = [
        [safe(labels.get(r.stage, r.label)), f"{r.rate:.3g}", f"{r.required:.1f}",
         str(r.required_deals), str(r.actual),
         Text(f"{r.gap:+.1f}", style="red" if r.gap > 1e-9 else "green")]
        for r in plan.rows]
    con.lines(table(cols, rows, con.width, title=title))
    if plan.amount is not None:
        con.print("  " + _("{amount} at an average won deal of {average} = {n} deals").format(
            amount=money(plan.amount), average=money(plan.average_won or 0),
            n=f"{plan.target:.1f}"))
    if plan.rates_from == "history":
        names = id_names(p)
        fb = ("; " + _("configured ratio where no deal has left a stage: {stages}").format(
            stages=", ".join(safe(names.get(x, x)) for x in plan.fallback))) \
            if plan.fallback else ""
        con.print("  " + _("ratios achieved by the team, from {n} deals' stage histories")
                  .format(n=plan.history_base) + fb, markup=False)
    if plan.blocking:
        row = next(r for r in plan.rows if r.stage == plan.blocking)
        con.print(Text("  " + _("blocked at {stage}: {gap} deals short (need {need}, hold "
                                "{actual})").format(
            stage=safe(labels.get(row.stage, row.label)), gap=f"{row.gap:.1f}",
            need=f"{row.required:.1f}", actual=row.actual), style="red bold"))
    else:
        con.print(Text("  " + _("every stage holds what the target needs"), style="green"))


def owner_name(owner: str) -> str:
    """A target's or a section's owner: a rep, a team of stages.yaml, or ``team``
    (everyone), which the language names."""
    return _("team") if owner == "team" else safe(owner)


@buffered
def progress(con: Console, progs: list[Progress], p: Pipeline) -> None:
    """Each target against the share of the period gone: deals and money apart."""

    def verdict(have: float, target: float) -> Text:
        due = target * pr.elapsed
        ok = have >= due - 1e-9
        return Text(" " + (_("on track") if ok else _("behind")),
                    style="green" if ok else "red")

    for pr in progs:
        head = Text(f"{owner_name(pr.owner)} {safe(formats.period(pr.period))}", style="bold")
        head.append(" " + _("({share} of the period gone):").format(share=f"{pr.elapsed:.0%}"))
        if pr.target_deals is not None:
            head.append(" " + _("signed {won} of {target} ({due} due by now),").format(
                won=pr.won_deals, target=f"{pr.target_deals:g}",
                due=f"{pr.target_deals * pr.elapsed:.1f}"))
            head.append_text(verdict(pr.won_deals, pr.target_deals))
            head.append(";" if pr.target_amount is not None else "")
        if pr.target_amount is not None:
            head.append(" " + _("{won} of {target},").format(won=money(pr.won_amount),
                                                             target=money(pr.target_amount)))
            head.append_text(verdict(pr.won_amount, pr.target_amount))
        con.print(head)
        if pr.plan:
            target(con, pr.plan, p)


BOARD_HEADS = ((N_("stage"), "left"), (N_("deals"), "right"), (N_("amount"), "right"),
               (N_("stalled"), "right"), (N_("largest"), "left"))


@buffered
def board(con: Console, cols: list[Column], p: Pipeline, rows: int | None = None) -> None:
    """Columns of cards when they fit the screen (16 characters a column at least),
    else one summary line per stage: never wrapped into noise."""
    n = len(cols)
    labels = label_names(p)
    if n * 16 + (n - 1) > con.width:
        t = Table(box=None, pad_edge=False, header_style="bold")
        for head, justify in BOARD_HEADS:
            t.add_column(_(head), justify=justify, no_wrap=True,  # type: ignore[arg-type]
                         overflow="ellipsis")
        for c in cols:
            top = c.cards and max(c.cards, key=lambda x: x.amount)
            t.add_row(safe_text(labels.get(c.stage, c.label)), Text(str(len(c.cards))),
                      Text(money(c.amount)), Text(str(sum(x.stalled for x in c.cards))),
                      Text(f"{safe(top.account)} {money(top.amount)}" if top else ""))
        con.print(t)
        con.print(nformat("({n} stage does not fit {width} columns as a board: widen the "
                          "terminal, or filter with --owner)",
                          "({n} stages do not fit {width} columns as a board: widen the "
                          "terminal, or filter with --owner)", n, width=con.width),
                  markup=False)
        return
    english = i18n.current() == i18n.DEFAULT
    colw = max(16, (con.width - (n - 1)) // max(n, 1))
    rows = rows if rows is not None else max(3, (con.height - 8) // 4)
    t = Table(box=None, pad_edge=False, show_lines=False, header_style="bold")
    for c in cols:
        t.add_column(Text(f"{safe(labels.get(c.stage, c.label))}\n{len(c.cards)} · "
                          f"{money(c.amount)}"),
                     # piped (lines.uncut): each card whole, the table as wide as it needs
                     width=None if uncut() else colw - 1, overflow="ellipsis", no_wrap=True)
    cells: list[list[Text]] = []
    for c in cols:
        lines: list[Text] = []
        for card in c.cards[:rows]:
            mark = "⚠ " if card.stalled else ""
            weakest = card.weakest if english or card.weak is None else \
                f"{i18n.label(card.weak[0])} {card.weak[1]}/{card.weak[0].top}"
            txt = Text()
            txt.append(f"{mark}{safe(card.account)}\n",
                       style="red bold" if card.stalled else "bold")
            txt.append(f"{money(card.amount)} {safe(card.owner)}\n")
            txt.append(f"{formats.days(card.days)} · {safe(weakest or '')}\n", style="dim")
            lines.append(txt)
        if len(c.cards) > rows:
            rest = c.cards[rows:]
            lines.append(Text(_("+{n} more, {amount}").format(
                n=len(rest), amount=money(sum(x.amount for x in rest))), style="italic"))
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


# a move since the last review, by kind: the word in a rep's list, and the count in the
# team's line (text and Markdown)
MOVE_KIND = {"won": N_("won"), "lost": N_("lost"), "advanced": N_("advanced"),
             "regressed": N_("regressed"), "inflow": N_("inflow")}
MOVE_COUNT = {"won": N_("{n} won ({amount})"), "lost": N_("{n} lost ({amount})"),
              "advanced": N_("{n} advanced ({amount})"),
              "regressed": N_("{n} regressed ({amount})"),
              "inflow": N_("{n} inflow ({amount})")}


MOVE_STYLE = {"won": "green", "lost": "red", "regressed": "yellow"}


def move_kinds() -> dict[str, str]:
    """The kinds of moves as the language says them."""
    return {k: _(v) for k, v in MOVE_KIND.items()}


def move_counts(kinds: list[tuple[str, int, float]]) -> list[str]:
    """``1 won (3,800,000)``: how many moved of each kind, and how much."""
    return [_(MOVE_COUNT[kind]).format(n=n, amount=money(amount)) if kind in MOVE_COUNT
            else f"{n} {kind} ({money(amount)})" for kind, n, amount in kinds]


def big(x: float | None) -> str:
    """A large figure (an amount, a velocity) rounded: ``94,945`` / ``9.5万``; none is
    ``-``."""
    return "-" if x is None else money(x)


@buffered
def rep_section(con: Console, s: Section, p: Pipeline, since) -> None:
    """One rep's screen, or the team's, which repeats no per-deal list the reps already
    showed beyond the largest warnings."""
    names = id_names(p)  # a stage by its id in English, by its label in another
    con.print(rule(owner_name(s.owner) if s.team else s.owner, con.width))
    funnel(con, s.funnel, p)
    if s.targets:
        progress(con, s.targets, p)
    if s.alerts:
        con.print(Text(_("Alerts:"), style="bold red"))
        for a in s.alerts:
            con.print(f"  {safe(a.message)}", markup=False)
    if s.team and s.move_kinds:
        con.print(Text(_("Since {day}:").format(day=formats.day(since)) + " ",
                       style="bold").append(", ".join(move_counts(s.move_kinds)), style=""))
    elif s.moved:
        con.print(Text(_("Since {day}:").format(day=formats.day(since)), style="bold"))
        kinds = move_kinds()
        pad = max(map(cell_len, kinds.values()))
        reasons = id_names(p, "reason")
        for m in s.moved:
            detail = ""
            if m.kind in ("advanced", "regressed"):
                detail = f"{safe(names.get(m.from_stage or '', m.from_stage or ''))} -> " \
                         f"{safe(names.get(m.stage, m.stage))}" + (
                             " " + _("(forced)") if m.forced else "")
            elif m.kind == "lost":
                reason = str(m.reason)
                detail = _("at {stage}: {reason}").format(
                    stage=safe(names.get(m.stage, m.stage)),
                    reason=safe(reasons.get(reason, reason))) + (
                    _(", to {competitor}").format(competitor=safe(m.competitor))
                    if m.competitor else "")
            elif m.kind == "inflow":
                detail = _("new at {stage}").format(stage=safe(names.get(m.stage, m.stage)))
            style = MOVE_STYLE.get(m.kind, "")
            kind = kinds.get(m.kind, m.kind)
            # the line as one Text, the kind's style a span (a review of 400 reps lists
            # 8,000 moves: 8.2 µs a line as a Text and two appends, 5.9 µs so)
            head = f"  {formats.day(m.date)} "
            word = kind + " " * (pad - cell_len(kind))
            con.print(Text(f"{head}{word} {safe(m.deal)} ({safe(m.account)}, "
                           f"{money(m.amount)}) {detail}",
                           spans=[Span(len(head), len(head) + len(word), style)]
                           if style and word else None))
        if s.more_moved:
            con.print("  " + _("… and {n} more (--json has them all)").format(
                n=s.more_moved), markup=False)
    else:
        con.print(_("Nothing moved since {day}.").format(day=formats.day(since)),
                  markup=False)
    if s.warnings:
        con.print(Text(_("Warnings:") if not s.team else _("Largest warnings:"),
                       style="bold"))
        limit = TEAM_WARNED if s.team else WARNED_SHOWN
        warning_rows(con, s.warned[:limit], s.warned_deals, s.warnings, limit, MORE_STALLS)
    if s.snoozed:
        con.print("  " + _("({n} snoozed on purpose)").format(n=s.snoozed), markup=False)
    if s.flagged:
        ids = ", ".join(safe(f["deal"]) for f in s.flagged[:FLAGGED_SHOWN]) + (
            " …" if len(s.flagged) > FLAGGED_SHOWN else "")
        con.print(Text(_("Break a process rule ({n}):").format(n=len(s.flagged)) + " ",
                       style="bold red").append(f"{ids} (funnelctl validate)", style=""))
    if s.questions:
        con.print(Text(_("Questions to ask:"), style="bold"))
        for q in s.questions[:QUESTIONS_SHOWN]:
            con.print(f"  {safe(q.deal)} ({safe(q.account)}): {safe(q.text)}", markup=False)
        if len(s.questions) > QUESTIONS_SHOWN:
            con.print("  " + nformat("… and {n} more", "… and {n} more",
                                     len(s.questions) - QUESTIONS_SHOWN), markup=False)
    f = s.figures
    con.print(Text(_("Process:"), style="bold"))
    stays = ", ".join(f"{safe(names.get(k, k))} {num(v, 0)}"
                      for k, v in f.days_in_stage.items())
    conv = ", ".join(f"{safe(names.get(k, k))} {pct(v)}" for k, v in f.conversion.items())
    con.print("  " + _("deals {deals} (open {open}, won {won}, lost {lost})  win rate "
                       "{win_rate}  actions per won deal {actions}  cycle {cycle} days").format(
        deals=f.deals, open=f.open_deals, won=f.won, lost=f.lost, win_rate=pct(f.win_rate),
        actions=num(f.actions_per_won), cycle=num(f.cycle_days, 0)), markup=False)
    con.print("  " + _("days in stage: {stays}").format(stays=stays), markup=False)
    con.print("  " + _("conversion: {rates}").format(rates=conv), markup=False)
    con.print("  " + _("sales velocity: {velocity} per day (open {open} x avg won {average} "
                       "x win rate {win_rate} / {cycle} days)").format(
        velocity=big(f.velocity), open=f.open_deals, average=big(f.average_won),
        win_rate=pct(f.win_rate), cycle=num(f.cycle_days, 0)), markup=False)


# The weekly review in three pieces, which the command writes one after the other:
# the heading, the reps' sections (on a large team, part of them written by another
# process), and the end (the team's section, the waivers and the leaderboard)


@buffered
def review_head(con: Console, today, since, period: str) -> None:
    con.print(Text(_("Weekly review {today} (moves since {since}, period {period})").format(
        today=formats.day(today), since=formats.day(since), period=formats.period(period)),
        style="bold"))


@buffered
def review_sections(con: Console, sections: list[Section], p: Pipeline, since) -> None:
    for s in sections:
        rep_section(con, s, p, since)


LEADER_HEADS = (N_("signed"), N_("target"), N_("amount"), N_("target amount"))


@buffered
def review_end(con: Console, team: Section | None, waivers: list[dict],
               leaders: list[Leader], p: Pipeline, since, period: str) -> None:
    """The team's section (none for a review of one rep), the waivers, the leaderboard."""
    if team is not None:
        rep_section(con, team, p, since)
    if waivers:
        names = id_names(p)
        con.print(Text(_("Waivers (forced moves):"), style="bold"))
        for w in waivers:
            con.print(f"  {formats.day(w['date'])} {safe(w['deal'])} ({safe(w['owner'])}) -> "
                      f"{safe(names.get(w['stage'], w['stage']))}: {safe(str(w['reason']))} "
                      + _("[waived: {items}]").format(
                          items=", ".join(map(safe, waived_names(w["waived"], p)))),
                      markup=False)
    cols = [Col("#", "right"), Col(_("owner")), *(Col(_(h), "right") for h in LEADER_HEADS)]
    con.lines(table(cols, [[str(i), safe(x.owner), str(x.won_deals),
                            "-" if x.target_deals is None else f"{x.target_deals:g}",
                            money(x.won_amount),
                            "-" if x.target_amount is None else money(x.target_amount)]
                           for i, x in enumerate(leaders, 1)], con.width,
                    title=_("Leaderboard {period}").format(period=formats.period(period))))
