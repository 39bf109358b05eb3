"""The team around a deal: the support roles its stage needs (presales at solution
evaluation, finance and legal at negotiation: ``roles:`` per stage in stages.yaml),
who holds them (the deal's ``roles``), and the load each support person carries.

Three presales engineers serving six regions cannot keep up: ``role_load`` shows
each person's open deals by stage, and the deals whose stage needs the role while
nobody holds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from funnelctl import i18n
from funnelctl.checks import Issue
from funnelctl.i18n import _, ngettext
from funnelctl.pipeline import Pipeline, Stage
from funnelctl.summary import Summary


def stage_roles(p: Pipeline) -> list[str]:
    """Every role a stage of stages.yaml names, in the order of the stages."""
    return list(dict.fromkeys(r for s in p.stages for r in s.roles))


def role_issues(role: str, p: Pipeline) -> list[Issue]:
    """A role given to ``assign`` or ``load`` is one that a stage names."""
    known = stage_roles(p)
    if role in known:
        return []
    choices = ", ".join(known) if known else _("none: add roles: to a stage in stages.yaml")
    text = _("unknown role {role!r} (roles: {choices})").format(role=role, choices=choices)
    return [Issue("role", text, text)]


def holder(deal_roles: Mapping[str, str], role: str) -> str | None:
    """Who holds ``role`` on a deal; a blank name is nobody."""
    person = deal_roles.get(role)
    return person if person and person.strip() else None


def missing_roles(stage: Stage | None, deal_roles: Mapping[str, str]) -> list[str]:
    """The roles ``stage`` needs that nobody holds on the deal, in the stage's order
    (none for an unknown stage or the won outcome)."""
    if stage is None:
        return []
    return [r for r in stage.roles if holder(deal_roles, r) is None]


def missing_role_issues(stage: Stage | None, deal_roles: Mapping[str, str],
                        deal_id: str = "DEAL") -> list[Issue]:
    """``missing_roles`` as issues; ``about`` (``role:presales``) is the key a forced
    move records among the items it waived."""
    if stage is None:
        return []
    # English names the stage by its id, as it always did; another language by its
    # name there (an id is an English word)
    named = stage.id if i18n.current() == i18n.DEFAULT else i18n.label(stage)
    return [Issue(f"role:{r}",
                  _("stage {stage!r} needs a {role}, and nobody holds the role").format(
                      stage=named, role=r),
                  _("role {role}: nobody holds it (funnelctl assign {deal} {role} "
                    "PERSON)").format(role=r, deal=deal_id))
            for r in missing_roles(stage, deal_roles)]


def roles_note(deal_id: str, stage_id: str, lacking: list[str]) -> str:
    """What ``advance`` says when the stage entered needs roles nobody holds."""
    return ngettext("note: {stage} needs {roles}; nobody holds it on {deal}: funnelctl "
                    "assign {deal} {role} PERSON",
                    "note: {stage} needs {roles}; nobody holds them on {deal}: funnelctl "
                    "assign {deal} {role} PERSON", len(lacking)).format(
        stage=stage_id, roles=", ".join(lacking), deal=deal_id, role=lacking[0])


# -- the load per support person ---------------------------------------------------


@dataclass
class PersonLoad:
    """One support person's open deals (``person`` None: the deals whose stage needs
    the role while nobody holds it)."""

    person: str | None
    by_stage: dict[str, int] = field(default_factory=dict)
    deals: list[str] = field(default_factory=list)
    amount: float = 0.0
    owners: list[str] = field(default_factory=list)  # the reps whose deals these are
    teams: list[str] = field(default_factory=list)  # the teams of those reps

    @property
    def open_count(self) -> int:
        return len(self.deals)

    def as_json(self) -> dict:
        return {"person": self.person, "open": self.open_count, "by_stage": self.by_stage,
                "amount": round(self.amount, 2), "owners": self.owners, "teams": self.teams,
                "deals": self.deals}


@dataclass
class RoleLoad:
    role: str
    stages: list[str]  # the columns: the open stages, then any unknown stage a deal is at
    needed_at: list[str]  # the stages that name the role
    people: list[PersonLoad]  # most open deals first
    unassigned: PersonLoad  # deals at a stage needing the role, held by nobody

    @property
    def total(self) -> int:
        return sum(x.open_count for x in self.people)

    def as_json(self) -> dict:
        return {"role": self.role, "stages": self.stages, "needed_at": self.needed_at,
                "people": [x.as_json() for x in self.people],
                "unassigned": self.unassigned.as_json()}


def role_load(deals: Iterable[Summary], p: Pipeline, role: str) -> RoleLoad:
    """Each holder of ``role``'s open deals, counted per stage, with the reps and
    teams they serve; and the open deals at a stage that needs the role but have
    no holder. Amounts as the summaries give them (converted by the caller)."""
    teams_of: dict[str, list[str]] = {}
    for team, members in p.teams.items():
        for m in members:
            teams_of.setdefault(m, []).append(team)
    needed_at = [s.id for s in p.stages if role in s.roles]
    stages = list(p.stage_ids)
    loads: dict[str, PersonLoad] = {}
    nobody = PersonLoad(None)
    for d in deals:
        if d.status != "open":
            continue
        person = holder(d.roles, role)
        if person is None:
            if d.stage not in needed_at:
                continue
            load = nobody
        else:
            load = loads.get(person) or loads.setdefault(person, PersonLoad(person))
        if d.stage not in stages:
            stages.append(d.stage)
        load.by_stage[d.stage] = load.by_stage.get(d.stage, 0) + 1
        load.deals.append(d.id)
        load.amount += d.amount
        if d.owner not in load.owners:
            load.owners.append(d.owner)
    for load in [*loads.values(), nobody]:
        load.deals.sort()
        load.owners.sort()
        load.teams = sorted({t for o in load.owners for t in teams_of.get(o, ())})
        load.by_stage = {s: load.by_stage[s] for s in stages if s in load.by_stage}
    people = sorted(loads.values(), key=lambda x: (-x.open_count, x.person))
    return RoleLoad(role, stages, needed_at, people, nobody)
