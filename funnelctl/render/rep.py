"""Rich renderings of the rep's views: a deal's road map, the deal list, the plan."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from funnelctl.analysis.currency import is_left_out
from funnelctl.analysis.plan import Plan
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import Col, buffered, table
from funnelctl.render.safe import safe, safe_text
from funnelctl.summary import Summary


def money(x: float) -> str:
    return f"{x:,.0f}"


def short_money(x: float) -> str:
    """911k, 1.11M: for columns that must stay narrow."""
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.0f}k"
    return f"{x:,.0f}"


def bar(level: int, top: int, width: int = 12) -> str:
    full = round(width * level / top) if top else 0
    return "█" * full + "░" * (width - full)


def _s(x: object) -> str:
    """A value of the deal's file (text, a number, a date) as safe text."""
    return safe(str(x))


def _title(text: str, style: str | None = None) -> Text:
    """A table's title as ``Text`` (rich would read a string as markup), styled as rich
    styles a title."""
    return Text(text, style="table.title" if style is None else style)


def show(con: Console, rm: dict[str, Any], problems: list[str]) -> None:
    d = rm["deal"]
    der = rm["derived"]
    status = d["status"]
    head = Text()
    head.append(_s(d["id"]), style="bold")
    head.append(f"  {_s(d['account'])}: {_s(d['title'])}\n")
    head.append(f"owner {_s(d['owner'])}   amount {money(d['amount'])} "
                f"{_s(d.get('currency') or '')}")
    if der["currency"] != der["reporting_currency"]:  # and in the currency of every total
        head.append(f" ({money(der['amount_converted'])} {_s(der['reporting_currency'])})"
                    if der["amount_converted"] is not None else " (no rate in stages.yaml)")
    head.append("   ")
    head.append(f"stage {_s(der['stage_label'])} ({_s(d['stage'])})", style="bold")
    if status != "open":
        head.append(f"   {_s(status).upper()}",
                    style="green bold" if status == "won" else "red bold")
        out = d.get("outcome", {})
        if status == "lost":
            head.append(f" ({_s(out.get('reason'))}"
                        f"{', to ' + _s(out['competitor']) if out.get('competitor') else ''})")
    else:
        head.append(f"   {der['days_in_stage']} days in stage")
        if der["stalled"]:
            head.append(f" (stalled: over {der['stall_days']})", style="red")
    weighted = der["weighted_amount"]
    head.append(f"\nprobability {der['probability']:.0%}   weighted "
                + (f"{money(weighted)}" if der["currency"] == der["reporting_currency"] else
                   f"{money(weighted)} {der['reporting_currency']}" if weighted is not None
                   else f"unknown (no rate for {_s(der['currency'])})"))
    if d.get("close"):
        head.append(f"   expected close {d['close']}")
    con.print(Panel(head, expand=False))

    road = Table(title=_title("Road"), title_justify="left", box=None, pad_edge=False)
    road.add_column("date")
    road.add_column("stage")
    road.add_column("days", justify="right")
    road.add_column("")
    for m in rm["moves"]:
        note = "" if m["move"] != "regressed" else "regressed"
        if m["reason"]:
            note = (note + " " if note else "") + f"forced: {_s(m['reason'])}"
        if m["waived"]:
            note += f" (waived: {', '.join(map(_s, m['waived']))})"
        road.add_row(Text(str(m["date"])), safe_text(m["label"]), Text(str(m["days"])),
                     Text(note, style="yellow" if m["reason"] or m["waived"] else "red"))
    con.print(road)

    if rm["milestones"] or rm["requires"]:
        ms = Table(title=_title(f"Milestones to leave {_s(der['stage_label'])}"),
                   title_justify="left", box=None, pad_edge=False)
        ms.add_column("")
        ms.add_column("milestone")
        ms.add_column("date / evidence")
        for m in rm["milestones"]:
            mark = Text("✔", style="green") if m["ticked"] else (
                Text("~", style="yellow") if m["waived"] else Text("✘", style="red"))
            info = f"{m['date']}  {_s(m['evidence'] or '')}" if m["ticked"] else (
                "waived" if m["waived"] else "missing")
            # the label and a blank: "label [id]" was written as markup, which swallowed
            # the id as a tag; what it showed is kept
            ms.add_row(mark, Text(f"{_s(m['label'])} "), Text(info))
        for r in rm["requires"]:
            mark = Text("✔", style="green") if r["met"] else (
                Text("~", style="yellow") if r["waived"] else Text("✘", style="red"))
            ms.add_row(mark, Text(f"entry: {_s(r['ladder'])} >= {r['needs']}"),
                       Text(f"has {r['has']}"
                            + (", waived" if r["waived"] and not r["met"] else "")))
        con.print(ms)

    lad = Table(title=_title("Key elements"), title_justify="left", box=None, pad_edge=False)
    lad.add_column("element")
    lad.add_column("level")
    lad.add_column("")
    lad.add_column("checkpoint")
    for x in rm["ladders"]:
        lad.add_row(safe_text(x["label"]), Text(bar(x["level"], x["top"]), style="cyan"),
                    Text(f"{x['level']}/{x['top']}"), safe_text(x["level_label"]))
    con.print(lad)

    if rm["contacts"]:
        ct = Table(title=_title("Contacts"), title_justify="left", box=None, pad_edge=False)
        ct.add_column("name")
        ct.add_column("role")
        ct.add_column("power")
        ct.add_column("met")
        for c in rm["contacts"]:
            marks = []
            if c.get("decision_maker"):
                marks.append("DECISION MAKER")
            if c.get("veto"):
                marks.append("VETO" + (" (agreed)" if c.get("agreed") else ""))
            style = "bold" if c.get("decision_maker") else ""
            unmet = c.get("veto") and not c.get("met")
            ct.add_row(Text(_s(c["name"]), style=style), Text(_s(c.get("role", ""))),
                       Text(", ".join(marks), style="red" if unmet else ""),
                       Text(str(c.get("met") or ("not met" if marks else ""))))
        con.print(ct)

    if rm["actions"]:
        at = Table(title=_title(f"Recent actions ({len(rm['actions'])} of "
                                f"{rm['actions_total']})"),
                   title_justify="left", box=None, pad_edge=False)
        at.add_column("date")
        at.add_column("kind")
        at.add_column("goal → result")
        at.add_column("moved")
        for a in rm["actions"]:
            at.add_row(Text(_s(a["date"])), Text(_s(a["kind"])),
                       Text(f"{_s(a.get('goal', ''))} → {_s(a.get('result', ''))}"),
                       Text("yes", style="green") if a.get("moved") else Text("no"))
        con.print(at)
    nxt = d.get("next")
    if status == "open":
        if nxt:
            style = "red" if der["next_step_overdue"] else ""
            con.print(Text(f"Next step {nxt['date']}: {_s(nxt['step'])}", style=style))
        else:
            con.print(Text("No next step set.", style="red"))
    if d.get("snooze"):
        con.print(Text(f"Snoozed until {d['snooze']['until']}: {_s(d['snooze']['reason'])}"))
    for p in problems:
        con.print(Text(f"problem: {safe(p)}", style="red"))


@buffered
def deal_list(con: Console, deals: list[Summary], pipeline: Pipeline,
              priced: list[Summary] | None = None) -> None:
    """One line per deal, laid out as lines: a list of 10,000 deals prints at once.
    ``deals`` as the files state them; ``priced`` the same deals in the reporting
    currency (``analysis.currency.converted``; default: ``deals``). A deal in
    another currency shows its own amount and currency and, in a column that is
    there only then, the amount converted; the total is of converted amounts."""
    cur = pipeline.currency
    priced = deals if priced is None else priced
    # id, owner, stage, status and amount are never cut; account and title share
    # what is left of the screen, a third and two thirds
    ids = [safe(d.id) + (" !" if d.flags else "") for d in deals]
    owners = [safe(d.owner) for d in deals]
    stages = [safe(d.stage) for d in deals]
    amounts = [money(d.amount) for d in deals]
    converted = None
    if priced is not deals:  # some deal is in another currency: say which, and convert
        amounts = [a if d.currency in (None, cur) else f"{a} {safe(d.currency)}"
                   for a, d in zip(amounts, deals, strict=True)]
        converted = ["" if d.currency in (None, cur) else
                     "no rate" if is_left_out(c, pipeline) else money(c.amount)
                     for d, c in zip(deals, priced, strict=True)]
    fixed = (max([2, *map(cell_len, ids)]) + min(12, max([5, *map(cell_len, owners)]))
             + max([5, *map(cell_len, stages)]) + 6
             + max([6, *map(cell_len, amounts)])
             + (max([9, *map(len, converted)]) + 2 if converted else 0))
    rest = max(16, con.width - fixed - 2 * 6)
    account_w = max(8, rest // 3)
    cols = [Col("id"), Col("account", max_width=account_w),
            Col("title", max_width=max(8, rest - account_w)), Col("owner", max_width=12),
            Col("stage"), Col("status"), Col("amount", "right")]
    rows = [[i, safe(d.account), safe(d.title), o, s, d.status, a]
            for i, d, o, s, a in zip(ids, deals, owners, stages, amounts, strict=True)]
    if converted:
        cols.append(Col("converted", "right"))
        for row, c in zip(rows, converted, strict=True):
            row.append(c)
    if any(d.source_id for d in deals):  # imported deals: their id in the source
        cols.append(Col("source id", max_width=16))
        for row, d in zip(rows, deals, strict=True):
            row.append(safe(d.source_id or ""))
    con.lines(table(cols, rows, con.width))
    total = sum(d.amount for d in priced)  # a left-out deal counts 0 there
    unpriced = sum(1 for d in priced if is_left_out(d, pipeline)) if converted else 0
    noun = "deal" if len(deals) == 1 else "deals"
    con.print(f"{len(deals)} {noun}, {money(total)} {safe(cur)}"
              + (f" ({unpriced} left out of the total: no rate for "
                 f"{'their' if unpriced > 1 else 'its'} currency)" if unpriced else "")
              + ("  (! breaks a process rule: see funnelctl validate)"
                 if any(d.flags for d in deals) else ""), markup=False)


def plan(con: Console, p: Plan) -> None:
    sections = [("Overdue", p.overdue, "red"), ("Due today", p.due_today, "yellow"),
                ("Due this week", p.this_week, ""), ("Visits planned", p.visits, ""),
                ("No next step", p.no_next_step, "red")]
    shown = []
    for title, items, style in sections:
        if not items:
            continue
        t = Table(title=_title(f"{title} ({len(items)})", style), title_justify="left",
                  box=None, pad_edge=False)
        t.add_column("date")
        t.add_column("deal")
        t.add_column("account")
        t.add_column("owner")
        t.add_column("step")
        for i in items:
            when = str(i.date) if i.date else "-"
            if i.days > 0:
                when += f" ({i.days}d late)"
            t.add_row(Text(when), safe_text(i.deal), safe_text(i.account), safe_text(i.owner),
                      safe_text(i.step or ""))
        shown.append(t)
    if not shown:
        con.print("Nothing due: every open deal has a next step after this week.")
        return
    con.print(Group(*shown))
    if p.later:
        con.print(f"and {len(p.later)} next steps after this week")
