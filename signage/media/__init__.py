"""Uploaded media: checked by content, never by name.

`images`: what an uploaded picture really is (format sniffed from its bytes, pixel caps,
decompression bombs refused), re-encoded without metadata and, when far larger than the
panel, scaled down once. `film`: films probed by content (container, codec, limits, every
packet present), copied without metadata or sound, and transcoded to the panel's size.

May import: Pillow (and PyAV for films), `signage.render.filmfile` (film headers),
`signage.store`, `signage.schedule`,
`signage.content` and the top-level modules. Never: pygame, fastapi, starlette, serial."""
