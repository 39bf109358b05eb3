"""The parse cache: never parse a deal file that has not changed.

Parsing YAML costs many times reading the bytes, so the summaries of parsed,
checked deals are kept in ``.funnelctl-cache/`` at the pipeline root
(git-ignored). The cache lives in the working tree, where a collaborator could
plant a file, so it holds plain data only: msgpack that msgspec decodes into the
summary's own types, which runs no code whatever the bytes say (never pickle).

An answer is reused only when nothing it depends on has changed:
- the deal file's identity as git's index keeps it: size, mtime and ctime in
  nanoseconds, inode; a file changed within RACY_SECONDS of the scan is parsed
  again next time (a second change in the same clock tick keeps its mtime);
- the code that fills the cache: a hash of funnelctl's own source files, so a
  new rule or field is never hidden by a stale cache;
- stages.yaml byte for byte, and the Python version.

The cache is split into shards by path, so that one changed deal rewrites one
small shard. A shard that is missing, stale, foreign or unreadable is rebuilt:
the cache never changes an answer, it only saves time. A cold start parses the
files on every core.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import msgspec

from funnelctl.pipeline import Pipeline
from funnelctl.problems import Problem
from funnelctl.store.files import read_file
from funnelctl.store.root import CACHE_DIR, STAGES_FILE
from funnelctl.store.walk import FileId, deal_files
from funnelctl.store.write import atomic_write_bytes
from funnelctl.summary import Summary

SHARDS = 64  # one changed deal rewrites 1/64 of the cache (fewer: less sharing in each)
# A file changed within this many seconds of a scan may change again within the
# same mtime tick; it is parsed but not trusted from the cache next time.
RACY_SECONDS = 2.0
PARALLEL_FROM = 400  # below this many files to parse, one process is faster
# A cache this large (about 20,000 deals) is read while a child lists the files
FORK_LISTING_FROM = 4 << 20


class Entry(msgspec.Struct, array_like=True, gc=False):
    """One deal file's identity and what parsing it gave."""

    size: int
    mtime: int  # ns
    ctime: int  # ns
    inode: int
    summary: Summary | None
    problems: list[Problem]


class Shard(msgspec.Struct, array_like=True, gc=False):
    key: str
    entries: dict[str, Entry]


class CachedPipeline(msgspec.Struct, array_like=True):
    key: str
    pipeline: Pipeline


_shard_decoder = msgspec.msgpack.Decoder(Shard)
_encoder = msgspec.msgpack.Encoder()


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode()) % SHARDS


@functools.cache
def code_hash() -> str:
    """A hash of funnelctl's own source (every .py, template and compiled catalog
    under the package): any change to the code that fills the cache, or to the words
    it keeps, makes every cached answer stale.
    About 1 ms for the package's 40-odd files, once per run."""
    return tree_hash(str(Path(__file__).resolve().parent.parent))


def tree_hash(package: str) -> str:
    files: list[str] = []

    def walk(folder: str) -> None:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        walk(entry.path)
                elif entry.name.endswith((".py", ".yaml", ".mo")):
                    files.append(entry.path)

    walk(package)
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(files):
        h.update(os.path.relpath(path, package).encode())
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def cache_key(root: Path, stages: bytes | None = None) -> str:
    """What a cached answer depends on besides the deal file: funnelctl's code, the
    Python version and stages.yaml byte for byte."""
    if stages is None:
        stages = read_file(root, STAGES_FILE)
    h = hashlib.blake2b(stages, digest_size=16)
    return f"{code_hash()}-{sys.version_info[0]}.{sys.version_info[1]}-{h.hexdigest()}"


def shard_path(cache_dir: Path, i: int) -> Path:
    """Shard ``i`` of the summaries in the active language: a deal's problems are
    kept as the words they are shown in, so each language has its shards (a team
    that reads both keeps both warm; English keeps the names it always had)."""
    from funnelctl import i18n

    lang = i18n.current()
    return cache_dir / (f"{i:02x}.msgpack" if lang == i18n.DEFAULT else f"{i:02x}.{lang}.msgpack")


def load_pipeline(root: Path, stages: bytes) -> Pipeline | None:
    """The pipeline validated from these very bytes of stages.yaml, if cached."""
    try:
        data = (root / CACHE_DIR / "pipeline.msgpack").read_bytes()
        cached = msgspec.msgpack.decode(data, type=CachedPipeline)
    except (OSError, msgspec.DecodeError, ValueError):  # missing, corrupt, foreign
        return None
    return cached.pipeline if cached.key == cache_key(root, stages) else None


def save_pipeline(root: Path, stages: bytes, pipeline: Pipeline) -> None:
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        _ignore(folder)
        atomic_write_bytes(folder / "pipeline.msgpack",
                           _encoder.encode(CachedPipeline(cache_key(root, stages), pipeline)),
                           durable=False)
    except OSError:
        pass


def _read_shard(path: Path, key: str) -> dict[str, Entry]:
    try:
        with open(path, "rb") as f:
            data = f.read()
        shard = _shard_decoder.decode(data)
    except (OSError, msgspec.DecodeError, ValueError):  # missing, corrupt: rebuild
        return {}
    return shard.entries if shard.key == key else {}


def _write_shard(path: Path, key: str, entries: dict[str, Entry]) -> None:
    try:
        atomic_write_bytes(path, _encoder.encode(Shard(key, entries)), durable=False)
    except OSError:
        pass  # a read-only checkout still works, only slower


def load_summaries(root: Path, pipeline: Pipeline, use_cache: bool = True,
                   progress: bool = False) -> tuple[list[Summary], list[Problem]]:
    cache_dir = root / CACHE_DIR
    key = cache_key(root)
    shard_paths = [shard_path(cache_dir, i) for i in range(SHARDS)]
    listing = _listing(root, shard_paths if use_cache else [])
    gc_was = gc.isenabled()
    gc.disable()  # thousands of small objects: the collector would dominate the load
    try:
        shards: list[dict[str, Entry]] = [{} for _ in range(SHARDS)]
        cached: dict[str, Entry] = {}
        if use_cache:
            for i in range(SHARDS):
                shards[i] = _read_shard(shard_paths[i], key)
                cached.update(shards[i])
        files, refused = listing()
        scan_time = time.time()
        entries: list[Entry | None] = []
        todo: list[tuple[int, str, FileId]] = []
        get = cached.get
        for rel, fid in files:
            hit = get(rel)
            if hit is not None and hit.size == fid[0] and hit.mtime == fid[1] \
                    and hit.ctime == fid[2] and hit.inode == fid[3]:
                entries.append(hit)
            else:
                todo.append((len(entries), rel, fid))
                entries.append(None)
        fresh: dict[str, Entry] = {}
        for parsed in _parse_many(root, pipeline, todo, progress):
            fresh[parsed.rel] = entries[parsed.n] = parsed.entry
        # a cached path is a hit, stale (in todo) or deleted: look for deleted ones only
        # when some cached paths were not hits
        hits = len(files) - len(todo)
        gone = cached.keys() - {f[0] for f in files} if len(cached) != hits else ()
        if use_cache and (fresh or gone):
            _write_shards(cache_dir, key, shards, fresh, gone, scan_time)
        done = cast(list[Entry], entries)  # every None was filled by the parse
        summaries = [e.summary for e in done if e.summary is not None]
        found: list[Problem] = list(refused)
        for e in done:
            if e.problems:
                found.extend(e.problems)
        return summaries, found
    finally:
        if gc_was:
            gc.enable()


Listing = Callable[[], tuple[list[tuple[str, FileId]], list[Problem]]]
# listings started before stages.yaml was validated (``list_early``), by root
_EARLY: dict[Path, Listing] = {}


def list_early(root: Path) -> None:
    """Start listing the deal files in a forked child now, for the next
    ``load_summaries`` of ``root`` to take (a few milliseconds to fork, on a start
    that will parse every file)."""
    from funnelctl.aside import can_fork, forked

    if can_fork() and root not in _EARLY:
        _EARLY[root] = forked(deal_files, root)


def drop_early(root: Path) -> None:
    """Wait for an early listing nobody will use (the child must not outlive it)."""
    early = _EARLY.pop(root, None)
    if early is not None:
        early()


def _listing(root: Path, shard_paths: list[Path]) -> Listing:
    """The deal files with their identity (``walk.deal_files``), as a function to
    call once the cache is read. For a large pipeline the files are listed and
    stat-ed by a forked child meanwhile, on the other core: stat-ing 100,000 files
    (a third of a second, mostly waiting on the kernel) then overlaps decoding
    their summaries. A listing started early (``list_early``) is taken as it is."""
    early = _EARLY.pop(root, None)
    if early is not None:
        return early
    cached_bytes = 0
    for path in shard_paths:
        try:
            cached_bytes += path.stat().st_size
        except OSError:
            pass
    if cached_bytes < FORK_LISTING_FROM:
        return lambda: deal_files(root)
    from funnelctl.aside import forked

    return forked(deal_files, root)


def _write_shards(cache_dir: Path, key: str, shards: list[dict[str, Entry]],
                  fresh: dict[str, Entry], gone: Any, scan_time: float) -> None:
    """Rewrite only the shards that hold a new, changed or deleted file. A file changed
    within RACY_SECONDS of the scan is left out, so that it is parsed again next time."""
    try:
        cache_dir.mkdir(exist_ok=True)
    except OSError:
        return
    _ignore(cache_dir)
    racy = (scan_time - RACY_SECONDS) * 1e9
    dirty: set[int] = set()
    for rel in gone:
        s = shard_of(rel)
        shards[s].pop(rel, None)
        dirty.add(s)
    for rel, entry in fresh.items():
        s = shard_of(rel)
        dirty.add(s)
        if entry.mtime < racy:
            shards[s][rel] = entry
        else:
            shards[s].pop(rel, None)
    for s in dirty:
        _write_shard(shard_path(cache_dir, s), key, shards[s])


def _ignore(cache_dir: Path) -> None:
    """The cache is never committed: a .gitignore inside it says so. Pickles left by
    funnelctl before 0.2 are removed: nothing reads them, and nothing should."""
    ignore = cache_dir / ".gitignore"
    if not ignore.exists():
        try:
            ignore.write_text("*\n")
            for old in cache_dir.glob("*.pickle"):
                old.unlink()
        except OSError:
            pass


class Parsed(msgspec.Struct, array_like=True, gc=False):
    """A file parsed by a forked child, sent back to the parent as msgpack."""

    n: int  # its place in the listing
    rel: str
    entry: Entry


_parsed_encoder = msgspec.msgpack.Encoder()
_parsed_decoder = msgspec.msgpack.Decoder(list[Parsed])


def _parse_part(root: Path, part: list[tuple[int, str, FileId]], pipeline: Pipeline,
                tick: Callable[[int], None] | None = None) -> list[Parsed]:
    from funnelctl.store.read import parse_one

    out = []
    for i, (n, rel, fid) in enumerate(part, 1):
        summary, problems = parse_one(root, rel, pipeline)
        out.append(Parsed(n, rel, Entry(*fid, summary, problems)))
        if tick is not None and i % 100 == 0:
            tick(100)
    return out


def _parse_many(root: Path, pipeline: Pipeline, todo: list[tuple[int, str, FileId]],
                progress: bool) -> list[Parsed]:
    """Parse the files to do: from PARALLEL_FROM files on, one forked child per
    other core parses an equal part while this process parses the first; each
    child sends its entries back as msgpack (decoded at C speed, where the
    process pool's pickles of the same summaries cost more than half the parse:
    10,000 deals took 7.3 s of CPU that way, against about 4 s of parsing)."""
    from funnelctl.aside import can_fork, forked

    if not todo:
        return []
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(todo) < PARALLEL_FROM or not can_fork():
        return _parse_part(root, todo, pipeline)
    size = -(-len(todo) // workers)
    parts = [todo[i:i + size] for i in range(0, len(todo), size)]
    later = [forked(_parse_part, root, part, pipeline, encode=_parsed_encoder.encode,
                    decode=_parsed_decoder.decode) for part in parts[1:]]
    bar = _progress(len(todo)) if progress else None
    try:
        # the bar follows this process's part, which is the others' size
        tick = (lambda k: bar[0].advance(bar[1], k * len(parts))) if bar else None
        out = _parse_part(root, parts[0], pipeline, tick)
        for result in later:
            out.extend(result())
    finally:
        if bar:
            bar[0].stop()
    return out


def _progress(total: int) -> Any:
    from rich.console import Console
    from rich.progress import Progress

    # NO_COLOR: no style at all, as every console of funnelctl (cli.common.styles)
    plain = {"color_system": None} if os.environ.get("NO_COLOR") else {}
    prog = Progress(transient=True, console=Console(stderr=True, emoji=False, **plain))
    from funnelctl.i18n import nformat

    task = prog.add_task(nformat("parsing {n} deal file", "parsing {n} deal files", total),
                         total=total)
    prog.start()
    return prog, task
