"""The language funnelctl speaks: English or Simplified Chinese, chosen once at the
command line (like today's date) and used by every message through ``_`` and
``ngettext``, the standard library's gettext over the compiled catalogs shipped in
``funnelctl/i18n/locale``.

The messages in the code are English (the msgids); ``zh_CN`` has a catalog. The
language is, in this order: ``--lang``, ``lang:`` in stages.yaml,
``FUNNELCTL_LANG``, then the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as POSIX
orders them); English when none names a language funnelctl speaks.

Writing a message:

- ``_("Deal {id} is stalled").format(id=d.id)``: a literal string, placeholders
  named in braces and filled after the lookup (never an f-string: the catalog
  could not find it);
- ``nformat("{n} more deal", "{n} more deals", n)`` for a count: the catalog has one
  form in Chinese, two in English;
- ``N_("...")`` marks a string that is looked up later (a table of headings);
- help texts and command docstrings stay plain strings: ``i18n.startup`` translates
  them when the command tree is built, and ``i18n.extract`` finds them.

The catalogs (see ``python -m funnelctl.i18n.build``): ``locale/zh_CN/LC_MESSAGES/
funnelctl.po`` is the source, edited by hand; ``funnelctl.mo`` is compiled from it
and shipped in the package; tests/test_i18n.py fails when a message has no Chinese
translation or the .mo is older than the .po.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DOMAIN = "funnelctl"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# the languages funnelctl speaks: code -> its own name for itself
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
DEFAULT = "en"

# what people write for a language, lower case, '-' and '_' alike
_ALIASES = {
    "en": "en", "english": "en", "c": "en", "posix": "en",
    "zh": "zh_CN", "zh_cn": "zh_CN", "zh_hans": "zh_CN", "zh_hans_cn": "zh_CN",
    "zh_sg": "zh_CN", "chinese": "zh_CN", "cn": "zh_CN", "中文": "zh_CN",
    "简体中文": "zh_CN",
}


def normalize(value: str | None) -> str | None:
    """The language code funnelctl uses for what a person or a locale wrote
    (``zh``, ``zh-CN``, ``zh_CN.UTF-8``, ``en_US.utf8``, ``C``), or None when it
    names no language funnelctl speaks (``fr_FR``, ``zh_TW``: traditional
    characters are a language of their own)."""
    if not value:
        return None
    code = value.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if code in _ALIASES:
        return _ALIASES[code]
    if code.startswith("en_"):
        return "en"
    return None


def choices() -> str:
    """The values ``--lang`` and ``lang:`` take, for an error message."""
    return "en, zh (zh_CN)"


def choose(option: str | None = None, config: str | None = None,
           environ: Mapping[str, str] | None = None) -> str:
    """The language of this run: ``option`` (--lang), ``config`` (stages.yaml's
    ``lang:``), ``FUNNELCTL_LANG``, then the locale. A value given on purpose
    (the first three) that names no language funnelctl speaks is an error
    (ValueError); a locale funnelctl cannot speak falls back to English."""
    env = environ if environ is not None else {}
    for what, value in (("--lang", option), ("lang", config),
                        ("FUNNELCTL_LANG", env.get("FUNNELCTL_LANG"))):
        if value:
            lang = normalize(value)
            if lang is None:
                raise ValueError(_("{what} {value!r}: not a language funnelctl speaks "
                                   "(choose one of: {choices})").format(
                    what=what, value=value, choices=choices()))
            return lang
    # POSIX: LC_ALL overrides LC_MESSAGES, which overrides LANG
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return normalize(value) or DEFAULT
    return DEFAULT


# -- the active catalog ---------------------------------------------------------

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_current = DEFAULT
_loaded: dict[str, _gettext.NullTranslations] = {}


def translation(lang: str) -> _gettext.NullTranslations:
    """The catalog of a language (English: the messages as written)."""
    if lang not in _loaded:
        if lang == DEFAULT:
            _loaded[lang] = _gettext.NullTranslations()
        else:
            _loaded[lang] = _gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang],
                                                 fallback=True)
    return _loaded[lang]


def activate(lang: str) -> None:
    """Speak ``lang`` (a code of LANGUAGES) from now on, in this process."""
    global _translation, _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    _translation = translation(lang)
    _current = lang


def current() -> str:
    return _current


def _(message: str) -> str:
    """The message in the active language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for a count ``n`` (English: one and other; Chinese:
    one form)."""
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose words alone are ambiguous (``open`` as a status or as a
    verb), told apart by ``context``."""
    return _translation.pgettext(context, message)


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it now: a table of
    headings defined at import, passed through ``_`` when shown."""
    return message


def nformat(singular: str, plural: str, n: int, **values: Any) -> str:
    """``ngettext`` and ``str.format`` in one: ``nformat("{n} deal", "{n} deals", n)``
    is ``1 deal``, ``3 deals``, ``3 个商机``."""
    return ngettext(singular, plural, n).format(n=n, **values)


def label(item: Any, lang: str | None = None) -> str:
    """What a stages.yaml item (stage, milestone, ladder, outcome, loss reason,
    action kind) is called in ``lang`` (default: the active language): its
    ``labels`` entry for the language (``zh_CN``, then ``zh``), else its own
    ``label``, else its id. An action kind written as a plain string is its own
    label."""
    if isinstance(item, str):
        return item
    lang = lang or _current
    labels = getattr(item, "labels", None) or {}
    for key in (lang, lang.split("_")[0]):
        if labels.get(key):
            return labels[key]
    return getattr(item, "label", None) or item.id
