"""Small pictures of the library's images for pages that pick one (GET /media/{id}/thumb).

A stored image may be 40 megapixels; a page listing a few dozen of them over a 256 kbit/s
link needs a few KB each. The thumbnail is made with Pillow on first request, one at a
time (a large decode holds ~160 MB), and cached beside the data by the image's sha256,
which never changes for a given id, so browsers may keep it too.
"""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from PIL import Image, ImageOps

from signage.console.auth import Visitor, page_for

router = APIRouter(include_in_schema=False)

THUMB_BOX = (160, 96)
THUMB_BACKDROP = (32, 32, 32)  # transparent parts over the wall's dark, as it shows them
_HEX_ID = re.compile(r"^(?:sha256:)?([0-9a-f]{64})$")
_making = threading.BoundedSemaphore(1)

ReaderDep = Annotated[Visitor, Depends(page_for("editor", "approver", "technician"))]


def thumb_url(ref: str) -> str:
    return f"/media/{ref}/thumb"


@router.get("/media/{asset_id}/thumb")
def asset_thumbnail(request: Request, asset_id: str, who: ReaderDep) -> Response:
    """A JPEG at most 160x96 of a stored image; 404 for anything else (films included)."""
    found = _HEX_ID.match(asset_id)
    store = request.app.state.store_slot.get()
    record = store.assets.get(f"sha256:{found.group(1)}") if found else None
    if record is None or not record.media_type.startswith("image/"):
        raise HTTPException(404, detail="no such image")
    cache = request.app.state.settings.data_dir / "thumbs" / f"{found.group(1)}.jpg"
    data = cached_thumbnail(store.assets.path(record.ref), cache)
    return Response(data, media_type="image/jpeg",
                    headers={"Cache-Control": "private, max-age=31536000, immutable"})


def cached_thumbnail(source: Path, cache: Path) -> bytes:
    """The cached thumbnail of `source`, made and kept at `cache` the first time."""
    try:
        return cache.read_bytes()
    except FileNotFoundError:
        pass
    with _making:
        if cache.exists():  # made while we waited
            return cache.read_bytes()
        data = make_thumbnail(source)
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, cache)  # never a half-written thumbnail for the next reader
        return data


def make_thumbnail(source: Path) -> bytes:
    with Image.open(source) as image:
        image.draft("RGB", THUMB_BOX)  # JPEG: decode at a fraction of the size
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMB_BOX)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            backdrop = Image.new("RGB", image.size, THUMB_BACKDROP)
            backdrop.paste(image, mask=image.getchannel("A"))
            image = backdrop
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80)
        return out.getvalue()
