"""The console's words: gettext catalogs read with Babel, one .po file per page.

Source strings are English; Vietnamese is the default language, so every string a template
or a route marks has its translation in locale/vi/LC_MESSAGES/<page>.po. One file per page
keeps pages apart (two people adding pages do not edit one file). The catalogs are read
once, at the first request, and merged: a page may use a word another page's file defines.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"


def pick_language(wanted: str | None) -> str:
    """`wanted` if the console speaks it, else Vietnamese."""
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """Every page's catalog for `lang`, merged (English is the source: no catalog)."""
    merged: gettext.NullTranslations = NullTranslations()
    for po_path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        catalog = read_catalog(po_path)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        part = Translations(compiled, domain="console")
        if isinstance(merged, Translations):
            merged.merge(part)
        else:
            merged = part
    return merged


def read_catalog(po_path: Path):
    with open(po_path, "rb") as handle:
        return read_po(handle, locale=po_path.parent.parent.name)


def gettext_for(lang: str):
    """A `_` for routes (flash messages, refusals): the text in `lang`."""
    return translations(lang).gettext
