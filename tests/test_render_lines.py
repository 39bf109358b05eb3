"""The views' tables laid out as lines, and the writer that prints them."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from funnelctl.render.lines import Col, emit, rule, table, wrapped


def plain(lines: list) -> list[str]:
    return [line if isinstance(line, str) else line.plain for line in lines]


def test_columns_are_as_wide_as_their_widest_cell_two_blanks_apart() -> None:
    lines = table([Col("stage"), Col("deals", "right"), Col("bar", "center")],
                  [["lead", "12", "██"], ["negotiation", "3", "████"]], 80)
    assert plain(lines) == [
        "stage        deals  bar",
        "lead            12   ██",  # centred in 4 cells: one blank left, none kept right
        "negotiation      3  ████",
    ]


def test_wide_characters_take_two_cells_and_long_cells_end_in_an_ellipsis() -> None:
    lines = table([Col("account", max_width=6), Col("owner")],
                  [["华东重工", "li"], ["Acme Pumps", "zhang"]], 80)
    # 华东重工 is 8 cells: 5 cells are left for text, which hold two characters and
    # a blank (a half character cannot be shown), then "…"
    assert plain(lines) == ["accou…  owner", "华东 …  li", "Acme …  zhang"]


def test_styles_stay_on_their_cells() -> None:
    line = table([Col("a"), Col("b")], [[Text("x", style="red"), Text("yy", style="bold")]],
                 80)[1]
    assert line.plain == "x  yy"
    assert [(s.start, s.end, str(s.style)) for s in line.spans] == [(0, 1, "red"),
                                                                     (3, 5, "bold")]


def test_an_unstyled_row_is_a_plain_string_cleaned_as_rich_cleans_text() -> None:
    row = table([Col("a"), Col("b")], [["x\r\b", "y"]], 80)[1]
    assert row == "x  y"


def test_a_folding_last_column_continues_under_itself() -> None:
    lines = table([Col("id"), Col("why", fold=True)], [["d1", "alpha beta gamma delta"]], 16)
    # "why" gets 16 - 2 - 2 = 12 cells, but never fewer than 10
    assert plain(lines) == ["id  why", "d1  alpha beta", "    gamma delta"]


def test_prose_folds_at_word_boundaries_with_a_hanging_indent() -> None:
    text = Text("  bulge: Solution evaluation holds 12 deals; the benchmark lets 3.6 through")
    assert plain(wrapped(text, 40)) == ["  bulge: Solution evaluation holds 12",
                                        "    deals; the benchmark lets 3.6",
                                        "    through"]
    assert plain(wrapped(Text("short"), 40)) == ["short"]
    cjk = wrapped(Text("  要点: 方案评估阶段积压了十二个项目 the benchmark lets through"), 30)
    assert all(line.cell_len <= 30 for line in cjk)
    assert "".join(line.plain.strip() for line in cjk).replace(" ", "") == \
        "要点:方案评估阶段积压了十二个项目thebenchmarkletsthrough"


@pytest.mark.parametrize("title,width", [("li.wei", 100), ("anna.berg", 41), ("张敏", 60)])
def test_a_rule_is_drawn_as_rich_draws_it(title: str, width: int) -> None:
    con = Console(file=io.StringIO(), width=width, color_system=None)
    con.print(Rule(Text(f" {title} ", style="bold")))
    assert rule(title, width).plain + "\n" == con.file.getvalue()


def lines_for_test() -> list[Text]:
    head = Text("stage  ")
    head.append("████", style="cyan")
    head.append("░░", style="dim")
    return [head, Text("tab\there", style="red"), Text("x" * 150), Text("方案评估 ok")]


def test_without_styles_the_plain_text_is_what_rich_prints() -> None:
    lines = lines_for_test()
    ours = Console(file=io.StringIO(), width=100, color_system=None)
    emit(ours, lines)
    theirs = Console(file=io.StringIO(), width=100, color_system=None)
    theirs.print(Text("\n").join(lines), soft_wrap=True)
    assert ours.file.getvalue() == theirs.file.getvalue()


def test_on_a_terminal_rich_writes_the_styles() -> None:
    con = Console(file=io.StringIO(), width=100, force_terminal=True,
                  color_system="standard")
    emit(con, lines_for_test())
    out = con.file.getvalue()
    assert "\x1b[36m████" in out and "x" * 150 in out
