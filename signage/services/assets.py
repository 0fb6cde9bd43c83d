"""Images in the library: upload one (checked by content, stored clean), delete an unused one."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import tempfile
import threading
from typing import BinaryIO, Iterator

from drivers.registry import panel_size
from signage.content.documents import Problem
from signage.errors import AssetMissing, ContentError
from signage.media.images import check_asset_bytes, clean_image
from signage.services.errors import Conflict, Invalid, NotFound
from signage.settings import Settings
from signage.store.access import Principal
from signage.store.assets import AssetInUse, Assets
from signage.store.database import unavailable
from signage.store.records import Records

log = logging.getLogger(__name__)

FILE_FIELD = "file"  # the field an upload's problems are reported against
# One decode at a time: a 40-megapixel image needs ~160 MB while it is re-encoded, and a
# small box should not hold several of those at once.
_decoding = threading.BoundedSemaphore(1)


@dataclasses.dataclass(frozen=True)
class StoredImage:
    """What was stored: its id (the sha256 of the stored bytes) and its facts."""

    id: str
    width: int
    height: int
    media_type: str
    bytes: int


@contextlib.contextmanager
def upload_spool(asset_store: Assets, settings: Settings, announced_bytes: int | None,
                 in_memory: int) -> Iterator[BinaryIO]:
    """A temporary file in the data dir for an upload on its way in (in memory up to
    `in_memory` bytes; unnamed on disk beyond, freed by the OS whatever happens). Refused
    first when the announced size would eat the disk's reserve; a disk that fails while
    it fills (full, read-only) is a StoreError (507 / 503), not a crash."""
    if announced_bytes:
        asset_store.database.reserve.check_room(announced_bytes, "this upload")
    spool_dir = settings.data_dir / "incoming"
    try:
        spool_dir.mkdir(parents=True, exist_ok=True)
        # Data dir, not /tmp: /tmp may be RAM.
        with tempfile.SpooledTemporaryFile(max_size=in_memory, dir=spool_dir) as spool:
            yield spool
    except OSError as exc:
        raise unavailable(exc, asset_store.database.path) from exc


def upload_image(assets: Assets, records: Records, settings: Settings, actor: Principal,
                 source: BinaryIO, filename: str | None) -> StoredImage:
    """Store a clean copy of one image (blocking: decode, re-encode, fsync); Invalid if it
    is not an accepted image. The client's file name is only a label."""
    source.seek(0)
    try:
        with _decoding:
            clean = clean_image(source, panel_size(settings.driver))
        check_asset_bytes(len(clean.data))
    except ContentError as exc:
        raise Invalid("image_refused", "the image was not stored; nothing changed",
                      [Problem(FILE_FIELD, reason, code="image_refused",
                               params=getattr(exc, "params", {}))
                       for _path, reason in exc.problems]) from None
    ref = assets.add(clean.data, clean, original_name=filename)
    stored = StoredImage(ref, clean.width, clean.height, clean.media_type, len(clean.data))
    # Not the file name: a client chooses it, and it tells the log nothing the id does not.
    records.audit(actor.name, actor.role, "asset.upload", target=ref,
                  detail={k: v for k, v in dataclasses.asdict(stored).items() if k != "id"})
    log.info("asset %s stored (%dx%d %s, %d bytes) from %r by %s", ref, stored.width,
             stored.height, stored.media_type, stored.bytes, filename, actor.name)
    return stored


def delete_asset(assets: Assets, records: Records, actor: Principal, ref: str) -> None:
    """Remove an image that no live or pending content uses; Conflict names the users."""
    ref = ref if ref.startswith("sha256:") else f"sha256:{ref}"
    try:
        assets.delete(ref)
    except AssetMissing as exc:
        raise NotFound("asset_not_found", str(exc), ref=ref) from None
    except AssetInUse as exc:
        raise Conflict("asset_in_use", str(exc), ref=ref,
                       playlists=[name for kind, name in exc.users if kind == "playlist"],
                       names=", ".join(name for _kind, name in exc.users),
                       used_by=[{"kind": kind, "name": name} for kind, name in exc.users]) from None
    records.audit(actor.name, actor.role, "asset.delete", target=ref)
    log.info("asset %s deleted by %s", ref, actor.name)

