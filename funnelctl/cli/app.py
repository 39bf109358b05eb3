"""The typer application with every command registered: what tests and library
users invoke (``CliRunner().invoke(app, ...)``). The ``funnelctl`` program itself
starts in ``root.main``, which loads only the command it runs."""

from funnelctl.cli.root import GlobalOptionsAnywhere, app, hoisted, load_commands, main

load_commands()

__all__ = ["GlobalOptionsAnywhere", "app", "hoisted", "main"]
