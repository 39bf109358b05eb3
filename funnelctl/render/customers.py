"""Customers and the people around a deal, as text and Markdown: the account
archive, the support roles' load and the deal strategy sheet. Every piece of data
passes the one safe-text function (``safe`` for the terminal, ``md`` for Markdown);
the labels of stages.yaml are data too."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from funnelctl import i18n
from funnelctl.analysis.accounts import AccountDeal, Archive, Person
from funnelctl.analysis.roles import PersonLoad, RoleLoad
from funnelctl.analysis.strategy import Element, Player, StrategySheet
from funnelctl.i18n import N_, _, formats, nformat, ngettext
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import Col, buffered, table, wrapped
from funnelctl.render.rep import short_money
from funnelctl.render.rhythm import kind_name, stage_name, term
from funnelctl.render.safe import md, safe

Esc = Callable[[str], str]
money = formats.money

# a contact's attitude (model.Contact) in words
ATTITUDES = {"supporter": N_("supporter"), "neutral": N_("neutral"),
             "opponent": N_("opponent")}


def _attitude(value: str | None) -> str:
    """A contact's attitude in the language ('' when unknown); one stages.yaml does
    not know is shown as written (data: the caller makes it safe)."""
    if not value:
        return ""
    return _(ATTITUDES[value]) if value in ATTITUDES else value


def _short(x: float) -> str:
    """An amount for a narrow column: ``911k``, ``1.11M`` / ``91.1万``."""
    return short_money(x) if i18n.current() == i18n.DEFAULT else money(x)


def _none() -> str:
    return _("none")


def _deals(n: int) -> str:
    return ngettext("{count} deal", "{count} deals", n).format(count=n)


def _md_table(head: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    """A Markdown table of cells made safe by the caller (``md``)."""
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


# -- the account archive ----------------------------------------------------------------


def _deal_state(d: AccountDeal, esc: Esc, p: Pipeline | None) -> str:
    """Where an open deal stands (its stage and next step), or how a closed one ended."""
    if d.status == "open":
        if d.next_date:
            nxt = _("next {date} {step}").format(date=formats.day(d.next_date),
                                                 step=esc(d.next_step or ""))
            if d.overdue:
                nxt = _("{step} (overdue)").format(step=nxt)
        else:
            nxt = _("no next step")
        return _("{stage}; {next}").format(stage=esc(stage_name(p, d.stage)), next=nxt)
    if d.status == "won":
        return _("won {date}").format(date=formats.day(d.outcome_date) if d.outcome_date
                                      else "").rstrip()
    why = esc(term(p, d.lost_reason, "reason")) if d.lost_reason else ""
    if d.competitor:
        why = _("{reason} to {competitor}").format(reason=why, competitor=esc(d.competitor))
    date = formats.day(d.outcome_date) if d.outcome_date else ""
    if why:
        return _("lost {date} ({reason})").format(date=date, reason=why)
    return _("lost {date}").format(date=date)


def _decides(p: Person) -> str:
    return " + ".join(w for w, on in ((_("decides"), p.decision_maker), (_("veto"), p.veto))
                      if on)


def _heading(a: Archive, esc: Esc) -> list[str]:
    counts = nformat("{n} deal: {open} open, {won} won, {lost} lost",
                     "{n} deals: {open} open, {won} won, {lost} lost", len(a.deals),
                     open=a.open_deals, won=a.won_deals, lost=a.lost_deals)
    owners = ", ".join(map(esc, a.owners))
    if a.names != [a.account]:
        first = _("{counts} (spelled {names}); reps {owners}").format(
            counts=counts, names=", ".join(map(esc, a.names)), owners=owners)
    else:
        first = _("{counts}; reps {owners}").format(counts=counts, owners=owners)
    return [first,
            _("won {won} {currency} ({won_deals}) · open pipeline {open} {currency} "
              "({open_deals}, weighted {weighted})").format(
                won=money(a.won), currency=esc(a.currency),
                won_deals=_deals(a.won_deals), open=money(a.open),
                open_deals=_deals(a.open_deals),
                weighted=money(a.weighted))]


def _action_line(a, esc: Esc, arrow: str, p: Pipeline | None) -> str:
    out = _("{date}  {deal} ({owner}) {kind}: {goal}").format(
        date=formats.day(a.date), deal=esc(a.deal), owner=esc(a.owner),
        kind=esc(kind_name(p, a.kind)), goal=esc(a.goal))
    return out + (f" {arrow} {esc(a.result)}" if a.result else "")


def _met(day) -> str:
    return formats.day(day) if day else _("not met")


@buffered
def account_text(con: Console, a: Archive) -> None:
    p = a.pipeline
    con.print(Text(safe(a.account), style="bold"))
    for line in _heading(a, safe):
        con.print(line, markup=False)
    con.print()
    con.lines(table(
        [Col(_("deal"), max_width=28), Col(_("title"), max_width=28),
         Col(_("owner"), max_width=14), Col(_("amount"), "right"),
         Col(_("stage or outcome"), fold=True)],
        [[safe(d.id), safe(d.title), safe(d.owner), _short(d.amount),
          _deal_state(d, safe, p)] for d in a.deals], con.width))
    con.print()
    if a.contacts:
        # the columns no contact has a value in are left out: a narrow screen keeps room
        # (the name and when we met them are always shown)
        cols = [(Col(_("contact"), max_width=24), lambda c: safe(c.name), True),
                (Col(_("role"), max_width=24), lambda c: safe(", ".join(c.roles)), False),
                (Col(_("decides")), _decides, False),
                (Col(_("attitude")), lambda c: safe(_attitude(c.attitude)), False),
                (Col(_("last met")), lambda c: _met(c.last_met), True),
                (Col(_("phone"), max_width=18), lambda c: safe(c.phone or ""), False),
                (Col(_("personal goal"), fold=True), lambda c: safe(c.goal or ""), False)]
        cols = [(col, cell) for col, cell, always in cols
                if always or any(cell(c) for c in a.contacts)]
        con.lines(table([col for col, _cell in cols],
                        [[cell(c) for _col, cell in cols] for c in a.contacts], con.width))
    else:
        con.print(_("No contacts on file: find out who decides."))
    con.print()
    if a.last_actions:
        title = _("Last actions (of {n})").format(n=a.actions) \
            if a.actions > len(a.last_actions) else _("Last actions")
        con.print(Text(title, style="bold"))
        for x in a.last_actions:
            con.lines(wrapped(Text(_action_line(x, safe, "->", p)), con.width, indent=12))
    else:
        con.print(_("No action recorded."))


def account_md(a: Archive) -> str:
    p = a.pipeline
    lines = ["# " + _("Account: {name}").format(name=md(a.account)), ""]
    lines += [f"- {line}" for line in _heading(a, md)]
    lines += ["", "## " + _("Deals"), ""]
    lines += _md_table(
        [_("deal"), _("title"), _("owner"), _("amount"), _("stage or outcome"), _("support")],
        [[md(d.id), md(d.title), md(d.owner), money(d.amount), _deal_state(d, md, p),
          ", ".join(_("{label}: {items}").format(label=md(r), items=md(x))
                    for r, x in d.roles.items())] for d in a.deals],
        right={3})
    lines += ["", "## " + _("Contacts"), ""]
    if a.contacts:
        lines += _md_table(
            [_("name"), _("role"), _("decides"), _("attitude"), _("last met"), _("phone"),
             _("personal goal"), _("deals")],
            [[md(c.name), md(", ".join(c.roles)), _decides(c), md(_attitude(c.attitude)),
              _met(c.last_met), md(c.phone or ""), md(c.goal or ""),
              ", ".join(map(md, c.deals))] for c in a.contacts])
    else:
        lines.append(_("None on file: find out who decides."))
    lines += ["", "## " + _("Last actions"), ""]
    if a.last_actions:
        lines += [f"- {_action_line(x, md, '→', p)}" for x in a.last_actions]
        if a.actions > len(a.last_actions):
            lines.append("- " + _("… and {n} earlier").format(
                n=a.actions - len(a.last_actions)))
    else:
        lines.append(_("None recorded."))
    return "\n".join(lines) + "\n"


# -- the load of the support roles --------------------------------------------------------


def _serves(x: PersonLoad, esc: Esc) -> str:
    reps = nformat("{n} rep", "{n} reps", len(x.owners))
    if x.teams:
        return _("{teams} ({reps})").format(teams=", ".join(map(esc, x.teams)), reps=reps)
    return reps


def _load_head(r: RoleLoad, p: Pipeline, esc: Esc) -> str:
    at = ", ".join(esc(stage_name(p, s)) for s in r.needed_at) or _("no stage")
    return _("{role}: {people}, {deals} (needed at {stages})").format(
        role=esc(r.role), people=nformat("{n} person", "{n} people", len(r.people)),
        deals=nformat("{n} open deal", "{n} open deals", r.total), stages=at)


def _load_rows(r: RoleLoad, esc: Esc) -> list[list[str]]:
    nobody = _("nobody")
    rows = [[esc(x.person or nobody), *(str(x.by_stage.get(s, "·")) for s in r.stages),
             str(x.open_count), _short(x.amount), _serves(x, esc)]
            for x in [*r.people, *([r.unassigned] if r.unassigned.open_count else [])]]
    return rows


@buffered
def load_text(con: Console, loads: list[RoleLoad], p: Pipeline) -> None:
    for i, r in enumerate(loads):
        if i:
            con.print()
        con.print(Text(_load_head(r, p, safe), style="bold"))
        if not r.people and not r.unassigned.open_count:
            con.print(_("No open deal holds this role or needs it."))
            continue
        cols = [Col(_("person"), max_width=20),
                *(Col(safe(term(p, s)), "right") for s in r.stages),
                Col(_("open"), "right"), Col(_("amount"), "right"),
                Col(_("serves"), fold=True)]
        con.lines(table(cols, _load_rows(r, safe), con.width))
        if r.unassigned.open_count:
            con.lines(wrapped(Text(_("nobody holds {role} on: {deals} (funnelctl assign DEAL "
                                     "{role} PERSON)").format(
                role=safe(r.role), deals=", ".join(map(safe, r.unassigned.deals)))),
                con.width))


def load_md(loads: list[RoleLoad], p: Pipeline) -> str:
    lines: list[str] = []
    for r in loads:
        lines += ["## " + _load_head(r, p, md), ""]
        if not r.people and not r.unassigned.open_count:
            lines += [_("No open deal holds this role or needs it."), ""]
            continue
        n = len(r.stages)
        lines += _md_table([_("person"), *(md(term(p, s)) for s in r.stages),
                            _("open"), _("amount"), _("serves")],
                           _load_rows(r, md), right=set(range(1, n + 3)))
        if r.unassigned.open_count:
            lines += ["", _("Nobody holds {role} on: {deals}.").format(
                role=md(r.role), deals=", ".join(map(md, r.unassigned.deals)))]
        lines.append("")
    return "\n".join(lines)


# -- the strategy sheet ------------------------------------------------------------------


def _seen(x: Player) -> str:
    if x.last_met is None:
        return _("not met")
    ago = _("today") if x.days_since == 0 else \
        nformat("{n} day ago", "{n} days ago", x.days_since or 0)
    return _("{date} ({ago})").format(date=formats.day(x.last_met), ago=ago)


def _player_power(x: Player) -> str:
    if x.decision_maker:
        return _("decides")
    if x.agreed and x.agreed_on:
        return _("veto, agreed {date}").format(date=formats.day(x.agreed_on))
    return _("veto, agreed") if x.agreed else _("veto, not agreed")


def _level(e: Element) -> str:
    return "-" if e.level is None else f"{e.level}/{e.top}"


def _element_name(e: Element, p: Pipeline) -> str:
    lad = p.ladder(e.ladder)
    return i18n.label(lad) if lad is not None else e.label


def _element_note(e: Element, s: StrategySheet, esc: Esc, p: Pipeline) -> str:
    if e.needed is None or s.next_stage_id is None:
        return ""
    stage = esc(stage_name(p, s.next_stage_id))
    if (e.level or 0) >= e.needed:
        return _("{stage} needs {n}: met").format(stage=stage, n=e.needed)
    return _("{stage} needs {n}").format(stage=stage, n=e.needed)


def _status(status: str) -> str:
    return {"won": _("won"), "lost": _("lost"),
            "open": _("open")}.get(status, status)


def _sheet_head(s: StrategySheet, esc: Esc, p: Pipeline) -> str:
    amount = f"{money(s.amount)} {esc(s.currency)}" if s.currency else money(s.amount)
    state = esc(stage_name(p, s.stage)) if s.status == "open" else esc(_status(s.status))
    if s.close:
        return _("owner {owner} · {state} · {amount} · close {close}").format(
            owner=esc(s.owner), state=state, amount=amount, close=formats.day(s.close))
    return _("owner {owner} · {state} · {amount}").format(owner=esc(s.owner), state=state,
                                                          amount=amount)


def _verdict(s: StrategySheet) -> str:
    if s.verdict == "continue":
        return _("continue")
    if s.verdict == "drop":
        return _("drop")
    return _("not judged yet")


def _team(s: StrategySheet, esc: Esc) -> str:
    held = "; ".join(f"{esc(r)} {esc(x)}" for r, x in s.roles.items()) \
        or _("no support role held")
    if s.roles_missing:
        held += " · " + _("this stage needs {roles}: nobody holds it").format(
            roles=", ".join(map(esc, s.roles_missing)))
    return held


@buffered
def strategy_text(con: Console, s: StrategySheet, p: Pipeline) -> None:
    head = Text(_("Strategy sheet: {id}").format(id=safe(s.id)), style="bold")
    head.append("  " + _("{account}: {title}").format(account=safe(s.account),
                                                       title=safe(s.title)), style="")
    con.print(head)
    con.print(_sheet_head(s, safe, p), markup=False)
    con.print()
    con.print(Text(_("Decision makers and veto holders"), style="bold"))
    if s.players:
        head, *rows = table(
            [Col(_("name"), max_width=22), Col(_("role"), max_width=22), Col(_("power")),
             Col(_("attitude")), Col(_("last met"))],
            [[safe(x.name), safe(x.role), _player_power(x),
              safe(_attitude(x.attitude) or "?"), _seen(x)] for x in s.players], con.width)
        con.lines([head])
        wants_lead = "    " + _("wants: ")
        for x, row in zip(s.players, rows, strict=True):  # what each wants, under him
            con.lines([row])
            wants = Text(wants_lead, style="dim")
            wants.append(safe(x.goal) if x.goal else _("unknown"))
            con.print(wants)
    else:
        con.print(_("none named: who decides, and who can say no?"))
    if s.others:
        con.print(nformat("(and {n} other contact)", "(and {n} other contacts)", s.others),
                  markup=False)
    con.print()
    con.print(Text(_("Key elements"), style="bold"))
    names = [safe(_element_name(e, p)) for e in s.elements]
    width = max([cell_len(n) for n in names] or [0])
    lw = max([len(_level(e)) for e in s.elements] or [0])
    for e, label in zip(s.elements, names, strict=True):
        line = Text(label + " " * (width - cell_len(label)) + f"  {_level(e):>{lw}}")
        line.append(f"  {safe(e.level_label)}" if e.level_label else "  " + _("not scored"),
                    style="" if e.level is not None else "yellow")
        con.print(line)
        said = [_("{evidence} ({date})").format(evidence=safe(e.evidence),
                                                date=formats.day(e.date))
                if e.evidence else ""]
        said.append(_element_note(e, s, safe, p))
        if any(said):
            con.print(" " * (width + lw + 4) + " · ".join(x for x in said if x), markup=False)
    con.print()
    con.print(_("Competitors: {names}").format(
        names=", ".join(map(safe, s.competitors)) or _("none named")), markup=False)
    con.print(_("Our plan: {plan}").format(plan=safe(s.plan) if s.plan else _("none yet")),
              markup=False)
    con.print()
    con.print(Text(_("Still missing"), style="bold"))
    for item in s.missing:
        con.print(f"  - {safe(item)}", markup=False)
    if not s.missing:
        con.print("  " + _("nothing recorded (funnelctl strategy {id} --missing ...)").format(
            id=safe(s.id)), markup=False)
    if s.gaps:
        con.print(Text(_("Not known from the deal file"), style="bold"))
        for gap in s.gaps:
            con.print(f"  - {safe(gap.text)}", markup=False)
    con.print()
    con.print(Text(_("Resources asked for"), style="bold"))
    for item in s.resources or [_none()]:
        con.print(f"  - {safe(item)}", markup=False)
    con.print(_("Team: {team}").format(team=_team(s, safe)), markup=False)
    con.print()
    verdict = Text(_("Verdict: "), style="bold")
    verdict.append(_verdict(s), style={"continue": "green", "drop": "red"}.get(s.verdict or "",
                                                                                "yellow"))
    con.print(verdict)


def strategy_md(s: StrategySheet, p: Pipeline) -> str:
    lines = ["# " + _("Strategy sheet: {id}, {account}: {title}").format(
        id=md(s.id), account=md(s.account), title=md(s.title)), "",
        _sheet_head(s, md, p), "", "## " + _("Decision makers and veto holders"), ""]
    if s.players:
        lines += _md_table([_("name"), _("role"), _("power"), _("attitude"), _("last met"),
                            _("personal goal")],
                           [[md(x.name), md(x.role), _player_power(x),
                             md(_attitude(x.attitude) or "?"), _seen(x), md(x.goal or "?")]
                            for x in s.players])
    else:
        lines.append(_("None named: who decides, and who can say no?"))
    if s.others:
        lines += ["", nformat("And {n} other contact.", "And {n} other contacts.", s.others)]
    lines += ["", "## " + _("Key elements"), ""]
    lines += _md_table([_("element"), _("level"), "", _("next stage"), _("evidence")],
                       [[md(_element_name(e, p)), _level(e), md(e.level_label or ""),
                         _element_note(e, s, md, p),
                         _("{evidence} ({date})").format(evidence=md(e.evidence),
                                                         date=formats.day(e.date))
                         if e.date else md(e.evidence)]
                        for e in s.elements], right={1})
    lines += ["", "## " + _("Competition"), "",
              "- " + _("**Competitors:** {names}").format(
                  names=", ".join(map(md, s.competitors)) or _("none named")),
              "- " + _("**Our plan:** {plan}").format(plan=md(s.plan) if s.plan
                                                      else _("none yet")), "",
              "## " + _("Still missing"), ""]
    lines += [f"- {md(x)}" for x in s.missing] or [_("Nothing recorded.")]
    if s.gaps:
        lines += ["", _("Not known from the deal file:"), ""]
        lines += [f"- {md(g.text)}" for g in s.gaps]
    lines += ["", "## " + _("Resources asked for"), ""]
    lines += [f"- {md(x)}" for x in s.resources] or [_("None.")]
    lines += ["", "- " + _("**Team:** {team}").format(team=_team(s, md)), "",
              "## " + _("Verdict: {verdict}").format(verdict=_verdict(s)), ""]
    return "\n".join(lines)
