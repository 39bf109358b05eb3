"""Writing what an import plan says: each new deal's file created (never over
another), and each changed deal changed through the store's one door, as the
write commands change it: ``reassign`` for a new owner, ``advance``, ``win`` and
``lose`` for the stage and the outcome, each judged by the same rules; the other
fields set in place. Every other line of the file stays as it was."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from funnelctl import edits, yamlio
from funnelctl.i18n import _
from funnelctl.io.plan import LOST, WON, NewDeal, Refused, Update, changes_of
from funnelctl.pipeline import Pipeline
from funnelctl.store import StoreError, create_exclusive, update_deal
from funnelctl.store.root import os_reason


def write_new(root: Path, new: list[NewDeal], step: Callable[[], None] = lambda: None
              ) -> tuple[list[str], list[Refused]]:
    """Create the new deals' files: (paths written, rows that could not be). Each
    file is written whole in a hidden folder beside them, then linked into place,
    which fails if a file of that name exists: a killed import leaves whole files
    or none, and never writes over a deal (``store.create_exclusive`` does the same
    for one file, with a temporary name of its own per file: twice the system
    time, measured at 10,000 deals)."""
    written: list[str] = []
    failed: list[Refused] = []
    if not new:
        return written, failed
    base = root / "deals"
    try:
        base.mkdir(exist_ok=True)
        _clear_stale_staging(base)
        # hidden, and named like every write's temporary file (.*.tmp): the walk and
        # git both pass it by
        staging = Path(tempfile.mkdtemp(dir=base, prefix=f".import-{os.getpid()}-",
                                        suffix=".tmp"))
    except OSError as exc:
        raise StoreError(_cannot_write("deals/", exc)) from None
    made: set[Path] = set()
    try:
        for i, n in enumerate(new):
            target = root / n.path
            try:
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                tmp = staging / f"{i}.yaml"
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                try:
                    os.write(fd, n.text.encode("utf-8"))
                finally:
                    os.close(fd)
                try:
                    os.link(tmp, target)
                except FileExistsError:  # made since the plan: another import, a `new`
                    failed.append(Refused(n.deal.row, _("{path}: exists already").format(
                        path=n.path)))
                    continue
                except OSError:  # a file system without hard links
                    create_exclusive(target, n.text)
                finally:
                    os.unlink(tmp)
                written.append(n.path)
            except StoreError as exc:
                failed.append(Refused(n.deal.row, f"{n.path}: {exc.message}"))
            except OSError as exc:
                failed.append(Refused(n.deal.row, _cannot_write(n.path, exc)))
            finally:
                step()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written, failed


def _cannot_write(path: str, exc: OSError) -> str:
    return _("{path}: cannot write: {reason}").format(path=path, reason=os_reason(exc))


_STAGING = re.compile(r"\.import-(\d+)-.*\.tmp")


def _clear_stale_staging(base: Path) -> None:
    """Remove what an import killed before its end left: the staging folder of a
    process that is gone (another import may be running now: its folder stays)."""
    for entry in os.scandir(base):
        m = _STAGING.fullmatch(entry.name)
        if not m or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # still running
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except (PermissionError, OverflowError):  # someone else's process
            continue


def apply_updates(root: Path, updates: list[Update], p: Pipeline, today: dt.date,
                  why: str, force_reason: str | None = None,
                  step: Callable[[], None] = lambda: None) -> tuple[list[str], list[Refused]]:
    """Change each deal as its row says: (paths changed, rows refused with the rule
    they would break; such a file is left as it was). ``why`` is recorded as the
    reason of a handover; ``force_reason`` forces the moves the gates refuse."""
    written: list[str] = []
    failed: list[Refused] = []
    for u in updates:
        try:
            update_deal(root, u.path, p, _change(u, p, today, why, force_reason))
            written.append(u.path)
        except edits.Refused as exc:
            more = f": {'; '.join(exc.missing)}" if exc.missing else ""
            hint = " " + _("(--force-moves --reason TEXT records them as waived)") \
                if exc.missing and not force_reason else ""
            failed.append(Refused(u.deal.row, f"{u.id}: {exc.message}{more}{hint}"))
        except StoreError as exc:
            failed.append(Refused(u.deal.row, f"{u.path}: {exc.message}"))
        step()
    return written, failed


def _change(u: Update, p: Pipeline, today: dt.date, why: str, force_reason: str | None
            ) -> Callable[[Any, Any], None]:
    def change(doc: Any, deal: Any) -> None:
        d = u.deal
        moves = []
        for f, _old, new in changes_of(d, deal, p):  # against the file as it is now
            if f in ("title", "account", "source", "currency"):
                _set(doc, f, yamlio.plain_safe(new))
            elif f == "amount":
                _set(doc, f, int(new) if float(new).is_integer() else new)
            elif f == "close":
                _set(doc, f, new)
            elif f == "owner":
                if deal.status == "open":
                    edits.reassign(doc, deal, today, deal.owner, new, why)
                else:
                    edits.set_key(doc, f, yamlio.plain_safe(new), doc)
            else:
                moves.append((f, new))
        for f, new in moves:
            last = max(h.date for h in deal.history)
            # the day the source closed it, when that can be the day it happened
            when = d.outcome_date if d.outcome_date and last <= d.outcome_date <= today \
                else today
            force = force_reason is not None
            if f == "stage":
                edits.advance(doc, deal, p, today, new, force, force_reason)
            elif deal.status != "open":
                raise edits.Refused(_("{status} in funnelctl but {new} in the source: a closed "
                                      "deal is not reopened").format(
                    status=edits.status_name(deal.status), new=edits.status_name(new)))
            elif new == WON:
                edits.win(doc, deal, p, when, force, force_reason)
            elif new == LOST:
                edits.lose(doc, deal, p, when, d.lost_reason or "", None, d.lost_note)
    return change


# where a key the file lacks goes: after the key ``new`` writes before it
_AFTER = {"currency": ("amount",), "source": ("currency", "amount"),
          "close": ("created",)}


def _set(doc: Any, key: str, value: Any) -> None:
    """Set a top-level key; a new one goes where ``new`` would have written it."""
    if key in doc:
        doc[key] = value
        return
    for before in _AFTER.get(key, ()):
        if before in doc:
            doc.insert(list(doc).index(before) + 1, key, value)
            return
    edits.set_key(doc, key, value, doc)
