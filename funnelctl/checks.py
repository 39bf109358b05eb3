"""Process rules: small pure functions ``check_x(deal, pipeline) -> [(loc, message)]``.

``loc`` is the path of keys and indexes in the deal file that the problem is
about; the store turns it into a line number. A deal that breaks one of these
rules still loads and counts in every view, flagged. The rules are listed once,
in ``CHECKS``, and each has its own test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from funnelctl.pipeline import Pipeline

if TYPE_CHECKING:  # the checks read either form of a deal
    from funnelctl.readmodel import AnyDeal as Deal

Finding = tuple[tuple[Any, ...], str]


def waived_items(deal: Deal) -> set[str]:
    """Milestones and requirements a forced move recorded as waived."""
    out: set[str] = set()
    for h in deal.history:
        out.update(h.waived)
    return out


def requirement_key(ladder: str, level: int) -> str:
    return f"{ladder}>={level}"


def check_stage_exists(deal: Deal, p: Pipeline) -> list[Finding]:
    if not p.known_stage(deal.stage):
        known = ", ".join([*p.stage_ids, p.won.id])
        return [(("stage",), f"unknown stage {deal.stage!r} (stages: {known})")]
    return []


def check_history(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    for i, h in enumerate(deal.history):
        if not p.known_stage(h.stage):
            out.append((("history", i, "stage"), f"history names unknown stage {h.stage!r}"))
        if i and h.date < deal.history[i - 1].date:
            out.append((("history", i, "date"),
                        f"history goes back in time: {h.date} after {deal.history[i - 1].date}"))
    if deal.history and deal.history[-1].stage != deal.stage:
        out.append((("history",), f"history ends at {deal.history[-1].stage!r} "
                                  f"but the deal is at {deal.stage!r}"))
    if deal.history and deal.history[0].date < deal.created:
        out.append((("history", 0, "date"),
                    f"history starts {deal.history[0].date}, before the deal was created "
                    f"({deal.created})"))
    return out


def check_milestones_passed(deal: Deal, p: Pipeline) -> list[Finding]:
    """Every milestone of every stage before the current one is ticked (or waived)."""
    if not p.known_stage(deal.stage):
        return []
    waived = waived_items(deal)
    out: list[Finding] = []
    for stage in p.stages[: p.index(deal.stage)]:
        for m in stage.milestones:
            if m.id not in deal.milestones and m.id not in waived:
                out.append((("milestones",),
                            f"milestone {m.id!r} of stage {stage.id!r} is not ticked, "
                            f"but the deal has passed that stage"))
    return out


def check_milestones_known(deal: Deal, p: Pipeline) -> list[Finding]:
    known = {m.id: m for s in p.stages for m in s.milestones}
    out: list[Finding] = []
    for mid, tick in deal.milestones.items():
        if mid not in known:
            out.append((("milestones", mid), f"unknown milestone {mid!r}"))
        elif known[mid].evidence == "required" and not tick.evidence.strip():
            out.append((("milestones", mid), f"milestone {mid!r} needs evidence"))
    return out


def check_levels(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    for lid, lv in deal.levels.items():
        ladder = p.ladder(lid)
        if ladder is None:
            out.append((("levels", lid), f"unknown ladder {lid!r}"))
        elif lv.level > ladder.top:
            out.append((("levels", lid, "level"),
                        f"{lid} level {lv.level} does not exist (0..{ladder.top})"))
    return out


def check_requirements(deal: Deal, p: Pipeline) -> list[Finding]:
    """The entry requirements of the current stage hold (or were waived)."""
    stage = p.stage(deal.stage)
    if stage is None:
        return []
    waived = waived_items(deal)
    out: list[Finding] = []
    for lid, need in stage.requires.items():
        have = deal.levels[lid].level if lid in deal.levels else 0
        if have < need and requirement_key(lid, need) not in waived:
            out.append((("stage",), f"stage {stage.id!r} needs {lid} >= {need}, "
                                    f"the deal has {lid} {have}"))
    return out


def check_status(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    if deal.status == "won":
        if deal.stage != p.won.id:
            out.append((("status",), f"a won deal must be at stage {p.won.id!r}"))
        if deal.outcome is None:
            out.append((("status",), "a won deal needs outcome.date"))
    elif deal.status == "lost":
        if deal.outcome is None:
            out.append((("status",), "a lost deal needs outcome.date and outcome.reason"))
        elif not deal.outcome.reason:
            out.append((("outcome",), "a lost deal needs outcome.reason"))
        else:
            reason = p.loss_reason(deal.outcome.reason)
            if reason is None:
                known = ", ".join(r.id for r in p.lost.reasons)
                out.append((("outcome", "reason"),
                            f"unknown loss reason {deal.outcome.reason!r} (reasons: {known})"))
            else:
                if reason.competitor == "required" and not deal.outcome.competitor:
                    out.append((("outcome",), f"loss reason {reason.id!r} needs the competitor"))
                if reason.note == "required" and not (deal.outcome.note or "").strip():
                    out.append((("outcome",), f"loss reason {reason.id!r} needs a note"))
    else:
        if deal.stage == p.won.id:
            out.append((("status",), "the deal is at the won stage but its status is open"))
        if deal.outcome is not None:
            out.append((("outcome",), "an open deal has an outcome"))
    if deal.outcome is not None and deal.history and deal.outcome.date < deal.history[-1].date:
        out.append((("outcome", "date"), "the outcome is dated before the last stage move"))
    return out


def check_actions(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    for i, a in enumerate(deal.actions):
        if a.kind not in p.action_kinds:
            out.append((("actions", i, "kind"),
                        f"unknown action kind {a.kind!r} (kinds: {', '.join(p.action_kinds)})"))
    return out


CHECKS: list[Callable[[Deal, Pipeline], list[Finding]]] = [
    check_stage_exists,
    check_history,
    check_milestones_passed,
    check_milestones_known,
    check_levels,
    check_requirements,
    check_status,
    check_actions,
]


def process_findings(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    for check in CHECKS:
        out.extend(check(deal, p))
    return out


def missing_to_enter(deal: Deal, p: Pipeline, target: str) -> list[tuple[str, str]]:
    """What keeps ``deal`` from moving forward to ``target``, as (key, explanation):
    milestones of every stage it would pass and the target's entry requirements.
    Empty for a move back."""
    if p.index(target) <= p.index(deal.stage):
        return []
    missing: list[tuple[str, str]] = []
    waived = waived_items(deal)
    for stage in p.stages[p.index(deal.stage): p.index(target)]:
        for m in stage.milestones:
            if m.id not in deal.milestones and m.id not in waived:
                missing.append((m.id, f"milestone {m.id} ({stage.id}): {m.label}"))
    tstage = p.stage(target)
    if tstage is not None:
        for lid, need in tstage.requires.items():
            have = deal.levels[lid].level if lid in deal.levels else 0
            if have < need:
                key = requirement_key(lid, need)
                missing.append((key, f"requirement {key}: {lid} is {have}, {target} needs {need}"))
    return missing
