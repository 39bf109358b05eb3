"""The deal files as they were at the start of each of the last weeks: the trend of
``funnelctl report``.

git is asked twice whatever the number of weeks and deals: one ``git log`` along
the first parents with the raw diff of every commit that touched deals/, which,
replayed from the first commit on, gives the blob of every deal file after each
commit (and so at each week start), and one ``git cat-file --batch`` that returns
the bytes of the distinct blobs the week starts hold. A deal file that did not
change between two week starts is one blob, read and parsed once; one that holds
the same bytes now (its blob id, hashed here, says so) is the deal as the loader
read it, not parsed again: at 10,000 deals with 500 changed a week, parsing every
blob of 8 week starts took 6 s, where the changed ones alone take a fraction. The
rest of this module is pure parsing of what git returns.

A week start's files are those of the last commit dated (the committer's own day)
before it, on the first-parent line of HEAD: what the team's main line held that
Monday morning; a branch merged later counts from its merge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from funnelctl.gitio import over_limit, run
from funnelctl.gitio.since import is_deal_path, parse_batch
from funnelctl.i18n import N_, _
from funnelctl.store.root import DEALS_DIR

if TYPE_CHECKING:
    from funnelctl.pipeline import Pipeline
    from funnelctl.summary import Summary

FEATURE = N_("report's trend")
_REGULAR = (b"100644", b"100755")
_HEADER = b"\x01"  # starts each commit's line in the log (its format below)


@dataclass
class Snapshot:
    """The deal files at a week start: path -> blob id, and the commit they are of."""

    day: dt.date
    commit: str
    blobs: dict[str, str]


@dataclass
class Commit:
    id: str
    day: dt.date
    # the raw diff against the first parent: (path, new blob or None when deleted)
    changes: list[tuple[str, str | None]] = field(default_factory=list)


def week_starts(today: dt.date, weeks: int) -> list[dt.date]:
    """The Mondays of the last ``weeks`` weeks, this week's included, oldest first."""
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]


def parse_log(out: bytes) -> list[Commit]:
    """The commits of ``git log -z --raw --format=%x01%H %cs``, in the order listed.

    Each commit is a header ``\\x01<id> <YYYY-MM-DD>``, then its raw diff entries,
    ``:<modes> <blobs> <status>`` and the path, every field ending in NUL. Read in
    sequence, so that a path holding any byte at all is read as a path."""
    commits: list[Commit] = []
    fields = out.split(b"\0")
    i = 0
    while i < len(fields):
        f = fields[i].lstrip(b"\n")
        i += 1
        if f.startswith(_HEADER):
            ident, _sep, day = f[1:].partition(b" ")
            try:
                commits.append(Commit(ident.decode("ascii"), dt.date.fromisoformat(
                    day.decode("ascii"))))
            except (UnicodeDecodeError, ValueError):
                commits.append(Commit(ident.decode("ascii", "replace"), dt.date.min))
        elif f.startswith(b":") and i < len(fields):
            path = os.fsdecode(fields[i])
            i += 1
            parts = f[1:].split(b" ")
            if len(parts) != 5 or not commits:
                continue
            _old_mode, new_mode, _old_blob, new_blob, status = parts
            keep = not status.startswith(b"D") and new_mode in _REGULAR
            commits[-1].changes.append((path, new_blob.decode("ascii") if keep else None))
    return commits


def replayed(commits: list[Commit], days: list[dt.date]) -> list[Snapshot]:
    """The deal files at each of ``days`` (ascending): the changes of the commits
    dated before it, applied in order. A day before the first commit has none."""
    out: list[Snapshot] = []
    files: dict[str, str] = {}
    pending = list(days)
    last: str | None = None
    for c in commits:
        while pending and c.day >= pending[0]:
            if last is not None:
                out.append(Snapshot(pending[0], last, dict(files)))
            pending.pop(0)
        if not pending:
            break
        for path, blob in c.changes:
            if blob is None:
                files.pop(path, None)
            elif is_deal_path(path):
                files[path] = blob
        last = c.id
    if last is not None:
        out += [Snapshot(day, last, dict(files)) for day in pending]
    return out


def snapshots(root: Path, days: list[dt.date]) -> list[Snapshot]:
    """The deal files at each of ``days`` in the repository ``root`` is in (a
    GitError outside one); none before its first commit."""
    run.require_repo(root, _(FEATURE))
    head = run.git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    if head.returncode != 0:  # no commit yet
        return []
    out = run.git(root, "log", "--first-parent", "-m", "--raw", "-z", "--no-renames",
                  "--no-abbrev", "--reverse", "--relative", "--root",
                  "--format=%x01%H %cs", "HEAD", "--", DEALS_DIR).stdout
    return replayed(parse_log(out), days)


@dataclass
class Read:
    """The deals at each week start, parsed; and the files that could not be."""

    deals: dict[dt.date, list[Summary]]
    unreadable: dict[str, str]  # blob id -> why


def blob_id(data: bytes, like: str) -> str:
    """The id git gives a blob of these bytes, in the hash of the id ``like``."""
    digest = hashlib.sha256 if len(like) == 64 else hashlib.sha1
    return digest(b"blob %d\0%s" % (len(data), data)).hexdigest()


def unchanged(root: Path, wanted: Iterable[tuple[str, str]], current: dict[str, Summary],
              limit: int) -> dict[tuple[str, str], Summary]:
    """The (blob, path) pairs whose file holds those very bytes now, with the deal as
    it was loaded: most deals did not change between two week starts, nor since."""
    from funnelctl.store.files import FileRefused, read_file

    out: dict[tuple[str, str], Summary] = {}
    now: dict[str, str | None] = {}  # path -> the blob id of its bytes now
    for blob, path in wanted:
        deal = current.get(path)
        if deal is None:
            continue
        if path not in now:
            try:
                now[path] = blob_id(read_file(root, path, limit), blob)
            except (FileRefused, OSError):
                now[path] = None
        if now[path] == blob:
            out[blob, path] = deal
    return out


def read(root: Path, snaps: list[Snapshot], pipeline: Pipeline,
         current: dict[str, Summary] | None = None) -> Read:
    """Each snapshot's deals: a file that holds the same bytes now is the deal as
    ``current`` (path -> deal) has it; the others are parsed by the store's own
    reader from the bytes of one ``git cat-file --batch``, once for all the week
    starts that hold them."""
    from funnelctl.store import read_deal
    from funnelctl.summary import summarize

    wanted: dict[tuple[str, str], None] = {}
    for s in snaps:
        for path, blob in s.blobs.items():
            wanted.setdefault((blob, path))
    parsed: dict[tuple[str, str], Summary | None] = dict(
        unchanged(root, wanted, current or {}, pipeline.max_file_bytes))
    wanted = {k: None for k in wanted if k not in parsed}
    blobs = list(dict.fromkeys(b for b, _ in wanted))
    found = parse_batch(run.git(root, "cat-file", "--batch",
                                input="".join(b + "\n" for b in blobs).encode("ascii")).stdout,
                        len(blobs)) if blobs else []
    data = dict(zip(blobs, found, strict=True))
    unreadable: dict[str, str] = {}
    limit = pipeline.max_file_bytes
    for blob, path in wanted:
        obj = data[blob]
        if obj is None or obj[0] != "blob":
            unreadable[blob] = _("{path}: not a file git can read").format(path=path)
            parsed[blob, path] = None
            continue
        if len(obj[1]) > limit:
            unreadable[blob] = f"{path}: " + over_limit(len(obj[1]), limit)
            parsed[blob, path] = None
            continue
        deal, problems = read_deal(root, path, pipeline, text=obj[1])
        if deal is None:
            unreadable[blob] = _("{path}: not readable as a deal").format(path=path)
            parsed[blob, path] = None
        else:
            parsed[blob, path] = summarize(deal, path, [p.message for p in problems])
    deals = {s.day: [d for path, blob in sorted(s.blobs.items())
                     if (d := parsed[blob, path]) is not None] for s in snaps}
    return Read(deals, unreadable)
