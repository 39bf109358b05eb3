"""The typer application's root: the global options, and the command modules that
hang on it, loaded as a run needs them.

Commands are thin: parse options, call the store and a pure view, pick a
renderer, set the exit code. Heavy imports happen inside the commands, so that
``funnelctl --help`` stays fast.

The global options (--today, --dir, --lang, --no-cache, and --json for a write)
may stand before or after the command's name, as people type them
(``funnelctl review --today 2026-11-24``): ``hoisted`` moves them before it.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from funnelctl import __version__

# The global options that may follow the command's name. --json goes with a command
# that has its own (list --json: its view as JSON); a command that writes a deal
# and has none (act, tick, ...) takes the global one: what it changed, as JSON
HOISTED = ("--dir", "-C", "--today", "--lang", "--no-cache", "--json")
WRITES = "--commit"  # the option every command that writes has


def _options(cmd: Any) -> dict[str, bool]:
    """Every option name of a click command -> whether it takes a value."""
    out: dict[str, bool] = {}
    for param in getattr(cmd, "params", ()):
        if getattr(param, "param_type_name", None) != "option":
            continue
        takes = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
        for name in (*param.opts, *param.secondary_opts):
            out[name] = takes
    return out


def _split(arg: str) -> tuple[str, bool]:
    """An option word's name and whether its value is attached (``--today=x``,
    ``-Cdir``)."""
    if arg.startswith("--"):
        name, eq, _ = arg.partition("=")
        return name, bool(eq)
    return arg[:2], len(arg) > 2


def hoisted(root: Any, args: Sequence[str]) -> list[str]:
    """``args`` (the words after ``funnelctl``) with the global options written after
    the command's name moved before it, with their values. An option stays where it
    is when the command has one of the same name (its own --json), when it lacks
    its value (click says so), and after ``--``. A leading --json moves after the
    name of a command with its own --json or without a write (click refuses it
    there). What is no option, a value of the command's own options, and the order
    of everything else, are kept."""
    glob = _options(root)
    args = list(args)
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] not in ("-", "--"):
        name, attached = _split(args[i])
        i += 2 if glob.get(name) and not attached else 1
    lead, moved, kept = args[:i], [], []
    cmd, path_end, j = root, 0, i
    while j < len(args):
        arg = args[j]
        if arg == "--":
            kept += args[j:]
            break
        if arg.startswith("-") and arg != "-":
            name, attached = _split(arg)
            own = _options(cmd) if cmd is not root else {}
            takes = own.get(name, glob.get(name))
            width = 2 if takes and not attached and j + 1 < len(args) else 1
            global_here = (cmd is not root and name not in own and name in HOISTED
                           and name in glob and not (takes and width == 1 and not attached)
                           and (name != "--json" or WRITES in own))
            (moved if global_here else kept).extend(args[j:j + width])
            j += width
            continue
        kept.append(arg)
        j += 1
        subs = getattr(cmd, "commands", None)
        if subs is not None and arg in subs:  # a command's (or a group's command's) name
            cmd = subs[arg]
            path_end = len(kept)
    own = _options(cmd) if cmd is not root else {}
    if "--json" in lead and cmd is not root and ("--json" in own or WRITES not in own):
        lead.remove("--json")
        kept.insert(path_end, "--json")
    return lead + moved + kept


class GlobalOptionsAnywhere(TyperGroup):
    """The root command: its options may follow the command's name (``hoisted``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoisted(self, args))


app = typer.Typer(
    cls=GlobalOptionsAnywhere,
    name="funnelctl",
    help="A B2B sales pipeline tracker over plain YAML files in git.\n\n"
    "Stages follow the buyer, milestones gate each move, checkpoint ladders grade "
    "need, power, goal, value and collaboration; the funnel, stalls and targets are "
    "computed from the deal files.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"funnelctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    dir: Optional[str] = typer.Option(
        None, "--dir", "-C", envvar="FUNNELCTL_DIR",
        help="Pipeline root (default: nearest folder with stages.yaml at or above the "
        "current one)."),
    today: Optional[str] = typer.Option(
        None, "--today", envvar="FUNNELCTL_TODAY", help="Fix the clock: YYYY-MM-DD."),
    no_cache: bool = typer.Option(False, "--no-cache",
                                  help="Parse every deal file again, ignoring the cache."),
    lang: Optional[str] = typer.Option(
        None, "--lang", help="The language funnelctl speaks: en or zh (default: stages.yaml's "
        "lang:, then FUNNELCTL_LANG, then LC_ALL, LC_MESSAGES, LANG)."),
    json_out: bool = typer.Option(False, "--json", help="A command that writes a deal "
                                  "prints what it changed as JSON: {\"id\", \"path\", "
                                  "\"changed\"}."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    from funnelctl.cli.common import Settings, read_clock, set_language, use_settings

    set_language(ctx, lang, dir)
    ctx.obj = use_settings(Settings(dir=dir, today=read_clock(today), use_cache=not no_cache,
                                    json=json_out))
    ctx.call_on_close(lambda: use_settings(None))  # a run in a test leaves nothing behind


# Each command's module (funnelctl/cli/<module>.py registers it on ``app``). A run
# imports the one module its command needs: building typer's tree of every command
# took 70 ms a run, importing their modules 40 ms more (``--version`` went from 0.27
# to 0.12 s on the benchmark machine). ``funnelctl --help``, an unknown command and
# shell completion load them all. tests/test_cli_modules.py holds this table true.
MODULES = {
    "act": "writes", "tick": "writes", "score": "writes", "advance": "writes",
    "win": "writes", "lose": "writes", "snooze": "writes",
    "assign": "customers", "load": "customers", "account": "customers",
    "strategy": "customers", "contact": "customers",
    "new": "deals", "show": "deals", "list": "deals", "plan": "deals",
    "edit": "editor", "funnel": "funnel", "board": "funnel", "reassign": "handover",
    "history": "history", "audit": "history", "import": "io", "export": "io",
    "merge-driver": "merge", "git-setup": "merge", "report": "report", "review": "review",
    "day": "rhythm", "month": "rhythm", "losses": "rhythm", "check": "rhythm",
    "judge": "rhythm", "init": "setup", "validate": "setup", "schema": "setup",
    "stalls": "stalls", "target": "targets", "forecast": "targets",
}
_TAKES_VALUE = ("--dir", "-C", "--today", "--lang")  # the root's options with a value


def command_name(args: Sequence[str]) -> str | None:
    """The command a command line names: its first word that is no global option
    or an option's value (None for ``funnelctl --help``)."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return args[i + 1] if i + 1 < len(args) else None
        if arg == "-" or not arg.startswith("-"):
            return arg
        i += 2 if arg in _TAKES_VALUE else 1
    return None


def load_commands(args: Sequence[str] | None = None) -> None:
    """Register the commands this command line needs on ``app`` (all of them
    without ``args``, for help, completion or an unknown command)."""
    import importlib

    name = None if args is None or "_FUNNELCTL_COMPLETE" in os.environ \
        else command_name(args)
    if name is None and args and "--version" in args:
        return  # eager: it prints and exits before any command is needed
    for module in [MODULES[name]] if name in MODULES else sorted(set(MODULES.values())):
        importlib.import_module(f"funnelctl.cli.{module}")


def main() -> None:
    # A command is short-lived and builds many small objects (10,000 deal summaries)
    # that live until it exits: reference counting frees what dies, and the cyclic
    # collector would only rescan the live ones again and again (3x on a bulk load).
    gc.disable()
    if os.environ.get("NO_COLOR") == "":
        os.environ.pop("NO_COLOR")  # an empty NO_COLOR does not disable colour
    from funnelctl.cli import common

    load_commands(sys.argv[1:])
    common.KEEP_TO_EXIT = []
    try:
        from funnelctl.i18n import startup

        startup.run(app)  # `app()`, with --help already in the run's language
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    except Exception as exc:  # a bug in funnelctl: one line, and the details on demand
        if os.environ.get("FUNNELCTL_DEBUG"):
            raise
        from funnelctl.render.safe import safe

        sys.stderr.write(safe(f"funnelctl: internal error: {type(exc).__name__}: {exc}")
                         + " (a bug in funnelctl: please report it with the output of "
                         "FUNNELCTL_DEBUG=1)\n")
        code = 3
    # Freeing 100,000 summaries one by one takes a fifth of a second that nobody
    # waits for: flush what was written and leave the memory to the OS.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `funnelctl list | head`: the reader is gone, not an error
        pass
    os._exit(code)
