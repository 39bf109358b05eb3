"""The parse cache: never parse a deal file that has not changed.

Parsing YAML costs 50 to 900 times reading the bytes, so the summaries of
parsed, checked deals are kept in ``.funnelctl-cache/`` at the pipeline root
(git-ignored), keyed by each file's path, size and modification time, and by
the funnelctl version and the bytes of stages.yaml. The cache is split into
shards by path, so that one changed deal rewrites one small shard, not the whole
cache. A shard that is missing, stale, from another version or unreadable is
simply rebuilt: the cache never changes an answer, it only saves time.

A cold start parses the files on every core.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import pickle
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import cast

from funnelctl import __version__
from funnelctl.aside import forked
from funnelctl.pipeline import Pipeline
from funnelctl.problems import Problem
from funnelctl.summary import Summary

SHARDS = 64  # one changed deal rewrites 1/64 of the cache (fewer: less sharing in each)
FORMAT = 5  # bump when Summary or the shard layout changes
# A file changed within this many seconds of a scan may change again within the
# same mtime tick; it is parsed but not trusted from the cache next time.
RACY_SECONDS = 2.0
PARALLEL_FROM = 400  # below this many files to parse, one process is faster
# A cache this large (about 20,000 deals) is read while a child lists the files
FORK_LISTING_FROM = 4 << 20

Entry = tuple[int, int, Summary | None, list[Problem]]


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode()) % SHARDS


def cache_key(root: Path, stages: bytes | None = None) -> tuple:
    """What a cached answer depends on besides the deal file: the cache format, the
    funnelctl and Python versions, and stages.yaml byte for byte."""
    if stages is None:
        stages = (root / "stages.yaml").read_bytes()
    return (FORMAT, __version__, sys.version_info[:2], stages)


def load_pipeline(root: Path, stages: bytes) -> Pipeline | None:
    """The pipeline validated from these very bytes of stages.yaml, if cached."""
    from funnelctl.store import CACHE_DIR

    try:
        with open(root / CACHE_DIR / "pipeline.pickle", "rb") as f:
            key, pipeline = pickle.load(f)
    except Exception:  # missing, corrupt, from another version: validate again
        return None
    return pipeline if key == cache_key(root, stages) and isinstance(pipeline, Pipeline) else None


def save_pipeline(root: Path, stages: bytes, pipeline: Pipeline) -> None:
    from funnelctl.store import CACHE_DIR, atomic_write_bytes

    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        _ignore(folder)
        atomic_write_bytes(folder / "pipeline.pickle",
                           pickle.dumps((cache_key(root, stages), pipeline)), durable=False)
    except OSError:
        pass


def _read_shard(path: Path, key: tuple) -> dict[str, Entry]:
    try:
        with open(path, "rb") as f:
            stored_key, entries = pickle.load(f)
    except FileNotFoundError:
        return {}
    except Exception:  # corrupt, truncated, from another version: rebuild
        return {}
    return entries if stored_key == key else {}


def _write_shard(path: Path, key: tuple, entries: dict[str, Entry]) -> None:
    from funnelctl.store import atomic_write_bytes

    try:
        atomic_write_bytes(path, pickle.dumps((key, entries), protocol=pickle.HIGHEST_PROTOCOL),
                           durable=False)
    except OSError:
        pass  # a read-only checkout still works, only slower


def load_summaries(root: Path, pipeline: Pipeline, use_cache: bool = True,
                   progress: bool = False) -> tuple[list[Summary], list[Problem]]:
    from funnelctl.store import CACHE_DIR

    cache_dir = root / CACHE_DIR
    key = cache_key(root)
    shard_paths = [cache_dir / f"{i:02x}.pickle" for i in range(SHARDS)]
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
        files = listing()
        scan_time = time.time()
        entries: list[Entry | None] = []
        todo: list[tuple[int, str, int, int]] = []
        get = cached.get
        for rel, size, mtime in files:
            hit = get(rel)
            if hit is not None and hit[0] == size and hit[1] == mtime:
                entries.append(hit)
            else:
                todo.append((len(entries), rel, size, mtime))
                entries.append(None)
        fresh: dict[str, Entry] = {}
        for n, rel, size, mtime, summary, problems in _parse_many(root, pipeline, todo,
                                                                  progress):
            fresh[rel] = entries[n] = (size, mtime, summary, problems)
        # a cached path is a hit, stale (in todo) or deleted: look for deleted ones only
        # when some cached paths were not hits
        hits = len(files) - len(todo)
        gone = cached.keys() - {f[0] for f in files} if len(cached) != hits else ()
        if use_cache and (fresh or gone):
            _write_shards(cache_dir, key, shards, fresh, gone, scan_time)
        done = cast(list[Entry], entries)  # every None was filled by the parse
        summaries = [e[2] for e in done if e[2] is not None]
        found: list[Problem] = []
        for e in done:
            if e[3]:
                found.extend(e[3])
        return summaries, found
    finally:
        if gc_was:
            gc.enable()


def _listing(root: Path, shard_paths: list[Path]) -> Callable[[], list[tuple[str, int, int]]]:
    """The deal files with their size and mtime (``store.deal_files``), as a function
    to call once the cache is read. For a large pipeline the files are listed and
    stat-ed by a forked child meanwhile, on the other core: stat-ing 100,000 files
    (a third of a second, mostly waiting on the kernel) then overlaps unpickling
    their summaries."""
    from funnelctl.store import deal_files

    cached_bytes = 0
    for path in shard_paths:
        try:
            cached_bytes += path.stat().st_size
        except OSError:
            pass
    if cached_bytes < FORK_LISTING_FROM:
        return lambda: deal_files(root)
    return forked(deal_files, root)


def _write_shards(cache_dir: Path, key: tuple, shards: list[dict[str, Entry]],
                  fresh: dict[str, Entry], gone, scan_time: float) -> None:
    """Rewrite only the shards that hold a new, changed or deleted file. A file changed
    within RACY_SECONDS is left out, so that it is parsed again next time."""
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
    for rel, entry in _shared(fresh).items():
        s = shard_of(rel)
        dirty.add(s)
        if entry[1] < racy:
            shards[s][rel] = entry
        else:
            shards[s].pop(rel, None)
    for s in dirty:
        _write_shard(cache_dir / f"{s:02x}.pickle", key, shards[s])


def _ignore(cache_dir: Path) -> None:
    """The cache is never committed: a .gitignore inside it says so."""
    ignore = cache_dir / ".gitignore"
    if not ignore.exists():
        try:
            ignore.write_text("*\n")
        except OSError:
            pass


def _shared(entries: dict[str, Entry]) -> dict[str, Entry]:
    """The same entries with equal dates, strings and tuples of them (history moves,
    ladder levels, milestone sets) made one object: pickle then writes each once, and
    a warm load creates a fraction of the objects (2.5x faster for dates and strings,
    a third off again for the tuples)."""
    memo: dict = {}

    def one(x):
        if isinstance(x, (str, dt.date)):
            return memo.setdefault(x, x)
        if isinstance(x, Summary):
            return Summary(*[one(f) for f in x])
        if isinstance(x, tuple):
            t = tuple(one(y) for y in x)
            # (1, d) and (True, d) are equal tuples but not the same value: the key holds
            # the types, and inner tuples (already made one object) by identity
            key = (tuple, tuple(id(y) if type(y) is tuple else y for y in t),
                   tuple(map(type, t)))
            return memo.setdefault(key, t)
        if isinstance(x, dict):
            return {one(k): one(v) for k, v in x.items()}
        return x

    return {rel: (size, mtime, one(summary) if summary is not None else None, problems)
            for rel, (size, mtime, summary, problems) in entries.items()}


def _parse_chunk(args: tuple[str, list[tuple[int, str, int, int]], Pipeline]) -> list:
    from funnelctl.store import parse_one

    root, chunk, pipeline = args
    out = []
    for n, rel, size, mtime in chunk:
        summary, problems = parse_one(Path(root), rel, pipeline)
        out.append((n, rel, size, mtime, summary, problems))
    return out


def _parse_many(root: Path, pipeline: Pipeline, todo: list[tuple[int, str, int, int]],
                progress: bool):
    if not todo:
        return []
    workers = min(os.cpu_count() or 1, 8)
    bar = _progress(len(todo)) if progress and len(todo) >= PARALLEL_FROM else None
    out: list = []
    try:
        if workers > 1 and len(todo) >= PARALLEL_FROM:
            from concurrent.futures import ProcessPoolExecutor

            size = max(50, min(500, len(todo) // (workers * 8)))
            chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
            with ProcessPoolExecutor(workers) as pool:
                for part in pool.map(_parse_chunk,
                                     [(str(root), c, pipeline) for c in chunks]):
                    out.extend(part)
                    if bar:
                        bar[0].advance(bar[1], len(part))
        else:
            out = _parse_chunk((str(root), todo, pipeline))
    finally:
        if bar:
            bar[0].stop()
    return out


def _progress(total: int):
    from rich.progress import Progress

    prog = Progress(transient=True, console=_stderr_console())
    task = prog.add_task(f"parsing {total} deal files", total=total)
    prog.start()
    return prog, task


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)
