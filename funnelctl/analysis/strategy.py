"""The deal strategy sheet: one page for a large deal, filled by the rep and the
manager together. Each decision maker and veto holder (role, attitude, what he
personally wants, when we last met him); the key elements with their levels and
evidence; the competitors and our plan against them; what we still do not know;
the resources asked for; continue or drop. A pure function of the full deal (its
contacts are not in the summaries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from funnelctl import i18n
from funnelctl.analysis.accounts import last_met
from funnelctl.analysis.cadence import in_english
from funnelctl.analysis.roles import missing_roles
from funnelctl.i18n import _
from funnelctl.pipeline import Pipeline

if TYPE_CHECKING:
    from funnelctl.model import Deal


@dataclass
class Player:
    """A decision maker or veto holder on the buyer's side."""

    name: str
    role: str
    decision_maker: bool
    veto: bool
    attitude: str | None
    goal: str | None
    last_met: dt.date | None
    days_since: int | None  # days since we last met him
    agreed_on: dt.date | None  # when he agreed to our solution (None: not yet)
    agreed: bool

    def as_json(self) -> dict:
        return {"name": self.name, "role": self.role, "decision_maker": self.decision_maker,
                "veto": self.veto, "attitude": self.attitude, "goal": self.goal,
                "last_met": self.last_met, "days_since_met": self.days_since,
                "agreed": self.agreed, "agreed_on": self.agreed_on}


@dataclass
class Element:
    """A key element (a ladder of stages.yaml) as the deal stands on it."""

    ladder: str
    label: str
    level: int | None  # None: never scored
    top: int
    level_label: str | None
    evidence: str
    date: dt.date | None
    needed: int | None  # what the next stage requires, if it requires this ladder

    def as_json(self) -> dict:
        return {"ladder": self.ladder, "label": self.label, "level": self.level,
                "top": self.top, "level_label": self.level_label, "evidence": self.evidence,
                "date": self.date, "needed_next": self.needed}


class Gap(NamedTuple):
    """A thing the deal's own fields show we do not know (``what``), about a person
    (``name``, a decision maker or a veto holder), the competitors (``name``) or a
    ladder (``item``, ``name`` its label)."""

    what: str  # decider | unmet | goal | attitude | agreed | competition | plan | unscored
    name: str = ""
    decides: bool = False
    item: Any = None

    @property
    def text(self) -> str:
        """The gap in words, in the active language."""
        what = self.what
        if what == "decider":
            return _("who decides: no decision maker named")
        if what == "competition":
            return _("the competition: no competitor named")
        if what == "plan":
            return _("our plan against {competitors}").format(competitors=self.name)
        if what == "unscored":
            return _("{ladder}: never scored").format(
                ladder=i18n.label(self.item) if self.item is not None else self.name)
        who = (_("{name} (decision maker)") if self.decides else _("{name} (veto)")).format(
            name=self.name)
        return {"unmet": _("{who}: not met yet"), "goal": _("{who}: personal goal unknown"),
                "attitude": _("{who}: attitude unknown"),
                "agreed": _("{who}: has not agreed yet")}[what].format(who=who)


@dataclass
class StrategySheet:
    id: str
    path: str
    account: str
    title: str
    owner: str
    stage: str
    stage_label: str
    next_stage: str | None  # the label of the stage after this one (None: last or closed)
    status: str
    amount: float
    currency: str | None
    close: dt.date | None
    players: list[Player]
    others: int  # contacts who neither decide nor hold a veto
    elements: list[Element]
    competitors: list[str]
    plan: str | None
    missing: list[str]  # what the rep recorded as still unknown
    gaps: list[Gap]  # what the deal's own fields show is unknown
    resources: list[str]
    roles: dict[str, str]  # who holds each support role
    roles_missing: list[str]  # the roles this stage needs that nobody holds
    verdict: str | None  # continue | drop | None (not judged)
    next_stage_id: str | None = None  # the stage after this one (None: last or closed)

    def as_json(self) -> dict:
        with in_english():
            gaps = [g.text for g in self.gaps]
        return {"id": self.id, "path": self.path, "account": self.account,
                "title": self.title, "owner": self.owner, "stage": self.stage,
                "status": self.status, "amount": self.amount, "currency": self.currency,
                "close": self.close,
                "players": [x.as_json() for x in self.players], "other_contacts": self.others,
                "elements": [e.as_json() for e in self.elements],
                "competitors": self.competitors, "plan": self.plan, "missing": self.missing,
                "gaps": gaps, "resources": self.resources, "roles": self.roles,
                "roles_missing": self.roles_missing, "verdict": self.verdict}


def strategy_sheet(deal: Deal, path: str, p: Pipeline, today: dt.date) -> StrategySheet:
    players = []
    for c in deal.contacts:
        if not (c.decision_maker or c.veto):
            continue
        met = last_met(c)
        players.append(Player(
            name=c.name, role=c.role, decision_maker=c.decision_maker, veto=c.veto,
            attitude=c.attitude, goal=c.goal, last_met=met,
            days_since=(today - met).days if met else None,
            agreed=c.agreed, agreed_on=c.agreed_on))
    # decision makers first, then veto holders; the order of the file within each
    players.sort(key=lambda x: not x.decision_maker)
    is_open = deal.status == "open" and p.stage(deal.stage) is not None
    after = p.stages[p.index(deal.stage) + 1] if is_open and \
        p.index(deal.stage) + 1 < len(p.stages) else None
    elements = []
    for lad in p.ladders:
        lv = deal.levels.get(lad.id)
        level = lv.level if lv is not None else None
        elements.append(Element(
            ladder=lad.id, label=lad.label, level=level, top=lad.top,
            level_label=lad.levels[level] if level is not None and level <= lad.top else None,
            evidence=lv.evidence if lv is not None else "", date=lv.date if lv else None,
            needed=after.requires.get(lad.id) if after is not None else None))
    st = deal.strategy
    return StrategySheet(
        id=deal.id, path=path, account=deal.account, title=deal.title, owner=deal.owner,
        stage=deal.stage, stage_label=p.label(deal.stage),
        next_stage=after.label if after else None, status=deal.status,
        amount=deal.amount, currency=deal.currency, close=deal.close,
        players=players, others=len(deal.contacts) - len(players), elements=elements,
        competitors=list(deal.competitors), plan=st.plan if st else None,
        missing=list(st.missing) if st else [], gaps=gaps(deal, p, players),
        resources=list(st.resources) if st else [], roles=dict(deal.roles),
        roles_missing=missing_roles(p.stage(deal.stage), deal.roles) if is_open else [],
        verdict=st.verdict if st else None, next_stage_id=after.id if after else None)


def gaps(deal: Deal, p: Pipeline, players: list[Player]) -> list[Gap]:
    """What the deal's own fields show we do not know yet, in the order a manager
    asks: who decides, whether we met him, what he wants, where he stands; the
    vetoes; the competition; the elements never scored."""
    out: list[Gap] = []
    if not any(x.decision_maker for x in players):
        out.append(Gap("decider"))
    for x in players:
        if x.last_met is None:
            out.append(Gap("unmet", x.name, x.decision_maker))
        if not x.goal:
            out.append(Gap("goal", x.name, x.decision_maker))
        if not x.attitude:
            out.append(Gap("attitude", x.name, x.decision_maker))
        if x.veto and not x.agreed:
            out.append(Gap("agreed", x.name, x.decision_maker))
    if not deal.competitors:
        out.append(Gap("competition"))
    elif not (deal.strategy and deal.strategy.plan):
        out.append(Gap("plan", ", ".join(deal.competitors)))
    for lad in p.ladders:
        if lad.id not in deal.levels:
            out.append(Gap("unscored", lad.label, item=lad))
    return out
