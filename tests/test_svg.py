"""`--svg FILE` on review, funnel and board: the terminal gets exactly what it gets
without the option, and the file holds the same lines, drawn by rich with the
views' colours, fetching nothing when it is opened."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.terminal_theme import DEFAULT_TERMINAL_THEME

SVG_NS = "{http://www.w3.org/2000/svg}"
CELL = 20 * 0.61  # rich draws a cell 0.61 of its 20-pixel font wide


@pytest.fixture
def pipe(world):
    """Three open deals, one of them stalled, one beyond the benchmark at nurture."""
    world.deal("p1", amount=1000, history=[("lead", "2026-11-20")],
               extra="next: {date: 2026-11-30, step: call}\n")
    world.deal("p2", stage="nurture", owner="bob", amount=2500,
               history=[("lead", "2026-10-01"), ("nurture", "2026-10-02")])
    world.deal("p3", stage="nurture", amount=4000,
               history=[("lead", "2026-10-01"), ("nurture", "2026-11-10")])
    return world


def svg_lines(svg: str) -> list[str]:
    """The lines of text an SVG of rich's draws: each piece of text set at its cell
    (rich leaves out the runs of blanks between them)."""
    root = ET.fromstring(svg)
    matrix = next(g for g in root.iter(f"{SVG_NS}g") if g.get("class", "").endswith("-matrix"))
    lines: dict[int, str] = {}
    for t in matrix.iter(f"{SVG_NS}text"):
        text = (t.text or "").replace("\xa0", " ")
        n = int(re.search(r"line-(\d+)", t.get("clip-path", "")).group(1))
        line = lines.setdefault(n, "")
        if text != "\n":  # each line ends in one
            col = round(float(t.get("x")) / CELL)
            lines[n] = line + " " * (col - cell_len(line)) + text
    return [lines.get(i, "").rstrip() for i in range(max(lines, default=-1) + 1)]


def styles_of(svg: str, text: str) -> str:
    """The style rule of the class that draws ``text`` (the first piece holding it)."""
    cls = re.search(r'<text class="([\w-]+)"[^>]*>[^<]*' + re.escape(text), svg).group(1)
    return re.search(r"\." + re.escape(cls) + r" \{([^}]*)\}", svg).group(1)


def same_view(world, tmp_path: Path, *args: str) -> tuple[str, str]:
    """The command's output without and with --svg (equal), and the SVG."""
    plain = world.run(*args)
    assert plain.exit_code == 0, plain.output
    out = tmp_path / "view.svg"
    with_svg = world.run(*args, "--svg", str(out))
    assert with_svg.exit_code == 0, with_svg.output
    assert with_svg.stdout == plain.stdout
    return plain.stdout, out.read_text(encoding="utf-8")


def lines_of(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_funnel_svg_draws_what_the_terminal_shows_in_colour(pipe, tmp_path) -> None:
    shown, svg = same_view(pipe, tmp_path, "funnel")
    assert "Nurture" in shown and "█" in shown
    assert svg_lines(svg) == lines_of(shown)
    # the stdout had no style at all (not a terminal; NO_COLOR): the picture has the
    # view's own, the bar in cyan and the header in bold
    assert "\x1b" not in shown
    assert f"fill: {DEFAULT_TERMINAL_THEME.ansi_colors[6].hex}" in styles_of(svg, "█")
    assert "font-weight: bold" in styles_of(svg, "stage")
    assert "funnelctl&#160;funnel" in svg  # the window's title
    assert 'url("http' not in svg  # a font named, none fetched


def test_on_a_colour_terminal_the_styles_are_the_same(pipe, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")
    shown, svg = same_view(pipe, tmp_path, "funnel")
    assert "\x1b[36m" in shown  # cyan bars, as without --svg
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert svg_lines(svg) == lines_of(plain)
    monkeypatch.setenv("NO_COLOR", "1")  # every style goes, bold too: on the terminal only
    shown, svg = same_view(pipe, tmp_path, "funnel")
    assert "\x1b[" not in shown
    assert f"fill: {DEFAULT_TERMINAL_THEME.ansi_colors[6].hex}" in styles_of(svg, "█")


def test_board_svg(pipe, tmp_path) -> None:
    shown, svg = same_view(pipe, tmp_path, "board")
    assert "Nurture" in shown and "⚠ A p2" in shown  # a card names the account
    assert svg_lines(svg) == lines_of(shown)


def test_funnel_by_owner_side_by_side_svg(pipe, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "170")  # two reps side by side
    shown, svg = same_view(pipe, tmp_path, "funnel", "--by", "owner")
    first = shown.splitlines()[0]
    assert "ann" in first and "bob" in first
    assert svg_lines(svg) == lines_of(shown)
    assert 'viewBox="0 0 ' in svg
    assert float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1)) > 170 * CELL


def test_review_svg(pipe, tmp_path) -> None:
    shown, svg = same_view(pipe, tmp_path, "review")
    assert "Leaderboard 2026-11" in shown
    assert svg_lines(svg) == lines_of(shown)


def test_svg_usage_and_write_errors(pipe, tmp_path) -> None:
    for args in (["funnel", "--json"], ["board", "--json"], ["funnel", "--format", "md"],
                 ["review", "--format", "md"]):
        res = pipe.run(*args, "--svg", str(tmp_path / "x.svg"))
        assert res.exit_code == 2, args
        assert "--svg saves what the terminal shows" in res.output
    assert not (tmp_path / "x.svg").exists()
    (tmp_path / "taken").mkdir()
    res = pipe.run("funnel", "--svg", str(tmp_path / "taken" / "sub" / "x.svg"))
    assert res.exit_code == 0  # a folder that does not exist yet is made
    res = pipe.run("board", "--svg", str(tmp_path / "taken"))
    assert res.exit_code == 2  # a folder is no FILE
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = pipe.run("funnel", "--svg", str(blocker / "x.svg"))
    assert res.exit_code == 1
    assert res.stderr.startswith(f"funnelctl: --svg {blocker / 'x.svg'}: cannot write")
    assert len(res.stderr.splitlines()) == 1
