"""Writing files so that an interrupted run leaves the old file or the new one,
never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from funnelctl.i18n import _
from funnelctl.store.root import StoreError


def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then rename it into place: an
    interrupted run leaves the old file or the new one, never half of one."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """``durable=False`` skips the fsync: for the cache, which is checked on every
    read and rebuilt when damaged, so a crash can cost time but never an answer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _exists(path: Path) -> str:
    return _("{name} exists already").format(name=path.name)


def create_exclusive(path: Path, text: str) -> None:
    """Write a new file that must not exist yet (two reps registering the same id)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(tmp_fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    try:
        os.link(tmp, path)  # fails if path exists: no race between check and write
    except FileExistsError:
        raise StoreError(_exists(path)) from None
    except OSError:  # a file system without hard links: exclusive create instead
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise StoreError(_exists(path)) from None
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    finally:
        os.unlink(tmp)
