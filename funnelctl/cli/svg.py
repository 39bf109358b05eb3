"""``--svg FILE``: what a view shows on the terminal, saved as an SVG picture too, for
slides, a wiki or a mail.

The view is rendered once, on a console laid out as the terminal's (its width and
height, a terminal or not) that writes every style as ANSI codes into memory. The
terminal then gets that text as its own console would have written it: the plain
text where it writes no style (a pipe, a file), else the styles through rich (which
leaves out the colours under NO_COLOR). The file gets the same lines with the
views' colours, drawn by rich's ``export_svg``; it names a font, and fetches none.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from funnelctl.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

SVG_OPT: Optional[Path] = typer.Option(
    None, "--svg", metavar="FILE", dir_okay=False,
    help="Also save what the terminal shows as an SVG picture in FILE.")

_SGR = re.compile(r"\x1b\[[0-9;]*m")


def styled_like(con: Console) -> Console:
    """A console laid out as ``con`` that writes every style as ANSI codes into
    memory: render on it, then hand the text to ``show_and_save``. Like ``con``,
    it keeps every cell whole when the output is no terminal (``lines.Output``)."""
    from funnelctl.render.lines import Output

    return Output(file=io.StringIO(), width=con.width, height=con.height,
                  force_terminal=con.is_terminal, color_system=con.color_system or "truecolor",
                  no_color=False, highlight=False, emoji=False, legacy_windows=False,
                  tab_size=con.tab_size)


def drawn(con: Console, draw: Callable[[Console], object]) -> str:
    """What ``draw(styled)`` prints on ``styled_like(con)``, with its styles."""
    styled = styled_like(con)
    with styled.capture() as captured:
        draw(styled)
    return captured.get()


def show_and_save(con: Console, text: str, svg: Path, title: str) -> None:
    """Write ``text`` (rendered on ``styled_like(con)``) to ``con`` as ``con`` would have
    written it, and save it as an SVG picture in ``svg``: a file that cannot be
    written is a one-line error (exit 1), after the terminal got its view."""
    from rich.text import Text

    from funnelctl.render.lines import write

    if con.color_system is None:  # no style at all: the text as it is, codes removed
        write(con, _SGR.sub("", text))
    elif text:
        con.print(Text.from_ansi(text), soft_wrap=True, end="")
    save_svg(text, con.width, svg, title)


def svg_of(text: str, width: int, title: str) -> str:
    """``text`` with its ANSI styles as rich draws a terminal in SVG, ``width`` cells
    wide."""
    from rich.console import Console
    from rich.terminal_theme import DEFAULT_TERMINAL_THEME
    from rich.text import Text

    rec = Console(file=io.StringIO(), width=width, record=True, color_system="truecolor",
                  force_terminal=True, legacy_windows=False, highlight=False, emoji=False)
    rec.print(Text.from_ansi(text), soft_wrap=True, end="")
    fmt = _format()
    return rec.export_svg(title=title, theme=DEFAULT_TERMINAL_THEME,
                          **({"code_format": fmt} if fmt else {}))


def _format() -> str | None:
    """rich's SVG template without the web addresses of its font: a picture opened
    offline, or years later, looks the same (the viewer's monospace font). None
    when rich keeps its template elsewhere: then its own, as it is."""
    try:
        from rich._export_format import CONSOLE_SVG_FORMAT
    except ImportError:  # pragma: no cover - depends on rich's layout
        return None
    return re.sub(r',\s*url\("[^"]*"\) format\("[^"]*"\)', "", CONSOLE_SVG_FORMAT)


def save_svg(text: str, width: int, svg: Path, title: str) -> None:
    from funnelctl.cli.common import fail
    from funnelctl.store import atomic_write

    try:
        atomic_write(svg, svg_of(text, width, title))
    except OSError as exc:
        fail(_("--svg {path}: cannot write: {error}").format(path=svg,
                                                              error=exc.strerror or exc))


def shown(draw: Callable[[Console], object], svg: Path | None, title: str) -> None:
    """``draw`` the view on the terminal's console; with ``--svg``, save it too."""
    from funnelctl.cli.common import out_console

    con = out_console()
    if svg is None:
        draw(con)
        return
    show_and_save(con, drawn(con, draw), svg, title)


def refuse_with(svg: Path | None, json_out: bool, md: bool) -> None:
    """--svg saves the terminal's view: with --json or --format md, a usage error."""
    if svg is not None and (json_out or md):
        from funnelctl.cli.common import fail

        fail(_("--svg saves what the terminal shows: drop {option}").format(
            option="--json" if json_out else "--format md"), code=2)
