"""What a draft changes in the words on the wall: per item and language, the live text
against the draft's, as runs of kept, inserted and deleted text (difflib, on the server).

Runs are plain data; the template puts them in <ins> and <del> and escapes the text, so a
message holding markup shows as text. Vietnamese and English compare word by word,
Chinese character by character (it has no spaces between words).
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re

from signage.content.models import Message, Playlist

LANGS = ("vi", "en", "zh")
_WORDS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclasses.dataclass(frozen=True)
class Run:
    op: str  # "same", "ins" or "del"
    text: str


@dataclasses.dataclass(frozen=True)
class ItemChange:
    number: int  # counted from 1, in document order
    kind: str
    status: str  # "added", "removed" or "changed"
    languages: list[tuple[str, list[Run]]]


def text_changes(live: Playlist | None, draft: Playlist) -> list[ItemChange]:
    """The items whose texts differ between `live` (None: nothing live) and `draft`."""
    live_items = [item for _path, item in live.item_paths()] if live else []
    draft_items = [item for _path, item in draft.item_paths()]
    changes = []
    for number, (old, new) in enumerate(itertools.zip_longest(live_items, draft_items), 1):
        before, after = texts_of(old), texts_of(new)
        if before == after:
            continue
        status = "added" if old is None else "removed" if new is None else "changed"
        languages = [(lang, runs(before.get(lang, ""), after.get(lang, "")))
                     for lang in LANGS if before.get(lang, "") != after.get(lang, "")]
        changes.append(ItemChange(number, (new or old).kind, status, languages))
    return changes


def texts_of(item) -> dict[str, str]:
    """An item's words per language (its text, else its caption); {} for none."""
    if item is None:
        return {}
    for field in ("text", "caption"):
        message = getattr(item, field, None)
        if isinstance(message, Message):
            return {lang: getattr(message, lang) or "" for lang in LANGS}
    return {}


def runs(before: str, after: str) -> list[Run]:
    """`before` turned into `after` as kept, deleted and inserted runs."""
    old, new = _tokens(before), _tokens(after)
    found: list[Run] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            found.append(Run("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            found.append(Run("del", "".join(old[i1:i2])))
        if j2 > j1:
            found.append(Run("ins", "".join(new[j1:j2])))
    return found


def _tokens(text: str) -> list[str]:
    tokens = []
    for token in _WORDS.findall(text):
        # Han characters count as words one by one: Chinese has no spaces.
        tokens.extend(token if re.match(r"[\u3400-\u9fff]", token) else [token])
    return tokens
