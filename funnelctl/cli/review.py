"""The weekly review: review."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from funnelctl.cli.common import (
    JSON_OPT,
    OWNER_OPT,
    TEAM_OPT,
    Format,
    emit_json,
    err_console,
    fail,
    keep_to_exit,
    out_console,
    parse_date,
    period_arg,
    root_and_pipeline,
    scope,
    settings,
    skipped_json,
)
from funnelctl.cli.root import app
from funnelctl.cli.svg import SVG_OPT, refuse_with, show_and_save, styled_like
from funnelctl.i18n import _, formats

# The share of the deals whose reps a forked child reviews: this process reads the
# team's deals besides (``team_deals``, the waivers, the leaderboard: 0.4 s of CPU at
# 100,000 deals) while the child pickles what it returns; measured at 100,000 deals,
# 0.53 leaves the two about even (each part, its pages copied on write after the
# fork, takes a fifth longer than it would alone)
CHILD_SHARE = 0.53


@app.command("review")
def review_cmd(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", help="Moves since YYYY-MM-DD "
                                        "(default: 7 days ago)."),
    since_ref: Optional[str] = typer.Option(
        None, "--since-ref", metavar="REF",
        help="Also compare every deal with the deal at this git revision (a tag, branch, "
        "commit or @{2026-11-17}): advanced, regressed, new, won, lost, close dates "
        "pushed out, amounts cut, owners changed, files deleted; the moves are listed "
        "since its date. A review tag's forecast is set against what was signed since."),
    tag: bool = typer.Option(False, "--tag", help="After the review, store the period's "
                             "forecast and open pipeline as the annotated tag "
                             "review/YYYY-MM-DD (today) on HEAD; one a day, never replaced."),
    period: Optional[str] = typer.Option(None, "--period", help="Target period YYYY-MM "
                                         "(default: this month)."),
    owner: Optional[list[str]] = OWNER_OPT,
    team: Optional[list[str]] = TEAM_OPT,
    fmt: Format = typer.Option(Format.text, "--format", help="text or md (Markdown for meeting "
                            "notes)."),
    svg: Optional[Path] = SVG_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """The pre-meeting review: per rep, then the team and the leaderboard.

    Example: funnelctl review --format md > notes/2026-11-24.md

    Example: funnelctl review --since-ref review/2026-11-17 --tag
    """
    import datetime as dt
    from bisect import bisect_left
    from itertools import accumulate

    from funnelctl.analysis import review as rv
    from funnelctl.aside import for_size, forked, here

    refuse_with(svg, json_out, fmt == "md")
    if since is not None and since_ref is not None:
        fail(_("--since and --since-ref both say where the review starts: give one"), code=2)
    if tag and (owner or team):
        fail(_("--tag stores the whole team's review: drop --owner and --team"), code=2)
    today = settings(ctx).today
    tag_name = f"review/{today}"
    since_d = parse_date(since, "--since") if since else today - dt.timedelta(days=7)
    root = then = pending = None
    if tag or since_ref is not None:
        from funnelctl.gitio import since as gs
        from funnelctl.store import StoreError

        root, pipeline = root_and_pipeline(ctx)
        try:
            if tag:  # refused before a word of the review is written
                gs.check_taggable(root, tag_name)
            if since_ref is not None:
                commit = gs.revision(root, since_ref)
                # A child on the other core asks git what changed and reads the files
                # as they were while this process loads the pipeline (at 10,000 deals
                # and 50 changed files, git's part is 60 ms of CPU; parsing the blobs,
                # which the cache spares the next time, 80 ms with the YAML parser's
                # import): when a core is free, next to nothing is added
                pending = forked(gs.since, root, since_ref, commit, pipeline,
                                 settings(ctx).use_cache)
        except StoreError as exc:
            fail(exc.message, exc.problems)
    loaded, deals, owners = scope(ctx, owner, team)
    p, per = loaded.pipeline, period_arg(period, ctx)
    mv = None
    if pending is not None:
        try:
            then = pending()
        except StoreError as exc:
            fail(exc.message, exc.problems)
        mv = _movement(then, loaded, p, today, owners)
        since_d = then.date or since_d
    if json_out:
        review = keep_to_exit(rv.weekly_review(deals, p, today, since_d, per, owners))
        out = {**review.as_json(), "skipped": skipped_json(loaded)}
        if mv is not None:
            out["movement"] = mv.as_json()
        emit_json(out)
        if tag:
            _tag(root, tag_name, deals, p, today, per)
        return
    if fmt == "md":
        from funnelctl.render import markdown as page

        def out(view, *args) -> str:
            return view(*args)
    else:
        from funnelctl.render import views as page
        from funnelctl.render.lines import rendered, write

        con = screen = out_console()
        if svg is not None:  # rendered once with its styles: for the terminal and FILE
            con = styled_like(screen)

        def out(view, *args) -> str:
            return rendered(con, view, *args)

    if mv is not None:
        from funnelctl.render import movement as mp

        moved_page, moved_end = (mp.rep_movement_md, mp.movement_end_md) if fmt == "md" \
            else (mp.rep_movement, mp.movement_end)

    def reviewed(part) -> tuple[str, list]:
        """These reps' sections written out, and what the team's section takes of them."""
        secs = keep_to_exit(rv.rep_sections(part, p, today, since_d, per))
        if mv is None:
            written = out(page.review_sections, secs, p, since_d)
        else:  # each rep's movement after his section
            written = "".join(out(page.review_sections, [s], p, since_d)
                              + out(moved_page, mv.reps.get(s.owner, []), mv, p) for s in secs)
        return written, [rv.team_share(s) for s in secs]

    groups = rv.by_owner(deals)
    reps = list(groups.items())
    # On a large team a child on the other core reviews and writes the reps that hold
    # the first CHILD_SHARE of the deals while this process does the rest, then what
    # the team's section reads of the deals themselves; the team's section joins what
    # the two return
    fork = for_size(len(deals))
    cut = bisect_left(list(accumulate(len(ds) for _owner, ds in reps)),
                      len(deals) * CHILD_SHARE) + 1 if fork else 0
    first = (fork or here)(reviewed, reps[:cut])
    rest, shares = reviewed(reps[cut:])
    whole = rv.team_deals(deals, p, today, per, owners) if len(reps) != 1 else None
    waived, leaders = rv.waivers(deals), rv.leaderboard(groups, p, per)
    written, first_shares = first()
    team_screen = rv.team_section(first_shares + shares, deals, p, today, per, owners,
                                  whole) if whole is not None else None
    end = out(page.review_end, team_screen, waived, leaders, p, since_d, per)
    text = out(page.review_head, today, since_d, per) + written + rest + end
    if mv is not None:
        text += out(moved_end, mv, set(groups), p)
    if fmt == "md":
        typer.echo(text, nl=False)
    elif svg is not None:
        show_and_save(screen, text, svg, "funnelctl review")
    else:
        write(con, text)
    if tag:
        _tag(root, tag_name, deals, p, today, per)


def _movement(then, loaded, p, today, owners):
    """The movement since the revision ``then`` (gitio.since) of the deals the view
    admits, and a review tag's forecast against what was signed since."""
    from funnelctl.analysis import movement as am
    from funnelctl.gitio import since as gs

    sides = gs.compared(then, loaded.deals)
    reps = am.deal_movement(sides.then, sides.now, p, today, owners, sides.unsure)
    mv = am.Movement(then.ref, then.commit, then.date, reps, sides.unreadable)
    data = gs.forecast_block(then.tag_message) if then.tag_message else None
    tagged = am.tagged(data) if data is not None else None
    if tagged is not None:
        mv.forecast = am.against_forecast(tagged, reps, owners)
    return keep_to_exit(mv)


def _tag(root, name, deals, p, today, period) -> None:
    """Store the review's forecast as the annotated tag ``name`` on HEAD; says so on
    stderr (stdout holds the review)."""
    from funnelctl.analysis.movement import snapshot
    from funnelctl.gitio import since as gs
    from funnelctl.render.movement import tag_text
    from funnelctl.store import StoreError

    snap = snapshot(deals, p, today, period)
    message = gs.with_forecast_block(tag_text(snap, p), snap.as_json())
    try:
        gs.make_tag(root, name, message)
    except StoreError as exc:
        fail(exc.message, exc.problems)
    err_console().print(_("tagged {name}: the forecast for {period} (git show {name})").format(
        name=name, period=formats.period(period)), markup=False)
