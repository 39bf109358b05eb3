"""Customers over the years: the archive of one account (every deal, every contact
across them and when each was last met, the won revenue, the open pipeline, the
last actions), and the concentration of the business on a few reps or accounts.

The company, not the rep, owns the customer: when a rep leaves, ``account`` is
the file that stays. Contacts and actions are not in the summaries, so the archive
is built from the full deals of the one account (the command reads only those).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from funnelctl.analysis.cadence import in_english
from funnelctl.i18n import N_, _, formats, nformat
from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary

if TYPE_CHECKING:  # the full deal, as the store reads it
    from funnelctl.model import Deal

LAST_ACTIONS = 10  # the archive lists this many of the account's latest actions
STATUS_ORDER = {"open": 0, "won": 1, "lost": 2}


# -- finding an account by name ------------------------------------------------------


def account_names(deals: Iterable[Summary]) -> list[str]:
    return sorted({d.account for d in deals})


def matching_accounts(name: str, names: Iterable[str]) -> list[str]:
    """The account names ``name`` means: itself when some deal is of that account
    exactly; else every spelling equal to it ignoring case and spacing (the same
    customer typed twice); else none."""
    names = list(names)
    if name in names:
        return [name]
    key = _key(name)
    return sorted(n for n in names if _key(n) == key)


def close_accounts(name: str, names: Iterable[str], n: int = 5) -> list[str]:
    """The account names that look like ``name`` (a typo), best first."""
    by_key: dict[str, str] = {}
    for x in sorted(names):
        by_key.setdefault(_key(x), x)
    found = difflib.get_close_matches(_key(name), list(by_key), n=n, cutoff=0.6)
    if not found:  # a part of the name: "tatra" for "Tatra Glass"
        found = [k for k in by_key if _key(name) in k][:n]
    return [by_key[k] for k in found]


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


# -- the archive of an account ----------------------------------------------------------


@dataclass
class AccountDeal:
    id: str
    path: str
    title: str
    owner: str
    stage: str
    stage_label: str
    status: str
    amount: float  # in the reporting currency
    created: dt.date
    close: dt.date | None
    outcome_date: dt.date | None
    lost_reason: str | None
    competitor: str | None
    next_date: dt.date | None
    next_step: str | None
    overdue: bool  # the next step's date has passed
    roles: dict[str, str]

    def as_json(self) -> dict:
        return {"id": self.id, "path": self.path, "title": self.title, "owner": self.owner,
                "stage": self.stage, "status": self.status, "amount": self.amount,
                "created": self.created, "close": self.close,
                "outcome_date": self.outcome_date, "lost_reason": self.lost_reason,
                "competitor": self.competitor,
                "next": {"date": self.next_date, "step": self.next_step,
                         "overdue": self.overdue} if self.next_date else None,
                "roles": self.roles}


@dataclass
class Person:
    """A contact as the account knows them, gathered from every deal they are on."""

    name: str
    roles: list[str] = field(default_factory=list)
    decision_maker: bool = False
    veto: bool = False
    phone: str | None = None
    goal: str | None = None
    attitude: str | None = None
    first_met: dt.date | None = None
    last_met: dt.date | None = None
    deals: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"name": self.name, "roles": self.roles, "decision_maker": self.decision_maker,
                "veto": self.veto, "phone": self.phone, "goal": self.goal,
                "attitude": self.attitude, "first_met": self.first_met,
                "last_met": self.last_met, "deals": self.deals}


class ActionRow(NamedTuple):
    date: dt.date
    deal: str
    owner: str
    kind: str
    goal: str
    result: str

    def as_json(self) -> dict:
        return self._asdict()


@dataclass
class Archive:
    account: str
    names: list[str]  # the spellings of the account its deals use
    currency: str
    deals: list[AccountDeal]
    contacts: list[Person]
    last_actions: list[ActionRow]  # newest first, at most LAST_ACTIONS
    actions: int  # every action done on the account's deals
    won: float
    won_deals: int
    open: float
    weighted: float
    open_deals: int
    lost_deals: int
    owners: list[str]
    # the pipeline the archive was made over: the views name its stages, kinds and
    # reasons in their language (not part of the data)
    pipeline: Pipeline | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict:
        return {"account": self.account, "names": self.names, "currency": self.currency,
                "won": round(self.won, 2), "won_deals": self.won_deals,
                "open": round(self.open, 2), "weighted": round(self.weighted, 2),
                "open_deals": self.open_deals, "lost_deals": self.lost_deals,
                "owners": self.owners, "deals": [d.as_json() for d in self.deals],
                "contacts": [c.as_json() for c in self.contacts],
                "actions": self.actions,
                "last_actions": [a.as_json() for a in self.last_actions]}


def last_met(contact: Any) -> dt.date | None:
    """When we last met the person: the latest of the first and the last meeting."""
    days = [x for x in (contact.met, getattr(contact, "last_met", None)) if x is not None]
    return max(days) if days else None


def account_archive(account: str, deals: Sequence[tuple[Summary, Deal]], p: Pipeline,
                    today: dt.date) -> Archive:
    """The archive of the account from its deals: each as its (converted) summary and
    its full deal. Open deals first, the most advanced first; then won and lost,
    the latest first. Contacts are one person per name (ignoring case and spacing)
    across the deals; where the deals disagree (a phone, an attitude), the deal on
    which the person was met last speaks. The latest meetings first."""
    pos = p.positions
    rows: list[AccountDeal] = []
    people: dict[str, Person] = {}
    said_on: dict[str, dt.date] = {}  # person -> the meeting date of what we kept
    actions: list[ActionRow] = []
    n_actions = 0
    for s, d in deals:
        rows.append(AccountDeal(
            id=s.id, path=s.path, title=s.title, owner=s.owner, stage=s.stage,
            stage_label=p.label(s.stage), status=s.status, amount=s.amount,
            created=s.created, close=s.close, outcome_date=s.outcome_date,
            lost_reason=s.lost_reason, competitor=s.competitor,
            next_date=s.next_date if s.status == "open" else None,
            next_step=s.next_step if s.status == "open" else None,
            overdue=s.status == "open" and s.next_date is not None and s.next_date < today,
            roles=dict(s.roles)))
        for c in d.contacts:
            key = _key(c.name)
            person = people.get(key) or people.setdefault(key, Person(c.name.strip()))
            if c.role and c.role not in person.roles:
                person.roles.append(c.role)
            person.decision_maker |= c.decision_maker
            person.veto |= c.veto
            met = last_met(c)
            if c.met is not None and (person.first_met is None or c.met < person.first_met):
                person.first_met = c.met
            if met is not None and (person.last_met is None or met > person.last_met):
                person.last_met = met
            if s.id not in person.deals:
                person.deals.append(s.id)
            # what the latest-met deal says of the person (an unmet one says it only
            # when no deal said it yet)
            at = met or dt.date.min
            for name in ("phone", "goal", "attitude"):
                value = getattr(c, name)
                if value and (getattr(person, name) is None or at >= said_on.get(key + name,
                                                                                  dt.date.min)):
                    setattr(person, name, value)
                    said_on[key + name] = at
        for a in d.actions:
            if a.planned:
                continue
            n_actions += 1
            actions.append(ActionRow(a.date, s.id, s.owner, a.kind, a.goal, a.result))
    rows.sort(key=lambda r: (STATUS_ORDER.get(r.status, 3),
                             -pos.get(r.stage, -1) if r.status == "open" else 0,
                             -(r.outcome_date or r.created).toordinal()
                             if r.status != "open" else -r.amount, r.id))
    contacts = sorted(people.values(), key=lambda c: (
        -(c.last_met.toordinal() if c.last_met else 0), c.name.casefold()))
    actions.sort(key=lambda a: (a.date, a.deal), reverse=True)
    summaries = [s for s, _deal in deals]
    open_ = [s for s in summaries if s.status == "open"]
    won = [s for s in summaries if s.status == "won"]
    prob = {st.id: st.probability for st in p.stages}
    return Archive(
        account=account, names=sorted({s.account for s in summaries}), currency=p.currency,
        deals=rows, contacts=contacts, last_actions=actions[:LAST_ACTIONS], actions=n_actions,
        won=sum(s.amount for s in won), won_deals=len(won),
        open=sum(s.amount for s in open_),
        weighted=sum(s.amount * prob.get(s.stage, 0.0) for s in open_),
        open_deals=len(open_), lost_deals=sum(1 for s in summaries if s.status == "lost"),
        owners=sorted({s.owner for s in summaries}), pipeline=p)


# -- concentration --------------------------------------------------------------------


# who holds the share, and of what, in a concentration's message
CONCENTRATED = {"owner": N_("rep"), "account": N_("account")}
MEASURES = {"won": N_("won revenue"), "open": N_("open pipeline")}


class Concentration(NamedTuple):
    """A rep or an account holding more than the configured share of the team's won
    revenue (``measure`` "won") or open pipeline ("open")."""

    by: str  # "owner" or "account"
    name: str
    measure: str  # "won" or "open"
    amount: float
    total: float
    deals: int

    @property
    def share(self) -> float:
        return self.amount / self.total

    @property
    def message(self) -> str:
        """The alert in the active language (in English in the JSON)."""
        return nformat("{who} {name} holds {share} of the {what} ({amount} of {total}, "
                       "{n} deal)",
                       "{who} {name} holds {share} of the {what} ({amount} of {total}, "
                       "{n} deals)", self.deals,
                       who=_(CONCENTRATED[self.by]), name=self.name, share=f"{self.share:.0%}",
                       what=_(MEASURES[self.measure]), amount=formats.money(self.amount),
                       total=formats.money(self.total))

    def as_json(self) -> dict:
        with in_english():
            message = self.message
        return {"kind": "concentration", "by": self.by, "name": self.name,
                "measure": self.measure,
                "amount": round(self.amount, 2), "total": round(self.total, 2),
                "share": round(self.share, 4), "deals": self.deals,
                "message": message}


def concentration(deals: Iterable[Summary], share: float,
                  won_since: dt.date | None = None) -> list[Concentration]:
    """Each rep and each account holding more than ``share`` (stages.yaml's
    ``rules.concentration_share``) of the won revenue or of the open pipeline of
    ``deals`` (the team's, amounts converted by the caller). Won revenue counts the
    deals won on or after ``won_since`` (None: every won deal). A measure is judged
    only among two reps (accounts) or more with money on it: one rep alone holds
    all of his own business. Won before open, the largest share first."""
    sums: dict[tuple[str, str], dict[str, list[float]]] = {}
    for d in deals:
        if d.status == "won":
            if won_since is not None and (d.outcome_date or d.last_move) < won_since:
                continue
            measure = "won"
        elif d.status == "open":
            measure = "open"
        else:
            continue
        for by, name in (("owner", d.owner), ("account", d.account)):
            tally = sums.setdefault((measure, by), {}).setdefault(name, [0.0, 0])
            tally[0] += d.amount
            tally[1] += 1
    out: list[Concentration] = []
    for (measure, by), names in sums.items():
        total = sum(t[0] for t in names.values())
        if total <= 0 or sum(1 for t in names.values() if t[0] > 0) < 2:
            continue
        out.extend(Concentration(by, name, measure, t[0], total, int(t[1]))
                   for name, t in names.items() if t[0] / total > share)
    out.sort(key=lambda c: (c.measure != "won", c.by != "owner", -c.share, c.name))
    return out
