"""The conventions scripts and people rely on: global options before or after the
command's name, piped output never cut and free of trailing blanks, NO_COLOR, a
write's --json, exit 2 with the choices for a bad option value (1 for bad data),
and click's own words in the language funnelctl speaks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from rich.text import Text
from typer.testing import CliRunner

from funnelctl import i18n
from funnelctl.cli.app import app, hoisted
from funnelctl.cli.common import changed_between, changed_paths
from funnelctl.i18n import startup
from funnelctl.render.lines import Col, Output, TrimmedLines, table

from .conftest import World, copy_sample

ROOT = typer.main.get_command(app)
TODAY = "2026-11-24"
PROG = "python -m funnelctl"  # what click calls funnelctl run as ``python -m funnelctl``


@pytest.fixture(autouse=True)
def english():
    i18n.activate("en")
    yield
    i18n.activate("en")


def funnelctl(*args: str, cwd: Path, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess:
    """funnelctl as its own process, stdout a pipe."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("FUNNELCTL_", "LC_", "FORCE_COLOR", "TTY_"))
            and k not in ("LANG", "LANGUAGE", "NO_COLOR", "COLUMNS")}
    return subprocess.run([sys.executable, "-m", "funnelctl", *args], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8",
                          env={**base, "LANG": "C.UTF-8", "COLUMNS": "80", **(env or {})})


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's sample pipeline in git (history and audit read
    it), its parse cache filled once."""
    root = copy_sample(tmp_path_factory.mktemp("conventions") / "sample")
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "sample"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    return root


def run_in(root: Path, *args: str, env: dict[str, str] | None = None):
    """funnelctl in this process, on ``root``, stdout no terminal."""
    base = {"FUNNELCTL_DIR": str(root), "COLUMNS": "80", "NO_COLOR": "1",
            "FUNNELCTL_TODAY": None, "FUNNELCTL_LANG": "en", "FORCE_COLOR": None}
    return CliRunner().invoke(app, list(args), env={**base, **(env or {})},
                              catch_exceptions=False)


# -- global options before or after the command's name --------------------------------


@pytest.mark.parametrize(("typed", "parsed"), [
    ("review --today 2026-11-24", "--today 2026-11-24 review"),
    ("review --owner li.wei --today=2026-11-24 --no-cache",
     "--today=2026-11-24 --no-cache review --owner li.wei"),
    ("contact add d1 Ann --dir /p --role CFO", "--dir /p contact add d1 Ann --role CFO"),
    ("stalls -C/p --lang zh", "-C/p --lang zh stalls"),
    # a write without a --json of its own takes the global one: what it changed
    ("act d1 -k visit --json", "--json act d1 -k visit"),
    # list has its own: before or after the name, it is list's
    ("list --json", "list --json"),
    ("--json list --owner ann", "list --json --owner ann"),
    ("--json contact add d1 Ann", "--json contact add d1 Ann"),
    # report has none and writes no deal: click refuses it where it belongs
    ("--json report --html r.html", "report --json --html r.html"),
    # an option's value is the option's, whatever it looks like
    ("act d1 -k visit --goal --today", "act d1 -k visit --goal --today"),
    ("act d1 -k visit --goal --json", "act d1 -k visit --goal --json"),
    # a global option without its value stays: click says what is missing
    ("list --today", "list --today"),
    # after --, words are arguments
    ("show -- --today x", "show -- --today x"),
    # the later of two wins, as click's last value wins
    ("--today 2026-01-01 list --today 2026-11-24",
     "--today 2026-01-01 --today 2026-11-24 list"),
    ("--help", "--help"),
    ("lisst --today x", "lisst --today x"),
])
def test_global_options_move_before_the_command_name(typed: str, parsed: str) -> None:
    assert hoisted(ROOT, typed.split()) == parsed.split()


def test_global_options_after_the_command_name_take_effect(world: World) -> None:
    world.deal("d1", stage="lead")  # in lead since 2026-11-01
    before = world.runner.invoke(app, ["--dir", str(world.root), "--today", "2026-12-24",
                                       "list", "--json"])
    after = world.runner.invoke(app, ["list", "--json", "--today", "2026-12-24",
                                      "--dir", str(world.root)])
    assert before.exit_code == after.exit_code == 0
    assert json.loads(after.stdout) == json.loads(before.stdout)
    assert json.loads(after.stdout)[0]["days_in_stage"] == 53
    res = world.runner.invoke(app, ["contact", "add", "d1", "Ann Lee", "--role", "CFO",
                                    "--today", TODAY, "--dir", str(world.root)])
    assert res.exit_code == 0, res.output
    assert "Ann Lee" in world.read("deals/d1.yaml")


def test_global_options_after_the_command_in_a_real_process(sample: Path,
                                                            tmp_path: Path) -> None:
    res = funnelctl("list", "--json", "--owner", "zhang.min", "--today", TODAY, "--dir",
                    str(sample), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert {d["owner"] for d in json.loads(res.stdout)} == {"zhang.min"}


# -- piped output -----------------------------------------------------------------------


def test_piped_list_keeps_every_cell_whole(sample: Path) -> None:
    res = funnelctl("--today", TODAY, "list", cwd=sample)
    assert res.returncode == 0, res.stderr
    carpathia = [line for line in res.stdout.splitlines() if "Carpathia Timber" in line]
    assert len(carpathia) == 8  # 80 columns used to cut the account to "Carpath…"
    assert "…" not in res.stdout
    assert "carpathia-cold      Carpathia Timber    cold-chain contract 2027" in res.stdout


READ_COMMANDS = [
    ["list"], ["plan"], ["show", "huanghe-cement"], ["funnel"], ["funnel", "--by", "owner"],
    ["board"], ["stalls"], ["stalls", "--by", "owner"], ["target"],
    ["target", "10", "--owner", "anna.berg"], ["forecast"], ["forecast", "--backtest"],
    ["review"], ["day"], ["month"], ["losses"], ["validate"], ["account", "Alpine Dairy"],
    ["strategy", "hansa-warehouse"], ["load"], ["history", "alpine-fleet"], ["audit"],
    ["review", "--format", "md"], ["stalls", "--format", "md"], ["day", "--format", "md"],
    ["month", "--format", "md"], ["account", "Alpine Dairy", "--format", "md"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_piped_output_has_no_trailing_blanks(sample: Path, args: list[str]) -> None:
    res = run_in(sample, "--today", TODAY, *args)
    assert res.exit_code in (0, 1), res.output  # validate finds the sample's problems
    assert res.stdout.strip()
    blank_ended = [line for line in res.stdout.splitlines() if line != line.rstrip()]
    assert not blank_ended


def test_piped_rich_tables_keep_every_cell_whole(sample: Path) -> None:
    # plan and show are rich tables: a long step and a long goal are not folded
    plan = run_in(sample, "--today", TODAY, "plan").stdout
    assert re.search(r"^2026-11-12 \(12d late\) +rhein-cooling +Rhein Logistics +anna\.berg"
                     r" +send the revised offer$", plan, re.M)
    account = run_in(sample, "--today", TODAY, "account", "Alpine Dairy").stdout
    assert "Li Chen      plant director, purchasing manager  decides + veto" in account


def test_on_a_terminal_cells_are_cut_to_the_screen(sample: Path) -> None:
    res = run_in(sample, "--today", TODAY, "list", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "Carpath…" in res.stdout  # the screen is 80 columns: as before


def test_a_table_is_whole_only_for_output_that_is_no_terminal() -> None:
    rows = [["华东重工 Acme Pumps Industries", "li"]]
    cols = [Col("account", max_width=10), Col("note", fold=True)]
    assert table(cols, rows, 40)[1] == "华东重工 …  li"
    piped = Output(file=_Sink(), width=40, color_system=None)
    assert piped.uncut and isinstance(piped.file, TrimmedLines)
    screen = Output(file=_Sink(), width=40, force_terminal=True, color_system=None)
    assert not screen.uncut and not isinstance(screen.file, TrimmedLines)

    from funnelctl.render.lines import buffered

    @buffered
    def view(con, rows):
        con.lines(table(cols, rows, con.width))

    view(piped, rows)
    view(screen, rows)
    assert piped.file.stream.text == "account" + " " * 25 + "note\n" \
                                     "华东重工 Acme Pumps Industries  li\n"
    assert screen.file.text.splitlines()[1] == "华东重工 …  li"


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def test_trimmed_lines_drop_the_blanks_that_end_each_line() -> None:
    sink = _Sink()
    out = TrimmedLines(sink)
    for chunk in ("a  b   ", "  \nc ", "d  ", "\n", "   ", "e\n  "):
        out.write(chunk)
    assert sink.text == "a  b\nc d\n   e\n"


# -- NO_COLOR -------------------------------------------------------------------------


def test_no_color_turns_off_every_style(sample: Path) -> None:
    styled = run_in(sample, "--today", TODAY, "funnel", env={"FORCE_COLOR": "1",
                                                             "NO_COLOR": None})
    assert "\x1b[1m" in styled.stdout and "\x1b[36m" in styled.stdout  # bold, cyan
    plain = run_in(sample, "--today", TODAY, "funnel", env={"FORCE_COLOR": "1",
                                                            "NO_COLOR": "1"})
    assert "\x1b[" not in plain.stdout  # bold and dim gone too, not only the colours
    assert Text.from_ansi(styled.stdout).plain.splitlines()[0].rstrip() == \
        plain.stdout.splitlines()[0].rstrip()
    refused = run_in(sample, "show", "no-such-deal", env={"FORCE_COLOR": "1", "NO_COLOR": "x"})
    assert refused.exit_code == 1 and "\x1b[" not in refused.stderr
    assert "no deal 'no-such-deal'" in refused.stderr


# -- a write's --json -----------------------------------------------------------------


def test_changed_paths() -> None:
    before = {"stage": "lead", "levels": {"need": {"level": 1}}, "actions": [1],
              "next": {"date": "x"}}
    after = {"stage": "nurture", "levels": {"need": {"level": 2}, "power": {"level": 1}},
             "actions": [1, 2], "history": []}
    assert changed_paths(before, after) == ["stage", "levels.need", "levels.power",
                                            "actions", "next", "history"]
    assert changed_paths(before, before) == []
    assert changed_paths({}, {"milestones": {"a": 1}}) == ["milestones"]
    # a file edited by hand (edit): its two versions as read
    assert changed_between(b"id: a\nstage: lead\nlevels:\n  need: {level: 1}\n",
                           b"id: a\nstage: nurture\nlevels:\n  need: {level: 2}\n") == \
        ["stage", "levels.need"]
    assert changed_between(b"id: a\n", b"id: a\n") == []


def json_lines(res) -> list[dict]:
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines()]


def test_write_commands_print_what_they_changed_as_json(world: World) -> None:
    stages = world.read("stages.yaml").replace("    requires:\n      power: 3\n",
                                               "    requires:\n      power: 3\n"
                                               "    roles: [presales]\n")
    world.write("stages.yaml", stages)
    world.deal("d1", stage="lead")
    world.deal("d2", stage="negotiation", history=[("lead", "2026-09-01"),
                                                   ("negotiation", "2026-10-01")])
    path = "deals/d1.yaml"
    steps = [
        (["act", "d1", "-k", "visit", "-g", "meet", "-r", "met"], ["actions"]),
        (["act", "d1", "-k", "call", "-g", "book", "-r", "booked", "--next",
          "2026-12-01: visit"], ["actions", "next"]),
        (["tick", "d1", "need_identified", "-e", "email"], ["milestones"]),  # the first
        (["score", "d1", "need", "2", "-e", "visit"], ["levels"]),
        (["score", "d1", "need", "3", "-e", "visit"], ["levels.need"]),
        (["advance", "d1"], ["stage", "history"]),
        (["snooze", "d1", "--until", "2027-01-10", "--reason", "budget"], ["snooze"]),
        (["contact", "add", "d1", "Ann Lee", "--role", "CFO"], ["contacts"]),
        (["contact", "set", "d1", "Ann Lee", "--met", "2026-11-20"], ["contacts"]),
        (["contact", "set", "d1", "Ann Lee", "--met", "2026-11-20"], []),  # says so already
        (["assign", "d1", "presales", "bob"], ["roles"]),
        (["check", "d1", "--note", "budget in Q1", "--manager", "mia"], ["manager_checks"]),
        (["lose", "d1", "--reason", "no_decision"], ["status", "next", "snooze", "outcome"]),
    ]
    for args, changed in steps:
        res = world.run(*args, "--json")
        assert json_lines(res) == [{"id": "d1", "path": path, "changed": changed}], args
    # before the command's name too, and a deal found by its title
    res = world.runner.invoke(app, ["--json", "--dir", str(world.root), "--today", TODAY,
                                    "win", "T d2", "--force", "--reason", "signed early"])
    assert json_lines(res) == [{"id": "d2", "path": "deals/d2.yaml",
                                "changed": ["stage", "status", "history", "outcome"]}]
    # without --json, the words as before
    world.deal("d3")
    assert world.run("tick", "d3", "need_identified").stdout == \
        "d3: ticked need_identified (deals/d3.yaml)\n"


def test_a_committed_write_names_its_commit(world: World) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}
    for args in (["init", "-q"], ["config", "user.name", "Ann"],
                 ["config", "user.email", "ann@example.com"]):
        subprocess.run(["git", *args], cwd=world.root, check=True, env=env)
    world.deal("d1")
    subprocess.run(["git", "add", "-A"], cwd=world.root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "d1"], cwd=world.root, check=True, env=env)
    [record] = json_lines(world.run("tick", "d1", "need_identified", "--commit", "--json"))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=world.root, check=True,
                          capture_output=True, text=True).stdout.strip()
    assert record == {"id": "d1", "path": "deals/d1.yaml", "changed": ["milestones"],
                      "commit": head}


def test_json_on_a_command_without_json_output_is_refused(world: World) -> None:
    res = world.run("report", "--html", "r.html", "--json")
    assert res.exit_code == 2 and "No such option: --json" in res.output


# -- exit codes -----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "shown"), [
    (["list", "--status", "bogus"], "'bogus' is not one of 'open', 'won', 'lost'"),
    (["review", "--format", "html"], "'html' is not one of 'text', 'md'"),
    (["funnel", "--by", "stage"], "'stage' is not one of 'owner'"),
    (["forecast", "--rates", "foo"], "'foo' is not one of 'config', 'history'"),
    (["--today", "2026-02-30", "list"], "--today: '2026-02-30': no such day"),
    (["list", "--today", "2026-02-30"], "--today: '2026-02-30': no such day"),
    (["list", "--today", "3000-01-01"], "--today: 3000-01-01 is outside 1900-01-01 .. 2999-12-31"),
    (["act", "d1", "-k", "visit", "-g", "x", "--date", "2026-02-30"],
     "--date: '2026-02-30': no such day"),
    (["target", "--period", "2026-13"], "--period '2026-13': expected YYYY-MM"),
    (["--lang", "fr", "list"], "not a language funnelctl speaks (choose one of: en, zh"),
])
def test_a_bad_option_value_exits_2_with_what_is_allowed(world: World, args: list[str],
                                                         shown: str) -> None:
    world.deal("d1")
    res = world.runner.invoke(app, ["--dir", str(world.root), *args])
    assert res.exit_code == 2, res.output
    assert shown in res.output


def test_bad_data_exits_1(world: World) -> None:
    world.deal("d1")
    world.write("deals/d2.yaml", "id: d2\nstage: nowhere\n")
    res = world.run("validate")
    assert res.exit_code == 1 and "deals/d2.yaml:" in res.output
    res = world.run("show", "d2")
    assert res.exit_code == 1 and "d2" in res.stderr


# -- click's own words in Chinese -----------------------------------------------------


def test_click_messages_are_read_back_into_their_templates() -> None:
    i18n.activate("zh_CN")
    assert startup.click_message(
        "Invalid value for '--status': 'bogus' is not one of 'open', 'won', 'lost'.") == \
        "'--status' 的值无效：'bogus' 不是可选的值（可选：'open', 'won', 'lost'）。"
    assert startup.click_message("No such command 'lisst'. Did you mean 'list'?") == \
        "没有这个命令 'lisst'。是不是要输入 'list'？"
    assert startup.click_message("Missing argument 'deal'.") == "缺少参数 'deal'。"
    assert startup.click_message("something click never said") == "something click never said"
    i18n.activate("en")
    assert startup.click_message("Missing argument 'deal'.") == "Missing argument 'deal'."


@pytest.mark.parametrize("args", [
    ["list", "--status", "bogus"], ["list", "--bogus"], ["lisst"], ["act"],
    ["win", "d1", "--amount", "abc"], ["win", "d1", "--amount", "-5"], ["list", "extra"],
    ["list", "--owner"], ["import", "no-such.csv"],
])
def test_every_error_click_gives_has_a_template(world: World, args: list[str]) -> None:
    """What click says (in English, as typer's click writes it) is one of the templates:
    a newer click that words a message differently fails here, not on a user's screen."""
    from typer import _click

    command = typer.main.get_command(app)
    with pytest.raises(_click.exceptions.ClickException) as info:
        command.main(["--dir", str(world.root), *args], standalone_mode=False)
    message = info.value.format_message()
    i18n.activate("zh_CN")
    translated = startup.click_message(message)
    assert translated != message and not re.search(r"\b(?!\d)[A-Za-z]{3,}\b",
                                                   _values_out(translated)), translated


def _values_out(text: str) -> str:
    """A message without its values: what click quoted, option names, numbers."""
    return re.sub(r"'[^']*'|\"[^\"]*\"|--?[\w-]+|（[^（）]*）$|\S*\d\S*", "", text)


def test_chinese_usage_error_in_a_real_process(sample: Path) -> None:
    res = funnelctl("--lang", "zh", "list", "--status", "bogus", cwd=sample)
    assert res.returncode == 2
    assert res.stderr.replace(PROG, "funnelctl").splitlines() == [
        "用法：funnelctl list [选项]",
        "运行 'funnelctl list --help' 查看帮助。",
        "",
        "错误：'--status' 的值无效：'bogus' 不是可选的值（可选：'open', 'won', 'lost'）。",
    ]
    english = funnelctl("list", "--status", "bogus", cwd=sample)
    assert english.returncode == 2
    assert english.stderr.replace(PROG, "funnelctl").splitlines()[0] == \
        "Usage: funnelctl list [OPTIONS]"


def test_chinese_help_has_no_english_of_click(sample: Path) -> None:
    res = funnelctl("--lang", "zh", "list", "--help", cwd=sample)
    assert res.returncode == 0
    out = res.stdout.replace(PROG, "funnelctl")
    assert out.startswith("用法：funnelctl list [选项]\n")
    assert "\n选项：\n" in out and "显示本帮助并退出。" in out
    for word in ("Usage", "Options", "Show this message"):
        assert word not in out
    top = funnelctl("--lang", "zh", "--help", cwd=sample).stdout.replace(PROG, "funnelctl")
    assert "用法：funnelctl [选项] 命令 [参数]..." in top and "\n命令：\n" in top
    assert re.search(r"\[环境变量：\s*FUNNELCTL_TODAY\]", top)
    assert "env var" not in top and "Install completion" not in top
    # Chinese lines wrapped by screen cells (a comma may end a full line: 2 cells more)
    wide = [line for line in top.splitlines() if _cells(line) > 82]
    assert not wide
    assert max(_cells(line) for line in top.splitlines()) > 70
    group = funnelctl("--lang", "zh", "contact", cwd=sample)  # a group without its command
    assert group.returncode == 2
    assert "\n命令：\n" in group.stderr and "Usage" not in group.stderr


def _cells(text: str) -> int:
    return sum(2 if re.match(r"[\u2e80-\u9fff\uff00-\uffef]", ch) else 1 for ch in text)


def test_english_help_is_click_s_own(sample: Path) -> None:
    out = funnelctl("list", "--help", cwd=sample).stdout.replace(PROG, "funnelctl")
    assert out.startswith("Usage: funnelctl list [OPTIONS]\n")
    assert "\nOptions:\n" in out and "Show this message and exit." in out

