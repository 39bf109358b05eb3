"""Shell completion's answers (typer's ``autocompletion=`` callbacks): deal ids,
stage, milestone and ladder ids, action kinds, loss reasons, owners and fixed
option values, from the pipeline the command would use (``--dir``,
``FUNNELCTL_DIR``, or the nearest stages.yaml).

Completion runs on every Tab: it must feel instant on 10,000 deals and never fail
loudly. Deal ids are the names of the files under deals/ (a deal lives at
deals/**/ID.yaml: one walk over the names, no stat, no parsing, and not even the
store imported: that alone costs ~115 ms of CPU, the walk of 10,000 names ~25 ms),
with the title as the help zsh and fish show (bash shows none: not read there),
read from the parse cache's summaries when the cache is current (only the shards
that hold the deals offered, and the summaries' first fields only: msgspec skips
the rest). Owners come from the same summaries and from stages.yaml's teams,
people and targets. Anything that cannot be read gives no candidates instead of
an error.

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

# the names of funnelctl.store.root, which completion does not import (see above);
# tests/test_zh_writes.py holds them equal
STAGES_FILE = "stages.yaml"
DEALS_DIR = "deals"
# more deals offered than this: no titles (a list that long is read by its ids)
TITLED = 200


def _root(ctx: typer.Context | None) -> Path | None:
    """The pipeline root as ``store.find_root`` finds it (--dir, FUNNELCTL_DIR, else
    the nearest folder with stages.yaml at or above the current one), or None."""
    explicit = None
    if ctx is not None:
        explicit = ctx.find_root().params.get("dir")
    explicit = explicit or os.environ.get("FUNNELCTL_DIR")
    try:
        if explicit:
            root = Path(explicit).expanduser().resolve()
            return root if (root / STAGES_FILE).is_file() else None
        here = Path.cwd().resolve()
        return next((f for f in (here, *here.parents) if (f / STAGES_FILE).is_file()), None)
    except (OSError, RuntimeError):
        return None


def _shows_help() -> bool:
    """Whether the shell asking shows a candidate's help (zsh, fish and PowerShell
    do, and are asked through _TYPER_COMPLETE_ARGS; bash shows values only)."""
    return "_TYPER_COMPLETE_ARGS" in os.environ


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


def deal_paths(root: Path) -> dict[str, str]:
    """Each deal's id -> its file, relative to the root (``deals/east/acme.yaml``):
    the names of the files under deals/, as the store finds a deal."""
    paths: dict[str, str] = {}
    top = str(root)
    cut = len(top) + 1
    for folder, dirs, names in os.walk(os.path.join(top, DEALS_DIR)):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = folder[cut:].replace(os.sep, "/")
        for name in names:
            if not name.startswith(".") and name.endswith((".yaml", ".yml")):
                paths.setdefault(name.rsplit(".", 1)[0], f"{rel}/{name}")
    return paths


def deal_ids(root: Path) -> list[str]:
    """The ids of the deals under deals/: their files' names."""
    return sorted(deal_paths(root))


def cached_people(root: Path, rels: Iterable[str] | None = None
                  ) -> dict[str, tuple[str, str]]:
    """Deal id -> (title, owner) from the parse cache, when the cache was written by
    this very code for this stages.yaml (else empty: completion never parses);
    ``rels``: only the shards that hold these deal files are read."""
    import msgspec

    from funnelctl.store import CACHE_DIR
    from funnelctl.store.cache import SHARDS, cache_key, shard_of
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
    try:
        names = os.listdir(folder)
    except OSError:
        return {}
    # a shard per language (``00.msgpack``, ``00.zh_CN.msgpack``): titles and owners
    # are the same in each, the active language's is tried first
    files: dict[str, list[str]] = {}
    for name in sorted(names):
        if name[2:3] == "." and name.endswith(".msgpack"):  # not pipeline.msgpack
            files.setdefault(name[:2], []).append(name)
    shards = range(SHARDS) if rels is None else sorted({shard_of(r) for r in rels})
    for i in shards:
        tried = files.get(f"{i:02x}", [])
        first = _shard_name(folder, i)
        for name in sorted(tried, key=lambda n: n != first):
            try:
                with open(folder / name, "rb") as f:
                    data = decoder.decode(f.read())
            except (OSError, msgspec.DecodeError, ValueError):
                continue
            if data.key != key:  # another code, Python or stages.yaml: stale
                continue
            for e in data.entries.values():
                s = e.summary
                if s is not None:
                    deal, title, owner = pick(s)
                    out[deal] = (title, owner)
            break
    return out


def _shard_name(folder: Path, i: int) -> str:
    """The file name of the active language's shard ``i`` (``store.cache.shard_path``)."""
    try:
        from funnelctl.store.cache import shard_path
    except ImportError:  # one shard for every language
        return f"{i:02x}.msgpack"
    return shard_path(folder, i).name


def complete_deal(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """Deal ids, each with its title where the shell shows it."""
    root = _root(ctx)
    if root is None:
        return []
    typed = incomplete.casefold()
    paths = deal_paths(root)
    ids = sorted(d for d in paths if d.casefold().startswith(typed))
    if not ids or len(ids) > TITLED or not _shows_help():
        return [(d, "") for d in ids]
    titles = cached_people(root, [paths[d] for d in ids])
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
# the support roles the stages name (presales, finance, legal): plain ids
complete_role = _from_pipeline(lambda p: list(dict.fromkeys(r for s in p.stages
                                                            for r in s.roles)))


def complete_values(*values: str) -> Callable[[str], list[str]]:
    """A fixed set of values (``--format text md``), for an option that takes a
    plain string rather than an Enum (typer completes an Enum by itself)."""
    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete
