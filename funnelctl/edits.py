"""The rep's writes, as changes to one round-trip YAML document.

Each operation first judges its inputs with the rules of ``checks``, the functions
``validate`` runs, and refuses what breaks one; then it changes only the nodes it
means to: comments, key order, quoting and every key a team added stay as they
were. Nothing derived (days in stage, probability) is ever written. The store
reads, applies, re-checks and writes atomically.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.tokens import CommentToken

from funnelctl import checks, labels
from funnelctl.i18n import _, pgettext
from funnelctl.pipeline import Pipeline
from funnelctl.yamlio import comment_safe, has_surrogate, plain_safe

if TYPE_CHECKING:  # a write reads the deal through readmodel: no pydantic to import
    from funnelctl.readmodel import AnyDeal as Deal


class Refused(Exception):
    """The operation would break the process; nothing is written."""

    def __init__(self, message: str, missing: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


def status_name(status: str) -> str:
    """A deal's status as the active language says it (``won``, ``lost``, ``open``)."""
    if status == "won":
        return pgettext("status", "won")
    if status == "lost":
        return pgettext("status", "lost")
    if status == "open":
        return pgettext("status", "open")
    return status


def refuse_on(issues: list[checks.Issue]) -> None:
    """Refuse with the first broken rule, said as a command says it."""
    if issues:
        raise Refused(issues[0].refusal)


def _safe(value: str) -> Any:
    """Text as it must be written to read back the same (``plain_safe``); refused when
    no UTF-8 file can hold it: a byte of a command-line argument that was not UTF-8
    reaches Python as a lone surrogate."""
    if has_surrogate(value):
        raise Refused(_("{value!r} is not UTF-8 text: a byte of it is not in the "
                        "terminal's encoding; nothing written").format(value=value))
    return plain_safe(value)


# -- comments that belong to the end of a block ----------------------------------


def _trailing_slot(node: Any) -> tuple[dict, Any, int] | None:
    """Where ruamel keeps the comment and blank lines after a block's last line: on
    the deepest last element. Returns (ca.items, key, position) or None."""
    if isinstance(node, CommentedMap) and len(node) and not node.fa.flow_style():
        key = list(node.keys())[-1]
        inner = _trailing_slot(node[key])
        return inner if inner is not None else (node.ca.items, key, 2)
    if isinstance(node, CommentedSeq) and len(node) and not node.fa.flow_style():
        idx = len(node) - 1
        inner = _trailing_slot(node[idx])
        return inner if inner is not None else (node.ca.items, idx, 0)
    return None


def _take_trailing(node: Any) -> Any:
    """The comment lines (and blank lines) after a block's last line, taken from it;
    an end-of-line comment stays on its line."""
    slot = _trailing_slot(node)
    if slot is None:
        return None
    items, key, pos = slot
    entry = items.get(key)
    if not entry or len(entry) <= pos or entry[pos] is None:
        return None
    tok = entry[pos]
    if any(t is tok for other in items.values() if other is not entry for t in other or ()):
        return None  # ruamel shares it with the key before an alias: it stays put
    value = tok.value
    if not value.startswith("\n"):
        # an end-of-line comment belongs to its own line; only the blank lines and
        # comment lines after it move to the new last element
        eol, _sep, rest = value.partition("\n")
        if not rest.strip(" \n") and "\n" not in rest:
            return None
        tok.value = eol + "\n"
        return CommentToken("\n" + rest, tok.start_mark, tok.end_mark)
    entry[pos] = None
    return tok


def _give_trailing(node: Any, tok: Any) -> None:
    """Put the lines ``_take_trailing`` took after a block's last line, after what is
    there already (an end-of-line comment stays)."""
    if tok is None:
        return
    slot = _trailing_slot(node)
    if slot is None:
        return
    items, key, pos = slot
    entry = items.setdefault(key, [None, None, None, None] if pos == 2 else [None, None])
    while len(entry) <= pos:
        entry.append(None)
    if entry[pos] is not None and entry[pos].value.endswith("\n"):
        entry[pos].value += tok.value[1:]  # "# eol\n" then the lines after it
    else:
        entry[pos] = tok


def append_item(seq: CommentedSeq, item: Any) -> None:
    """Append to a block list so that a blank line or comment after its old last item
    stays after the new last item, where the reader sees it."""
    tok = _take_trailing(seq)
    seq.append(item)
    _give_trailing(seq, tok)


def set_key(mapping: CommentedMap, key: str, value: Any, root: CommentedMap) -> None:
    """Set a key; a new key goes at the end of ``mapping``, and when that mapping ends
    the document, the comment that closed the document stays at its end."""
    if key in mapping:
        mapping[key] = value
        return
    tok = _take_trailing(root) if _ends_document(mapping, root) else None
    mapping[key] = value
    if tok is not None:
        _give_trailing(root, tok)


def _ends_document(mapping: CommentedMap, root: CommentedMap) -> bool:
    node: Any = root
    while True:
        if node is mapping:
            return True
        if isinstance(node, CommentedMap) and len(node):
            node = node[list(node.keys())[-1]]
        elif isinstance(node, CommentedSeq) and len(node):
            node = node[-1]
        else:
            return False


def block_map(**fields: Any) -> CommentedMap:
    m = CommentedMap()
    for k, v in fields.items():
        if v is None:
            continue
        m[k] = _safe(v) if isinstance(v, str) else v
    return m


def append_entry(doc: CommentedMap, key: str, item: Any) -> None:
    """Append ``item`` to the block list under ``key``, created with the item when
    missing (or an empty flow list such as ``[]``). Created with its item, never
    empty first: the comment that ends the document then stays after the item,
    not between the new key and it."""
    node = doc.get(key)
    if isinstance(node, CommentedSeq) and (len(node) or not node.fa.flow_style()):
        append_item(node, item)
        return
    seq = CommentedSeq()
    seq.append(item)
    set_key(doc, key, seq, doc)


def ensure_block(doc: CommentedMap, key: str, kind: type) -> Any:
    """The block mapping or list under ``key``, created (at the end) when missing,
    replaced when it is an empty flow collection such as ``{}``."""
    node = doc.get(key)
    if isinstance(node, kind) and (len(node) or not node.fa.flow_style()):
        return node
    new = kind()
    set_key(doc, key, new, doc)
    return new


# -- operations ----------------------------------------------------------------------


def slug(text: str) -> str:
    """A readable id for ``text``: ASCII letters, digits and dashes, Chinese in pinyin
    (``funnelctl.ids.readable_id``)."""
    from funnelctl.ids import readable_id

    return readable_id(text)


def new_deal(pipeline: Pipeline, today: dt.date, *, deal_id: str, account: str, title: str,
             owner: str, amount: float, source: str | None, close: dt.date | None,
             currency: str | None = None) -> CommentedMap:
    first = pipeline.stages[0].id
    doc = CommentedMap()
    doc["id"] = deal_id
    doc["title"] = _safe(title)
    doc["account"] = _safe(account)
    doc["owner"] = _safe(owner)
    doc["amount"] = int(amount) if float(amount).is_integer() else amount
    doc["currency"] = _safe(currency or pipeline.currency)
    if source:
        doc["source"] = _safe(source)
    doc["created"] = today
    if close:
        doc["close"] = close
    doc["stage"] = first
    doc["status"] = "open"
    doc["contacts"] = CommentedSeq()
    history = CommentedSeq()
    history.append(block_map(stage=first, date=today))
    doc["history"] = history
    doc.yaml_set_start_comment(comment_safe(f"{account}: {title}"))
    return doc


def _require_open(deal: Deal) -> None:
    if deal.status != "open":
        raise Refused(_("deal {id} is {status}; it can no longer change stage").format(
            id=deal.id, status=status_name(deal.status)))


def advance(doc: CommentedMap, deal: Deal, p: Pipeline, today: dt.date, to: str | None,
            force: bool = False, reason: str | None = None) -> str:
    """Move to the next (or the named) stage; returns the stage entered."""
    _require_open(deal)
    if checks.stage_issues(deal.stage, p):
        raise Refused(_("deal {id} is at unknown stage {stage!r}").format(
            id=deal.id, stage=deal.stage))
    if to is None:
        idx = p.index(deal.stage) + 1
        if idx >= len(p.stages):
            raise Refused(_("{stage} is the last open stage: use 'funnelctl win {id}' to "
                            "sign it").format(stage=labels.said(p, deal.stage), id=deal.id))
        to = p.stages[idx].id
    if to == p.won.id:
        raise Refused(_("use 'funnelctl win {id}' to sign a deal").format(id=deal.id))
    if to == p.lost.id:
        raise Refused(_("use 'funnelctl lose {id} --reason REASON' to close a deal as "
                        "lost").format(id=deal.id))
    refuse_on(checks.stage_issues(to, p))
    if to == deal.stage:
        raise Refused(_("deal {id} is already at {stage}").format(
            id=deal.id, stage=labels.said(p, to)))
    entry = history_entry(deal, p, to, today, force, reason,
                          _("cannot advance {id} to {stage}").format(
                              id=deal.id, stage=labels.said(p, to)),
                          _role_gaps(deal, p, to))
    doc["stage"] = to
    append_entry(doc, "history", entry)
    return to


def _role_gaps(deal: Deal, p: Pipeline, to: str) -> list[tuple[str, str]]:
    """Under ``require_roles``, a move forward into a stage whose roles nobody holds
    is refused like a missing milestone (--force waives it, recorded as waived);
    without it, the command only warns."""
    from funnelctl.analysis.roles import missing_role_issues

    if not p.rules.require_roles or p.index(to) <= p.index(deal.stage):
        return []
    return [(i.about, i.refusal) for i in missing_role_issues(p.stage(to), deal.roles, deal.id)]


def history_entry(deal: Deal, p: Pipeline, to: str, today: dt.date, force: bool,
                  reason: str | None, refusal: str,
                  extra: list[tuple[str, str]] | None = None) -> CommentedMap:
    """The history entry of a move to ``to``: refused while milestones or entry
    requirements are missing, unless forced with a reason, which is stored with the
    items it waived."""
    if deal.history:
        refuse_on(checks.move_date_issues(deal.history[-1].date, today))
    missing = checks.missing_to_enter(deal, p, to) + (extra or [])  # roles
    entry = block_map(stage=to, date=today)
    if missing and not force:
        raise Refused(_("{refusal}: {n} missing").format(refusal=refusal, n=len(missing)),
                      [text for _key, text in missing])
    if missing and not (reason and reason.strip()):
        raise Refused(_("--force needs --reason: a manager sees every waiver"))
    if force and reason and reason.strip():
        entry["reason"] = _safe(reason.strip())
    if missing:
        waived = CommentedSeq([_safe(key) for key, _text in missing])
        waived.fa.set_flow_style()
        entry["waived"] = waived
    return entry


def tick(doc: CommentedMap, deal: Deal, p: Pipeline, today: dt.date, milestone: str,
         evidence: str) -> None:
    refuse_on(checks.milestone_issues(milestone, evidence, checks.milestones_by_id(p)))
    if milestone in deal.milestones:
        from funnelctl.i18n import formats

        raise Refused(_("milestone {milestone} is already ticked ({day})").format(
            milestone=labels.said(p, milestone, "milestone"),
            day=formats.day(deal.milestones[milestone].date)))
    milestones = ensure_block(doc, "milestones", CommentedMap)
    set_key(milestones, milestone, block_map(date=today, evidence=evidence.strip() or None),
            doc)


def score(doc: CommentedMap, deal: Deal, p: Pipeline, today: dt.date, ladder: str,
          level: int, evidence: str) -> int | None:
    """Set a checkpoint level; returns the previous level, if any."""
    refuse_on(checks.level_issues(ladder, level, p) or checks.level_evidence_issues(evidence))
    before = deal.levels[ladder].level if ladder in deal.levels else None
    levels = ensure_block(doc, "levels", CommentedMap)
    entry = levels.get(ladder)
    if isinstance(entry, CommentedMap):
        entry["level"] = level
        entry["date"] = today
        entry["evidence"] = _safe(evidence.strip())
    else:
        set_key(levels, ladder, block_map(level=level, date=today, evidence=evidence.strip()),
                doc)
    return before


def act(doc: CommentedMap, deal: Deal, p: Pipeline, when: dt.date, kind: str, goal: str,
        result: str, moved: bool, next_step: tuple[dt.date, str] | None,
        today: dt.date | None = None, planned: bool = False) -> None:
    """Append an action report dated ``when``; the next step may not lie before today.
    ``planned``: a visit planned for a day to come, marked ``planned: true``. An action
    done on the day a visit of its kind was planned for completes that plan (the entry
    loses its mark and gains the result) instead of being added beside it."""
    today = today or when
    refuse_on(checks.action_kind_issues(kind, p) or checks.action_goal_issues(goal))
    if next_step:
        refuse_on(checks.next_step_issues(next_step[0], today))
    plan = None if planned else planned_entry(doc, when, kind)
    if plan is not None:
        plan["goal"] = _safe(goal.strip())
        if result.strip():
            plan["result"] = _safe(result.strip())
        plan["moved"] = moved
        del plan["planned"]
    else:
        entry = block_map(date=when, kind=kind, goal=goal.strip(),
                          result=result.strip() or None)
        entry["planned" if planned else "moved"] = True if planned else moved
        append_entry(doc, "actions", entry)
    if next_step:
        set_next(doc, next_step)


def planned_entry(doc: CommentedMap, when: dt.date, kind: str) -> CommentedMap | None:
    """The first action planned for ``when`` of this kind, in the document."""
    node = doc.get("actions")
    for item in node if isinstance(node, CommentedSeq) else ():
        if (isinstance(item, CommentedMap) and item.get("planned") is True
                and item.get("date") == when and item.get("kind") == kind):
            return item
    return None


def reread(doc: CommentedMap) -> Any:
    """The deal as the document now holds it, for a second edit in the same write
    that must see the first (an advance after a tick in ``act``)."""
    from funnelctl import readmodel

    deal = readmodel.deal_or_none(doc)
    if deal is None:
        from funnelctl.model import Deal as Model

        deal = Model.model_validate(dict(doc))
    return deal


def set_next(doc: CommentedMap, next_step: tuple[dt.date, str]) -> None:
    node = doc.get("next")
    if isinstance(node, CommentedMap):
        node["date"] = next_step[0]
        node["step"] = _safe(next_step[1])
    else:
        set_key(doc, "next", block_map(date=next_step[0], step=next_step[1]), doc)


def win(doc: CommentedMap, deal: Deal, p: Pipeline, today: dt.date, force: bool = False,
        reason: str | None = None, amount: float | None = None,
        on: dt.date | None = None) -> None:
    """Sign the deal: the requirements of its stage and of every later one must hold
    (a level that dropped, or a waiver given on the way in, is read again), the
    signed ``amount`` (default: the estimate) and the signing date ``on`` (default:
    today) are recorded, and the next step and snooze go: a closed deal has none."""
    _require_open(deal)
    when = on or today
    entry = history_entry(deal, p, p.won.id, when, force, reason,
                          _("cannot sign {id}").format(id=deal.id))
    doc["stage"] = p.won.id
    doc["status"] = "won"
    append_entry(doc, "history", entry)
    signed = deal.amount if amount is None else amount
    signed = int(signed) if float(signed).is_integer() else signed
    set_key(doc, "outcome", block_map(date=when, amount=signed), doc)
    _drop_key(doc, "next")
    _drop_key(doc, "snooze")


def lose(doc: CommentedMap, deal: Deal, p: Pipeline, today: dt.date, reason: str,
         competitor: str | None, note: str | None) -> None:
    _require_open(deal)
    refuse_on(checks.loss_issues(reason, competitor, note, p))
    if deal.history:
        refuse_on(checks.outcome_date_issues(deal.history[-1].date, today))
    doc["status"] = "lost"
    set_key(doc, "outcome", block_map(date=today, reason=reason, competitor=competitor,
                                      note=(note or "").strip() or None), doc)
    _drop_key(doc, "next")
    _drop_key(doc, "snooze")


def _drop_key(doc: CommentedMap, key: str) -> None:
    """Remove a key (the next step, the snooze). The comment and blank lines under it belong to what
    follows: those that end the document stay at its end, and those before another
    key are kept by the writer (``yamlio.merge_lines``), which removes only the lines
    of ``next``: ruamel cannot be trusted to write a comment moved to the key before
    where it was (after an alias it writes it at the anchor)."""
    if key in doc:
        tok = _take_trailing(doc) if list(doc.keys())[-1] == key else None
        del doc[key]
        _give_trailing(doc, tok)


def snooze(doc: CommentedMap, deal: Deal, today: dt.date, until: dt.date, reason: str) -> None:
    _require_open(deal)
    refuse_on(checks.snooze_issues(until, reason, today))
    node = doc.get("snooze")
    if isinstance(node, CommentedMap):
        node["until"] = until
        node["reason"] = _safe(reason.strip())
    else:
        set_key(doc, "snooze", block_map(until=until, reason=reason.strip()), doc)


def reassign(doc: CommentedMap, deal: Deal, today: dt.date, previous: str, to: str,
             reason: str | None) -> None:
    """Hand an open deal from ``previous`` to ``to``: the owner changes and the
    handover is recorded in the deal's ``handovers`` (a stage move it is not: the
    stage history and its clocks stay as they were)."""
    if deal.status != "open":
        raise Refused(_("deal {id} is {status}; only open deals are handed over").format(
            id=deal.id, status=status_name(deal.status)))
    if deal.owner != previous:
        raise Refused(_("deal {id} is owned by {owner}, not {previous}").format(
            id=deal.id, owner=deal.owner, previous=previous))
    set_key(doc, "owner", _safe(to), doc)
    entry = block_map(date=today, previous=previous, to=to,
                      reason=(reason or "").strip() or None)
    append_entry(doc, "handovers", entry)
