"""Loading a whole pipeline for the views: stages.yaml and every deal's summary,
through the cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from funnelctl.i18n import _
from funnelctl.pipeline import Pipeline
from funnelctl.problems import Problem
from funnelctl.store import cache
from funnelctl.store.files import FileRefused, read_file
from funnelctl.store.read import validate_pipeline_text
from funnelctl.store.root import STAGES_FILE, StoreError, os_reason
from funnelctl.summary import Summary


def load_pipeline(root: Path, use_cache: bool = True, all_deals: bool = False) -> Pipeline:
    """stages.yaml, validated; a broken one stops every command with its problems.
    An unchanged stages.yaml is taken from the cache, validated already.
    ``all_deals``: the caller goes on to load every deal (``load_all``)."""
    rel = STAGES_FILE
    try:
        text = read_file(root, rel)
    except FileRefused as exc:
        raise StoreError(f"{rel}: {exc.message}") from None
    except OSError as exc:
        raise StoreError(_("{path}: cannot read: {reason}").format(
            path=rel, reason=os_reason(exc))) from None
    if use_cache:
        cached = cache.load_pipeline(root, text)
        if cached is not None:
            return cached
    # A stages.yaml new to the cache (a cold start) makes every cached summary stale:
    # every deal will be parsed, and a child lists them meanwhile, on the other core,
    # while pydantic validates stages.yaml (at 10,000 deals: 0.26 s to validate, 0.13 s
    # to list)
    if all_deals:
        cache.list_early(root)
    try:
        pipeline = validate_pipeline_text(text)
    except StoreError:
        cache.drop_early(root)
        raise
    if use_cache:
        cache.save_pipeline(root, text, pipeline)
    return pipeline


@dataclass
class Loaded:
    """What the loader hands to the views: summaries, and every problem found."""

    pipeline: Pipeline
    deals: list[Summary]
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> list[Problem]:
        """The fatal problems: one or more per file that was left out."""
        return [p for p in self.problems if p.fatal]

    @property
    def skipped_files(self) -> list[str]:
        return sorted({p.file for p in self.problems if p.fatal})


def load_all(root: Path, pipeline: Pipeline, use_cache: bool = True,
             progress: bool = False) -> Loaded:
    """Every deal under deals/ as a summary, through the parse cache."""
    deals, problems = cache.load_summaries(root, pipeline, use_cache=use_cache,
                                           progress=progress)
    problems.extend(duplicate_ids(deals))
    return Loaded(pipeline, deals, problems)


def duplicate_ids(deals: list[Summary]) -> list[Problem]:
    """Ids used twice, also where they differ only in case: on a case-insensitive
    file system (a colleague's laptop) ACME-COOLING.yaml and acme-cooling.yaml are
    one file."""
    ids = [d.id.casefold() for d in deals]
    if len(set(ids)) == len(ids):  # the usual case, checked at C speed
        return []
    seen: dict[str, Summary] = {}
    out = []
    for d, key in zip(deals, ids, strict=True):
        first = seen.get(key)
        if first is None:
            seen[key] = d
        elif first.id == d.id:
            out.append(Problem(d.path, 1, _("id {id!r} is also used by {path}").format(
                id=d.id, path=first.path)))
        else:
            out.append(Problem(d.path, 1, _("id {id!r} is also used, as {other!r}, by "
                                            "{path}").format(id=d.id, other=first.id,
                                                             path=first.path)))
    return out
