"""The manager's writes of the rhythm: ``check`` and ``judge`` on a deal (through the
store's one door, ``update_deal``), and ``target set`` on stages.yaml.

Like every write they change only the lines they mean to (``yamlio``'s round
trip): comments, key order, quoting and the keys a team added stay. stages.yaml is
written under its own lock, re-validated before it replaces the old file (a
change that would leave a pipeline no command can read is refused), atomically.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from funnelctl import edits
from funnelctl.edits import Refused, append_entry, append_item, block_map, set_key, status_name
from funnelctl.i18n import _
from funnelctl.pipeline import Pipeline

if TYPE_CHECKING:
    from funnelctl.readmodel import AnyDeal as Deal


# -- the manager's look at a deal ----------------------------------------------------


def _require_open(deal: Deal, what: str) -> None:
    if deal.status != "open":
        if what == "check":
            message = _("deal {id} is {status}: there is nothing left to check")
        else:
            message = _("deal {id} is {status}: there is nothing left to judge")
        raise Refused(message.format(id=deal.id, status=status_name(deal.status)))


def _manager(manager: str) -> str:
    if not manager.strip():
        raise Refused(_("--manager: name the manager who looked at the deal"))
    return manager.strip()


def check(doc: CommentedMap, deal: Deal, today: dt.date, manager: str, note: str) -> None:
    """Record the manager's look at an open deal: the day, who, and what he heard."""
    _require_open(deal, "check")
    who = _manager(manager)
    if not note.strip():
        raise Refused(_("a check needs --note: what was done, what moved, what is blocked"))
    append_entry(doc, "manager_checks", block_map(date=today, manager=who, note=note.strip()))


def judge(doc: CommentedMap, deal: Deal, p: Pipeline, today: dt.date, manager: str,
          verdict: str, note: str | None, reason: str | None = None,
          competitor: str | None = None) -> str | None:
    """The manager's judgement of an open deal's intent. ``keep``: recorded with why
    (``note``, required); it starts a new 1/15/30 cycle. ``drop``: the deal is lost
    (``edits.lose``) with the loss ``reason`` (default ``no_decision``), the
    ``competitor`` and the ``note`` as a loss takes them, and the judgement is
    recorded beside it. Returns the loss reason of a drop."""
    _require_open(deal, "judge")
    who = _manager(manager)
    text = (note or "").strip()
    if verdict == "keep":
        if reason is not None or competitor is not None:
            raise Refused(_("--reason and --competitor are a drop's: say why the deal is "
                            "kept with --note"))
        if not text:
            raise Refused(_("judge keep needs --note: the intent you heard that keeps the "
                            "deal"))
        append_entry(doc, "manager_checks", block_map(date=today, manager=who, note=text,
                                                      verdict="keep"))
        return None
    if verdict != "drop":  # the command offers the two as choices
        raise Refused(_("verdict {verdict!r}: keep or drop").format(verdict=verdict))
    why = reason or "no_decision"
    edits.lose(doc, deal, p, today, why, competitor, note)
    append_entry(doc, "manager_checks", block_map(date=today, manager=who,
                                                  note=text or None, verdict="drop"))
    return why


# -- targets in stages.yaml ------------------------------------------------------------


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _matches(item: Any, owner: str, period: str) -> bool:
    return (isinstance(item, dict) and str(item.get("owner")) == owner
            and str(item.get("period")) == period)


def set_target(doc: CommentedMap, period: str, owner: str, deals: int | None,
               amount: float | None) -> str:
    """Set the target of ``owner`` (a rep, a team, or ``team``) for ``period`` in the
    ``targets:`` list: the entry for the same owner and period gets the figures given
    (a figure not given keeps its value), else a new entry goes after the last entry
    of the same period (at the end when there is none), written as the list's other
    entries are (``{owner: ..., period: ..., deals: ...}`` in a new list). Returns
    ``added`` or ``changed``."""
    if deals is None and amount is None:
        raise Refused(_("a target needs a number of deals, an --amount, or both"))
    figures = {k: _number(v) for k, v in (("deals", deals), ("amount", amount))
               if v is not None}
    node = doc.get("targets")
    usable = isinstance(node, CommentedSeq) and (len(node) or not node.fa.flow_style())
    if node is not None and not isinstance(node, CommentedSeq):
        raise Refused(_("stages.yaml: targets: is not a list; fix it by hand first"))
    if usable:
        found = [item for item in node if _matches(item, owner, period)]
        for item in found:
            for k, v in figures.items():
                item[k] = v
        if found:
            return "changed"
    entry = block_map(owner=owner, period=period)
    entry.update(figures)
    if usable and len(node):
        if all(isinstance(x, CommentedMap) and x.fa.flow_style() for x in node):
            entry.fa.set_flow_style()
        same = [i for i, x in enumerate(node) if isinstance(x, dict)
                and str(x.get("period")) == period]
        if same and same[-1] < len(node) - 1:
            node.insert(same[-1] + 1, entry)
        else:
            append_item(node, entry)
        return "added"
    entry.fa.set_flow_style()
    if usable:
        append_item(node, entry)
    else:
        seq = CommentedSeq()
        seq.append(entry)
        set_key(doc, "targets", seq, doc)
    return "added"


def write_targets(root: Path, change: Any) -> tuple[Any, Pipeline | None]:
    """Apply ``change(doc)`` to stages.yaml's round-trip document under its lock;
    the new text must validate as a pipeline, or nothing is written (StoreError with
    its problems). Returns what ``change`` returned and the new pipeline (None when
    nothing changed)."""
    from funnelctl import yamlio
    from funnelctl.problems import Problem
    from funnelctl.store import STAGES_FILE, StoreError, atomic_write, deal_lock
    from funnelctl.store.files import MAX_FILE_BYTES, FileRefused, inside, read_file, within_limit
    from funnelctl.store.read import validate_pipeline_text

    rel = STAGES_FILE
    # the lock of stages.yaml, as a deal's: two `target set` at once both land
    with deal_lock(root, rel):
        try:
            raw = read_file(root, rel)
            path = inside(root, root / rel)  # a symlinked stages.yaml is written there
            text = raw.decode("utf-8")
        except FileRefused as exc:
            raise StoreError(f"{rel}: {exc.message}") from None
        except OSError as exc:
            raise StoreError(_("{path}: cannot read: {error}").format(
                path=rel, error=exc.strerror)) from None
        except UnicodeDecodeError:
            raise StoreError(_("{path} is not UTF-8 text; nothing written").format(
                path=rel)) from None
        try:
            y, doc = yamlio.rt_load(text)
        except Exception as exc:  # read by the fast reader, not by the round trip
            mark = getattr(exc, "problem_mark", None)
            raise StoreError(_("{path} cannot be edited safely").format(path=rel), [Problem(
                rel, mark.line + 1 if mark else 1,
                _("round-trip parser: {error}").format(error=exc))]) from None
        if not isinstance(doc, CommentedMap):
            raise StoreError(_("{path} is not a mapping of settings; nothing written").format(
                path=rel))
        result = change(doc)
        new_text = yamlio.rt_dump(y, doc)
        if new_text == text:
            return result, None
        data = new_text.encode("utf-8")
        within_limit(rel, data, MAX_FILE_BYTES)
        pipeline = validate_pipeline_text(data)  # StoreError: "stages.yaml is broken"
        atomic_write(path, new_text)
        return result, pipeline
