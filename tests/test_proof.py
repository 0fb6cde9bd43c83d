"""Proof of play: the player records each item shown, in batches, with a hash of its first
full frame; the API serves the plays as JSON or CSV and sums them up by month."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import threading

import httpx
import pygame
import pytest

from signage.api import create_app
from signage.errors import SignageError
from signage.content.models import Playlist
from signage.player.proof import BATCH_EVERY_S, FrameHasher, ProofOfPlay, frame_sha256
from signage.settings import Settings
from signage.store import Store
from signage.store.records import Play
from tests.test_api import bearer, serve
from tests.conftest import emulated_panel, player_on

SIZE = (192, 96)
FPS = 20
UTC = dt.timezone.utc


def message(vi: str, duration: str = "2s") -> dict:
    return {"kind": "message", "duration": duration, "text": {"vi": vi, "en": "English", "zh": "中文"}}


ITEMS = [message("Một"), message("Hai"), message("Ba")]


@pytest.fixture
def panel():
    return emulated_panel(SIZE)


@pytest.fixture
def player(settings, store, clock, panel, fonts):
    return player_on(settings, store, clock, panel, fonts)


@pytest.fixture
def batches(store, monkeypatch):
    """Every batch the player hands the store (the real store still writes it)."""
    seen: list[int] = []
    record = store.records.record_plays

    def counted(plays):
        plays = list(plays)
        seen.append(len(plays))
        return record(plays)

    monkeypatch.setattr(store.records, "record_plays", counted)
    return seen


def publish(store, *items, name="main") -> int:
    return store.content.publish_playlist(Playlist.model_validate({"name": name, "items": list(items)}), "test")


def run(player, clock, seconds):
    for _ in range(round(seconds * FPS)):
        player.step()
        clock.advance(1 / FPS)


def everything(store) -> list[Play]:
    return store.records.plays(dt.datetime(2000, 1, 1, tzinfo=UTC), dt.datetime(3000, 1, 1, tzinfo=UTC))


def item_hash(player, data: dict) -> str:
    item = Playlist.model_validate({"name": "x", "items": [data]}).items[0]
    return frame_sha256(player.compositor.item_surface(item))


def test_item_changes_are_written_as_plays_in_one_batch_not_per_frame(
        player, store, clock, batches):
    revision = publish(store, *ITEMS)
    begun = clock.now()
    run(player, clock, 13)  # six items ended; the one from 12 s is still on
    assert everything(store) == [] and batches == []  # nothing written yet
    run(player, clock, BATCH_EVERY_S + 2.5 - 13)  # the first play (ended at 2 s) waited 60 s
    plays = everything(store)
    assert batches == [len(plays)] and 30 <= len(plays) <= 31  # all of them, one transaction
    plays = plays[:6]
    assert [p.item for p in plays] == [0, 1, 2, 0, 1, 2]
    assert [p.label for p in plays] == ["Một", "Hai", "Ba"] * 2
    assert {(p.zone, p.playlist, p.kind, p.revision) for p in plays} == {
        ("main", "main", "message", revision)}
    starts = [(p.started_at - begun).total_seconds() for p in plays]
    assert starts == pytest.approx([0, 2, 4, 6, 8, 10], abs=1 / FPS + 1e-6)
    assert all(p.ended_at == later.started_at for p, later in zip(plays, plays[1:]))


def test_the_hash_is_of_the_first_full_frame_and_differs_between_items(player, store, clock):
    publish(store, *ITEMS)
    run(player, clock, 13)
    player.proof.flush(store, clock.monotonic())
    plays = everything(store)
    hashes = [p.frame_sha256 for p in plays]
    assert len(set(hashes[:3])) == 3  # three pictures, three hashes
    assert hashes[3:] == hashes[:3]  # the same picture again in the next loop
    # Not a crossfade frame: the item's own settled picture, as the compositor draws it.
    assert hashes[:3] == [item_hash(player, data) for data in ITEMS]


def test_a_blanked_wall_records_no_plays_while_it_is_dark(player, store, clock, settings):
    publish(store, message("Một", "60s"))
    run(player, clock, 5)
    api = Store(settings.data_dir, clock)  # the API's connection: the player sees its commits
    api.desired.set_override("power", False, "tech", clock.now() + dt.timedelta(seconds=10))
    run(player, clock, 10.5)  # dark from 5 s to 15 s, then lit again
    run(player, clock, 5)
    api.close()
    player.proof.close(store, clock.now())
    plays = everything(store)
    assert len(plays) == 2
    dark = (plays[1].started_at - plays[0].ended_at).total_seconds()
    assert 9.5 <= dark <= 10.5
    assert plays[0].frame_sha256 == plays[1].frame_sha256  # same item, same picture


def test_plays_timed_by_a_clock_that_cannot_be_believed_say_so(player, store, clock):
    publish(store, *ITEMS)
    run(player, clock, 5)  # items at 0, 2 and 4 s, the clock believed
    right = clock.now()
    clock.set_wall(right - dt.timedelta(days=60))  # set back: not believed
    run(player, clock, 5)
    clock.set_wall(right + dt.timedelta(seconds=5))  # NTP puts it right
    run(player, clock, 5)
    player.proof.close(store, clock.now())
    plays = everything(store)  # oldest first: the set-back ones sort first
    doubtful = [p for p in plays if p.started_at < right - dt.timedelta(days=1)]
    believed = sorted((p for p in plays if p not in doubtful), key=lambda p: p.started_at)
    assert len(doubtful) >= 2 and not any(p.clock_trusted for p in doubtful)
    # Before the set-back all is sure but the play the jump cut through; likewise after.
    assert [p.clock_trusted for p in believed[:2]] == [True, True]
    assert believed[2].clock_trusted is False  # on screen when the clock went back
    assert believed[-2].clock_trusted is True


def test_stopping_the_player_writes_the_open_plays(player, store, clock):
    publish(store, message("Một", "60s"))
    player.run(threading.Event(), max_frames=40)  # the fake clock's sleep moves time on
    [play] = everything(store)
    assert play.label == "Một" and play.ended_at > play.started_at
    assert play.frame_sha256 is not None


def test_the_background_hasher_hashes_the_frame_as_it_was_when_asked(fonts):
    frame = pygame.Surface((64, 32))
    frame.fill((200, 10, 10))
    box = pygame.Rect(0, 0, 64, 16)
    expected = frame_sha256(frame.subsurface(box))
    hasher = FrameHasher(background=True)
    try:
        future = hasher.submit(frame, box)
        frame.fill((0, 0, 255))  # the next frame is drawn into the same surface
        assert future.result(timeout=10) == expected
        assert hasher.submit(frame, box).result(timeout=10) != expected
    finally:
        hasher.close()


def test_plays_the_store_cannot_take_are_kept_reported_once_and_retried(settings, clock):
    reports: list[str] = []
    proof = ProofOfPlay(reports.append, background=False)
    broken = Store(settings.data_dir, clock)
    broken.close()  # every write now fails
    play = Play(clock.now(), clock.now() + dt.timedelta(seconds=5), "main", "main", 0,
                "message", "Một", 1, "ab" * 32)
    proof.unwritten = [play]
    proof.flush(broken, 0.0)
    proof.unwritten.append(play)
    proof.flush(broken, 1.0)
    assert len(reports) == 1 and "cannot write plays" in reports[0]
    assert len(proof.unwritten) == 2
    store = Store(settings.data_dir, clock)
    try:
        proof.flush(store, 2.0)
        assert len(everything(store)) == 2 and proof.unwritten == [] and proof.written == 2
    finally:
        store.close()


# --- the API ---------------------------------------------------------------------------


@pytest.fixture
def recorded(store):
    """Plays in February and March 2027 (UTC), one with a label a spreadsheet would run."""
    at = dt.datetime(2027, 2, 10, 8, 0, tzinfo=UTC)
    plays = [Play(at + dt.timedelta(seconds=10 * n), at + dt.timedelta(seconds=10 * n + 8), "main",
                  "welcome", n % 2, "message", ["Chào mừng", "=HYPERLINK(\"x\")"][n % 2], 3,
                  f"{n:064x}") for n in range(5)]
    plays[4] = dataclasses.replace(plays[4], clock_trusted=False)  # timed by a doubtful clock
    plays.append(Play(dt.datetime(2027, 3, 1, 0, 0, tzinfo=UTC), dt.datetime(2027, 3, 1, 0, 1, tzinfo=UTC),
                      "main", "welcome", 0, "message", "Chào mừng", 3, "f" * 64))
    store.records.record_plays(plays)
    return plays


@pytest.fixture
def client(settings, clock, store):
    settings.runtime_dir.mkdir(parents=True, exist_ok=True)
    with serve(create_app(settings, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
            yield client


def test_plays_as_json(client, store, recorded):
    answer = client.get("/api/plays", params={"from": "2027-02-10T08:00:15Z",
                                              "to": "2027-02-10T16:00:00+07:00"},
                        headers=bearer(store, "approver"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["count"] == 4  # the play from 08:00:10 to :18 overlaps 08:00:15
    first = body["plays"][0]
    assert first["started_at"] == "2027-02-10T15:00:10+07:00"  # 08:00:10Z at the gate
    assert (first["seconds"], first["item"], first["frame_sha256"]) == (8.0, 1, f"{1:064x}")
    assert [p["clock_trusted"] for p in body["plays"]] == [True, True, True, False]


@pytest.mark.parametrize("how", ["query", "accept"])
def test_plays_as_csv_with_formulas_defused(client, store, recorded, how):
    params = {"from": "2027-02-01T00:00:00Z", "to": "2027-02-28T00:00:00Z"}
    headers = bearer(store, "technician")
    if how == "query":
        params["format"] = "csv"
    else:
        headers["Accept"] = "text/csv"
    answer = client.get("/api/plays", params=params, headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 5
    assert rows[0]["label"] == "Chào mừng" and rows[0]["seconds"] == "8.0"
    assert rows[1]["label"] == "'=HYPERLINK(\"x\")"  # text in a spreadsheet, not a formula
    assert [row["clock_trusted"] for row in rows] == ["true"] * 4 + ["false"]


def test_the_monthly_summary_counts_plays_and_seconds_per_item(client, store, recorded):
    answer = client.get("/api/plays/summary", params={"month": "2027-02"},
                        headers=bearer(store, "technician"))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["month"], body["plays"], body["seconds"]) == ("2027-02", 5, 40.0)
    assert body["untrusted_plays"] == 1
    by_item = {i["item"]: (i["plays"], i["seconds"]) for i in body["items"]}
    assert by_item == {0: (3, 24.0), 1: (2, 16.0)}


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2027-02-01T00:00:00"}, "from"),  # no time zone
    ({"from": "2027-02-02T00:00:00Z", "to": "2027-02-01T00:00:00Z"}, "from"),
    ({"from": "2025-01-01T00:00:00Z", "to": "2027-02-01T00:00:00Z"}, "from"),  # over a year
])
def test_bad_windows_get_422_naming_the_field(client, store, params, field):
    answer = client.get("/api/plays", params=params, headers=bearer(store, "technician"))
    assert answer.status_code == 422
    assert [e["loc"] for e in answer.json()["detail"]] == [["query", field]]


def test_a_month_that_is_not_yyyy_mm_gets_422(client, store):
    answer = client.get("/api/plays/summary", params={"month": "2027-13"},
                        headers=bearer(store, "technician"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "month"]


def played(store, *days_ago_ended):
    """Store one play per age, each ending that many days before now."""
    now = store.database.clock.now()
    store.records.record_plays([Play(now - dt.timedelta(days=days, minutes=1), now - dt.timedelta(days=days),
                             "main", "welcome", 0, "message", f"{days} days ago", 1, None)
                        for days in days_ago_ended])


def test_plays_older_than_the_kept_days_are_deleted_and_the_rest_kept(player, store, clock):
    publish(store, *ITEMS)
    played(store, 900, 401, 399, 10)
    run(player, clock, 1)  # the player deletes old plays soon after it starts, then daily
    assert sorted(p.label for p in everything(store)) == ["10 days ago", "399 days ago"]
    played(store, 420)
    run(player, clock, 1)  # not again within the day
    assert len(everything(store)) == 3


def test_a_clock_that_jumped_years_ahead_deletes_no_recent_plays(player, store, clock):
    publish(store, *ITEMS)
    played(store, 10)
    clock.set_wall(clock.now() + dt.timedelta(days=3 * 365))  # believed: it is not set back
    run(player, clock, 1)
    assert [p.label for p in everything(store)] == ["10 days ago"]


def test_the_days_kept_are_a_setting():
    assert Settings.from_env({"SIGNAGE_PLAYS_KEEP_DAYS": "30"}).plays_keep_days == 30
    with pytest.raises(SignageError, match="SIGNAGE_PLAYS_KEEP_DAYS='0': write a number of days"):
        Settings.from_env({"SIGNAGE_PLAYS_KEEP_DAYS": "0"})


def test_pruning_goes_in_batches_until_nothing_old_is_left(store):
    played(store, 500, 501, 502, 503, 504, 3)
    cutoff = store.database.clock.now() - dt.timedelta(days=400)
    assert store.records.prune_plays(cutoff, batch=2) == 5
    assert [p.label for p in everything(store)] == ["3 days ago"]
    assert store.records.prune_plays(cutoff, batch=2) == 0
