"""Customers and the people around a deal, as text and Markdown: the account
archive, the support roles' load and the deal strategy sheet. Every piece of data
passes the one safe-text function (``safe`` for the terminal, ``md`` for Markdown);
the labels of stages.yaml are data too."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from funnelctl.analysis.accounts import AccountDeal, Archive, Person
from funnelctl.analysis.roles import PersonLoad, RoleLoad
from funnelctl.analysis.strategy import Element, Player, StrategySheet
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import Col, buffered, table, wrapped
from funnelctl.render.rep import money, short_money
from funnelctl.render.safe import md, safe

Esc = Callable[[str], str]


def _n(count: int, noun: str) -> str:
    if noun == "person":
        return f"{count} {'person' if count == 1 else 'people'}"
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _md_table(head: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    """A Markdown table of cells made safe by the caller (``md``)."""
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


# -- the account archive ----------------------------------------------------------------


def _deal_state(d: AccountDeal, esc: Esc) -> str:
    """Where an open deal stands (its stage and next step), or how a closed one ended."""
    if d.status == "open":
        nxt = f"next {d.next_date} {esc(d.next_step or '')}" if d.next_date else "no next step"
        if d.overdue:
            nxt += " (overdue)"
        return f"{esc(d.stage_label)}; {nxt}"
    if d.status == "won":
        return f"won {d.outcome_date or ''}".rstrip()
    why = esc(d.lost_reason or "")
    if d.competitor:
        why += f" to {esc(d.competitor)}"
    return f"lost {d.outcome_date or ''} ({why})" if why else f"lost {d.outcome_date or ''}"


def _decides(p: Person) -> str:
    return " + ".join(w for w, on in (("decides", p.decision_maker), ("veto", p.veto)) if on)


def _heading(a: Archive, esc: Esc) -> list[str]:
    counts = f"{_n(len(a.deals), 'deal')}: {a.open_deals} open, {a.won_deals} won, " \
             f"{a.lost_deals} lost"
    spelled = f" (spelled {', '.join(map(esc, a.names))})" if a.names != [a.account] else ""
    return [f"{counts}{spelled}; reps {', '.join(map(esc, a.owners))}",
            f"won {money(a.won)} {esc(a.currency)} ({_n(a.won_deals, 'deal')}) · open pipeline "
            f"{money(a.open)} {esc(a.currency)} ({_n(a.open_deals, 'deal')}, weighted "
            f"{money(a.weighted)})"]


def _action_line(a, esc: Esc, arrow: str) -> str:
    out = f"{a.date}  {esc(a.deal)} ({esc(a.owner)}) {esc(a.kind)}: {esc(a.goal)}"
    return out + (f" {arrow} {esc(a.result)}" if a.result else "")


@buffered
def account_text(con: Console, a: Archive) -> None:
    con.print(Text(safe(a.account), style="bold"))
    for line in _heading(a, safe):
        con.print(line, markup=False)
    con.print()
    con.lines(table(
        [Col("deal", max_width=28), Col("title", max_width=28), Col("owner", max_width=14),
         Col("amount", "right"), Col("stage or outcome", fold=True)],
        [[safe(d.id), safe(d.title), safe(d.owner), short_money(d.amount),
          _deal_state(d, safe)] for d in a.deals], con.width))
    con.print()
    if a.contacts:
        # the columns no contact has a value in are left out: a narrow screen keeps room
        cols = [(Col("contact", max_width=24), lambda c: safe(c.name)),
                (Col("role", max_width=24), lambda c: safe(", ".join(c.roles))),
                (Col("decides"), _decides),
                (Col("attitude"), lambda c: safe(c.attitude or "")),
                (Col("last met"), lambda c: str(c.last_met or "not met")),
                (Col("phone", max_width=18), lambda c: safe(c.phone or "")),
                (Col("personal goal", fold=True), lambda c: safe(c.goal or ""))]
        cols = [(col, cell) for col, cell in cols
                if col.header in ("contact", "last met") or any(cell(c) for c in a.contacts)]
        con.lines(table([col for col, _ in cols],
                        [[cell(c) for _, cell in cols] for c in a.contacts], con.width))
    else:
        con.print("No contacts on file: find out who decides.")
    con.print()
    if a.last_actions:
        more = f" (of {a.actions})" if a.actions > len(a.last_actions) else ""
        con.print(Text(f"Last actions{more}", style="bold"))
        for x in a.last_actions:
            con.lines(wrapped(Text(_action_line(x, safe, "->")), con.width, indent=12))
    else:
        con.print("No action recorded.")


def account_md(a: Archive) -> str:
    lines = [f"# Account: {md(a.account)}", ""]
    lines += [f"- {line}" for line in _heading(a, md)]
    lines += ["", "## Deals", ""]
    lines += _md_table(
        ["deal", "title", "owner", "amount", "stage or outcome", "support"],
        [[md(d.id), md(d.title), md(d.owner), money(d.amount), _deal_state(d, md),
          ", ".join(f"{md(r)}: {md(x)}" for r, x in d.roles.items())] for d in a.deals],
        right={3})
    lines += ["", "## Contacts", ""]
    if a.contacts:
        lines += _md_table(
            ["name", "role", "decides", "attitude", "last met", "phone", "personal goal",
             "deals"],
            [[md(c.name), md(", ".join(c.roles)), _decides(c), md(c.attitude or ""),
              str(c.last_met or "not met"), md(c.phone or ""), md(c.goal or ""),
              ", ".join(map(md, c.deals))] for c in a.contacts])
    else:
        lines.append("None on file: find out who decides.")
    lines += ["", "## Last actions", ""]
    if a.last_actions:
        lines += [f"- {_action_line(x, md, '→')}" for x in a.last_actions]
        if a.actions > len(a.last_actions):
            lines.append(f"- … and {a.actions - len(a.last_actions)} earlier")
    else:
        lines.append("None recorded.")
    return "\n".join(lines) + "\n"


# -- the load of the support roles --------------------------------------------------------


def _serves(x: PersonLoad, esc: Esc) -> str:
    reps = _n(len(x.owners), "rep")
    return f"{', '.join(map(esc, x.teams))} ({reps})" if x.teams else reps


def _load_head(r: RoleLoad, p: Pipeline, esc: Esc) -> str:
    at = ", ".join(esc(p.label(s)) for s in r.needed_at) or "no stage"
    return (f"{esc(r.role)}: {_n(len(r.people), 'person')}, {_n(r.total, 'open deal')} "
            f"(needed at {at})")


def _load_rows(r: RoleLoad, esc: Esc) -> list[list[str]]:
    rows = [[esc(x.person or "nobody"), *(str(x.by_stage.get(s, "·")) for s in r.stages),
             str(x.open_count), short_money(x.amount), _serves(x, esc)]
            for x in [*r.people, *([r.unassigned] if r.unassigned.open_count else [])]]
    return rows


@buffered
def load_text(con: Console, loads: list[RoleLoad], p: Pipeline) -> None:
    for i, r in enumerate(loads):
        if i:
            con.print()
        con.print(Text(_load_head(r, p, safe), style="bold"))
        if not r.people and not r.unassigned.open_count:
            con.print("No open deal holds this role or needs it.")
            continue
        cols = [Col("person", max_width=20), *(Col(safe(s), "right") for s in r.stages),
                Col("open", "right"), Col("amount", "right"), Col("serves", fold=True)]
        con.lines(table(cols, _load_rows(r, safe), con.width))
        if r.unassigned.open_count:
            con.lines(wrapped(Text(f"nobody holds {safe(r.role)} on: "
                                   f"{', '.join(map(safe, r.unassigned.deals))} (funnelctl "
                                   f"assign DEAL {safe(r.role)} PERSON)"), con.width))


def load_md(loads: list[RoleLoad], p: Pipeline) -> str:
    lines: list[str] = []
    for r in loads:
        lines += [f"## {_load_head(r, p, md)}", ""]
        if not r.people and not r.unassigned.open_count:
            lines += ["No open deal holds this role or needs it.", ""]
            continue
        n = len(r.stages)
        lines += _md_table(["person", *map(md, r.stages), "open", "amount", "serves"],
                           _load_rows(r, md), right=set(range(1, n + 3)))
        if r.unassigned.open_count:
            lines += ["", f"Nobody holds {md(r.role)} on: "
                      f"{', '.join(map(md, r.unassigned.deals))}."]
        lines.append("")
    return "\n".join(lines)


# -- the strategy sheet ------------------------------------------------------------------


def _met(x: Player) -> str:
    if x.last_met is None:
        return "not met"
    ago = "today" if x.days_since == 0 else f"{x.days_since} days ago"
    return f"{x.last_met} ({ago})"


def _player_power(x: Player) -> str:
    if x.decision_maker:
        return "decides"
    return "veto, agreed " + str(x.agreed_on) if x.agreed and x.agreed_on else \
        "veto, agreed" if x.agreed else "veto, not agreed"


def _level(e: Element) -> str:
    return "-" if e.level is None else f"{e.level}/{e.top}"


def _element_note(e: Element, s: StrategySheet, esc: Esc) -> str:
    if e.needed is None or s.next_stage is None:
        return ""
    if (e.level or 0) >= e.needed:
        return f"{esc(s.next_stage)} needs {e.needed}: met"
    return f"{esc(s.next_stage)} needs {e.needed}"


def _sheet_head(s: StrategySheet, esc: Esc) -> str:
    amount = f"{money(s.amount)} {esc(s.currency)}" if s.currency else money(s.amount)
    close = f" · close {s.close}" if s.close else ""
    state = esc(s.stage_label) if s.status == "open" else esc(s.status)
    return f"owner {esc(s.owner)} · {state} · {amount}{close}"


def _verdict(s: StrategySheet) -> str:
    return {"continue": "continue", "drop": "drop"}.get(s.verdict or "", "not judged yet")


def _team(s: StrategySheet, esc: Esc) -> str:
    held = "; ".join(f"{esc(r)} {esc(x)}" for r, x in s.roles.items()) or "no support role held"
    if s.roles_missing:
        held += f" · this stage needs {', '.join(map(esc, s.roles_missing))}: nobody holds it"
    return held


@buffered
def strategy_text(con: Console, s: StrategySheet, p: Pipeline) -> None:
    head = Text(f"Strategy sheet: {safe(s.id)}", style="bold")
    head.append(f"  {safe(s.account)}: {safe(s.title)}", style="")
    con.print(head)
    con.print(_sheet_head(s, safe), markup=False)
    con.print()
    con.print(Text("Decision makers and veto holders", style="bold"))
    if s.players:
        head, *rows = table(
            [Col("name", max_width=22), Col("role", max_width=22), Col("power"),
             Col("attitude"), Col("last met")],
            [[safe(x.name), safe(x.role), _player_power(x), safe(x.attitude or "?"), _met(x)]
             for x in s.players], con.width)
        con.lines([head])
        for x, row in zip(s.players, rows, strict=True):  # what each wants, under him
            con.lines([row])
            wants = Text("    wants: ", style="dim")
            wants.append(safe(x.goal) if x.goal else "unknown")
            con.print(wants)
    else:
        con.print("none named: who decides, and who can say no?")
    if s.others:
        con.print(f"(and {_n(s.others, 'other contact')})", markup=False)
    con.print()
    con.print(Text("Key elements", style="bold"))
    width = max([cell_len(safe(e.label)) for e in s.elements] or [0])
    lw = max([len(_level(e)) for e in s.elements] or [0])
    for e in s.elements:
        label = safe(e.label)
        line = Text(label + " " * (width - cell_len(label)) + f"  {_level(e):>{lw}}")
        line.append(f"  {safe(e.level_label)}" if e.level_label else "  not scored",
                    style="" if e.level is not None else "yellow")
        con.print(line)
        said = [f"{safe(e.evidence)} ({e.date})" if e.evidence else ""]
        said.append(_element_note(e, s, safe))
        if any(said):
            con.print(" " * (width + lw + 4) + " · ".join(x for x in said if x), markup=False)
    con.print()
    con.print(f"Competitors: {', '.join(map(safe, s.competitors)) or 'none named'}",
              markup=False)
    con.print(f"Our plan: {safe(s.plan) if s.plan else 'none yet'}", markup=False)
    con.print()
    con.print(Text("Still missing", style="bold"))
    for item in s.missing:
        con.print(f"  - {safe(item)}", markup=False)
    if not s.missing:
        con.print(f"  nothing recorded (funnelctl strategy {safe(s.id)} --missing ...)",
                  markup=False)
    if s.gaps:
        con.print(Text("Not known from the deal file", style="bold"))
        for item in s.gaps:
            con.print(f"  - {safe(item)}", markup=False)
    con.print()
    con.print(Text("Resources asked for", style="bold"))
    for item in s.resources or ["none"]:
        con.print(f"  - {safe(item)}", markup=False)
    con.print(f"Team: {_team(s, safe)}", markup=False)
    con.print()
    verdict = Text("Verdict: ", style="bold")
    verdict.append(_verdict(s), style={"continue": "green", "drop": "red"}.get(s.verdict or "",
                                                                                "yellow"))
    con.print(verdict)


def strategy_md(s: StrategySheet, p: Pipeline) -> str:
    lines = [f"# Strategy sheet: {md(s.id)}, {md(s.account)}: {md(s.title)}", "",
             _sheet_head(s, md), "", "## Decision makers and veto holders", ""]
    if s.players:
        lines += _md_table(["name", "role", "power", "attitude", "last met", "personal goal"],
                           [[md(x.name), md(x.role), _player_power(x), md(x.attitude or "?"),
                             _met(x), md(x.goal or "?")] for x in s.players])
    else:
        lines.append("None named: who decides, and who can say no?")
    if s.others:
        lines += ["", f"And {_n(s.others, 'other contact')}."]
    lines += ["", "## Key elements", ""]
    lines += _md_table(["element", "level", "", "next stage", "evidence"],
                       [[md(e.label), _level(e), md(e.level_label or ""),
                         _element_note(e, s, md),
                         md(e.evidence) + (f" ({e.date})" if e.date else "")]
                        for e in s.elements], right={1})
    lines += ["", "## Competition", "",
              f"- **Competitors:** {', '.join(map(md, s.competitors)) or 'none named'}",
              f"- **Our plan:** {md(s.plan) if s.plan else 'none yet'}", "",
              "## Still missing", ""]
    lines += [f"- {md(x)}" for x in s.missing] or ["Nothing recorded."]
    if s.gaps:
        lines += ["", "Not known from the deal file:", ""]
        lines += [f"- {md(x)}" for x in s.gaps]
    lines += ["", "## Resources asked for", ""]
    lines += [f"- {md(x)}" for x in s.resources] or ["None."]
    lines += ["", f"- **Team:** {_team(s, md)}", "", f"## Verdict: {_verdict(s)}", ""]
    return "\n".join(lines)
