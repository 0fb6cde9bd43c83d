"""Settings reach the panel off the frame loop; failures are reported once and retried."""

from __future__ import annotations

import threading
import time

from drivers.base import DriverUnavailable
from drivers.emulated import EmulatedPanel
from signage.player.panel_control import PanelControl


class FakeSlowCard(EmulatedPanel):
    """A control link (hardware we lack) whose card can hang or be missing."""

    def __init__(self):
        super().__init__((64, 32))
        self.gate = threading.Event()
        self.gate.set()
        self.missing = False

    def set_brightness(self, percent):
        self.gate.wait(10)
        if self.missing:
            raise DriverUnavailable("card 0:0 did not answer; check the network cable")
        super().set_brightness(percent)


def test_a_slow_card_does_not_hold_up_the_caller():
    card, reports = FakeSlowCard(), []
    control = PanelControl(card, reports.append)
    card.gate.clear()  # the card hangs
    begun = time.monotonic()
    control.want("brightness", 40)
    assert time.monotonic() - begun < 0.5  # want() returned although the card is stuck
    card.gate.set()
    deadline = time.monotonic() + 5
    while control.applied("brightness") != 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert card.brightness == 40 and control.state()["brightness"]["error"] is None
    control.close()


def test_a_failure_is_reported_once_and_cleared_when_the_card_answers():
    card, reports = FakeSlowCard(), []
    control = PanelControl(card, reports.append, background=False)
    card.missing = True
    control.want("brightness", 30)
    control.want("brightness", 30)  # the same wish again: no second attempt, no second report
    assert control.state()["brightness"] == {"wanted": 30, "applied": None,
                                             "error": "card 0:0 did not answer; check the network cable"}
    control.want("power", False)  # other settings still go through
    assert card.power is False
    card.missing = False
    control.want("brightness", 35)
    assert card.brightness == 35 and control.state()["brightness"]["error"] is None
    assert reports == ["driver: cannot set brightness to 30: card 0:0 did not answer; check the "
                       "network cable"]
