"""Handover: reassign a departing rep's open deals, with a sheet per deal."""

from __future__ import annotations

from typing import Optional

import typer

from funnelctl.cli.app import app
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


@app.command("reassign")
def reassign_cmd(
    ctx: typer.Context,
    previous: str = typer.Option(..., "--from", help="The rep who hands the deals over."),
    to: str = typer.Option(..., "--to", help="The rep who takes them over."),
    deal_ids: Optional[list[str]] = typer.Option(None, "--deal", help="Only this deal "
                                                 "(repeatable; default: every open deal)."),
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
    from funnelctl.render.safe import safe
    from funnelctl.store import StoreError, update_deal

    today = settings(ctx).today
    if previous == to:
        fail(f"--from and --to are both {previous}: nothing to hand over", code=2)
    root, p = root_and_pipeline(ctx)
    loaded = load(ctx, quiet_skips=True, convert=False)
    wants_commit(ctx, root, p, commit)
    by_id = {d.id: d for d in loaded.deals}
    if deal_ids:
        chosen = []
        for did in dict.fromkeys(deal_ids):
            d = by_id.get(did)
            if d is None:
                fail(f"no deal {did!r} (see 'funnelctl list')")
            if d.owner != previous:
                fail(f"deal {did} is owned by {d.owner}, not {previous}")
            if d.status != "open":
                fail(f"deal {did} is {d.status}; only open deals are handed over")
            chosen.append(d)
    else:
        chosen = [d for d in loaded.deals if d.owner == previous and d.status == "open"]
        if not chosen:
            fail(f"{previous} has no open deals to hand over")
    chosen.sort(key=lambda d: d.id)
    known = {d.owner for d in loaded.deals} | set(p.people) | {
        m for members in p.teams.values() for m in members}
    if to not in known:
        err_console().print(f"note: {safe(to)} owns no other deal and is in no team of "
                            f"stages.yaml: check the spelling", markup=False)

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
        fail(f"{len(failed)} of {len(chosen)} deals not handed over", details=failed)
