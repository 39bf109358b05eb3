"""The one door every write goes through: read the deal under its lock, apply a
change to its round-trip document, re-check, write atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from funnelctl.i18n import _
from funnelctl.pipeline import Pipeline
from funnelctl.problems import Problem
from funnelctl.store.files import FileRefused, inside, read_file, within_limit
from funnelctl.store.lock import deal_lock
from funnelctl.store.read import read_deal
from funnelctl.store.root import StoreError, os_reason
from funnelctl.store.write import atomic_write


def update_deal(root: Path, rel: str, pipeline: Pipeline, change: Any) -> Any:
    """Apply ``change(doc, deal)`` to one deal file through a round trip and write it
    atomically, under the deal's lock. The deal must read cleanly enough to be a
    deal; the result is re-read and refused if the change would leave a file that is
    no longer one. Returns what ``change`` returned. Nothing is written when nothing
    changed."""
    with deal_lock(root, rel):
        return _update_deal(root, rel, pipeline, change)


def _update_deal(root: Path, rel: str, pipeline: Pipeline, change: Any) -> Any:
    from funnelctl import yamlio

    try:
        raw = read_file(root, rel, pipeline.max_file_bytes)
        path = inside(root, root / rel)  # a symlinked deal is written where it leads
    except FileRefused as exc:
        raise StoreError(f"{rel}: {exc.message}") from None
    except OSError as exc:
        raise StoreError(_("{path}: cannot read: {reason}").format(
            path=rel, reason=os_reason(exc))) from None
    # The fast reader reads the file first: what it refuses (an alias bomb among the
    # rest: it bounds aliases) never reaches the round-trip parser. That one keeps an
    # alias as a second reference to one node, and writes it back as the alias.
    deal, problems = read_deal(root, rel, pipeline, raw)
    if deal is None:
        raise StoreError(_("{path} cannot be read as a deal; fix it first").format(path=rel),
                         problems)
    text = raw.decode("utf-8")
    try:
        # the file's own BOM, line endings, --- and ..., and every line the change
        # does not touch, are written back as read (see yamlio's round trip)
        y, doc = yamlio.rt_load(text)
    except Exception as exc:  # the fast reader took it, the round-trip parser does not
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise StoreError(_("{path} cannot be edited safely").format(path=rel),
                         [Problem(rel, line, _("round-trip parser: {error}").format(
                             error=exc))]) from None
    result = change(doc, deal)
    new_text = yamlio.rt_dump(y, doc)
    if new_text == text:
        return result
    within_limit(rel, new_text.encode("utf-8"), pipeline.max_file_bytes)
    after, after_problems = read_deal(root, rel, pipeline, new_text.encode("utf-8"))
    if after is None:  # a bug in an edit, never the user's input: refuse to write it
        raise StoreError(_("{path}: the change would break the file; nothing written").format(
            path=rel), after_problems)
    _remove_stale_temporaries(path)
    atomic_write(path, new_text)
    return result


def _remove_stale_temporaries(path: Path) -> None:
    """A write killed between creating its temporary file and renaming it leaves
    ``.NAME.XXXX.tmp`` beside the deal. The next write of that deal holds its lock, so
    any such file is stale: it is removed (the .gitignore hides them meanwhile)."""
    prefix = f".{path.name}."
    try:
        with os.scandir(path.parent) as it:
            stale = [e.path for e in it if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return
    for name in stale:
        try:
            os.unlink(name)
        except OSError:
            pass
