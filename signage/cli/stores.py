"""Opening the store from the box's console.

Commands that read or change what the wall already has (people, tokens, emergency notices,
the live schedule) open only an existing store: run in the wrong folder, they would
otherwise make a new empty one there, and a token made in it would be refused by the
running API, a notice posted in it never shown. Only `signage import` and `signage run
--seed` make a store.
"""

from __future__ import annotations

from signage.clock import Clock
from signage.errors import StoreError
from signage.settings import Settings


def open_existing_store(settings: Settings | None = None, clock: Clock | None = None):
    """The Store at SIGNAGE_DATA_DIR; StoreError saying where it looked and how to point
    at the right one when there is no signage.db there."""
    from signage.store import Store

    settings = settings or Settings.from_env()
    if not settings.db_path.is_file():
        raise StoreError(
            f"no store in {settings.data_dir} (no signage.db there); set SIGNAGE_DATA_DIR to "
            "the data directory the player uses, e.g. SIGNAGE_DATA_DIR=/var/lib/signage "
            "(make run keeps its data in ./var), or make a store with signage import")
    return Store(settings.data_dir, clock)
