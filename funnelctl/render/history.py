"""A deal's timeline (``funnelctl history``) and the audit of a range of commits
(``funnelctl audit``) as plain text, Markdown and JSON data. The objects come from
``gitio.history`` and ``gitio.audit`` and are read by their attributes; every piece
of data (names, subjects, ids, reasons, steps) passes ``safe`` or ``md``.

Every word passes the message catalog; dates and amounts are written as the active
language writes them (``i18n.formats``). The deal's stages, milestones, ladders and
action kinds are shown by their ids, as funnelctl has always printed them in
English; given the pipeline (``p``), another language shows their labels
(``Names``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from funnelctl import i18n
from funnelctl.i18n import N_, _, formats, nformat, pgettext
from funnelctl.render.safe import md, safe

SHORT = 7  # a commit's id as shown


class Names:
    """What an id of stages.yaml is called on screen. ``stage``, ``ladder``,
    ``milestone``, ``kind``, ``reason``: the id itself in English (as funnelctl has
    always printed it), the item's label in another language when the pipeline is
    known. ``label``: the item's label in the active language, in every language.
    An id the pipeline does not know stays itself."""

    def __init__(self, p: Any = None):
        self.p = p
        self.ids = p is None or i18n.current() == i18n.DEFAULT

    def item(self, what: str, id_: str) -> Any:
        """The item of stages.yaml ``id_`` names (``what``: stage, ladder, milestone,
        kind or reason), or None."""
        p = self.p
        if p is None or not isinstance(id_, str):
            return None
        if what == "stage":
            return p.won if id_ == p.won.id else p.lost if id_ == p.lost.id \
                else p.stage(id_)
        if what == "ladder":
            return p.ladder(id_)
        if what == "reason":
            return p.loss_reason(id_)
        if what == "milestone":
            return next((m for s in p.stages for m in s.milestones if m.id == id_), None)
        return next((k for k in p.action_kinds
                     if (k if isinstance(k, str) else k.id) == id_), None)

    def label(self, what: str, id_: str) -> str:
        item = self.item(what, id_)
        return str(id_) if item is None else i18n.label(item)

    def name(self, what: str, id_: Any) -> str:
        return str(id_) if self.ids else self.label(what, id_)

    def stage(self, stage_id: Any) -> str:
        return self.name("stage", stage_id)

    def ladder(self, ladder_id: str) -> str:
        return self.name("ladder", ladder_id)

    def milestone(self, milestone_id: str) -> str:
        return self.name("milestone", milestone_id)

    def kind(self, kind_id: str) -> str:
        return self.name("kind", kind_id)

    def reason(self, reason_id: str) -> str:
        return self.name("reason", reason_id)

    def waived(self, item: str) -> str:
        """A waived milestone (``need_confirmed``) or level (``need>=3``)."""
        if self.ids:
            return item
        if ">=" in item:
            ladder, _sep, level = item.partition(">=")
            return f"{self.ladder(ladder)}>={level}"
        return self.milestone(item)


IDS = Names()


def status(value: str) -> str:
    """A deal's status as a word of the active language."""
    return {"open": pgettext("status", "open"), "won": pgettext("status", "won"),
            "lost": pgettext("status", "lost")}.get(value, value)


def _short(commit: str | None) -> str:
    return commit[:SHORT] if commit else ""


def _day(when: dt.date | None) -> str:
    """A commit's date as its author's calendar day."""
    if when is None:
        return ""
    return formats.day(dt.date(when.year, when.month, when.day))


def _date(value: Any) -> str:
    """A date of the deal (a history entry's, a close date) in text."""
    return formats.day(value) if isinstance(value, dt.date) else str(value)


def _money(x: float) -> str:
    return formats.money(x, exact=True)


def _entry(e: dict[str, Any] | None, s: Callable[[str], str], n: Names = IDS) -> str:
    if e is None:
        return _("(none)")
    out = f"{s(n.stage(e['stage']))} {_date(e['date'])}"
    if e.get("reason"):
        out += _(", forced: {reason}").format(reason=s(e["reason"]))
    if e.get("waived"):
        out += _(", waived {items}").format(
            items=_(", ").join(s(n.waived(w)) for w in e["waived"]))
    return out


FIELDS = {"stage": N_("stage"), "date": N_("date"), "reason": N_("reason"),
          "waived": N_("waived")}


def _edit(was: dict[str, Any], now: dict[str, Any], s: Callable[[str], str],
          n: Names = IDS) -> str:
    """An edited history entry: the entry as it was, and each field that changed."""
    diffs = []
    for key in ("stage", "date", "reason", "waived"):
        a, b = was.get(key), now.get(key)
        if a != b:
            diffs.append(f"{_(FIELDS[key])} {_field(key, a, s, n)} -> {_field(key, b, s, n)}")
    return _("{entry}: {changes}").format(
        entry=f"{s(n.stage(was['stage']))} {_date(was['date'])}", changes="; ".join(diffs))


def _field(key: str, v: Any, s: Callable[[str], str], n: Names = IDS) -> str:
    if key == "waived":
        return "[" + _(", ").join(s(n.waived(w)) for w in v) + "]"
    if v is None:
        return _("(none)")
    if key == "reason":
        return f'"{s(v)}"'
    if key == "stage":
        return s(n.stage(v))
    return s(_date(v)) if key == "date" else s(str(v))


def _outcome(o: dict[str, Any] | None, s: Callable[[str], str], n: Names = IDS) -> str:
    if o is None:
        return _("(none)")
    out = s(n.reason(o["reason"])) if o.get("reason") else _("no reason")
    if o.get("competitor"):
        out += f" ({s(o['competitor'])})"
    if o.get("note"):
        out += _(": {note}").format(note=s(o["note"]))
    return _("{outcome}, {day}").format(outcome=out, day=_date(o["date"]))


def _opt(x: Any, s: Callable[[str], str]) -> str:
    return _("(none)") if x is None else s(str(x))


# the other fields a change names: "{field} {from} -> {to}"
CHANGED = {"id": N_("id"), "owner": N_("owner"), "stage": N_("stage"),
           "currency": N_("currency"), "close": N_("close"), "title": N_("title"),
           "account": N_("account")}


def change_text(kind: str, d: dict[str, Any], s: Callable[[str], str] = safe,
                n: Names = IDS) -> str:
    """One change of ``gitio.history.changes`` in words."""
    if kind == "created":
        amount = f"{_money(d['amount'])} {s(d['currency'] or '')}".rstrip()
        out = _("created at {stage}, {amount}, owner {owner}").format(
            stage=s(n.stage(d["stage"])), amount=amount, owner=s(d["owner"]))
        if d.get("close"):
            out += _(", close {day}").format(day=_date(d["close"]))
        return out
    if kind == "deleted":
        return _("file deleted")
    if kind == "renamed":
        return _("renamed {was} -> {now}").format(was=s(d["from"]), now=s(d["to"]))
    if kind == "status":
        if d["to"] == "lost":
            o = d.get("outcome")
            return _("lost: {outcome}").format(outcome=_outcome(o, s, n)) if o \
                else status("lost")
        if d["to"] == "won":
            return status("won")
        return _("status {was} -> {now}").format(was=s(status(d["from"])),
                                                 now=s(status(d["to"])))
    if kind == "outcome":
        return _("outcome {was} -> {now}").format(was=_outcome(d["from"], s, n),
                                                  now=_outcome(d["to"], s, n))
    if kind == "amount":
        cur = f" {s(d['currency'])}" if d.get("currency") else ""
        return _("amount {was} -> {now}").format(was=_money(d["from"]),
                                                 now=_money(d["to"])) + cur
    if kind == "level":
        ladder = s(n.ladder(d["ladder"]))
        if d["from"] is None:
            return f"{ladder} {d['to']}"
        if d["to"] is None:
            return _("{ladder} {level} removed").format(ladder=ladder, level=d["from"])
        return f"{ladder} {d['from']} -> {d['to']}"
    if kind == "ticked":
        return _("ticked {milestone}").format(milestone=s(n.milestone(d["milestone"])))
    if kind == "unticked":
        return _("unticked {milestone}").format(milestone=s(n.milestone(d["milestone"])))
    if kind in ("action", "action_removed"):
        goal = _(": {goal}").format(goal=s(d["goal"])) if d.get("goal") else ""
        head = _("action {kind} {day}") if kind == "action" \
            else _("action removed {kind} {day}")
        return head.format(kind=s(n.kind(d["action"])), day=_date(d["date"])) + goal
    if kind == "contact_added":
        return _("contact added: {name}").format(name=s(d["name"]))
    if kind == "contact_removed":
        return _("contact removed: {name}").format(name=s(d["name"]))
    if kind == "next":
        to = d["to"]
        if to is None:
            return _("next step removed")
        return _("next step {day}: {step}").format(day=_date(to["date"]), step=s(to["step"]))
    if kind == "history":
        return _("history + {entry}").format(entry=_entry(d, s, n))
    # id, owner, stage, currency, close, title, account
    was, now = d["from"], d["to"]
    if kind == "stage":
        was, now = (None if x is None else n.stage(x) for x in (was, now))
    elif kind == "close":
        was, now = (None if x is None else _date(x) for x in (was, now))
    name = _(CHANGED[kind]) if kind in CHANGED else kind
    return f"{name} {_opt(was, s)} -> {_opt(now, s)}"


def flag_text(kind: str, d: dict[str, Any], s: Callable[[str], str] = safe,
              n: Names = IDS) -> str:
    """One disagreement in words."""
    if kind == "history_edited":
        return _("history entry edited after the fact: {edit}").format(
            edit=_edit(d["was"], d["now"], s, n))
    if kind == "history_removed":
        return _("history entry removed after the fact: {entry}").format(
            entry=_entry(d["was"], s, n))
    if kind == "outcome_rewritten":
        return _("outcome rewritten: {was} -> {now}").format(
            was=_outcome(d["was"], s, n), now=_outcome(d["now"], s, n))
    if kind == "stage_without_history":
        return _("stage {was} -> {now} changed without a history entry").format(
            was=s(n.stage(d["from"])), now=s(n.stage(d["to"])))
    if kind == "unreadable":
        return _("this version is not readable as a deal: {problem}").format(
            problem=s(d["problem"]))
    return kind


# -- history ---------------------------------------------------------------------------


def _who(row: Any, s: Callable[[str], str]) -> str:
    return f"{s(row.author)} <{s(row.email)}>"


def _flag_count(t: Any) -> int:
    return sum(len(r.flags) for r in t.rows)


def _commits(n: int) -> str:
    return nformat("{n} commit", "{n} commits", n)


def _flags(n: int) -> str:
    return nformat("{n} flag", "{n} flags", n)


def timeline_text(t: Any, p: Any = None) -> str:
    """The timeline, oldest first, each commit with what it changed and its flags
    ('!'), then the history the file records and the commit that added each entry.
    ``p``: the pipeline, to name its stages and ladders in another language."""
    names = Names(p)
    commits = [r for r in t.rows if r.commit]
    authors = {r.email.lower() for r in commits}
    counts = _("{commits}, {authors}, {flags}").format(
        commits=_commits(len(commits)),
        authors=nformat("{n} author", "{n} authors", len(authors)),
        flags=_flags(_flag_count(t)))
    lines = [f"{safe(t.deal)} ({safe(t.path)}): {counts}", ""]
    for r in t.rows:
        if r.commit:
            lines.append(f"{_day(r.date)}  {_short(r.commit)}  {_who(r, safe)}  "
                         f"{safe(r.subject)}")
        else:
            lines.append(_("(working tree)  not committed"))
        if r.compared_with:
            lines.append("    " + _("(compared with {commit}, the last version that is "
                                     "a deal)").format(commit=_short(r.compared_with)))
        lines += [f"    {change_text(c.kind, c.data, safe, names)}" for c in r.changes]
        lines += [f"  ! {flag_text(f.kind, f.data, safe, names)}" for f in r.flags]
        if not r.changes and not r.flags:
            lines.append("    " + _("no change in the deal's terms (layout or comments)"))
    if not t.rows:
        lines.append(_("no commit has this file yet"))
    lines += ["", _("History recorded in the file:")]
    for rec in t.recorded:
        lines.append(f"  {_entry(rec.entry.as_json(), safe, names)}  ({_added(rec, safe)})")
    return "\n".join(lines) + "\n"


def _added(rec: Any, s: Callable[[str], str]) -> str:
    """Where a recorded entry was added (and last edited)."""
    out = _("added {where}").format(where=_where(rec.row, s))
    if rec.edited:
        out += _(", edited {where}").format(where=_where(rec.edited, s))
    return out


def _where(row: Any, s: Callable[[str], str] = safe) -> str:
    if row is None:
        return _("before any commit read")
    if row.commit is None:
        return _("in the working tree")
    return _("in {commit} by {author} on {day}").format(
        commit=_short(row.commit), author=s(row.author), day=_day(row.date))


def timeline_md(t: Any, p: Any = None) -> str:
    names = Names(p)
    commits = [r for r in t.rows if r.commit]
    lines = [f"## {md(t.deal)} ({md(t.path)})", "",
             _("{commits}, {flags}").format(commits=_commits(len(commits)),
                                            flags=_flags(_flag_count(t))), "",
             _("| date | commit | author | changes |"), "|---|---|---|---|"]
    working = _("| | working tree | |")
    quiet = _("layout or comments")
    for r in t.rows:
        parts = [change_text(c.kind, c.data, md, names) for c in r.changes]
        parts += [f"**{flag_text(f.kind, f.data, md, names)}**" for f in r.flags]
        head = (f"| {_day(r.date)} | `{_short(r.commit)}` | {md(r.author)} |" if r.commit
                else working)
        lines.append(f"{head} {'<br>'.join(parts) or quiet} |")
    lines += ["", _("History recorded in the file:"), ""]
    for rec in t.recorded:
        lines.append(f"- {_entry(rec.entry.as_json(), md, names)} ({_added(rec, md)})")
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
    "forced": N_("Forced moves and waivers not committed by a manager of the owner"),
    "outsider": N_("Deals changed by someone who neither owns them nor manages their owner"),
    "rewritten": N_("History or outcome rewritten after the fact"),
    "by_hand": N_("Stage changed by hand, without a history entry"),
    "unreadable": N_("Commits that left a deal file unreadable (their change is not "
                     "audited)"),
    "unknown_author": N_("Authors whose email is in no people: entry of stages.yaml"),
}


def _who_person(f: Any, s: Callable[[str], str]) -> str:
    return s(f.person) if f.person else f"{s(f.author)} <{s(f.email)}>"


def finding_text(f: Any, s: Callable[[str], str] = safe, n: Names = IDS) -> str:
    d = f.detail
    managers = ", ".join(s(m) for m in d.get("managers", ())) or _("none in stages.yaml")
    if f.kind == "forced":
        by = (_("by its owner") if f.person == d["owner"] else
              _("by an author not in people:") if f.person is None else
              _("by no manager of {owner}").format(owner=s(d["owner"])))
        return _("{entry}; {by} (managers: {managers})").format(
            entry=_entry(d["entry"], s, n), by=by, managers=managers)
    if f.kind == "outsider":
        return _("neither the owner ({owner}) nor a manager ({managers})").format(
            owner=s(d["owner"]), managers=managers)
    if f.kind == "rewritten":
        if d["what"] == "history":
            return (_("history entry removed: {entry}").format(entry=_entry(d["was"], s, n))
                    if d["now"] is None else _("history entry edited: {edit}").format(
                        edit=_edit(d["was"], d["now"], s, n)))
        return _("outcome {was} -> {now}").format(was=_outcome(d["was"], s, n),
                                                  now=_outcome(d["now"], s, n))
    if f.kind == "by_hand":
        return _("stage {was} -> {now}").format(was=s(n.stage(d["from"])),
                                                now=s(n.stage(d["to"])))
    if f.kind == "unreadable":
        return s(d["problem"])
    if f.kind == "unknown_author":
        shown = ", ".join(_short(c) for c in d["commits"][:5])
        more = f", ... ({len(d['commits'])})" if len(d["commits"]) > 5 else ""
        return f"{_commits(len(d['commits']))}: {shown}{more}"
    return f.kind


def _grouped(findings: list[Any]) -> list[tuple[str, list[Any]]]:
    return [(kind, [f for f in findings if f.kind == kind]) for kind in TITLES
            if any(f.kind == kind for f in findings)]


def _scope(rev_range: str | None, since: dt.date | None, s: Callable[[str], str] = safe
           ) -> str:
    if rev_range:
        return s(rev_range)
    return _("HEAD since {day}").format(day=formats.day(since)) if since else "HEAD"


def _changes(n: int) -> str:
    return nformat("{n} deal file change", "{n} deal file changes", n)


def _findings(n: int) -> str:
    return nformat("{n} finding", "{n} findings", n)


def audit_text(a: Any, rev_range: str | None, since: dt.date | None, p: Any = None) -> str:
    """Findings grouped by kind, each with its commit, day, author and deal."""
    names = Names(p)
    head = _("audit of {scope}: {commits}, {changes}").format(
        scope=_scope(rev_range, since), commits=_commits(a.commits),
        changes=_changes(a.changes))
    if not a.findings:
        return head + _(": nothing to report") + "\n"
    lines = [head]
    for kind, found in _grouped(a.findings):
        lines += ["", f"{_(TITLES[kind])} ({len(found)}):"]
        for f in found:
            if kind == "unknown_author":
                lines.append(f"  {safe(f.email)} ({safe(f.author)}): "
                             f"{finding_text(f, safe, names)}")
            else:
                lines.append(f"  {_short(f.commit)}  {_day(f.date)}  {_who_person(f, safe)}  "
                             f"{safe(f.deal)}: {finding_text(f, safe, names)}")
    lines += ["", _findings(len(a.findings))]
    return "\n".join(lines) + "\n"


def audit_md(a: Any, rev_range: str | None, since: dt.date | None, p: Any = None) -> str:
    names = Names(p)
    head = (_("## Audit of {scope}").format(scope=_scope(rev_range, since, md)) + "\n\n"
            + _("{commits}, {changes}").format(commits=_commits(a.commits),
                                               changes=_changes(a.changes)))
    if not a.findings:
        return head + _(": nothing to report.") + "\n"
    lines = [head + _(", {findings}.").format(findings=_findings(len(a.findings)))]
    table_head = _("| commit | date | author | deal | what |")
    for kind, found in _grouped(a.findings):
        lines += ["", f"### {_(TITLES[kind])} ({len(found)})", "",
                  table_head, "|---|---|---|---|---|"]
        for f in found:
            lines.append(f"| `{_short(f.commit)}` | {_day(f.date)} | {_who_person(f, md)} | "
                         f"{md(f.deal)} | {finding_text(f, md, names)} |")
    return "\n".join(lines) + "\n"


def audit_json(a: Any, rev_range: str | None, since: dt.date | None) -> dict[str, Any]:
    return {
        "range": rev_range, "since": since, "commits": a.commits, "changes": a.changes,
        "findings": [{"kind": f.kind, "commit": f.commit, "date": f.date, "author": f.author,
                      "email": f.email, "person": f.person, "deal": f.deal or None,
                      "path": f.path or None, **f.detail} for f in a.findings],
    }
