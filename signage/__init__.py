"""Controller for outdoor LED signage: trilingual playlists on an LED wall."""

__version__ = "0.1.0"

import os as _os

# pygame prints a banner on import unless told not to; the player's log is not the place.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
