"""The languages funnelctl speaks: every message of the code has its Chinese
translation, the shipped catalog is the .po compiled, the language is chosen in
the documented order, and money, dates and plurals are written as each language
writes them."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
import typer

from funnelctl import i18n
from funnelctl.i18n import LOCALE_DIR, N_, _, formats, nformat, ngettext, startup

pytest.importorskip("babel")  # extraction needs Babel: pip install -e '.[test]'

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from funnelctl.i18n import build, extract

PKG = Path(i18n.__file__).resolve().parent.parent
PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "funnelctl.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "nformat": (1, 2)}
GETTEXT_NAMES = {"_", "ngettext", "nformat", "pgettext", "N_", "gettext"}


@pytest.fixture(autouse=True)
def english():
    i18n.activate("en")
    yield
    i18n.activate("en")


@pytest.fixture(scope="module")
def catalog():
    with open(PO, "rb") as f:
        return read_po(f, locale="zh_CN", domain="funnelctl")


def gettext_messages() -> list[tuple[str, int, str | tuple[str, ...], str | None]]:
    """(file, line, message, context) of every _/ngettext/nformat/pgettext/N_ call in
    funnelctl/."""
    return [(f, line, msg, ctx) for f, line, msg, _c, ctx in
            extract_from_dir(str(PKG), method_map=[("**.py", "python")], keywords=KEYWORDS)]


def help_texts() -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(PKG.rglob("*.py")):
        for line, text in extract.help_texts(path.read_text(encoding="utf-8")):
            out.append((str(path.relative_to(PKG)), line, text))
    return out


def translated(catalog, msgid: str, context: str | None = None) -> bool:
    msg = catalog.get(msgid, context=context)
    if msg is None or msg.fuzzy:
        return False
    forms = msg.string if isinstance(msg.string, tuple) else (msg.string,)
    return bool(forms) and all(forms)


def test_every_message_in_the_code_has_a_chinese_translation(catalog) -> None:
    messages = gettext_messages()
    assert len(messages) > 10  # the extraction sees the code (dates, labels, ids ...)
    missing = [f"funnelctl/{f}:{line}: {msg!r}" for f, line, msg, ctx in messages
               if not translated(catalog, msg[0] if isinstance(msg, tuple) else msg, ctx)]
    assert not missing, ("messages without a Chinese translation (run python -m "
                         "funnelctl.i18n.build, then translate):\n" + "\n".join(missing))


def test_every_help_text_has_a_chinese_translation(catalog) -> None:
    texts = help_texts()
    assert any(t == "Deal id." for _f, _l, t in texts)  # typer's help= is seen
    assert any(t.startswith("Record an action report") for _f, _l, t in texts)  # docstrings
    missing = [f"funnelctl/{f}:{line}: {text[:60]!r}" for f, line, text in texts
               if not translated(catalog, text)]
    assert not missing, ("help texts without a Chinese translation (run python -m "
                         "funnelctl.i18n.build, then translate):\n" + "\n".join(missing))


def test_plural_messages_have_their_chinese_form(catalog) -> None:
    assert catalog.num_plurals == 1  # Chinese: one form for every count
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    for m in plurals:
        assert isinstance(m.string, tuple) and len(m.string) == 1 and m.string[0], m.id


def _fields(text: str) -> set[str]:
    return {re.split(r"[!:]", f)[0] for f in re.findall(r"\{([^{}]*)\}", text)}


def test_translations_keep_the_placeholders(catalog) -> None:
    """A translation that drops or invents a {name} would lose a value or crash
    str.format at run time."""
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        for form in forms:
            assert _fields(form) == _fields(ids[-1]), (m.id, form)


def test_messages_are_literal_strings() -> None:
    """The catalog is found by the text: _(f"..."), _("a" + b) or _("{}".format(x))
    would never be translated. A name passed on (``_(FORMS)``) holds a message marked
    with N_ where it is written, which the extraction finds there."""
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else \
                node.func.attr if isinstance(node.func, ast.Attribute) else None
            if name not in GETTEXT_NAMES or (name == "_" and not node.args):
                continue
            texts = node.args[:2] if name in ("ngettext", "nformat", "pgettext") else node.args[:1]
            if path.parent.name == "i18n" and path.name == "__init__.py":
                continue  # the definitions pass their arguments on
            for arg in texts:
                if isinstance(arg, (ast.JoinedStr, ast.BinOp, ast.Call)) or (
                        isinstance(arg, ast.Constant) and not isinstance(arg.value, str)):
                    bad.append(f"{path.relative_to(PKG.parent)}:{node.lineno}: "
                               f"{ast.unparse(node)[:70]}")
    assert not bad, "\n".join(bad)


def test_the_shipped_mo_is_the_po_compiled() -> None:
    mo = PO.with_suffix(".mo")
    assert mo.read_bytes() == build.compiled("zh_CN"), \
        "funnelctl.mo is not funnelctl.po compiled: run python -m funnelctl.i18n.build"


def test_the_catalogs_are_package_data() -> None:
    text = (PKG.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert "i18n/locale/*/LC_MESSAGES/*.mo" in text


# -- choosing the language -----------------------------------------------------


@pytest.mark.parametrize("value, code", [
    ("zh", "zh_CN"), ("zh_CN", "zh_CN"), ("zh-CN", "zh_CN"), ("zh_CN.UTF-8", "zh_CN"),
    ("zh_Hans_CN", "zh_CN"), ("ZH", "zh_CN"), ("中文", "zh_CN"), ("en", "en"),
    ("en_US.UTF-8", "en"), ("en_GB", "en"), ("C", "en"), ("C.UTF-8", "en"), ("POSIX", "en"),
    ("fr_FR.UTF-8", None), ("zh_TW", None), ("", None), (None, None),
])
def test_normalize(value, code) -> None:
    assert i18n.normalize(value) == code


def test_the_language_is_chosen_in_the_documented_order() -> None:
    env = {"FUNNELCTL_LANG": "en", "LC_ALL": "zh_CN.UTF-8", "LANG": "fr_FR"}
    assert i18n.choose("zh", "en", env) == "zh_CN"  # --lang first
    assert i18n.choose(None, "zh", env) == "zh_CN"  # then stages.yaml's lang:
    assert i18n.choose(None, None, env) == "en"  # then FUNNELCTL_LANG
    assert i18n.choose(None, None, {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US"}) == "zh_CN"
    assert i18n.choose(None, None, {"LC_MESSAGES": "zh_CN", "LANG": "en_US"}) == "zh_CN"
    assert i18n.choose(None, None, {"LC_ALL": "en_US", "LC_MESSAGES": "zh_CN"}) == "en"
    assert i18n.choose(None, None, {"LANG": "zh_CN.UTF-8"}) == "zh_CN"
    assert i18n.choose(None, None, {"LANG": "fr_FR.UTF-8"}) == "en"  # unspoken: English
    assert i18n.choose(None, None, {}) == "en"


def test_a_language_asked_for_that_funnelctl_does_not_speak_is_refused() -> None:
    with pytest.raises(ValueError) as exc:
        i18n.choose("fr", None, {})
    assert str(exc.value) == ("--lang 'fr': not a language funnelctl speaks "
                              "(choose one of: en, zh (zh_CN))")
    with pytest.raises(ValueError, match="FUNNELCTL_LANG 'klingon'"):
        i18n.choose(None, None, {"FUNNELCTL_LANG": "klingon"})


def test_early_language_reads_the_command_line_stages_yaml_and_the_environment(
        tmp_path: Path) -> None:
    (tmp_path / "stages.yaml").write_text("currency: CNY\nlang: zh   # 中文\n", "utf-8")
    sub = tmp_path / "deals"
    sub.mkdir()
    assert startup.early_language([], {}, sub) == "zh_CN"  # the nearest stages.yaml
    assert startup.early_language(["list", "--lang", "en"], {}, sub) == "en"
    assert startup.early_language(["list", "--lang=en"], {}, sub) == "en"
    assert startup.early_language(["--lang", "fr", "list"], {}, sub) == "zh_CN"  # judged later
    assert startup.early_language(["list", "--", "--lang", "en"], {}, sub) == "zh_CN"
    elsewhere = tmp_path.parent
    assert startup.early_language([], {"LANG": "zh_CN.UTF-8"}, elsewhere) in ("zh_CN", "en")
    assert startup.early_language(["--dir", str(tmp_path)], {}, Path("/")) == "zh_CN"
    assert startup.early_language([], {"FUNNELCTL_DIR": str(tmp_path)}, Path("/")) == "zh_CN"
    assert startup.config_language("currency: EUR\n") is None
    assert startup.config_language("x:\n  lang: zh\n") is None  # not the top-level key
    assert startup.config_language("lang: 'zh_CN'\n") == "zh_CN"


def test_command_language_refuses_a_bad_option_and_ignores_a_bad_lang_line(
        tmp_path: Path) -> None:
    (tmp_path / "stages.yaml").write_text("lang: fr\n", "utf-8")
    assert startup.command_language(None, None, {"LANG": "zh_CN"}, tmp_path) == "zh_CN"
    with pytest.raises(ValueError):
        startup.command_language("fr", None, {}, tmp_path)


# -- messages, plurals, help ------------------------------------------------------


def test_chinese_messages_and_plurals() -> None:
    msg = "{text!r}: no such day"
    assert _(msg).format(text="2月30日") == "'2月30日': no such day"
    i18n.activate("zh_CN")
    assert i18n.current() == "zh_CN"
    assert _(msg).format(text="2月30日") == "'2月30日'：没有这一天"
    assert _("a message the catalog does not have") == "a message the catalog does not have"


def test_english_plurals_say_one_and_many() -> None:
    assert nformat("{n} more deal", "{n} more deals", 1) == "1 more deal"
    assert nformat("{n} more deal", "{n} more deals", 0) == "0 more deals"
    assert nformat("{n} more deal", "{n} more deals", 2) == "2 more deals"
    assert ngettext("deal", "deals", 1) == "deal"
    assert N_("heading") == "heading"
    i18n.activate("zh_CN")
    # one Chinese form for every count; a message the catalog lacks stays English
    assert nformat("… and {n} more", "… and {n} more", 1) == "……还有 1 个"
    assert nformat("… and {n} more", "… and {n} more", 3) == "……还有 3 个"
    assert ngettext("{n} widget", "{n} widgets", 1).format(n=1) == "1 widget"


class Catalog(gettext.NullTranslations):
    """A catalog made in the test: what it shows does not hang on the shipped one."""

    def __init__(self, messages: dict[str, str]):
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        return self.messages.get(message, message)


def help_app() -> typer.Typer:
    app = typer.Typer(rich_markup_mode=None)

    @app.command()
    def tick(deal: str = typer.Argument(..., help="Deal id."),
             evidence: str = typer.Option("", "-e", help="Who said what.")) -> None:
        """Tick a milestone. With evidence.

        Example: funnelctl tick acme-pumps budget_approved -e "CFO email"
        """

    @app.command()
    def other() -> None:
        """A text no catalog has."""

    return app


def run_help(monkeypatch, capsys, lang: str, *args: str) -> str:
    monkeypatch.setenv("FUNNELCTL_LANG", lang)
    monkeypatch.setattr("sys.argv", ["funnelctl", *args, "--help"])
    with pytest.raises(SystemExit):
        startup.run(help_app())
    return capsys.readouterr().out


def test_help_texts_are_shown_in_the_language(monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setitem(i18n._loaded, "zh_CN", Catalog({
        "Tick a milestone. With evidence.\n\nExample: funnelctl tick acme-pumps "
        "budget_approved -e \"CFO email\"": "勾选一个里程碑。附上证据。\n\n示例：funnelctl tick "
        "acme-pumps budget_approved -e \"CFO email\"",
        "Deal id.": "商机 id。", "Who said what.": "谁说了什么。"}))
    out = run_help(monkeypatch, capsys, "zh", "tick")
    assert "勾选一个里程碑。附上证据。" in out and "商机 id。" in out and "谁说了什么。" in out
    assert 'funnelctl tick acme-pumps budget_approved -e "CFO email"' in out
    listing = run_help(monkeypatch, capsys, "zh")
    assert re.search(r"tick +勾选一个里程碑\n", listing)  # the first sentence, whole
    assert re.search(r"other +A text no catalog has\.?\n", listing)
    english = run_help(monkeypatch, capsys, "en", "tick")
    assert "Tick a milestone. With evidence." in english and "Deal id." in english
    assert i18n.current() == "en"


def test_translating_twice_changes_nothing(monkeypatch) -> None:
    monkeypatch.setitem(i18n._loaded, "zh_CN", Catalog({"Deal id.": "商机 id。"}))
    i18n.activate("zh_CN")
    command = typer.main.get_command(help_app())
    startup.translate_help(command)
    startup.translate_help(command)
    assert command.commands["tick"].params[0].help == "商机 id。"


def test_chinese_help_is_wrapped_by_screen_cells() -> None:
    para = ("阶段跟随客户的采购流程，里程碑把关每一次推进，关键要素（需求、权力、目标、价值、"
            "协同）按检查点分级；漏斗、停滞和目标都由商机文件计算得出。")
    text = startup.wrap_wide("English stays\nas written.\n\n" + para + "\n\n示例：funnelctl "
                             "act acme-pumps --goal \"meet the\nCFO\"", width=40)
    english, chinese, example = text.split("\n\n")
    assert english == "English stays\nas written."  # left to click
    lines = chinese.split("\n")
    assert lines[0] == "\b"  # click keeps these lines as they are
    assert "".join(lines[1:]) == para
    assert all(startup._cells(line) <= 40 for line in lines[1:])
    assert not any(line.startswith(("，", "、", "。", "）")) for line in lines[1:])
    assert example.split("\n")[1:] == ["示例：funnelctl act acme-pumps --goal",
                                         '"meet the CFO"']  # words whole, lines joined


# -- money and dates -------------------------------------------------------------


@pytest.mark.parametrize("amount, text", [
    (0, "0"), (8500, "8500"), (9999, "9999"), (10000, "1万"), (800000, "80万"),
    (115000, "11.5万"), (123456, "12.3万"), (122500, "12.3万"),  # half up, not to even
    (1234550, "123.5万"), (12345678, "1234.6万"), (99999000, "9999.9万"),
    (99999600, "1亿"),  # the unit after rounding
    (120000000, "1.2亿"), (125000000, "1.3亿"), (1500000000, "15亿"), (-800000, "-80万"),
    (9999.5, "1万"), (None, "-"),
])
def test_money_in_chinese_counts_in_wan_and_yi(amount, text) -> None:
    assert formats.money(amount, "zh_CN") == text


def test_money_exact_and_in_english() -> None:
    assert formats.money(123456, "zh_CN", exact=True) == "12.3456万"
    assert formats.money(120000000, "zh_CN", exact=True) == "1.2亿"
    assert formats.money(8500.5, "zh_CN", exact=True) == "8500.5"
    assert formats.money(1234567, "zh_CN", places=2) == "123.46万"
    assert formats.money(1200000, "en") == "1,200,000"
    assert formats.money(1234.5, "en", exact=True) == "1,234.50"
    i18n.activate("zh_CN")
    assert formats.money(800000) == "80万"  # the active language by default


def test_dates_as_each_language_writes_them() -> None:
    d = dt.date(2026, 11, 24)
    assert formats.day(d) == "2026-11-24"
    assert formats.day(d, "zh_CN") == "2026年11月24日"
    assert formats.day(dt.date(2026, 1, 5), "zh_CN") == "2026年1月5日"
    assert formats.month_day(d, "en") == "11-24" and formats.month_day(d, "zh_CN") == "11月24日"
    assert formats.period("2026-11", "zh_CN") == "2026年11月"
    assert formats.period("2026-11", "en") == "2026-11"
    assert formats.weekday(d, "en") == "Tue" and formats.weekday(d, "zh_CN") == "周二"
    assert formats.days(12, "zh_CN") == "12天" and formats.days(12, "en") == "12d"
    assert formats.day(None) == "-"
