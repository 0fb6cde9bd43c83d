"""Drawing the wall: fonts and text layout, one renderer per item kind, transitions, the
stage (what plays in each zone) and the compositor, plus the checks at the door that
measure content with the same fonts and layout the wall uses (`checks`), and the week's
plan as a picture for staff (`weekchart`). Films: `video` decodes them on a thread of
their own into a ring of ready frames; `filmfile` reads a film's header (no pygame).

May import: pygame, Pillow, `signage.store` (asset files), `signage.schedule`,
`signage.content`, the top-level modules and `drivers.registry`'s facts (panel sizes).
Never: sqlite3 directly, fastapi, starlette, serial, or the packages above it.
"""
