"""The handover sheets of ``reassign``, as text for the terminal and as Markdown to
send to the rep who takes the deals over. Every piece of deal text passes the one
safe-text function (``safe`` for the terminal, ``md`` for Markdown)."""

from __future__ import annotations

from funnelctl.analysis.handover import Sheet
from funnelctl.render.rep import money
from funnelctl.render.safe import md, safe


def _contact(c: dict) -> tuple[str, str]:
    """(name, what we know of the person) as plain words."""
    known = [c["role"]] if c["role"] else []
    if c["decision_maker"]:
        known.append("decision maker")
    if c["veto"]:
        known.append("veto")
    known.append(f"met {c['met']}" if c["met"] else "not met yet")
    return c["name"], "; ".join(known)


def _amount(s: Sheet) -> str:
    return f"{money(s.amount)} {s.currency}" if s.currency else money(s.amount)


def _next(s: Sheet) -> str:
    if s.next_date is None:
        return "none: agree one with the customer"
    return f"{s.next_date} {s.next_step}" + (" (overdue)" if s.overdue else "")


def _action(a: dict, esc=safe, arrow: str = "->") -> str:
    out = f"{a['date']} {esc(a['kind'])}: {esc(a['goal'])}"
    return out + (f" {arrow} {esc(a['result'])}" if a["result"] else "")


def head(previous: str, to: str, n: int, reason: str | None, esc=safe,
         arrow: str = "->") -> str:
    deals = "1 deal" if n == 1 else f"{n} deals"
    why = f" ({esc(reason)})" if reason else ""
    return f"{esc(previous)} {arrow} {esc(to)}: {deals} handed over{why}"


def text(sheets: list[Sheet], previous: str, to: str, reason: str | None) -> str:
    lines = [head(previous, to, len(sheets), reason), ""]
    for s in sheets:
        close = f" · close {s.close}" if s.close else ""
        lines.append(safe(f"{s.id}  {s.account}: {s.title} · {s.stage} · {_amount(s)}{close}"))
        lines.append(safe(f"  next       {_next(s)}"))
        for i, c in enumerate(s.contacts or [None]):
            label = "  contacts   " if i == 0 else "             "
            if c is None:
                lines.append(label + "none on file: find out who decides")
            else:
                name, known = _contact(c)
                lines.append(safe(f"{label}{name} ({known})"))
        for i, (mid, label_) in enumerate(s.open_milestones):
            lines.append(safe(("  to pass    " if i == 0 else "             ")
                              + f"{mid}: {label_}"))
        for i, (ladder, have, need) in enumerate(s.short_levels):
            lines.append(safe(("  to raise   " if i == 0 else "             ")
                              + f"{ladder} {have} -> {need} for the next stage"))
        for i, a in enumerate(s.last_actions or [None]):
            label = "  last       " if i == 0 else "             "
            lines.append(label + ("no action recorded" if a is None else _action(a)))
        lines.append("")
    return "\n".join(lines)


def markdown(sheets: list[Sheet], previous: str, to: str, reason: str | None) -> str:
    lines = [f"# Handover: {head(previous, to, len(sheets), reason, md, '→')}", ""]
    for s in sheets:
        lines.append(f"## {md(s.id)}: {md(s.account)}, {md(s.title)}")
        lines.append("")
        close = f", close {s.close}" if s.close else ""
        lines.append(f"- **Stage:** {md(s.stage)}, {md(_amount(s))}{close}")
        lines.append(f"- **Next step:** {md(_next(s))}")
        if s.contacts:
            lines.append("- **Contacts:**")
            lines += [f"  - {md(name)} ({md(known)})" for name, known in map(_contact, s.contacts)]
        else:
            lines.append("- **Contacts:** none on file: find out who decides")
        if s.open_milestones:
            lines.append("- **To pass in this stage:**")
            lines += [f"  - {md(mid)}: {md(label)}" for mid, label in s.open_milestones]
        if s.short_levels:
            lines.append("- **To raise for the next stage:** " + ", ".join(
                f"{md(ladder)} {have} → {need}" for ladder, have, need in s.short_levels))
        if s.last_actions:
            lines.append("- **Last actions:**")
            lines += [f"  - {_action(a, md, '→')}" for a in s.last_actions]
        else:
            lines.append("- **Last actions:** none recorded")
        lines.append("")
    return "\n".join(lines)
