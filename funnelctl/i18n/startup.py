"""The language of a run, settled before the command tree is built, and the
command tree's help texts in it.

``funnelctl --help`` and ``funnelctl review --help`` are printed while the command
line is parsed, before any command runs: so ``main`` looks at the arguments, the
environment and stages.yaml's ``lang:`` line first (``early_language``), and the
help texts (plain English strings in the code: typer's ``help=`` and the commands'
docstrings) are looked up in the catalog once the tree is built
(``translate_help``). A wrong ``--lang`` value is not judged here: the global
option's callback refuses it with the choices (exit 2).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from funnelctl import i18n

_LANG_LINE = re.compile(r"^lang:[ \t]*['\"]?([^\s'\"#]+)", re.MULTILINE)
STAGES_FILE = "stages.yaml"
_READ_AT_MOST = 1 << 20  # stages.yaml is a few KB; a huge one is refused later anyway


def option_value(argv: Sequence[str], *names: str) -> str | None:
    """The value of an option anywhere on the command line (``--lang zh``,
    ``--lang=zh``), the last one winning as click does; None when absent. Stops
    at ``--``."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        for name in names:
            if arg == name and i + 1 < len(argv):
                found = argv[i + 1]
            elif name.startswith("--") and arg.startswith(name + "="):
                found = arg[len(name) + 1:]
    return found


def config_language(text: str) -> str | None:
    """The ``lang:`` of a stages.yaml text, read without parsing YAML (a top-level
    key on a line of its own)."""
    m = _LANG_LINE.search(text)
    return m.group(1) if m else None


def stages_text(start: Path, explicit: str | None) -> str | None:
    """stages.yaml of the pipeline the command will use (--dir, else the nearest
    one at or above ``start``), or None."""
    folders = [Path(explicit).expanduser()] if explicit else [start, *start.parents]
    for folder in folders:
        path = folder / STAGES_FILE
        try:
            with open(path, "rb") as f:
                return f.read(_READ_AT_MOST).decode("utf-8", "replace")
        except OSError:
            if explicit:
                return None
    return None


def early_language(argv: Sequence[str], environ: Mapping[str, str],
                   cwd: Path | None = None) -> str:
    """The language of this run as far as it can be known before parsing: what
    ``i18n.choose`` gives for --lang, stages.yaml's ``lang:`` and the environment,
    skipping a value it would refuse (the callback says so later)."""
    option = option_value(argv, "--lang")
    explicit_dir = option_value(argv, "--dir", "-C") or environ.get("FUNNELCTL_DIR")
    text = None
    try:
        text = stages_text((cwd or Path.cwd()).resolve(), explicit_dir)
    except OSError:
        pass
    config = config_language(text) if text else None
    env = dict(environ)
    if i18n.normalize(env.get("FUNNELCTL_LANG")) is None:
        env.pop("FUNNELCTL_LANG", None)
    return i18n.choose(option if i18n.normalize(option) else None,
                       config if i18n.normalize(config) else None, env)


def command_language(option: str | None, explicit_dir: str | None,
                     environ: Mapping[str, str], cwd: Path) -> str:
    """The language of this run, as the global options' callback settles it:
    ``i18n.choose`` over --lang, stages.yaml's ``lang:`` and the environment. A
    --lang or FUNNELCTL_LANG that names no language funnelctl speaks is a
    ValueError; a wrong ``lang:`` is left to stages.yaml's own checks, which name
    its line."""
    text = None
    try:
        text = stages_text(cwd.resolve(), explicit_dir or environ.get("FUNNELCTL_DIR"))
    except OSError:
        pass
    config = config_language(text) if text else None
    return i18n.choose(option, config if i18n.normalize(config) else None, environ)


def run(app: Any) -> Any:
    """``app()`` for this process's command line, with the language set early
    (``setup``) and the command tree's help texts in it before the command line
    is parsed: ``funnelctl --help`` is printed while parsing, before any callback
    runs."""
    setup()
    if i18n.current() == i18n.DEFAULT:
        return app()
    import typer.main

    command = typer.main.get_command(app)
    translate_help(command)
    return command()


def setup(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
          ) -> str:
    """Activate the early language of this process's command line; returns it."""
    import sys

    lang = early_language(sys.argv[1:] if argv is None else argv,
                          os.environ if environ is None else environ)
    i18n.activate(lang)
    return lang


def _first_sentence(text: str) -> str:
    """A command's one-line summary for the command list: the first sentence of its
    help (click would cut a Chinese text, which has no spaces, mid-word)."""
    line = text.strip().split("\n\n")[0].replace("\n", " ")
    for stop in ("。", ". "):
        line = line.split(stop)[0]
    return line.rstrip(".。")


_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
HELP_WIDTH = 78  # screen cells of a help paragraph, as click's own 80 columns less the indent


def _cells(text: str) -> int:
    return sum(2 if _WIDE.match(ch) else 1 for ch in text)


_NO_LINE_START = "，。、；：？！）」』》”’,.;:?!)"  # kept at the end of the line before


def _flow(para: str) -> str:
    """A paragraph's lines as one line, as click would join them: a space between two
    Latin words, nothing between two Chinese characters."""
    lines = para.split("\n")
    out = lines[0]
    for line in lines[1:]:
        wide = (out and _WIDE.match(out[-1])) or (line and _WIDE.match(line[0]))
        out += line if wide else " " + line
    return out


def wrap_wide(text: str, width: int = HELP_WIDTH) -> str:
    """A help text whose paragraphs hold Chinese, wrapped by screen cells and marked
    for click to keep as they are (``\\b``): click wraps at spaces, which Chinese does
    not write, and counts a character as one column where a terminal gives two.
    Latin words are not split, and no line begins with a comma or a full stop; a
    paragraph without Chinese is left to click."""
    out = []
    for para in text.split("\n\n"):
        if not _WIDE.search(para):
            out.append(para)
            continue
        lines = []
        line = ""
        for token in re.findall(r"[A-Za-z0-9_./:=@%'\"<>|&${}\[\]()*+-]+|\s+|.", _flow(para)):
            if line and _cells(line + token) > width and token not in _NO_LINE_START:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
        out.append("\b\n" + "\n".join(lines))
    return "\n\n".join(out)


def translate_help(command: Any) -> None:
    """Every help text of a click command tree (the commands' own, their options'
    and arguments') looked up in the active catalog, in place. Idempotent: a text
    already translated is no msgid and stays as it is. In English nothing
    changes."""
    if i18n.current() == i18n.DEFAULT:
        return
    seen: set[int] = set()

    def walk(cmd: Any) -> None:
        if id(cmd) in seen:
            return
        seen.add(id(cmd))
        text = getattr(cmd, "help", None)
        if text:
            translated = i18n._(text)
            if translated != text:
                cmd.help = wrap_wide(translated)
                short = getattr(cmd, "short_help", None)
                cmd.short_help = i18n._(short) if short else _first_sentence(translated)
        for param in getattr(cmd, "params", ()):
            if getattr(param, "help", None):
                param.help = i18n._(param.help)
        for sub in (getattr(cmd, "commands", None) or {}).values():
            walk(sub)

    walk(command)
