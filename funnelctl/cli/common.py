"""What every command shares: the global options, the one reading of the clock,
clean error exits, JSON output (a write's too: what it changed), the consoles
(NO_COLOR, output that is no terminal) and the skipped-files notice."""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from funnelctl.cli.completion import complete_owner, complete_team
from funnelctl.i18n import _, nformat

if TYPE_CHECKING:
    from funnelctl.pipeline import Pipeline
    from funnelctl.problems import Problem
    from funnelctl.store import Loaded
    from funnelctl.summary import Summary


# What a command read or computed in bulk, held here until the process ends so
# that it is not freed piece by piece on the way out (main() exits without freeing);
# None when funnelctl runs inside another program, such as the tests.
KEEP_TO_EXIT: list | None = None


def keep_to_exit(obj: Any) -> Any:
    if KEEP_TO_EXIT is not None:
        KEEP_TO_EXIT.append(obj)
    return obj


@dataclass
class Settings:
    dir: str | None
    today: dt.date
    use_cache: bool
    # whether this command's write is committed (set by ``edit``/``wants_commit``)
    commit: bool = False
    # --json given to a write command: its text is not said (``say``), and what it
    # changed is printed as one JSON line per deal written (``report_change``)
    json: bool = False
    written: list[dict] = field(default_factory=list)


# The settings of the command running now (what ``say`` asks whether it speaks)
_CURRENT: Settings | None = None


def use_settings(s: Settings | None) -> Settings | None:
    """Make ``s`` the settings of the command running now (None: no command runs)."""
    global _CURRENT
    _CURRENT = s
    return s


# Dates a command computes from (a week back, a quarter ahead) stay inside what a
# date can hold: 0001-01-01 minus a week or 9999-12-31 plus one would be an error
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
# The day this command runs on, once the clock is read (``read_clock``): relative
# dates (+7, fri, 明天) count from it
_TODAY: dt.date | None = None


def parse_date(value: str, what: str, today: dt.date | None = None) -> dt.date:
    """A date option's value: an ISO date or a form people type (``funnelctl.dates``:
    today, +7, fri, 12-01, 明天, 下周一, 12月1日), counted from ``today`` (default:
    the command's); a bad one is a usage error: exit 2."""
    from funnelctl.dates import parse_day

    try:
        day = parse_day(value, today or _TODAY or read_clock(None))
    except ValueError as exc:
        fail(f"{what}: {exc}", code=2)
    return in_range(day, what)


def in_range(day: dt.date, what: str) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        fail(_("{what}: {day} is outside {first} .. {last}").format(
            what=what, day=day, first=FIRST_DAY, last=LAST_DAY), code=2)
    return day


def parse_step(value: str, what: str) -> tuple[dt.date, str]:
    """A next step as typed, its date first: ``"2026-12-01: call"``, ``"明天：拜访"``
    (a full-width colon or comma too), ``"fri send the offer"``; exit 2 if no date
    leads it."""
    from funnelctl.dates import split_step

    try:
        day, step = split_step(value, _TODAY or read_clock(None))
    except ValueError as exc:
        fail(f"{what}: {exc}", code=2)
    return in_range(day, what), step


def finite(value: float | None) -> float | None:
    """A number option's callback: NaN and infinity (``nan``, ``inf``, ``1e309``) are
    no amount or count anyone means, and nothing could read them back: exit 2."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(_("{value} is not a finite number").format(value=value))
    return value


def read_clock(today: str | None) -> dt.date:
    """The only place funnelctl reads the clock: --today or FUNNELCTL_TODAY win (and
    may be relative to the clock: --today yesterday)."""
    global _TODAY
    clock = dt.date.today()
    _TODAY = parse_date(today, "--today", clock) if today else clock
    return _TODAY


def set_language(ctx: typer.Context, option: str | None, dir: str | None) -> str:
    """The language of this run (``i18n.choose``: --lang, stages.yaml's ``lang:``,
    FUNNELCTL_LANG, the locale), made active, with the command tree's help texts in
    it; a --lang or FUNNELCTL_LANG funnelctl does not speak is a usage error."""
    from funnelctl import i18n
    from funnelctl.i18n import startup

    try:
        lang = startup.command_language(option, dir, os.environ, Path.cwd())
    except ValueError as exc:
        fail(str(exc), code=2)
    i18n.activate(lang)
    startup.translate_help(ctx.find_root().command)
    return lang


def settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    if obj is None:  # a command invoked without the callback (tests of one command)
        obj = use_settings(Settings(None, read_clock(os.environ.get("FUNNELCTL_TODAY")),
                                    True))
        ctx.find_root().obj = obj
    return obj


def styles() -> dict[str, Any]:
    """A console's options for NO_COLOR (any value but empty: https://no-color.org):
    no style at all, bold, dim and underline too (rich alone leaves out only the
    colours)."""
    return {"color_system": None} if os.environ.get("NO_COLOR") else {}


def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False, **styles())


def out_console():
    """The console a view prints on: on a terminal it fits the screen; on output that
    is no terminal (a pipe, a file) tables keep every cell whole and no line ends in
    blanks (``render.lines.Output``)."""
    from funnelctl.render.lines import Output

    return Output(highlight=False, emoji=False, **styles())


def print_problems(problems: list[Problem]) -> None:
    from funnelctl.render.safe import safe

    con = err_console()
    for p in problems:
        con.print(safe(str(p)), markup=False)


def say(message: str) -> None:
    """One line to stdout that may hold what the user typed or a file held: through
    the one function that makes text safe for a terminal. Under --json (a write
    command's) nothing is said: the JSON line of what changed stands for it."""
    if _CURRENT is not None and _CURRENT.json:
        return
    from funnelctl.render.safe import safe

    typer.echo(safe(message))


def fail(message: str, problems: list[Problem] | None = None, details: list[str] | None = None,
         code: int = 1) -> NoReturn:
    from funnelctl.render.safe import safe

    con = err_console()
    # messages name deals, labels and values from files anyone may have written
    con.print(f"funnelctl: {safe(message)}", markup=False, style="bold red")
    for line in details or []:
        con.print(f"  - {safe(line)}", markup=False)
    if problems:
        print_problems(problems)
    raise typer.Exit(code)


def root_and_pipeline(ctx: typer.Context, all_deals: bool = False) -> tuple[Path, Pipeline]:
    """The pipeline's root and its stages.yaml (``all_deals``: every deal is loaded
    next, see ``store.load_pipeline``)."""
    from funnelctl.store import StoreError, find_root, load_pipeline

    s = settings(ctx)
    try:
        root = find_root(Path.cwd(), s.dir)
        return root, load_pipeline(root, use_cache=s.use_cache, all_deals=all_deals)
    except StoreError as exc:
        fail(exc.message, exc.problems)


def load(ctx: typer.Context, quiet_skips: bool = False, convert: bool = True) -> Loaded:
    """The whole pipeline as summaries, through the cache, every amount converted into
    the reporting currency at today's rates (``convert=False``: as the files state
    them, for a view that shows both). Says on stderr which files it had to leave
    out and, once the command has written its view, which deals it left out of the
    money totals for want of a rate (``quiet_skips``: neither)."""
    from dataclasses import replace

    from funnelctl.analysis.currency import converted, left_out
    from funnelctl.store import load_all

    s = settings(ctx)
    root, pipeline = root_and_pipeline(ctx, all_deals=True)
    loaded = keep_to_exit(load_all(root, pipeline, use_cache=s.use_cache,
                                   progress=sys.stderr.isatty()))
    if loaded.skipped_files and not quiet_skips:
        con = err_console()
        n = len(loaded.skipped_files)
        con.print(nformat("note: {n} file left out, not readable as a deal (see 'funnelctl "
                          "validate'):", "note: {n} files left out, not readable as a deal "
                          "(see 'funnelctl validate'):", n), style="yellow", markup=False)
        for p in loaded.skipped:
            con.print(f"  {p}", markup=False)
    if convert:
        priced = converted(loaded.deals, pipeline, s.today)
        unpriced = priced.left_out
        if priced.deals is not loaded.deals:
            loaded = keep_to_exit(replace(loaded, deals=priced.deals))
    else:
        unpriced = left_out(loaded.deals, pipeline)
    if unpriced and not quiet_skips:
        ctx.call_on_close(lambda: money_note(ctx, pipeline, unpriced))
    return loaded


NAMED = 5  # left-out deals named in the note; validate lists every one


def money_note(ctx: typer.Context, pipeline: Pipeline, unpriced: list[Summary]) -> None:
    """After the view: the deals of the view (of the reps its --owner and --team
    admit) that no money total includes, since stages.yaml has no rate for their
    currency."""
    from funnelctl.analysis.select import owners_of

    try:
        owners = owners_of(pipeline, ctx.params.get("owner"), ctx.params.get("team"))
    except KeyError:  # an unknown team: the command has said so and shown nothing
        return
    deals = [d for d in unpriced if owners is None or d.owner in owners]
    if not deals:
        return
    from funnelctl.i18n.formats import money

    n = len(deals)
    named = _(", ").join(f"{d.id} {money(d.amount)} {d.currency}" for d in deals[:NAMED])
    more = _(" … and {n} more (see 'funnelctl validate')").format(n=n - NAMED) \
        if n > NAMED else ""
    err_console().print(nformat("note: {n} deal left out of money totals, no rate for its "
                                "currency: {named}{more}",
                                "note: {n} deals left out of money totals, no rate for their "
                                "currency: {named}{more}", n, named=named, more=more),
                        style="yellow", markup=False)


def owner_filter(loaded: Loaded, owner: list[str] | None, team: list[str] | None
                 ) -> set[str] | None:
    """The reps --owner and --team admit (None: everyone). An unknown team stops the
    command; an owner with no deal at all is named on stderr, since a typo would
    otherwise look like an empty pipeline."""
    from funnelctl.analysis.select import owners_of

    try:
        owners = owners_of(loaded.pipeline, owner, team)
    except KeyError as exc:
        fail(_("--team {team!r}: no such team in stages.yaml (teams: {teams})").format(
            team=exc.args[0], teams=_(", ").join(loaded.pipeline.teams) or _("none")))
    known = {d.owner for d in loaded.deals} if owner else set()
    for name in owner or []:
        if name not in known:
            err_console().print(_("note: no deals owned by {name!r} (owners: {owners})").format(
                name=name, owners=_(", ").join(sorted(known)) or _("none")),
                style="yellow", markup=False)
    return owners


def skipped_json(loaded: Loaded) -> list[dict]:
    return [p.as_json() for p in loaded.skipped]


def _default(o: Any) -> Any:
    if isinstance(o, dt.date):
        return o.isoformat()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    raise TypeError(f"cannot serialise {type(o).__name__}")


# What is encoded at a time of a list emit_json writes: 100,000 deals of list --json
# were 75 MB of JSON held three times over (encoded, indented, screened) on top of
# their rows; in parts of this many items the rows are made as they are written
# (measured: 670 MB peak at 100,000 deals before, see emit_json)
JSON_PART = 2000


def emit_json(data: Any) -> None:
    """Indented JSON. msgspec encodes and indents in C: the standard library indents
    in Python, 2 s for a list of 100,000 deals. A list, or an iterator of items
    (rows made as they are written), is encoded JSON_PART items at a time and
    written part by part: the same bytes as the whole list indented at once, in a
    fraction of the memory."""
    stream = getattr(sys.stdout, "buffer", None)
    try:
        if stream is None:  # a text-only stdout
            for part in _json_parts(data):
                sys.stdout.write(str(part, "utf-8"))
            sys.stdout.write("\n")
            return
        # the UTF-8 bytes as they are: decoding 90 MB (a review of 100,000 deals) to
        # write it encoded again cost a second
        sys.stdout.flush()
        for part in _json_parts(data):
            stream.write(part)
        stream.write(b"\n")
        stream.flush()
    except BrokenPipeError:  # `funnelctl list --json | head`: the reader is gone
        pass


def _json_parts(data: Any) -> Iterator[bytes | memoryview]:
    """``data`` as indented JSON, in parts whose concatenation is the whole: a list
    (or an iterator) a part of JSON_PART items at a time. Each part is indented as
    a list of its items, whose brackets are then left out (a view of its bytes, not
    a copy): "[\\n" comes before the first part, ",\\n" between two, "\\n]" after the
    last (an empty list is "[]")."""
    import msgspec

    from funnelctl.render.safe import json_safe

    encode, indent = msgspec.json.encode, msgspec.json.format
    if not isinstance(data, (list, Iterator)):
        yield json_safe(indent(encode(data, enc_hook=_default), indent=2))
        return
    items = iter(data)
    lead = b"[\n"
    while part := list(islice(items, JSON_PART)):
        text = json_safe(indent(encode(part, enc_hook=_default), indent=2))
        yield lead
        yield memoryview(text)[2:-2]  # b"[\n  ...\n]" as "  ..."
        lead = b",\n"
    yield b"[]" if lead == b"[\n" else b"\n]"


def edit(ctx: typer.Context, deal_id: str, change: Any,
         commit: bool | None = None) -> tuple[Path, str, Any]:
    """Run one write on one deal: reads stages.yaml and that deal only. ``commit``
    (--commit/--no-commit; None: stages.yaml's ``commit:``) is checked before the
    write: outside a git repository nothing is written. The command then calls
    ``commit_change`` with its subject, once it knows what changed. Under --json
    what the write changed is compared before and after (``changed_paths``) and
    printed as JSON when the command ends (``report_change``)."""
    from funnelctl.edits import Refused
    from funnelctl.store import StoreError, find_deal, update_deal

    root, pipeline = root_and_pipeline(ctx)
    wants_commit(ctx, root, pipeline, commit)
    as_json = settings(ctx).json
    seen: dict[str, Any] = {}

    def apply(doc: Any, deal: Any) -> Any:
        if not as_json:
            return change(doc, deal, pipeline)
        before = plain(doc)
        result = change(doc, deal, pipeline)
        seen["id"], seen["changed"] = deal.id, changed_paths(before, plain(doc))
        return result

    try:
        rel = find_deal(root, deal_id, titles=lambda: deal_titles(ctx, root, pipeline))
        result = update_deal(root, rel, pipeline, apply)
    except Refused as exc:
        fail(exc.message, details=exc.missing)
    except StoreError as exc:
        fail(exc.message, exc.problems)
    if as_json:
        report_change(ctx, seen.get("id", deal_id), rel, seen.get("changed", []))
    return root, rel, result


def plain(node: Any) -> Any:
    """A round-trip YAML document as plain dicts, lists and scalars (a copy)."""
    if isinstance(node, dict):
        return {k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def changed_paths(before: Any, after: Any, depth: int = 2) -> list[str]:
    """Where two versions of a deal differ, in the order of their keys: a top-level
    key (``stage``, ``history``, ``next``), and in a mapping of mappings the entry
    (``levels.power``, ``milestones.budget_approved``); a list (actions, contacts)
    is one value. Keys added or removed count too."""
    if before == after:
        return []
    if depth == 0 or not isinstance(before, dict) or not isinstance(after, dict):
        return [""]
    out = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key not in before or key not in after:
            out.append(str(key))
            continue
        out += [f"{key}.{sub}" if sub else str(key)
                for sub in changed_paths(before[key], after[key], depth - 1)]
    return out


def changed_between(old: bytes, new: bytes) -> list[str]:
    """``changed_paths`` of two versions of a deal file (a file edited by hand); a
    version that does not read as a mapping counts as changed everywhere."""
    from funnelctl import yamlio

    def read(data: bytes) -> Any:
        try:
            doc = yamlio.load_fast(data)
        except Exception:  # the edit loop has read both: this is not expected
            return None
        return doc if isinstance(doc, dict) else None

    before, after = read(old), read(new)
    if before is None or after is None:
        return [str(k) for k in (after or before or {})]
    return changed_paths(before, after)


def report_change(ctx: typer.Context, deal_id: str, rel: str, changed: list[str]) -> None:
    """Under --json: a write's ``{"id", "path", "changed"}`` (and ``"commit"`` once it
    is committed), printed as one line of JSON when the command ends; without
    --json, nothing."""
    s = settings(ctx)
    if not s.json:
        return
    if not s.written:
        ctx.call_on_close(lambda: print_written(s))
    s.written.append({"id": deal_id, "path": rel, "changed": changed})


def print_written(s: Settings) -> None:
    import msgspec

    for record in s.written:
        from funnelctl.render.safe import json_safe

        line = json_safe(msgspec.json.encode(record)).decode("utf-8")
        try:
            typer.echo(line)
        except BrokenPipeError:
            return
    s.written = []


def deal_titles(ctx: typer.Context, root: Path, pipeline: Pipeline) -> list[tuple[str, str]]:
    """Every deal's (id, title), through the cache: for finding a deal by its title."""
    from funnelctl.store.cache import load_summaries

    deals, _problems = load_summaries(root, pipeline, use_cache=settings(ctx).use_cache)
    return [(d.id, d.title) for d in deals]


def wants_commit(ctx: typer.Context, root: Path, pipeline: Pipeline,
                 flag: bool | None) -> bool:
    """Whether this write commits (the flag, else stages.yaml's ``commit:``); when it
    does, the repository is checked first so that nothing is written outside one."""
    wanted = settings(ctx).commit = pipeline.commit if flag is None else flag
    if wanted:
        from funnelctl.gitio import run

        try:
            run.require_repo(root, "--commit")
        except run.GitError as exc:
            fail(exc.message)
    return wanted


def commit_change(ctx: typer.Context, root: Path, rels: list[str], subject: str,
                  body: str = "") -> None:
    """Commit the files a write changed when it was asked to (see ``edit``): only
    those files, as the user's own git identity. A failed commit leaves the files
    written, says so, and exits 1."""
    if not settings(ctx).commit:
        return
    from funnelctl.gitio import run
    from funnelctl.render.safe import safe

    subject = safe(subject)  # one line, whatever the user typed
    try:
        commit = run.commit_paths(root, rels, subject, body)
    except run.GitError as exc:
        fail(_("{paths} written but not committed: {error}").format(
            paths=", ".join(rels), error=exc.message))
    s = settings(ctx)
    if s.json:  # the JSON of the write says which commit holds it
        for record in s.written:
            if record["path"] in rels:
                record["commit"] = commit
        return
    typer.echo(_("committed {commit}: {subject}").format(commit=commit[:10], subject=subject))


COMMIT_OPT = typer.Option(None, "--commit/--no-commit",
                          help="Commit the change in git (default: stages.yaml's commit:).")


JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON to stdout.")
OWNER_OPT = typer.Option(None, "--owner", "-o", help="Only this rep's deals (repeatable).",
                         autocompletion=complete_owner)
TEAM_OPT = typer.Option(None, "--team", help="Only the reps of this team (from stages.yaml).",
                        autocompletion=complete_team)


# Options with a fixed set of values: click checks them, and a bad value exits 2
# with the choices listed


class By(StrEnum):
    """What ``--by`` splits a view by."""

    owner = "owner"


class Status(StrEnum):
    open = "open"
    won = "won"
    lost = "lost"


class Format(StrEnum):
    text = "text"
    md = "md"


class Rates(StrEnum):
    config = "config"
    history = "history"


class Template(StrEnum):
    en = "en"
    zh = "zh"


class Schema(StrEnum):
    deal = "deal"
    stages = "stages"


BY_OPT = typer.Option(None, "--by", help="owner: one view per rep, side by side.")


def scope(ctx: typer.Context, owner, team, by=None):
    """The loaded pipeline, the deals in scope and the owner filter."""
    from funnelctl.analysis.select import select

    loaded = load(ctx)
    owners = owner_filter(loaded, owner, team)
    return loaded, select(loaded.deals, owners), owners


def period_arg(value: str | None, ctx: typer.Context) -> str:
    """A --period value (YYYY-MM), by default the month of today; a bad one is a
    usage error."""
    from funnelctl.analysis.targets import period_of
    from funnelctl.patterns import is_period

    if value is None:
        return period_of(settings(ctx).today)
    if not is_period(value) or value < "1900-01" or value > "2999-12":
        fail(_("--period {value!r}: expected YYYY-MM (1900-01 .. 2999-12)").format(value=value),
             code=2)
    return value


def by_owner(deals):
    groups: dict[str, list] = {}
    for d in deals:
        groups.setdefault(d.owner, []).append(d)
    return dict(sorted(groups.items()))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
