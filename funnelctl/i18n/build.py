"""Keep the catalogs in step with the code (needs Babel: ``pip install -e '.[test]'``):

    python -m funnelctl.i18n.build            # extract, update zh_CN's .po, compile its .mo
    python -m funnelctl.i18n.build --check    # exit 1 if the .po or .mo is behind the code

The same with Babel's own command line, for those who know it::

    pybabel extract -F funnelctl/i18n/babel.cfg -o /tmp/funnelctl.pot funnelctl
    pybabel update -i /tmp/funnelctl.pot -d funnelctl/i18n/locale -D funnelctl -l zh_CN \\
        --no-fuzzy-matching --ignore-obsolete
    pybabel compile -d funnelctl/i18n/locale -D funnelctl -l zh_CN

Then translate the empty ``msgstr`` of the .po by hand and build again. Both the
.po (the source) and the .mo (what a plain install reads) are committed;
tests/test_i18n.py fails when a message has no translation or the .mo is not
the .po compiled.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from funnelctl.i18n import DOMAIN, LOCALE_DIR

PACKAGE = LOCALE_DIR.parent.parent  # funnelctl/
METHOD = "funnelctl.i18n.extract.extract_funnelctl"
LANGS = ["zh_CN"]
HEADER = """\
# The messages funnelctl prints, in {lang}: edit the msgstr lines by hand, then run
# python -m funnelctl.i18n.build (see funnelctl/i18n/build.py).
#"""


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def extracted():
    """Every message of funnelctl's sources, as a Babel catalog (locations relative
    to the repository)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    template = Catalog(project="funnelctl", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", METHOD)], keywords=DEFAULT_KEYWORDS):
        template.add(message, None, [(f"funnelctl/{filename}", lineno)],
                     auto_comments=comments, context=context)
    return template


def read_po(lang: str):
    from babel.messages.pofile import read_po as _read

    path = po_path(lang)
    if not path.exists():
        from babel.messages.catalog import Catalog

        return Catalog(locale=lang, domain=DOMAIN, project="funnelctl", version="1",
                       header_comment=HEADER.format(lang=lang),
                       copyright_holder="funnelctl's authors",
                       last_translator="funnelctl's authors", language_team=lang,
                       msgid_bugs_address="", fuzzy=False)
    with open(path, "rb") as f:
        return _read(f, locale=lang, domain=DOMAIN)


def po_bytes(catalog) -> bytes:
    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, catalog, width=100, ignore_obsolete=True, include_previous=False,
             sort_output=False)
    return buf.getvalue()


def mo_bytes(catalog) -> bytes:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def updated(lang: str):
    """The language's catalog with the messages of the code: new ones empty, those
    no longer in the code dropped, translations and their dates kept."""
    catalog = read_po(lang)
    created, revised = catalog.creation_date, catalog.revision_date
    catalog.update(extracted(), no_fuzzy_matching=True, update_header_comment=False)
    catalog.creation_date, catalog.revision_date = created, revised
    catalog.fuzzy = False
    return catalog


def compiled(lang: str) -> bytes:
    """The .mo the language's .po compiles to."""
    return mo_bytes(read_po(lang))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Extract, update and compile the catalogs.")
    ap.add_argument("--check", action="store_true",
                    help="Only tell whether the .po and .mo files are up to date.")
    args = ap.parse_args(argv)
    behind = []
    for lang in LANGS:
        po, mo = po_path(lang), mo_path(lang)
        new_po = po_bytes(updated(lang))
        if args.check:
            if not po.exists() or po.read_bytes() != new_po:
                behind.append(str(po))
            if not mo.exists() or mo.read_bytes() != compiled(lang):
                behind.append(str(mo))
            continue
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_bytes(new_po)
        mo.write_bytes(compiled(lang))
        untranslated = [m.id for m in read_po(lang) if m.id and (m.fuzzy or not all(
            m.string if isinstance(m.string, tuple) else (m.string,)))]
        print(f"{po}: {len(untranslated)} message(s) to translate (empty or fuzzy)")
    for path in behind:
        print(f"{path}: behind the code (run python -m funnelctl.i18n.build)")
    return 1 if behind else 0


if __name__ == "__main__":
    sys.exit(main())
