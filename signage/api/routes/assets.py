"""Assets: upload an image or a film (multipart), list them, see one (with a film's
transcode progress), delete one nothing live uses.

An upload is parsed as it streams (python-multipart's push parser, not request.form()),
counted against the cap as it arrives and spooled to an unnamed temporary file, so an
oversized or aborted body leaves nothing behind. The first bytes say whether it is a film
(an MP4/QuickTime or Matroska/WebM container, or a name ending .mp4, .mkv ...): films have
their own cap (SIGNAGE_MAX_FILM_MB) and go to signage.services.films; images are stored
as signage.media.images' clean copy. Either is named by its sha256; the client's file
name is only a label.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from typing import Annotated, Any, BinaryIO, Callable

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from signage.api.deps import AssetsDep, JobsDep, RecordsDep, SettingsDep, require_role
from signage.media.film import FILM_SUFFIXES, looks_like_film
from signage.media.images import display_name
from signage.services import assets, films
from signage.services.assets import FILE_FIELD
from signage.services.fair import FairQueue
from signage.settings import MAX_FILM_MB_CEILING, MAX_UPLOAD_MB_CEILING, Settings
from signage.store.assets import Assets
from signage.store.jobs import Jobs
from signage.store.records import Records

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
        "description": "One PNG, JPEG or WebP image, or one MP4, MKV or WebM film (H.264, "
                       "H.265, VP9, AV1), in the form field `file`.",
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


class AssetJob(BaseModel):
    id: int
    kind: str
    state: str
    percent: float
    detail: str | None
    updated_at: str


class AssetDetail(AssetEntry):
    job: AssetJob | None  # a film's transcode to the panel's size, if it needed one


def max_upload_bytes(settings: Settings) -> int:
    """The image upload cap (SIGNAGE_MAX_UPLOAD_MB, checked when the settings were read)."""
    return int(settings.max_upload_mb * 1024 * 1024)


def max_film_bytes(settings: Settings) -> int:
    """The film upload cap (SIGNAGE_MAX_FILM_MB)."""
    return int(settings.max_film_mb * 1024 * 1024)


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
        413: {"description": "The image is larger than the upload cap (25 MB unless "
              "configured), or the film than the film cap (500 MB unless configured)"},
        415: {"description": "The body is not multipart/form-data"},
        422: {"description": "Not an accepted image (PNG, JPEG, WebP) or film (MP4, MKV, "
              "WebM with H.264, H.265, VP9, AV1), too large in pixels or length, damaged, or "
              "the form has other fields"},
        429: {"description": "Too many uploads being processed; see Retry-After"},
    },
)
async def upload_asset(request: Request, caller: Caller, asset_store: AssetsDep,
                       records: RecordsDep, jobs: JobsDep, settings: SettingsDep) -> Any:
    """Store a clean copy of one image (type by content, no metadata, scaled down to what
    the panel needs) or one film (probed by content, no metadata; one larger than the
    panel is transcoded to its size in the background: GET /api/assets/{id} shows how
    far); its id is the sha256 of the stored bytes."""
    stored = await receive_and_store(request, caller, asset_store, records, jobs, settings)
    return StoredAsset(**dataclasses.asdict(stored))


async def receive_and_store(request: Request, caller: Any, asset_store: Assets, records: Records,
                            jobs: Jobs, settings: Settings,
                            accept_fields: Callable[[dict[str, str]], None] | None = None
                            ) -> assets.StoredImage:
    """The upload in `request` stored by the service for its kind (films.upload_film or
    assets.upload_image), on the upload queue. The console's form sends a few small fields
    beside the file (its CSRF token): `accept_fields` sees them before anything is stored
    and raises to refuse; without it any other field is refused."""
    queue: FairQueue = request.app.state.uploads
    queue.check(caller.maker_id)  # 429 before a long upload, not after it
    announced = request.headers.get("content-length", "")
    with assets.upload_spool(asset_store, settings, int(announced) if announced.isdigit()
                             else None, SPOOL_IN_MEMORY) as spool:
        upload = await receive_upload(request, spool, _Caps(max_upload_bytes(settings),
                                                            max_film_bytes(settings)),
                                      accept_fields is not None)
        if accept_fields is not None:
            accept_fields(upload.fields)
        # Probing, decoding and scaling run on the upload queue's own thread, never in the
        # pool that emergency notices, logins and status need; past its limits, 429.
        if upload.film:
            job = functools.partial(films.upload_film, asset_store, jobs, records, settings,
                                    caller, spool, upload.filename)
        else:
            job = functools.partial(assets.upload_image, asset_store, records, settings,
                                    caller, spool, upload.filename)
        return await asyncio.wrap_future(queue.submit(caller.maker_id, job))


# The app-wide body limit (signage.api.security.BodyLimit) reads this; the route applies
# the configured cap itself, so the outer one only has to be no lower than any allowed.
upload_asset.body_limit = (max(MAX_UPLOAD_MB_CEILING, MAX_FILM_MB_CEILING) * 1024 * 1024  # type: ignore[attr-defined]
                          + MULTIPART_OVERHEAD)


@router.get("/{asset_id}", dependencies=[Depends(may_read)],
            responses={404: {"description": "No asset has this id"}})
def get_asset(asset_id: str, asset_store: AssetsDep, jobs: JobsDep) -> AssetDetail:
    """One stored asset; for a film larger than the panel, its transcode (state, percent)."""
    found = films.asset_state(asset_store, jobs, asset_id)
    return AssetDetail(**found.asset, job=AssetJob(**found.job) if found.job else None)


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


@dataclasses.dataclass(frozen=True)
class _Caps:
    image: int  # bytes
    film: int


FILM_SNIFF_BYTES = 16  # enough of the file's start to tell a film container
# The console's upload form sends its CSRF token beside the file: a few short fields only.
MAX_SMALL_FIELDS = 4
MAX_SMALL_FIELD_CHARS = 256


class _FilePart:
    """Callbacks for python-multipart: the one `file` part into `spool`, any other part
    refused, the running size checked on every piece against the cap for its kind (a
    film once its first bytes or its name say so, else an image)."""

    def __init__(self, spool: BinaryIO, caps: _Caps, declared: int | None = None,
                 small_fields: bool = False):
        self.spool, self.caps, self.declared = spool, caps, declared
        self.small_fields = small_fields
        self.fields: dict[str, str] = {}
        self._in_field: str | None = None
        self.head = b""
        self.film = False
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
        self._in_field = None
        if disposition == b"form-data" and name != FILE_FIELD and b"filename" not in params \
                and self.small_fields and len(self.fields) < MAX_SMALL_FIELDS:
            self._in_field = name
            self.fields[name] = ""
            return
        if disposition != b"form-data" or name != FILE_FIELD:
            raise _refused(f"the form has a field {name!r}; {HOW_TO_UPLOAD}, and nothing else")
        if self.seen:
            raise _refused(f"the form has more than one {FILE_FIELD!r} field; upload one "
                           "image per request")
        self.seen = True
        self.filename = display_name(params.get(b"filename"))

    @property
    def limit(self) -> int:
        return self.caps.film if self.film else self.caps.image

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_field is not None:
            value = self.fields[self._in_field] + data[start:end].decode("utf-8", "replace")
            if len(value) > MAX_SMALL_FIELD_CHARS:
                raise _refused(f"the field {self._in_field!r} is longer than "
                               f"{MAX_SMALL_FIELD_CHARS} characters")
            self.fields[self._in_field] = value
            return
        if len(self.head) < FILM_SNIFF_BYTES:
            self.head += data[start:min(end, start + FILM_SNIFF_BYTES)]
            self.film = looks_like_film(self.head) or (self.filename or "").lower().endswith(
                FILM_SUFFIXES)
            if self.declared is not None and self.declared > self.limit + MULTIPART_OVERHEAD:
                raise _too_large(self.limit, self.film)  # no need to wait for the rest
        self.size += end - start
        if self.size > self.limit:
            raise _too_large(self.limit, self.film)
        self.spool.write(data[start:end])

    def _end(self) -> None:
        self.complete = True


async def receive_upload(request: Request, spool: BinaryIO, caps: _Caps,
                         small_fields: bool = False) -> _FilePart:
    """Stream the body through the multipart parser into `spool`; 413 as soon as the cap
    is passed (Content-Length or not), 415/400/422 for a body that is not one file."""
    media_type, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            detail=f"this is not multipart/form-data; {HOW_TO_UPLOAD}")
    body_cap = max(caps.image, caps.film) + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > body_cap:
        raise _too_large(caps.film, film=True)
    part = _FilePart(spool, caps, int(declared) if declared.isdigit() else None, small_fields)
    try:
        parser = MultipartParser(boundary, part.callbacks())
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > part.limit + MULTIPART_OVERHEAD:
                raise _too_large(part.limit, part.film)
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


class UploadTooLarge(HTTPException):
    """413: the upload passed the cap for its kind (`limit` bytes; `film` or image)."""

    def __init__(self, limit: int, film: bool, detail: str):
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, detail=detail)
        self.limit, self.film = limit, film


def _too_large(limit: int, film: bool = False) -> HTTPException:
    if film:
        advice = "(SIGNAGE_MAX_FILM_MB) for films; export it shorter or with a lower bitrate"
    else:
        advice = ("(SIGNAGE_MAX_UPLOAD_MB); scale the image down or save it with more "
                  "compression")
    return UploadTooLarge(
        limit, film, f"the upload is larger than {limit / (1024 * 1024):g} MB, the limit {advice}")
