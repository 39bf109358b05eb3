"""A deal's timeline (``funnelctl history``) and the audit of a range of commits
(``funnelctl audit``) as plain text, Markdown and JSON data. The objects come from
``gitio.history`` and ``gitio.audit`` and are read by their attributes; every piece
of data (names, subjects, ids, reasons, steps) passes ``safe`` or ``md``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from funnelctl.render.safe import md, safe

SHORT = 7  # a commit's id as shown


def _short(commit: str | None) -> str:
    return commit[:SHORT] if commit else ""


def _day(when: dt.date | None) -> str:
    """A commit's date as its author's calendar day."""
    return "" if when is None else when.isoformat()[:10]


def _money(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,.2f}"


def _entry(e: dict[str, Any] | None, s: Callable[[str], str]) -> str:
    if e is None:
        return "(none)"
    out = f"{s(e['stage'])} {e['date']}"
    if e.get("reason"):
        out += f", forced: {s(e['reason'])}"
    if e.get("waived"):
        out += f", waived {', '.join(s(w) for w in e['waived'])}"
    return out


def _edit(was: dict[str, Any], now: dict[str, Any], s: Callable[[str], str]) -> str:
    """An edited history entry: the entry as it was, and each field that changed."""
    diffs = []
    for key in ("stage", "date", "reason", "waived"):
        a, b = was.get(key), now.get(key)
        if a != b:
            diffs.append(f"{key} {_field(key, a, s)} -> {_field(key, b, s)}")
    return f"{s(was['stage'])} {was['date']}: {'; '.join(diffs)}"


def _field(key: str, v: Any, s: Callable[[str], str]) -> str:
    if key == "waived":
        return "[" + ", ".join(s(w) for w in v) + "]"
    if v is None:
        return "(none)"
    return f'"{s(v)}"' if key == "reason" else s(str(v))


def _outcome(o: dict[str, Any] | None, s: Callable[[str], str]) -> str:
    if o is None:
        return "(none)"
    out = s(o["reason"]) if o.get("reason") else "no reason"
    if o.get("competitor"):
        out += f" ({s(o['competitor'])})"
    if o.get("note"):
        out += f": {s(o['note'])}"
    return f"{out}, {o['date']}"


def _opt(x: Any, s: Callable[[str], str]) -> str:
    return "(none)" if x is None else s(str(x))


def change_text(kind: str, d: dict[str, Any], s: Callable[[str], str] = safe) -> str:
    """One change of ``gitio.history.changes`` in words."""
    if kind == "created":
        close = f", close {d['close']}" if d.get("close") else ""
        return (f"created at {s(d['stage'])}, {_money(d['amount'])} "
                f"{s(d['currency'] or '')}".rstrip() + f", owner {s(d['owner'])}{close}")
    if kind == "deleted":
        return "file deleted"
    if kind == "renamed":
        return f"renamed {s(d['from'])} -> {s(d['to'])}"
    if kind == "status":
        if d["to"] == "lost":
            o = d.get("outcome")
            return f"lost: {_outcome(o, s)}" if o else "lost"
        if d["to"] == "won":
            return "won"
        return f"status {s(d['from'])} -> {s(d['to'])}"
    if kind == "outcome":
        return f"outcome {_outcome(d['from'], s)} -> {_outcome(d['to'], s)}"
    if kind == "amount":
        cur = f" {s(d['currency'])}" if d.get("currency") else ""
        return f"amount {_money(d['from'])} -> {_money(d['to'])}{cur}"
    if kind == "level":
        if d["from"] is None:
            return f"{s(d['ladder'])} {d['to']}"
        if d["to"] is None:
            return f"{s(d['ladder'])} {d['from']} removed"
        return f"{s(d['ladder'])} {d['from']} -> {d['to']}"
    if kind == "ticked":
        return f"ticked {s(d['milestone'])}"
    if kind == "unticked":
        return f"unticked {s(d['milestone'])}"
    if kind in ("action", "action_removed"):
        goal = f": {s(d['goal'])}" if d.get("goal") else ""
        head = "action" if kind == "action" else "action removed"
        return f"{head} {s(d['action'])} {d['date']}{goal}"
    if kind == "contact_added":
        return f"contact added: {s(d['name'])}"
    if kind == "contact_removed":
        return f"contact removed: {s(d['name'])}"
    if kind == "next":
        to = d["to"]
        return "next step removed" if to is None else f"next step {to['date']}: {s(to['step'])}"
    if kind == "history":
        return f"history + {_entry(d, s)}"
    # id, owner, stage, currency, close, title, account
    return f"{kind} {_opt(d['from'], s)} -> {_opt(d['to'], s)}"


def flag_text(kind: str, d: dict[str, Any], s: Callable[[str], str] = safe) -> str:
    """One disagreement in words."""
    if kind == "history_edited":
        return f"history entry edited after the fact: {_edit(d['was'], d['now'], s)}"
    if kind == "history_removed":
        return f"history entry removed after the fact: {_entry(d['was'], s)}"
    if kind == "outcome_rewritten":
        return f"outcome rewritten: {_outcome(d['was'], s)} -> {_outcome(d['now'], s)}"
    if kind == "stage_without_history":
        return f"stage {s(d['from'])} -> {s(d['to'])} changed without a history entry"
    if kind == "unreadable":
        return f"this version is not readable as a deal: {s(d['problem'])}"
    return kind


# -- history ---------------------------------------------------------------------------


def _who(row: Any, s: Callable[[str], str]) -> str:
    return f"{s(row.author)} <{s(row.email)}>"


def _flag_count(t: Any) -> int:
    return sum(len(r.flags) for r in t.rows)


def timeline_text(t: Any) -> str:
    """The timeline, oldest first, each commit with what it changed and its flags
    ('!'), then the history the file records and the commit that added each entry."""
    commits = [r for r in t.rows if r.commit]
    authors = {r.email.lower() for r in commits}
    n = _flag_count(t)
    lines = [f"{safe(t.deal)} ({safe(t.path)}): {_count(len(commits), 'commit')}, "
             f"{_count(len(authors), 'author')}, {_count(n, 'flag')}", ""]
    for r in t.rows:
        if r.commit:
            lines.append(f"{_day(r.date)}  {_short(r.commit)}  {_who(r, safe)}  "
                         f"{safe(r.subject)}")
        else:
            lines.append("(working tree)  not committed")
        if r.compared_with:
            lines.append(f"    (compared with {_short(r.compared_with)}, the last version "
                         f"that is a deal)")
        lines += [f"    {change_text(c.kind, c.data)}" for c in r.changes]
        lines += [f"  ! {flag_text(f.kind, f.data)}" for f in r.flags]
        if not r.changes and not r.flags:
            lines.append("    no change in the deal's terms (layout or comments)")
    if not t.rows:
        lines.append("no commit has this file yet")
    lines += ["", "History recorded in the file:"]
    for rec in t.recorded:
        where = f"added {_where(rec.row)}"
        if rec.edited:
            where += f", edited {_where(rec.edited)}"
        lines.append(f"  {_entry(rec.entry.as_json(), safe)}  ({where})")
    return "\n".join(lines) + "\n"


def _where(row: Any, s: Callable[[str], str] = safe) -> str:
    if row is None:
        return "before any commit read"
    if row.commit is None:
        return "in the working tree"
    return f"in {_short(row.commit)} by {s(row.author)} on {_day(row.date)}"


def timeline_md(t: Any) -> str:
    commits = [r for r in t.rows if r.commit]
    lines = [f"## {md(t.deal)} ({md(t.path)})", "",
             f"{_count(len(commits), 'commit')}, {_count(_flag_count(t), 'flag')}", "",
             "| date | commit | author | changes |", "|---|---|---|---|"]
    for r in t.rows:
        parts = [change_text(c.kind, c.data, md) for c in r.changes]
        parts += [f"**{flag_text(f.kind, f.data, md)}**" for f in r.flags]
        head = (f"| {_day(r.date)} | `{_short(r.commit)}` | {md(r.author)} |" if r.commit
                else "| | working tree | |")
        lines.append(f"{head} {'<br>'.join(parts) or 'layout or comments'} |")
    lines += ["", "History recorded in the file:", ""]
    for rec in t.recorded:
        where = f"added {_where(rec.row, md)}"
        if rec.edited:
            where += f", edited {_where(rec.edited, md)}"
        lines.append(f"- {_entry(rec.entry.as_json(), md)} ({where})")
    return "\n".join(lines) + "\n"


def _row_ref(row: Any) -> dict[str, Any] | None:
    """The commit an entry came with ({"commit": null}: the working tree)."""
    if row is None:
        return None
    return {"commit": row.commit, "author": row.author or None, "date": row.date}


def _change_json(c: Any) -> dict[str, Any]:
    return {"kind": c.kind, **c.data}


def timeline_json(t: Any) -> dict[str, Any]:
    """The timeline as data: dates ISO, commit ids in full (``commit`` null: the
    working tree)."""
    return {
        "deal": t.deal, "path": t.path, "flags": _flag_count(t),
        "timeline": [{
            "commit": r.commit, "author": r.author or None, "email": r.email or None,
            "date": r.date, "subject": r.subject if r.commit else None, "path": r.path,
            "working_tree": r.commit is None, "compared_with": r.compared_with,
            "changes": [_change_json(c) for c in r.changes],
            "flags": [_change_json(f) for f in r.flags]} for r in t.rows],
        "recorded": [{**rec.entry.as_json(),
                      "added": _row_ref(rec.row), "edited": _row_ref(rec.edited)}
                     for rec in t.recorded],
    }


# -- audit -----------------------------------------------------------------------------

TITLES = {
    "forced": "Forced moves and waivers not committed by a manager of the owner",
    "outsider": "Deals changed by someone who neither owns them nor manages their owner",
    "rewritten": "History or outcome rewritten after the fact",
    "by_hand": "Stage changed by hand, without a history entry",
    "unreadable": "Commits that left a deal file unreadable (their change is not audited)",
    "unknown_author": "Authors whose email is in no people: entry of stages.yaml",
}


def _who_person(f: Any, s: Callable[[str], str]) -> str:
    return s(f.person) if f.person else f"{s(f.author)} <{s(f.email)}>"


def finding_text(f: Any, s: Callable[[str], str] = safe) -> str:
    d = f.detail
    managers = ", ".join(s(m) for m in d.get("managers", ())) or "none in stages.yaml"
    if f.kind == "forced":
        by = ("by its owner" if f.person == d["owner"] else
              "by an author not in people:" if f.person is None else "by no manager of "
              f"{s(d['owner'])}")
        return f"{_entry(d['entry'], s)}; {by} (managers: {managers})"
    if f.kind == "outsider":
        return f"neither the owner ({s(d['owner'])}) nor a manager ({managers})"
    if f.kind == "rewritten":
        if d["what"] == "history":
            return (f"history entry removed: {_entry(d['was'], s)}" if d["now"] is None
                    else f"history entry edited: {_edit(d['was'], d['now'], s)}")
        return f"outcome {_outcome(d['was'], s)} -> {_outcome(d['now'], s)}"
    if f.kind == "by_hand":
        return f"stage {s(d['from'])} -> {s(d['to'])}"
    if f.kind == "unreadable":
        return s(d["problem"])
    if f.kind == "unknown_author":
        shown = ", ".join(_short(c) for c in d["commits"][:5])
        more = f", ... ({len(d['commits'])})" if len(d["commits"]) > 5 else ""
        return f"{_count(len(d['commits']), 'commit')}: {shown}{more}"
    return f.kind


def _grouped(findings: list[Any]) -> list[tuple[str, list[Any]]]:
    return [(kind, [f for f in findings if f.kind == kind]) for kind in TITLES
            if any(f.kind == kind for f in findings)]


def _scope(rev_range: str | None, since: dt.date | None) -> str:
    return safe(rev_range) if rev_range else f"HEAD since {since}" if since else "HEAD"


def audit_text(a: Any, rev_range: str | None, since: dt.date | None) -> str:
    """Findings grouped by kind, each with its commit, day, author and deal."""
    lines = [f"audit of {_scope(rev_range, since)}: {_count(a.commits, 'commit')}, "
             f"{_count(a.changes, 'deal file change')}"]
    if not a.findings:
        return lines[0] + ": nothing to report\n"
    for kind, found in _grouped(a.findings):
        lines += ["", f"{TITLES[kind]} ({len(found)}):"]
        for f in found:
            if kind == "unknown_author":
                lines.append(f"  {safe(f.email)} ({safe(f.author)}): {finding_text(f)}")
            else:
                lines.append(f"  {_short(f.commit)}  {_day(f.date)}  {_who_person(f, safe)}  "
                             f"{safe(f.deal)}: {finding_text(f)}")
    lines += ["", f"{_count(len(a.findings), 'finding')}"]
    return "\n".join(lines) + "\n"


def audit_md(a: Any, rev_range: str | None, since: dt.date | None) -> str:
    head = (f"## Audit of {md(rev_range) if rev_range else f'HEAD since {since}'}\n\n"
            f"{_count(a.commits, 'commit')}, {_count(a.changes, 'deal file change')}")
    if not a.findings:
        return head + ": nothing to report.\n"
    lines = [head + f", {_count(len(a.findings), 'finding')}."]
    for kind, found in _grouped(a.findings):
        lines += ["", f"### {TITLES[kind]} ({len(found)})", "",
                  "| commit | date | author | deal | what |", "|---|---|---|---|---|"]
        for f in found:
            lines.append(f"| `{_short(f.commit)}` | {_day(f.date)} | {_who_person(f, md)} | "
                         f"{md(f.deal)} | {finding_text(f, md)} |")
    return "\n".join(lines) + "\n"


def audit_json(a: Any, rev_range: str | None, since: dt.date | None) -> dict[str, Any]:
    return {
        "range": rev_range, "since": since, "commits": a.commits, "changes": a.changes,
        "findings": [{"kind": f.kind, "commit": f.commit, "date": f.date, "author": f.author,
                      "email": f.email, "person": f.person, "deal": f.deal or None,
                      "path": f.path or None, **f.detail} for f in a.findings],
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
