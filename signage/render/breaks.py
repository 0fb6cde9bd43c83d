"""Where Vietnamese and English lines may break: not inside a two-syllable Vietnamese word
the lexicon knows, not before a dash standing alone, not inside a span of times.

The lexicon is data/vi_compounds.txt, from pyvi's MIT-licensed word list (see
data/vi_compounds.SOURCE.md for its source, licence and how it was cut down).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def vietnamese_compounds() -> frozenset[str]:
    """Two-syllable Vietnamese words, lower case (data/vi_compounds.SOURCE.md says whence)."""
    text = (Path(__file__).parent / "data" / "vi_compounds.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line)


def _syllable(word: str) -> str:
    return word.strip(_PUNCTUATION).lower()


_PUNCTUATION = "\"'“”‘’()[]{}«»,.;:!?…–—-/"


def vietnamese_words(words: list[str]) -> list[str]:
    """Words with each two-syllable compound the lexicon knows joined into one piece
    ("cửa khẩu"), left to right; punctuation between the syllables keeps them apart."""
    known, out, i = vietnamese_compounds(), [], 0
    while i < len(words):
        first, second = words[i], words[i + 1] if i + 1 < len(words) else None
        joinable = second is not None and _syllable(first) == first.lstrip(_PUNCTUATION).lower() \
            and _syllable(second) == second.rstrip(_PUNCTUATION).lower()
        if joinable and f"{_syllable(first)} {_syllable(second)}" in known:
            out.append(f"{first} {second}")
            i += 2
        else:
            out.append(first)
            i += 1
    return out


def dashes_bound(words: list[str]) -> list[str]:
    """A dash standing alone never starts a line: it binds to the word before it, and to the
    word after it too between numbers, so "7:00 – 22:00" stays on one line (it may still
    break at its spaces if it alone is wider than the line)."""
    out: list[str] = []
    glue = False
    for word in words:
        if word in _DASHES and out:
            out[-1] += " " + word
            glue = any(ch.isdigit() for ch in out[-1].split(" ")[-2])
        elif glue and word[:1].isdigit():
            out[-1] += " " + word
            glue = False
        else:
            out.append(word)
            glue = False
    return out


_DASHES = {"–", "—", "-", "~"}
