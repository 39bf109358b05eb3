"""A deal's life in git: the commits that touched deal files and the deal each one
left, and what changed between two versions of a deal in the deal's terms (stage,
amount, close date, owner, outcome, levels, milestones, actions, contacts, next
step, history entries).

Reading costs two git processes whatever the number of commits: one ``git log`` with
the raw diff, which names the blob of every version before and after each commit,
and one ``git cat-file --batch`` that returns the bytes of all those blobs. Each
version is parsed by the store's own reader. Everything below "pure" is a function
of its arguments, shared by ``funnelctl history`` and the rules of ``audit``.

A commit's change is its version of the file against its parent's (the raw diff's
two blobs): in a branched history that is what the commit did, where comparing
versions in date order would mix two branches. Merge commits show no diff of their
own: each change is shown in the commit that made it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from funnelctl.gitio import over_limit, run
from funnelctl.i18n import _
from funnelctl.store.files import FileRefused, read_file
from funnelctl.store.read import read_deal
from funnelctl.store.root import DEALS_DIR, os_reason

if TYPE_CHECKING:
    from funnelctl.pipeline import Pipeline

# one commit's header: fields end in NUL, as the raw diff's paths do under -z
LOG_FORMAT = "--format=%H%x00%an%x00%ae%x00%aI%x00%s%x00"
_REGULAR = ("100644", "100755")
# a path is a path: deals/[east]/x.yaml is no pattern
LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}


class RangeError(run.GitError):
    """git refused the revision range the user gave."""


# -- a deal as the timeline compares it ---------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One entry of the deal's ``history:``."""

    stage: str
    date: dt.date
    reason: str | None = None
    waived: tuple[str, ...] = ()

    @property
    def forced(self) -> bool:
        return bool(self.reason) or bool(self.waived)

    def as_json(self) -> dict[str, Any]:
        return {"stage": self.stage, "date": self.date, "reason": self.reason,
                "waived": list(self.waived)}


@dataclass(frozen=True)
class Outcome:
    date: dt.date
    reason: str | None = None
    competitor: str | None = None
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"date": self.date, "reason": self.reason, "competitor": self.competitor,
                "note": self.note}


@dataclass(frozen=True)
class Act:
    date: dt.date
    kind: str
    goal: str = ""


@dataclass(frozen=True)
class DealState:
    """What the timeline and the audit compare of one version of a deal."""

    id: str
    owner: str
    stage: str
    status: str = "open"
    amount: float = 0.0
    currency: str | None = None
    close: dt.date | None = None
    title: str = ""
    account: str = ""
    history: tuple[Entry, ...] = ()
    outcome: Outcome | None = None
    milestones: dict[str, dt.date] = field(default_factory=dict)  # ticked: id -> date
    levels: dict[str, int] = field(default_factory=dict)  # ladder -> level
    actions: tuple[Act, ...] = ()
    contacts: tuple[str, ...] = ()  # names
    next: tuple[dt.date, str] | None = None


def state_of(deal: Any, currency: str | None = None) -> DealState:
    """A parsed deal (either form the store reads) as the state compared here; a deal
    that names no currency is in ``currency`` (the pipeline's)."""
    out = deal.outcome
    nxt = deal.next
    return DealState(
        id=deal.id, owner=deal.owner, stage=deal.stage, status=deal.status,
        amount=float(deal.amount), currency=deal.currency or currency, close=deal.close,
        title=deal.title, account=deal.account,
        history=tuple(Entry(h.stage, h.date, h.reason, tuple(h.waived or ()))
                      for h in deal.history),
        outcome=None if out is None else Outcome(out.date, out.reason, out.competitor,
                                                 out.note),
        milestones={k: t.date for k, t in (deal.milestones or {}).items()},
        levels={k: lv.level for k, lv in (deal.levels or {}).items()},
        actions=tuple(Act(a.date, a.kind, a.goal) for a in deal.actions or ()),
        contacts=tuple(c.name for c in deal.contacts or ()),
        next=None if nxt is None else (nxt.date, nxt.step))


def parse_version(root: Path, rel: str, pipeline: Pipeline, raw: bytes
                  ) -> tuple[DealState | None, str | None]:
    """One version's bytes as a deal state, or None and why it is not one."""
    if len(raw) > pipeline.max_file_bytes:
        return None, over_limit(len(raw), pipeline.max_file_bytes)
    deal, problems = read_deal(root, rel, pipeline, raw)
    if deal is None:
        first = problems[0] if problems else None
        return None, _("line {line}: {message}").format(
            line=first.line, message=first.message) if first else _("not a deal")
    return state_of(deal, pipeline.currency), None



# -- pure: what changed between two versions ----------------------------------------


@dataclass(frozen=True)
class Change:
    """One change in the deal's terms; ``data`` holds its values (see ``changes``)."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Flag:
    """A disagreement: history_edited, history_removed, outcome_rewritten,
    stage_without_history, unreadable."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class HistoryDiff:
    appended: tuple[Entry, ...]  # in the later version only
    edited: tuple[tuple[Entry, Entry], ...]  # (as it was, as it is now) at one place
    removed: tuple[Entry, ...]  # in the earlier version only


def history_diff(before: DealState | None, after: DealState | None) -> HistoryDiff:
    """The entries a change appended, and those of the earlier version it edited or
    removed: every earlier entry must still be there as it was (anywhere: a merge may
    put the other side's entries between), else it was rewritten. A lost entry whose
    place now holds an entry that is new is counted as edited."""
    old = before.history if before else ()
    new = after.history if after else ()
    used = [False] * len(new)
    lost = []
    for i, entry in enumerate(old):
        j = next((k for k, e in enumerate(new) if not used[k] and e == entry), None)
        if j is None:
            lost.append(i)
        else:
            used[j] = True
    edited, removed = [], []
    for i in lost:
        if i < len(new) and not used[i]:
            used[i] = True
            edited.append((old[i], new[i]))
        else:
            removed.append(old[i])
    appended = tuple(e for k, e in enumerate(new) if not used[k])
    return HistoryDiff(appended, tuple(edited), tuple(removed))


def outcome_rewritten(before: DealState | None, after: DealState | None) -> bool:
    """An outcome recorded earlier is changed or gone (a deal reopened, a loss
    reason changed after the fact)."""
    return (before is not None and after is not None and before.outcome is not None
            and after.outcome != before.outcome)


def stage_by_hand(before: DealState | None, after: DealState | None,
                  appended: Iterable[Entry]) -> bool:
    """The stage field changed, and no history entry for the new stage came with it."""
    return (before is not None and after is not None and before.stage != after.stage
            and not any(e.stage == after.stage for e in appended))


def _counted(items: Iterable[Any]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


def _added(old: Iterable[Any], new: Iterable[Any]) -> list[Any]:
    """The items of ``new`` beyond those of ``old`` (as multisets), in ``new``'s order."""
    left = _counted(old)
    out = []
    for item in new:
        if left.get(item, 0):
            left[item] -= 1
        else:
            out.append(item)
    return out


def _next_json(step: tuple[dt.date, str] | None) -> dict[str, Any] | None:
    return None if step is None else {"date": step[0], "step": step[1]}


def changes(before: DealState | None, after: DealState | None,
            hist: HistoryDiff | None = None) -> list[Change]:
    """What changed from ``before`` to ``after`` in the deal's terms. Kinds: created,
    deleted, id, owner, stage, status (won, lost, reopened), outcome, amount,
    currency, close, title, account, level, ticked, unticked, action,
    action_removed, contact_added, contact_removed, next, history (an entry
    appended)."""
    if after is None:
        return [] if before is None else [Change("deleted", {"id": before.id})]
    hist = hist or history_diff(before, after)
    if before is None:
        out = [Change("created", {"id": after.id, "stage": after.stage, "status": after.status,
                                  "amount": after.amount, "currency": after.currency,
                                  "owner": after.owner, "close": after.close})]
        return out + [Change("history", e.as_json()) for e in hist.appended]
    out = []

    def moved(kind: str, old: Any, new: Any, **extra: Any) -> None:
        if old != new:
            out.append(Change(kind, {"from": old, "to": new, **extra}))

    moved("id", before.id, after.id)
    moved("owner", before.owner, after.owner)
    moved("stage", before.stage, after.stage)
    if before.status != after.status:
        outcome = after.outcome.as_json() if after.outcome else None
        out.append(Change("status", {"from": before.status, "to": after.status,
                                     "outcome": outcome}))
    elif before.outcome != after.outcome:
        out.append(Change("outcome", {
            "from": before.outcome.as_json() if before.outcome else None,
            "to": after.outcome.as_json() if after.outcome else None}))
    if before.amount != after.amount:
        out.append(Change("amount", {"from": before.amount, "to": after.amount,
                                     "currency": after.currency}))
    moved("currency", before.currency, after.currency)
    moved("close", before.close, after.close)
    moved("title", before.title, after.title)
    moved("account", before.account, after.account)
    for ladder in sorted(before.levels.keys() | after.levels.keys()):
        moved("level", before.levels.get(ladder), after.levels.get(ladder), ladder=ladder)
    for key in sorted(after.milestones.keys() - before.milestones.keys()):
        out.append(Change("ticked", {"milestone": key, "date": after.milestones[key]}))
    for key in sorted(before.milestones.keys() - after.milestones.keys()):
        out.append(Change("unticked", {"milestone": key}))
    for a in _added(before.actions, after.actions):
        out.append(Change("action", {"date": a.date, "action": a.kind, "goal": a.goal}))
    for a in _added(after.actions, before.actions):
        out.append(Change("action_removed", {"date": a.date, "action": a.kind,
                                             "goal": a.goal}))
    for name in _added(before.contacts, after.contacts):
        out.append(Change("contact_added", {"name": name}))
    for name in _added(after.contacts, before.contacts):
        out.append(Change("contact_removed", {"name": name}))
    if before.next != after.next:
        out.append(Change("next", {"from": _next_json(before.next),
                                   "to": _next_json(after.next)}))
    out += [Change("history", e.as_json()) for e in hist.appended]
    return out


def flags(before: DealState | None, after: DealState | None,
          hist: HistoryDiff | None = None) -> list[Flag]:
    """Where the change disagrees with the history the file records."""
    if before is None or after is None:
        return []
    hist = hist or history_diff(before, after)
    out = [Flag("history_edited", {"was": old.as_json(), "now": new.as_json()})
           for old, new in hist.edited]
    out += [Flag("history_removed", {"was": e.as_json()}) for e in hist.removed]
    if outcome_rewritten(before, after):
        out.append(Flag("outcome_rewritten", {
            "was": before.outcome.as_json() if before.outcome else None,
            "now": after.outcome.as_json() if after.outcome else None}))
    if stage_by_hand(before, after, hist.appended):
        out.append(Flag("stage_without_history", {"from": before.stage, "to": after.stage}))
    return out


# -- pure: git's output --------------------------------------------------------------


@dataclass(frozen=True)
class FileDiff:
    """One file of a commit's raw diff: its modes and blob ids before and after (mode
    000000: absent), paths relative to the repository's top."""

    status: str  # A, M, D, R, T
    path: str
    old_path: str
    old_mode: str
    old_blob: str
    new_mode: str
    new_blob: str


@dataclass(frozen=True)
class LogCommit:
    id: str
    author: str
    email: str
    date: dt.datetime
    subject: str
    files: tuple[FileDiff, ...]


def parse_log(out: bytes) -> list[LogCommit]:
    """``git log --raw --no-abbrev -z LOG_FORMAT`` as commits, newest first. A header
    is five fields; each raw line (``:mode mode blob blob status``) is followed by
    one path, or two for a rename or copy."""
    tokens = out.split(b"\0")
    commits: list[LogCommit] = []
    i, n = 0, len(tokens)
    while i < n:
        if not tokens[i].strip():
            i += 1
            continue
        if i + 5 > n:
            break
        sha, name, email, date, subject = (t.decode("utf-8", "replace") for t in tokens[i:i + 5])
        i += 5
        files = []
        while i < n:
            tok = tokens[i].lstrip(b"\n")
            if not tokens[i].strip():
                i += 1
                continue
            if not tok.startswith(b":"):
                break
            old_mode, new_mode, old_sha, new_sha, status = tok[1:].decode("ascii").split(" ")
            kind = status[0]
            if kind in "RC":
                old, new = os.fsdecode(tokens[i + 1]), os.fsdecode(tokens[i + 2])
                i += 3
            else:
                old = new = os.fsdecode(tokens[i + 1])
                i += 2
            files.append(FileDiff(kind, new, old, old_mode, old_sha, new_mode, new_sha))
        commits.append(LogCommit(sha.strip(), name, email, dt.datetime.fromisoformat(date),
                                 subject, tuple(files)))
    return commits


def parse_batch(out: bytes) -> list[tuple[str, bytes | None]]:
    """``git cat-file --batch`` output as (object id, bytes) in the order asked; an
    object git does not have is (what was asked, None)."""
    found: list[tuple[str, bytes | None]] = []
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        head = out[pos:end]
        if head.endswith((b" missing", b" ambiguous")):
            found.append((os.fsdecode(head.rsplit(b" ", 1)[0]), None))
            pos = end + 1
            continue
        sha, _kind, size = head.decode("ascii").split(" ")
        found.append((sha, out[end + 1:end + 1 + int(size)]))
        pos = end + 1 + int(size) + 1
    return found


# -- reading through git -------------------------------------------------------------


def fetch_blobs(root: Path, files: Iterable[FileDiff], head_of: str | None = None
                ) -> tuple[dict[str, bytes], bytes | None]:
    """The bytes of every version of these files (regular files only), and of the file
    ``head_of`` (relative to ``root``) at HEAD, from one ``git cat-file --batch``."""
    wanted = sorted({sha for f in files for mode, sha in ((f.old_mode, f.old_blob),
                                                          (f.new_mode, f.new_blob))
                     if mode in _REGULAR})
    names = wanted
    if head_of is not None and "\n" not in head_of:
        names = [f"HEAD:./{head_of}", *wanted]
    if not names:
        return {}, None
    out = run.git(root, "cat-file", "--batch", input=("\n".join(names) + "\n").encode()).stdout
    found = parse_batch(out)
    head = found.pop(0)[1] if len(names) > len(wanted) and found else None
    return {sha: data for sha, data in found if data is not None}, head


def _has_head(root: Path) -> bool:
    return run.git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0


def _prefix(root: Path, top: Path) -> str:
    """The pipeline root's path inside the repository ('' at its top), with '/'."""
    rel = Path(os.path.realpath(root)).relative_to(os.path.realpath(top)).as_posix()
    return "" if rel == "." else rel + "/"


class _Versions:
    """Each blob parsed once (a version is the 'after' of one commit and the 'before'
    of the next)."""

    def __init__(self, root: Path, pipeline: Pipeline, data: dict[str, bytes]):
        self.root, self.pipeline, self.data = root, pipeline, data
        self.parsed: dict[str, tuple[DealState | None, str | None]] = {}

    def get(self, mode: str, blob: str, rel: str) -> tuple[DealState | None, str | None]:
        """The deal a version holds; (None, None) where the file is absent."""
        if not mode.strip("0"):
            return None, None
        if mode not in _REGULAR:
            return None, _("not a regular file (mode {mode})").format(mode=mode)
        if blob not in self.parsed:
            raw = self.data.get(blob)
            self.parsed[blob] = ((None, _("not in the repository")) if raw is None
                                 else parse_version(self.root, rel, self.pipeline, raw))
        return self.parsed[blob]


@dataclass
class Row:
    """One commit of the timeline (``commit`` None: the working tree)."""

    commit: str | None
    author: str
    email: str
    date: dt.datetime | None
    subject: str
    path: str
    changes: list[Change]
    flags: list[Flag]
    compared_with: str | None = None  # an older commit: the parent's version did not parse


@dataclass
class Recorded:
    """An entry of the history recorded in the file, the commit that added it and the
    last that edited it (None: none read)."""

    entry: Entry
    row: Row | None
    edited: Row | None = None


@dataclass
class Timeline:
    deal: str
    path: str
    rows: list[Row]  # oldest first
    recorded: list[Recorded]


def read_timeline(root: Path, rel: str, pipeline: Pipeline, top: Path | None = None
                  ) -> Timeline:
    """The deal file ``rel``'s commits (``git log --follow``, renames kept), what each
    changed, and the working tree's change when the file differs from HEAD. ``top``:
    the repository's top level, when the caller has found it."""
    top = top or run.require_repo(root, "history")
    prefix = _prefix(root, top)
    proc = run.git(root, "log", "--follow", "--raw", "--no-abbrev", "-z", LOG_FORMAT,
                   "--", rel, check=False, env=LITERAL)
    if proc.returncode == 0:
        out = proc.stdout
    elif not _has_head(root):
        out = b""  # no commit yet: the working tree is all there is
    else:
        raise run.GitError(_("git {command} failed: {message}").format(
            command="log", message=run.first_line(proc.stderr)))
    commits = [c for c in reversed(parse_log(out)) if c.files]
    data, head = fetch_blobs(root, [c.files[0] for c in commits], head_of=rel)
    versions = _Versions(root, pipeline, data)
    rows: list[Row] = []
    last: tuple[DealState, str] | None = None  # the newest version that parsed
    origin: dict[Entry, tuple[Row | None, Row | None]] = {}  # entry -> (added, edited)
    for c in commits:
        f = c.files[0]
        path = f.path.removeprefix(prefix)
        before, before_problem = versions.get(f.old_mode, f.old_blob,
                                              f.old_path.removeprefix(prefix))
        compared = None
        if before_problem and last is not None:
            before, compared = last[0], last[1]
        after, problem = versions.get(f.new_mode, f.new_blob, path)
        row = Row(c.id, c.author, c.email, c.date, c.subject, path, [], [], compared)
        if f.status == "R":
            row.changes.append(Change("renamed", {"from": f.old_path.removeprefix(prefix),
                                                  "to": path}))
        _compare(row, before, after, problem, origin)
        if after is not None:
            last = (after, c.id)
        rows.append(row)
    # HEAD's version: a merge's, when the last commits were on two branches
    now = last[0] if last else None
    if head is not None:
        now = parse_version(root, rel, pipeline, head)[0] or now
    try:
        disk: bytes | None = read_file(root, rel, pipeline.max_file_bytes)
        disk_problem = None
    except FileRefused as exc:
        disk, disk_problem = b"", exc.message
    except FileNotFoundError:
        disk, disk_problem = None, None
    except OSError as exc:
        disk, disk_problem = b"", _("cannot read: {reason}").format(reason=os_reason(exc))
    if disk is not None and disk != head:
        after, problem = (None, disk_problem) if disk_problem else \
            parse_version(root, rel, pipeline, disk)
        row = Row(None, "", "", None, "", rel, [], [])
        _compare(row, now, after, problem, origin)
        rows.append(row)
        now = after or now
    recorded = [Recorded(e, *origin.get(e, (None, None))) for e in (now.history if now else ())]
    return Timeline(now.id if now else Path(rel).stem, rel, rows, recorded)


def _compare(row: Row, before: DealState | None, after: DealState | None,
             problem: str | None, origin: dict[Entry, tuple[Row | None, Row | None]]) -> None:
    if problem:
        row.flags.append(Flag("unreadable", {"problem": problem}))
        return
    hist = history_diff(before, after)
    row.changes += changes(before, after, hist)
    row.flags += flags(before, after, hist)
    for entry in hist.appended:
        origin.setdefault(entry, (row, None))
    for old, new in hist.edited:
        origin[new] = (origin.get(old, (None, None))[0], row)


# -- the commits of a range, for the audit --------------------------------------------


@dataclass(frozen=True)
class FileChange:
    """A deal file one commit changed: the deal before and after (None: absent, or
    not readable, then ``problem`` says why)."""

    path: str
    before: DealState | None
    after: DealState | None
    problem: str | None = None  # the version after the commit is not a deal
    before_problem: str | None = None  # the version before it is not a deal


@dataclass(frozen=True)
class Commit:
    id: str
    email: str
    date: dt.datetime | dt.date
    author: str = ""
    subject: str = ""
    changes: tuple[FileChange, ...] = ()


def read_commits(root: Path, pipeline: Pipeline, rev_range: str | None,
                 since: dt.date | None) -> list[Commit]:
    """The commits of ``rev_range`` (default: HEAD's since ``since``, by commit date)
    that changed files under deals/, oldest first, each with the deals before and
    after. Merge commits are left out: each change is read in the commit that made it.
    A range git refuses is a RangeError."""
    top = run.require_repo(root, "audit")
    prefix = _prefix(root, top)
    args = ["log", "--raw", "--no-abbrev", "-z", "-M", "--no-merges", LOG_FORMAT]
    if rev_range is None:
        args += [f"--since={since.isoformat()} 00:00:00"] if since else []
        args += ["HEAD"]
    else:
        if rev_range.startswith("-"):
            raise RangeError(_("{range!r}: not a revision range").format(range=rev_range))
        args += ["--end-of-options", rev_range]
    proc = run.git(root, *args, "--", DEALS_DIR, check=False, env=LITERAL)
    if proc.returncode != 0:
        if rev_range is None and not _has_head(root):
            return []  # no commit yet: nothing to audit
        what = "HEAD" if rev_range is None else rev_range
        raise RangeError(f"{what!r}: {run.first_line(proc.stderr)}")
    logged = list(reversed(parse_log(proc.stdout)))
    wanted = [(c, f) for c in logged for f in c.files if _is_deal(f.path.removeprefix(prefix))
              or _is_deal(f.old_path.removeprefix(prefix))]
    versions = _Versions(root, pipeline, fetch_blobs(root, [f for _c, f in wanted])[0])
    by_commit: dict[str, list[FileChange]] = {}
    for c, f in wanted:
        path = f.path.removeprefix(prefix)
        before, before_problem = versions.get(f.old_mode, f.old_blob,
                                              f.old_path.removeprefix(prefix))
        after, problem = versions.get(f.new_mode, f.new_blob, path)
        by_commit.setdefault(c.id, []).append(
            FileChange(path, before, after, problem, before_problem))
    return [Commit(c.id, c.email, c.date, c.author, c.subject, tuple(by_commit[c.id]))
            for c in logged if c.id in by_commit]


def _is_deal(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return (rel.startswith(DEALS_DIR + "/") and not name.startswith(".")
            and name.endswith((".yaml", ".yml")))
