"""The handover sheets of ``reassign``, as text for the terminal and as Markdown to
send to the rep who takes the deals over. Every piece of deal text passes the one
safe-text function (``safe`` for the terminal, ``md`` for Markdown); every word the
message catalog; stages, milestones, ladders and action kinds are named as
``render.history.Names`` names them."""

from __future__ import annotations

from rich.cells import cell_len

from funnelctl import i18n
from funnelctl.analysis.handover import Sheet
from funnelctl.i18n import _, formats, nformat
from funnelctl.render.history import Names
from funnelctl.render.safe import md, safe


def _contact(c: dict) -> tuple[str, str]:
    """(name, what we know of the person) as plain words."""
    known = [c["role"]] if c["role"] else []
    if c["decision_maker"]:
        known.append(_("decision maker"))
    if c["veto"]:
        known.append(_("veto"))
    known.append(_("met {day}").format(day=formats.day(c["met"])) if c["met"]
                 else _("not met yet"))
    return c["name"], _("; ").join(known)


def _money(x: float) -> str:
    """One deal's amount: every digit it has in Chinese (12.3456万)."""
    return formats.money(x, exact=i18n.current() != i18n.DEFAULT)


def _amount(s: Sheet) -> str:
    return f"{_money(s.amount)} {s.currency}" if s.currency else _money(s.amount)


def _stage(s: Sheet) -> str:
    return Names(s.pipeline).label("stage", s.stage_id) if s.pipeline and s.stage_id \
        else s.stage


def _next(s: Sheet) -> str:
    if s.next_date is None:
        return _("none: agree one with the customer")
    return f"{formats.day(s.next_date)} {s.next_step}" + (_(" (overdue)") if s.overdue
                                                          else "")


def _action(a: dict, names: Names, esc=safe, arrow: str = "->") -> str:
    out = _("{day} {kind}: {goal}").format(day=formats.day(a["date"]),
                                           kind=esc(names.kind(a["kind"])), goal=esc(a["goal"]))
    return out + (f" {arrow} {esc(a['result'])}" if a["result"] else "")


def _milestone(s: Sheet, names: Names, mid: str, label: str) -> str:
    """What a milestone still to pass says, in the active language."""
    return names.label("milestone", mid) if s.pipeline else label


def _raise(names: Names, ladder: str, have: int, need: int) -> str:
    return _("{ladder} {level} -> {needed} for the next stage").format(
        ladder=names.ladder(ladder), level=have, needed=need)


def head(previous: str, to: str, n: int, reason: str | None, esc=safe,
         arrow: str = "->") -> str:
    deals = nformat("{n} deal", "{n} deals", n)
    why = f" ({esc(reason)})" if reason else ""
    return _("{previous} {arrow} {to}: {deals} handed over{why}").format(
        previous=esc(previous), arrow=arrow, to=esc(to), deals=deals, why=why)


def text(sheets: list[Sheet], previous: str, to: str, reason: str | None) -> str:
    lines = [head(previous, to, len(sheets), reason), ""]
    words = {"next": _("next"), "contacts": _("contacts"), "pass": _("to pass"),
             "raise": _("to raise"), "last": _("last")}
    width = max(11, *(cell_len(w) + 1 for w in words.values()))
    label = {k: "  " + w + " " * (width - cell_len(w)) for k, w in words.items()}
    more = " " * (width + 2)
    for s in sheets:
        names = Names(s.pipeline)
        close = _(" · close {day}").format(day=formats.day(s.close)) if s.close else ""
        lines.append(safe(f"{s.id}  {s.account}: {s.title} · {_stage(s)} · {_amount(s)}"
                          f"{close}"))
        lines.append(safe(f"{label['next']}{_next(s)}"))
        for i, c in enumerate(s.contacts or [None]):
            lead = label["contacts"] if i == 0 else more
            if c is None:
                lines.append(lead + _("none on file: find out who decides"))
            else:
                name, known = _contact(c)
                lines.append(safe(f"{lead}{name} ({known})"))
        for i, (mid, label_) in enumerate(s.open_milestones):
            lines.append(safe((label["pass"] if i == 0 else more)
                              + f"{mid}: {_milestone(s, names, mid, label_)}"))
        for i, (ladder, have, need) in enumerate(s.short_levels):
            lines.append(safe((label["raise"] if i == 0 else more)
                              + _raise(names, ladder, have, need)))
        for i, a in enumerate(s.last_actions or [None]):
            lead = label["last"] if i == 0 else more
            lines.append(lead + (_("no action recorded") if a is None
                                 else _action(a, names)))
        lines.append("")
    return "\n".join(lines)


def _bold(label: str) -> str:
    return f"- **{label}**"


def markdown(sheets: list[Sheet], previous: str, to: str, reason: str | None) -> str:
    lines = ["# " + _("Handover: {head}").format(
        head=head(previous, to, len(sheets), reason, md, "→")), ""]
    stage_, next_ = _bold(_("Stage:")), _bold(_("Next step:"))
    contacts, last = _bold(_("Contacts:")), _bold(_("Last actions:"))
    to_pass, to_raise = _bold(_("To pass in this stage:")), _bold(_("To raise for the next stage:"))
    nobody, no_action = _("none on file: find out who decides"), _("none recorded")
    for s in sheets:
        names = Names(s.pipeline)
        lines.append(f"## {md(s.id)}: {md(s.account)}, {md(s.title)}")
        lines.append("")
        close = _(", close {day}").format(day=formats.day(s.close)) if s.close else ""
        lines.append(f"{stage_} {md(_stage(s))}, {md(_amount(s))}{close}")
        lines.append(f"{next_} {md(_next(s))}")
        if s.contacts:
            lines.append(contacts)
            lines += [f"  - {md(name)} ({md(known)})" for name, known in map(_contact, s.contacts)]
        else:
            lines.append(f"{contacts} {nobody}")
        if s.open_milestones:
            lines.append(to_pass)
            lines += [f"  - {md(mid)}: {md(_milestone(s, names, mid, label))}"
                      for mid, label in s.open_milestones]
        if s.short_levels:
            lines.append(f"{to_raise} " + ", ".join(
                f"{md(names.ladder(ladder))} {have} → {need}"
                for ladder, have, need in s.short_levels))
        if s.last_actions:
            lines.append(last)
            lines += [f"  - {_action(a, names, md, '→')}" for a in s.last_actions]
        else:
            lines.append(f"{last} {no_action}")
        lines.append("")
    return "\n".join(lines)
