"""Content models and documents: pure, no I/O.

What a playlist, an item, a schedule rule's text and an emergency notice are (`models`), how a
YAML or JSON document is read with the line of every field and what is wrong with it
(`documents`: Problem, with a stable code; `fielderrors`: pydantic's errors as field paths), where in a sequence of durations a moment falls
(`sequence`), and the names of the panel settings a technician can hold (`controls`).

May import: the standard library, pydantic, PyYAML and `signage.errors`/`signage.clock`.
Never: pygame, sqlite3, fastapi, starlette, serial, av, nor any other signage package."""
