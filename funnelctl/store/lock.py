"""One lock per deal, held while a write reads, changes and replaces the file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from funnelctl.i18n import _
from funnelctl.store.root import CACHE_DIR, StoreError, os_reason


def _cannot_lock(rel: str, exc: OSError) -> str:
    return _("{path}: cannot lock the deal ({reason}); nothing written").format(
        path=rel, reason=os_reason(exc))


@contextmanager
def deal_lock(root: Path, rel: str) -> Iterator[None]:
    """Hold an exclusive lock on one deal while it is read, changed and written, so
    that two commands on the same deal at once do not lose one another's change.

    The lock file lives in the cache folder. Where that folder cannot be made (a
    file in its place, a folder owned by another user) the deal's own folder is
    locked instead, which serializes the writes of that folder. Where neither
    works, the write is refused: never written unlocked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on the platforms funnelctl runs on
        raise StoreError(_("{path}: cannot lock the deal on this system; nothing "
                           "written").format(path=rel)) from None
    handle = None
    try:
        folder = root / CACHE_DIR / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(folder / (rel.replace("/", "%") + ".lock"),
                         os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        try:  # a folder can be locked too: the deal's own
            handle = os.open((root / rel).parent, os.O_RDONLY)
        except OSError as exc:
            raise StoreError(_cannot_lock(rel, exc)) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError as exc:
            raise StoreError(_cannot_lock(rel, exc)) from None
        yield
    finally:
        os.close(handle)  # closing releases the lock
