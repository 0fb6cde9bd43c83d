"""The bench's seeded store (devtools.seed), and the store's reads it made fast: the day
sums of proof of play (migration 11), a window's plays, where each asset is used.

Each fast read is checked against the plain SQL it replaced, on seeded data, after
pruning too: the same rows, whatever the index or the sums did.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest

from signage.clock import FakeClock
from signage.devtools import seed
from signage.store import Store
from signage.store.access import ROLES
from signage.store.records import Play

START = dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.timezone.utc)
SITE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
SMALL = {"revisions": 20, "assets": 10, "plays": 500}


def seeded_store(path, **counts) -> tuple[Store, seed.Seeded, FakeClock]:
    clock = FakeClock(START)
    store = Store(path, clock)
    return store, seed.seed_store(store, clock=clock, **{**SMALL, **counts}), clock


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    store, seeded, clock = seeded_store(tmp_path_factory.mktemp("seed") / "data", plays=3000)
    yield store, seeded, clock
    store.close()


def contents(store: Store) -> dict:
    """Everything seeded that must come out the same each time (not password hashes:
    their salt is random on purpose)."""
    query = store.database.query
    return {
        "revisions": [tuple(r) for r in query("SELECT * FROM revisions ORDER BY id")],
        "live": [tuple(r) for r in query("SELECT * FROM live ORDER BY kind, name")],
        "assets": [tuple(r) for r in query("SELECT * FROM assets ORDER BY sha256")],
        "plays": [tuple(r) for r in query("SELECT * FROM plays ORDER BY id")],
        "audit": [tuple(r) for r in query("SELECT * FROM audit ORDER BY id")],
        "users": [tuple(r) for r in query("SELECT name, role, created_at FROM users ORDER BY id")],
    }


def test_seeding_twice_gives_the_same_store_with_the_counts_asked(tmp_path):
    lines = []
    first, seeded, clock = seeded_store(tmp_path / "a", progress=lines.append)
    second, _, _ = seeded_store(tmp_path / "b")
    try:
        made = contents(first)
        assert made == contents(second)
        assert (len(made["revisions"]), len(made["assets"]), len(made["plays"])) == (20, 10, 500)
        assert (seeded.revisions, seeded.assets, seeded.plays) == (20, 10, 500)
        assert len({row[0] for row in made["assets"]}) == 10  # distinct pictures
        assert lines and lines[-1] == "seed: 500/500 plays"
    finally:
        first.close()
        second.close()


def test_the_seeded_store_has_every_state_role_and_kind_of_record(small):
    store, seeded, clock = small
    states = {row["state"] for row in store.database.query("SELECT state FROM revisions")}
    assert states == {"draft", "submitted", "approved", "rejected"}
    assert seeded.rollbacks >= 1 and seeded.pending
    assert {user.role for user in store.access.users()} == set(ROLES)
    assert store.content.live_schedule() is not None
    live = store.content.live_playlist(seeded.playlists[0]).playlist.model_dump()
    texts = [item["text"] for item in live["items"] or live["layout"][0]["items"]
             if "text" in item]
    assert texts and all(text["vi"] and text["en"] and text["zh"] for text in texts)
    bodies = " ".join(row["body"] for row in store.database.query("SELECT body FROM revisions"))
    assert '"kind":"image"' in bodies.replace(" ", "") and "sha256:" in bodies
    actions = {row["action"] for row in store.database.query("SELECT action FROM audit")}
    assert {"playlist.save", "playlist.submit", "playlist.approve", "playlist.reject",
            "playlist.rollback", "schedule.approve", "asset.upload", "user.create"} <= actions
    first, last = store.database.query("SELECT min(started_at) AS a, max(started_at) AS b "
                                       "FROM plays")[0]
    span = dt.datetime.fromisoformat(last) - dt.datetime.fromisoformat(first)
    assert span > dt.timedelta(days=89) and clock.now() >= dt.datetime.fromisoformat(last)


def test_too_few_revisions_is_refused_naming_the_option(tmp_path):
    with pytest.raises(ValueError, match="--revisions: seed at least 19"):
        seeded_store(tmp_path / "data", revisions=10)


# --- the store's fast reads against the plain SQL they replaced --------------------------


def summary_by_plain_sql(store: Store, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Migration 10's summary: every play in the window grouped."""
    stamps = [moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")
              for moment in (start, end)]
    rows = store.database.query(
        "SELECT playlist, zone, item, kind, emergency, max(label) AS label, count(*) AS plays, "
        "sum((julianday(ended_at) - julianday(started_at)) * 86400.0) AS seconds, "
        "sum(clock_trusted = 0) AS untrusted_plays FROM plays "
        "WHERE started_at >= ? AND started_at < ? GROUP BY playlist, zone, item, kind, emergency "
        "ORDER BY playlist, zone, item, emergency", tuple(stamps))
    return [{**dict(r), "seconds": round(r["seconds"], 1)} for r in rows]


def windows(clock: FakeClock) -> list[tuple[dt.datetime, dt.datetime]]:
    end = clock.now()
    october = dt.datetime(2026, 10, 1, tzinfo=SITE)
    return [
        (october, dt.datetime(2026, 11, 1, tzinfo=SITE)),  # a local month: part-days at edges
        (end - dt.timedelta(hours=5), end),  # inside a day
        (dt.datetime(2026, 10, 3, tzinfo=dt.timezone.utc),  # whole UTC days only
         dt.datetime(2026, 10, 9, tzinfo=dt.timezone.utc)),
        (START - dt.timedelta(days=400), end + dt.timedelta(days=1)),  # everything
        (end + dt.timedelta(days=1), end + dt.timedelta(days=2)),  # nothing
    ]


def test_the_summary_from_day_sums_is_the_summary_of_every_play_even_after_pruning(tmp_path):
    store, _, clock = seeded_store(tmp_path / "data", plays=3000)
    try:
        for start, end in windows(clock):
            assert store.records.play_summary(start, end) == summary_by_plain_sql(store, start, end)
        assert store.records.play_summary(*windows(clock)[0])  # not empty: a real check
        # Pruning removes plays one by one through the trigger; the sums follow.
        assert store.records.prune_plays(dt.datetime(2026, 10, 15, 13, 7, tzinfo=SITE)) > 0
        for start, end in windows(clock):
            assert store.records.play_summary(start, end) == summary_by_plain_sql(store, start, end)
    finally:
        store.close()


def plays_by_plain_sql(store: Store, start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """Migration 10's window: every play that started before its end, filtered."""
    stamps = [moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")
              for moment in (end, start)]
    return [(dt.datetime.fromisoformat(r["started_at"]), r["zone"], r["label"])
            for r in store.database.query(
                "SELECT * FROM plays WHERE started_at < ? AND ended_at > ? "
                "ORDER BY started_at, id", tuple(stamps))]


def test_a_windows_plays_include_a_long_one_that_began_days_before_it(small):
    store, _, clock = small
    now = clock.now()
    # A clock that jumped while it played: three days "on screen", begun well before.
    long_play = Play(now - dt.timedelta(days=3), now + dt.timedelta(hours=1), "ticker",
                     "tourism-welcome", 0, "ticker", "a long one", None, None,
                     clock_trusted=False)
    store.records.record_plays([long_play])
    for start, end in windows(clock) + [(now - dt.timedelta(minutes=30), now)]:
        found = [(p.started_at, p.zone, p.label) for p in store.records.plays(start, end)]
        assert found == plays_by_plain_sql(store, start, end)
    assert "a long one" in [p.label for p in store.records.plays(now - dt.timedelta(minutes=30),
                                                                  now)]


def test_where_each_asset_is_used_in_one_query_as_asked_one_by_one(small):
    store, _, _ = small
    from signage.store.assets import _ASSET_USERS_SQL

    every = store.assets.uses()
    assert every  # the seeded playlists use pictures
    for asset in store.assets.all():
        one_by_one = [(r["kind"], r["name"]) for r in store.database.query(
            _ASSET_USERS_SQL, (asset.ref.removeprefix("sha256:"),))]
        pairs = sorted({(use.kind, use.name) for use in every.get(asset.ref, [])})
        assert pairs == one_by_one


def groups(rows: list[dict]) -> list[tuple]:
    """Rows per item and revision, in one order, seconds to the millisecond."""
    return sorted((r["playlist"] or "", r["zone"], -1 if r["item"] is None else r["item"],
                   r["revision"] or 0, r["plays"], round(r["seconds"], 3), r["untrusted_plays"])
                  for r in rows)


def groups_by_plain_sql(store: Store, start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """The department report's rows as grouping every play gives them."""
    stamps = [moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")
              for moment in (start, end)]
    return groups([dict(r) for r in store.database.query(
        "SELECT playlist, zone, item, revision, count(*) AS plays, "
        "sum((julianday(ended_at) - julianday(started_at)) * 86400.0) AS seconds, "
        "sum(clock_trusted = 0) AS untrusted_plays FROM plays "
        "WHERE started_at >= ? AND started_at < ? "
        "GROUP BY playlist, zone, item, kind, emergency, revision", tuple(stamps))])


def test_a_random_store_of_plays_sums_the_same_by_day_and_by_play(tmp_path):
    """Plays of any length, started at any millisecond, some with no playlist (emergency
    notices): the day sums still equal grouping every play."""
    clock = FakeClock(START)
    store = Store(tmp_path / "data", clock)
    rng = random.Random(7)
    try:
        plays = []
        for _ in range(400):
            begins = START + dt.timedelta(seconds=rng.uniform(0, 20 * 86400))
            emergency = rng.random() < 0.1
            plays.append(Play(begins, begins + dt.timedelta(seconds=rng.uniform(0.1, 7200)),
                              rng.choice(("main", "ticker")), None if emergency else "p",
                              None if emergency else rng.randrange(3), "message",
                              rng.choice("abc"), None if emergency else rng.choice((1, 2)),
                              None, rng.random() > 0.2, 1 if emergency else None))
        store.records.record_plays(plays)
        for days in (1, 3, 7, 30):
            start = START + dt.timedelta(days=days, hours=rng.uniform(0, 24))
            end = start + dt.timedelta(days=days, minutes=rng.uniform(0, 600))
            assert store.records.play_summary(start, end) == summary_by_plain_sql(store, start, end)
            assert groups(store.records.play_groups(start, end)) == groups_by_plain_sql(
                store, start, end)
    finally:
        store.close()


def test_a_box_updated_with_a_year_of_plays_gets_their_day_sums(tmp_path):
    """Migration 11 sums the plays a box already holds; the window's bound covers them."""
    import sqlite3

    from signage.store import schema

    data = tmp_path / "data"
    data.mkdir()
    db = sqlite3.connect(data / "signage.db")
    for script in schema.MIGRATIONS[:10]:
        for statement in schema.statements(script):
            db.execute(statement)
    db.execute("PRAGMA user_version=10")
    rows = [(f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00.000+00:00",
             f"2026-{month:02d}-{day:02d}T{hour:02d}:{minutes:02d}:00.000+00:00",
             "main", "welcome", hour % 3, "message", "Xin chào", 1, None, int(day != 5))
            for month in (1, 2) for day in range(1, 29) for hour in range(0, 23, 2)
            for minutes in [(day * hour) % 60]]
    db.executemany("INSERT INTO plays (started_at, ended_at, zone, playlist, item, kind, label, "
                   "revision, frame_sha256, clock_trusted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   rows)
    db.commit()
    db.close()
    store = Store(data, FakeClock(START))
    try:
        january = (dt.datetime(2026, 1, 1, tzinfo=SITE), dt.datetime(2026, 2, 1, tzinfo=SITE))
        summary = store.records.play_summary(*january)
        assert summary == summary_by_plain_sql(store, *january)
        assert sum(row["plays"] for row in summary) > 300 and summary[0]["untrusted_plays"] > 0
        day = (dt.datetime(2026, 2, 3, 5, 30, tzinfo=SITE), dt.datetime(2026, 2, 4, tzinfo=SITE))
        assert [(p.started_at, p.zone, p.label) for p in store.records.plays(*day)] == \
            plays_by_plain_sql(store, *day)
    finally:
        store.close()
