"""Times in the API at the site's offset (+07:00), local days and months in queries, the
plays CSV in local time (and for Excel), each emergency notice apart in the summary: a
real API on 127.0.0.1 over a real store, on a fake clock."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import httpx
import pytest

from signage.api import create_app
from signage.content.models import Message, Playlist
from signage.store.records import Play
from tests.test_api import bearer, serve
from tests.test_proof import client  # noqa: F401  (the fixture: a real API on 127.0.0.1)

UTC = dt.timezone.utc
OFFSET = "+07:00"


def play(start_utc: dt.datetime, seconds: float = 10, item: int = 0, emergency: int | None = None,
         playlist: str = "welcome") -> Play:
    return Play(start_utc, start_utc + dt.timedelta(seconds=seconds), "main", playlist, item,
                "message", "Chào mừng", 3, "ab" * 32, emergency=emergency)


@pytest.fixture
def around_midnight(store):
    """Plays at 23:30 on 9 Feb, 00:30 and 23:30 on 10 Feb and 00:30 on 11 Feb, gate time."""
    starts = [dt.datetime(2027, 2, 9, 16, 30, tzinfo=UTC), dt.datetime(2027, 2, 9, 17, 30, tzinfo=UTC),
              dt.datetime(2027, 2, 10, 16, 30, tzinfo=UTC), dt.datetime(2027, 2, 10, 17, 30, tzinfo=UTC)]
    store.records.record_plays([play(start, item=n) for n, start in enumerate(starts)])


def test_a_date_alone_means_the_local_day(client, store, around_midnight):
    answer = client.get("/api/plays", params={"from": "2027-02-10", "to": "2027-02-10"},
                        headers=bearer(store, "approver"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["from"], body["to"]) == ("2027-02-10T00:00:00+07:00", "2027-02-11T00:00:00+07:00")
    assert [p["started_at"] for p in body["plays"]] == ["2027-02-10T00:30:00+07:00",
                                                        "2027-02-10T23:30:00+07:00"]
    assert body["plays"][0]["ended_at"] == "2027-02-10T00:30:10+07:00"


def test_a_date_alone_from_runs_to_now(client, store, clock, around_midnight):
    clock.set_wall(dt.datetime(2027, 2, 10, 18, 0, tzinfo=UTC))  # 01:00 on 11 Feb at the gate
    answer = client.get("/api/plays", params={"from": "2027-02-10"}, headers=bearer(store, "technician"))
    assert answer.status_code == 200, answer.text
    assert [p["item"] for p in answer.json()["plays"]] == [1, 2, 3]


@pytest.mark.parametrize("value", ["2027-02-10T00:00:00", "2027-02-31", "yesterday"])
def test_times_without_a_zone_and_impossible_dates_get_422(client, store, value):
    answer = client.get("/api/plays", params={"from": value}, headers=bearer(store, "technician"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "from"]


def test_the_csv_is_in_local_time(client, store, around_midnight):
    answer = client.get("/api/plays", params={"from": "2027-02-10", "to": "2027-02-10",
                                              "format": "csv"}, headers=bearer(store, "technician"))
    assert answer.status_code == 200
    assert not answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["started_at"], r["ended_at"]) for r in rows] == [
        ("2027-02-10T00:30:00+07:00", "2027-02-10T00:30:10+07:00"),
        ("2027-02-10T23:30:00+07:00", "2027-02-10T23:30:10+07:00")]


def test_the_excel_csv_has_a_byte_order_mark_and_plain_local_times(client, store, around_midnight):
    answer = client.get("/api/plays", params={"from": "2027-02-10", "to": "2027-02-10",
                                              "excel": "true"}, headers=bearer(store, "technician"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Chào mừng right
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [r["started_at"] for r in rows] == ["2027-02-10 00:30:00", "2027-02-10 23:30:00"]
    assert rows[0]["label"] == "Chào mừng"


def test_the_summary_month_is_the_local_month(client, store):
    # 1 March 01:00 at the gate is still 28 February in UTC.
    store.records.record_plays([play(dt.datetime(2027, 2, 28, 18, 0, tzinfo=UTC)),
                                play(dt.datetime(2027, 2, 28, 16, 0, tzinfo=UTC), item=1)])
    headers = bearer(store, "technician")
    march = client.get("/api/plays/summary", params={"month": "2027-03"}, headers=headers).json()
    february = client.get("/api/plays/summary", params={"month": "2027-02"}, headers=headers).json()
    assert [i["item"] for i in march["items"]] == [0]
    assert [i["item"] for i in february["items"]] == [1]


def test_the_summary_keeps_each_emergency_notice_apart(client, store):
    at = dt.datetime(2027, 2, 10, 1, 0, tzinfo=UTC)
    store.records.record_plays([
        play(at, 60, emergency=1, playlist="emergency"),
        play(at + dt.timedelta(hours=1), 120, emergency=2, playlist="emergency"),
        play(at + dt.timedelta(hours=2), 30, emergency=2, playlist="emergency")])
    body = client.get("/api/plays/summary", params={"month": "2027-02"},
                      headers=bearer(store, "approver")).json()
    assert [(i["emergency"], i["plays"], i["seconds"]) for i in body["items"]] == [
        (1, 1, 60.0), (2, 2, 150.0)]
    plays = client.get("/api/plays", params={"from": "2027-02-10", "to": "2027-02-10"},
                       headers=bearer(store, "approver", "second")).json()["plays"]
    assert [p["emergency"] for p in plays] == [1, 2, 2]


def test_emergencies_revisions_and_audit_are_in_local_time(client, store, clock):
    text = Message(vi="Cửa khẩu tạm đóng", en="Gate closed", zh="口岸暂时关闭")
    store.desired.add_emergency(text, clock.now() + dt.timedelta(hours=2), "duty", role="approver")
    store.content.publish_playlist(Playlist.model_validate(
        {"name": "welcome", "items": [{"kind": "standby"}]}), "hoa")
    # The fake clock reads 2026-11-26 01:00 UTC: 08:00 at the gate.
    notice = client.get("/api/emergency", headers=bearer(store, "approver")).json()["emergencies"][0]
    assert notice["expires_at"] == "2026-11-26T10:00:00+07:00"
    assert notice["starts_at"] == "2026-11-26T08:00:00+07:00"
    revision = client.get("/api/revisions", headers=bearer(store, "editor")).json()["revisions"][0]
    assert revision["created_at"] == "2026-11-26T08:00:00+07:00"
    entries = client.get("/api/audit", headers=bearer(store, "admin")).json()["entries"]
    assert entries and all(e["at"] == "2026-11-26T08:00:00+07:00" for e in entries)


def test_a_site_elsewhere_gets_its_own_offset(settings, store, clock):
    settings = dataclasses.replace(settings, site_timezone="Asia/Shanghai")
    store.content.publish_playlist(Playlist.model_validate(
        {"name": "welcome", "items": [{"kind": "standby"}]}), "hoa")
    with serve(create_app(settings, clock, store)) as url:
        answer = httpx.get(f"{url}/api/revisions", headers=bearer(store, "editor"), trust_env=False)
    assert answer.json()["revisions"][0]["created_at"] == "2026-11-26T09:00:00+08:00"
