"""The player's per-minute history (history.json), driven by a fake clock: a point a
minute, 24 hours kept, read back after a restart, a damaged file ignored, written whole
and at most once a minute."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading

import pytest

from signage.clock import FakeClock
from signage.player.history import MinuteHistory
from signage.store.history import MAX_POINTS, MinutePoint, read_history, write_history
from tests.conftest import emulated_panel, player_on

START = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone.utc)


def document(fps=30.0, dropped=0, cards=(), trusted=True) -> dict:
    """A status document with what the history reads from one."""
    return {"fps": fps, "dropped_frames": dropped, "time": {"trusted": trusted, "reason": "ok"},
            "driver": {"link": "up", "extra": {"cards": [
                {"port": 0, "index": i, "present": t is not None, "temperature_c": t,
                 "voltage_v": v} for i, (t, v) in enumerate(cards)]}}}


def feed(history: MinuteHistory, clock: FakeClock, seconds: float, every: float = 0.5, **fields):
    """Status documents every `every` seconds for `seconds`, as the player builds them."""
    for _ in range(round(seconds / every)):
        history.observe(document(**fields))
        clock.advance(every)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "run" / "history.json"


def stored(path) -> list[MinutePoint]:
    points = read_history(path)
    assert points is not None, "no history file was written"
    return points


def test_each_minute_becomes_one_point_with_mean_lowest_hottest_and_dropped(path, clock):
    history = MinuteHistory(path, clock)
    feed(history, clock, 30, fps=30.0, dropped=0, cards=[(41.0, 4.9), (55.5, 5.1)])
    feed(history, clock, 30, fps=20.0, dropped=4, cards=[(43.0, 4.7), (52.0, 5.0)])
    feed(history, clock, 60, fps=29.0, dropped=4, cards=[(40.0, 4.8)])
    history.observe(document(fps=29.0, dropped=9))  # 08:02:00: the second minute ends

    first, second = stored(path)
    assert (first.at, second.at) == (START, START + dt.timedelta(minutes=1))
    assert (first.fps_mean, first.fps_min) == (25.0, 20.0)
    assert (first.temperature_max_c, first.voltage_min_v, first.voltage_max_v) == (55.5, 4.7, 5.1)
    assert first.dropped_frames == 4 and first.samples == 120
    assert (second.fps_mean, second.fps_min, second.temperature_max_c) == (29.0, 29.0, 40.0)
    assert second.dropped_frames == 0


def test_a_driver_without_read_back_has_no_temperature_or_voltage(path, clock):
    history = MinuteHistory(path, clock)
    feed(history, clock, 60, fps=30.0)  # HDMI: no cards
    history.observe({"fps": None, "dropped_frames": 0, "time": {"trusted": True},
                     "driver": {"extra": {"cards": [{"temperature_c": float("nan")}]}}})
    history.save()

    first, last = stored(path)
    assert first.temperature_max_c is None and first.voltage_min_v is None
    assert last.fps_mean is None and last.temperature_max_c is None  # NaN is no reading


def test_the_file_is_written_when_a_minute_ends_not_on_every_document(path, clock):
    history = MinuteHistory(path, clock)
    feed(history, clock, 59.5)
    assert not path.exists() and history.writes == 0
    feed(history, clock, 10 * 60)

    assert history.writes == 10
    assert len(stored(path)) == 10


def test_a_clock_stepped_back_and_forth_writes_no_more_than_once_a_minute(path, clock):
    history = MinuteHistory(path, clock)
    for step in range(40):  # NTP fighting a wrong RTC: the minute changes every 2 s
        clock.set_wall(START + dt.timedelta(minutes=step % 2))
        feed(history, clock, 2.0)

    assert history.writes == 2  # at the first minute's end, then 50 s later
    points = stored(path)
    assert [p.at for p in points] == sorted(p.at for p in points)  # still in time order


def test_the_write_replaces_the_file_in_one_rename_and_leaves_no_temp_file(path, clock):
    history = MinuteHistory(path, clock)
    feed(history, clock, 61)
    before = path.stat().st_ino
    feed(history, clock, 60)

    assert path.stat().st_ino != before  # a new file renamed over the old, never half-written
    assert [p.name for p in path.parent.iterdir()] == ["history.json"]
    assert len(stored(path)) == 2


def test_the_write_is_handed_to_the_background_writer(path, clock):
    jobs = []
    history = MinuteHistory(path, clock, write_later=jobs.append)
    feed(history, clock, 61)

    assert len(jobs) == 1 and not path.exists()  # nothing written on the frame loop
    feed(history, clock, 30)  # points go on being added while the job waits
    jobs[0]()
    assert [p.at for p in stored(path)] == [START]  # the job writes what it was handed


def test_a_restart_reads_the_history_back_and_continues_the_same_minute(path, clock):
    before = MinuteHistory(path, clock)
    feed(before, clock, 90, fps=30.0, dropped=2)  # to 08:01:30
    before.save()  # the player exits mid-minute

    after = MinuteHistory(path, clock)
    assert [p.at for p in after.points] == [START, START + dt.timedelta(minutes=1)]
    feed(after, clock, 30.5, fps=10.0, dropped=1)  # a new process counts from its own start
    points = stored(path)

    assert len(points) == 2  # the minute of the restart is one point, not two
    merged = points[1]
    assert merged.samples == 120 and merged.fps_min == 10.0
    assert merged.fps_mean == 20.0 and merged.dropped_frames == 1


def test_points_older_than_24_hours_are_dropped_at_start_and_as_time_goes(path, clock):
    old = [MinutePoint(at=START - dt.timedelta(minutes=m), samples=120, fps_mean=30.0)
           for m in range(30 * 60, 0, -1)]  # 30 hours, up to a minute ago
    write_history(path, old)

    history = MinuteHistory(path, clock)
    assert len(history.points) == 24 * 60 - 1  # newer than 08:00 yesterday
    assert history.points[0].at == START - dt.timedelta(hours=24) + dt.timedelta(minutes=1)

    feed(history, clock, 3 * 60 + 1)
    points = stored(path)
    assert len(points) <= MAX_POINTS
    assert points[0].at > clock.now() - dt.timedelta(hours=24)
    assert points[-1].at == START + dt.timedelta(minutes=2)


def test_memory_and_file_stay_bounded(path, clock):
    # More points than minutes in a day (written by hand, or by a future version): the
    # newest MAX_POINTS are kept, in memory and in the file.
    crowded = [MinutePoint(at=START - dt.timedelta(seconds=20 * n), samples=1)
               for n in range(3000, 0, -1)]
    write_history(path, crowded)
    history = MinuteHistory(path, clock)
    assert len(history.points) == MAX_POINTS
    feed(history, clock, 5 * 60 + 1)

    assert len(history.points) == MAX_POINTS == len(stored(path))
    assert history.points[-1].at == START + dt.timedelta(minutes=4)


@pytest.mark.parametrize("damage", [
    b"{\"format\": 1, \"points\": [{\"at\": \"2026-11-26T07:",  # cut short by a power loss
    b"\x00\x00\x00\x00",
    b"[1, 2, 3]",
    b'{"format": 99, "points": []}',
    b'{"format": 1, "points": [{"at": "yesterday", "samples": 1, "fps_mean": null,'
    b' "fps_min": null, "temperature_max_c": null, "voltage_min_v": null,'
    b' "voltage_max_v": null, "dropped_frames": 0}]}',
    b'{"format": 1, "points": [{"at": "2026-11-26T07:00:00+00:00", "samples": 1,'
    b' "fps_mean": "fast", "fps_min": null, "temperature_max_c": null,'
    b' "voltage_min_v": null, "voltage_max_v": null, "dropped_frames": 0}]}',
], ids=["truncated", "zeros", "not-an-object", "other-format", "bad-time", "bad-number"])
def test_a_damaged_file_is_ignored_with_one_log_line_and_replaced(path, clock, caplog, damage):
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="signage.player.history"):
        history = MinuteHistory(path, clock)
        feed(history, clock, 61)

    assert [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()] == [
        caplog.records[0].getMessage()]
    assert len(caplog.records) == 1 and "history.json" in caplog.records[0].getMessage()
    assert [p.at for p in stored(path)] == [START]  # started again, and written whole


def test_an_unwritable_runtime_dir_is_logged_once_not_raised(tmp_path, clock, caplog):
    blocker = tmp_path / "run"
    blocker.write_text("a file where the directory should be")
    history = MinuteHistory(blocker / "history.json", clock)
    with caplog.at_level(logging.INFO, logger="signage.player.history"):
        feed(history, clock, 5 * 60 + 1)
        history.save()
        assert [r.levelname for r in caplog.records] == ["WARNING"]  # not one a minute
        assert "cannot write the minute history" in caplog.text
        blocker.unlink()  # a technician frees the runtime dir
        feed(history, clock, 60)

    assert "writing the minute history" in caplog.records[-1].getMessage()
    assert len(stored(blocker / "history.json")) == 6


def test_card_readings_are_not_kept_while_the_link_is_down(path, clock):
    history = MinuteHistory(path, clock)
    for link, temperature in (("up", 45.0), ("down", 45.0)):
        for _ in range(120):
            history.observe({**document(fps=30.0, cards=[(temperature, 5.0)]),
                             "driver": {"link": link, "extra": {"cards": [
                                 {"temperature_c": temperature, "voltage_v": 5.0}]}}})
            clock.advance(0.5)
    history.save()

    up, down = stored(path)
    assert (up.temperature_max_c, up.voltage_min_v) == (45.0, 5.0)
    assert (down.temperature_max_c, down.voltage_min_v) == (None, None)  # stale, not charted
    assert down.fps_mean == 30.0


def test_nothing_is_recorded_while_the_clock_is_not_trusted(path, clock):
    history = MinuteHistory(path, clock)
    feed(history, clock, 30, trusted=True)
    feed(history, clock, 3 * 60, trusted=False)
    history.save()

    assert stored(path) == []  # the half minute before the doubt is dropped too


def test_the_player_keeps_the_history_beside_its_status(settings, store, clock, fonts):
    player = player_on(settings, store, clock, emulated_panel((64, 32)), fonts)
    clock.set_wall(clock.now().replace(second=50))
    for _ in range(15 * 5):  # 15 s at 5 frames a second, across a minute's end
        player.step()
        clock.advance(0.2)

    assert settings.history_path.parent == settings.status_path.parent
    [point] = stored(settings.history_path)
    assert point.at == clock.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    assert point.samples >= 15 and point.fps_mean is not None
    assert json.loads(settings.history_path.read_bytes())["format"] == 1


def test_a_player_that_stops_keeps_the_minute_under_way(settings, store, clock, fonts):
    player = player_on(settings, store, clock, emulated_panel((64, 32)), fonts)
    player.run(threading.Event(), max_frames=90)  # 3 s at 30 fps, then the exit path

    [point] = stored(settings.history_path)  # no minute ended: saved at exit all the same
    assert point.at == START and point.samples >= 6
    again = MinuteHistory(settings.history_path, clock)
    assert again.points == [point]
