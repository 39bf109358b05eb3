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

import gc
import hashlib
import os
import pickle
import sys
import time
import zlib
from pathlib import Path

from funnelctl import __version__
from funnelctl.model import Pipeline
from funnelctl.problems import Problem
from funnelctl.summary import Summary

SHARDS = 64
FORMAT = 1
# A file changed within this many seconds of a scan may change again within the
# same mtime tick; it is parsed but not trusted from the cache next time.
RACY_SECONDS = 2.0
PARALLEL_FROM = 400  # below this many files to parse, one process is faster

Entry = tuple[int, int, Summary | None, list[Problem]]


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode()) % SHARDS


def cache_key(root: Path) -> str:
    stages = (root / "stages.yaml").read_bytes()
    return f"{FORMAT}:{__version__}:{sys.version_info[:2]}:{hashlib.sha1(stages).hexdigest()}"


def _read_shard(path: Path, key: str) -> dict[str, Entry]:
    try:
        with open(path, "rb") as f:
            stored_key, entries = pickle.load(f)  # noqa: S301 - our own file
    except FileNotFoundError:
        return {}
    except Exception:  # corrupt, truncated, from another version: rebuild
        return {}
    return entries if stored_key == key else {}


def _write_shard(path: Path, key: str, entries: dict[str, Entry]) -> None:
    from funnelctl.store import atomic_write_bytes

    try:
        atomic_write_bytes(path, pickle.dumps((key, entries), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only checkout still works, only slower


def load_summaries(root: Path, pipeline: Pipeline, use_cache: bool = True,
                   progress: bool = False) -> tuple[list[Summary], list[Problem]]:
    from funnelctl.store import CACHE_DIR, deal_files

    files = list(deal_files(root))
    cache_dir = root / CACHE_DIR
    key = cache_key(root)
    scan_time = time.time()
    gc_was = gc.isenabled()
    gc.disable()  # thousands of small objects: the collector would dominate the load
    try:
        shards: list[dict[str, Entry]] = [{} for _ in range(SHARDS)]
        if use_cache:
            for i in range(SHARDS):
                shards[i] = _read_shard(cache_dir / f"{i:02d}.pickle", key)
        result: dict[str, Entry] = {}
        todo: list[tuple[str, os.stat_result]] = []
        dirty: set[int] = set()
        present: list[set[str]] = [set() for _ in range(SHARDS)]
        for rel, st in files:
            s = shard_of(rel)
            present[s].add(rel)
            hit = shards[s].get(rel)
            if hit is not None and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
                result[rel] = hit
            else:
                todo.append((rel, st))
                dirty.add(s)
        for s in range(SHARDS):  # files deleted since the last run
            if len(shards[s]) != len(present[s]) or shards[s].keys() - present[s]:
                dirty.add(s)
        for rel, st, summary, problems in _parse_many(root, pipeline, todo, progress):
            entry = (st.st_size, st.st_mtime_ns, summary, problems)
            result[rel] = entry
        if use_cache and dirty:
            cache_dir.mkdir(exist_ok=True)
            ignore = cache_dir / ".gitignore"
            if not ignore.exists():
                try:
                    ignore.write_text("*\n")
                except OSError:
                    pass
            racy = (scan_time - RACY_SECONDS) * 1e9
            for s in dirty:
                entries = {rel: e for rel in present[s] if (e := result[rel])[1] < racy}
                _write_shard(cache_dir / f"{s:02d}.pickle", key, entries)
        summaries: list[Summary] = []
        problems: list[Problem] = []
        for rel, _ in files:
            _, _, summary, probs = result[rel]
            if summary is not None:
                summaries.append(summary)
            problems.extend(probs)
        return summaries, problems
    finally:
        if gc_was:
            gc.enable()


def _parse_chunk(args: tuple[str, list[tuple[str, os.stat_result]], Pipeline]) -> list:
    from funnelctl.store import parse_one

    root, chunk, pipeline = args
    out = []
    for rel, st in chunk:
        summary, problems = parse_one(Path(root), rel, pipeline)
        out.append((rel, st, summary, problems))
    return out


def _parse_many(root: Path, pipeline: Pipeline, todo: list[tuple[str, os.stat_result]],
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
