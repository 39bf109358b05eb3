"""The typer application: global options and the command modules that hang on it.

Commands are thin: parse options, call the store and a pure view, pick a
renderer, set the exit code. Heavy imports happen inside the commands, so that
``funnelctl --help`` stays fast.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Optional

import typer

from funnelctl import __version__

app = typer.Typer(
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
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    from funnelctl.cli.common import Settings, read_clock, set_language

    set_language(ctx, lang, dir)
    ctx.obj = Settings(dir=dir, today=read_clock(today), use_cache=not no_cache)


# each module registers its commands on the app
from funnelctl.cli import (  # noqa: E402,F401
    customers,
    deals,
    editor,
    funnel,
    handover,
    history,
    io,
    merge,
    report,
    review,
    rhythm,
    setup,
    stalls,
    targets,
    writes,
)


def main() -> None:
    # A command is short-lived and builds many small objects (10,000 deal summaries)
    # that live until it exits: reference counting frees what dies, and the cyclic
    # collector would only rescan the live ones again and again (3x on a bulk load).
    gc.disable()
    if os.environ.get("NO_COLOR") == "":
        os.environ.pop("NO_COLOR")  # an empty NO_COLOR does not disable colour
    from funnelctl.cli import common

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
