"""Reading a file of the repository as untrusted input: only a regular file, only
inside the repository, and only up to a size limit.

Any file may come from a collaborator: a FIFO named ``x.yaml`` would block a
plain read forever, a symlink may lead to a file outside the repository, a 50 MB
file would cost a minute of parsing. Every read of a deal file or of stages.yaml
goes through ``read_file``.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from funnelctl.i18n import _

# Larger than any deal a team writes by hand (a 60-line deal is 2 KB); a file above
# it is refused with a message instead of being parsed
MAX_FILE_BYTES = 1 << 20


class FileRefused(Exception):
    """A file that is not read, and why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def inside(root: Path, path: Path) -> Path:
    """``path`` with every symlink resolved, if that stays inside ``root``; else
    FileRefused. Writes go to this path, so a symlinked deal stays a symlink."""
    real_root = os.path.realpath(root)
    target = os.path.realpath(path)
    if os.path.commonpath([real_root, target]) != real_root:
        raise FileRefused(_("a symlink that leads out of the repository: not read or written"))
    return Path(target)


_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
_CHUNK = 1 << 16


def read_file(root: Path, rel: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``root/rel``; FileRefused for a file that is not a regular file
    inside the repository or is larger than ``limit``; OSError as the system says.
    Every deal file of a cold start is read here: a small file is read by two calls
    without a list of chunks (17 µs a file with the loop, 11 µs so; the system calls
    are 7 µs)."""
    path = os.path.join(root, rel)  # not root / rel: pathlib costs a tenth of a small read
    flags = _FLAGS
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        # a symlink: followed only while it stays in the repository
        fd = os.open(inside(root, Path(path)), flags & ~getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused(_("not a regular file (a FIFO, device or folder): not read"))
        if st.st_size > limit:
            raise FileRefused(_("the file is {size} bytes, over the limit of {limit}: not "
                                "read").format(size=f"{st.st_size:,}", limit=f"{limit:,}"))
        left = limit + 1
        data = os.read(fd, min(left, _CHUNK)) if left > 0 else b""
        left -= len(data)
        if data and left > 0:
            chunk = os.read(fd, min(left, _CHUNK))
            if chunk:  # a larger file, or one that grows while it is read
                chunks = [data, chunk]
                left -= len(chunk)
                while left > 0:
                    chunk = os.read(fd, min(left, _CHUNK))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    left -= len(chunk)
                data = b"".join(chunks)
        if len(data) > limit:
            raise FileRefused(_("the file is over the limit of {limit} bytes: not read").format(
                limit=f"{limit:,}"))
        return data
    finally:
        os.close(fd)


def within_limit(rel: str, data: bytes, limit: int) -> None:
    """A write that would leave a file every read refuses is refused itself."""
    if len(data) > limit:
        from funnelctl.store.root import StoreError

        raise StoreError(_("{path}: the change would make the file {size} bytes, over the "
                           "limit of {limit} (max_file_bytes in stages.yaml); nothing "
                           "written").format(path=rel, size=f"{len(data):,}",
                                             limit=f"{limit:,}"))
