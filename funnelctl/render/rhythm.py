"""The rhythm's views as text (rich, through ``render.safe``) and Markdown (through
``render.safe.md``): the day, the month, the losses and the daily target tracking.
Each takes what the analysis returned; none computes a figure of its own."""

from __future__ import annotations

import math
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from funnelctl import i18n
from funnelctl.analysis.day import NEXT_STEP, ActionItem, Day, Move, PlannedItem, RepDay
from funnelctl.analysis.month import (
    NO_COMPETITOR,
    Daily,
    DailyRow,
    Losses,
    MonthReport,
    MonthSection,
    Tally,
)
from funnelctl.i18n import N_, _, formats, nformat, ngettext, pgettext
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import Col, buffered, rule, table, wrapped
from funnelctl.render.safe import md, safe
from funnelctl.render.views import pct, target

money = formats.money


def _k(n: float) -> int:
    """The count a plural form is chosen by, for a figure that may be a float (a
    target of 2.5 deals): 1 for one, else 2."""
    return 1 if n == 1 else 2


def _span(a, b) -> str:
    if a == b:
        return formats.day(a)
    return _("{start} .. {end}").format(start=formats.day(a), end=formats.day(b))


def _num(x: float | None) -> str:
    """A count of deals to one decimal, without a trailing .0 (8, 6.5)."""
    if x is None:
        return "-"
    text = f"{x:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` screen cells (a Chinese character takes two)."""
    return text + " " * max(0, width - cell_len(text))


def _none() -> str:
    return _("none")


# -- the names of stages.yaml's items in the active language ---------------------------


def stage_name(p: Pipeline | None, stage_id: str) -> str:
    """What a stage (or the won or lost outcome) is called in the active language;
    an id stages.yaml no longer has is shown as it is."""
    if p is None:
        return stage_id
    if stage_id == p.won.id:
        return i18n.label(p.won)
    if stage_id == p.lost.id:
        return i18n.label(p.lost)
    s = p.stage(stage_id)
    return i18n.label(s) if s is not None else stage_id


def kind_name(p: Pipeline | None, kind: str) -> str:
    """What an action kind is called in the active language."""
    if p is not None:
        for k in p.action_kinds:
            if (k if isinstance(k, str) else k.id) == kind:
                return i18n.label(k)
    return kind


def term(p: Pipeline | None, item_id: str, what: str = "stage") -> str:
    """An id of stages.yaml where English prints the short id (a stage, milestone,
    ladder or loss reason in a sentence): English keeps it, another language names
    the item, since an id is an English word to its reader."""
    if p is None or i18n.current() == i18n.DEFAULT:
        return item_id
    if what == "stage":
        return stage_name(p, item_id)
    item: Any = None
    if what == "milestone":
        item = next((m for s in p.stages for m in s.milestones if m.id == item_id), None)
    elif what == "ladder":
        item = p.ladder(item_id)
    elif what == "reason":
        item = p.loss_reason(item_id)
    return i18n.label(item) if item is not None else item_id


def _about(deal: str, account: str) -> str:
    """A deal and its account: data, made safe (or escaped) by the caller."""
    return _("{deal} ({account})").format(deal=deal, account=account)


# -- the day ---------------------------------------------------------------------------


def _visits(r: RepDay) -> str:
    n = len(r.yesterday)
    if r.quota is not None:
        return nformat("{n} visit of {quota}", "{n} visits of {quota}", n, quota=r.quota)
    return nformat("{n} visit", "{n} visits", n)


def _move(m: Move, p: Pipeline | None) -> str:
    if m.what == "signed":
        return _("signed")
    if m.what == "entered":
        return _("entered {stage}").format(stage=term(p, m.item, "stage"))
    if m.what == "ticked":
        return _("ticked {milestone}").format(milestone=term(p, m.item, "milestone"))
    return f"{term(p, m.item, 'ladder')} {m.level}"


def _moved_text(a: ActionItem, p: Pipeline | None) -> tuple[str, str]:
    """What the action's day moved, in words, and its style."""
    if a.moved:
        return _("moved: {moves}").format(moves=", ".join(_move(m, p) for m in a.moves)), \
            "green"
    return (_("no move (declared moved)") if a.declared else _("no move")), "yellow"


def _kind(x: PlannedItem, p: Pipeline | None) -> str:
    """A plan's kind, or "next step" (data: the caller makes it safe)."""
    return _("next step") if x.kind == NEXT_STEP else kind_name(p, x.kind)


def _plan_text(x: PlannedItem, p: Pipeline | None) -> str:
    if x.kind == NEXT_STEP:
        return safe(x.goal)
    return _("{kind}: {goal}").format(kind=safe(kind_name(p, x.kind)), goal=safe(x.goal))


def _head(d: Day, markdown: bool = False) -> tuple[str, str]:
    """The day's title and what follows it: the spans of yesterday and tomorrow, the
    quota (a sentence of its own in Markdown)."""
    w = d.windows
    title = _("Day {day} ({weekday})").format(day=formats.day(w.day),
                                               weekday=formats.weekday(w.day))
    spans = {"yesterday": _span(*w.yesterday), "tomorrow": _span(*w.tomorrow)}
    rest = (_("Yesterday {yesterday} · tomorrow {tomorrow}") if markdown
            else _("yesterday {yesterday} · tomorrow {tomorrow}")).format(**spans)
    if d.quota is not None:
        rest += " · " + nformat("quota {n} visit a working day",
                                "quota {n} visits a working day", d.quota)
    return title, rest


def _week(r: RepDay, markdown: bool = False) -> str:
    if markdown:
        return nformat("This week: {n} action, {moved} on a day the customer moved.",
                       "This week: {n} actions, {moved} on a day the customer moved.",
                       r.week_actions, moved=r.week_moved)
    return nformat("This week: {n} action, {moved} on a day the customer moved",
                   "This week: {n} actions, {moved} on a day the customer moved",
                   r.week_actions, moved=r.week_moved)


@buffered
def day(con: Console, d: Day) -> None:
    w = d.windows
    p = d.pipeline
    title, rest = _head(d)
    head = Text(title, style="bold")
    head.append(f"  {rest}", style="")
    con.print(head)
    several = w.tomorrow[0] != w.tomorrow[1]
    due_word, missed_word = pgettext("next step", "due"), _("missed")
    planned_word = _("planned")
    done_lead = "  " + _pad(_("done"), 9) + " "
    for r in d.reps:
        con.lines([rule(r.owner, con.width)])
        con.print(Text(_("Yesterday ({visits}):").format(visits=_visits(r)), style="bold"))
        if not r.yesterday:
            con.print(Text("  " + _("nothing logged"), style="red"))
        for a in r.yesterday:
            con.lines(_action_lines(a, p, con.width, w.yesterday[0] != w.yesterday[1]))
        con.print(Text(_("Today:"), style="bold"))
        today_items = [*r.due, *r.missed, *r.planned_today]
        if not today_items and not r.done_today:
            con.print("  " + _("nothing due or planned"), markup=False)
        for x in r.due:
            when = _("{n}d late").format(n=x.days_late) if x.days_late else due_word
            line = Text(f"  {_pad(when, 9)} ", style="red" if x.days_late else "")
            line.append(_("{about}: next step: {goal}").format(
                about=_about(safe(x.deal), safe(x.account)), goal=safe(x.goal)), style="")
            con.lines(wrapped(line, con.width))
        for x in r.missed:
            line = Text(f"  {_pad(missed_word, 9)} ", style="red")
            line.append(_("{about}: {plan} (planned {date})").format(
                about=_about(safe(x.deal), safe(x.account)), plan=_plan_text(x, p),
                date=formats.day(x.date)), style="")
            con.lines(wrapped(line, con.width))
        for x in r.planned_today:
            line = Text(f"  {_pad(planned_word, 9)} " + _("{about}: {plan}").format(
                about=_about(safe(x.deal), safe(x.account)), plan=_plan_text(x, p)))
            con.lines(wrapped(line, con.width))
        for a in r.done_today:
            con.lines(_action_lines(a, p, con.width, False, done_lead))
        con.print(Text(_("Tomorrow ({span}):").format(span=_span(*w.tomorrow)), style="bold"))
        if not r.tomorrow:
            con.print(Text("  " + _("nothing planned"), style="red"))
        for x in r.tomorrow:
            date = f"{formats.day(x.date)} " if several else ""
            con.lines(wrapped(Text("  " + date + _("{kind}: {about}: {goal}").format(
                kind=safe(_kind(x, p)), about=_about(safe(x.deal), safe(x.account)),
                goal=safe(x.goal))), con.width))
        week = Text(_week(r))
        if r.moved_nothing:
            week.stylize("yellow")
        con.print(week)
    con.lines([rule(_("roll call"), con.width)])
    _roll_call(con, d)


def _action_text(a: ActionItem, p: Pipeline | None, esc, arrow: str) -> str:
    return _("{kind} {about}: {goal} {arrow} {result}").format(
        kind=esc(kind_name(p, a.kind)), about=_about(esc(a.deal), esc(a.account)),
        goal=esc(a.goal), arrow=arrow, result=esc(a.result) or _("(no result)"))


def _action_lines(a: ActionItem, p: Pipeline | None, width: int, dated: bool,
                  lead: str = "  ") -> list:
    what, style = _moved_text(a, p)
    line = Text(lead + (f"{formats.day(a.date)} " if dated else ""))
    line.append(_action_text(a, p, safe, "->") + " · ")
    line.append(what, style=style)
    return wrapped(line, width)


def _roll_rows(d: Day, esc) -> list[tuple[str, str]]:
    """The roll call: what each line asks, and the reps it names ('' for none)."""
    rc = d.roll_call
    rows = [(_("logged nothing yesterday"), ", ".join(map(esc, rc.logged_nothing))),
            (_("planned nothing for tomorrow"), ", ".join(map(esc, rc.planned_nothing))),
            (_("visits moved nothing this week"),
             ", ".join(nformat("{name} ({n} action)", "{name} ({n} actions)", n, name=esc(o))
                       for o, n in rc.moved_nothing))]
    if d.quota is not None:
        rows.append((_("under the quota of {quota} yesterday").format(quota=d.quota),
                     ", ".join(_("{name} ({n})").format(name=esc(o), n=n)
                               for o, n in rc.under_quota)))
    return rows


def _roll_call(con, d: Day) -> None:
    for label, names in _roll_rows(d, safe):
        line = Text("  " + _("{label}: ").format(label=label), style="bold")
        line.append(names or _none(), style="red" if names else "green")
        con.lines(wrapped(line, con.width))


def day_md(d: Day) -> str:
    w = d.windows
    p = d.pipeline
    title, rest = _head(d, markdown=True)
    several = w.tomorrow[0] != w.tomorrow[1]
    out = ["# " + title, "", rest, ""]
    for r in d.reps:
        out += [f"## {md(r.owner)}", "",
                _("**Yesterday** ({visits})").format(visits=_visits(r)), ""]
        out += [_action_md(a, p, w.yesterday[0] != w.yesterday[1]) for a in r.yesterday] \
            or ["- " + _("nothing logged")]
        out += ["", _("**Today**"), ""]
        today = [("- " + _("next step {when}: {about}: {goal}").format(
            when=_("{n}d late").format(n=x.days_late) if x.days_late
            else pgettext("next step", "due"),
            about=_about(f"**{md(x.deal)}**", md(x.account)), goal=md(x.goal)))
            for x in r.due]
        today += [("- " + _("missed (planned {date}): {about}: {kind}: {goal}").format(
            date=formats.day(x.date), about=_about(f"**{md(x.deal)}**", md(x.account)),
            kind=md(_kind(x, p)), goal=md(x.goal))) for x in r.missed]
        today += [("- " + _("planned: {about}: {kind}: {goal}").format(
            about=_about(f"**{md(x.deal)}**", md(x.account)), kind=md(_kind(x, p)),
            goal=md(x.goal))) for x in r.planned_today]
        today += [_action_md(a, p, False, _("done: ")) for a in r.done_today]
        out += today or ["- " + _("nothing due or planned")]
        out += ["", _("**Tomorrow** ({span})").format(span=_span(*w.tomorrow)), ""]
        out += [("- " + (f"{formats.day(x.date)} " if several else "")
                 + _("{kind}: {about}: {goal}").format(
                     kind=md(_kind(x, p)), about=_about(f"**{md(x.deal)}**", md(x.account)),
                     goal=md(x.goal))) for x in r.tomorrow] \
            or ["- " + _("nothing planned")]
        out += ["", _week(r, markdown=True), ""]
    out += ["## " + _("Roll call"), ""]
    out += ["- " + _("{label}: {items}").format(label=label, items=names or _none())
            for label, names in _roll_rows(d, md)]
    return "\n".join(out) + "\n"


def _action_md(a: ActionItem, p: Pipeline | None, dated: bool, lead: str = "") -> str:
    what, _style = _moved_text(a, p)
    text = _("{kind} {about}: {goal} {arrow} {result}").format(
        kind=md(kind_name(p, a.kind)), about=_about(f"**{md(a.deal)}**", md(a.account)),
        goal=md(a.goal), arrow="→", result=md(a.result) or _("(no result)"))
    text = _("{action}: {moved}").format(action=text, moved=f"*{md(what)}*")
    return f"- {lead}{f'{formats.day(a.date)} ' if dated else ''}{text}"


# -- losses ----------------------------------------------------------------------------

# the tallies of a loss, each headed by what it counts
LOSS_TALLIES = ((N_("lost at"), "by_stage"), (N_("reason"), "by_reason"),
                (N_("competitor"), "competitors"))


def _team_name(owner: str, team: bool = True) -> str:
    """The whole team's section is headed ``team`` in the language; a rep or a team
    of stages.yaml by its name."""
    return _("team") if team and owner == "team" else owner


def _periods(span: str) -> str:
    """A month (``2026-11``) or a span of months (``2026-09 .. 2026-11``) as the
    language writes it; a span the command wrote so already is kept."""
    if " .. " in span:
        a, b = span.split(" .. ", 1)
        return _("{start} .. {end}").format(start=formats.period(a), end=formats.period(b))
    return formats.period(span)


def _tally_name(t: Tally) -> str:
    """A stage or loss reason in the language; a competitor as named (data)."""
    if t.item is not None:
        return i18n.label(t.item)
    if t.key == NO_COMPETITOR:
        return _("(none named)")
    if t.key == "(none)":
        return _("(none)")
    return t.label


def _tally_rows(ts: list[Tally]) -> list[list]:
    return [[safe(_tally_name(t)), str(t.count), money(t.amount)] for t in ts]


def _losses_lines(con, x: Losses, title: str | None = None) -> None:
    if title:
        con.lines([rule(title, con.width)])
    if not x.count:
        con.print(_("No deal lost."), markup=False)
        return
    p = x.pipeline
    con.print(Text(nformat("{n} deal lost, {amount}", "{n} deals lost, {amount}", x.count,
                           amount=money(x.amount)), style="bold"))
    deals, amount = _("deals"), _("amount")
    for head, which in LOSS_TALLIES:
        ts = getattr(x, which)
        if ts:
            con.lines(table([Col(_(head), max_width=30), Col(deals, "right"),
                             Col(amount, "right")], _tally_rows(ts), con.width))
    owners = len({d.owner for d in x.deals}) > 1
    cols = [Col(_("date")), Col(_("deal"), max_width=30),
            *([Col(_("owner"), max_width=14)] if owners else []),
            Col(_("lost at"), max_width=16), Col(_("reason"), max_width=16),
            Col(_("competitor"), max_width=20), Col(amount, "right")]
    con.lines(table(cols, [[formats.day(d.of.outcome_date), safe(d.deal),
                            *([safe(d.owner)] if owners else []), safe(term(p, d.stage)),
                            safe(term(p, d.of.lost_reason, "reason") if d.of.lost_reason
                                 else "-"),
                            safe(d.of.competitor or ""), money(d.amount)] for d in x.deals],
                    con.width))


@buffered
def losses(con: Console, span: str, reps: dict[str, Losses], team: Losses | None) -> None:
    con.print(Text(_("Losses {span}").format(span=_periods(span)), style="bold"))
    for owner, x in reps.items():
        _losses_lines(con, x, owner)
    if team is not None:
        _losses_lines(con, team, _team_name("team"))


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table; every cell is data and escaped here."""
    return ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _h in head) + "|",
            *("| " + " | ".join(md(str(c)) for c in r) + " |" for r in rows)]


def _losses_md(x: Losses, level: str = "###") -> list[str]:
    if not x.count:
        return [_("No deal lost."), ""]
    p = x.pipeline
    out = [nformat("{n} deal lost, {amount}.", "{n} deals lost, {amount}.", x.count,
                   amount=money(x.amount)), ""]
    for head, which in LOSS_TALLIES:
        ts = getattr(x, which)
        if ts:
            out += _md_table([_(head), _("deals"), _("amount")],
                             [[_tally_name(t), str(t.count), money(t.amount)]
                              for t in ts]) + [""]
    out += [level + " " + _("Deals lost"), ""]
    for d in x.deals:
        line = _("{date} {deal} ({account}, {owner}, {amount}) at {stage}: {reason}").format(
            date=formats.day(d.of.outcome_date), deal=f"**{md(d.deal)}**",
            account=md(d.account), owner=md(d.owner), amount=money(d.amount),
            stage=md(term(p, d.stage)),
            reason=md(term(p, d.of.lost_reason, "reason") if d.of.lost_reason else "-"))
        if d.of.competitor:
            line = _("{text}, to {competitor}").format(text=line,
                                                       competitor=md(d.of.competitor))
        out.append("- " + line)
    return [*out, ""]


def losses_md(span: str, reps: dict[str, Losses], team: Losses | None) -> str:
    out = ["# " + _("Losses {span}").format(span=_periods(span)), ""]
    for owner, x in reps.items():
        out += [f"## {md(owner)}", "", *_losses_md(x)]
    if team is not None:
        out += ["## " + _team_name("team"), "", *_losses_md(team)]
    return "\n".join(out)


# -- the month -------------------------------------------------------------------------

KPI_LABELS = {"win_rate": N_("win rate"), "average_won": N_("average won deal"),
              "cycle_days": N_("cycle days"), "inflow": N_("inflow (deals)")}
# the tallies of a month's losses, in a line each
MONTH_LOSSES = ((N_("lost at"), "by_stage"), (N_("by reason"), "by_reason"),
                (N_("competitors"), "competitors"))


def _kpi(name: str, x: float | None, change: bool = False) -> str:
    if x is None:
        return "-"
    sign = "+" if change and x > 0 else ""
    if name == "win_rate":
        return _("{n} pts").format(n=f"{sign}{x * 100:.0f}") if change else pct(x)
    if name == "average_won":
        return sign + money(x)
    return sign + _num(x)  # days and deals: one decimal at most


def _deals(n: float) -> str:
    """A number of deals (a target's may have a decimal)."""
    return ngettext("{count} deal", "{count} deals", _k(n)).format(count=f"{n:g}")


def _signed(s: MonthSection) -> str:
    if s.target_deals is not None:
        deals = ngettext("signed {signed} of {n} deal", "signed {signed} of {n} deals",
                         _k(s.target_deals)).format(signed=s.signed, n=f"{s.target_deals:g}")
    else:
        deals = nformat("signed {n} deal", "signed {n} deals", s.signed)
    amount = money(s.signed_amount)
    if s.target_amount is not None:
        amount = _("{amount} of {target}").format(amount=amount, target=money(s.target_amount))
    text = f"{deals} · {amount}"
    if s.target_deals is None and s.target_amount is None:
        text = _("{text} (no target)").format(text=text)
    return text


def _moves(s: MonthSection, p: Pipeline) -> tuple[str, str]:
    m = s.movement
    kinds = _("{new} new, {advanced} advanced, {regressed} regressed, {won} won, "
              "{lost} lost").format(new=m.inflow, advanced=m.advanced, regressed=m.regressed,
                                    won=m.won, lost=m.lost)
    entered = " · ".join(f"{stage_name(p, k)} {n}" for k, n in m.entered.items())
    return kinds, entered


def _kpi_table(s: MonthSection) -> tuple[list[str], list[list[str]]]:
    head = [_("KPI"), formats.period(s.kpis.period), formats.period(s.previous.period),
            _("change")]
    return head, [[_(KPI_LABELS[k]), _kpi(k, v["this"]), _kpi(k, v["previous"]),
                   _kpi(k, v["change"], True)] for k, v in s.changes.items()]


def _next_target(s: MonthSection) -> str:
    return " · ".join(x for x in (
        _deals(s.next_target_deals) if s.next_target_deals is not None else "",
        money(s.next_target_amount) if s.next_target_amount is not None else "") if x)


@buffered
def month_section(con: Console, s: MonthSection, p: Pipeline) -> None:
    con.lines([rule(_team_name(s.owner, s.team), con.width)])
    con.print(Text(_signed(s), style="bold"))
    kinds, entered = _moves(s, p)
    con.print(Text(_("Movement: "), style="bold").append(kinds, style=""))
    con.lines(wrapped(Text("  " + _("entered: {stages}").format(stages=safe(entered))),
                      con.width))
    con.print(Text(_("Losses:"), style="bold"))
    if not s.losses.count:
        con.print("  " + _none(), markup=False)
    else:
        x = s.losses
        con.print("  " + nformat("{n} deal, {amount}", "{n} deals, {amount}", x.count,
                                 amount=money(x.amount)), markup=False)
        for head, which in MONTH_LOSSES:
            ts = getattr(x, which)
            if ts:
                items = ", ".join(_("{name} {count} ({amount})").format(
                    name=safe(_tally_name(t)), count=t.count, amount=money(t.amount))
                    for t in ts)
                con.lines(wrapped(Text("  " + _("{label}: {items}").format(
                    label=_(head), items=items)), con.width))
    head, rows = _kpi_table(s)
    con.lines(table([Col(head[0]), *(Col(h, "right") for h in head[1:])], rows, con.width))
    nxt = s.next_period
    if s.next_target_deals is None and s.next_target_amount is None:
        con.print(_("Next month {period}: no target in stages.yaml (funnelctl target set "
                    "--period {value} N)").format(period=formats.period(nxt), value=nxt),
                  markup=False)
        return
    what = _next_target(s)
    if s.next_plan is None:
        con.print(_("Next month {period}: target {what}").format(
            period=formats.period(nxt), what=what), markup=False)
        return
    target(con, s.next_plan, p, title=_("Next month {period}: target {what}; the pipeline "
                                        "it needs now").format(period=formats.period(nxt),
                                                               what=what))


@buffered
def month(con: Console, r: MonthReport, p: Pipeline) -> None:
    con.print(Text(_("Month {period} (KPIs against {previous}; plan for {next})").format(
        period=formats.period(r.period), previous=formats.period(r.previous),
        next=formats.period(r.next)), style="bold"))
    for s in r.reps:
        month_section(con, s, p)
    if r.team is not None:
        month_section(con, r.team, p)


def _month_md(s: MonthSection, p: Pipeline) -> list[str]:
    kinds, entered = _moves(s, p)
    out = [f"## {md(_team_name(s.owner, s.team))}", "", f"- **{_signed(s)}**",
           "- " + _("movement: {moves}").format(moves=kinds),
           "- " + _("entered: {stages}").format(stages=md(entered)), ""]
    out += ["### " + _("Losses"), "", *_losses_md(s.losses, "####")]
    out += ["### " + _("KPIs"), ""]
    out += _md_table(*_kpi_table(s))
    nxt = s.next_period
    out += ["", "### " + _("Next month {period}").format(period=formats.period(nxt)), ""]
    if s.next_target_deals is None and s.next_target_amount is None:
        return [*out, _("No target in stages.yaml."), ""]
    out += [_("Target {what}.").format(what=_next_target(s)), ""]
    if s.next_plan is not None:
        plan = s.next_plan
        out += _md_table([_("stage"), _("required"), _("held"), _("gap")],
                         [[stage_name(p, r.stage), f"{r.required:.1f}", str(r.actual),
                           f"{r.gap:+.1f}"] for r in plan.rows])
        if plan.blocking:
            row = next(x for x in plan.rows if x.stage == plan.blocking)
            out += ["", _("Blocked at {stage}: {gap} deals short.").format(
                stage=md(stage_name(p, row.stage)), gap=f"{row.gap:.1f}")]
        else:
            out += ["", _("Every stage holds what the target needs.")]
    return [*out, ""]


def month_md(r: MonthReport, p: Pipeline) -> str:
    out = ["# " + _("Month {period}").format(period=formats.period(r.period)), "",
           _("KPIs against {previous}; plan for {next}.").format(
               previous=formats.period(r.previous), next=formats.period(r.next)), ""]
    for s in r.reps:
        out += _month_md(s, p)
    if r.team is not None:
        out += _month_md(r.team, p)
    return "\n".join(out)


# -- daily target tracking ---------------------------------------------------------------

# the month's phase (analysis.month.THIRDS) in words, and what it asks of each target
PHASES = {"build": N_("first third of the month: build the funnel"),
          "split": N_("middle third of the month: split the deals"),
          "press": N_("last third of the month: press for signatures")}
PHASE_ASKS = {"build": N_("To build the funnel:"), "split": N_("To split the deals:"),
              "press": N_("To press for signatures:")}


def _gap(x: float | None, digits: int = 1) -> Text:
    if x is None:
        return Text("-")
    text = f"{x:+,.{digits}f}"
    return Text(text, style="red" if x > 1e-9 else "green")


def _gap_money(x: float | None) -> Text:
    """A gap in money, signed: ``+12,000`` / ``+1.2万``."""
    if x is None:
        return Text("-")
    sign = "-" if math.copysign(1.0, x) < 0 else "+"
    return Text(sign + money(abs(x)), style="red" if x > 1e-9 else "green")


def _phase_line(d: Daily) -> str:
    if d.third is None or d.phase not in PHASES:
        return _("the period is over") if d.worked == d.working_days else \
            _("the period has not started")
    return _(PHASES[d.phase])


def _focus(d: Daily, row: DailyRow, p: Pipeline) -> str:
    """What the month's phase asks of one target, in words (data: the caller makes it
    safe)."""
    f = row.focus
    if d.phase is None:
        return ""
    if f.remaining is not None and f.remaining <= 1e-9:
        return _("target reached")
    rest = _("{n} to sign").format(n=f"{f.remaining:g}") if f.remaining is not None \
        else _("the rest to sign")
    if d.phase == "build":
        if not f.short:
            return _("{rest}: the funnel holds what it needs").format(rest=rest)
        return _("{rest}: short {gaps}").format(rest=rest, gaps=", ".join(
            _("{n} at {stage}").format(n=f"{g:.1f}", stage=stage_name(p, sid))
            for sid, _label, g in f.short))
    if d.phase == "split":
        return _("{rest} from {stages}").format(rest=rest, stages=", ".join(
            _("{n} in {stage} ({amount})").format(n=n, stage=stage_name(p, sid),
                                                  amount=money(a))
            for sid, _label, n, a in f.late))
    closing = ", ".join(x.id for x in f.closing[:6]) + (" …" if len(f.closing) > 6
                                                              else "")
    sid, _label, n, amount = f.late[-1]
    stage = stage_name(p, sid)
    press = _("press {n} in {stage} ({amount})").format(n=n, stage=stage,
                                                       amount=money(amount)) if n \
        else _("nothing in {stage} yet").format(stage=stage)
    if closing:
        return _("{rest}: {press}; closing by the month's end: {closing}").format(
            rest=rest, press=press, closing=closing)
    return _("{rest}: {press}").format(rest=rest, press=press)


def _daily_title(d: Daily) -> tuple[str, str]:
    """The title (the period and the day) and the share of the month gone."""
    title = _("Targets {period} on {day}").format(period=formats.period(d.period),
                                                  day=formats.day(d.today))
    gone = _("{worked} of {total} working days gone ({pace})").format(
        worked=d.worked, total=d.working_days, pace=f"{d.pace:.0%}")
    return title, gone


@buffered
def daily(con: Console, d: Daily, p: Pipeline) -> None:
    title, gone = _daily_title(d)
    con.print(Text(_("{title}: {gone}").format(title=title, gone=gone), style="bold"))
    con.print(Text(_phase_line(d), style="bold magenta"))
    if not d.rows:
        return
    rows = []
    for r in d.rows:
        pr = r.progress
        rows.append([safe(_team_name(pr.owner)), _num(pr.target_deals), _num(r.due_deals),
                     str(pr.won_deals), _gap(r.gap_deals),
                     "-" if pr.target_amount is None else money(pr.target_amount),
                     "-" if r.due_amount is None else money(r.due_amount),
                     money(pr.won_amount), _gap_money(r.gap_amount)])
    due, signed, gap = _("due"), _("signed"), _("gap")
    con.lines(table([Col(_("owner"), max_width=20), *(Col(h, "right") for h in (
        _("target"), due, signed, gap, _("amount"), due, signed, gap))], rows,
        con.width, caption=_("due: at an even pace over the working days; gap = due - signed "
                             "(+ behind, - ahead)")))
    if d.phase is None:
        return
    con.print(Text(_(PHASE_ASKS[d.phase]), style="bold"))
    for r in d.rows:
        con.lines(wrapped(Text("  " + _("{label}: {items}").format(
            label=safe(_team_name(r.progress.owner)), items=safe(_focus(d, r, p)))),
            con.width))


def daily_md(d: Daily, p: Pipeline) -> str:
    title, gone = _daily_title(d)
    out = ["# " + title, "", _("{gone}; {phase}.").format(gone=gone, phase=_phase_line(d)), ""]
    if d.rows:
        out += _md_table([_("owner"), _("target"), _("due"), _("signed"), _("gap"),
                          _("amount"), _("due amount"), _("signed amount"), _("gap amount")],
                         [[_team_name(r.progress.owner), _num(r.progress.target_deals),
                           _num(r.due_deals),
                           str(r.progress.won_deals), _gap(r.gap_deals).plain,
                           "-" if r.progress.target_amount is None
                           else money(r.progress.target_amount),
                           "-" if r.due_amount is None else money(r.due_amount),
                           money(r.progress.won_amount), _gap_money(r.gap_amount).plain]
                          for r in d.rows])
        out.append("")
        if d.phase is not None:
            out += [_(PHASE_ASKS[d.phase]), ""]
            out += ["- " + _("{label}: {items}").format(label=md(_team_name(r.progress.owner)),
                                                        items=md(_focus(d, r, p)))
                    for r in d.rows]
            out.append("")
    return "\n".join(out)
