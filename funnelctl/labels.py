"""What a user typed, as an id of stages.yaml: a stage, milestone, ladder, action
kind or loss reason named by its id, its label, or its label in another language
(``labels: {en: Power}`` beside ``label: 权力``), ignoring case and full-width
forms. ``score DEAL 权力 3``, ``score DEAL Power 3`` and ``score DEAL power 3`` all
name the ladder ``power``.

An id wins over a label (ids are unique); a label that two items share is
ambiguous and refused with both. Nothing matching is refused with every choice,
as ``id (label)`` in the active language. Items are read by duck typing (``id``,
``label``, ``labels``), so an action kind may be a plain string.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from funnelctl import i18n
from funnelctl.i18n import N_, _

# the refusal for each kind of item, named once for the catalog
NOT_FOUND = {
    "stage": N_("no stage {text!r} (choose one of: {choices})"),
    "milestone": N_("no milestone {text!r} (choose one of: {choices})"),
    "ladder": N_("no ladder {text!r} (choose one of: {choices})"),
    "kind": N_("no action kind {text!r} (choose one of: {choices})"),
    "reason": N_("no loss reason {text!r} (choose one of: {choices})"),
}
AMBIGUOUS = N_("{text!r} names more than one: {matches}; type the id")


class NoSuchChoice(ValueError):
    """Nothing (or more than one item) answers to what was typed; ``choices`` are
    the ids."""

    def __init__(self, message: str, choices: Sequence[str]):
        super().__init__(message)
        self.message = message
        self.choices = list(choices)


@dataclass(frozen=True)
class Choice:
    id: str
    names: tuple[str, ...]  # id, label, every other-language label
    shown: str  # what the item is called in the active language


def key(text: str) -> str:
    """How two names are compared: NFKC (full-width made plain), case folded,
    surrounding spaces ignored."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def choice(item: Any) -> Choice:
    if isinstance(item, str):
        return Choice(item, (item,), item)
    names = [item.id, getattr(item, "label", None) or item.id]
    names += [v for v in (getattr(item, "labels", None) or {}).values() if v]
    return Choice(item.id, tuple(dict.fromkeys(names)), i18n.label(item))


def describe(c: Choice) -> str:
    """``visit (拜访)``; an id alone when it is its own label."""
    return c.id if key(c.shown) == key(c.id) else f"{c.id} ({c.shown})"


def resolve(kind: str, items: Iterable[Any], text: str) -> str:
    """The id of the item ``text`` names (see the module's docstring); raises
    NoSuchChoice. ``kind`` is one of NOT_FOUND's keys."""
    found = [choice(i) for i in items]
    k = key(text)
    for c in found:
        if key(c.id) == k:
            return c.id
    matches = [c for c in found if any(key(n) == k for n in c.names[1:])]
    if len(matches) == 1:
        return matches[0].id
    ids = [c.id for c in found]
    if matches:
        raise NoSuchChoice(_(AMBIGUOUS).format(
            text=text, matches=", ".join(describe(c) for c in matches)), ids)
    raise NoSuchChoice(_(NOT_FOUND[kind]).format(
        text=text, choices=", ".join(describe(c) for c in found) or "-"), ids)


# -- the lists of stages.yaml ------------------------------------------------------


def stage(pipeline: Any, text: str, outcomes: bool = False) -> str:
    """A stage id (``outcomes``: the won and lost outcomes too)."""
    items = list(pipeline.stages)
    if outcomes:
        items += [pipeline.won, pipeline.lost]
    return resolve("stage", items, text)


def milestone(pipeline: Any, text: str) -> str:
    return resolve("milestone", [m for s in pipeline.stages for m in s.milestones], text)


def ladder(pipeline: Any, text: str) -> str:
    return resolve("ladder", pipeline.ladders, text)


def kind(pipeline: Any, text: str) -> str:
    return resolve("kind", pipeline.action_kinds, text)


def loss_reason(pipeline: Any, text: str) -> str:
    return resolve("reason", pipeline.lost.reasons, text)


def shown(pipeline: Any, item_id: str, kind: str = "stage") -> str:
    """What an id of stages.yaml is called in the active language (the id itself
    when stages.yaml no longer has it): for the views."""
    items: Iterable[Any] = {
        "stage": lambda: [*pipeline.stages, pipeline.won, pipeline.lost],
        "milestone": lambda: [m for s in pipeline.stages for m in s.milestones],
        "ladder": lambda: pipeline.ladders,
        "kind": lambda: pipeline.action_kinds,
        "reason": lambda: pipeline.lost.reasons,
    }[kind]()
    for item in items:
        if (item if isinstance(item, str) else item.id) == item_id:
            return i18n.label(item)
    return item_id


def said(pipeline: Any, item_id: str, kind: str = "stage") -> str:
    """What a write's message calls an item the user named: in English its id (the
    word typed, and typed again: ``lost (competitor)``), in another language what
    that language calls it (``shown``: 丢单（输给竞争对手）), since an id is an English
    word there; either can be typed back."""
    if i18n.current() == i18n.DEFAULT:
        return item_id
    return shown(pipeline, item_id, kind)
