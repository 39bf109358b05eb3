"""Shell completion's answers (typer's ``autocompletion=`` callbacks): deal ids,
stage, milestone and ladder ids, action kinds, loss reasons, owners and fixed
option values, from the pipeline the command would use (``--dir``,
``FUNNELCTL_DIR``, or the nearest stages.yaml).

Completion runs on every Tab: it must feel instant on 10,000 deals and never fail
loudly. Deal ids are the names of the files under deals/ (a deal lives at
deals/**/ID.yaml: one walk over the names, no stat, no parsing), with the
title as the help zsh and fish show, read from the parse cache's summaries when
the cache is current (the summaries' first fields only: msgspec skips the rest).
Owners come from the same summaries and from stages.yaml's teams, people and
targets. Anything that cannot be read gives no candidates instead of an error.

A candidate matches what was typed by its beginning (typer keeps only those, case
and all); the labels of stages.yaml items complete too (``权`` -> ``权力``), and an id
is shown with its label as the help zsh and fish print.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from operator import attrgetter
from pathlib import Path
from typing import Any

import typer

Candidate = tuple[str, str]


def _root(ctx: typer.Context | None) -> Path | None:
    from funnelctl.store import StoreError, find_root

    explicit = None
    if ctx is not None:
        explicit = ctx.find_root().params.get("dir")
    explicit = explicit or os.environ.get("FUNNELCTL_DIR")
    try:
        return find_root(Path.cwd(), explicit)
    except (StoreError, OSError):
        return None


def _pipeline(ctx: typer.Context | None) -> Any:
    from funnelctl.store import StoreError, load_pipeline

    root = _root(ctx)
    if root is None:
        return None
    try:
        return load_pipeline(root)
    except (StoreError, OSError):
        return None


def _matching(candidates: Iterable[Candidate], incomplete: str) -> list[Candidate]:
    typed = incomplete.casefold()
    seen: set[str] = set()
    out = []
    for value, help_text in candidates:
        if value.casefold().startswith(typed) and value not in seen:
            seen.add(value)
            out.append((value, help_text))
    return out


# -- deals ----------------------------------------------------------------------


def deal_ids(root: Path) -> list[str]:
    """The ids of the deals under deals/: their files' names."""
    from funnelctl.store import DEALS_DIR

    ids = []
    for _folder, dirs, names in os.walk(root / DEALS_DIR):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith(".") and name.endswith((".yaml", ".yml")):
                ids.append(name.rsplit(".", 1)[0])
    return sorted(ids)


def cached_people(root: Path) -> dict[str, tuple[str, str]]:
    """Deal id -> (title, owner) from the parse cache, when the cache was written by
    this very code for this stages.yaml (else empty: completion never parses)."""
    import msgspec

    from funnelctl.store import CACHE_DIR
    from funnelctl.store.cache import SHARDS, cache_key
    from funnelctl.summary import Summary

    fields = Summary._fields
    wanted = [fields.index(f) for f in ("id", "title", "owner")]
    # the summary's first fields only, whatever type each has
    light = msgspec.defstruct("Light", [(f"f{i}", Any) for i in range(max(wanted) + 1)],
                              array_like=True)
    entry = msgspec.defstruct("LightEntry", [("size", int), ("mtime", int), ("ctime", int),
                                             ("inode", int), ("summary", light | None)],
                              array_like=True)
    shard = msgspec.defstruct("LightShard", [("key", str), ("entries", dict[str, entry])],
                              array_like=True)
    decoder = msgspec.msgpack.Decoder(shard)
    pick = attrgetter(*(f"f{k}" for k in wanted))
    try:
        key = cache_key(root)
    except OSError:
        return {}
    out: dict[str, tuple[str, str]] = {}
    folder = root / CACHE_DIR
    for i in range(SHARDS):
        try:
            with open(folder / f"{i:02x}.msgpack", "rb") as f:
                data = decoder.decode(f.read())
        except (OSError, msgspec.DecodeError, ValueError):
            continue
        if data.key != key:
            return {}
        for e in data.entries.values():
            s = e.summary
            if s is not None:
                deal, title, owner = pick(s)
                out[deal] = (title, owner)
    return out


def complete_deal(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """Deal ids, each with its title."""
    root = _root(ctx)
    if root is None:
        return []
    typed = incomplete.casefold()
    ids = [d for d in deal_ids(root) if d.casefold().startswith(typed)]
    if not ids:
        return []
    titles = cached_people(root) if len(ids) <= 200 else {}  # a long list needs no titles
    return [(d, titles.get(d, ("", ""))[0]) for d in ids]


def complete_owner(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """The reps: owners of deals (from the cache), members and managers of teams,
    people and target owners of stages.yaml."""
    root = _root(ctx)
    if root is None:
        return []
    names: set[str] = {owner for _t, owner in cached_people(root).values()}
    p = _pipeline(ctx)
    if p is not None:
        for group in (*p.teams.values(), *p.team_managers.values()):
            names.update(group)
        names.update(p.people)
        names.update(t.owner for t in p.targets if t.owner != "team" and t.owner not in p.teams)
    return _matching(((n, "") for n in sorted(names)), incomplete)


def complete_team(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    p = _pipeline(ctx)
    if p is None:
        return []
    return _matching(((t, ", ".join(m)) for t, m in p.teams.items()), incomplete)


# -- stages.yaml's lists -----------------------------------------------------------


def _items(items: Iterable[Any], incomplete: str) -> list[Candidate]:
    """Ids with their labels; a label completes too (typed beginning non-empty)."""
    from funnelctl import i18n

    ids: list[Candidate] = []
    labels: list[Candidate] = []
    for item in items:
        if isinstance(item, str):
            ids.append((item, ""))
            continue
        shown = i18n.label(item)
        ids.append((item.id, shown))
        if incomplete:
            names = [getattr(item, "label", None), *(getattr(item, "labels", None) or {})
                     .values()]
            labels += [(n, item.id) for n in names if n and " " not in n]
    return _matching([*ids, *labels], incomplete)


def _from_pipeline(pick: Callable[[Any], Iterable[Any]]
                   ) -> Callable[[typer.Context, str], list[Candidate]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[Candidate]:
        p = _pipeline(ctx)
        return [] if p is None else _items(pick(p), incomplete)

    return complete


complete_stage = _from_pipeline(lambda p: p.stages)
complete_ladder = _from_pipeline(lambda p: p.ladders)
complete_milestone = _from_pipeline(lambda p: [m for s in p.stages for m in s.milestones])
complete_kind = _from_pipeline(lambda p: p.action_kinds)
complete_reason = _from_pipeline(lambda p: p.lost.reasons)


def complete_values(*values: str) -> Callable[[str], list[str]]:
    """A fixed set of values (``--format text md``), for an option that takes a
    plain string rather than an Enum (typer completes an Enum by itself)."""
    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete
