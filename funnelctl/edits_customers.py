"""Writes about the people around a deal: its contacts, the support roles held on
it, and the fields of its strategy sheet. Like ``edits``: each judges what the user
typed, refuses what breaks a rule, and changes only the nodes it means to, in the
round-trip document the store hands it.

Each returns what it changed, as ``Change``s: ``str()`` is the ``name: value`` line of
the commit body (English, like the file's keys), ``said()`` the phrase of the command's
message in the active language; an empty list when the file already said it
(nothing is written).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from funnelctl.analysis.roles import holder, role_issues
from funnelctl.edits import (
    Refused,
    _ends_document,
    _give_trailing,
    _safe,
    _take_trailing,
    append_entry,
    append_item,
    block_map,
    ensure_block,
    refuse_on,
    set_key,
)
from funnelctl.i18n import N_, _
from funnelctl.pipeline import Pipeline

if TYPE_CHECKING:
    from funnelctl.readmodel import AnyDeal as Deal

ATTITUDES = ("supporter", "neutral", "opponent")

# what a message says of a field of a contact or a line of the strategy sheet it
# changed (the English is the commit body's line: the file's key and the value)
SET = {
    "role": N_("role: {value}"), "phone": N_("phone: {value}"),
    "decision_maker": N_("decision_maker: {value}"), "veto": N_("veto: {value}"),
    "met": N_("met: {value}"), "last_met": N_("last_met: {value}"),
    "agreed": N_("agreed: {value}"), "agreed_on": N_("agreed_on: {value}"),
    "goal": N_("goal: {value}"), "attitude": N_("attitude: {value}"),
    "plan": N_("plan: {value}"), "missing": N_("missing: {value}"),
    "found": N_("found: {value}"), "resource": N_("resource: {value}"),
    "resource dropped": N_("resource dropped: {value}"),
    "competitor": N_("competitor: {value}"),
    "competitor dropped": N_("competitor dropped: {value}"),
    "verdict": N_("verdict: {value}"),
}
CLEARED = {"role": N_("role cleared"), "phone": N_("phone cleared"),
           "goal": N_("goal cleared")}
# the refusals about an item of a list of the strategy sheet
LISTED = {"missing": N_("{item!r} is listed in missing already"),
          "resources": N_("{item!r} is listed in resources already"),
          "competitors": N_("{item!r} is listed in competitors already")}
NOT_LISTED = {"missing": N_("{item!r} is not in missing (missing: {items})"),
              "resources": N_("{item!r} is not in resources (resources: {items})"),
              "competitors": N_("{item!r} is not in competitors (competitors: {items})")}


def attitude_name(value: str) -> str:
    if value == "supporter":
        return _("supporter")
    if value == "neutral":
        return _("neutral")
    if value == "opponent":
        return _("opponent")
    return value


def verdict_name(value: str) -> str:
    if value == "continue":
        return _("continue")
    if value == "drop":
        return _("drop")
    return value


class Change(NamedTuple):
    """One thing a write changed: a field and its new value (None: cleared), or an
    item added to or dropped from a list (``resource dropped``, the item)."""

    key: str
    value: Any

    def __str__(self) -> str:
        """The commit body's line: ``attitude: supporter``, ``agreed: yes``,
        ``role cleared``."""
        if self.value is None or self.value == "":
            return f"{self.key} cleared"
        shown = "yes" if self.value is True else "no" if self.value is False else self.value
        return f"{self.key}: {shown}"

    def said(self) -> str:
        """The phrase of the command's message, in the active language (in English
        the commit body's line)."""
        from funnelctl.i18n import formats

        v = self.value
        if v is None or v == "":
            return _(CLEARED[self.key]) if self.key in CLEARED else str(self)
        if self.key not in SET:
            return str(self)
        if v is True or v is False:
            shown = _("yes") if v else _("no")
        elif isinstance(v, dt.date):
            shown = formats.day(v)
        elif self.key == "attitude":
            shown = attitude_name(v)
        elif self.key == "verdict":
            shown = verdict_name(v)
        else:
            shown = str(v)
        return _(SET[self.key]).format(value=shown)


def _key(text: str) -> str:
    """Names and items compare ignoring case and spacing: "zhang  min" is Zhang Min."""
    return " ".join(text.split()).casefold()


def _text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise Refused(_("{what} needs text").format(what=what))
    return value


def _drop_key(node: CommentedMap, key: str, root: CommentedMap) -> None:
    """Remove ``key``; when it is the last line of the document, the comment that
    closed the document stays at its end."""
    if key not in node:
        return
    last = list(node.keys())[-1] == key and _ends_document(node, root)
    tok = _take_trailing(root) if last else None
    del node[key]
    _give_trailing(root, tok)


def _seq_in(mapping: CommentedMap, key: str, item: Any, root: CommentedMap) -> None:
    """``append_entry`` for a list inside ``mapping`` (not at the top of the file)."""
    node = mapping.get(key)
    if isinstance(node, CommentedSeq) and (len(node) or not node.fa.flow_style()):
        append_item(node, item)
        return
    seq = CommentedSeq()
    seq.append(item)
    set_key(mapping, key, seq, root)


# -- contacts ----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactFields:
    """What ``contact add|set`` was given; None: not given. An empty text clears."""

    role: str | None = None
    phone: str | None = None
    decision_maker: bool | None = None
    veto: bool | None = None
    met: dt.date | None = None
    agreed: dt.date | None = None
    goal: str | None = None
    attitude: str | None = None

    def given(self) -> bool:
        return any(v is not None for v in vars(self).values())


def _judge(fields: ContactFields, today: dt.date) -> None:
    from funnelctl.i18n import formats

    for name, day in (("--met", fields.met), ("--agreed", fields.agreed)):
        if day is not None and day > today:
            raise Refused(_("{option} {day} is after today ({today}): record it once it "
                            "happened").format(option=name, day=formats.day(day),
                                               today=formats.day(today)))
    if fields.attitude is not None and fields.attitude not in ATTITUDES:
        raise Refused(_("--attitude {value!r}: one of {choices}").format(
            value=fields.attitude, choices=", ".join(ATTITUDES)))


def contact_names(deal: Deal) -> str:
    return _(", ").join(c.name for c in deal.contacts) or _("none")


def find_contact(deal: Deal, name: str) -> int | None:
    key = _key(name)
    for i, c in enumerate(deal.contacts):
        if _key(c.name) == key:
            return i
    return None


def add_contact(doc: CommentedMap, deal: Deal, today: dt.date, name: str,
                fields: ContactFields) -> list[Change]:
    """A new contact at the end of ``contacts``; refused when the deal has one of that
    name already (ignoring case), since ``set`` changes that one."""
    name = _text(name, _("a contact's name"))
    _judge(fields, today)
    i = find_contact(deal, name)
    if i is not None:
        raise Refused(_("{id} has a contact {name!r} already: funnelctl contact set {id} "
                        "{name!r} ...").format(id=deal.id, name=deal.contacts[i].name))
    entry = block_map(
        name=name, role=(fields.role or "").strip() or None,
        decision_maker=True if fields.decision_maker else None,
        veto=True if fields.veto else None, met=fields.met,
        agreed=True if fields.agreed else None, agreed_on=fields.agreed,
        phone=(fields.phone or "").strip() or None, goal=(fields.goal or "").strip() or None,
        attitude=fields.attitude)
    append_entry(doc, "contacts", entry)
    return [Change(k, v) for k, v in entry.items() if k != "name"]


def set_contact(doc: CommentedMap, deal: Deal, today: dt.date, name: str,
                fields: ContactFields) -> tuple[str, list[Change]]:
    """Change what was given on the contact of that name (ignoring case); returns its
    name as the file spells it, and what changed. ``met`` is the first meeting: a
    meeting given is the first one while none is recorded (or it is earlier), and
    the latest (``last_met``) when it comes after the first."""
    _judge(fields, today)
    i = find_contact(deal, name)
    if i is None:
        raise Refused(_("{id} has no contact {name!r} (contacts: {contacts}): funnelctl "
                        "contact add").format(id=deal.id, name=name.strip(),
                                              contacts=contact_names(deal)))
    same = sum(1 for c in deal.contacts if _key(c.name) == _key(name))
    if same > 1:
        raise Refused(_("{id} has {n} contacts named {name!r}: tell them apart in the file "
                        "first (a middle initial, a title)").format(
            id=deal.id, n=same, name=deal.contacts[i].name))
    c = deal.contacts[i]
    node = doc["contacts"][i]
    changed: list[Change] = []

    def put(key: str, value: Any, now: Any, default: Any = None) -> None:
        if value == now:
            return
        if value == default and key not in node:
            return
        if value is None or value == "":
            _drop_key(node, key, doc)
        else:
            set_key(node, key, _safe(value) if isinstance(value, str) else value, doc)
        changed.append(Change(key, None if value in (None, "") else value))

    for key in ("role", "phone", "goal"):
        given = getattr(fields, key)
        if given is not None:
            put(key, given.strip(), getattr(c, key) or "", "")
    for key in ("decision_maker", "veto"):
        given = getattr(fields, key)
        if given is not None:
            put(key, given, getattr(c, key), False)
    if fields.attitude is not None:
        put("attitude", fields.attitude, c.attitude)
    if fields.met is not None:
        first = fields.met if c.met is None else min(c.met, fields.met)
        latest = max(x for x in (c.met, c.last_met, fields.met) if x is not None)
        put("met", first, c.met)
        put("last_met", latest if latest != first else c.last_met, c.last_met)
    if fields.agreed is not None:
        put("agreed", True, c.agreed, False)
        put("agreed_on", fields.agreed, c.agreed_on)
    return c.name, changed


# -- roles ---------------------------------------------------------------------------


def assign(doc: CommentedMap, deal: Deal, p: Pipeline, role: str,
           person: str | None) -> tuple[str | None, bool]:
    """``person`` holds ``role`` on the deal (None: nobody does any more); returns the
    previous holder and whether anything changed."""
    refuse_on(role_issues(role, p))
    before = holder(deal.roles, role)
    if person is None:
        if before is None:
            raise Refused(_("nobody holds {role} on {id}").format(role=role, id=deal.id))
        roles = doc["roles"]
        _drop_key(roles, role, doc)
        if not len(roles):
            _drop_key(doc, "roles", doc)
        return before, True
    person = _text(person, _("a role's holder"))
    if before == person:
        return before, False
    roles = ensure_block(doc, "roles", CommentedMap)
    set_key(roles, role, _safe(person), doc)
    return before, True


# -- the strategy sheet -------------------------------------------------------------------


@dataclass(frozen=True)
class StrategyFields:
    plan: str | None = None
    missing: tuple[str, ...] = ()  # items to add to what is still unknown
    found: tuple[str, ...] = ()  # items of it now known
    resources: tuple[str, ...] = ()  # resources to ask for
    drop_resources: tuple[str, ...] = ()  # requests withdrawn or met
    competitors: tuple[str, ...] = ()  # competitors to name (the deal's ``competitors``)
    drop_competitors: tuple[str, ...] = ()  # competitors out of the race
    verdict: str | None = None

    def given(self) -> bool:
        return any(vars(self).values())


# what the command's message and commit body call an item added or dropped
ADDED = {"missing": "missing", "resources": "resource", "competitors": "competitor"}
DROPPED = {"missing": "found", "resources": "resource dropped",
           "competitors": "competitor dropped"}


def set_strategy(doc: CommentedMap, deal: Deal, fields: StrategyFields) -> list[Change]:
    from funnelctl.edits import status_name

    if deal.status != "open":
        raise Refused(_("deal {id} is {status}: its strategy sheet is closed").format(
            id=deal.id, status=status_name(deal.status)))
    if fields.verdict is not None and fields.verdict not in ("continue", "drop"):
        raise Refused(_("--verdict {value!r}: continue or drop").format(value=fields.verdict))
    st = deal.strategy
    have = {"missing": list(st.missing) if st else [],
            "resources": list(st.resources) if st else [],
            "competitors": list(deal.competitors)}
    adds = {"missing": [_text(x, "--missing") for x in fields.missing],
            "resources": [_text(x, "--resource") for x in fields.resources],
            "competitors": [_text(x, "--competitor") for x in fields.competitors]}
    drops = {"missing": [_text(x, "--found") for x in fields.found],
             "resources": [_text(x, "--drop-resource") for x in fields.drop_resources],
             "competitors": [_text(x, "--drop-competitor") for x in fields.drop_competitors]}
    plan = _text(fields.plan, "--plan") if fields.plan is not None else None
    # judge every item before a node changes
    for key, items in adds.items():
        known = {_key(x) for x in have[key]}
        for x in items:
            if _key(x) in known:
                raise Refused(_(LISTED[key]).format(item=x))
            known.add(_key(x))
    for key, items in drops.items():
        known = [_key(x) for x in have[key]]
        for x in items:
            if _key(x) not in known:
                listed = "; ".join(have[key]) or _("none")
                raise Refused(_(NOT_LISTED[key]).format(item=x, items=listed))
    changed: list[Change] = []

    def sheet() -> CommentedMap:  # created only when something is written to it
        return ensure_block(doc, "strategy", CommentedMap)

    if plan is not None and plan != (st.plan if st else None):
        set_key(sheet(), "plan", _safe(plan), doc)
        changed.append(Change("plan", plan))
    def home(key: str) -> CommentedMap:  # the competitors are the deal's own field
        return doc if key == "competitors" else sheet()

    for key, items in drops.items():
        for x in items:
            seq = home(key)[key]
            i = next(n for n, y in enumerate(seq) if _key(str(y)) == _key(x))
            changed.append(Change(DROPPED[key], seq[i]))
            del seq[i]
    for key, items in adds.items():
        for x in items:
            _seq_in(home(key), key, _safe(x), doc)
            changed.append(Change(ADDED[key], x))
    if fields.verdict is not None and fields.verdict != (st.verdict if st else None):
        set_key(sheet(), "verdict", fields.verdict, doc)
        changed.append(Change("verdict", fields.verdict))
    return changed
