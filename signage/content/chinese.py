"""Simplified Chinese only: the wall's Chinese is the mainland's, read by travellers and
traders from across the Thiên Bảo side. Traditional characters are found with OpenCC's own
Traditional-to-Simplified tables (phrase-aware, so 乾隆 or 显著 stay as written), never a
hand-made list.

>>> traditional_in("口岸關閉，這裡不開門")
(['關', '閉', '這', '裡', '開', '門'], '口岸关闭，这里不开门')
>>> traditional_in("欢迎来到清水国际口岸")
([], '欢迎来到清水国际口岸')
"""

from __future__ import annotations

import functools

import opencc


@functools.cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")  # about 3 ms to load its tables, once per process


def traditional_in(text: str) -> tuple[list[str], str]:
    """The characters of `text` that OpenCC would write differently in Simplified Chinese
    (each once, in order), and the whole text as Simplified."""
    simplified = _to_simplified().convert(text)
    if simplified == text:
        return [], text
    changed = [a for a, b in zip(text, simplified) if a != b] if len(simplified) == len(text) \
        else [ch for ch in text if _to_simplified().convert(ch) != ch]
    return list(dict.fromkeys(changed)), simplified
