"""Babel's extractor for funnelctl's sources: what ``_``, ``ngettext``, ``nformat``,
``pgettext`` and ``N_`` are called with (Babel's own Python extractor), and the
help texts typer shows, which stay plain strings in the code: the ``help=`` of
``typer.Option``, ``typer.Argument``, ``typer.Typer`` and ``app.command``, and the
docstrings of the functions ``@app.command`` and ``@app.callback`` decorate
(cleaned as ``inspect.getdoc`` cleans them: the msgid is the text typer shows).

Named in babel.cfg as ``funnelctl.i18n.extract.extract_funnelctl``; needs Babel,
which only extraction and the tests use.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from typing import IO, Any

# calls whose help= is a help text typer shows
HELP_CALLS = {"Option", "Argument", "Typer", "command", "callback", "add_typer"}
# decorators whose function's docstring is a command's help
COMMAND_DECORATORS = {"command", "callback"}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def help_texts(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every help text of a module's source."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in HELP_CALLS:
            for kw in node.keywords:
                if kw.arg in ("help", "short_help", "epilog") and \
                        isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    yield kw.value.lineno, kw.value.value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                call = deco.func if isinstance(deco, ast.Call) else deco
                if _name(call) in COMMAND_DECORATORS:
                    doc = ast.get_docstring(node, clean=True)
                    if doc:
                        yield node.body[0].lineno, doc
                    break


def extract_funnelctl(fileobj: IO[bytes], keywords: Collection[str],
                      comment_tags: Collection[str], options: dict[str, Any]
                      ) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    """A Babel extraction method (see babel.messages.extract.extract)."""
    from babel.messages.extract import extract_python

    source = fileobj.read()
    fileobj.seek(0)
    words = set(keywords) | {"nformat"}
    for lineno, funcname, messages, comments in extract_python(fileobj, words, comment_tags,
                                                                options):
        # nformat takes ngettext's two forms: named so, the default keywords suffice
        yield lineno, "ngettext" if funcname == "nformat" else funcname, messages, comments
    text = source.decode(options.get("encoding", "utf-8"))
    for lineno, help_text in help_texts(text):
        yield lineno, None, help_text, []
