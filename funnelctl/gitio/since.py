"""The deal files as they were at a revision, for ``review --since-ref``: which files
git says changed since then and their deals then; a review tag's forecast (the
block of its message ``review --tag`` writes); and that tag.

git is asked three times whatever the size of the pipeline: ``git diff`` (through
``run.changed_since``, which reads only the files whose stat data changed), the
untracked files, and one ``git cat-file --batch`` that returns every old blob,
the revision's commit (for its date) and, when the ref names an annotated tag,
the tag object (its message: what ``git cat-file tag`` would print) in one
stream. A process per file would cost more than the whole review at 50 files.
The old blobs are read as deals by the store's own parser (``read_deal``), as
the loader reads the files now; the rest is parsing of what git returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from funnelctl import i18n
from funnelctl.gitio import run
from funnelctl.i18n import _
from funnelctl.store.cache import cache_key
from funnelctl.store.root import CACHE_DIR, DEALS_DIR
from funnelctl.store.walk import shown_name
from funnelctl.store.write import atomic_write_bytes
from funnelctl.summary import Summary

if TYPE_CHECKING:
    from funnelctl.pipeline import Pipeline

FEATURE = "review --since-ref"
# The lines around the machine-readable forecast in a review tag's message
FORECAST_BEGIN = "--- funnelctl forecast (JSON) ---"
FORECAST_END = "--- end of forecast ---"


@dataclass
class Then:
    """What changed since a revision, and the changed files' deals as they were."""

    ref: str  # as the user wrote it
    commit: str  # the full commit id it names
    date: dt.date | None  # the commit's day; a tag's; a review tag's review day
    changes: list[run.Change]
    deals: list[Summary] = field(default_factory=list)  # at the revision
    # path at the revision -> why it cannot be read there ("path:line at REF: message")
    unreadable: dict[str, str] = field(default_factory=dict)
    tag_message: str | None = None  # the ref names an annotated tag: its message


def is_deal_path(rel: str) -> bool:
    """A path the loader would read as a deal: *.yaml / *.yml under deals/, no part of
    it hidden (a write's temporary file, an editor's swap file)."""
    parts = rel.split("/")
    return (len(parts) > 1 and parts[0] == DEALS_DIR and rel.endswith((".yaml", ".yml"))
            and not any(p.startswith(".") for p in parts))


def revision(root: Path, ref: str) -> str:
    """The commit ``ref`` names; a GitError in one line when the folder is in no
    repository or the repository knows no such revision."""
    try:
        return run.resolve(root, ref)
    except run.GitError:
        run.require_repo(root, FEATURE)  # outside a repository: say that instead
        raise


def since(root: Path, ref: str, commit: str, pipeline: Pipeline, use_cache: bool = True
          ) -> Then:
    """The deal files changed between ``commit`` (which ``ref`` names) and the working
    tree, and their deals at it, read by the store's own parser from the bytes git
    gives (a blob over the pipeline's size limit is refused unread, as the loader
    refuses such a file); a blob read before comes from the cache (``Parsed``)."""
    limit = pipeline.max_file_bytes
    changes = [c for c in run.changed_since(root, commit)
               if is_deal_path(c.path) or (c.old is not None and is_deal_path(c.old))]
    wanted = [c.old or c.path for c in changes if c.status in ("M", "D", "R")]
    wanted = [w for w in wanted if is_deal_path(w)]
    then = Then(ref, commit, None, changes)
    # One request a line: the commit, the files at it, and the ref itself (an annotated
    # tag shows as a tag object). A path with a line break cannot be asked this way;
    # a name that is not UTF-8 the loader refuses, then as now
    asked = []
    for w in wanted:
        if "\n" in w or "\r" in w:
            then.unreadable[w] = _("{path} at {ref}: a line break in the file name").format(
                path=shown_name(w), ref=ref)
        elif not _utf8(w):
            then.unreadable[w] = _("{path} at {ref}: the file name is not valid UTF-8").format(
                path=shown_name(w), ref=ref)
        else:
            asked.append(w)
    lines = [commit, *(f"{commit}:./{w}" for w in asked)]
    with_tag = "\n" not in ref and "\r" not in ref and ref != commit
    if with_tag:
        lines.append(ref)
    out = run.git(root, "cat-file", "--batch",
                  input=("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")).stdout
    objects = parse_batch(out, len(lines))
    kind, body, _oid = objects[0] or ("", b"", "")
    then.date = header_date(body, b"committer ") if kind == "commit" else None
    # the messages of the files that are no deal are kept in the active language
    key = f"{cache_key(root)}-{i18n.current()}" if use_cache else ""
    known = _read_parsed(root, key) if use_cache else {}
    used: dict[str, Parsed] = {}
    for w, obj in zip(asked, objects[1:], strict=False):
        if obj is None or obj[0] != "blob":
            then.unreadable[w] = _("{path} at {ref}: not a file git can read").format(
                path=w, ref=ref)
            continue
        if len(obj[1]) > limit:
            then.unreadable[w] = _("{path} at {ref}: {size} bytes, over the limit of "
                                   "{limit}: not read").format(
                path=w, ref=ref, size=f"{len(obj[1]):,}", limit=f"{limit:,}")
            continue
        blob = f"{obj[2]} {w}"
        parsed = used[blob] = known.get(blob) or _parse(root, w, pipeline, obj[1])
        if parsed.summary is not None:
            then.deals.append(parsed.summary)
        else:
            then.unreadable[w] = _("{path}:{line} at {ref}: {message}").format(
                path=w, line=parsed.line, ref=ref, message=parsed.message)
    if use_cache and used.keys() != known.keys():
        _write_parsed(root, key, used)
    if with_tag:
        obj = objects[-1]
        if obj is not None and obj[0] == "tag":
            then.tag_message = tag_message(obj[1])
            # a tag names the day it was made, which its commit may precede; a review
            # tag the review's own day (--today), which its block holds
            then.date = review_day(then.tag_message) or header_date(obj[1], b"tagger ") \
                or then.date
    return then


class Parsed(msgspec.Struct, array_like=True, gc=False):
    """What the store's parser made of one blob at one path: the deal's summary, or
    the line and message of why it is no deal. A blob's id names its bytes, so the
    answer is kept (``.funnelctl-cache/since.msgpack``, plain data like the parse
    cache) under the blob and the path, beside the cache's key (funnelctl's code,
    Python, stages.yaml): the next review since the same revision parses nothing,
    and needs no YAML parser at all."""

    summary: Summary | None
    line: int = 0
    message: str = ""


class ParsedCache(msgspec.Struct, array_like=True, gc=False):
    key: str
    entries: dict[str, Parsed]  # "<blob id> <path>" -> what it parsed to


PARSED_FILE = "since.msgpack"


def _parse(root: Path, rel: str, pipeline: Pipeline, text: bytes) -> Parsed:
    from funnelctl.store import read_deal
    from funnelctl.summary import summarize

    deal, problems = read_deal(root, rel, pipeline, text=text)
    if deal is not None:
        return Parsed(summarize(deal, rel, []))
    why = next((p for p in problems if p.fatal), None)
    return Parsed(None, why.line, why.message) if why else Parsed(None, 1, _("not a deal"))


def _read_parsed(root: Path, key: str) -> dict[str, Parsed]:
    try:
        data = (root / CACHE_DIR / PARSED_FILE).read_bytes()
        cached = msgspec.msgpack.decode(data, type=ParsedCache)
    except (OSError, msgspec.DecodeError, ValueError):  # missing, corrupt, foreign
        return {}
    return cached.entries if cached.key == key else {}


def _write_parsed(root: Path, key: str, entries: dict[str, Parsed]) -> None:
    """The blobs this run read, and no others: the file stays as small as a week's
    changes."""
    try:
        (root / CACHE_DIR).mkdir(exist_ok=True)
        atomic_write_bytes(root / CACHE_DIR / PARSED_FILE,
                           msgspec.msgpack.encode(ParsedCache(key, entries)), durable=False)
    except OSError:
        pass  # a read-only checkout still works, only slower


@dataclass
class Compared:
    """The deals of the changed files at the revision and now, ready to compare."""

    then: list[Summary]  # parsed from the bytes at the revision
    now: list[Summary]  # as the loader read them
    unsure: frozenset[str]  # paths of deals whose other side could not be read
    unreadable: list[str]  # "path: why" of the changed files left out on either side


def compared(then: Then, current: list[Summary]) -> Compared:
    """The changed files' deals at the revision and now, taken from ``current`` (every
    deal as loaded). A file that cannot be read as a deal on one side leaves its
    deal on the other side unsure: it is reported neither as new nor as deleted."""
    wanted = {c.path for c in then.changes if c.status != "D" and is_deal_path(c.path)}
    # the few changed files among every deal, picked at C speed (10,000 deals: 1 ms)
    now = list(compress(current, map(wanted.__contains__, map(attrgetter("path"), current))))
    bad_now = wanted - {d.path for d in now}
    unreadable = list(then.unreadable.values())
    unreadable += [_("{path}: not readable as a deal now (see 'funnelctl validate')").format(
        path=shown_name(rel)) for rel in bad_now]
    unsure = set()
    for c in then.changes:
        before = (c.old or c.path) if c.status in ("M", "R", "D") else None
        after = c.path if c.status != "D" else None
        if before in then.unreadable and after is not None:
            unsure.add(after)
        if after in bad_now and before is not None:
            unsure.add(before)
    return Compared(then.deals, now, frozenset(unsure), sorted(unreadable))


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes git gave that are not UTF-8, kept as surrogates
        return False
    return True


def parse_batch(out: bytes, n: int) -> list[tuple[str, bytes, str] | None]:
    """The ``n`` answers of ``git cat-file --batch``, in the order asked: (type,
    contents, object id) each, or None for a name git could not find. Each answer
    is a header ``<id> <type> <size>`` and that many bytes, or ``<name> missing``
    (or ``ambiguous``)."""
    found: list[tuple[str, bytes, str] | None] = []
    at = 0
    while len(found) < n and at < len(out):
        eol = out.find(b"\n", at)
        if eol == -1:
            break
        header = out[at:eol].split(b" ")
        at = eol + 1
        if len(header) == 3 and header[2].isdigit() and header[1] in (
                b"blob", b"tree", b"commit", b"tag"):
            size = int(header[2])
            found.append((header[1].decode("ascii"), out[at:at + size],
                          header[0].decode("ascii", "replace")))
            at += size + 1  # the contents end with a line feed of their own
        else:
            found.append(None)
    return found + [None] * (n - len(found))


def header_date(body: bytes, header: bytes) -> dt.date | None:
    """The day of a commit's ``committer`` or a tag's ``tagger`` line (``header``), in
    that person's own time zone."""
    for line in body.split(b"\n"):
        if not line:
            break  # the end of the headers
        if line.startswith(header):
            try:
                stamp, zone = line.rsplit(b" ", 2)[1:]
                sign = -1 if zone.startswith(b"-") else 1
                minutes = sign * (int(zone[1:3]) * 60 + int(zone[3:5]))
                tz = dt.timezone(dt.timedelta(minutes=minutes))
                return dt.datetime.fromtimestamp(int(stamp), tz).date()
            except (ValueError, OverflowError, OSError):
                return None
    return None


def tag_message(body: bytes) -> str:
    """The message of a tag object: what follows its headers, without a signature."""
    _headers, _sep, message = body.partition(b"\n\n")
    for mark in (b"-----BEGIN PGP SIGNATURE-----", b"-----BEGIN SSH SIGNATURE-----",
                 b"-----BEGIN SIGNED MESSAGE-----"):
        cut = message.find(mark)
        if cut != -1:
            message = message[:cut]
    return message.decode("utf-8", "replace")


def with_forecast_block(text: str, data: dict) -> str:
    """A review tag's message: the human-readable ``text``, then ``data`` as JSON
    between the two marker lines (ASCII only: a name in any script survives any
    terminal and any mail of the tag)."""
    import json

    block = json.dumps(data, indent=1, ensure_ascii=True, default=str)
    return f"{text.rstrip()}\n\n{FORECAST_BEGIN}\n{block}\n{FORECAST_END}\n"


def forecast_block(message: str) -> dict | None:
    """The machine-readable forecast a review tag's message holds (``review --tag``
    writes it between FORECAST_BEGIN and FORECAST_END), as plain data; None for any
    other message, or one whose block does not read as a JSON object."""
    import json

    lines = message.splitlines()
    try:
        start = lines.index(FORECAST_BEGIN)
        end = lines.index(FORECAST_END, start)
    except ValueError:
        return None
    try:
        data = json.loads("\n".join(lines[start + 1:end]))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def review_day(message: str) -> dt.date | None:
    """The day of the review a review tag's message holds, if it is one."""
    block = forecast_block(message)
    try:
        return dt.date.fromisoformat(block["date"]) if block else None
    except (KeyError, TypeError, ValueError):
        return None


def check_taggable(root: Path, name: str) -> None:
    """Whether ``review --tag`` can make the tag ``name``: a GitError in one line when
    the folder is in no repository, HEAD has no commit yet, or the tag exists (a
    tag is never replaced). Asked before the review is written."""
    run.require_repo(root, "review --tag")
    try:
        run.resolve(root, "HEAD")
    except run.GitError:
        raise run.GitError(_("{what} needs a commit to tag: this repository has none "
                             "yet").format(what="review --tag")) from None
    proc = run.git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{name}", check=False)
    if proc.returncode == 0:
        raise run.GitError(_("tag {name} exists already: this day's review is tagged "
                             "(git show {name})").format(name=name))


def make_tag(root: Path, name: str, message: str) -> None:
    """The annotated tag ``name`` on HEAD with this message, by the user's own
    identity. git refuses a tag that exists (made since ``check_taggable``)."""
    # verbatim: git would drop the lines that start with '#' and trailing blanks
    run.git(root, "tag", "--annotate", "--cleanup=verbatim", "--file=-", name, "HEAD",
            input=message.encode("utf-8"))
