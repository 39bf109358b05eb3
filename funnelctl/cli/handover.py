"""Handover: reassign a departing rep's open deals, with a sheet per deal."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.common import (
    COMMIT_OPT,
    JSON_OPT,
    Format,
    commit_change,
    emit_json,
    err_console,
    fail,
    load,
    print_problems,
    root_and_pipeline,
    settings,
    wants_commit,
)
from funnelctl.cli.completion import complete_deal, complete_owner
from funnelctl.cli.root import app
from funnelctl.i18n import _, nformat


@app.command("reassign")
def reassign_cmd(
    ctx: typer.Context,
    previous: str = typer.Option(..., "--from", help="The rep who hands the deals over.",
                                 autocompletion=complete_owner),
    to: str = typer.Option(..., "--to", help="The rep who takes them over.",
                           autocompletion=complete_owner),
    deal_ids: Optional[list[str]] = typer.Option(None, "--deal", help="Only this deal "
                                                 "(repeatable; default: every open deal).",
                                                 autocompletion=complete_deal),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why: left the company, "
                                         "new territory."),
    fmt: Format = typer.Option(Format.text, "--format", help="text or md (to send to the "
                               "rep who takes over)."),
    json_out: bool = JSON_OPT,
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Hand a rep's open deals to another rep in one change, and print a handover
    sheet per deal (stage, next step, contacts, what is still to pass, last actions),
    so that no customer leaves with the rep.

    Example: funnelctl reassign --from li.wei --to anna.berg --reason "left" --commit
    """
    from funnelctl import edits
    from funnelctl.analysis.handover import sheet
    from funnelctl.ids import NotFound, find_by_prefix_or_title
    from funnelctl.render.safe import safe
    from funnelctl.store import StoreError, update_deal

    today = settings(ctx).today
    if previous == to:
        fail(_("--from and --to are both {rep}: nothing to hand over").format(rep=previous),
             code=2)
    root, p = root_and_pipeline(ctx)
    loaded = load(ctx, quiet_skips=True, convert=False)
    wants_commit(ctx, root, p, commit)
    by_id = {d.id: d for d in loaded.deals}
    if deal_ids:
        picked: dict = {}
        for typed in dict.fromkeys(deal_ids):
            # an id, the one id it begins, or a title, as every command finds a deal
            d = by_id.get(typed)
            if d is None:
                try:
                    d = by_id[find_by_prefix_or_title(
                        ((x.id, x.title) for x in loaded.deals), typed)]
                except NotFound:
                    fail(_("no deal {id!r} (see 'funnelctl list')").format(id=typed))
                except LookupError as exc:  # more than one: named
                    fail(exc.args[0])
            if d.owner != previous:
                fail(_("deal {id} is owned by {owner}, not {previous}").format(
                    id=d.id, owner=d.owner, previous=previous))
            if d.status != "open":
                fail(_("deal {id} is {status}; only open deals are handed over").format(
                    id=d.id, status=edits.status_name(d.status)))
            picked[d.id] = d
        chosen = list(picked.values())
    else:
        chosen = [d for d in loaded.deals if d.owner == previous and d.status == "open"]
        if not chosen:
            fail(_("{rep} has no open deals to hand over").format(rep=previous))
    chosen.sort(key=lambda d: d.id)
    known = {d.owner for d in loaded.deals} | set(p.people) | {
        m for members in p.teams.values() for m in members}
    if to not in known:
        err_console().print(_("note: {rep} owns no other deal and is in no team of "
                              "stages.yaml: check the spelling").format(rep=safe(to)),
                            markup=False)

    def hand_over(rel: str):
        def change(doc, deal):
            edits.reassign(doc, deal, today, previous, to, reason)
            return sheet(deal, rel, p, today)  # the deal as it was read, before the change
        return change

    sheets, written, failed = [], [], []
    for d in chosen:
        try:
            sheets.append(update_deal(root, d.path, p, hand_over(d.path)))
            written.append(d.path)
        except edits.Refused as exc:  # changed since it was listed
            failed.append(f"{d.path}: {exc.message}")
        except StoreError as exc:
            failed.append(f"{d.path}: {exc.message}")
            print_problems(exc.problems)

    if json_out:
        emit_json({"from": previous, "to": to, "reason": reason,
                   "deals": [s.as_json() for s in sheets], "failed": failed})
    else:
        from funnelctl.render import handover as page

        render = page.markdown if fmt == "md" else page.text
        typer.echo(render(sheets, previous, to, reason), nl=False)
    if written:
        n = len(written)
        commit_change(ctx, root, written,
                      f"reassign {previous} -> {to}: {n} deal{'s' if n != 1 else ''}",
                      "\n".join([f"reason: {reason}"] * bool(reason)
                                + [f"deal: {s.id}" for s in sheets]))
    if failed:
        fail(nformat("{failed} of {n} deal not handed over", "{failed} of {n} deals not "
                     "handed over", len(chosen), failed=len(failed)), details=failed)
