"""One lock per deal, held while a write reads, changes and replaces the file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from funnelctl.store.root import CACHE_DIR


@contextmanager
def deal_lock(root: Path, rel: str) -> Iterator[None]:
    """Hold an exclusive lock on one deal while it is read, changed and written, so
    that two commands on the same deal at once do not lose one another's change.
    The lock files live in the cache folder; where locking is not possible (no
    fcntl, a read-only checkout) the write goes ahead unlocked."""
    try:
        import fcntl

        folder = root / CACHE_DIR / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / (rel.replace("/", "%") + ".lock"), "a")
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # closing releases the lock
