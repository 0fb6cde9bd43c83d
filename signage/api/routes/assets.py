"""Assets: upload an image (multipart), list them, delete one nothing live uses.

An upload is parsed as it streams (python-multipart's push parser, not request.form()),
counted against the cap as it arrives and spooled to an unnamed temporary file, so an
oversized or aborted body leaves nothing behind. What is stored is signage.media.images'
clean copy, named by its sha256; the client's file name is only a label.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from signage.api.deps import AssetsDep, RecordsDep, SettingsDep, require_role
from signage.media.images import display_name
from signage.services import assets
from signage.services.assets import FILE_FIELD
from signage.services.fair import FairQueue
from signage.settings import MAX_UPLOAD_MB_CEILING, Settings

router = APIRouter(prefix="/api/assets", tags=["assets"])

may_read = require_role("editor", "approver", "technician")
may_change = require_role("editor", "approver")
Caller = Annotated[Any, Depends(may_change)]  # a Principal: .name and .role

MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the one file
SPOOL_IN_MEMORY = 1024 * 1024  # larger uploads go to an unnamed file in the data dir
HOW_TO_UPLOAD = (f"send multipart/form-data with one file field named {FILE_FIELD!r} "
                 "(curl -F file=@picture.png)")

UPLOAD_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "One PNG, JPEG or WebP image in the form field `file`.",
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": [FILE_FIELD], "additionalProperties": False,
            "properties": {FILE_FIELD: {"type": "string", "format": "binary"}},
        }}},
    }
}


class StoredAsset(BaseModel):
    id: str
    width: int
    height: int
    media_type: str
    bytes: int


class AssetEntry(StoredAsset):
    original_name: str | None
    created_at: str


class AssetList(BaseModel):
    assets: list[AssetEntry]


def max_upload_bytes(settings: Settings) -> int:
    """The upload cap (SIGNAGE_MAX_UPLOAD_MB, checked when the settings were read)."""
    return int(settings.max_upload_mb * 1024 * 1024)


@router.get("", dependencies=[Depends(may_read)])
def list_assets(asset_store: AssetsDep) -> AssetList:
    """Every stored image, newest first."""
    return AssetList(assets=[AssetEntry(**asset.as_dict()) for asset in asset_store.all()])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=StoredAsset,
    openapi_extra=UPLOAD_BODY_DOC,
    responses={
        400: {"description": "The body is not well-formed multipart/form-data"},
        413: {"description": "The image is larger than the upload cap (25 MB unless configured)"},
        415: {"description": "The body is not multipart/form-data"},
        422: {"description": "Not an accepted image (PNG, JPEG, WebP), too many pixels, "
              "damaged, or the form has other fields"},
        429: {"description": "Too many uploads being processed; see Retry-After"},
    },
)
async def upload_asset(request: Request, caller: Caller, asset_store: AssetsDep,
                       records: RecordsDep, settings: SettingsDep) -> Any:
    """Store a clean copy of one image: type by content, no metadata, scaled down to what
    the panel needs; its id is the sha256 of the stored bytes."""
    limit = max_upload_bytes(settings)
    queue: FairQueue = request.app.state.uploads
    queue.check(caller.maker_id)  # 429 before a long upload, not after it
    announced = request.headers.get("content-length", "")
    with assets.upload_spool(asset_store, settings, int(announced) if announced.isdigit()
                             else None, SPOOL_IN_MEMORY) as spool:
        upload = await _receive(request, spool, limit)
        # Decoding and scaling run on the upload queue's own thread, never in the pool
        # that emergency notices, logins and status need; past its limits, 429.
        job = functools.partial(assets.upload_image, asset_store, records, settings, caller,
                                spool, upload.filename)
        stored = await asyncio.wrap_future(queue.submit(caller.maker_id, job))
    return StoredAsset(**dataclasses.asdict(stored))


# The app-wide body limit (signage.api.security.BodyLimit) reads this; the route applies
# the configured cap itself, so the outer one only has to be no lower than any allowed.
upload_asset.body_limit = MAX_UPLOAD_MB_CEILING * 1024 * 1024 + MULTIPART_OVERHEAD  # type: ignore[attr-defined]


@router.delete(
    "/{asset_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "No asset has this id"},
               409: {"description": "A live or pending revision uses the asset"}},
)
def delete_asset(asset_id: str, caller: Caller, asset_store: AssetsDep,
                 records: RecordsDep) -> Response:
    """Remove an image that no live (or pending) playlist uses."""
    assets.delete_asset(asset_store, records, caller, asset_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the multipart stream ------------------------------------------------------------


class _FilePart:
    """Callbacks for python-multipart: the one `file` part into `spool`, any other part
    refused, the running size checked against `limit` on every piece."""

    def __init__(self, spool: BinaryIO, limit: int):
        self.spool, self.limit = spool, limit
        self.size = 0
        self.filename: str | None = None
        self.seen = False
        self.complete = False
        self._headers: dict[bytes, bytes] = {}
        self._field = self._value = b""

    def callbacks(self) -> dict:
        return {"on_part_begin": self._part_begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished, "on_part_data": self._data,
                "on_end": self._end}

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.strip().lower()] = self._value.strip()
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        disposition, params = parse_options_header(self._headers.get(b"content-disposition"))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        if disposition != b"form-data" or name != FILE_FIELD:
            raise _refused(f"the form has a field {name!r}; {HOW_TO_UPLOAD}, and nothing else")
        if self.seen:
            raise _refused(f"the form has more than one {FILE_FIELD!r} field; upload one "
                           "image per request")
        self.seen = True
        self.filename = display_name(params.get(b"filename"))

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.size += end - start
        if self.size > self.limit:
            raise _too_large(self.limit)
        self.spool.write(data[start:end])

    def _end(self) -> None:
        self.complete = True


async def _receive(request: Request, spool: BinaryIO, limit: int) -> _FilePart:
    """Stream the body through the multipart parser into `spool`; 413 as soon as the cap
    is passed (Content-Length or not), 415/400/422 for a body that is not one file."""
    media_type, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            detail=f"this is not multipart/form-data; {HOW_TO_UPLOAD}")
    body_cap = limit + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > body_cap:
        raise _too_large(limit)
    part = _FilePart(spool, limit)
    try:
        parser = MultipartParser(boundary, part.callbacks())
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > body_cap:
                raise _too_large(limit)
            parser.write(chunk)
        parser.finalize()
    except ClientDisconnect:  # a dropped link mid-upload: nothing to answer, nothing kept
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            detail="the client went away before the upload finished") from None
    except _Refused as exc:
        raise _refusal_response(exc) from None
    except ValueError as exc:  # python-multipart's errors: broken framing, a bad boundary
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=f"the multipart body is "
                            f"malformed ({exc}); {HOW_TO_UPLOAD}") from None
    if not part.complete or not part.seen:
        raise _refusal_response(_refused(
            f"no {FILE_FIELD!r} field arrived" if part.complete else "the body ended early",
        ))
    return part


class _Refused(ValueError):
    """The form is well formed but is not one image in `file` (answered 422)."""


def _refused(reason: str) -> _Refused:
    return _Refused(f"{reason}; {HOW_TO_UPLOAD}" if HOW_TO_UPLOAD not in reason else reason)


def _refusal_response(exc: _Refused) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                         detail=[{"path": FILE_FIELD, "reason": str(exc), "line": None}])


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        detail=f"the upload is larger than {limit / (1024 * 1024):g} MB, the limit "
        "(SIGNAGE_MAX_UPLOAD_MB); scale the image down or save it with more compression",
    )
