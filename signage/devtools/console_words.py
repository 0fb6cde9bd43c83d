"""The console's words that lack a Vietnamese translation, found the way Babel extracts them.

`python -m signage.devtools.console_words` lists them (file, line, msgid); the test suite
fails on any. Extraction reads the templates with Jinja2's Babel extractor and the console's
Python with Babel's, looking for `_(...)`, `gettext(...)` and `ngettext(...)`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

from signage.console.i18n import LOCALE_DIR, read_catalog

CONSOLE = Path(__file__).resolve().parent.parent / "console"
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}


def used_messages() -> list[tuple[str, int, str]]:
    """(file, line, msgid) for every marked string in the console."""
    found = []
    for filename, line, message, _comments, _context in extract_from_dir(
            CONSOLE, METHODS, options_map=OPTIONS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.append((filename, line, msgid))
    return found


def translated(lang: str = "vi") -> dict[str, str]:
    words: dict[str, str] = {}
    for po_path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        for message in read_catalog(po_path):
            if message.id and message.string:
                words[str(message.id)] = str(message.string)
    return words


def conflicting(lang: str = "vi") -> list[tuple[str, list[str]]]:
    """msgids that two pages' files translate differently (the merge would keep one at
    random-looking order): (msgid, the files)."""
    seen: dict[str, dict[str, str]] = {}
    for po_path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        for message in read_catalog(po_path):
            if message.id and message.string:
                seen.setdefault(str(message.id), {})[po_path.name] = str(message.string)
    return [(msgid, sorted(files)) for msgid, files in seen.items()
            if len(set(files.values())) > 1]


def missing(lang: str = "vi") -> list[tuple[str, int, str]]:
    have = translated(lang)
    return [entry for entry in used_messages() if entry[2] not in have]


def main() -> int:
    gaps = missing()
    for filename, line, msgid in gaps:
        print(f"signage/console/{filename}:{line}: {msgid!r}")
    print(f"{len(gaps)} message(s) without a Vietnamese translation", file=sys.stderr)
    clashes = conflicting()
    for msgid, files in clashes:
        print(f"{msgid!r} is translated differently in {', '.join(files)}")
    return 1 if gaps or clashes else 0


if __name__ == "__main__":
    sys.exit(main())
