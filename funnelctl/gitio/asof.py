"""The deal files as they were on past days, read from git history, for the
forecast's backtest: each deal's amount, close date and stage history as the
repository held them then, never as they are today.

git is asked twice whatever the size of the pipeline and the number of days:
one ``git log`` of the first-parent history under deals/ with each commit's day
and the blobs it changed (replayed oldest first, it gives every file's blob at
every commit), and one ``git cat-file --batch`` that returns every blob the
asked days need, each read once however many days share it. The bytes go
through the store's own parser. The rest of this module is pure parsing of
what git returns.

A blob never changes, so what parsing it gave is kept in
``.funnelctl-cache/asof.msgpack`` keyed by the blob and its path (and, for the
whole file, funnelctl's code, the Python version and the size limit of a deal
file), as plain data: a second
replay of 12 months of an 18-month history of 6,600 deals reads it instead of
parsing 14,000 blobs (about 4 s of a 5 s run, measured).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from funnelctl import i18n
from funnelctl.gitio import over_limit, run
from funnelctl.i18n import _
from funnelctl.store.root import CACHE_DIR, DEALS_DIR
from funnelctl.summary import Summary

if TYPE_CHECKING:
    from funnelctl.pipeline import Pipeline

_REGULAR = {b"100644", b"100755"}  # a symlink or submodule under deals/ is no deal file


@dataclass
class Commit:
    """A commit of the first-parent history that changed deal files: its day (in its
    committer's time zone) and the changes as (path, blob; None: deleted)."""

    id: str
    day: dt.date | None
    changes: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class AsOf:
    """The deal files at the last commit made before ``day``."""

    day: dt.date  # as asked
    commit: str
    commit_day: dt.date
    deals: list[Summary]
    unreadable: list[str]  # "path: why" of the files at that commit that are no deal


def is_deal_path(rel: str) -> bool:
    """A path the loader would read as a deal: *.yaml / *.yml under deals/, no part
    of it hidden."""
    parts = rel.split("/")
    return (len(parts) > 1 and parts[0] == DEALS_DIR and rel.endswith((".yaml", ".yml"))
            and not any(p.startswith(".") for p in parts))


def parse_log(out: bytes) -> list[Commit]:
    """``git log -z --raw --format=%x01%H %cs`` as commits, in the order git gave
    them. Each commit is ``\\x01<id> <day>\\0`` and then raw entries
    ``:<mode> <mode> <blob> <blob> <status>\\0<path>\\0``."""
    commits: list[Commit] = []
    at, n = 0, len(out)
    while at < n:
        c = out[at]
        if c in (0x0A, 0x00):  # the line feed after a header
            at += 1
        elif c == 0x01:
            end = out.find(b"\0", at)
            end = n if end == -1 else end
            head = out[at + 1:end].decode("ascii", "replace").split(" ")
            day = None
            if len(head) > 1:
                try:
                    day = dt.date.fromisoformat(head[1])
                except ValueError:
                    day = None
            commits.append(Commit(head[0], day))
            at = end + 1
        elif c == 0x3A:  # ':'
            meta_end = out.find(b"\0", at)
            path_end = out.find(b"\0", meta_end + 1) if meta_end != -1 else -1
            if path_end == -1:
                break
            meta = out[at + 1:meta_end].split(b" ")
            path = os.fsdecode(out[meta_end + 1:path_end])
            at = path_end + 1
            if len(meta) != 5 or not commits:
                continue
            status, new_mode, blob = meta[4][:1], meta[1], meta[3].decode("ascii")
            if status == b"D" or new_mode not in _REGULAR or not is_deal_path(path):
                commits[-1].changes.append((path, None))
            else:
                commits[-1].changes.append((path, blob))
        else:  # nothing git writes: skip to the next separator
            nxt = out.find(b"\0", at)
            at = n if nxt == -1 else nxt + 1
    return commits


def files_at(commits: list[Commit], days: list[dt.date]
             ) -> dict[dt.date, tuple[Commit, dict[str, str]]]:
    """For each day, the last commit (newest first in ``commits``) made before it and
    the deal files (path -> blob) at that commit. A day before every commit is left
    out."""
    picked: dict[int, list[dt.date]] = {}
    for day in days:
        for k, c in enumerate(commits):
            if c.day is not None and c.day < day:
                picked.setdefault(k, []).append(day)
                break
    out: dict[dt.date, tuple[Commit, dict[str, str]]] = {}
    files: dict[str, str] = {}
    for k in range(len(commits) - 1, -1, -1):  # oldest first
        for path, blob in commits[k].changes:
            if blob is None:
                files.pop(path, None)
            else:
                files[path] = blob
        for day in picked.get(k, []):
            out[day] = (commits[k], dict(files))
    return out


def parse_batch(out: bytes, n: int) -> list[bytes | None]:
    """The ``n`` answers of ``git cat-file --batch`` in the order asked: a blob's
    bytes, or None for anything else (``<name> missing``, another object type)."""
    found: list[bytes | None] = []
    at = 0
    while len(found) < n and at < len(out):
        eol = out.find(b"\n", at)
        if eol == -1:
            break
        header = out[at:eol].split(b" ")
        at = eol + 1
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            found.append(out[at:at + size] if header[1] == b"blob" else None)
            at += size + 1  # the contents end with a line feed of their own
        else:
            found.append(None)
    return found + [None] * (n - len(found))


def history(root: Path) -> list[Commit] | None:
    """The first-parent commits that changed deals/, newest first; None when the
    folder is in no git repository or it has no commit yet."""
    if run.toplevel(root) is None:
        return None
    # log.follow (a user's setting) would follow one file, not a folder
    proc = run.git(root, "-c", "log.follow=false", "log", "--first-parent", "-m", "--raw",
                   "--no-abbrev", "--no-renames", "-z", "--relative", "--format=%x01%H %cs",
                   "HEAD", "--", DEALS_DIR, check=False)
    if proc.returncode != 0:
        return None
    return parse_log(proc.stdout)


class Parsed(msgspec.Struct, array_like=True, gc=False):
    """The cache of parsed blobs: for "<blob> <path>", the deal's summary, or why the
    file is no deal."""

    key: str
    entries: dict[str, Summary | str]


CACHE_FILE = "asof.msgpack"


def _cache_key(limit: int) -> str:
    """funnelctl's code, the Python version, the largest deal file stages.yaml admits
    and the language the messages of the files that are no deal are in: what parsing a
    blob's bytes depends on."""
    import sys

    from funnelctl.store.cache import code_hash

    return (f"{code_hash()}-{sys.version_info[0]}.{sys.version_info[1]}-{limit}"
            f"-{i18n.current()}")


def _read_cache(root: Path, limit: int) -> dict[str, Summary | str]:
    try:
        data = (root / CACHE_DIR / CACHE_FILE).read_bytes()
        cached = msgspec.msgpack.decode(data, type=Parsed)
    except (OSError, msgspec.DecodeError, ValueError):  # missing, corrupt, foreign
        return {}
    return cached.entries if cached.key == _cache_key(limit) else {}


def _write_cache(root: Path, limit: int, entries: dict[str, Summary | str]) -> None:
    from funnelctl.store.write import atomic_write_bytes

    folder = root / CACHE_DIR
    if not folder.is_dir():  # the loader makes the folder (and git-ignores it)
        return
    try:
        atomic_write_bytes(folder / CACHE_FILE,
                           msgspec.msgpack.encode(Parsed(_cache_key(limit), entries)),
                           durable=False)
    except OSError:
        pass  # a read-only checkout still works, only slower


def deals_as_of(root: Path, pipeline: Pipeline, days: list[dt.date],
                commits: list[Commit], use_cache: bool = True) -> dict[dt.date, AsOf]:
    """The deals at the last commit before each day (a day before the first commit
    is left out), each blob read once through one ``git cat-file --batch`` (none
    that the cache holds)."""
    from funnelctl.store import read_deal
    from funnelctl.summary import summarize

    at = files_at(commits, days)
    limit = pipeline.max_file_bytes
    cached = _read_cache(root, limit) if use_cache else {}
    wanted = {f"{b} {rel}": (rel, b) for _commit, files in at.values() for rel, b in files.items()}
    blobs = sorted({b for name, (_, b) in wanted.items() if name not in cached})
    if blobs:
        out = run.git(root, "cat-file", "--batch",
                      input=("\n".join(blobs) + "\n").encode("ascii")).stdout
        data = dict(zip(blobs, parse_batch(out, len(blobs)), strict=True))
    else:
        data = {}
    parsed: dict[str, Summary | str] = {}
    for name, (rel, blob) in wanted.items():
        got = cached.get(name)
        if got is None:
            text = data.get(blob)
            if text is None:
                got = _("not a file git can read")
            elif len(text) > limit:
                got = over_limit(len(text), limit)
            else:
                deal, problems = read_deal(root, rel, pipeline, text=text)
                got = summarize(deal, rel, []) if deal is not None else \
                    (problems[0].message if problems else _("not a deal"))
        parsed[name] = got
    if use_cache and blobs:
        _write_cache(root, limit, parsed)
    result: dict[dt.date, AsOf] = {}
    for day, (commit, files) in at.items():
        deals: list[Summary] = []
        bad: list[str] = []
        for rel, blob in sorted(files.items()):
            got = parsed[f"{blob} {rel}"]
            if isinstance(got, str):
                bad.append(f"{rel}: {got}")
            else:
                deals.append(got)
        result[day] = AsOf(day, commit.id, commit.day or day, deals, bad)
    return result
