"""Rich renderings of the rep's views: a deal's road map, the deal list, the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from funnelctl import i18n
from funnelctl.analysis.currency import is_left_out
from funnelctl.analysis.plan import PLANNED_VISIT, Plan
from funnelctl.i18n import N_, _, formats, nformat, pgettext
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import Col, buffered, column_table, uncut, widest
from funnelctl.render.safe import safe, safe_text
from funnelctl.summary import Summary


def money(x: float) -> str:
    """A sum of money as the language writes it: ``1,200,000`` / ``120万``."""
    return formats.money(x)


def plain_money(x: float) -> str:
    """``1,200,000``: English's way, for a long column once the language is known."""
    return f"{x:,.0f}"


def money_of() -> Callable[[float], str]:
    """``money`` for the active language, chosen once for a long list: English's is
    ``plain_money``, without a question per row."""
    return plain_money if i18n.current() == i18n.DEFAULT else money


def deal_money(x: float) -> str:
    """One deal's amount: ``1,234,567`` / ``123.4567万`` (every digit: the rep needs the
    figure, not its size)."""
    return f"{x:,.0f}" if i18n.current() == i18n.DEFAULT else formats.money(x, exact=True)


def short_money(x: float) -> str:
    """911k, 1.11M (``91.1万``, ``111万``): for columns that must stay narrow."""
    if i18n.current() != i18n.DEFAULT:
        return formats.money(x)
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.0f}k"
    return f"{x:,.0f}"


def id_names(p: Pipeline | None, kind: str = "stage") -> dict[str, str]:
    """What a column or a line that names a stage (or an outcome, ``kind="reason"`` a
    loss reason, ``"kind"`` an action kind, ``"milestone"``, ``"ladder"``) by its id
    shows in the active language: in English the id, as ever (``lead``: an empty
    mapping, ``names.get(x, x)``); in another its label there (``线索确认``). Made once
    per view, looked up per row."""
    if p is None or i18n.current() == i18n.DEFAULT:
        return {}
    items: list = {"stage": lambda: [*p.stages, p.won, p.lost],
                   "reason": lambda: list(p.lost.reasons),
                   "kind": lambda: list(p.action_kinds),
                   "milestone": lambda: [m for st in p.stages for m in st.milestones],
                   "ladder": lambda: list(p.ladders)}[kind]()
    return {(x if isinstance(x, str) else x.id): i18n.label(x) for x in items}


def label_names(p: Pipeline | None, kind: str = "stage") -> dict[str, str]:
    """Ids of stages.yaml (as ``id_names``) to what a view calls them in every
    language: the label in the active language (``Lead confirmation``, ``线索确认``)."""
    if p is None:
        return {}
    items: list = {"stage": lambda: [*p.stages, p.won, p.lost],
                   "milestone": lambda: [m for st in p.stages for m in st.milestones],
                   "ladder": lambda: list(p.ladders)}[kind]()
    return {x.id: i18n.label(x) for x in items}


def status_words() -> dict[str, str]:
    """A deal's status as the language says it: open, won, lost (进行中, 赢单, 丢单)."""
    return {"open": pgettext("status", "open"), "won": pgettext("status", "won"),
            "lost": pgettext("status", "lost")}


def waived_names(items: list[str], p: Pipeline | None) -> list[str]:
    """What a forced move waived (milestone ids, ``need>=3``) as the language names
    them: as written in English, the milestones' and ladders' labels in another."""
    milestones, ladders = id_names(p, "milestone"), id_names(p, "ladder")
    if not milestones and not ladders:
        return items
    out = []
    for x in items:
        ladder, sep, need = x.partition(">=")
        out.append(f"{ladders.get(ladder, ladder)}>={need}" if sep else milestones.get(x, x))
    return out


def bar(level: int, top: int, width: int = 12) -> str:
    full = round(width * level / top) if top else 0
    return "█" * full + "░" * (width - full)


def _s(x: object) -> str:
    """A value of the deal's file (text, a number, a date) as safe text."""
    return safe(str(x))


def _day(x: object) -> str:
    """A date of the deal's file (a date, or its ISO text in JSON-ready data) as the
    language writes it; anything else as it is, made safe. English writes it as the
    file does."""
    if i18n.current() == i18n.DEFAULT:
        return _s(x)
    if isinstance(x, str):
        try:
            x = dt.date.fromisoformat(x)
        except ValueError:
            return safe(x)
    return formats.day(x) if isinstance(x, dt.date) else _s(x)


def _title(text: str, style: str | None = None) -> Text:
    """A table's title as ``Text`` (rich would read a string as markup), styled as rich
    styles a title."""
    return Text(text, style="table.title" if style is None else style)


def _table(title: Text, *headers: str) -> Table:
    t = Table(title=title, title_justify="left", box=None, pad_edge=False)
    for h in headers:
        t.add_column(h)
    return t


def show(con: Console, rm: dict[str, Any], problems: list[str],
         p: Pipeline | None = None) -> None:
    """One deal's road map (``analysis.roadmap``). With the pipeline ``p``, the ids of
    stages.yaml the deal's file holds (a loss reason, action kinds, the ladders a stage
    requires) are named in the language; without it, by their ids."""
    d = rm["deal"]
    der = rm["derived"]
    status = d["status"]
    stages, ladders = label_names(p), label_names(p, "ladder")
    milestone_names = label_names(p, "milestone")
    reasons, kinds = id_names(p, "reason"), id_names(p, "kind")
    head = Text()
    head.append(_s(d["id"]), style="bold")
    head.append(f"  {_s(d['account'])}: {_s(d['title'])}\n")
    head.append(_("owner {owner}   amount {amount} {currency}").format(
        owner=_s(d["owner"]), amount=deal_money(d["amount"]),
        currency=_s(d.get("currency") or "")))
    if der["currency"] != der["reporting_currency"]:  # and in the currency of every total
        head.append(f" ({deal_money(der['amount_converted'])} "
                    f"{_s(der['reporting_currency'])})"
                    if der["amount_converted"] is not None
                    else " " + _("(no rate in stages.yaml)"))
    head.append("   ")
    head.append(_("stage {label} ({id})").format(
        label=_s(stages.get(d["stage"], der["stage_label"])), id=_s(d["stage"])),
        style="bold")
    if status != "open":
        head.append("   " + (_(OUTCOME_HEAD[status]) if status in OUTCOME_HEAD
                             else _s(status).upper()),
                    style="green bold" if status == "won" else "red bold")
        out = d.get("outcome", {})
        if status == "lost":
            reason = out.get("reason")
            head.append(" (" + _s(reasons.get(reason, reason) if isinstance(reason, str)
                                  else reason)
                        + (_(", to {competitor}").format(competitor=_s(out["competitor"]))
                           if out.get("competitor") else "") + ")")
    else:
        head.append("   " + nformat("{n} day in stage", "{n} days in stage",
                                    der["days_in_stage"]))
        if der["stalled"]:
            head.append(" " + _("(stalled: over {days})").format(days=der["stall_days"]),
                        style="red")
    weighted = der["weighted_amount"]
    head.append("\n" + _("probability {probability}   weighted {weighted}").format(
        probability=f"{der['probability']:.0%}",
        weighted=deal_money(weighted) if der["currency"] == der["reporting_currency"] else
        f"{deal_money(weighted)} {der['reporting_currency']}" if weighted is not None
        else _("unknown (no rate for {currency})").format(currency=_s(der["currency"]))))
    if d.get("close"):
        head.append("   " + _("expected close {day}").format(day=_day(d["close"])))
    con.print(Panel(head, expand=False))

    road = _table(_title(_("Road")), _("date"), _("stage"), _("days"), "")
    road.columns[2].justify = "right"
    for m in rm["moves"]:
        note = "" if m["move"] != "regressed" else _("regressed")
        if m["reason"]:
            note = (note + " " if note else "") + _("forced: {reason}").format(
                reason=_s(m["reason"]))
        if m["waived"]:
            note += " " + _("(waived: {items})").format(
                items=", ".join(map(_s, waived_names(m["waived"], p))))
        road.add_row(Text(_day(m["date"])), safe_text(stages.get(m["stage"], m["label"])),
                     Text(str(m["days"])),
                     Text(note, style="yellow" if m["reason"] or m["waived"] else "red"))
    con.print(road)

    if rm["milestones"] or rm["requires"]:
        ms = _table(_title(_("Milestones to leave {stage}").format(
            stage=_s(stages.get(d["stage"], der["stage_label"])))),
            "", _("milestone"), _("date / evidence"))
        for m in rm["milestones"]:
            mark = Text("✔", style="green") if m["ticked"] else (
                Text("~", style="yellow") if m["waived"] else Text("✘", style="red"))
            info = f"{_day(m['date'])}  {_s(m['evidence'] or '')}" if m["ticked"] else (
                _("waived") if m["waived"] else _("missing"))
            # the label and a blank: "label [id]" was written as markup, which swallowed
            # the id as a tag; what it showed is kept
            ms.add_row(mark, Text(f"{_s(milestone_names.get(m['id'], m['label']))} "),
                       Text(info))
        for r in rm["requires"]:
            mark = Text("✔", style="green") if r["met"] else (
                Text("~", style="yellow") if r["waived"] else Text("✘", style="red"))
            ladder = r["ladder"] if i18n.current() == i18n.DEFAULT else \
                ladders.get(r["ladder"], r["ladder"])
            ms.add_row(mark, Text(_("entry: {ladder} >= {needs}").format(
                ladder=_s(ladder), needs=r["needs"])),
                       Text(_("has {level}").format(level=r["has"])
                            + (_(", waived") if r["waived"] and not r["met"] else "")))
        con.print(ms)

    lad = _table(_title(_("Key elements")), _("element"), _("level"), "", _("checkpoint"))
    for x in rm["ladders"]:
        lad.add_row(safe_text(ladders.get(x["id"], x["label"])),
                    Text(bar(x["level"], x["top"]), style="cyan"),
                    Text(f"{x['level']}/{x['top']}"), safe_text(x["level_label"]))
    con.print(lad)

    if rm["contacts"]:
        ct = _table(_title(_("Contacts")), _("name"), _("role"), _("power"), _("met"))
        for c in rm["contacts"]:
            marks = []
            if c.get("decision_maker"):
                marks.append(_("DECISION MAKER"))
            if c.get("veto"):
                marks.append(_("VETO") + (" " + _("(agreed)") if c.get("agreed") else ""))
            style = "bold" if c.get("decision_maker") else ""
            unmet = c.get("veto") and not c.get("met")
            ct.add_row(Text(_s(c["name"]), style=style), Text(_s(c.get("role", ""))),
                       Text(", ".join(marks), style="red" if unmet else ""),
                       Text(_day(c["met"]) if c.get("met") else
                            _("not met") if marks else ""))
        con.print(ct)

    if rm["actions"]:
        at = _table(_title(_("Recent actions ({n} of {total})").format(
            n=len(rm["actions"]), total=rm["actions_total"])),
            _("date"), _("kind"), _("goal → result"), _("moved"))
        for a in rm["actions"]:
            at.add_row(Text(_day(a["date"])), Text(_s(kinds.get(a["kind"], a["kind"]))),
                       Text(f"{_s(a.get('goal', ''))} → {_s(a.get('result', ''))}"),
                       Text(_("yes"), style="green") if a.get("moved") else Text(_("no")))
        con.print(at)
    nxt = d.get("next")
    if status == "open":
        if nxt:
            style = "red" if der["next_step_overdue"] else ""
            con.print(Text(_("Next step {day}: {step}").format(day=_day(nxt["date"]),
                                                              step=_s(nxt["step"])),
                           style=style))
        else:
            con.print(Text(_("No next step set."), style="red"))
    if d.get("snooze"):
        con.print(Text(_("Snoozed until {day}: {reason}").format(
            day=_day(d["snooze"]["until"]), reason=_s(d["snooze"]["reason"]))))
    for problem in problems:
        con.print(Text(_("problem: {problem}").format(problem=safe(problem)), style="red"))


# the head of a closed deal's road map
OUTCOME_HEAD = {"won": N_("WON"), "lost": N_("LOST")}


# what the deal list shows of each deal
_LISTED = ("id", "account", "title", "owner", "stage", "status", "amount", "flags",
           "source_id")


def _safe_all(texts: Sequence[str]) -> Sequence[str]:
    """``safe`` of each text, the clean ones (nearly all) checked at once: joined, they
    are printable when each is."""
    return texts if "".join(texts).isprintable() else list(map(safe, texts))


@buffered
def deal_list(con: Console, deals: list[Summary], pipeline: Pipeline,
              priced: list[Summary] | None = None) -> None:
    """One line per deal, laid out as lines: a list of 10,000 deals prints at once.
    ``deals`` as the files state them; ``priced`` the same deals in the reporting
    currency (``analysis.currency.converted``; default: ``deals``). A deal in
    another currency shows its own amount and currency and, in a column that is
    there only then, the amount converted; the total is of converted amounts.

    Made a column at a time, a field of every deal read at C speed and made safe at
    once (``column_table``): 100,000 deals in 1.6 s of CPU on a busy 2-core machine,
    where a row and a cell at a time took 7 to 8 s (measured)."""
    cur = pipeline.currency
    priced = deals if priced is None else priced
    english = i18n.current() == i18n.DEFAULT
    # the amounts and sums as the language writes them: chosen once, not per row
    sum_of = plain_money if english else money
    # id, owner, stage, status and amount are never cut; account and title share
    # what is left of the screen, a third and two thirds
    # a field of every deal at a time (a map at C speed), each column made safe at once
    ids, accounts, titles, owners, stages, statuses, amounts, flags, source_ids = (
        list(map(attrgetter(field), deals)) for field in _LISTED)
    flagged = any(flags)
    ids = _safe_all(ids)
    if flagged:
        ids = [i + " !" if f else i for i, f in zip(ids, flags, strict=True)]
    owners = _safe_all(owners)
    names = id_names(pipeline)  # a stage by its id in English, by its label in another
    stages = _safe_all([names.get(x, x) for x in stages] if names else stages)
    # plain_money is format(x, ",.0f"): called by map, not per row
    amounts = list(map(format, amounts, repeat(",.0f"))) if english else \
        list(map(deal_money, amounts))
    converted = None
    if priced is not deals:  # some deal is in another currency: say which, and convert
        no_rate = _("no rate")
        amounts = [a if d.currency in (None, cur) else f"{a} {safe(d.currency)}"
                   for a, d in zip(amounts, deals, strict=True)]
        converted = ["" if d.currency in (None, cur) else
                     no_rate if is_left_out(c, pipeline) else sum_of(c.amount)
                     for d, c in zip(deals, priced, strict=True)]
    # on output that is no terminal every cell is whole (``uncut``): no width to share
    fixed = 0 if uncut() else (
        widest(ids, 2) + min(12, widest(owners, 5)) + widest(stages, 5) + 6
        + widest(amounts, 6) + (widest(converted, 9) + 2 if converted else 0))
    rest = max(16, con.width - fixed - 2 * 6)
    account_w = max(8, rest // 3)
    cols = [Col(_("id")), Col(_("account"), max_width=account_w),
            Col(_("title"), max_width=max(8, rest - account_w)),
            Col(_("owner"), max_width=12), Col(_("stage")), Col(_("status")),
            Col(_("amount"), "right")]
    if not english:
        words = status_words()
        statuses = [words.get(x, x) for x in statuses]
    columns = [ids, _safe_all(accounts), _safe_all(titles), owners, stages, statuses, amounts]
    if converted:
        cols.append(Col(_("converted"), "right"))
        columns.append(converted)
    if any(source_ids):  # imported deals: their id in the source
        cols.append(Col(_("source id"), max_width=16))
        columns.append(_safe_all([x or "" for x in source_ids]))
    con.lines(column_table(cols, columns, con.width))
    total = sum(map(attrgetter("amount"), priced))  # a left-out deal counts 0 there
    unpriced = sum(1 for d in priced if is_left_out(d, pipeline)) if converted else 0
    con.print(nformat("{n} deal, {total} {currency}", "{n} deals, {total} {currency}",
                      len(deals), total=money(total), currency=safe(cur))
              + (nformat(" ({n} left out of the total: no rate for its currency)",
                         " ({n} left out of the total: no rate for their currency)", unpriced)
                 if unpriced else "")
              + ("  " + _("(! breaks a process rule: see funnelctl validate)")
                 if flagged else ""), markup=False)


# the plan's sections: the items of the plan, their title, their style
PLAN_SECTIONS = [("overdue", N_("Overdue"), "red"), ("due_today", N_("Due today"), "yellow"),
                 ("this_week", N_("Due this week"), ""), ("visits", N_("Visits planned"), ""),
                 ("no_next_step", N_("No next step"), "red")]


def plan(con: Console, p: Plan) -> None:
    shown = []
    heads = [_("date"), _("deal"), _("account"), _("owner"), _("step")]
    for name, title, style in PLAN_SECTIONS:
        items = getattr(p, name)
        if not items:
            continue
        t = _table(_title(_("{title} ({n})").format(title=_(title), n=len(items)), style),
                   *heads)
        for i in items:
            when = formats.day(i.date) if i.date else "-"
            if i.days > 0:
                when += " " + _("({days} late)").format(days=formats.days(i.days))
            step = _(PLANNED_VISIT) if name == "visits" and i.step == PLANNED_VISIT \
                else i.step or ""
            t.add_row(Text(when), safe_text(i.deal), safe_text(i.account), safe_text(i.owner),
                      safe_text(step))
        shown.append(t)
    if not shown:
        con.print(_("Nothing due: every open deal has a next step after this week."))
        return
    con.print(Group(*shown))
    if p.later:
        con.print(nformat("and {n} next step after this week",
                          "and {n} next steps after this week", len(p.later)))
