"""GET /api/status/history: the player's per-minute history for technicians, at the
site's offset, through a real server."""

from __future__ import annotations

import datetime as dt

from signage.store.history import MinutePoint, write_history
from tests.test_api import bearer, client, clock, settings, store, tech  # noqa: F401


def minutes_before(now: dt.datetime, *minutes: int) -> list[MinutePoint]:
    return [MinutePoint(at=now.replace(second=0) - dt.timedelta(minutes=m), samples=120,
                        fps_mean=29.5, fps_min=27.0, temperature_max_c=48.5,
                        voltage_min_v=4.8, voltage_max_v=5.0, dropped_frames=m % 3)
            for m in minutes]


def test_the_history_is_served_oldest_first_at_the_site_offset(client, tech, settings, clock):
    write_history(settings.history_path, minutes_before(clock.now(), 25 * 60, 90, 2, 1))

    answer = client.get("/api/status/history", headers=tech)

    assert answer.status_code == 200, answer.text
    points = answer.json()["points"]
    # 08:00 UTC is 15:00 at the gate; the point of 25 hours ago is past the 24 hours.
    assert [p["at"] for p in points] == ["2026-11-26T13:30:00+07:00", "2026-11-26T14:58:00+07:00",
                                         "2026-11-26T14:59:00+07:00"]
    assert points[0] == {"at": "2026-11-26T13:30:00+07:00", "samples": 120, "fps_mean": 29.5,
                         "fps_min": 27.0, "temperature_max_c": 48.5, "voltage_min_v": 4.8,
                         "voltage_max_v": 5.0, "dropped_frames": 0}


def test_without_a_history_the_answer_is_503_and_says_why(client, tech):
    answer = client.get("/api/status/history", headers=tech)

    assert answer.status_code == 503
    assert "no readable minute history yet" in answer.json()["detail"]
    assert "signage player" in answer.json()["detail"]


def test_a_damaged_history_is_503_not_500(client, tech, settings):
    settings.history_path.write_bytes(b'{"format": 1, "points": [{"at": 3}]}')

    answer = client.get("/api/status/history", headers=tech)

    assert answer.status_code == 503


def test_the_history_is_for_technicians(client, store, settings, clock):
    write_history(settings.history_path, minutes_before(clock.now(), 1))

    assert client.get("/api/status/history").status_code == 401
    for role in ("editor", "approver", "admin"):
        answer = client.get("/api/status/history", headers=bearer(store, role))
        assert answer.status_code == 403, role
    assert client.get("/api/status/history", headers=bearer(store, "technician")).status_code == 200


def test_each_new_version_of_the_file_is_served(client, tech, settings, clock):
    write_history(settings.history_path, minutes_before(clock.now(), 2))
    assert len(client.get("/api/status/history", headers=tech).json()["points"]) == 1

    write_history(settings.history_path, minutes_before(clock.now(), 3, 2, 1))  # a minute later

    assert len(client.get("/api/status/history", headers=tech).json()["points"]) == 3
