"""Finding deal files: every *.yaml under deals/ with what tells whether it changed,
and one deal's file by its id."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from funnelctl.i18n import _
from funnelctl.problems import Problem
from funnelctl.store.root import DEALS_DIR, StoreError

# What tells that a file changed, as git's index keeps it: size, mtime and ctime in
# nanoseconds, inode. An edit that restores the mtime (cp -p, rsync -a, an unpacked
# archive) still changes the ctime, and a file replaced by another its inode.
FileId = tuple[int, int, int, int]


def shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by Python as surrogates)
    are shown as \\xNN escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def deal_files(root: Path) -> tuple[list[tuple[str, FileId]], list[Problem]]:
    """Every *.yaml / *.yml under deals/ as (path relative to the root with forward
    slashes, its FileId), folder by folder in name order, and the problems of the
    entries that cannot be read as deal files: a name that is not UTF-8, a FIFO or
    device (reading it would block), a symlink that leads out of the repository or
    nowhere. Hidden files and folders are skipped; a symlinked folder is not
    followed. One lstat per file is the whole freshness check, made relative to its
    open folder where the platform can (a third faster than DirEntry.stat on
    100,000 files)."""
    found: list[tuple[str, FileId]] = []
    problems: list[Problem] = []
    lstat = os.lstat
    by_fd = os.stat in os.supports_dir_fd and os.scandir in os.supports_fd
    real_root = os.path.realpath(root)

    def refuse(rel: str, message: str) -> None:
        problems.append(Problem(rel, 1, message, True))

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
                rel = prefix + name
                try:
                    rel.encode("utf-8")
                except UnicodeEncodeError:
                    refuse(prefix + shown_name(name),
                           _("the file name is not valid UTF-8: rename it"))
                    continue
                try:
                    st = lstat(name, dir_fd=fd) if fd is not None else \
                        lstat(os.path.join(folder, name))
                except OSError:  # gone since the listing
                    continue
                if stat.S_ISLNK(st.st_mode):
                    target = os.path.realpath(os.path.join(folder, name))
                    if os.path.commonpath([real_root, target]) != real_root:
                        refuse(rel, _("a symlink that leads out of the repository: not read"))
                        continue
                    try:
                        st = os.stat(target)
                    except OSError:
                        refuse(rel, _("a symlink that leads nowhere"))
                        continue
                if not stat.S_ISREG(st.st_mode):
                    refuse(rel, _("not a regular file (a FIFO, device or folder): not read"))
                    continue
                found.append((rel, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)))
        except OSError:
            return
        finally:
            if fd is not None:
                os.close(fd)
        for name in sorted(dirs):
            walk(os.path.join(folder, name), f"{rel_folder}/{name}")

    if not os.path.isdir(root / DEALS_DIR):
        problems.append(Problem(DEALS_DIR, 1, _("no {folder}/ folder beside stages.yaml: no "
                                                "deal can be read (funnelctl init makes "
                                                "one)").format(folder=DEALS_DIR)))
    walk(str(root / DEALS_DIR), DEALS_DIR)
    return found, problems


def find_deal(root: Path, text: str,
              titles: Callable[[], Iterable[tuple[str, str]]] | None = None) -> str:
    """The relative path of the deal ``text`` names: its id, else the one id it
    begins, else (when ``titles`` gives every deal's (id, title), asked for only
    then) its exact title (``ids.find_by_prefix_or_title``). A deal lives at
    deals/**/ID.yaml, so ids cost one walk over the names (no stat, no parsing)."""
    from funnelctl.ids import NotFound, find_by_prefix_or_title

    paths = _named(root)
    not_found = StoreError(_("no deal {text!r} under {folder}/ (try 'funnelctl list' for the "
                             "ids)").format(text=text, folder=DEALS_DIR))
    try:
        if text in paths:  # the id itself, nearly always: no search
            found = text
        else:
            try:
                found = find_by_prefix_or_title(((i, None) for i in paths), text)
            except LookupError:
                if titles is None:
                    raise
                found = find_by_prefix_or_title(titles(), text)
    except NotFound:
        raise not_found from None
    except LookupError as exc:  # ambiguous: the candidates are named
        raise StoreError(exc.args[0]) from None
    matches = [Path(folder, name).relative_to(root).as_posix()
               for folder, name in paths.get(found, [])]
    if not matches:  # a title of a deal whose file is gone since
        raise not_found
    if len(matches) > 1:
        raise StoreError(_("deal id {id!r} is ambiguous: {paths}").format(
            id=found, paths=", ".join(sorted(matches))))
    return matches[0]


def _named(root: Path) -> dict[str, list[tuple[str, str]]]:
    """Each deal file's stem (its id) -> the (folder, name) of the files that bear it:
    one walk over the names, no stat. A path is made only for the few looked up (at
    100,000 deals, making every path cost a write a second)."""
    paths: dict[str, list[tuple[str, str]]] = {}
    for folder, dirs, names in os.walk(root / DEALS_DIR):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            if name.endswith(".yaml"):
                stem = name[:-5]
            elif name.endswith(".yml"):
                stem = name[:-4]
            else:
                continue
            entry = paths.get(stem)
            if entry is None:
                paths[stem] = [(folder, name)]
            else:
                entry.append((folder, name))
    return paths


def deal_ids(root: Path) -> set[str]:
    """The ids the deal files' names give: what a new id must not repeat."""
    return set(_named(root))


def id_in_use(root: Path, deal_id: str) -> str | None:
    """The file of a deal whose id equals ``deal_id`` ignoring case, if any: on a
    case-insensitive file system (a colleague's laptop) ACME-COOLING.yaml and
    acme-cooling.yaml are one file, so a new deal may take neither."""
    wanted = {f"{deal_id}.yaml".casefold(), f"{deal_id}.yml".casefold()}
    for folder, dirs, names in os.walk(root / DEALS_DIR):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.casefold() in wanted:
                return Path(folder, name).relative_to(root).as_posix()
    return None
