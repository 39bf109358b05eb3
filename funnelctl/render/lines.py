"""Views as lines of styled text, and the one place they are written out.

rich lays out a ``Table`` cell by cell and wraps every line it prints, which a
review of 400 reps (30,000 lines) pays for with seconds. The views' tables have
columns of known content that never wrap, so they are laid out here as rich
``Text`` lines with rich's own measures (cell widths, CJK included, ellipsis
truncation, alignment), and ``emit`` prints them: through rich when it will
write styles, or as their plain text when rich would write none (a pipe, a
file), which is byte for byte what rich would have printed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

GAP = "  "  # between two columns, as rich's tables without a box


@dataclass(frozen=True)
class Col:
    header: str
    justify: Literal["left", "right", "center"] = "left"
    max_width: int | None = None  # a longer cell ends in "…"
    fold: bool = False  # the last column only: takes the rest of the width and folds


Cell = str | Text


def table(cols: list[Col], rows: list[list[Cell]], width: int, title: str | None = None,
          title_style: str = "bold", caption: str | None = None) -> list[Text]:
    """A table without a box as lines: a header row, one line per row (a folding last
    column may take more), columns two spaces apart, as wide as their widest cell."""
    cells = [[c if isinstance(c, Text) else Text(c) for c in row] for row in rows]
    widths = []
    for i, col in enumerate(cols):
        w = max([cell_len(col.header), *(row[i].cell_len for row in cells)])
        if col.max_width is not None:
            w = min(w, col.max_width)
        widths.append(w)
    if cols and cols[-1].fold:
        rest = width - sum(widths[:-1]) - len(GAP) * (len(cols) - 1)
        widths[-1] = max(min(widths[-1], rest), 10)
    out: list[Text] = []
    if title:
        out.append(Text(title, style=title_style))
    out.append(_row([Text(c.header, style="bold") for c in cols], cols, widths))
    for row in cells:
        out.extend(_wrapped(row, cols, widths) if cols and cols[-1].fold
                   else [_row(row, cols, widths)])
    if caption:
        out.append(Text(caption, style="dim"))
    return out


def _row(row: list[Text], cols: list[Col], widths: list[int]) -> Text:
    line = Text()
    last = len(cols) - 1
    for i, (cell, col, w) in enumerate(zip(row, cols, widths, strict=True)):
        if i:
            line.append(GAP)
        size = cell.cell_len
        if size > w:
            cell = cell.copy()
            cell.truncate(w, overflow="ellipsis")
            size = w
        pad = w - size
        if i == last and col.justify == "left":
            pad = 0  # no trailing blanks
        left = pad if col.justify == "right" else pad // 2 if col.justify == "center" else 0
        if left:
            line.append(" " * left)
        line.append_text(cell)
        if pad - left and i != last:
            line.append(" " * (pad - left))
    line.rstrip()
    return line


def _wrapped(row: list[Text], cols: list[Col], widths: list[int]) -> list[Text]:
    """A row whose last column folds onto more lines, indented under that column."""
    last = row[-1]
    if last.cell_len <= widths[-1]:
        return [_row(row, cols, widths)]
    parts = last.wrap(_console(), widths[-1], overflow="fold")
    indent = " " * (sum(widths[:-1]) + len(GAP) * (len(cols) - 1))
    out = [_row([*row[:-1], parts[0]], cols, widths)]
    for part in parts[1:]:
        line = Text(indent)
        line.append_text(part)
        line.rstrip()
        out.append(line)
    return out


@functools.cache
def _console() -> Console:
    """For Text.wrap, which asks for a console; it never prints."""
    return Console(width=10_000, color_system=None)


def wrapped(text: Text, width: int, indent: int = 4) -> list[Text]:
    """A line of prose folded at word boundaries to ``width``, the continuation lines
    indented, so that a sentence does not break mid-word at the terminal's edge."""
    size = text.cell_len
    if size <= width or width <= indent + 20:
        return [text]
    plain = text.plain
    if size != len(plain):  # wide characters: rich measures every word
        first, *rest = text.wrap(_console(), width)
        parts = [first, *Text(" ").join(rest).wrap(_console(), width - indent)] if rest \
            else [first]
    else:  # one cell a character: cut at the last blank that fits
        cuts: list[int] = []
        start, room = 0, width
        lead = len(plain) - len(plain.lstrip(" "))  # the first line's own indent stays
        while len(plain) - start > room:
            cut = plain.rfind(" ", max(start, lead) + 1, start + room + 1)
            if cut == -1:
                cuts += [start + room, start + room]
                start = start + room
            else:
                cuts += [cut, cut + 1]
                start = cut + 1
            room = width - indent
        parts = text.divide(cuts)[::2]
    out = [parts[0]]
    for part in parts[1:]:
        line = Text(" " * indent)
        line.append_text(part)
        out.append(line)
    for line in out:
        line.rstrip()
    return out


def rule(title: str, width: int, style: str = "rule.line") -> Text:
    """A horizontal rule with a centred bold title, as rich's Rule draws it."""
    label = Text(f" {title} ", style="bold")
    if cell_len(label.plain) > max(0, width - 4):
        label.truncate(max(0, width - 4), overflow="ellipsis")
    side = (width - label.cell_len) // 2
    left = "─" * max(0, side - 1)
    right = "─" * max(0, width - len(left) - label.cell_len - 2)
    line = Text(left + " ", style=style)
    line.append_text(label)
    line.append(" " + right, style=style)
    return line


def emit(con: Console, lines: list[Text]) -> None:
    """Print the lines: as plain text when rich would write no styles (output to a
    pipe or a file), else through rich, soft-wrapped by the terminal."""
    if not lines:
        return
    if con.color_system is None and not con.record and not con.is_jupyter:
        out = "\n".join(line.plain for line in lines) + "\n"
        if "\t" in out:
            out = out.expandtabs(con.tab_size)
        con.file.write(out)
        con.file.flush()
        return
    con.print(Text("\n").join(lines), soft_wrap=True)
