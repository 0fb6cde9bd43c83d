"""The editor's live preview: the item being written (or the whole draft at a time),
drawn at the panel's size by the same preview service as GET /api/revisions/{id}/preview.png.

It draws what is typed before it is saved: a language not written yet shows as an
ellipsis, so the picture follows the typing from the first word; anything else the model
refuses (a bad colour, a duration of "abc") is said instead, in the person's language.
"""

from __future__ import annotations

from drivers.registry import panel_size
from signage.console import playlistform as pf
from signage.content.documents import Document, DocumentError, validate_document
from signage.content.models import Playlist
from signage.content.wording import say, where

PREVIEW_NAME = "preview"


class PreviewRefused(Exception):
    """No picture: `words` say why, one sentence per problem."""

    def __init__(self, words: list[str]):
        super().__init__("; ".join(words))
        self.words = words


def preview_document(document: dict, item: int | None) -> dict:
    """The playlist to draw: item `item` alone cutting in, or every item (None)."""
    items = [pf.for_preview(entry) for entry in document.get("items") or []
             if isinstance(entry, dict)]
    if item is not None:
        if not 0 <= item < len(items):
            return {"name": PREVIEW_NAME, "items": []}
        items = [items[item]]
    return {"name": PREVIEW_NAME, "items": items, "transition": {"kind": "cut"}}


def preview_png(store, settings, clock, document: dict, item: int | None, at: float,
                lang: str) -> bytes:
    """The PNG of the draft's item `item` (or the whole draft `at` seconds in)."""
    drawn = preview_document(document, item)
    try:
        playlist = validate_document(Document(drawn, {}), Playlist)
    except DocumentError as exc:
        raise PreviewRefused([_words(problem, item, lang) for problem in exc.problems]) from None
    missing = sorted(ref for ref in playlist.asset_refs() if not store.assets.has(ref))
    if missing:
        raise PreviewRefused([say("asset_missing", {"ref": ref}, lang, f"{ref} is not stored")
                              for ref in missing])
    # Here, not at the top: pygame only on this path (as the API's preview route).
    from signage.services.preview import revision_frame_png

    return revision_frame_png(playlist, at if item is None else 0.0, clock.now(),
                              size=panel_size(settings.driver), fonts=settings.fonts,
                              assets_dir=settings.assets_dir)


def _words(problem, item: int | None, lang: str) -> str:
    """'Mục 3, Thời lượng: ...': the place as the form numbers it (the preview's one item
    is item 0 of its own playlist)."""
    path = problem.path
    if item is not None and path.startswith("items[0]"):
        path = f"items[{item}]" + path[len("items[0]"):]
    place = where(path, lang)
    return f"{place}: {problem.say(lang)}" if place else problem.say(lang)
