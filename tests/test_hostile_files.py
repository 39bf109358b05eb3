"""Files a collaborator may put in deals/: each is refused by path with one clear
line, never blocks or crashes a command, and the other deals keep working."""

from __future__ import annotations

import os
import sys

import pytest

from funnelctl.store import CACHE_DIR
from funnelctl.store.files import MAX_FILE_BYTES

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files")


def ids(world) -> list[str]:
    return [d["id"] for d in world.json("list")]


def left_out(world) -> str:
    res = world.run("validate")
    assert res.exit_code == 1
    return res.stdout


def test_a_fifo_named_like_a_deal_does_not_block(world) -> None:
    world.deal("a")
    os.mkfifo(world.root / "deals/x.yaml")
    assert ids(world) == ["a"]  # would block forever if the FIFO were opened to read
    assert "deals/x.yaml:1: not a regular file (a FIFO, device or folder): not read" \
        in left_out(world)


def test_a_file_name_that_is_not_utf8(world) -> None:
    world.deal("a")
    name = os.fsdecode(b"deals/\xff.yaml")
    (world.root / name).write_bytes(b"id: x\n")
    assert ids(world) == ["a"]
    assert "deals/\\xff.yaml:1: the file name is not valid UTF-8: rename it" in left_out(world)


def test_a_symlink_out_of_the_repository_is_not_read(world, tmp_path) -> None:
    world.deal("a")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text((world.root / "deals/a.yaml").read_text().replace("id: a", "id: o"))
    os.symlink(outside, world.root / "deals/o.yaml")
    os.symlink(world.root / "deals/nowhere.txt", world.root / "deals/gone.yaml")
    assert ids(world) == ["a"]
    out = left_out(world)
    assert "deals/o.yaml:1: a symlink that leads out of the repository: not read" in out
    assert "deals/gone.yaml:1: a symlink that leads nowhere" in out
    res = world.run("act", "o", "--kind", "visit", "--goal", "g", "--result", "r")
    assert res.exit_code == 1
    assert "a symlink that leads out of the repository" in res.stderr
    assert "id: o" in outside.read_text() and "actions" not in outside.read_text()


def test_a_symlinked_deal_inside_the_repository_is_written_where_it_leads(world) -> None:
    target = world.deal("real", folder="archive")
    os.symlink(target, world.root / "deals/link.yaml")
    # the link's name differs from the id: validate flags it, but it is a deal
    res = world.run("act", "real", "--kind", "visit", "--goal", "g", "--result", "r")
    assert res.exit_code == 0, res.output
    assert os.path.islink(world.root / "deals/link.yaml")
    assert "kind: visit" in target.read_text()


def test_a_file_over_the_size_limit_is_refused(world) -> None:
    world.deal("a")
    big = world.deal("big")
    with open(big, "a") as f:
        f.write("notes: " + "x" * MAX_FILE_BYTES + "\n")
    assert ids(world) == ["a"]
    out = left_out(world)
    assert f"deals/big.yaml:1: the file is {big.stat().st_size:,} bytes, over the limit " \
           f"of {MAX_FILE_BYTES:,}: not read" in out
    res = world.run("act", "big", "--kind", "visit", "--goal", "g", "--result", "r")
    assert res.exit_code == 1 and "over the limit" in res.stderr


def test_the_lock_falls_back_to_the_deals_folder_when_the_cache_cannot_hold_it(world) -> None:
    """A file where the cache folder should be: the write still happens, locked."""
    world.deal("a")
    (world.root / CACHE_DIR).write_text("not a folder")
    res = world.run("act", "a", "--kind", "visit", "--goal", "g", "--result", "r")
    assert res.exit_code == 0, res.output
    assert "kind: visit" in world.read("deals/a.yaml")


def test_a_write_that_cannot_lock_is_refused(world, monkeypatch) -> None:
    import fcntl

    world.deal("a")
    before = world.read("deals/a.yaml")

    def no_lock(fd, op):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_lock)
    res = world.run("act", "a", "--kind", "visit", "--goal", "g", "--result", "r")
    assert res.exit_code == 1
    assert res.stderr == "funnelctl: deals/a.yaml: cannot lock the deal " \
                         "(No locks available); nothing written\n"
    assert world.read("deals/a.yaml") == before


def test_a_killed_writes_temporary_file_is_removed_by_the_next_write(world) -> None:
    world.deal("a")
    stale = world.root / "deals/.a.yaml.k3j2h1.tmp"
    stale.write_text("half a deal")
    other = world.root / "deals/.b.yaml.zz.tmp"  # another deal's: not this write's to remove
    other.write_text("x")
    res = world.run("act", "a", "--kind", "visit", "--goal", "g", "--result", "r")
    assert res.exit_code == 0, res.output
    assert not stale.exists() and other.exists()


def test_init_never_writes_through_a_symlink(tmp_path) -> None:
    from typer.testing import CliRunner

    from funnelctl.cli.app import app

    runner = CliRunner()
    folder = tmp_path / "sales"
    folder.mkdir()
    outside = tmp_path / "elsewhere.yaml"
    os.symlink(outside, folder / "stages.yaml")  # dangling: it would create elsewhere.yaml
    res = runner.invoke(app, ["init", str(folder)])
    assert res.exit_code == 1
    assert res.stderr == f"funnelctl: {folder / 'stages.yaml'} is a symlink; nothing written\n"
    assert not outside.exists()
    os.unlink(folder / "stages.yaml")
    target = tmp_path / "shared.gitignore"
    target.write_text("keep\n")
    os.symlink(target, folder / ".gitignore")
    res = runner.invoke(app, ["init", str(folder)])
    assert res.exit_code == 1 and "is a symlink; nothing written" in res.stderr
    assert target.read_text() == "keep\n" and not (folder / "stages.yaml").exists()


def test_init_on_an_existing_pipeline_says_so(tmp_path) -> None:
    from typer.testing import CliRunner

    from funnelctl.cli.app import app

    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    before = (tmp_path / "stages.yaml").read_bytes()
    res = runner.invoke(app, ["init", str(tmp_path)])
    assert res.exit_code == 1
    assert res.stderr == f"funnelctl: {tmp_path / 'stages.yaml'} exists already; " \
                         "nothing written\n"
    assert (tmp_path / "stages.yaml").read_bytes() == before
    assert (tmp_path / ".gitignore").read_text() == ".funnelctl-cache/\n.*.tmp\n"


def test_the_size_limit_is_set_in_stages_yaml(world) -> None:
    world.deal("a")
    size = (world.root / "deals/a.yaml").stat().st_size
    stages = world.root / "stages.yaml"
    stages.write_text(stages.read_text() + f"max_file_bytes: {size - 1}\n")
    assert f"deals/a.yaml:1: the file is {size:,} bytes, over the limit of {size - 1:,}: " \
           "not read" in left_out(world)
    stages.write_text(stages.read_text().replace(f"max_file_bytes: {size - 1}",
                                                 "max_file_bytes: 0"))
    res = world.run("validate")
    assert res.exit_code == 1 and "max_file_bytes must be more than 0" in res.stderr


def test_a_missing_deals_folder_is_a_problem_not_an_empty_pipeline(world) -> None:
    (world.root / "deals").rmdir()
    res = world.run("validate")
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0] == ("deals:1: no deals/ folder beside stages.yaml: no "
                                          "deal can be read (funnelctl init makes one)")
    assert world.run("list").exit_code == 0  # the views still run: nothing to show


def test_new_refuses_an_id_that_differs_only_in_case(world) -> None:
    world.deal("acme-cooling", folder="east")
    res = world.run("new", "--id", "ACME-COOLING", "--account", "Acme", "--title", "T",
                    "--owner", "ann", "--amount", "5")
    assert res.exit_code == 1
    assert res.stderr == "funnelctl: a deal with id 'ACME-COOLING' exists already: " \
                         "deals/east/acme-cooling.yaml\n"
    assert not (world.root / "deals/ACME-COOLING.yaml").exists()


def test_a_problem_on_line_100_prints_no_emoji(world) -> None:
    """rich would turn ':100:' into an emoji: 'deals/emo.yaml💯 not valid YAML'."""
    world.deal("good")
    world.write("deals/emo.yaml", "id: emo\n" + "# note\n" * 97 + "title: [\n")  # reported on 100
    res = world.run("validate")
    assert res.exit_code == 1
    assert res.stdout.startswith("deals/emo.yaml:100: not valid YAML")
    res = world.run("list")
    assert "  deals/emo.yaml:100: not valid YAML" in res.stderr


def test_init_on_a_file_is_a_usage_error(tmp_path) -> None:
    from typer.testing import CliRunner

    from funnelctl.cli.app import app

    path = tmp_path / "notes.txt"
    path.write_text("x")
    res = CliRunner().invoke(app, ["init", str(path)])
    assert res.exit_code == 2
    assert res.stderr == f"funnelctl: {path} is a file: init sets up a folder\n"
    assert path.read_text() == "x"
