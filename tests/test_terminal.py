"""Hostile text never reaches the terminal (style item 12, "one text in, safe text
out"): a deal and a stages.yaml whose every text field carries escape sequences
(clear screen, colour, an OSC 8 hyperlink, an OSC 52 clipboard write), a C1 CSI,
bidi and zero-width characters, a newline, rich markup and HTML are shown by every
view, under a real pseudo-terminal, with all of it visible and none of it acted on."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from funnelctl.render.safe import md, safe, safe_text

from .conftest import STAGES, World

# -- safe() ---------------------------------------------------------------------


@pytest.mark.parametrize("raw,shown", [
    ("a\x1b[2Jb", "a\\x1b[2Jb"),  # C0: ESC
    ("\x00\x01\x07\x08\x0b\x0c\x1f", "\\x00\\x01\\x07\\x08\\x0b\\x0c\\x1f"),
    ("one\ntwo\tthree\rfour", "one\\ntwo\\tthree\\rfour"),  # a newline would forge a line
    ("del\x7f", "del\\x7f"),
    ("\x80 \x9b31m \x9f", "\\x80 \\x9b31m \\x9f"),  # C1: U+009B is a CSI
    ("abc\u202edcba", "abc<U+202E>dcba"),  # bidi: override, embedding, isolates, marks
    ("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
     "<U+202A><U+202B><U+202C><U+202D><U+2066><U+2067><U+2068><U+2069><U+200E>"
     "<U+200F><U+061C>"),
    ("pay\u200bpal \u200c\u200d\u2060\ufeff", "pay<U+200B>pal <U+200C><U+200D><U+2060><U+FEFF>"),
    ("soft\u00adhyphen \U000e0041", "soft<U+00AD>hyphen <U+E0041>"),  # other Cf: tags too
    ("line\u2028para\u2029", "line<U+2028>para<U+2029>"),
    ("lone \ud800 \udfff", "lone <U+D800> <U+DFFF>"),
])
def test_safe_shows_each_class_of_character_as_an_escape(raw: str, shown: str) -> None:
    assert safe(raw) == shown
    assert safe(shown) == shown  # what it returns is safe: a second pass changes nothing


@pytest.mark.parametrize("text", [
    "", "Acme Pumps", "li.wei", "Line 3 cooling, phase 2 (50%) [draft] <urgent> a|b",
    "华东重工", "冷链运输合同 安排技术交流", "東京　物流",  # U+3000, an ideographic space
    "Müller & Söhne\u00a0GmbH", "🚀 launch 👍🏽", "👩‍💻 and 👨‍👩‍👧 and 🏳️‍🌈",  # joiners in emoji
    "עברית العربية", "back\\slash \\x1b as typed",
])
def test_clean_text_cjk_and_emoji_pass_unchanged(text: str) -> None:
    assert safe(text) == text
    assert safe_text(text).plain == text


def test_a_zero_width_joiner_outside_an_emoji_is_shown() -> None:
    assert safe("pay\u200dpal") == "pay<U+200D>pal"
    assert safe("\u200d🚀") == "<U+200D>🚀"


def test_every_control_and_format_character_of_unicode_is_shown() -> None:
    """safe() lists the format characters (Cf) to stay fast: this holds the list to
    the running Python's Unicode database."""
    unsafe = [chr(c) for c in range(sys.maxunicode + 1)
              if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
    assert [f"U+{ord(ch):04X}" for ch in unsafe if safe(ch) == ch] == []
    # md() looks for what it may change in one scan: that scan misses none of them
    assert [f"U+{ord(ch):04X}" for ch in unsafe if md(ch) == ch] == []


@pytest.mark.parametrize("raw,shown", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("a|b", "a\\|b"),
    ("# not a heading", "\\# not a heading"),
    ("*bold* _em_ `code` ~strike~", "\\*bold\\* \\_em\\_ \\`code\\` \\~strike\\~"),
    ("[link](http://evil.example) ![img](x)", "\\[link\\](http://evil.example) !\\[img\\](x)"),
    ("a\\|b", "a\\\\\\|b"),  # the backslash cannot escape the escape
    ("no_decision 華東 a # b", "no_decision 華東 a # b"),  # nothing Markdown reads there
    ("x\x1b[2J\u202e", "x\\x1b\\[2J&lt;U+202E&gt;"),  # safe() first
])
def test_md_escapes_markdown_syntax_in_data(raw: str, shown: str) -> None:
    assert md(raw) == shown


# -- every view under a pseudo-terminal -------------------------------------------

PAYLOADS = [
    "\x1b[2J",  # clear the screen
    "RED\x1b[31mZONE",  # a colour
    "\x1b]8;;http://evil.example\x07MK2\x1b]8;;\x07",  # OSC 8: a hyperlink
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: a write to the clipboard
    "\x9b31m",  # C1 CSI
    "\u202eRLO",  # right-to-left override
    "ZW\u200bSP",  # zero-width space
    "x\nFORGED-LINE",  # a newline: the rest would be a line of its own
    "[link=http://evil.example]MK2[/link]",  # rich markup
    "[bold]x[/bold]",
    "<script>alert(1)</script>",
    "a|b",
]
# How each payload must show: every character visible
SHOWN = [
    "\\x1b[2J",
    "RED\\x1b[31mZONE",
    "\\x1b]8;;http://evil.example\\x07MK2\\x1b]8;;\\x07",
    "\\x1b]52;c;ZXZpbA==\\x07",
    "\\x9b31m",
    "<U+202E>RLO",
    "ZW<U+200B>SP",
    "x\\nFORGED-LINE",
    "[link=http://evil.example]MK2[/link]",
    "[bold]x[/bold]",
    "<script>alert(1)</script>",
    "a|b",
]


def hostile(tag: str) -> str:
    """A field's text: its tag, then every payload, a blank apart."""
    return " ".join([tag, *PAYLOADS])


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every control written as its escape."""
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\x1b":
            out.append("\\e")
        elif ch == "\n":
            out.append("\\n")
        elif not ch.isprintable():
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


OWNER = hostile("OWNER")
TODAY = "2026-11-24"


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pipeline whose stages.yaml (a stage, a milestone, a ladder and a level label)
    and deals (an open one, a snoozed one, a lost one) carry every payload in every
    text field; one plain deal beside them."""
    w = World(tmp_path_factory.mktemp("hostile"))
    stages = (STAGES.replace("label: Nurture", f"label: {quoted(hostile('STAGE'))}")
              .replace("label: Budget approved", f"label: {quoted(hostile('MILESTONE'))}")
              .replace("label: Power", f"label: {quoted(hostile('LADDER'))}")
              .replace("told, ", f"{quoted(hostile('LEVEL'))}, "))
    stages += f"targets:\n  - {{owner: {quoted(OWNER)}, period: 2026-11, deals: 2}}\n"
    w.write("stages.yaml", stages)
    common = (f"title: {quoted(hostile('TITLE'))}\naccount: {quoted(hostile('ACCOUNT'))}\n"
              f"owner: {quoted(OWNER)}\namount: 50000\ncreated: 2026-09-01\n"
              f"close: 2026-11-30\n")
    ev = quoted(hostile("EVIDENCE"))
    w.write("deals/evil.yaml", f"""\
id: evil
{common}stage: nurture
status: open
contacts:
  - name: {quoted(hostile("CONTACT"))}
    role: {quoted(hostile("ROLE"))}
    veto: true
history:
  - stage: lead
    date: 2026-09-01
  - stage: nurture
    date: 2026-10-01
    reason: {quoted(hostile("FORCED"))}
    waived: [need>=2]
milestones:
  need_identified: {{date: 2026-09-20, evidence: {ev}}}
  budget_approved: {{date: 2026-10-20, evidence: {ev}}}
levels:
  need: {{level: 1, date: 2026-09-10}}
  power: {{level: 1, date: 2026-09-10, evidence: {ev}}}
actions:
  - date: 2026-10-02
    kind: visit
    goal: {quoted(hostile("GOAL"))}
    result: {quoted(hostile("RESULT"))}
next:
  date: 2026-11-20
  step: {quoted(hostile("NEXT"))}
competitors: [{quoted(hostile("COMPETITORS"))}]
notes: {quoted(hostile("NOTES"))}
""")
    w.write("deals/evil-snoozed.yaml", f"""\
id: evil-snoozed
{common}stage: lead
status: open
history:
  - stage: lead
    date: 2026-09-01
snooze:
  until: 2026-12-20
  reason: {quoted(hostile("SNOOZE"))}
""")
    w.write("deals/evil-lost.yaml", f"""\
id: evil-lost
{common}stage: lead
status: lost
history:
  - stage: lead
    date: 2026-09-01
outcome:
  date: 2026-11-22
  reason: competitor
  competitor: {quoted(hostile("COMPETITOR"))}
  note: {quoted(hostile("NOTE"))}
""")
    w.deal("plain", owner="ann", history=[("lead", "2026-11-20")])
    return w.root


def on_a_terminal(root: Path, *args: str, timeout: float = 60) -> str:
    """What ``funnelctl ARGS`` writes to a real pseudo-terminal (stdout and stderr),
    120 columns wide, as a terminal emulator would receive it."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "FUNNELCTL_DIR", "TTY_COMPATIBLE")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="50", FUNNELCTL_TODAY=TODAY)
    proc = subprocess.Popen([sys.executable, "-m", "funnelctl", "--dir", str(root), *args],
                            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=root,
                            start_new_session=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child has closed its end of the terminal
                break
            if not data:
                break
            chunks.append(data)
        else:
            proc.kill()
            pytest.fail(f"funnelctl {' '.join(args)} did not finish in {timeout} s")
        assert proc.wait(timeout=timeout) in (0, 1), b"".join(chunks)[-2000:]
    finally:
        os.close(master)
    # strict: what reaches the terminal is valid UTF-8 (a lone surrogate would not be)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


SGR = re.compile(r"\x1b\[[0-9;]*m")  # the styles rich writes itself


def assert_nothing_raw(out: str) -> None:
    """No payload arrives as what it is: no escape sequence but rich's own styles, no
    C1 control, no bidi or zero-width character, no forged line."""
    for raw in ("\x1b[2J", "\x1b]", "RED\x1b[", "\x07", "\x9b", "\u202e", "\u200b",
                "http://evil.example\x1b", "\x1b]8;;http://evil.example"):
        assert raw not in out, f"{raw!r} reached the terminal"
    stray = re.search(r"\x1b(?!\[[0-9;]*m)", out)
    assert stray is None, f"an escape sequence that is not a style: {out[stray.start():][:20]!r}"
    visible = SGR.sub("", out)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]",
                         visible)
    for line in visible.split("\n"):
        assert not line.lstrip(" │").startswith("FORGED-LINE"), line
    for m in re.finditer("FORGED-LINE", visible):  # always shown after its \n
        assert visible[m.start() - 2:m.start()] == "\\n", visible[m.start() - 40:m.end()]


# view: the payloads' visible forms it must show in full (the others may be cut at
# a column's width, which does not matter: they are checked for what is not there)
ALL = SHOWN
VIEWS = {
    ("list",): ["TITLE \\x1b[2J", "ACCOUNT \\x1b[2J"],
    ("show", "evil"): ALL,
    ("stalls",): ["\\x1b[2J"],
    ("stalls", "--all"): ALL,  # the snoozed deal's reason, in full
    ("review",): ALL,
    ("plan",): ["NEXT \\x1b[2J", "[bold]x[/bold]", "<U+202E>RLO"],
    ("board",): ["STAGE \\x1b[2J"],
    ("funnel",): ["STAGE \\x1b[2J"],
    ("funnel", "--by", "owner"): ALL,  # the owner's name as a title
    ("target", "5"): ALL,  # the stage's label
    ("target",): ALL,  # the committed target of the owner
    ("forecast",): ["OWNER \\x1b[2J"],
    ("validate",): [],
}


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pseudo-terminal")
@pytest.mark.parametrize("view", list(VIEWS), ids=" ".join)
def test_every_view_shows_hostile_text_visibly_and_inert(hostile_root: Path,
                                                         view: tuple[str, ...]) -> None:
    out = on_a_terminal(hostile_root, *view)
    assert_nothing_raw(out)
    visible = SGR.sub("", out)
    for shown in VIEWS[view]:
        assert shown in visible, f"{view}: {shown!r} is not shown"
    if view != ("validate",):
        assert "\x1b[" in out  # a terminal: rich wrote its styles, and only those


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pseudo-terminal")
def test_the_markdown_review_escapes_its_own_syntax(hostile_root: Path) -> None:
    out = on_a_terminal(hostile_root, "review", "--format", "md")
    assert_nothing_raw(out)
    assert "<script>" not in out and "</script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "a|b" not in out and "a\\|b" in out
    assert not re.search(r"(?<!\\)\[link=", out)
    assert "\\[link=http://evil.example\\]MK2\\[/link\\]" in out
    assert "&lt;U+202E&gt;RLO" in out and "\\x1b\\[2J" in out
    # a row of the funnel's table keeps its six columns: the stage's | is escaped
    rows = [line for line in out.split("\n") if line.startswith("| STAGE ")]
    assert rows and all(len(re.findall(r"(?<!\\)\|", row)) == 7 for row in rows)
    assert "\n## OWNER " in out and "(waived: need&gt;=2)" in out


def test_plan_and_show_never_read_data_as_markup(hostile_root: Path) -> None:
    """The rich tables of plan and show get Text cells: on a pipe too, the markup in a
    field is shown as it is, never applied (a link, bold) nor dropped."""
    from typer.testing import CliRunner

    from funnelctl.cli.app import app

    for view in (["plan"], ["show", "evil"]):
        res = CliRunner().invoke(app, ["--dir", str(hostile_root), "--today", TODAY, *view],
                                 env={"NO_COLOR": "1", "COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        assert "[link=http://evil.example]MK2[/link]" in res.stdout, view
        assert "[bold]x[/bold]" in res.stdout, view
        assert_nothing_raw(res.stdout)


def test_error_messages_and_problems_show_file_text_safely(world) -> None:
    """A refusal names a milestone label from stages.yaml, and validate prints
    problems holding values from deal files: both go through safe()."""
    stages = world.root / "stages.yaml"
    stages.write_text(stages.read_text().replace("label: Need identified",
                                                 'label: "Need \\e]52;c;ZXZpbA==\\a"'))
    world.deal("a", extra="levels:\n  need: {level: 2, date: 2026-11-01}\n")
    res = world.run("advance", "a")
    assert res.exit_code == 1
    assert "\x1b]52" not in res.stderr and "\\x1b]52" in res.stderr
    world.write("deals/b.yaml", 'id: b\nstage: "x\\e[2J"\n')
    res = world.run("validate")
    assert "\x1b[2J" not in res.stdout


def test_new_refuses_text_that_is_not_utf8(world) -> None:
    res = world.run("new", "--account", "A", "--title", "T\udcff", "--owner", "ann",
                    "--amount", "5")
    assert res.exit_code == 2 and "not UTF-8" in res.stderr
    assert not list((world.root / "deals").rglob("*.yaml"))
