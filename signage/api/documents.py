"""Content documents arriving in request bodies: type, size, parsing, 422 bodies."""

from __future__ import annotations

import dataclasses

from fastapi import HTTPException, Request, status

from signage.content.documents import MAX_DOCUMENT_BYTES
from signage.services.revisions import Saved

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
JSON_TYPES = ("application/json",)
ACCEPTED_TYPES = YAML_TYPES + JSON_TYPES

# For the OpenAPI page: the body is a content document, not a form.
REQUEST_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": f"A YAML or JSON document, at most {MAX_DOCUMENT_BYTES} bytes.",
        "content": {media_type: {"schema": {"type": "object"}} for media_type in ACCEPTED_TYPES},
    },
    "responses": {
        "413": {"description": f"The body is larger than {MAX_DOCUMENT_BYTES} bytes"},
        "415": {"description": "The body is neither YAML nor JSON"},
    },
}


# The answers every route that takes a content document can give besides success.
DOCUMENT_RESPONSES = {
    413: {"description": "The body is larger than 1 MB"},
    415: {"description": "The body is neither YAML nor JSON"},
    422: {"description": "Every problem in the document, with field path and line"},
}


@dataclasses.dataclass(frozen=True)
class Upload:
    media_type: str
    body: bytes

    @property
    def as_json(self) -> bool:
        """Read as JSON (by `json`) rather than YAML: what the Content-Type says."""
        return self.media_type in JSON_TYPES


async def read_document_body(request: Request) -> Upload:
    """The request body if its type is accepted (else 415) and it fits (else 413).

    Async because it reads the stream; the size is checked as chunks arrive, so an
    oversized body is never held whole in memory.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ACCEPTED_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"Content-Type {media_type or '(none)'} is not accepted; send YAML "
            f"({', '.join(YAML_TYPES)}) or JSON ({', '.join(JSON_TYPES)})",
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return Upload(media_type, b"".join(chunks))


def _too_large() -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        detail=f"the document is larger than {MAX_DOCUMENT_BYTES} bytes; split the playlist "
        "or upload images as assets instead of inlining them",
    )


def saved_answer(saved: Saved) -> dict:
    """The answer to a saved draft: its revision, and warnings worth a look."""
    return {"name": saved.name, "revision": saved.revision, "state": "draft",
            "warnings": [w.as_dict() for w in saved.warnings]}
