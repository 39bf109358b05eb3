"""Views as lines of styled text, and the one place they are written out.

rich lays out a ``Table`` cell by cell and wraps every line it prints, which a
review of 400 reps (30,000 lines) pays for with seconds. The views' tables have
columns of known content that never wrap, so they are laid out here as lines
(rich ``Text`` where styled, plain strings where not) with rich's own measures
(cell widths, CJK included, ellipsis truncation, alignment), and ``emit`` prints
them: through rich when it will write styles, or as their plain text when rich
would write none (a pipe, a file), which is byte for byte what rich would have
printed (tests/test_render_lines.py holds both).

Output that is no terminal (``funnelctl list | grep``, a file) is read by programs
and people searching it: ``Output``, the console the commands print on, keeps
every cell of a table whole there (``table`` ignores its columns' widths, and a
rich ``Table`` gets the width it needs) and ends no line in blanks. On a terminal
a table fits the screen as before.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from rich.cells import cell_len
from rich.console import Console, Group
from rich.control import strip_control_codes
from rich.text import Span, Text

from funnelctl.render.safe import safe

GAP = "  "  # between two columns, as rich's tables without a box

# Whether the view being laid out goes to output that is no terminal: then no cell
# is cut to a column's width (set while an ``Output`` console that is no terminal
# lays a view out; see ``uncut``)
_UNCUT: ContextVar[bool] = ContextVar("funnelctl_uncut", default=False)


def uncut() -> bool:
    """Whether the view being laid out now keeps every cell whole: its output is no
    terminal. A view that sizes its own columns to the screen asks this."""
    return _UNCUT.get()


@dataclass(frozen=True)
class Col:
    header: str
    justify: Literal["left", "right", "center"] = "left"
    max_width: int | None = None  # a longer cell ends in "…"
    fold: bool = False  # the last column only: takes the rest of the width and folds


Cell = str | Text
# A line of output: styled Text, or a str of plain text already free of control codes
# (most lines of a long list have no style, and a Text for each costs a third more)
Line = Text | str


def table(cols: list[Col], rows: list[list[Cell]], width: int, title: str | None = None,
          title_style: str = "bold", caption: str | None = None) -> list[Line]:
    """A table without a box as lines: a header row, one line per row (a folding last
    column may take more), columns two spaces apart, as wide as their widest cell.
    Cells of data come made safe (``render.safe``); the title may be data (a rep's
    name) and is made safe here. For output that is no terminal (``uncut``) the
    columns' widths and the folding are left out: every cell is shown whole."""
    whole = _UNCUT.get()
    if rows and cols and not cols[-1].fold and set(map(len, rows)) == {len(cols)}:
        laid = _plain_columns(cols, list(zip(*rows, strict=True)), whole)
        if laid is not None:
            return _framed(laid, title, title_style, caption)
    cells = [[_cell(c) for c in row] for row in rows]
    widths = []
    for i, col in enumerate(cols):
        w = max([cell_len(col.header), *(row[i][2] for row in cells)])
        if col.max_width is not None and not whole:
            w = min(w, col.max_width)
        widths.append(w)
    if cols and cols[-1].fold and not whole:
        rest = width - sum(widths[:-1]) - len(GAP) * (len(cols) - 1)
        widths[-1] = max(min(widths[-1], rest), 10)
    out: list[Line] = []
    if title:
        out.append(Text(safe(title), style=title_style))
    out.append(_row([_cell(Text(c.header, style="bold")) for c in cols], cols, widths))
    for row in cells:
        out.extend(_wrapped(row, cols, widths) if cols and cols[-1].fold
                   else [_row(row, cols, widths)])
    if caption:
        out.append(Text(caption, style="dim"))
    return out


_Laid = tuple[str, list[Span], int]  # a cell's text, its styles, its width in cells


def column_table(cols: list[Col], columns: list[list[Cell]], width: int,
                 title: str | None = None, title_style: str = "bold",
                 caption: str | None = None) -> list[Line]:
    """``table`` of the rows that ``columns`` make, given a column at a time (one
    list a column, all as long): a long list's view makes its columns as lists
    and spares the rows made and taken apart again."""
    if columns and cols and not cols[-1].fold and len(columns) == len(cols) \
            and len(set(map(len, columns))) == 1 and columns[0]:
        laid = _plain_columns(cols, columns, _UNCUT.get())
        if laid is not None:
            return _framed(laid, title, title_style, caption)
    return table(cols, [list(row) for row in zip(*columns, strict=True)], width, title,
                 title_style, caption)


def _framed(laid: tuple[Line, list[str]], title: str | None, title_style: str,
            caption: str | None) -> list[Line]:
    out: list[Line] = [] if not title else [Text(safe(title), style=title_style)]
    out.append(laid[0])
    out.extend(laid[1])
    if caption:
        out.append(Text(caption, style="dim"))
    return out


def widest(texts: list[str], least: int = 0) -> int:
    """The width in cells of the widest of ``texts`` (at least ``least``), as rich's
    ``cell_len`` measures it: printable ASCII, nearly always, is one cell a
    character, and a column of it is measured with ``len`` (100,000 cells in
    10 ms, not 0.1 s)."""
    joined = "".join(texts)
    if joined.isascii() and joined.isprintable():
        return max(least, max(map(len, texts), default=0))
    return max(least, max(map(cell_len, texts), default=0))


def _plain_columns(cols: list[Col], columns: list, whole: bool
                   ) -> tuple[Line, list[str]] | None:
    """``table``'s header line and rows when every cell is a plain string (a long
    list's usual case), laid out a column at a time and each row by one
    %-format that pads its columns of one-cell characters: the same lines, and
    (measured) a table of 100,000 deals in 0.7 s instead of 5.1 s cell by cell.
    None when a cell is styled ``Text``: ``table`` lays those out as before."""
    widths: list[int] = []
    specs: list[str] = []
    laid: list = []
    n = len(cols)
    for i, (col, texts) in enumerate(zip(cols, columns, strict=True)):
        try:
            joined = "".join(texts)
        except TypeError:  # a Text
            return None
        # printable ASCII is one cell a character (rich's cell_len says len)
        if joined.isprintable():
            sizes = None if joined.isascii() else \
                [len(c) if c.isascii() else cell_len(c) for c in texts]
        else:  # as _cell: stripped as Text strips, measured by rich
            texts = [c if c.isprintable() else strip_control_codes(c) for c in texts]
            sizes = list(map(cell_len, texts))
        widest_cell = max(map(len, texts)) if sizes is None else max(sizes)
        w = max(cell_len(col.header), widest_cell)
        if col.max_width is not None and not whole:
            w = min(w, col.max_width)
        widths.append(w)
        last = i == n - 1
        if sizes is None and widest_cell <= w and col.justify != "center":
            # %-format pads to a width in characters: here, cells
            specs.append(f"%{w}s" if col.justify == "right" else "%s" if last
                         else f"%-{w}s")
        else:
            specs.append("%s")
            if col.justify == "left" and not last and widest_cell <= w:
                texts = [t + " " * (w - size) for t, size in zip(texts, sizes, strict=True)]
            else:
                texts = [_fitted(t, len(t) if sizes is None else sizes[k], w, col.justify,
                                 last) for k, t in enumerate(texts)]
        laid.append(texts)
    head = _row([_cell(Text(c.header, style="bold")) for c in cols], cols, widths)
    line = GAP.join(specs)
    return head, list(map(str.rstrip, map(line.__mod__, zip(*laid, strict=True))))


def _fitted(plain: str, size: int, w: int, justify: str, last: bool) -> str:
    """One plain cell padded (or cut) to its column's width, as ``_row`` does it."""
    if size > w:
        cut = Text(plain)
        cut.truncate(w, overflow="ellipsis")
        plain, size = cut.plain, w
    pad = w - size
    if last and justify == "left":
        pad = 0
    left = pad if justify == "right" else pad // 2 if justify == "center" else 0
    right = pad - left if not last else 0
    return " " * left + plain + " " * right


def _cell(c: Cell) -> _Laid:
    if isinstance(c, Text):
        spans = [Span(0, len(c.plain), c.style), *c.spans] if c.style else list(c.spans)
        return c.plain, spans, c.cell_len
    # data comes made safe (render.safe); what rich's Text strips besides (a BEL, a
    # CR) is stripped as Text would, looked for only where it may be: a printable
    # string has none, and the check costs a fifteenth of the stripping
    plain = c if c.isprintable() else strip_control_codes(c)
    return plain, [], cell_len(plain)


def _row(row: list[_Laid], cols: list[Col], widths: list[int]) -> Line:
    """One line, assembled as a string and its styles' offsets: a Text per cell and
    one append per piece made a 10,000-deal list five times slower."""
    pieces: list[str] = []
    spans: list[Span] = []
    pos = 0
    last = len(cols) - 1
    for i, ((plain, cell_spans, size), col, w) in enumerate(zip(row, cols, widths,
                                                                strict=True)):
        if i:
            pieces.append(GAP)
            pos += len(GAP)
        if size > w:
            cut = Text(plain, spans=cell_spans)
            cut.truncate(w, overflow="ellipsis")
            plain, cell_spans, size = cut.plain, cut.spans, w
        pad = w - size
        if i == last and col.justify == "left":
            pad = 0  # no trailing blanks
        left = pad if col.justify == "right" else pad // 2 if col.justify == "center" else 0
        if left:
            pieces.append(" " * left)
            pos += left
        pieces.append(plain)
        spans.extend(Span(pos + s.start, pos + s.end, s.style) for s in cell_spans)
        pos += len(plain)
        if pad - left and i != last:
            pieces.append(" " * (pad - left))
            pos += pad - left
    if not spans:
        return "".join(pieces).rstrip()
    line = Text("".join(pieces), spans=spans)
    line.rstrip()
    return line


def _wrapped(row: list[_Laid], cols: list[Col], widths: list[int]) -> list[Line]:
    """A row whose last column folds onto more lines, indented under that column."""
    plain, spans, size = row[-1]
    if size <= widths[-1]:
        return [_row(row, cols, widths)]
    parts = Text(plain, spans=spans).wrap(_console(), widths[-1], overflow="fold")
    indent = " " * (sum(widths[:-1]) + len(GAP) * (len(cols) - 1))
    out: list[Line] = [_row([*row[:-1], _cell(parts[0])], cols, widths)]
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
    """A horizontal rule with a centred bold title (data, made safe), as rich's Rule
    draws it."""
    label = Text(f" {safe(title)} ", style="bold")
    if cell_len(label.plain) > max(0, width - 4):
        label.truncate(max(0, width - 4), overflow="ellipsis")
    side = (width - label.cell_len) // 2
    left = "─" * max(0, side - 1)
    right = "─" * max(0, width - len(left) - label.cell_len - 2)
    line = Text(left + " ", style=style)
    line.append_text(label)
    line.append(" " + right, style=style)
    return line


class Buffer:
    """Collects what a view prints and writes it at once: lines of text (the views'
    tables come laid out as lines) go out through ``emit``; anything else rich lays
    out, in one call, since rich pays a fixed cost per print."""

    def __init__(self, con: Console):
        self.con = con
        self.width = con.width
        self.height = con.height
        self.is_terminal = con.is_terminal
        self.uncut = is_uncut(con)
        self.parts: list = []

    def print(self, *objs, style: str | None = None, markup: bool | None = None,
              **_: object) -> None:
        if not objs:
            self.parts.append("")
        for o in objs:
            if isinstance(o, str):
                if markup is not False:
                    o = Text.from_markup(o, style=style or "")
                elif style:
                    o = Text(o, style=style)
                else:
                    # as Text would (data comes made safe: render.safe)
                    o = o if o.isprintable() else strip_control_codes(o)
            self.parts.append(o)

    def lines(self, lines: list[Line]) -> None:
        self.parts.extend(lines)


def buffered(view: Callable) -> Callable:
    """Run a rendering function against a Buffer and print its output at once."""

    @functools.wraps(view)
    def run(con, *args, **kwargs):
        if isinstance(con, Buffer):
            return view(con, *args, **kwargs)
        buf = Buffer(con)
        token = _UNCUT.set(buf.uncut)
        try:
            result = view(buf, *args, **kwargs)
        finally:
            _UNCUT.reset(token)
        _write(con, buf.parts)
        return result

    return run


def _write(con: Console, parts: list) -> None:
    if all(isinstance(x, (Text, str)) for x in parts):
        emit(con, parts)
    else:
        # soft_wrap: lines of text are left to the terminal to wrap, which spares
        # rich laying out every word; tables still fit
        con.print(Group(*_joined(parts)), soft_wrap=True)


def rendered(con: Console, view: Callable, *args) -> str:
    """What a buffered ``view`` would write to ``con``, as a string to write later
    (a part of a long output rendered by another process)."""
    buf = Buffer(con)
    token = _UNCUT.set(buf.uncut)
    try:
        view(buf, *args)
    finally:
        _UNCUT.reset(token)
    if not buf.parts:
        return ""
    if _plain(con) and all(isinstance(x, (Text, str)) for x in buf.parts):
        return _plain_text(con, buf.parts)
    with con.capture() as captured:
        _write(con, buf.parts)
    return captured.get()


def _joined(parts: list) -> list:
    """Runs of Text lines merged into one Text: rich lays out one object per run
    instead of one per line."""
    out: list = []
    run: list[Text] = []
    for part in parts:
        if isinstance(part, (Text, str)):
            run.append(as_text(part))
            continue
        if run:
            out.append(Text("\n").join(run))
            run = []
        out.append(part)
    if run:
        out.append(Text("\n").join(run))
    return out


def as_text(line: Line) -> Text:
    return Text(line) if isinstance(line, str) else line


def emit(con: Console, lines: list[Line]) -> None:
    """Print the lines: as plain text when rich would write no styles (output to a
    pipe or a file), else through rich, soft-wrapped by the terminal."""
    if not lines:
        return
    if _plain(con):
        write(con, _plain_text(con, lines))
        return
    con.print(Text("\n").join(map(as_text, lines)), soft_wrap=True)


def write(con: Console, text: str) -> None:
    """Write text as it is to the console's file. A reader that has gone (``| head``)
    is not an error: the rest of the output is simply not wanted."""
    try:
        con.file.write(text)
        con.file.flush()
    except BrokenPipeError:
        pass


def _plain(con: Console) -> bool:
    """Whether rich would write these lines without a style or a control code."""
    return con.color_system is None and not con.record and not con.is_jupyter


def _plain_text(con: Console, lines: list[Line]) -> str:
    out = "\n".join(line if isinstance(line, str) else line.plain for line in lines) + "\n"
    return out.expandtabs(con.tab_size) if "\t" in out else out


# -- the console the commands print on ----------------------------------------------

_BLANKS_AT_END = re.compile(r" +(?=\n)")


class TrimmedLines:
    """A text stream that passes what is written on without the blanks that end a
    line: rich pads a table's last column, and a line's end is where ``grep`` and
    ``diff`` see them. Blanks at the end of a write wait for what follows (a newline
    drops them, other text writes them first)."""

    def __init__(self, stream: Any):
        self.stream = stream
        self.blanks = ""

    def write(self, text: str) -> int:
        given = len(text)
        text = self.blanks + text
        body = text.rstrip(" ")
        self.blanks = text[len(body):]
        self.stream.write(_BLANKS_AT_END.sub("", body) if " \n" in body else body)
        return given

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, buffer ...
        return getattr(self.stream, name)


class Output(Console):
    """The console a command prints its view on: on a terminal, rich's own; on output
    that is no terminal (a pipe, a file), every table keeps its cells whole, however
    wide (``uncut``; a rich ``Table`` is laid out as wide as it needs), and no line
    ends in blanks (``TrimmedLines``)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.uncut = not self.is_terminal
        if self.uncut:
            self.file = TrimmedLines(self.file)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if not self.uncut:
            super().print(*objects, **kwargs)
            return
        token = _UNCUT.set(True)
        width = self.width
        need = max((_table_width(self, o) for o in objects), default=0)
        try:
            if need > width:  # rich would cut or fold the table's cells to the width
                self.width = need
            super().print(*objects, **kwargs)
        finally:
            self.width = width
            _UNCUT.reset(token)


def is_uncut(con: Any) -> bool:
    return bool(getattr(con, "uncut", False))


_HUGE = 100_000


def _table_width(con: Console, obj: Any) -> int:
    """The width the widest rich ``Table`` in ``obj`` (a table, or a group of
    renderables) takes with every cell whole; 0 without one. Only tables: other
    layouts (rich's ``Columns``) fill whatever width they are given."""
    from rich.measure import Measurement
    from rich.table import Table

    if isinstance(obj, Table):
        return Measurement.get(con, con.options.update_width(_HUGE), obj).maximum
    if isinstance(obj, Group):
        return max((_table_width(con, o) for o in obj.renderables), default=0)
    return 0
