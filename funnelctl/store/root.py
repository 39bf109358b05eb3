"""Where a pipeline lives: its root folder, the names inside it, and the one error
type that stops a command with a message instead of a traceback."""

from __future__ import annotations

import errno
from pathlib import Path

from funnelctl.i18n import N_, _, current
from funnelctl.problems import Problem

STAGES_FILE = "stages.yaml"
DEALS_DIR = "deals"
CACHE_DIR = ".funnelctl-cache"


class StoreError(Exception):
    """A problem that stops a command; printed without a traceback."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def find_root(start: Path, explicit: str | None = None) -> Path:
    """The pipeline root: ``explicit`` (--dir / FUNNELCTL_DIR), or the nearest folder
    at or above ``start`` that holds stages.yaml, the way git finds .git."""
    if explicit:
        root = Path(explicit).expanduser().resolve()
        if not (root / STAGES_FILE).is_file():
            raise StoreError(_("{root}: no {file} here (run 'funnelctl init {dir}')").format(
                root=root, file=STAGES_FILE, dir=explicit))
        return root
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / STAGES_FILE).is_file():
            return folder
    raise StoreError(_("no {file} in {folder} or any folder above it "
                       "(run 'funnelctl init' or pass --dir)").format(file=STAGES_FILE,
                                                                       folder=here))


# what the system says of a failed read or write, in the words of the active language;
# English keeps the system's own words (strerror), and so does an error not listed
_OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.ENOSPC: N_("no space left on the device"),
    errno.EROFS: N_("read-only file system"),
    errno.EISDIR: N_("is a folder"),
    errno.ENOTDIR: N_("not a folder"),
    errno.EEXIST: N_("exists already"),
    errno.ELOOP: N_("too many levels of symbolic links"),
    errno.ENAMETOOLONG: N_("file name too long"),
    errno.EDQUOT: N_("disk quota exceeded"),
    errno.EIO: N_("input/output error"),
    errno.ENOLCK: N_("no locks available"),
    errno.EWOULDBLOCK: N_("the file is locked by another process"),
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, for a message (``cannot read: {reason}``): the
    system's words in English, as they always were; the active language's for the
    common errors in another."""
    said = exc.strerror or str(exc)
    if current() == "en":
        return said
    known = _OS_REASONS.get(exc.errno) if exc.errno is not None else None
    return _(known) if known else said
