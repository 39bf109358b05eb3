"""Who changed what: the rules ``funnelctl audit`` holds the commits of a range to.
Pure functions of the commits (each with its author's email and the deals before
and after it, as ``history.read_commits`` reads them) and the pipeline's teams and
people; no git here.

A commit's author is the person whose email ``people:`` in stages.yaml gives; a
manager of an owner is a manager (``teams: NAME: {managers: [...]}``) of a team the
owner is a member of. The teams are those of stages.yaml now, not as they were.

The findings, each a ``Finding`` with its ``kind``:

- forced: a history entry with a reason or waived items (a move forced past the
  gates) appended by someone who is not a manager of the deal's owner;
- outsider: a deal changed by someone who neither owns it nor manages its owner;
- rewritten: a history entry or the outcome recorded earlier, changed or removed;
- by_hand: the stage changed without a history entry for the new stage;
- unreadable: a commit left a deal file that is not a deal (its change could not be
  audited);
- unknown_author: an email no person of ``people:`` has, once per email.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from funnelctl.gitio.history import (
    Commit,
    FileChange,
    history_diff,
    outcome_rewritten,
    stage_by_hand,
)

if TYPE_CHECKING:
    from funnelctl.pipeline import Pipeline

KINDS = ("forced", "outsider", "rewritten", "by_hand", "unreadable", "unknown_author")


@dataclass(frozen=True)
class Finding:
    kind: str
    commit: str
    date: dt.datetime | dt.date
    email: str
    author: str  # the name the commit carries
    person: str | None  # who that email is in people:, None when no one
    deal: str  # the deal's id ('' for unknown_author)
    path: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Audit:
    commits: int  # commits read (those that changed a deal file)
    changes: int  # deal files changed, summed over the commits
    findings: list[Finding]


def people_by_email(pipeline: Pipeline) -> dict[str, str]:
    """email (lower case) -> person; where two people share one email, the first
    by name."""
    out: dict[str, str] = {}
    for person, email in sorted(pipeline.people.items()):
        out.setdefault(email.strip().lower(), person)
    return out


def managers_of(owner: str, pipeline: Pipeline) -> set[str]:
    """The managers of every team ``owner`` is a member of."""
    return {m for team, members in pipeline.teams.items() if owner in members
            for m in pipeline.team_managers.get(team, ())}


def audit(commits: list[Commit], pipeline: Pipeline) -> Audit:
    """Every finding of the rules above in ``commits``, in commit order (and by deal
    within one commit); unknown authors last, one finding each."""
    people = people_by_email(pipeline)
    findings: list[Finding] = []
    unknown: dict[str, list[Commit]] = {}
    changes = 0
    for c in commits:
        person = people.get(c.email.strip().lower())
        if person is None:
            unknown.setdefault(c.email.strip().lower(), []).append(c)
        for fc in c.changes:
            changes += 1
            findings += [Finding(kind, c.id, c.date, c.email, c.author, person,
                                 _deal_id(fc), fc.path, detail)
                         for kind, detail in file_findings(fc, person, pipeline)]
    for theirs in unknown.values():
        findings.append(Finding("unknown_author", theirs[0].id, theirs[0].date, theirs[0].email,
                                theirs[0].author, None, "", "",
                                {"commits": [c.id for c in theirs]}))
    return Audit(len(commits), changes, findings)


def _deal_id(fc: FileChange) -> str:
    deal = fc.after or fc.before
    return deal.id if deal else fc.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def file_findings(fc: FileChange, person: str | None, pipeline: Pipeline
                  ) -> list[tuple[str, dict[str, Any]]]:
    """The findings about one deal file in one commit by ``person`` (None: an author
    not in people:, whose commits are reported once as such and are not held to
    the owner rule; a forced move is still reported, since no manager made it)."""
    before, after = fc.before, fc.after
    out: list[tuple[str, dict[str, Any]]] = []
    if fc.problem:
        out.append(("unreadable", {"problem": fc.problem}))
    owner = (before or after).owner if (before or after) else None
    if owner is not None and person is not None and person != owner \
            and person not in managers_of(owner, pipeline):
        out.append(("outsider", {"owner": owner, "managers": sorted(managers_of(owner,
                                                                              pipeline))}))
    if after is None or fc.before_problem:
        # gone, unreadable, or nothing readable to compare it with
        return out
    hist = history_diff(before, after)
    managers = managers_of(owner, pipeline) if owner else set()
    for entry in hist.appended:
        if entry.forced and (person is None or person not in managers):
            out.append(("forced", {"owner": owner, "managers": sorted(managers),
                                   "entry": entry.as_json()}))
    for old, new in hist.edited:
        out.append(("rewritten", {"what": "history", "was": old.as_json(),
                                  "now": new.as_json()}))
    for old in hist.removed:
        out.append(("rewritten", {"what": "history", "was": old.as_json(), "now": None}))
    if outcome_rewritten(before, after):
        out.append(("rewritten", {
            "what": "outcome", "was": before.outcome.as_json() if before.outcome else None,
            "now": after.outcome.as_json() if after.outcome else None}))
    if stage_by_hand(before, after, hist.appended):
        out.append(("by_hand", {"from": before.stage if before else None,
                                "to": after.stage}))
    return out
