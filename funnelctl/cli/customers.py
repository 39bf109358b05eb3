"""Customers and the people around a deal: contact add|set, account, assign, load,
strategy. The writes go through ``common.edit`` like the rep's (``--commit``);
``account`` and ``strategy`` read the full files of only the deals they show."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from funnelctl.cli.common import (
    COMMIT_OPT,
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    Format,
    commit_change,
    deal_titles,
    emit_json,
    err_console,
    fail,
    load,
    out_console,
    owner_filter,
    parse_date,
    root_and_pipeline,
    say,
    settings,
)
from funnelctl.cli.completion import complete_deal, complete_owner, complete_role
from funnelctl.cli.root import app
from funnelctl.cli.writes import edit_deal
from funnelctl.i18n import _, pgettext

if TYPE_CHECKING:
    from funnelctl.pipeline import Pipeline


class Attitude(StrEnum):
    supporter = "supporter"
    neutral = "neutral"
    opponent = "opponent"


class Verdict(StrEnum):
    continue_ = "continue"
    drop = "drop"


contact_app = typer.Typer(
    help="Keep a deal's contacts current: add a person, or set what changed "
    "(a meeting, an agreement, a role, a phone, a personal goal, an attitude).",
    no_args_is_help=True, rich_markup_mode=None)
app.add_typer(contact_app, name="contact")


def _body(changed: list) -> str:
    """The commit body: one English ``key: value`` line per change (a record, like
    the file's keys)."""
    return "\n".join(str(c) for c in changed)


def _said(changed: list) -> str:
    """The changes as the message says them, in the active language."""
    return pgettext("list", "; ").join(c.said() for c in changed)


def _contact_fields(role, phone, decision_maker, veto, met, agreed, goal, attitude):
    from funnelctl.edits_customers import ContactFields

    return ContactFields(
        role=role, phone=phone, decision_maker=decision_maker, veto=veto,
        met=parse_date(met, "--met") if met is not None else None,
        agreed=parse_date(agreed, "--agreed") if agreed is not None else None,
        goal=goal, attitude=attitude.value if attitude is not None else None)


ROLE_OPT = typer.Option(None, "--role", help="The person's job: plant director, CFO. "
                        "An empty text clears it.")
PHONE_OPT = typer.Option(None, "--phone", help="A phone number; empty clears it.")
DM_OPT = typer.Option(None, "--decision-maker/--no-decision-maker",
                      help="The person makes the final decision.")
VETO_OPT = typer.Option(None, "--veto/--no-veto", help="The person's department can say no.")
MET_OPT = typer.Option(None, "--met", help="A meeting with the person, YYYY-MM-DD: the first "
                       "one, or the latest.")
AGREED_OPT = typer.Option(None, "--agreed", help="The day the person agreed to our "
                          "solution, YYYY-MM-DD.")
GOAL_OPT = typer.Option(None, "--goal", help="What the person personally wants from the "
                        "purchase; empty clears it.")
ATTITUDE_OPT = typer.Option(None, "--attitude", help="supporter, neutral or opponent.")


@contact_app.command("add")
def contact_add_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    name: str = typer.Argument(..., help="The person's name."),
    role: Optional[str] = ROLE_OPT,
    phone: Optional[str] = PHONE_OPT,
    decision_maker: Optional[bool] = DM_OPT,
    veto: Optional[bool] = VETO_OPT,
    met: Optional[str] = MET_OPT,
    agreed: Optional[str] = AGREED_OPT,
    goal: Optional[str] = GOAL_OPT,
    attitude: Optional[Attitude] = ATTITUDE_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Add a person on the buyer's side to a deal.

    Example: funnelctl contact add acme-cooling "Wang Li" --role CFO --decision-maker
    --met 2026-11-20 --goal "cut energy cost 10%" --attitude neutral
    """
    from funnelctl import edits_customers as ec

    today = settings(ctx).today
    fields = _contact_fields(role, phone, decision_maker, veto, met, agreed, goal, attitude)
    e = edit_deal(ctx, deal, lambda doc, d, p: ec.add_contact(doc, d, today, name, fields),
                  commit)
    say(_("{id}: contact {name} added ({path})").format(id=e.id, name=name.strip(),
                                                         path=e.rel))
    commit_change(ctx, e.root, [e.rel], f"contact {e.id}: add {name.strip()}",
                  _body(e.result))


@contact_app.command("set")
def contact_set_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    name: str = typer.Argument(..., help="The contact's name (case does not matter)."),
    role: Optional[str] = ROLE_OPT,
    phone: Optional[str] = PHONE_OPT,
    decision_maker: Optional[bool] = DM_OPT,
    veto: Optional[bool] = VETO_OPT,
    met: Optional[str] = MET_OPT,
    agreed: Optional[str] = AGREED_OPT,
    goal: Optional[str] = GOAL_OPT,
    attitude: Optional[Attitude] = ATTITUDE_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Change what is known of a contact: only the lines given change.

    Example: funnelctl contact set acme-cooling "Wang Berg" --met 2026-11-24 --agreed 2026-11-24
    """
    from funnelctl import edits_customers as ec

    today = settings(ctx).today
    fields = _contact_fields(role, phone, decision_maker, veto, met, agreed, goal, attitude)
    if not fields.given():
        fail(_("nothing to set: give --role, --phone, --decision-maker, --veto, --met, "
               "--agreed, --goal or --attitude"), code=2)
    e = edit_deal(ctx, deal, lambda doc, d, p: ec.set_contact(doc, d, today, name, fields),
                  commit)
    spelled, changed = e.result
    if not changed:
        say(_("{id}: {name}: nothing changed, the file says so already ({path})").format(
            id=e.id, name=spelled, path=e.rel))
        return
    say(_("{id}: {name}: {changes} ({path})").format(id=e.id, name=spelled,
                                                     changes=_said(changed), path=e.rel))
    commit_change(ctx, e.root, [e.rel], f"contact {e.id}: {spelled}", _body(changed))


# -- roles ---------------------------------------------------------------------------


def _role_arg(role: str, p: Pipeline) -> None:
    """A role that no stage of stages.yaml names is a usage error: exit 2 with the
    choices."""
    from funnelctl.analysis.roles import role_issues

    issues = role_issues(role, p)
    if issues:
        fail(issues[0].refusal, code=2)


@app.command("assign")
def assign_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    role: str = typer.Argument(..., help="A role a stage of stages.yaml names: presales, "
                               "finance, legal.", autocompletion=complete_role),
    person: Optional[str] = typer.Argument(None, help="Who holds it (omit with --remove).",
                                           autocompletion=complete_owner),
    remove: bool = typer.Option(False, "--remove", help="Nobody holds the role any more."),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Name the support person who holds a role on a deal (presales engineer, finance,
    legal): `advance` warns when the stage entered needs a role nobody holds.

    Example: funnelctl assign acme-cooling presales wang.jun
    """
    from funnelctl import edits_customers as ec

    root, p = root_and_pipeline(ctx)
    _role_arg(role, p)
    if remove == (person is not None):
        fail(_("give the PERSON who holds the role, or --remove"), code=2)
    e = edit_deal(ctx, deal, lambda doc, d, p_: ec.assign(doc, d, p_, role, person), commit)
    before, changed = e.result
    if remove:
        say(_("{id}: {role} no longer held (was {before}) ({path})").format(
            id=e.id, role=role, before=before, path=e.rel))
        commit_change(ctx, e.root, [e.rel], f"assign {e.id}: {role} removed", f"was: {before}")
        return
    who = person.strip()
    if not changed:
        say(_("{id}: {person} holds {role} already ({path})").format(
            id=e.id, person=who, role=role, path=e.rel))
        return
    if before:
        say(_("{id}: {role} {person} (was {before}) ({path})").format(
            id=e.id, role=role, person=who, before=before, path=e.rel))
    else:
        say(_("{id}: {role} {person} ({path})").format(id=e.id, role=role, person=who,
                                                       path=e.rel))
    commit_change(ctx, e.root, [e.rel], f"assign {e.id}: {role} {who}",
                  f"was: {before}" if before else "")


@app.command("load")
def load_cmd(
    ctx: typer.Context,
    role: Optional[list[str]] = typer.Option(None, "--role", help="The role (repeatable; "
                                             "default: every role stages.yaml names).",
                                             autocompletion=complete_role),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    fmt: Format = typer.Option(Format.text, "--format", help="text or md."),
    json_out: bool = JSON_OPT,
) -> None:
    """Each support person's open deals by stage, the reps and teams they serve, and
    the deals whose stage needs the role while nobody holds it.

    Example: funnelctl load --role presales
    """
    from funnelctl.analysis.roles import role_load, stage_roles
    from funnelctl.analysis.select import select

    loaded = load(ctx)
    p = loaded.pipeline
    for r in role or []:
        _role_arg(r, p)
    roles = list(dict.fromkeys(role)) if role else stage_roles(p)
    if not roles:
        fail(_("no stage of stages.yaml names a role: add roles: [presales] to a stage"))
    deals = select(loaded.deals, owner_filter(loaded, owner, team))
    loads = [role_load(deals, p, r) for r in roles]
    if json_out:
        emit_json({"currency": p.currency, "roles": [x.as_json() for x in loads]})
        return
    from funnelctl.render import customers as page

    if fmt == "md":
        typer.echo(page.load_md(loads, p), nl=False)
    else:
        page.load_text(out_console(), loads, p)


# -- one account, one deal --------------------------------------------------------------


def _read_full(root: Path, p: Pipeline, rel: str):
    """The full deal of ``rel`` (contacts, actions), or exit 1 with its problems."""
    from funnelctl.store import read_deal

    deal, problems = read_deal(root, rel, p)
    if deal is None:
        fail(_("{path} cannot be read as a deal").format(path=rel), problems)
    return deal


@app.command("account")
def account_cmd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The account (customer) name; case does not "
                               "matter."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    fmt: Format = typer.Option(Format.text, "--format", help="text or md (a customer "
                               "archive to keep)."),
    json_out: bool = JSON_OPT,
) -> None:
    """Everything the company knows of one customer: every deal (open, won, lost),
    every contact across them and when each was last met, the won revenue, the open
    pipeline and the last actions. The archive that stays when a rep leaves.

    Example: funnelctl account "Tatra Glass" --format md > tatra-glass.md
    """
    from funnelctl.analysis.accounts import (
        account_archive,
        account_names,
        close_accounts,
        matching_accounts,
    )
    from funnelctl.analysis.select import select

    root, p = root_and_pipeline(ctx)
    loaded = load(ctx)
    deals = select(loaded.deals, owner_filter(loaded, owner, team))
    names = account_names(deals)
    found = matching_accounts(name, names)
    if not found:
        close = close_accounts(name, names)
        if close:
            fail(_("no account {name!r}; did you mean: {names}?").format(
                name=name, names=_(", ").join(close)))
        fail(_("no account {name!r} (see 'funnelctl list')").format(name=name))
    chosen = sorted((d for d in deals if d.account in found), key=lambda d: d.id)
    archive = account_archive(found[0] if len(found) == 1 else name.strip(),
                              [(d, _read_full(root, p, d.path)) for d in chosen], p,
                              settings(ctx).today)
    if json_out:
        emit_json(archive.as_json())
        return
    from funnelctl.render import customers as page

    if fmt == "md":
        typer.echo(page.account_md(archive), nl=False)
    else:
        page.account_text(out_console(), archive)


@app.command("strategy")
def strategy_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    plan: Optional[str] = typer.Option(None, "--plan", help="Our plan against the "
                                       "competitor (replaces the plan)."),
    missing: Optional[list[str]] = typer.Option(None, "--missing", help="Information still "
                                                "missing (repeatable)."),
    found: Optional[list[str]] = typer.Option(None, "--found", help="An item of the missing "
                                              "information now known (repeatable)."),
    resource: Optional[list[str]] = typer.Option(None, "--resource", help="A resource asked "
                                                 "for: a presales day, the CEO's visit "
                                                 "(repeatable)."),
    drop_resource: Optional[list[str]] = typer.Option(None, "--drop-resource",
                                                      help="A request met or withdrawn "
                                                      "(repeatable)."),
    competitor: Optional[list[str]] = typer.Option(None, "--competitor", help="A competitor "
                                                   "in the race (repeatable)."),
    drop_competitor: Optional[list[str]] = typer.Option(None, "--drop-competitor",
                                                        help="A competitor out of the race "
                                                        "(repeatable)."),
    verdict: Optional[Verdict] = typer.Option(None, "--verdict", help="continue or drop."),
    fmt: Format = typer.Option(Format.text, "--format", help="text or md."),
    json_out: bool = JSON_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """A large deal's strategy sheet: each decision maker and veto holder (role,
    attitude, personal goal, last met), the key elements with their evidence, the
    competitors and our plan, what is still missing, resources asked for, continue
    or drop. With --plan, --missing, --found, --resource, --drop-resource,
    --competitor, --drop-competitor or --verdict it records them instead.

    Example: funnelctl strategy acme-cooling --competitor Grundfos --plan "reference visit"
    --missing "the CFO's budget limit" --resource "presales: 2 days" --verdict continue
    """
    from funnelctl.edits_customers import StrategyFields

    fields = StrategyFields(plan=plan, missing=tuple(missing or ()), found=tuple(found or ()),
                            resources=tuple(resource or ()),
                            drop_resources=tuple(drop_resource or ()),
                            competitors=tuple(competitor or ()),
                            drop_competitors=tuple(drop_competitor or ()),
                            verdict=verdict.value if verdict is not None else None)
    if fields.given():
        if fmt == "md":
            fail(_("--format shows the sheet; give it without the options that write it"),
                 code=2)
        settings(ctx).json = json_out  # --json: what the write changed (common.edit)
        _write_strategy(ctx, deal, fields, commit)
        return
    from funnelctl.analysis.strategy import strategy_sheet
    from funnelctl.store import StoreError, find_deal

    root, p = root_and_pipeline(ctx)
    try:
        rel = find_deal(root, deal, titles=lambda: deal_titles(ctx, root, p))
    except StoreError as exc:
        fail(exc.message)
    sheet = strategy_sheet(_read_full(root, p, rel), rel, p, settings(ctx).today)
    if json_out:
        emit_json(sheet.as_json())
        return
    from funnelctl.render import customers as page

    if fmt == "md":
        typer.echo(page.strategy_md(sheet, p), nl=False)
    else:
        page.strategy_text(out_console(), sheet, p)


def _write_strategy(ctx: typer.Context, deal: str, fields, commit: bool | None) -> None:
    from funnelctl import edits_customers as ec

    e = edit_deal(ctx, deal, lambda doc, d, p: ec.set_strategy(doc, d, fields), commit)
    changed = e.result
    if not changed:
        say(_("{id}: strategy unchanged, the file says so already ({path})").format(
            id=e.id, path=e.rel))
        return
    say(_("{id}: strategy: {changes} ({path})").format(id=e.id, changes=_said(changed),
                                                       path=e.rel))
    if fields.verdict == "drop":
        from funnelctl.render.safe import safe

        err_console().print(_("note: the sheet says drop; to close the deal: funnelctl lose "
                              "{id} --reason no_decision").format(id=safe(e.id)), markup=False)
    commit_change(ctx, e.root, [e.rel], f"strategy {e.id}: "
                  + ", ".join(sorted({c.key for c in changed})), _body(changed))
