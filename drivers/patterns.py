"""Which test patterns each kind of device shows, by driver URL, without opening it.

The admin API checks a technician's pattern against the wall's driver here, so a name the
device cannot show is refused with the list it can, instead of being stored and failing
in the player. Each driver keeps its own table of how to draw them; tests/test_patterns.py
checks those tables name exactly these.
"""

from __future__ import annotations

from drivers.base import split_pair

# Drawn in software by the emulated panel and the HDMI window.
SOFTWARE = ("red", "green", "blue", "white", "black")
# Drawn by the serial-frame drivers (TPM2, Adalight); corners find a sign's wiring.
SERIAL = SOFTWARE + ("corners",)
# The NovaStar receiving cards' own self-test patterns (protocol p. 49).
NOVASTAR = ("red", "green", "blue", "white", "horizontal", "vertical", "diagonal", "grey",
            "ageing")
BY_SCHEME = {"emulated": SOFTWARE, "hdmi": SOFTWARE, "tpm2": SERIAL, "adalight": SERIAL,
             "novastar": NOVASTAR}
EVERY = tuple(dict.fromkeys(SERIAL + NOVASTAR))  # every name any driver knows


def patterns_for(url: str) -> tuple[str, ...]:
    """The patterns the wall a driver URL names can show. For VIDEO+CONTROL the sending
    card shows them, so the control's; an unknown scheme shows none."""
    last = split_pair(url)[-1]
    return BY_SCHEME.get(last.partition("://")[0].lower(), ())
