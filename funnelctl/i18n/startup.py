"""The language of a run, settled before the command tree is built, and the
command tree's help texts in it.

``funnelctl --help`` and ``funnelctl review --help`` are printed while the command
line is parsed, before any command runs: so ``main`` looks at the arguments, the
environment and stages.yaml's ``lang:`` line first (``early_language``), and the
help texts (plain English strings in the code: typer's ``help=`` and the commands'
docstrings) are looked up in the catalog once the tree is built
(``translate_help``). A wrong ``--lang`` value is not judged here: the global
option's callback refuses it with the choices (exit 2).

Click's own words (``Usage:``, ``Options``, ``Error: No such option``, ``Invalid
value for '--status': 'bogus' is not one of ...``) are English strings in typer's
copy of click, which passes no message through gettext. In another language the
command tree gets a help formatter that writes its headings, usage line and
option notes through the catalog (``Formatter``), and ``run`` shows click's errors
itself (``show_error``), reading click's message back into its template
(``CLICK_MESSAGES``: the msgids, with their values in braces) to write the
template's translation with the same values (``click_message``).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from funnelctl import i18n
from funnelctl.i18n import N_

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
    runs. In another language than English click's errors are shown in it
    (``show_error``); the exit codes are click's (2 for bad usage)."""
    setup()
    if i18n.current() == i18n.DEFAULT:
        return app()
    import typer.main
    from typer import _click
    from typer.exceptions import Abort, Exit

    command = typer.main.get_command(app)
    translate_help(command)
    try:
        code = command.main(standalone_mode=False)
    except _click.exceptions.ClickException as exc:
        show_error(exc)
        code = exc.exit_code
    except Exit as exc:  # shell completion answered, or a command asked to stop
        code = exc.exit_code
    except Abort:
        sys.stderr.write(i18n._("Aborted!") + "\n")
        code = 1
    sys.exit(code if isinstance(code, int) else 0)


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
        out.append("\b\n" + "\n".join(cell_lines(_flow(para), width)))
    return "\n\n".join(out)


def cell_lines(text: str, width: int) -> list[str]:
    """One line of text cut into lines of at most ``width`` screen cells: between
    two Chinese characters or at a blank, never inside a Latin word, and no line
    begins with a comma or a full stop."""
    lines = []
    line = ""
    for token in re.findall(r"[A-Za-z0-9_./:=@%'\"<>|&${}\[\]()*+-]+|\s+|.", text):
        if line and _cells(line + token) > width and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    lines.append(line.rstrip())
    return lines


def translate_help(command: Any) -> None:
    """Every help text of a click command tree (the commands' own, their options'
    and arguments') looked up in the active catalog, in place, and click's own
    words of each command (its usage line, headings and errors: ``Formatter``) in
    the active language. Idempotent: a text already translated is no msgid and
    stays as it is. In English nothing changes."""
    if i18n.current() == i18n.DEFAULT:
        return
    seen: set[int] = set()

    def walk(cmd: Any) -> None:
        if id(cmd) in seen:
            return
        seen.add(id(cmd))
        cmd.context_class = translated_context(cmd.context_class)
        if getattr(cmd, "options_metavar", None) == "[OPTIONS]":
            cmd.options_metavar = i18n._("[OPTIONS]")
        if getattr(cmd, "subcommand_metavar", None) == "COMMAND [ARGS]...":
            cmd.subcommand_metavar = i18n._("COMMAND [ARGS]...")
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


# -- click's own words --------------------------------------------------------------

# What typer's click says, as templates of its messages: the literal text with each
# value in braces (a value click quotes is quoted in the text it matched). The
# longer of two templates that could both match comes first. A value named
# ``message`` is itself one of click's messages, translated in turn.
CLICK_MESSAGES = [
    N_("No such option: {name} (Possible options: {options})"),
    N_("No such option: {name}"),
    N_("No such command {name}. Did you mean {suggestions}?"),
    N_("No such command {name}."),
    N_("Missing command."),
    N_("Invalid value for {hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("{value} is not one of {choices}."),
    N_("Missing argument {hint}. {message}"),
    N_("Missing option {hint}. {message}"),
    N_("Missing argument {hint}."),
    N_("Missing option {hint}."),
    N_("Missing parameter {hint}."),
    N_("Choose from:\n\t{choices}"),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {n} arguments."),
    N_("Option {name} does not take a value."),
    N_("{value} is not a valid integer."),
    N_("{value} is not a valid float."),
    N_("{value} is not a valid integer range."),
    N_("{value} is not a valid float range."),
    N_("{value} is not a valid boolean. Recognized values: {values}"),
    N_("{value} is not in the range {range}."),
    N_("File {path} does not exist."),
    N_("File {path} is a directory."),
    N_("File {path} is not readable."),
    N_("File {path} is not writable."),
    N_("Directory {path} does not exist."),
    N_("Directory {path} is a file."),
    N_("Directory {path} is not writable."),
    N_("Path {path} does not exist."),
    # the notes after an option's help: [env var: X; default: Y; required]
    N_("env var: {var}"),
    N_("default: {default}"),
]
# click's notes of one word, and the message each is shown as ("required" alone is a
# table's heading elsewhere: "what is needed")
CLICK_NOTES = {"required": N_("required: the option must be given")}
# Help texts typer gives the options it adds, and click's headings
CLICK_HELP = [
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
]
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _template(msgid: str) -> re.Pattern[str]:
    """A template as a pattern that matches click's message and captures its values."""
    parts = _PLACEHOLDER.split(msgid)  # literal, name, literal, name, ..., literal
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)"
                      for i, part in enumerate(parts))
    return re.compile(pattern + r"\Z", re.S)


def click_message(text: str) -> str:
    """One of click's messages in the active language: read back into its template
    and written as the template's translation with the same values; a message no
    template matches stays as click wrote it."""
    if i18n.current() == i18n.DEFAULT:
        return text
    for msgid in CLICK_MESSAGES:
        m = _template(msgid).match(text)
        if m is None:
            continue
        values = m.groupdict()
        if "message" in values:
            values["message"] = click_message(values["message"])
        return i18n._(msgid).format(**values)
    return text


def show_error(exc: Any) -> None:
    """A click error on stderr as click shows it (the usage line, where to find
    help, the message) in the active language; a group named without its command
    shows its help (in the language: its formatter's)."""
    from typer._click.exceptions import NoArgsIsHelpError

    if isinstance(exc, NoArgsIsHelpError):
        exc.show()
        return
    ctx = getattr(exc, "ctx", None)
    out = []
    if ctx is not None:
        out.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            out.append(i18n._("Try '{command} {option}' for help.").format(
                command=ctx.command_path, option=ctx.help_option_names[0]))
        out.append("")
    out.append(i18n._("Error: {message}").format(message=click_message(exc.format_message())))
    sys.stderr.write("\n".join(out) + "\n")


def _help_cell(text: str) -> str:
    """An option's help as click lists it, in the active language: typer's and
    click's own help texts through the catalog, and the notes in brackets at the
    end (env var, default, required) in their template's translation."""
    m = re.fullmatch(r"(.*?)(\s*)\[([^\[\]]*)\]", text, re.S)
    if m is None:
        return i18n._(text) if text in CLICK_HELP else text
    body, gap, notes = m.groups()
    body = i18n._(body) if body in CLICK_HELP else body
    notes = i18n._("; ").join(i18n._(CLICK_NOTES[note]) if note in CLICK_NOTES
                              else click_message(note) for note in notes.split("; "))
    return f"{body}{gap}[{notes}]"


@cache
def _formatter_class() -> type:
    from typer._click.formatting import HelpFormatter, measure_table, term_len

    class Formatter(HelpFormatter):
        """Click's help layout with its words in the active language, and Chinese
        lines of a definition list wrapped by screen cells."""

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, i18n._("Usage: ") if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            name = i18n._(heading) if heading in CLICK_HELP else heading
            line = i18n._("{heading}:").format(heading=name)
            self.write(f"{'':>{self.current_indent}}{line}\n")

        def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                     col_spacing: int = 2) -> None:
            rows = [(first, _help_cell(second)) for first, second in rows]
            if not any(_WIDE.search(second) for _first, second in rows):
                super().write_dl(rows, col_max, col_spacing)
                return
            first_col = min(measure_table(rows)[0], col_max) + col_spacing
            indent = " " * (first_col + self.current_indent)
            for first, second in rows:
                self.write(f"{'':>{self.current_indent}}{first}")
                if not second:
                    self.write("\n")
                    continue
                if term_len(first) <= first_col - col_spacing:
                    self.write(" " * (first_col - term_len(first)))
                else:
                    self.write("\n" + indent)
                lines = cell_lines(" ".join(second.split()),
                                   max(self.width - first_col - 2, 10))
                self.write(f"{lines[0]}\n")
                for line in lines[1:]:
                    self.write(f"{indent}{line}\n")

    return Formatter


@cache
def translated_context(base: type) -> type:
    """A click context class whose help formatter speaks the active language."""
    if getattr(base, "speaks_the_language", False):
        return base
    return type(base.__name__, (base,), {"formatter_class": _formatter_class(),
                                         "speaks_the_language": True})
