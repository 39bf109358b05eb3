"""Every rule, once: small pure functions in lists, like beancount's validations.

Three kinds, from the bottom up:

- **Rules over values** (``*_issues``) judge the few values they are given (a
  milestone id and its evidence, a loss reason with its competitor and note) and
  return ``Issue``s. ``validate`` reaches them through the deal checks; the write
  commands (``edits``) call them on what the user typed, so a write refuses
  exactly what ``validate`` would report. An issue carries both phrasings: of a
  file (``message``) and of a command, naming the option to give (``refusal``).
- **Deal checks** ``check_x(deal, pipeline) -> [(loc, message)]``, listed in
  ``CHECKS``. ``loc`` is the path of keys and indexes in the deal file that the
  problem is about; the store turns it into a line number. A deal that breaks
  one still loads and counts in every view, flagged.
- **Pipeline checks** ``check_x(pipeline) -> [(loc, message)]`` over stages.yaml,
  listed in ``PIPELINE_CHECKS``: a pipeline that breaks one is refused.

Each has its own test in tests/test_checks.py.

Messages speak the active language (``funnelctl.i18n``). Where the English message
names a stage, milestone, ladder or loss reason by its id (as the file writes it),
another language names it by its label there (``i18n.label``), and an id the
pipeline lacks as written; dates go through ``i18n.formats``. English is as it
always was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from funnelctl import i18n
from funnelctl.i18n import _, nformat
from funnelctl.i18n.formats import day
from funnelctl.patterns import is_period

if TYPE_CHECKING:  # the checks read either form of a deal
    from funnelctl.pipeline import Milestone, Pipeline, Stage
    from funnelctl.readmodel import AnyDeal as Deal

Finding = tuple[tuple[Any, ...], str]


class Issue(NamedTuple):
    """One broken rule."""

    about: str  # what it judged: "milestone", "evidence", "competitor", a waiver key …
    message: str  # said of a deal file, as validate reports it
    refusal: str  # said to a write command, naming the option to give


def _said_alike(about: str, text: str) -> Issue:
    return Issue(about, text, text)


# -- how a message names the items of stages.yaml ---------------------------------------


def _english() -> bool:
    return i18n.current() == i18n.DEFAULT


def _quoted(item_id: str, item: Any = None) -> str:
    """An item where English quotes its id (``'offer'``): in another language its label
    there (``“商务谈判”``); an id the pipeline lacks stays quoted as written."""
    if item is None or _english():
        return repr(item_id)
    return f"“{i18n.label(item)}”"


def _bare(item_id: str, item: Any = None) -> str:
    """An item where English writes its id bare (``power``): in another language its
    label there (``权力``)."""
    if item is None or _english():
        return item_id
    return i18n.label(item)


def _listed(items: Sequence[Any]) -> str:
    """The choices a message lists: the ids in English (``lead, offer``); in another
    language each id with its label there, as the commands list them (``lead
    (线索确认)``)."""
    ids = [x if isinstance(x, str) else x.id for x in items]
    if _english():
        return ", ".join(ids)
    out = []
    for i, x in zip(ids, items, strict=True):
        shown = i18n.label(x)
        out.append(i if shown == i else f"{i} ({shown})")
    return ", ".join(out)


# -- rules over values ------------------------------------------------------------


def stage_issues(stage_id: str, p: Pipeline) -> list[Issue]:
    """The stage exists (the won outcome counts as the stage after the last)."""
    if p.known_stage(stage_id):
        return []
    text = _("unknown stage {stage!r} (stages: {stages})")
    return [Issue("stage", text.format(stage=stage_id, stages=_listed([*p.stages, p.won])),
                  # a move names an open stage; the won outcome is reached by win
                  text.format(stage=stage_id, stages=_listed(p.stages)))]


def file_name_issues(deal_id: str, stem: str) -> list[Issue]:
    """A deal's id is its file's name without the extension: commands find it so."""
    if deal_id == stem:
        return []
    return [_said_alike("id", _("id {id!r} differs from the file name {stem!r}").format(
        id=deal_id, stem=stem))]


def milestones_by_id(p: Pipeline) -> dict[str, Milestone]:
    """Every milestone of the pipeline, in stage order."""
    return {m.id: m for s in p.stages for m in s.milestones}


def milestone_issues(milestone_id: str, evidence: str,
                     known: Mapping[str, Milestone]) -> list[Issue]:
    """A ticked milestone exists, with evidence where the pipeline asks for it.
    ``known`` is ``milestones_by_id(pipeline)``, built once per deal."""
    m = known.get(milestone_id)
    if m is None:
        return [Issue("milestone",
                      _("unknown milestone {milestone!r}").format(milestone=milestone_id),
                      _("unknown milestone {milestone!r} (milestones: {milestones})").format(
                          milestone=milestone_id, milestones=_listed(list(known.values()))))]
    if m.evidence == "required" and not evidence.strip():
        return [Issue("evidence",
                      _("milestone {milestone} needs evidence").format(
                          milestone=_quoted(milestone_id, m)),
                      _("milestone {milestone} needs --evidence: who said what, "
                        "which document").format(milestone=_bare(milestone_id, m)))]
    return []


def level_issues(ladder_id: str, level: int, p: Pipeline) -> list[Issue]:
    """A checkpoint level names a ladder of the pipeline and a level on it."""
    ladder = p.ladder(ladder_id)
    if ladder is None:
        return [Issue("ladder", _("unknown ladder {ladder!r}").format(ladder=ladder_id),
                      _("unknown ladder {ladder!r} (ladders: {ladders})").format(
                          ladder=ladder_id, ladders=_listed(p.ladders)))]
    if not 0 <= level <= ladder.top:
        name = _bare(ladder_id, ladder)
        return [Issue("level", _("{ladder} level {level} does not exist (0..{top})").format(
                          ladder=name, level=level, top=ladder.top),
                      _("{ladder} has levels 0..{top}").format(ladder=name, top=ladder.top))]
    return []


def action_kind_issues(kind: str, p: Pipeline) -> list[Issue]:
    if kind in p.kind_ids:
        return []
    return [_said_alike("kind", _("unknown action kind {kind!r} (kinds: {kinds})").format(
        kind=kind, kinds=_listed(p.action_kinds)))]


def loss_issues(reason_id: str, competitor: str | None, note: str | None,
                p: Pipeline) -> list[Issue]:
    """A loss reason exists and comes with the competitor and the note it asks for."""
    reason = p.loss_reason(reason_id)
    if reason is None:
        return [_said_alike("reason", _("unknown loss reason {reason!r} (reasons: "
                                        "{reasons})").format(
            reason=reason_id, reasons=_listed(p.lost.reasons)))]
    out: list[Issue] = []
    quoted, bare = _quoted(reason.id, reason), _bare(reason.id, reason)
    if reason.competitor == "required" and not competitor:
        out.append(Issue("competitor",
                         _("loss reason {reason} needs the competitor").format(reason=quoted),
                         _("loss reason {reason} needs --competitor: who won it").format(
                             reason=bare)))
    if reason.note == "required" and not (note or "").strip():
        out.append(Issue("note", _("loss reason {reason} needs a note").format(reason=quoted),
                         _("loss reason {reason} needs --note with the reason in words").format(
                             reason=bare)))
    return out


def move_date_issues(last_move: dt.date, date: dt.date) -> list[Issue]:
    """A stage move is not dated before the move it follows."""
    if date >= last_move:
        return []
    return [Issue("date", _("history goes back in time: {date} after {last}").format(
                      date=day(date), last=day(last_move)),
                  _before_last_move(date, last_move))]


def _before_last_move(date: dt.date, last_move: dt.date) -> str:
    return _("today ({date}) is before the deal's last move ({last})").format(
        date=day(date), last=day(last_move))


def outcome_date_issues(last_move: dt.date, date: dt.date) -> list[Issue]:
    """A deal is won or lost no earlier than its last stage move."""
    if date >= last_move:
        return []
    return [Issue("date", _("the outcome is dated before the last stage move"),
                  _before_last_move(date, last_move))]


class Requirement(NamedTuple):
    """A stage's entry requirement on one ladder, against the deal's level."""

    ladder: str
    needs: int
    has: int
    waived: bool  # a forced move recorded it as waived

    @property
    def key(self) -> str:
        """How a forced move records it among the items it waived."""
        return requirement_key(self.ladder, self.needs)

    @property
    def met(self) -> bool:
        return self.has >= self.needs


def requirement_key(ladder: str, level: int) -> str:
    return f"{ladder}>={level}"


def entry_requirements(stage: Stage, levels: Mapping[str, int],
                       waived: Collection[str]) -> list[Requirement]:
    """Each entry requirement of ``stage``; a ladder the deal has no level on is at 0."""
    out: list[Requirement] = []
    for lid, need in stage.requires.items():
        out.append(Requirement(lid, need, levels.get(lid, 0),
                               requirement_key(lid, need) in waived))
    return out


def requirement_issues(stage: Stage, levels: Mapping[str, int],
                       waived: Collection[str], p: Pipeline | None = None) -> list[Issue]:
    """The entry requirements of ``stage`` that are neither met nor waived; ``about``
    is the key a forced move waives. ``p`` gives the ladders' labels to the messages
    of another language than English."""
    out: list[Issue] = []
    for r in entry_requirements(stage, levels, waived):
        if not r.met and not r.waived:
            ladder = _bare(r.ladder, p.ladder(r.ladder) if p is not None else None)
            out.append(Issue(
                r.key,
                _("stage {stage} needs {ladder} >= {needs}, the deal has {ladder} "
                  "{has}").format(stage=_quoted(stage.id, stage), ladder=ladder, needs=r.needs,
                                  has=r.has),
                _("requirement {key}: {ladder} is {has}, {stage} needs {needs}").format(
                    key=r.key, ladder=ladder, has=r.has, stage=_bare(stage.id, stage),
                    needs=r.needs)))
    return out


def milestone_gaps(stages: Sequence[Stage], ticked: Collection[str],
                   waived: Collection[str]) -> list[Issue]:
    """The milestones of ``stages`` (stages a deal has passed or would pass) that are
    neither ticked nor waived; ``about`` is the milestone id."""
    out: list[Issue] = []
    for stage in stages:
        for m in stage.milestones:
            if m.id not in ticked and m.id not in waived:
                out.append(Issue(
                    m.id,
                    _("milestone {milestone} of stage {stage} is not ticked, but the deal "
                      "has passed that stage").format(milestone=_quoted(m.id, m),
                                                      stage=_quoted(stage.id, stage)),
                    _("milestone {milestone} ({stage}): {label}").format(
                        milestone=m.id, stage=_bare(stage.id, stage), label=i18n.label(m))))
    return out


# -- rules only a write judges: on what the user typed, against today ------------------


def level_evidence_issues(evidence: str) -> list[Issue]:
    """A new checkpoint level says what shows it (older files may not)."""
    return [] if evidence.strip() else [
        _said_alike("evidence", _("a checkpoint level needs --evidence"))]


def action_goal_issues(goal: str) -> list[Issue]:
    return [] if goal.strip() else [
        _said_alike("goal", _("an action needs --goal: what it set out to achieve"))]


def next_step_issues(date: dt.date, today: dt.date) -> list[Issue]:
    return [] if date >= today else [
        _said_alike("next", _("the next step's date {date} is in the past").format(
            date=day(date)))]


def snooze_issues(until: dt.date, reason: str, today: dt.date) -> list[Issue]:
    if until <= today:
        return [_said_alike("until", _("--until {until} is not after today ({today})").format(
            until=day(until), today=day(today)))]
    if not reason.strip():
        return [_said_alike("reason", _("a snooze needs --reason: the known wait "
                                        "(budget cycle, tender date)"))]
    return []


# -- deal checks ----------------------------------------------------------------------


def waived_items(deal: Deal) -> set[str]:
    """Milestones and requirements a forced move recorded as waived, or an import as
    unproven (the source could not prove them: the gates apply from the import on)."""
    out: set[str] = set()
    for h in deal.history:
        out.update(h.waived)
        out.update(h.unproven)
    return out


def level_values(deal: Deal) -> dict[str, int]:
    return {lid: lv.level for lid, lv in deal.levels.items()}


# A deal check runs for every deal a cold start parses: plain loops, no generators,
# and a test of the common case (nothing wrong) before the rule builds its issues
# (process_findings took about 30 µs a deal, 12 µs so).


class _Lookups(NamedTuple):
    """What the deal checks look up in one pipeline, built once for it."""

    milestones: dict[str, Milestone]  # milestones_by_id
    passed: dict[str, tuple[str, ...]]  # stage or won id -> the milestones of the stages before
    tops: dict[str, int]  # ladder id -> its top level
    kinds: frozenset[str]  # the action kinds' ids


_LOOKUPS: list[Any] = [None, None]  # [the pipeline, its _Lookups]


def _lookups(p: Pipeline) -> _Lookups:
    if _LOOKUPS[0] is not p:
        passed = {sid: tuple(m.id for s in p.stages[:i] for m in s.milestones)
                  for sid, i in p.positions.items()}
        _LOOKUPS[:] = [p, _Lookups(milestones_by_id(p), passed,
                                   {lad.id: lad.top for lad in p.ladders},
                                   frozenset(p.kind_ids))]
    return _LOOKUPS[1]


def check_stage_exists(deal: Deal, p: Pipeline) -> list[Finding]:
    if deal.stage in p.positions:
        return []
    return [(("stage",), i.message) for i in stage_issues(deal.stage, p)]


def check_history(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    history = deal.history
    positions = p.positions
    for n, h in enumerate(history):
        if h.stage not in positions:
            out.append((("history", n, "stage"), _("history names unknown stage "
                                                   "{stage!r}").format(stage=h.stage)))
        if n and h.date < history[n - 1].date:
            for i in move_date_issues(history[n - 1].date, h.date):
                out.append((("history", n, "date"), i.message))
    if history and history[-1].stage != deal.stage:
        out.append((("history",), _("history ends at {last} but the deal is at {stage}").format(
            last=_quoted(history[-1].stage, _stage_item(p, history[-1].stage)),
            stage=_quoted(deal.stage, _stage_item(p, deal.stage)))))
    if history and history[0].date < deal.created:
        out.append((("history", 0, "date"),
                    _("history starts {date}, before the deal was created ({created})").format(
                        date=day(history[0].date), created=day(deal.created))))
    return out


def _stage_item(p: Pipeline, stage_id: str) -> Any:
    """The stage or outcome of that id, for its label; None when there is none."""
    if stage_id == p.won.id:
        return p.won
    if stage_id == p.lost.id:
        return p.lost
    return p.stage(stage_id)


def check_close_date(deal: Deal, p: Pipeline) -> list[Finding]:
    if deal.close is not None and deal.close < deal.created:
        return [(("close",), _("close {close} is before the deal was created "
                               "({created})").format(close=day(deal.close),
                                                     created=day(deal.created)))]
    return []


def dated_after_today(history: Sequence[tuple[str, dt.date, bool]],
                      outcome: dt.date | None, today: dt.date) -> list[Finding]:
    """Moves and outcomes cannot have happened yet. Depends on the day, so it is not
    among CHECKS (whose findings are cached with the deal): validate runs it."""
    out: list[Finding] = []
    for n, move in enumerate(history):
        if move[1] > today:
            out.append((("history", n, "date"),
                        _("history date {date} is after today ({today})").format(
                            date=day(move[1]), today=day(today))))
    if outcome is not None and outcome > today:
        out.append((("outcome", "date"), _("outcome date {date} is after today "
                                           "({today})").format(date=day(outcome),
                                                               today=day(today))))
    return out


def check_milestones_passed(deal: Deal, p: Pipeline) -> list[Finding]:
    """Every milestone of every stage before the current one is ticked (or waived)."""
    before = _lookups(p).passed.get(deal.stage)
    if before is None:  # an unknown stage
        return []
    ticked = deal.milestones
    for mid in before:
        if mid not in ticked:
            break
    else:
        return []  # every one ticked
    passed = p.stages[: p.index(deal.stage)]
    out: list[Finding] = []
    for i in milestone_gaps(passed, deal.milestones, waived_items(deal)):
        out.append((("milestones",), i.message))
    return out


def check_milestones_known(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    if deal.milestones:
        known = _lookups(p).milestones
        for mid, tick in deal.milestones.items():
            m = known.get(mid)
            if m is not None and (m.evidence != "required" or tick.evidence.strip()):
                continue
            for i in milestone_issues(mid, tick.evidence, known):
                out.append((("milestones", mid), i.message))
    return out


def check_levels(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    tops = _lookups(p).tops
    for lid, lv in deal.levels.items():
        top = tops.get(lid)
        if top is not None and 0 <= lv.level <= top:
            continue
        for i in level_issues(lid, lv.level, p):
            out.append((("levels", lid) if i.about == "ladder" else ("levels", lid, "level"),
                        i.message))
    return out


def check_requirements(deal: Deal, p: Pipeline) -> list[Finding]:
    """The entry requirements of the current stage hold (or were waived)."""
    stage = p.stage(deal.stage)
    if stage is None or not stage.requires:
        return []
    levels = deal.levels
    for lid, need in stage.requires.items():
        lv = levels.get(lid)
        if (0 if lv is None else lv.level) < need:
            break
    else:
        return []  # every requirement met
    out: list[Finding] = []
    for i in requirement_issues(stage, level_values(deal), waived_items(deal), p):
        out.append((("stage",), i.message))
    return out


def check_status(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    o = deal.outcome
    if deal.status == "won":
        if deal.stage != p.won.id:
            out.append((("status",), _("a won deal must be at stage {stage}").format(
                stage=_quoted(p.won.id, p.won))))
        if o is None:
            out.append((("status",), _("a won deal needs outcome.date")))
    elif deal.status == "lost":
        if o is None:
            out.append((("status",), _("a lost deal needs outcome.date and outcome.reason")))
        elif not o.reason:
            out.append((("outcome",), _("a lost deal needs outcome.reason")))
        else:
            r = p.loss_reason(o.reason)
            if r is None or (r.competitor == "required" and not o.competitor) or \
                    (r.note == "required" and not (o.note or "").strip()):
                for i in loss_issues(o.reason, o.competitor, o.note, p):
                    out.append((("outcome", "reason") if i.about == "reason"
                                else ("outcome",), i.message))
    else:
        if deal.stage == p.won.id:
            out.append((("status",), _("the deal is at the won stage but its status is open")))
        if o is not None:
            out.append((("outcome",), _("an open deal has an outcome")))
    if o is not None and deal.history and o.date < deal.history[-1].date:
        for i in outcome_date_issues(deal.history[-1].date, o.date):
            out.append((("outcome", "date"), i.message))
    return out


def check_actions(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    kinds = _lookups(p).kinds
    for n, a in enumerate(deal.actions):
        if a.kind in kinds:
            continue
        for i in action_kind_issues(a.kind, p):
            out.append((("actions", n, "kind"), i.message))
    return out


def decision_maker_power_issues(met: Sequence[str], power: int | None,
                                ladder: Any = None) -> list[Issue]:
    """A decision maker we have met (``met``: their names) while the power ladder says
    he does not know we are in the project (level 0): one of the two is wrong. A
    power never scored says nothing. ``ladder`` (the power ladder) gives its label to
    the message of another language than English."""
    if power != 0 or not met:
        return []
    return [_said_alike("power", nformat(
        "decision maker {who} is marked met, but {power} is 0 (the decision maker does not "
        "know we are in): raise {power} or correct the contact",
        "decision makers {who} are marked met, but {power} is 0 (the decision maker does "
        "not know we are in): raise {power} or correct the contact",
        len(met), who=", ".join(met), power=_bare("power", ladder)))]


def check_decision_maker_power(deal: Deal, p: Pipeline) -> list[Finding]:
    """A met decision maker against power 0, on open deals (a closed deal's file is its
    history) of a pipeline with a power ladder."""
    lv = deal.levels.get("power")
    if lv is None or lv.level != 0 or deal.status != "open" or p.ladder("power") is None:
        return []  # (only power 0 is at odds with a met decision maker)
    met: list[str] = []
    for c in deal.contacts:
        if c.decision_maker and (c.met is not None or c.last_met is not None):
            met.append(c.name)
    out: list[Finding] = []
    for i in decision_maker_power_issues(met, lv.level, p.ladder("power")):
        out.append((("levels", "power"), i.message))
    return out


def check_currency(deal: Deal, p: Pipeline) -> list[Finding]:
    """A deal in another currency than the pipeline's has a rate to convert it by:
    without one its amount is left out of every money total."""
    cur = deal.currency
    if cur is None or cur == p.currency or p.currencies.get(cur):
        return []
    return [(("currency",), _("currency {currency} has no rate in stages.yaml").format(
        currency=cur))]


CHECKS: list[Callable[[Deal, Pipeline], list[Finding]]] = [
    check_stage_exists,
    check_history,
    check_close_date,
    check_milestones_passed,
    check_milestones_known,
    check_levels,
    check_requirements,
    check_status,
    check_actions,
    check_currency,
    check_decision_maker_power,
]


def process_findings(deal: Deal, p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    for check in CHECKS:
        out.extend(check(deal, p))
    return out


def missing_to_enter(deal: Deal, p: Pipeline, target: str) -> list[tuple[str, str]]:
    """What keeps ``deal`` from moving forward to ``target``, as (key a forced move
    waives, explanation): the milestones of every stage it would pass and the
    target's entry requirements, the rules ``validate`` holds the moved deal to.
    Empty for a move back."""
    if p.index(target) <= p.index(deal.stage):
        return []
    waived = waived_items(deal)
    issues = milestone_gaps(p.stages[p.index(deal.stage): p.index(target)], deal.milestones,
                            waived)
    tstage = p.stage(target)
    if tstage is not None:
        issues += requirement_issues(tstage, level_values(deal), waived, p)
    elif target == p.won.id:
        # a signature reads the whole deal again: the requirements of its stage and of
        # every later one, whatever was waived on the way in (power that dropped, or
        # was never there, keeps a deal from being won unless forced)
        for stage in p.stages[p.index(deal.stage):]:
            issues += requirement_issues(stage, level_values(deal), (), p)
    return [(i.about, i.refusal) for i in issues]


# -- pipeline checks (stages.yaml) ------------------------------------------------------


def check_not_empty(p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    if not p.stages:
        out.append((("stages",), _("at least one stage is needed")))
    if not p.action_kinds:
        out.append((("action_kinds",), _("at least one action kind is needed")))
    return out


def check_stage_ids(p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    ids = p.stage_ids
    for i, stage in enumerate(p.stages):
        if stage.id in ids[:i]:
            out.append((("stages", i, "id"), _("stage id {id!r} appears twice").format(
                id=stage.id)))
        if stage.id in (p.won.id, p.lost.id):
            out.append((("stages", i, "id"), _("stage id {id!r} is also an outcome id").format(
                id=stage.id)))
    return out


def check_stage_numbers(p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    for i, stage in enumerate(p.stages):
        for name in ("probability", "conversion"):
            if not 0 <= getattr(stage, name) <= 1:
                out.append((("stages", i, name), _("{key} must be between 0 and 1, "
                                                   "not {value}").format(
                    key=name, value=getattr(stage, name))))
        if stage.stall_days <= 0:
            out.append((("stages", i, "stall_days"), _("{key} must be more than 0").format(
                key="stall_days")))
    return out


def check_milestone_ids(p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    for i, stage in enumerate(p.stages):
        seen: set[str] = set()
        for j, m in enumerate(stage.milestones):
            if m.id in seen:
                out.append((("stages", i, "milestones", j, "id"),
                            _("milestone {id!r} appears twice in stage {stage!r}").format(
                                id=m.id, stage=stage.id)))
            seen.add(m.id)
    return out


def check_action_kinds(p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    for i, kind in enumerate(p.kind_ids):
        if kind in p.kind_ids[:i]:
            out.append((("action_kinds", i), _("action kind {id!r} appears twice").format(
                id=kind)))
    return out


def check_lang(p: Pipeline) -> list[Finding]:
    if p.lang is not None and i18n.normalize(p.lang) is None:
        return [(("lang",), _("lang {value!r}: not a language funnelctl speaks "
                              "({choices})").format(value=p.lang, choices=i18n.choices()))]
    return []


def check_forecast_settings(p: Pipeline) -> list[Finding]:
    return [(("forecast", n), _("{key} must be 0 or more").format(key=f"forecast.{n}"))
            for n in ("min_closed", "prior_weight") if getattr(p.forecast, n) < 0]


def check_outcome_ids(p: Pipeline) -> list[Finding]:
    if p.won.id == p.lost.id:
        return [(("lost", "id"), _("won and lost need different ids"))]
    return []


def check_ladders(p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    ids = [lad.id for lad in p.ladders]
    for i, ladder in enumerate(p.ladders):
        if ladder.id in ids[:i]:
            out.append((("ladders", i, "id"), _("ladder id {id!r} appears twice").format(
                id=ladder.id)))
        if len(ladder.levels) < 2:
            out.append((("ladders", i, "levels"), _("ladder {id!r} needs 2 levels or "
                                                    "more").format(id=ladder.id)))
    return out


def check_stage_requirements(p: Pipeline) -> list[Finding]:
    """A stage requires levels on ladders that exist, within their range."""
    out: list[Finding] = []
    ladders = {lad.id: lad for lad in p.ladders}
    for i, stage in enumerate(p.stages):
        for lid, level in stage.requires.items():
            loc = ("stages", i, "requires", lid)
            if lid not in ladders:
                out.append((loc, _("stage {stage!r} requires ladder {ladder!r}, which is not "
                                   "defined (ladders: {ladders})").format(
                    stage=stage.id, ladder=lid, ladders=", ".join(ladders))))
            elif not 0 <= level <= ladders[lid].top:
                out.append((loc, _("stage {stage!r} requires {ladder} >= {level}, but that "
                                   "ladder has levels 0..{top}").format(
                    stage=stage.id, ladder=lid, level=level, top=ladders[lid].top)))
    return out


def check_loss_reasons(p: Pipeline) -> list[Finding]:
    ids = [r.id for r in p.lost.reasons]
    return [(("lost", "reasons", i, "id"), _("loss reason {id!r} appears twice").format(id=rid))
            for i, rid in enumerate(ids) if rid in ids[:i]]


def check_max_file_bytes(p: Pipeline) -> list[Finding]:
    if p.max_file_bytes <= 0:
        return [(("max_file_bytes",), _("{key} must be more than 0").format(
            key="max_file_bytes"))]
    return []


def check_rules(p: Pipeline) -> list[Finding]:
    return [(("rules", name), _("{key} must be more than 0").format(key=name))
            for name in ("follow_up_days", "judge_days", "repeat_actions")
            if getattr(p.rules, name) <= 0]


def check_targets(p: Pipeline) -> list[Finding]:
    out: list[Finding] = []
    for i, t in enumerate(p.targets):
        if not is_period(t.period):
            out.append((("targets", i, "period"), _("period {value!r}: expected "
                                                    "YYYY-MM").format(value=t.period)))
        if t.deals is None and t.amount is None:
            out.append((("targets", i), _("a target needs deals or amount")))
        if (t.deals or 0) < 0 or (t.amount or 0) < 0:
            out.append((("targets", i), _("a target cannot be negative")))
    return out


def check_reporting_currency(p: Pipeline) -> list[Finding]:
    """The reporting currency has no rate of its own: it is what the others become."""
    if p.currency not in p.currencies:
        return []
    return [(("currencies", p.currency), _("currency {currency} is the reporting currency "
                                           "(currency: {currency}): it needs no rate").format(
        currency=p.currency))]


def check_currency_rates(p: Pipeline) -> list[Finding]:
    """Every rate is more than 0; a dated list is in date order, and only its first
    rate may leave out ``from`` (it then holds from the start)."""
    out: list[Finding] = []
    for code, rates in p.currencies.items():
        if not rates:
            out.append((("currencies", code), _("currency {currency} needs a rate").format(
                currency=code)))
        for i, r in enumerate(rates):
            if r.rate <= 0:
                out.append((("currencies", code, i, "rate"),
                            _("currency {currency}: a rate must be more than 0, "
                              "not {rate}").format(currency=code, rate=r.rate)))
            if not i:
                continue
            prev = rates[i - 1].from_
            if r.from_ is None:
                out.append((("currencies", code, i),
                            _("currency {currency}: only the first rate may leave out "
                              "'from'").format(currency=code)))
            elif prev is not None and r.from_ <= prev:
                out.append((("currencies", code, i, "from"),
                            _("currency {currency}: rates go in date order, {date} is not "
                              "after {previous}").format(currency=code, date=day(r.from_),
                                                         previous=day(prev))))
    return out


PIPELINE_CHECKS: list[Callable[[Pipeline], list[Finding]]] = [
    check_not_empty,
    check_stage_ids,
    check_stage_numbers,
    check_milestone_ids,
    check_outcome_ids,
    check_action_kinds,
    check_lang,
    check_forecast_settings,
    check_ladders,
    check_stage_requirements,
    check_loss_reasons,
    check_rules,
    check_targets,
    check_reporting_currency,
    check_currency_rates,
    check_max_file_bytes,
]


def pipeline_findings(p: Pipeline) -> list[Finding]:
    """The rules across the fields of stages.yaml, as (location, message) pairs."""
    out: list[Finding] = []
    for check in PIPELINE_CHECKS:
        out.extend(check(p))
    return out
