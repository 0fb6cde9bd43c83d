"""FairQueue: heavy work admitted per caller and overall, on threads of its own."""

from __future__ import annotations

import threading

import pytest

from signage.services.errors import Busy
from signage.services.fair import FairQueue


@pytest.fixture
def queue():
    queue = FairQueue("preview", workers=1, per_caller=2, total=3, retry_after_s=2)
    yield queue
    queue.shutdown()


def test_a_caller_past_their_share_is_refused_and_others_still_get_in(queue):
    gate = threading.Event()
    held = [queue.submit("user:lan", gate.wait) for _ in range(2)]

    with pytest.raises(Busy) as refused:
        queue.submit("user:lan", gate.wait)
    other = queue.submit("user:minh", gate.wait)  # another person: still admitted
    with pytest.raises(Busy) as full:
        queue.submit("user:hoa", gate.wait)  # three in all: everyone waits
    gate.set()

    assert refused.value.code == "preview_busy" and refused.value.params["retry_after_s"] == 2
    assert "of yours" in refused.value.message and "of everyone's" in full.value.message
    assert [f.result(timeout=10) for f in held + [other]] == [True, True, True]


def test_places_are_given_back_when_the_work_ends_even_if_it_fails(queue):
    def fails():
        raise ValueError("a damaged image")

    failed = queue.submit("user:lan", fails)
    with pytest.raises(ValueError):
        failed.result(timeout=10)

    assert queue.queued() == 0
    assert queue.submit("user:lan", lambda: "drawn").result(timeout=10) == "drawn"


def test_check_refuses_without_taking_a_place(queue):
    gate = threading.Event()
    held = [queue.submit("user:lan", gate.wait) for _ in range(2)]

    with pytest.raises(Busy):
        queue.check("user:lan")
    queue.check("user:minh")
    gate.set()
    for future in held:
        future.result(timeout=10)

    assert queue.queued() == 0
