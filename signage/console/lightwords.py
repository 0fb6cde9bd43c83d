"""The overview's health lights in words: one sentence per light code (console/health.py),
with its figure, limit and card. English source strings; the catalogs give Vietnamese."""

from __future__ import annotations

from typing import Callable

from signage.console.health import Light


def _(text: str) -> str:
    """Marks a sentence for the catalogs; it is translated when the page is drawn."""
    return text


SUBJECTS = {
    "player": _("Player"), "frames": _("Frames"), "panel_link": _("Panel link"),
    "card": _("Receiving card"), "card_temperature": _("Card temperature"),
    "card_voltage": _("Card voltage"), "disk": _("Disk"), "clock": _("Clock"),
    "emergency": _("Emergency notice"),
}

SENTENCES = {
    "player.none": _("The player has written no status: it is not running."),
    "player.stale": _("The player last reported %(figure)s s ago: it has stopped or hangs."),
    "player.alive": _("Running; last report %(figure)s s ago."),
    "frames.unknown": _("No frame rate yet (the player has just started)."),
    "frames.stalled": _("No frames are being shown: the picture is frozen."),
    "frames.low": _("%(figure)s frames a second, below %(limit)s."),
    "frames.ok": _("%(figure)s frames a second."),
    "panel_link.down": _("The link to the panel is down."),
    "panel_link.failing": _("The last frame did not reach the panel."),
    "panel_link.unknown": _("The link to the panel is not reported."),
    "panel_link.up": _("Connected."),
    "card.absent": _("Card %(card)s does not answer."),
    "card_temperature.critical": _("Card %(card)s: %(figure)s °C, above %(limit)s °C: lower the brightness now."),
    "card_temperature.high": _("Card %(card)s: %(figure)s °C, above %(limit)s °C."),
    "card_temperature.ok": _("Card %(card)s: %(figure)s °C."),
    "card_voltage.critical_low": _("Card %(card)s: %(figure)s V, below %(limit)s V."),
    "card_voltage.critical_high": _("Card %(card)s: %(figure)s V, above %(limit)s V."),
    "card_voltage.low": _("Card %(card)s: %(figure)s V, below %(limit)s V: check the power supply."),
    "card_voltage.ok": _("Card %(card)s: %(figure)s V."),
    "disk.critical": _("%(figure)s MB free, below %(limit)s MB: uploads will soon be refused."),
    "disk.low": _("%(figure)s MB free, below %(limit)s MB."),
    "disk.ok": _("%(figure)s MB free."),
    "clock.untrusted": _("The clock is not trusted: only the default playlist plays."),
    "clock.trusted": _("Trusted."),
    "emergency.none": _("None on the wall."),
    "emergency.on_air": _("On the wall, %(figure)s s left."),
    "emergency.overrun": _("Still on the wall %(figure)s s after its end."),
}

LEVELS = {"green": _("OK"), "amber": _("Needs a look"), "red": _("Fault")}


def light_words(light: Light, gettext: Callable[[str], str], decimal_mark: str = ".") -> dict[str, str]:
    """subject, level and sentence of `light` in the language of `gettext`."""
    figure = light.figure
    if figure is not None and light.code.startswith("emergency."):
        figure = abs(figure)
    numbers = {"figure": _shown(figure, decimal_mark), "limit": _shown(light.limit, decimal_mark),
               "card": light.card or ""}
    sentence = SENTENCES.get(light.code, light.code)
    return {"subject": gettext(SUBJECTS.get(light.subject, light.subject)),
            "level": gettext(LEVELS.get(light.level, light.level)),
            "sentence": gettext(sentence) % numbers, "class": light.level, "code": light.code}


def _shown(number: float | None, decimal_mark: str) -> str:
    if number is None:
        return "?"
    text = f"{number:.0f}" if abs(number) >= 100 or float(number).is_integer() else f"{number:.1f}"
    return text.replace(".", decimal_mark)
