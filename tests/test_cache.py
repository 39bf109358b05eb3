"""The parse cache saves time and never changes an answer."""

from __future__ import annotations

import os
import shutil
import time
import uuid

from funnelctl.store import CACHE_DIR, cache

VIEWS = [["funnel"], ["stalls"], ["review"], ["target", "10"], ["forecast", "--backtest"],
         ["list"], ["plan"], ["board"], ["validate"], ["funnel", "--by", "owner"]]


def age(world, seconds: float = 10) -> None:
    """Make every deal file older than the cache's racy window."""
    past = time.time() - seconds
    for path in (world.root / "deals").rglob("*.yaml"):
        os.utime(path, (past, past))


def pipeline(world) -> None:
    world.deal("a", history=[("lead", "2026-10-01")], amount=500)
    world.deal("b", stage="nurture", owner="bob", folder="east",
               history=[("lead", "2026-10-01"), ("nurture", "2026-11-20")],
               extra="milestones:\n  need_identified: {date: 2026-10-02}\n"
                     "levels:\n  need: {level: 2, date: 2026-10-02}\n"
                     "next: {date: 2026-11-22, step: call}\n")
    world.deal("w", stage="won", status="won", history=[("lead", "2026-09-01"),
                                                          ("won", "2026-11-20")],
               extra="outcome: {date: 2026-11-20}\n")
    world.write("deals/broken.yaml", "id: [\n")
    age(world)


def all_json(world, cache_on: bool) -> list:
    out = []
    for view in VIEWS:
        res = world.run(*view, "--json", cache=cache_on)
        assert res.exit_code in (0, 1), res.output
        out.append(res.stdout)
    return out


def test_every_view_is_the_same_with_and_without_the_cache(world) -> None:
    pipeline(world)
    cold = all_json(world, cache_on=False)
    assert not (world.root / CACHE_DIR).exists()
    first = all_json(world, cache_on=True)  # builds the cache
    assert (world.root / CACHE_DIR / ".gitignore").read_text() == "*\n"
    warm = all_json(world, cache_on=True)  # reads it
    assert cold == first == warm


def test_a_changed_file_is_parsed_again(world) -> None:
    pipeline(world)
    assert world.json("list")[0]["amount"] == 500
    path = world.root / "deals/a.yaml"
    path.write_text(path.read_text().replace("amount: 500", "amount: 7000"))
    assert world.json("list")[0]["amount"] == 7000
    path.unlink()
    assert [d["id"] for d in world.json("list")] == ["b", "w"]


def test_a_warm_run_parses_nothing(world, monkeypatch) -> None:
    pipeline(world)
    world.json("list")
    calls = []
    monkeypatch.setattr(cache, "_parse_many",
                        lambda root, p, todo, progress: calls.append(todo) or [])
    assert [d["id"] for d in world.json("list")] == ["a", "b", "w"]
    assert calls == [[]]


def test_corrupt_or_foreign_cache_is_rebuilt(world) -> None:
    pipeline(world)
    before = world.json("stalls")
    for shard in (world.root / CACHE_DIR).glob("*.msgpack"):
        shard.write_bytes(b"not msgpack")
    assert world.json("stalls") == before
    (world.root / "stages.yaml").write_text(
        (world.root / "stages.yaml").read_text().replace("stall_days: 30", "stall_days: 60", 1))
    # a stalled deal is judged against the new threshold: the cache did not answer
    kinds = {(w["deal"], w["kind"]) for w in world.json("stalls")["warnings"]}
    assert ("a", "stalled") in {(w["deal"], w["kind"]) for w in before["warnings"]}
    assert ("a", "stalled") not in kinds


def test_a_cache_filled_by_other_code_is_ignored(world, monkeypatch) -> None:
    pipeline(world)
    world.json("list")
    monkeypatch.setattr(cache, "code_hash", lambda: "other code")
    calls = []
    real = cache._parse_many
    monkeypatch.setattr(cache, "_parse_many",
                        lambda *a: calls.append(len(a[2])) or real(*a))
    world.json("list")
    assert calls == [4]


def test_the_parallel_cold_parse_gives_the_same_answer(world, monkeypatch, tmp_path) -> None:
    pipeline(world)
    for i in range(12):
        world.deal(f"x{i}", owner=f"o{i % 3}", history=[("lead", f"2026-11-{i + 1:02d}")])
    age(world)
    # each part records the process that parsed it and its size, in a file (a
    # forked child's memory is its own)
    real_part = cache._parse_part
    seen = tmp_path / "parsers"

    def part(root, rows, *args):
        (seen / f"{os.getpid()}-{uuid.uuid4().hex}").write_text(str(len(rows)))
        return real_part(root, rows, *args)

    monkeypatch.setattr(cache, "_parse_part", part)

    def parsers() -> tuple[set[int], int]:
        files = list(seen.iterdir())
        return ({int(f.name.split("-")[0]) for f in files},
                sum(int(f.read_text()) for f in files))

    seen.mkdir()
    serial = all_json(world, cache_on=False)
    serial_pids, serial_parsed = parsers()
    assert serial_pids == {os.getpid()}
    shutil.rmtree(seen)
    seen.mkdir()
    monkeypatch.setattr(cache, "PARALLEL_FROM", 1)
    assert all_json(world, cache_on=False) == serial
    pids, parsed = parsers()
    assert parsed == serial_parsed, "every file parsed once"
    if (os.cpu_count() or 1) > 1:
        assert os.getpid() in pids, "this process parses a part too"
        assert pids - {os.getpid()}, "forked children parse the other parts"


def test_a_cache_that_cannot_be_written_only_costs_time(world, monkeypatch) -> None:
    pipeline(world)

    def refuse(path, data, durable=True):
        raise PermissionError(13, "read-only file system")

    monkeypatch.setattr(cache, "atomic_write_bytes", refuse)
    assert [d["id"] for d in world.json("list")] == ["a", "b", "w"]
    assert not list((world.root / CACHE_DIR).glob("*.msgpack"))


def test_the_listing_made_by_a_forked_child_is_the_one_made_here(world, monkeypatch) -> None:
    """A large cache is read while a child lists and stats the files: the answer, a
    change and a deletion are seen exactly as without the child."""
    import sys

    if sys.platform != "linux":
        return
    pipeline(world)
    world.write("deals/.hidden/x.yaml", "not: a deal\n")  # hidden folders are skipped
    before = all_json(world, cache_on=True)
    monkeypatch.setattr(cache, "FORK_LISTING_FROM", 1)  # any cache at all: fork
    forked = []
    real = cache._listing
    monkeypatch.setattr(cache, "_listing", lambda root, paths: forked.append(
        sum(p.exists() for p in paths)) or real(root, paths))
    assert all_json(world, cache_on=True) == before
    assert forked and forked[0] > 0
    from funnelctl.store import deal_files

    shards = [world.root / CACHE_DIR / f"{i:02x}.msgpack" for i in range(cache.SHARDS)]
    assert real(world.root, shards)() == deal_files(world.root)
    path = world.root / "deals/a.yaml"
    path.write_text(path.read_text().replace("amount: 500", "amount: 7000"))
    (world.root / "deals/w.yaml").unlink()
    assert [(d["id"], d["amount"]) for d in world.json("list")] == [("a", 7000), ("b", 1000)]


class Planted:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_planted_pickle_in_the_cache_never_runs(world, tmp_path) -> None:
    """A collaborator commits crafted pickles into .funnelctl-cache/ (git add -f), as
    the pipeline, as every shard and under the cache's own names: no command runs
    them, and every answer is the one without a cache."""
    import pickle

    pipeline(world)
    expected = all_json(world, cache_on=False)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Planted(str(marker)))
    folder = world.root / CACHE_DIR
    folder.mkdir(exist_ok=True)
    names = ["pipeline.pickle", "pipeline.msgpack"]
    names += [f"{i:02x}.{ext}" for i in range(cache.SHARDS) for ext in ("pickle", "msgpack")]
    for name in names:
        (folder / name).write_bytes(payload)
    for view in (["list"], ["validate"], ["stalls"], ["show", "a"]):
        world.run(*view)
    assert not marker.exists()
    assert all_json(world, cache_on=True) == expected
    assert not marker.exists()


def test_a_change_that_keeps_size_and_mtime_is_seen(world) -> None:
    """cp -p, rsync -a and unpacked archives restore the mtime: the ctime and inode
    still tell the file changed."""
    pipeline(world)
    assert world.json("list")[0]["amount"] == 500
    path = world.root / "deals/a.yaml"
    st = path.stat()
    path.write_text(path.read_text().replace("amount: 500", "amount: 900"))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert world.json("list")[0]["amount"] == 900


def test_a_file_changed_within_the_racy_window_is_not_trusted(world) -> None:
    """A file written in the same clock tick as the scan may change again without its
    mtime moving: its answer is not kept, so the next run parses it again."""
    world.deal("a", history=[("lead", "2026-10-01")], amount=500)  # written just now
    world.json("list")
    entries = {}
    for shard in (world.root / CACHE_DIR).glob("[0-9a-f][0-9a-f].msgpack"):
        entries.update(cache._shard_decoder.decode(shard.read_bytes()).entries)
    assert "deals/a.yaml" not in entries
    age(world)
    world.json("list")
    for shard in (world.root / CACHE_DIR).glob("[0-9a-f][0-9a-f].msgpack"):
        entries.update(cache._shard_decoder.decode(shard.read_bytes()).entries)
    assert "deals/a.yaml" in entries


def test_the_code_hash_changes_with_the_code(tmp_path) -> None:
    """The cache is keyed by funnelctl's own source: a new rule in checks.py (or any
    edit) makes every cached answer stale."""
    import shutil

    package = tmp_path / "funnelctl"
    shutil.copytree(os.path.dirname(cache.__file__) + "/..", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = cache.tree_hash(str(package))
    assert cache.tree_hash(str(package)) == before
    with open(package / "checks.py", "a") as f:
        f.write("\nCHECKS.append(lambda deal, p: [((), 'new rule')])\n")
    assert cache.tree_hash(str(package)) != before
    assert cache.code_hash.__wrapped__() == cache.tree_hash(
        os.path.dirname(os.path.dirname(cache.__file__)))


def test_each_language_has_its_own_shards(world) -> None:
    """A deal's problems are cached in the words they are shown in: a run in Chinese
    neither reads nor overwrites the English shards, and both stay warm."""
    from funnelctl import i18n

    pipeline(world)
    world.deal("late", history=[("lead", "2026-11-01"), ("qualified", "2026-10-01")])
    age(world)
    try:
        english = world.run("validate", cache=True)
        zh = world.run("--lang", "zh", "validate", cache=True)
        assert "但商机已经过了这个阶段" in zh.stdout and zh.stdout != english.stdout
        cache_dir = world.root / CACHE_DIR
        assert list(cache_dir.glob("[0-9a-f][0-9a-f].msgpack"))
        assert list(cache_dir.glob("[0-9a-f][0-9a-f].zh_CN.msgpack"))
        again = world.run("--lang", "en", "validate", cache=True)
        assert again.stdout == english.stdout
        assert world.run("--lang", "zh", "validate", cache=True).stdout == zh.stdout
    finally:
        i18n.activate("en")
