"""Uploaded media: checked by content, never by name.

`images`: what an uploaded picture really is (format sniffed from its bytes, pixel caps,
decompression bombs refused), re-encoded without metadata and, when far larger than the
panel, scaled down once. Films (probing and transcoding with PyAV) come here next.

May import: Pillow (and PyAV for films), `signage.store`, `signage.schedule`,
`signage.content` and the top-level modules. Never: pygame, fastapi, starlette, serial."""
