"""The rhythm's views as text (rich, through ``render.safe``) and Markdown (through
``render.safe.md``): the day, the month, the losses and the daily target tracking.
Each takes what the analysis returned; none computes a figure of its own."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from funnelctl.analysis.day import NEXT_STEP, ActionItem, Day, PlannedItem, RepDay
from funnelctl.analysis.month import Daily, DailyRow, Losses, MonthReport, MonthSection, Tally
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import Col, buffered, rule, table, wrapped
from funnelctl.render.rep import money
from funnelctl.render.safe import md, safe
from funnelctl.render.views import pct, target


def _days(n: float, what: str = "day") -> str:
    return f"{n:g} {what}{'' if n == 1 else 's'}"


def _span(a, b) -> str:
    return str(a) if a == b else f"{a} .. {b}"


def _num(x: float | None) -> str:
    """A count of deals to one decimal, without a trailing .0 (8, 6.5)."""
    if x is None:
        return "-"
    text = f"{x:,.1f}"
    return text[:-2] if text.endswith(".0") else text


# -- the day ---------------------------------------------------------------------------


def _visits(r: RepDay) -> str:
    n = len(r.yesterday)
    return f"{_days(n, 'visit')}" + (f" of {r.quota}" if r.quota is not None else "")


def _moved_text(a: ActionItem) -> tuple[str, str]:
    """What the action's day moved, in words, and its style."""
    if a.moved:
        return "moved: " + ", ".join(a.progress), "green"
    return "no move" + (" (declared moved)" if a.declared else ""), "yellow"


def _plan_text(x: PlannedItem) -> str:
    return f"{safe(x.goal)}" if x.kind == NEXT_STEP else f"{safe(x.kind)}: {safe(x.goal)}"


@buffered
def day(con: Console, d: Day) -> None:
    w = d.windows
    head = Text(f"Day {w.day} ({w.day:%a})", style="bold")
    head.append(f"  yesterday {_span(*w.yesterday)} · tomorrow {_span(*w.tomorrow)}", style="")
    if d.quota is not None:
        head.append(f" · quota {_days(d.quota, 'visit')} a working day", style="")
    con.print(head)
    for r in d.reps:
        con.lines([rule(r.owner, con.width)])
        con.print(Text(f"Yesterday ({_visits(r)}):", style="bold"))
        if not r.yesterday:
            con.print(Text("  nothing logged", style="red"))
        for a in r.yesterday:
            con.lines(_action_lines(a, con.width, w.yesterday[0] != w.yesterday[1]))
        con.print(Text("Today:", style="bold"))
        today_items = [*r.due, *r.missed, *r.planned_today]
        if not today_items and not r.done_today:
            con.print("  nothing due or planned", markup=False)
        for x in r.due:
            when = f"{x.days_late}d late" if x.days_late else "due"
            line = Text(f"  {when:<9} ", style="red" if x.days_late else "")
            line.append(f"{safe(x.deal)} ({safe(x.account)}): next step: {safe(x.goal)}",
                        style="")
            con.lines(wrapped(line, con.width))
        for x in r.missed:
            line = Text(f"  {'missed':<9} ", style="red")
            line.append(f"{safe(x.deal)} ({safe(x.account)}): {_plan_text(x)} "
                        f"(planned {x.date})", style="")
            con.lines(wrapped(line, con.width))
        for x in r.planned_today:
            line = Text(f"  {'planned':<9} {safe(x.deal)} ({safe(x.account)}): "
                        f"{_plan_text(x)}")
            con.lines(wrapped(line, con.width))
        for a in r.done_today:
            con.lines(_action_lines(a, con.width, False, "  done      "))
        con.print(Text(f"Tomorrow ({_span(*w.tomorrow)}):", style="bold"))
        if not r.tomorrow:
            con.print(Text("  nothing planned", style="red"))
        for x in r.tomorrow:
            kind = "next step" if x.kind == NEXT_STEP else safe(x.kind)
            date = f"{x.date} " if w.tomorrow[0] != w.tomorrow[1] else ""
            con.lines(wrapped(Text(f"  {date}{kind}: {safe(x.deal)} ({safe(x.account)}): "
                                   f"{safe(x.goal)}"), con.width))
        week = Text(f"This week: {_days(r.week_actions, 'action')}, "
                    f"{r.week_moved} on a day the customer moved")
        if r.moved_nothing:
            week.stylize("yellow")
        con.print(week)
    con.lines([rule("roll call", con.width)])
    _roll_call(con, d)


def _action_lines(a: ActionItem, width: int, dated: bool, lead: str = "  ") -> list:
    what, style = _moved_text(a)
    line = Text(lead + (f"{a.date} " if dated else ""))
    line.append(f"{safe(a.kind)} {safe(a.deal)} ({safe(a.account)}): {safe(a.goal)} -> "
                f"{safe(a.result) or '(no result)'} · ")
    line.append(what, style=style)
    return wrapped(line, width)


def _roll_call(con, d: Day) -> None:
    rc = d.roll_call
    rows = [("logged nothing yesterday", ", ".join(map(safe, rc.logged_nothing))),
            ("planned nothing for tomorrow", ", ".join(map(safe, rc.planned_nothing))),
            ("visits moved nothing this week",
             ", ".join(f"{safe(o)} ({_days(n, 'action')})" for o, n in rc.moved_nothing))]
    if d.quota is not None:
        rows.append((f"under the quota of {d.quota} yesterday",
                     ", ".join(f"{safe(o)} ({n})" for o, n in rc.under_quota)))
    for label, names in rows:
        line = Text(f"  {label}: ", style="bold")
        line.append(names or "none", style="red" if names else "green")
        con.lines(wrapped(line, con.width))


def day_md(d: Day) -> str:
    w = d.windows
    out = [f"# Day {w.day} ({w.day:%a})", "",
           f"Yesterday {_span(*w.yesterday)} · tomorrow {_span(*w.tomorrow)}"
           + (f" · quota {_days(d.quota, 'visit')} a working day" if d.quota is not None
              else ""), ""]
    for r in d.reps:
        out += [f"## {md(r.owner)}", "", f"**Yesterday** ({_visits(r)})", ""]
        out += [_action_md(a, w.yesterday[0] != w.yesterday[1]) for a in r.yesterday] \
            or ["- nothing logged"]
        out += ["", "**Today**", ""]
        today = [f"- next step {'due' if not x.days_late else f'{x.days_late}d late'}: "
                 f"**{md(x.deal)}** ({md(x.account)}): {md(x.goal)}" for x in r.due]
        today += [f"- missed (planned {x.date}): **{md(x.deal)}** ({md(x.account)}): "
                  f"{md(x.kind)}: {md(x.goal)}" for x in r.missed]
        today += [f"- planned: **{md(x.deal)}** ({md(x.account)}): {md(x.kind)}: "
                  f"{md(x.goal)}" for x in r.planned_today]
        today += [_action_md(a, False, "done: ") for a in r.done_today]
        out += today or ["- nothing due or planned"]
        out += ["", f"**Tomorrow** ({_span(*w.tomorrow)})", ""]
        out += [f"- {x.date if w.tomorrow[0] != w.tomorrow[1] else ''}"
                f"{' ' if w.tomorrow[0] != w.tomorrow[1] else ''}"
                f"{'next step' if x.kind == NEXT_STEP else md(x.kind)}: **{md(x.deal)}** "
                f"({md(x.account)}): {md(x.goal)}" for x in r.tomorrow] \
            or ["- nothing planned"]
        out += ["", f"This week: {_days(r.week_actions, 'action')}, {r.week_moved} on a day "
                    f"the customer moved.", ""]
    rc = d.roll_call
    out += ["## Roll call", "",
            f"- logged nothing yesterday: {', '.join(map(md, rc.logged_nothing)) or 'none'}",
            f"- planned nothing for tomorrow: {', '.join(map(md, rc.planned_nothing)) or 'none'}",
            "- visits moved nothing this week: "
            + (", ".join(f"{md(o)} ({_days(n, 'action')})" for o, n in rc.moved_nothing)
               or "none")]
    if d.quota is not None:
        out.append(f"- under the quota of {d.quota} yesterday: "
                   + (", ".join(f"{md(o)} ({n})" for o, n in rc.under_quota) or "none"))
    return "\n".join(out) + "\n"


def _action_md(a: ActionItem, dated: bool, lead: str = "") -> str:
    what, _ = _moved_text(a)
    return (f"- {lead}{f'{a.date} ' if dated else ''}{md(a.kind)} **{md(a.deal)}** "
            f"({md(a.account)}): {md(a.goal)} → {md(a.result) or '(no result)'}: "
            f"*{md(what)}*")


# -- losses ----------------------------------------------------------------------------


def _tally_rows(ts: list[Tally]) -> list[list]:
    return [[safe(t.label), str(t.count), money(t.amount)] for t in ts]


def _losses_lines(con, x: Losses, title: str | None = None) -> None:
    if title:
        con.lines([rule(title, con.width)])
    if not x.count:
        con.print("No deal lost.", markup=False)
        return
    con.print(Text(f"{_days(x.count, 'deal')} lost, {money(x.amount)}", style="bold"))
    for head, ts in (("lost at", x.by_stage), ("reason", x.by_reason),
                     ("competitor", x.competitors)):
        if ts:
            con.lines(table([Col(head, max_width=30), Col("deals", "right"),
                             Col("amount", "right")], _tally_rows(ts), con.width))
    owners = len({d.owner for d in x.deals}) > 1
    cols = [Col("date"), Col("deal", max_width=30),
            *([Col("owner", max_width=14)] if owners else []), Col("lost at", max_width=16),
            Col("reason", max_width=16), Col("competitor", max_width=20),
            Col("amount", "right")]
    con.lines(table(cols, [[str(d.of.outcome_date), safe(d.deal),
                            *([safe(d.owner)] if owners else []), safe(d.stage),
                            safe(d.of.lost_reason or "-"), safe(d.of.competitor or ""),
                            money(d.amount)] for d in x.deals], con.width))


@buffered
def losses(con: Console, span: str, reps: dict[str, Losses], team: Losses | None) -> None:
    con.print(Text(f"Losses {span}", style="bold"))
    for owner, x in reps.items():
        _losses_lines(con, x, owner)
    if team is not None:
        _losses_lines(con, team, "team")


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table; every cell is data and escaped here."""
    return ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|",
            *("| " + " | ".join(md(str(c)) for c in r) + " |" for r in rows)]


def _losses_md(x: Losses, level: str = "###") -> list[str]:
    if not x.count:
        return ["No deal lost.", ""]
    out = [f"{_days(x.count, 'deal')} lost, {money(x.amount)}.", ""]
    for head, ts in (("lost at", x.by_stage), ("reason", x.by_reason),
                     ("competitor", x.competitors)):
        if ts:
            out += _md_table([head, "deals", "amount"],
                             [[t.label, str(t.count), money(t.amount)] for t in ts]) + [""]
    out += [f"{level} Deals lost", ""]
    out += [f"- {d.of.outcome_date} **{md(d.deal)}** ({md(d.account)}, {md(d.owner)}, "
            f"{money(d.amount)}) at {md(d.stage)}: {md(d.of.lost_reason or '-')}"
            + (f", to {md(d.of.competitor)}" if d.of.competitor else "") for d in x.deals]
    return [*out, ""]


def losses_md(span: str, reps: dict[str, Losses], team: Losses | None) -> str:
    out = [f"# Losses {span}", ""]
    for owner, x in reps.items():
        out += [f"## {md(owner)}", "", *_losses_md(x)]
    if team is not None:
        out += ["## team", "", *_losses_md(team)]
    return "\n".join(out)


# -- the month -------------------------------------------------------------------------

KPI_LABELS = {"win_rate": "win rate", "average_won": "average won deal",
              "cycle_days": "cycle days", "inflow": "inflow (deals)"}


def _kpi(name: str, x: float | None, change: bool = False) -> str:
    if x is None:
        return "-"
    sign = "+" if change and x > 0 else ""
    if name == "win_rate":
        return f"{sign}{x * 100:.0f} pts" if change else pct(x)
    if name == "average_won":
        return f"{sign}{x:,.0f}"
    return sign + _num(x)  # days and deals: one decimal at most


def _signed(s: MonthSection) -> str:
    if s.target_deals is not None:
        deals = f"signed {s.signed} of {_days(s.target_deals, 'deal')}"
    else:
        deals = f"signed {_days(s.signed, 'deal')}"
    amount = f"{money(s.signed_amount)}" + (f" of {money(s.target_amount)}"
                                            if s.target_amount is not None else "")
    return f"{deals} · {amount}" + ("" if s.target_deals is not None
                                    or s.target_amount is not None else " (no target)")


def _moves(s: MonthSection, p: Pipeline) -> tuple[str, str]:
    m = s.movement
    kinds = f"{m.inflow} new, {m.advanced} advanced, {m.regressed} regressed, " \
            f"{m.won} won, {m.lost} lost"
    entered = " · ".join(f"{p.label(k)} {n}" for k, n in m.entered.items())
    return kinds, entered


@buffered
def month_section(con: Console, s: MonthSection, p: Pipeline) -> None:
    con.lines([rule(s.owner, con.width)])
    con.print(Text(_signed(s), style="bold"))
    kinds, entered = _moves(s, p)
    con.print(Text("Movement: ", style="bold").append(kinds, style=""))
    con.lines(wrapped(Text(f"  entered: {safe(entered)}"), con.width))
    con.print(Text("Losses:", style="bold"))
    if not s.losses.count:
        con.print("  none", markup=False)
    else:
        x = s.losses
        con.print(f"  {_days(x.count, 'deal')}, {money(x.amount)}", markup=False)
        for head, ts in (("lost at", x.by_stage), ("by reason", x.by_reason),
                         ("competitors", x.competitors)):
            if ts:
                con.lines(wrapped(Text(f"  {head}: " + ", ".join(
                    f"{safe(t.label)} {t.count} ({money(t.amount)})" for t in ts)), con.width))
    ch = s.changes
    con.lines(table([Col("KPI"), Col(s.kpis.period, "right"), Col(s.previous.period, "right"),
                     Col("change", "right")],
                    [[KPI_LABELS[k], _kpi(k, v["this"]), _kpi(k, v["previous"]),
                      _kpi(k, v["change"], True)] for k, v in ch.items()], con.width))
    nxt = s.next_period
    if s.next_target_deals is None and s.next_target_amount is None:
        con.print(f"Next month {nxt}: no target in stages.yaml "
                  f"(funnelctl target set --period {nxt} N)", markup=False)
        return
    what = " · ".join(x for x in (
        _days(s.next_target_deals, "deal") if s.next_target_deals is not None else "",
        money(s.next_target_amount) if s.next_target_amount is not None else "") if x)
    if s.next_plan is None:
        con.print(f"Next month {nxt}: target {what}", markup=False)
        return
    target(con, s.next_plan, p, title=f"Next month {nxt}: target {what}; the pipeline it "
                                      f"needs now")


@buffered
def month(con: Console, r: MonthReport, p: Pipeline) -> None:
    con.print(Text(f"Month {r.period} (KPIs against {r.previous}; plan for {r.next})",
                   style="bold"))
    for s in r.reps:
        month_section(con, s, p)
    if r.team is not None:
        month_section(con, r.team, p)


def _month_md(s: MonthSection, p: Pipeline) -> list[str]:
    kinds, entered = _moves(s, p)
    out = [f"## {md(s.owner)}", "", f"- **{_signed(s)}**", f"- movement: {kinds}",
           f"- entered: {md(entered)}", ""]
    out += ["### Losses", "", *_losses_md(s.losses, "####")]
    out += ["### KPIs", ""]
    out += _md_table(["KPI", s.kpis.period, s.previous.period, "change"],
                     [[KPI_LABELS[k], _kpi(k, v["this"]), _kpi(k, v["previous"]),
                       _kpi(k, v["change"], True)] for k, v in s.changes.items()])
    nxt = s.next_period
    out += ["", f"### Next month {nxt}", ""]
    if s.next_target_deals is None and s.next_target_amount is None:
        return [*out, "No target in stages.yaml.", ""]
    what = " · ".join(x for x in (
        _days(s.next_target_deals, "deal") if s.next_target_deals is not None else "",
        money(s.next_target_amount) if s.next_target_amount is not None else "") if x)
    out += [f"Target {what}.", ""]
    if s.next_plan is not None:
        plan = s.next_plan
        out += _md_table(["stage", "required", "held", "gap"],
                         [[r.label, f"{r.required:.1f}", str(r.actual), f"{r.gap:+.1f}"]
                          for r in plan.rows])
        if plan.blocking:
            row = next(x for x in plan.rows if x.stage == plan.blocking)
            out += ["", f"Blocked at {md(row.label)}: {row.gap:.1f} deals short."]
        else:
            out += ["", "Every stage holds what the target needs."]
    return [*out, ""]


def month_md(r: MonthReport, p: Pipeline) -> str:
    out = [f"# Month {r.period}", "", f"KPIs against {r.previous}; plan for {r.next}.", ""]
    for s in r.reps:
        out += _month_md(s, p)
    if r.team is not None:
        out += _month_md(r.team, p)
    return "\n".join(out)


# -- daily target tracking ---------------------------------------------------------------


def _gap(x: float | None, digits: int = 1) -> Text:
    if x is None:
        return Text("-")
    text = f"{x:+,.{digits}f}"
    return Text(text, style="red" if x > 1e-9 else "green")


def _phase_line(d: Daily) -> str:
    if d.third is None:
        return "the period is over" if d.worked == d.working_days else \
            "the period has not started"
    return f"{d.third} third of the month: {d.advice}"


def _focus(d: Daily, row: DailyRow) -> str:
    """What the month's phase asks of one target, in words (data: the caller makes it
    safe)."""
    f = row.focus
    if d.phase is None:
        return ""
    if f.remaining is not None and f.remaining <= 1e-9:
        return "target reached"
    rest = f"{f.remaining:g} to sign" if f.remaining is not None else "the rest to sign"
    if d.phase == "build":
        if not f.short:
            return f"{rest}: the funnel holds what it needs"
        return f"{rest}: short " + ", ".join(f"{g:.1f} at {label}" for _, label, g in f.short)
    if d.phase == "split":
        return f"{rest} from " + ", ".join(f"{n} in {label} ({money(a)})"
                                           for _, label, n, a in f.late)
    closing = ", ".join(x.id for x in f.closing[:6]) + (" …" if len(f.closing) > 6
                                                              else "")
    _, label, n, amount = f.late[-1]
    press = f"press {n} in {label} ({money(amount)})" if n else f"nothing in {label} yet"
    return f"{rest}: {press}" + (f"; closing by the month's end: {closing}" if closing else "")


@buffered
def daily(con: Console, d: Daily, p: Pipeline) -> None:
    con.print(Text(f"Targets {d.period} on {d.today}: {d.worked} of {d.working_days} "
                   f"working days gone ({d.pace:.0%})", style="bold"))
    con.print(Text(_phase_line(d), style="bold magenta"))
    if not d.rows:
        return
    rows = []
    for r in d.rows:
        pr = r.progress
        rows.append([safe(pr.owner), _num(pr.target_deals), _num(r.due_deals),
                     str(pr.won_deals), _gap(r.gap_deals),
                     "-" if pr.target_amount is None else money(pr.target_amount),
                     "-" if r.due_amount is None else money(r.due_amount),
                     money(pr.won_amount), _gap(r.gap_amount, 0)])
    con.lines(table([Col("owner", max_width=20), *(Col(h, "right") for h in (
        "target", "due", "signed", "gap", "amount", "due", "signed", "gap"))], rows,
        con.width, caption="due: at an even pace over the working days; gap = due - signed "
                           "(+ behind, - ahead)"))
    if d.phase is None:
        return
    con.print(Text(f"To {d.advice}:", style="bold"))
    for r in d.rows:
        con.lines(wrapped(Text(f"  {safe(r.progress.owner)}: {safe(_focus(d, r))}"),
                          con.width))


def daily_md(d: Daily, p: Pipeline) -> str:
    out = [f"# Targets {d.period} on {d.today}", "",
           f"{d.worked} of {d.working_days} working days gone ({d.pace:.0%}); "
           f"{_phase_line(d)}.", ""]
    if d.rows:
        out += _md_table(["owner", "target", "due", "signed", "gap", "amount", "due amount",
                          "signed amount", "gap amount"],
                         [[r.progress.owner, _num(r.progress.target_deals), _num(r.due_deals),
                           str(r.progress.won_deals), _gap(r.gap_deals).plain,
                           "-" if r.progress.target_amount is None
                           else money(r.progress.target_amount),
                           "-" if r.due_amount is None else money(r.due_amount),
                           money(r.progress.won_amount), _gap(r.gap_amount, 0).plain]
                          for r in d.rows])
        out.append("")
        if d.phase is not None:
            out += [f"To {d.advice}:", ""]
            out += [f"- {md(r.progress.owner)}: {md(_focus(d, r))}" for r in d.rows]
            out.append("")
    return "\n".join(out)
