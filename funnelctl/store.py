"""The store: finding the pipeline root, reading stages.yaml and deal files, and the
one door every write goes through (round-trip YAML, atomic replace).

Reading never raises for bad input: it returns problems as ``path:line: message``
so that one broken file never hides the others.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from funnelctl.pipeline import Pipeline, pipeline_findings
from funnelctl.problems import Problem
from funnelctl.summary import Summary, summarize

if TYPE_CHECKING:
    from funnelctl import readmodel
    from funnelctl.model import Deal

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
            raise StoreError(f"{root}: no {STAGES_FILE} here (run 'funnelctl init {explicit}')")
        return root
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / STAGES_FILE).is_file():
            return folder
    raise StoreError(f"no {STAGES_FILE} in {here} or any folder above it "
                     f"(run 'funnelctl init' or pass --dir)")


def describe_error(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return f"unknown key {loc!r}"
    if kind == "missing":
        return f"missing {loc!r}"
    msg = err["msg"].removeprefix("Value error, ")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        msg = "expected a date YYYY-MM-DD"
    return f"{loc}: {msg}" if loc else msg


def _validation_problems(rel: str, text: str | bytes, exc: Any,
                         fatal: bool) -> list[Problem]:
    from funnelctl import yamlio

    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        # a missing key is reported on the line of its parent
        line_loc = loc[:-1] if err["type"] == "missing" else loc
        out.append(Problem(rel, yamlio.line_of(text, line_loc), describe_error(err), fatal))
    return out


def load_pipeline(root: Path, use_cache: bool = True) -> Pipeline:
    """stages.yaml, validated; a broken one stops every command with its problems.
    An unchanged stages.yaml is taken from the cache, validated already."""
    rel = STAGES_FILE
    try:
        text = (root / rel).read_bytes()
    except OSError as exc:
        raise StoreError(f"{rel}: cannot read: {exc.strerror}") from None
    from funnelctl import cache

    if use_cache:
        cached = cache.load_pipeline(root, text)
        if cached is not None:
            return cached
    pipeline = validate_pipeline_text(text)
    if use_cache:
        cache.save_pipeline(root, text, pipeline)
    return pipeline


def validate_pipeline_text(text: bytes) -> Pipeline:
    from pydantic import ValidationError

    from funnelctl import yamlio
    from funnelctl.model import validate_pipeline

    rel = STAGES_FILE
    try:
        data = yamlio.load_fast(text)
    except yamlio.YamlError as exc:
        raise StoreError(f"{rel} is broken", [Problem(rel, exc.line, exc.message, True)]) from None
    if not isinstance(data, dict):
        raise StoreError(f"{rel} is broken",
                         [Problem(rel, 1, "expected a mapping of settings", True)])
    try:
        pipeline = validate_pipeline(data)
    except ValidationError as exc:
        raise StoreError(f"{rel} is broken", _validation_problems(rel, text, exc, True)) from None
    findings = pipeline_findings(pipeline)
    if findings:
        raise StoreError(f"{rel} is broken",
                         [Problem(rel, yamlio.line_of(text, loc), msg, True)
                          for loc, msg in findings])
    return pipeline


def read_deal(root: Path, rel: str, pipeline: Pipeline, text: bytes | None = None,
              full: bool = False) -> tuple[Deal | readmodel.Deal | None, list[Problem]]:
    """One deal file, parsed and checked. A file that cannot be read as a deal at all
    returns None with fatal problems; a deal that breaks a process rule returns the
    deal with its (non-fatal) problems. The deal is read by ``readmodel`` (fast, no
    pydantic) unless it refuses the file or ``full`` asks for the pydantic model with
    every key the file holds."""
    from funnelctl import readmodel, yamlio
    from funnelctl.checks import process_findings

    try:
        if text is None:
            text = (root / rel).read_bytes()
        data = yamlio.load_fast(text)
    except OSError as exc:
        return None, [Problem(rel, 1, f"cannot read: {exc.strerror}", True)]
    except yamlio.YamlError as exc:
        return None, [Problem(rel, exc.line, exc.message, True)]
    if not isinstance(data, dict):
        return None, [Problem(rel, 1, "expected a mapping of deal fields", True)]
    deal = None if full else readmodel.deal_or_none(data)
    if deal is None:  # refused, or asked for in full: pydantic validates and explains
        from pydantic import ValidationError

        from funnelctl.model import Deal

        try:
            deal = Deal.model_validate(data)
        except ValidationError as exc:
            return None, _validation_problems(rel, text, exc, True)
    findings = process_findings(deal, pipeline)
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if deal.id != stem:
        findings.append((("id",), f"id {deal.id!r} differs from the file name {stem!r}"))
    problems = [Problem(rel, yamlio.line_of(text, loc), msg) for loc, msg in findings]
    return deal, sorted(problems, key=lambda p: p.line)


def deal_files(root: Path) -> list[tuple[str, int, int]]:
    """Every *.yaml / *.yml under deals/ as (path relative to the root with forward
    slashes, size, modification time in ns), folder by folder in name order. Hidden
    files and folders are skipped. One stat per file is the whole freshness check,
    made relative to its open folder where the platform can (a third faster than
    DirEntry.stat on 100,000 files)."""
    found: list[tuple[str, int, int]] = []
    stat = os.stat
    by_fd = stat in os.supports_dir_fd and os.scandir in os.supports_fd

    def walk(folder: str, rel_folder: str) -> None:
        files: list[str] = []
        dirs: list[str] = []
        try:
            fd = os.open(folder, os.O_RDONLY) if by_fd else None
        except OSError:
            return
        try:
            with os.scandir(folder if fd is None else fd) as it:
                for entry in it:
                    name = entry.name
                    if name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        dirs.append(name)
                    elif name.endswith((".yaml", ".yml")):
                        files.append(name)
            files.sort()
            prefix = f"{rel_folder}/"
            for name in files:
                try:
                    st = stat(name, dir_fd=fd) if fd is not None else \
                        stat(os.path.join(folder, name))
                except OSError:  # gone since the listing
                    continue
                found.append((prefix + name, st.st_size, st.st_mtime_ns))
        except OSError:
            return
        finally:
            if fd is not None:
                os.close(fd)
        for name in sorted(dirs):
            walk(os.path.join(folder, name), f"{rel_folder}/{name}")

    walk(str(root / DEALS_DIR), DEALS_DIR)
    return found


def parse_one(root: Path, rel: str, pipeline: Pipeline) -> tuple[Summary | None, list[Problem]]:
    deal, problems = read_deal(root, rel, pipeline)
    if deal is None:
        return None, problems
    return summarize(deal, rel, [f"{p.line}: {p.message}" for p in problems]), problems


@dataclass
class Loaded:
    """What the loader hands to the views: summaries, and every problem found."""

    pipeline: Pipeline
    deals: list[Summary]
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> list[Problem]:
        """The fatal problems: one or more per file that was left out."""
        return [p for p in self.problems if p.fatal]

    @property
    def skipped_files(self) -> list[str]:
        return sorted({p.file for p in self.problems if p.fatal})


def load_all(root: Path, pipeline: Pipeline, use_cache: bool = True,
             progress: bool = False) -> Loaded:
    """Every deal under deals/ as a summary, through the parse cache."""
    from funnelctl import cache

    deals, problems = cache.load_summaries(root, pipeline, use_cache=use_cache,
                                           progress=progress)
    problems.extend(duplicate_ids(deals))
    return Loaded(pipeline, deals, problems)


def duplicate_ids(deals: list[Summary]) -> list[Problem]:
    ids = [d.id for d in deals]
    if len(set(ids)) == len(ids):  # the usual case, checked at C speed
        return []
    seen: dict[str, str] = {}
    out = []
    for d in deals:
        if d.id in seen:
            out.append(Problem(d.path, 1, f"id {d.id!r} is also used by {seen[d.id]}"))
        else:
            seen[d.id] = d.path
    return out


def find_deal(root: Path, deal_id: str) -> str:
    """The relative path of the deal with this id. A deal lives at deals/**/ID.yaml,
    so this costs one walk over the names (no stat, no parsing)."""
    if "/" in deal_id or "\\" in deal_id or deal_id.startswith("."):
        raise StoreError(f"no deal {deal_id!r}")
    wanted = {f"{deal_id}.yaml", f"{deal_id}.yml"}
    matches = []
    for folder, dirs, names in os.walk(root / DEALS_DIR):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in wanted.intersection(names):
            matches.append(Path(folder, name).relative_to(root).as_posix())
    if not matches:
        raise StoreError(f"no deal {deal_id!r} under {DEALS_DIR}/ "
                         f"(try 'funnelctl list' for the ids)")
    if len(matches) > 1:
        raise StoreError(f"deal id {deal_id!r} is ambiguous: {', '.join(sorted(matches))}")
    return matches[0]


# -- writing ---------------------------------------------------------------------


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
        raise StoreError(f"{path.name} exists already") from None
    except OSError:  # a file system without hard links: exclusive create instead
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise StoreError(f"{path.name} exists already") from None
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    finally:
        os.unlink(tmp)


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


def update_deal(root: Path, rel: str, pipeline: Pipeline, change: Any) -> Any:
    """Apply ``change(doc, deal)`` to one deal file through a round trip and write it
    atomically, under the deal's lock. The deal must read cleanly enough to be a
    deal; the result is re-read and refused if the change would leave a file that is
    no longer one. Returns what ``change`` returned. Nothing is written when nothing
    changed."""
    with deal_lock(root, rel):
        return _update_deal(root, rel, pipeline, change)


def _update_deal(root: Path, rel: str, pipeline: Pipeline, change: Any) -> Any:
    from funnelctl import yamlio

    path = root / rel
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StoreError(f"{rel}: cannot read: {exc.strerror}") from None
    deal, problems = read_deal(root, rel, pipeline, raw)
    if deal is None:
        raise StoreError(f"{rel} cannot be read as a deal; fix it first", problems)
    text = raw.decode("utf-8")
    try:
        y, doc = yamlio.rt_load(text)
    except Exception as exc:  # the fast reader took it, the round-trip parser does not
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise StoreError(f"{rel} cannot be edited safely",
                         [Problem(rel, line, f"round-trip parser: {exc}")]) from None
    result = change(doc, deal)
    new_text = yamlio.rt_dump(y, doc)
    if new_text == text:
        return result
    after, after_problems = read_deal(root, rel, pipeline, new_text.encode("utf-8"))
    if after is None:  # a bug in an edit, never the user's input: refuse to write it
        raise StoreError(f"{rel}: the change would break the file; nothing written",
                         after_problems)
    atomic_write(path, new_text)
    return result
