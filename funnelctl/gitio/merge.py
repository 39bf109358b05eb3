"""Three versions of a deal file merged by what they mean: git's merge driver.

git calls ``funnelctl merge-driver`` with the common ancestor (base), our version
and theirs. The merge starts from OUR text, read by the round-trip parser, and
applies what THEIRS changed relative to the base, field by field:

- a top-level list (actions, history, contacts, competitors, a team's own list)
  keeps the items either side added (one copy of an item both added), placed by
  their ``date`` (ours before theirs on the same day; an item without a date goes
  at the end) and loses the items theirs removed; a contact (an item with a
  ``name``) that theirs changed is changed in place;
- ``milestones`` and ``levels`` are merged entry by entry: a milestone ticked or a
  ladder scored on either side is kept, each entry is one field;
- every other key (stage, amount, close, owner, status, next, outcome, snooze,
  notes, a team's own key) is one field: changed on one side only, that side wins;
  changed alike on both, nothing to do.

A field both sides changed differently is a conflict: the merged text holds ours
for it, between standard conflict markers with theirs, around that field's lines
only. Everything the merge does not touch keeps its bytes (``yamlio.rt_dump``).

``merge_deals`` is pure (texts in, text and conflicts out); it raises
``Unmergeable`` when a version is not a YAML mapping, and the driver then merges
lines as git would (``line_merge``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from funnelctl import yamlio


class Unmergeable(Exception):
    """A version cannot be merged by meaning (not YAML, not a mapping, or the
    round-trip parser refuses it): the line merge takes over."""


@dataclass(frozen=True)
class Merged:
    """The merged text, and the fields both sides changed differently (``stage``,
    ``levels.power``, ``contacts[Wang Berg]``), in the order they were found; the
    text holds conflict markers around each of them."""

    text: str
    conflicts: list[str]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a key one version does not have

# merged entry by entry: each milestone and each ladder is a field of its own
ENTRY_MAPS = ("milestones", "levels")


@dataclass
class _Conflict:
    label: str
    ours: Callable[[], tuple] | None  # the field's path in the merged text
    theirs: tuple | None  # its path in theirs' text; None where a side has none
    parent: tuple  # where ours' missing field would be: at the end of this node


def merge_deals(base: str, ours: str, theirs: str, marker_size: int = 7) -> Merged:
    """Our text with what theirs changed relative to base applied (see the module's
    docstring)."""
    if theirs == base or theirs == ours:
        return Merged(ours, [])
    if ours == base:
        return Merged(theirs, [])
    # two reps who both created the file (add/add) have no base: git gives an empty one
    b = _mapping(base, "base", empty_ok=True)
    o, t = _mapping(ours, "ours"), _mapping(theirs, "theirs")
    try:
        y, doc = yamlio.rt_load(ours)
        _, tdoc = yamlio.rt_load(theirs)
    except Exception as exc:  # the fast reader took it, the round-trip parser does not
        raise Unmergeable(f"the round-trip parser refuses a version: {exc}") from None
    conflicts: list[_Conflict] = []
    _merge_mapping(doc, tdoc, b, o, t, (), doc, conflicts)
    text = yamlio.rt_dump(y, doc)
    _mapping(text, "the merge")  # a merge that does not read back is no merge
    if conflicts:
        text = with_markers(text, theirs, conflicts, marker_size)
    return Merged(text, [c.label for c in conflicts])


def _mapping(text: str, who: str, empty_ok: bool = False) -> dict:
    try:
        data = yamlio.load_fast(text)
    except yamlio.YamlError as exc:
        raise Unmergeable(f"{who}: line {exc.line}: {exc.message}") from None
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        raise Unmergeable(f"{who} is not a mapping of deal fields")
    return data


def _same(x: Any, y: Any) -> bool:
    if x is MISSING or y is MISSING:
        return x is y
    return x == y or repr(x) == repr(y)


def _label(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part[1]}]" if isinstance(part, tuple) else f"{'.' if out else ''}{part}"
    return out


# -- mappings ------------------------------------------------------------------------


def _merge_mapping(m: Any, tm: Any, b: dict, o: dict, t: dict, path: tuple, root: Any,
                   conflicts: list[_Conflict]) -> None:
    """Apply to ``m`` (ours, round trip) what theirs (``tm``; plain ``t``) changed
    relative to ``b``; ``o`` is ``m`` as plain data."""
    for key in dict.fromkeys([*o, *t, *b]):
        bv, ov, tv = b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING)
        if _same(tv, bv) or _same(ov, tv):
            continue  # theirs did not change it, or changed it as ours did
        if _same(ov, bv):
            _take_theirs(m, tm, key, tv, root)
            continue
        sub = (*path, key)
        top = not path
        if top and key in ENTRY_MAPS and _both(dict, bv, ov, tv, m.get(key), tm.get(key)):
            _merge_mapping(m[key], tm[key], {} if bv is MISSING else bv, ov, tv, sub, root,
                           conflicts)
        elif top and _both(list, bv, ov, tv, m.get(key), tm.get(key)):
            _merge_list(m[key], tm[key], [] if bv is MISSING else bv, ov, tv, sub, conflicts)
        else:
            conflicts.append(_Conflict(_label(sub), None if ov is MISSING else (lambda s=sub: s),
                                       None if tv is MISSING else sub, path))


def _both(kind: type, bv: Any, ov: Any, tv: Any, node: Any, tnode: Any) -> bool:
    """Both sides hold a ``kind`` (a dict or a list; the base one too, or nothing),
    as round-trip nodes that can be edited in place."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    rt = CommentedMap if kind is dict else CommentedSeq
    return (isinstance(ov, kind) and isinstance(tv, kind)
            and (bv is MISSING or isinstance(bv, kind))
            and isinstance(node, rt) and isinstance(tnode, rt))


def _take_theirs(m: Any, tm: Any, key: Any, tv: Any, root: Any) -> None:
    """Theirs changed ``key`` and ours did not: theirs' value (or none)."""
    if tv is MISSING:
        _delete(m, key)
    elif key in m:
        _replace(m, key, tm[key])
    else:
        _insert(m, tm, key, _detached(tm[key]), root)


def _replace(container: Any, key: Any, new: Any) -> None:
    """Put theirs' node ``new`` in place of ours. The comment and blank lines after a
    block's last line belong to what follows it in ours' text: ours' stay, theirs'
    go."""
    from funnelctl.edits import _give_trailing, _take_trailing

    tok = _take_trailing(container[key])
    _take_trailing(new)
    container[key] = new
    _give_trailing(new, tok)


def _delete(m: Any, key: Any) -> None:
    """Remove a key; the comment and blank lines after it belong to what follows (as
    ``edits`` removes ``next``); the writer keeps those before another key."""
    from funnelctl.edits import _give_trailing, _take_trailing

    tok = _take_trailing(m) if list(m.keys())[-1] == key else None
    del m[key]
    _give_trailing(m, tok)


def _insert(m: Any, tm: Any, key: Any, value: Any, root: Any) -> None:
    """Add a key theirs added, after the key it follows in theirs' text."""
    from funnelctl.edits import set_key

    tkeys = list(tm.keys())
    keys = list(m.keys())
    before = [k for k in tkeys[: tkeys.index(key)] if k in m]
    pos = keys.index(before[-1]) + 1 if before else 0
    if pos >= len(keys):
        set_key(m, key, value, root)  # the comment that closes the document stays last
    else:
        m.insert(pos, key, value)


def _detached(node: Any) -> Any:
    """A copy of theirs' node to put into ours: its end-of-line comments kept, the
    comment lines around it (which belong to its neighbours in theirs' text) not."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.tokens import CommentToken

    if isinstance(node, CommentedMap):
        new: Any = CommentedMap()
        for k, v in node.items():
            new[k] = _detached(v)
        pos = 2
    elif isinstance(node, CommentedSeq):
        new = CommentedSeq(_detached(v) for v in node)
        pos = 0
    else:
        return node
    if node.fa.flow_style():
        new.fa.set_flow_style()
    for k, entry in node.ca.items.items():
        tok = entry[pos] if entry and len(entry) > pos else None
        if tok is None or tok.value.startswith("\n") or "#" not in tok.value.split("\n")[0]:
            continue
        slot = [None, None, None, None] if pos == 2 else [None, None]
        slot[pos] = CommentToken(tok.value.split("\n", 1)[0] + "\n", tok.start_mark, None)
        new.ca.items[k] = slot
    return new


# -- lists ---------------------------------------------------------------------------


def _merge_list(seq: Any, tseq: Any, bl: list, ol: list, tl: list, path: tuple,
                conflicts: list[_Conflict]) -> None:
    """Apply to ours' list ``seq`` the items theirs added and removed."""
    from funnelctl.edits import append_item

    cur = list(ol)  # ``seq`` as plain data, kept in step with it
    removed_t, added_t = _minus(bl, tl), _minus(tl, bl)
    removed_o, added_o = _minus(bl, ol), _minus(ol, bl)
    changed_t = _changed(removed_t, added_t)
    changed_o = _changed(removed_o, added_o)

    def ours_at(node: Any) -> Callable[[], tuple]:
        return lambda: (*path, next(i for i, x in enumerate(seq) if x is node))

    for ident, (old, new) in changed_t.items():  # an item theirs changed in place
        ti = _index(tl, new)
        label = _label((*path, ident))
        if ident in changed_o:
            mine = changed_o.pop(ident)[1]
            if not _same(mine, new):
                conflicts.append(_Conflict(label, ours_at(seq[_index(cur, mine)]),
                                           (*path, ti), path))
        elif _take(removed_o, old):  # ours removed it
            conflicts.append(_Conflict(label, None, (*path, ti), path))
        else:
            i = _index(cur, old)
            _replace(seq, i, tseq[ti])
            cur[i] = new
        _take(removed_t, old)
        _take(added_t, new)
    for old in removed_t:
        if _take(removed_o, old):
            continue  # removed on both sides
        ident = _identity(old)
        if ident is not None and ident in changed_o:  # ours changed what theirs removed
            mine = changed_o.pop(ident)[1]
            conflicts.append(_Conflict(_label((*path, ident)),
                                       ours_at(seq[_index(cur, mine)]), None, path))
            continue
        i = _index(cur, old)
        del seq[i]
        del cur[i]
    for item in added_t:
        if _take(added_o, item):
            continue  # added on both sides: once
        node = _detached(tseq[_index(tl, item)])
        pos = _date_position(cur, item)
        if pos == len(cur):
            append_item(seq, node)  # a comment after the list's last item stays after it
        else:
            seq.insert(pos, node)
        cur.insert(pos, item)


def _minus(xs: list, ys: list) -> list:
    """The items of ``xs`` that ``ys`` does not have (counted: an item twice in ``xs``
    and once in ``ys`` is once in the result), in ``xs``'s order."""
    left = list(ys)
    out = []
    for x in xs:
        if not _take(left, x):
            out.append(x)
    return out


def _take(items: list, item: Any) -> bool:
    """Remove one copy of ``item`` from ``items``; whether there was one."""
    for i, x in enumerate(items):
        if _same(x, item):
            del items[i]
            return True
    return False


def _index(items: list, item: Any) -> int:
    return next(i for i, x in enumerate(items) if _same(x, item))


def _identity(item: Any) -> tuple | None:
    """What makes an item the same one after a change: a contact's name."""
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return ("name", item["name"])
    return None


def _changed(removed: list, added: list) -> dict[tuple, tuple[Any, Any]]:
    """Items changed in place: one removed and one added with the same identity."""
    def by_identity(items: list) -> dict[tuple, list]:
        out: dict[tuple, list] = {}
        for item in items:
            ident = _identity(item)
            if ident is not None:
                out.setdefault(ident, []).append(item)
        return out

    gone, new = by_identity(removed), by_identity(added)
    return {ident: (gone[ident][0], new[ident][0]) for ident in gone
            if len(gone[ident]) == 1 and len(new.get(ident, ())) == 1}


def _date(item: Any) -> dt.date | None:
    value = item.get("date") if isinstance(item, dict) else None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _date_position(cur: list, item: Any) -> int:
    """Where a new item goes: after the last item dated on or before it (so ours come
    first on the same day); an item without a date goes at the end."""
    day = _date(item)
    pos = len(cur)
    if day is None:
        return pos
    while pos > 0:
        other = _date(cur[pos - 1])
        if other is None or other <= day:
            break
        pos -= 1
    return pos


# -- conflict markers ----------------------------------------------------------------


_BREAK = re.compile(r"\r\n|\r|\n")
_NOTHING = re.compile(r"[ \t]*(?:#.*)?")


def with_markers(text: str, theirs: str, conflicts: list[_Conflict], size: int = 7) -> str:
    """``text`` (the merge, ours for each conflicting field) with each field's lines
    between conflict markers, theirs' lines of the field after ``=======``."""
    import yaml

    try:  # the pure loader: its marks count characters, which the spans need
        ours_root = yaml.compose(text, Loader=yaml.SafeLoader)
        theirs_root = yaml.compose(theirs, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise Unmergeable(f"cannot place the conflict markers: {exc}") from None
    hunks: list[tuple[int, int, list[tuple[int, int]]]] = []
    for c in conflicts:
        if c.ours is not None:
            start, end = _span(text, ours_root, c.ours())
        else:
            start = end = _span(text, ours_root, c.parent)[1]
        hunks.append((start, end, [_span(theirs, theirs_root, c.theirs)] if c.theirs else []))
    hunks.sort(key=lambda h: (h[0], h[1]))
    joined: list[tuple[int, int, list[tuple[int, int]]]] = []
    for start, end, spans in hunks:  # fields that share lines share one hunk
        if joined and start < joined[-1][1]:
            s0, e0, spans0 = joined[-1]
            joined[-1] = (s0, max(e0, end), spans0 + spans)
        else:
            joined.append((start, end, spans))
    eol = m.group() if (m := _BREAK.search(text)) else "\n"
    out = text
    for start, end, spans in reversed(joined):
        mine = out[start:end]
        lead = eol if start == len(out) and out and not out.endswith(("\n", "\r")) else ""
        hunk = (lead + "<" * size + " ours" + eol + _ended(mine, eol) + "=" * size + eol
                + _ended(_joined_spans(theirs, spans), eol) + ">" * size + " theirs" + eol)
        out = out[:start] + hunk + out[end:]
    return out


def _ended(part: str, eol: str) -> str:
    return part if not part or part.endswith(("\n", "\r")) else part + eol


def _joined_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Theirs' lines of the fields of one hunk: overlapping spans once."""
    out = []
    end = -1
    for s, e in sorted(spans):
        s = max(s, end)
        if e > s:
            out.append(text[s:e])
            end = e
    return "".join(out)


def _span(text: str, root: Any, path: tuple) -> tuple[int, int]:
    """The characters of the whole lines that hold the node at ``path`` (with its key),
    without the comment and blank lines that follow it."""
    import yaml

    node, first = root, root
    for key in path:
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value
                     if isinstance(k, yaml.ScalarNode) and k.value == str(key)]
            if len(found) != 1:
                raise Unmergeable(f"cannot place the conflict markers: no {key!r}")
            first, node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) \
                and 0 <= key < len(node.value):
            first = node = node.value[key]
        else:
            raise Unmergeable(f"cannot place the conflict markers: no {key!r}")
    start = _line_start(text, first.start_mark.index)
    e = node.end_mark.index
    ls = _line_start(text, e)
    if text[ls:e].strip(" \t"):
        return start, _line_end(text, e)  # ends on its last line (a scalar, a flow node)
    end = ls  # a block ends where the next token starts
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return start, end
    lines = _lines(text, start, end)
    while len(lines) > 1 and _NOTHING.fullmatch(lines[-1][2]):
        end = lines.pop()[0]
    return start, end


def _line_start(text: str, i: int) -> int:
    return max(text.rfind("\n", 0, i), text.rfind("\r", 0, i)) + 1


def _line_end(text: str, i: int) -> int:
    m = _BREAK.search(text, i)
    return m.end() if m else len(text)


def _lines(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, content) of each line in ``text[start:end]``."""
    out = []
    pos = start
    while pos < end:
        m = _BREAK.search(text, pos, end)
        stop = m.end() if m else end
        out.append((pos, stop, text[pos:m.start() if m else end]))
        pos = stop
    return out


# -- the line merge ------------------------------------------------------------------


def line_merge(cwd: Path, base: Path, ours: Path, theirs: Path,
               marker_size: int = 7) -> tuple[bytes, bool] | None:
    """git's own three-way merge of lines (``git merge-file``): the merged bytes and
    whether they hold conflicts; None when git cannot merge them (a binary file)."""
    # imported here: the store it brings is a fifth of a second the merge by meaning,
    # which git starts once for every file both sides changed, does not need
    from funnelctl.gitio import run

    proc = run.git(cwd, "merge-file", "-p", f"--marker-size={marker_size}",
                   "-L", "ours", "-L", "base", "-L", "theirs", "--",
                   os.fspath(ours), os.fspath(base), os.fspath(theirs), check=False)
    if not 0 <= proc.returncode < 128:
        return None
    return proc.stdout, proc.returncode > 0
