"""Writes about the people around a deal: its contacts, the support roles held on
it, and the fields of its strategy sheet. Like ``edits``: each judges what the user
typed, refuses what breaks a rule, and changes only the nodes it means to, in the
round-trip document the store hands it.

Each returns what it changed, as ``name: value`` phrases for the command's message
and commit body; an empty list when the file already said it (nothing is written).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
from funnelctl.pipeline import Pipeline

if TYPE_CHECKING:
    from funnelctl.readmodel import AnyDeal as Deal

ATTITUDES = ("supporter", "neutral", "opponent")


def _key(text: str) -> str:
    """Names and items compare ignoring case and spacing: "zhang  min" is Zhang Min."""
    return " ".join(text.split()).casefold()


def _text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise Refused(f"{what} needs text")
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
    for name, day in (("met", fields.met), ("agreed", fields.agreed)):
        if day is not None and day > today:
            raise Refused(f"--{name} {day} is after today ({today}): record it once it "
                          "happened")
    if fields.attitude is not None and fields.attitude not in ATTITUDES:
        raise Refused(f"--attitude {fields.attitude!r}: one of {', '.join(ATTITUDES)}")


def contact_names(deal: Deal) -> str:
    return ", ".join(c.name for c in deal.contacts) or "none"


def find_contact(deal: Deal, name: str) -> int | None:
    key = _key(name)
    for i, c in enumerate(deal.contacts):
        if _key(c.name) == key:
            return i
    return None


def add_contact(doc: CommentedMap, deal: Deal, today: dt.date, name: str,
                fields: ContactFields) -> list[str]:
    """A new contact at the end of ``contacts``; refused when the deal has one of that
    name already (ignoring case), since ``set`` changes that one."""
    name = _text(name, "a contact's name")
    _judge(fields, today)
    i = find_contact(deal, name)
    if i is not None:
        raise Refused(f"{deal.id} has a contact {deal.contacts[i].name!r} already: "
                      f"funnelctl contact set {deal.id} {deal.contacts[i].name!r} ...")
    entry = block_map(
        name=name, role=(fields.role or "").strip() or None,
        decision_maker=True if fields.decision_maker else None,
        veto=True if fields.veto else None, met=fields.met,
        agreed=True if fields.agreed else None, agreed_on=fields.agreed,
        phone=(fields.phone or "").strip() or None, goal=(fields.goal or "").strip() or None,
        attitude=fields.attitude)
    append_entry(doc, "contacts", entry)
    return [f"{k}: {'yes' if v is True else v}" for k, v in entry.items() if k != "name"]


def set_contact(doc: CommentedMap, deal: Deal, today: dt.date, name: str,
                fields: ContactFields) -> tuple[str, list[str]]:
    """Change what was given on the contact of that name (ignoring case); returns its
    name as the file spells it, and what changed. ``met`` is the first meeting: a
    meeting given is the first one while none is recorded (or it is earlier), and
    the latest (``last_met``) when it comes after the first."""
    _judge(fields, today)
    i = find_contact(deal, name)
    if i is None:
        raise Refused(f"{deal.id} has no contact {name.strip()!r} "
                      f"(contacts: {contact_names(deal)}): funnelctl contact add")
    same = sum(1 for c in deal.contacts if _key(c.name) == _key(name))
    if same > 1:
        raise Refused(f"{deal.id} has {same} contacts named {deal.contacts[i].name!r}: tell "
                      "them apart in the file first (a middle initial, a title)")
    c = deal.contacts[i]
    node = doc["contacts"][i]
    changed: list[str] = []

    def put(key: str, value: Any, now: Any, default: Any = None) -> None:
        if value == now:
            return
        if value == default and key not in node:
            return
        if value is None or value == "":
            _drop_key(node, key, doc)
        else:
            set_key(node, key, _safe(value) if isinstance(value, str) else value, doc)
        changed.append(f"{key}: {'yes' if value is True else 'no' if value is False else value}"
                       if value not in (None, "") else f"{key} cleared")

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
            raise Refused(f"nobody holds {role} on {deal.id}")
        roles = doc["roles"]
        _drop_key(roles, role, doc)
        if not len(roles):
            _drop_key(doc, "roles", doc)
        return before, True
    person = _text(person, "a role's holder")
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


def set_strategy(doc: CommentedMap, deal: Deal, fields: StrategyFields) -> list[str]:
    if deal.status != "open":
        raise Refused(f"deal {deal.id} is {deal.status}: its strategy sheet is closed")
    if fields.verdict is not None and fields.verdict not in ("continue", "drop"):
        raise Refused(f"--verdict {fields.verdict!r}: continue or drop")
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
                raise Refused(f"{x!r} is listed in {key} already")
            known.add(_key(x))
    for key, items in drops.items():
        known = [_key(x) for x in have[key]]
        for x in items:
            if _key(x) not in known:
                listed = "; ".join(have[key]) or "none"
                raise Refused(f"{x!r} is not in {key} ({key}: {listed})")
    changed: list[str] = []

    def sheet() -> CommentedMap:  # created only when something is written to it
        return ensure_block(doc, "strategy", CommentedMap)

    if plan is not None and plan != (st.plan if st else None):
        set_key(sheet(), "plan", _safe(plan), doc)
        changed.append(f"plan: {plan}")
    def home(key: str) -> CommentedMap:  # the competitors are the deal's own field
        return doc if key == "competitors" else sheet()

    for key, items in drops.items():
        for x in items:
            seq = home(key)[key]
            i = next(n for n, y in enumerate(seq) if _key(str(y)) == _key(x))
            changed.append(f"{DROPPED[key]}: {seq[i]}")
            del seq[i]
    for key, items in adds.items():
        for x in items:
            _seq_in(home(key), key, _safe(x), doc)
            changed.append(f"{ADDED[key]}: {x}")
    if fields.verdict is not None and fields.verdict != (st.verdict if st else None):
        set_key(sheet(), "verdict", fields.verdict, doc)
        changed.append(f"verdict: {fields.verdict}")
    return changed
