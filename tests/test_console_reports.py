"""The audit log and proof-of-play pages on a real server: filters by person, action and
local dates, paging newest first; a month's totals per department, playlist and item; the
CSV for Excel (byte order mark, local times) and the print layout; roles and escaping."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re

import pytest

from signage.content.models import Playlist
from signage.store.records import Play
from tests.console_helpers import url  # noqa: F401 (a fixture)
from tests.console_helpers import browser_like, sign_in

UTC = dt.timezone.utc
VN = dt.timezone(dt.timedelta(hours=7))


@contextlib.contextmanager
def signed_in(url, name):
    with browser_like(url) as client:
        sign_in(client, name)
        yield client


# --- audit log -------------------------------------------------------------------------


def test_the_audit_log_filters_by_person_and_local_dates(url, store, clock):
    start = clock.now()
    # 25/11 23:30 local is 16:30 UTC; 26/11 00:30 local is 17:30 UTC the same UTC day.
    for when, actor, action in [
            (dt.datetime(2026, 11, 25, 16, 30, tzinfo=UTC), "minh", "playlist.approve"),
            (dt.datetime(2026, 11, 25, 17, 30, tzinfo=UTC), "minh", "playlist.reject"),
            (dt.datetime(2026, 11, 25, 17, 40, tzinfo=UTC), "hoa", "playlist.approve"),
            (dt.datetime(2026, 11, 26, 0, 10, tzinfo=UTC), "minh", "panel.brightness")]:
        clock.set_wall(when)
        store.records.audit(actor, "approver", action, target="tin-tuc")
    clock.set_wall(start)
    with signed_in(url, "quan") as admin:
        page = admin.get("/audit", params={"who": "minh", "from": "2026-11-26",
                                           "to": "2026-11-26"})
        assert page.status_code == 200
        rows = re.findall(r"<tr>\s*<td data-label=\"Thời gian\"><time>([^<]+)</time>", page.text)
        assert rows == ["26/11/2026 07:10", "26/11/2026 00:30"]  # newest first, local
        assert "<code>playlist.approve</code>" not in page.text  # minh's on 25/11 local, and hoa's
        assert "panel.brightness" in page.text and "playlist.reject" in page.text
        by_action = admin.get("/audit", params={"action": "playlist"}).text
        assert by_action.count("<code>playlist.") == 3 and "panel.brightness</code>" not in by_action


def test_the_audit_log_pages_by_fifty_newest_first(url, store):
    for n in range(120):
        store.records.audit("lan", "editor", "playlist.save", target=f"p{n:03d}")
    with signed_in(url, "quan") as admin:
        first = admin.get("/audit", params={"who": "lan"}).text
        targets = re.findall(r"<td data-label=\"Đối tượng\">(p\d+)", first)
        assert len(targets) == 50 and targets[0] == "p119" and targets[-1] == "p070"
        older = re.search(r'href="(/audit\?[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
        assert "who=lan" in older
        second = admin.get(older).text
        assert re.findall(r"<td data-label=\"Đối tượng\">(p\d+)", second)[0] == "p069"
        third_link = re.search(r'href="(/audit\?[^"]+)" rel="next"', second).group(1)
        third = admin.get(third_link.replace("&amp;", "&")).text
        last = re.findall(r"<td data-label=\"Đối tượng\">(p\d+)", third)
        assert len(last) == 20 and last[-1] == "p000" and 'rel="next"' not in third


def test_reversed_dates_are_refused_at_the_field(url):
    with signed_in(url, "quan") as admin:
        page = admin.get("/audit", params={"from": "2026-11-26", "to": "2026-11-20"})
    assert page.status_code == 422 and 'id="to-error"' in page.text
    assert "kết thúc ngày 2026-11-20 trước khi bắt đầu ngày 2026-11-26" in page.text


def test_text_in_the_log_and_the_filters_is_shown_as_text(url, store):
    store.records.audit("<script>alert(1)</script>", "admin", "user.create",
                        target="<img src=x onerror=alert(2)>", detail={"note": "<b>x</b>"})
    with signed_in(url, "quan") as admin:
        page = admin.get("/audit", params={"action": '"><script>alert(3)</script>'}).text
        assert "<script>alert(3)" not in page and "&#34;&gt;&lt;script&gt;alert(3)" in page
        page = admin.get("/audit").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "<b>x</b>" not in page


# --- proof of play ---------------------------------------------------------------------


def save_published(store, name: str, department: str | None) -> int:
    document = Playlist.model_validate({"name": name, "department": department,
                                        "items": [{"kind": "standby"}]})
    return store.revisions.save_draft("playlist", document, "lan", role="editor")


def play(start: dt.datetime, seconds: float, playlist: str | None, item: int | None,
         label: str, revision: int | None, emergency: int | None = None) -> Play:
    return Play(start, start + dt.timedelta(seconds=seconds), "main", playlist, item,
                "message" if playlist else "emergency", label, revision, None, True, emergency)


@pytest.fixture
def month_of_plays(store):
    tourism = save_published(store, "du-lich", "Sở Văn hóa, Thể thao và Du lịch")
    trade = save_published(store, "thuong-mai", "Sở Công Thương")
    plain = save_published(store, "chung", None)
    first = dt.datetime(2027, 2, 1, 0, 0, tzinfo=VN)  # 31/01 17:00 UTC: February locally
    plays = []
    for n in range(30):
        plays.append(play(first + dt.timedelta(minutes=n), 10, "du-lich", n % 2,
                          f"Chào mừng {n % 2}", tourism))
    plays += [play(first + dt.timedelta(hours=5, minutes=n), 20, "thuong-mai", 0, "Giá cửa khẩu",
                   trade) for n in range(12)]
    plays.append(play(first + dt.timedelta(days=3), 30, "chung", 0, "=HYPERLINK(\"x\")", plain))
    plays.append(play(first + dt.timedelta(days=4), 60, None, None, "Đóng cửa khẩu", None, 7))
    # Outside February, local: 31/01 23:59 and 01/03 00:00.
    plays.append(play(first - dt.timedelta(minutes=1), 10, "du-lich", 0, "x", tourism))
    plays.append(play(dt.datetime(2027, 3, 1, tzinfo=VN), 10, "du-lich", 0, "x", tourism))
    store.records.record_plays(plays)


def cells(html: str, heading_id: str) -> list[list[str]]:
    section = html[html.index(f'id="{heading_id}"'):]
    section = section[:section.index("</section>")]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows[1:]]


def test_a_months_totals_per_department_playlist_and_item(url, month_of_plays):
    with signed_in(url, "minh") as approver:
        page = approver.get("/plays", params={"month": "2027-02"})
    assert page.status_code == 200
    html = page.text
    assert "Kỳ báo cáo: 01/02/2027 – 28/02/2027" in html
    assert "Lập lúc 26/11/2026 08:00, người lập minh" in html
    # Most time on screen first; the share is of the period's 630 s.
    assert cells(html, "departments-h") == [
        ["Sở Văn hóa, Thể thao và Du lịch", "30", "0:05:00", "47.6 %"],
        ["Sở Công Thương", "12", "0:04:00", "38.1 %"],
        ["(không ghi đơn vị)", "2", "0:01:30", "14.3 %"]]
    playlists = {row[0]: row[1:3] for row in cells(html, "playlists-h")}
    assert playlists == {"du-lich": ["30", "0:05:00"], "thuong-mai": ["12", "0:04:00"],
                         "chung": ["1", "0:00:30"], "(thông báo khẩn cấp)": ["1", "0:01:00"]}
    items = cells(html, "items-h")
    assert ["du-lich", "1", "message", "Chào mừng 0", "15", "0:02:30"] in items
    assert ["du-lich", "2", "message", "Chào mừng 1", "15", "0:02:30"] in items
    assert "<dt>Lượt phát</dt><dd>44</dd>" in html


def test_the_api_summary_has_the_same_department_totals(url, month_of_plays):
    with signed_in(url, "minh") as approver:
        token = approver.cookies["signage_session"]
        summary = approver.get("/api/plays/summary", params={"month": "2027-02"},
                               headers={"Authorization": f"Bearer {token}"}).json()
    assert summary["plays"] == 44
    assert {d["name"]: d["plays"] for d in summary["departments"]} == {
        "Sở Văn hóa, Thể thao và Du lịch": 30, "Sở Công Thương": 12, "": 2}


def test_the_csv_opens_in_excel_with_local_times(url, month_of_plays):
    with signed_in(url, "tuan") as tech:
        page = tech.get("/plays", params={"month": "2027-02"}).text
        link = re.search(r'href="(/plays\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
        answer = tech.get(link)
        api = tech.get("/api/plays", params={"from": "2027-02-01", "to": "2027-02-28",
                                             "excel": "true"},
                       headers={"Authorization": f"Bearer {tech.cookies['signage_session']}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="plays-20270201-20270301.csv"' == answer.headers["content-disposition"]
    assert answer.content.startswith(b"\xef\xbb\xbf")
    assert answer.content == api.content, "the console's file is the API's excel=true file"
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(rows) == 44
    assert rows[0]["started_at"] == "2027-02-01 00:00:00" and rows[0]["label"] == "Chào mừng 0"
    assert rows[0]["ended_at"] == "2027-02-01 00:00:10"
    assert any(r["label"] == "Giá cửa khẩu" for r in rows)
    assert any(r["label"] == "'=HYPERLINK(\"x\")" for r in rows), "a formula is kept as text"


def test_dates_instead_of_a_month(url, month_of_plays):
    with signed_in(url, "minh") as approver:
        page = approver.get("/plays", params={"month": "2027-02", "from": "2027-02-01",
                                              "to": "2027-02-01"}).text
    assert "Kỳ báo cáo: 01/02/2027 – 01/02/2027" in page
    assert {row[0]: row[1] for row in cells(page, "playlists-h")} == {"du-lich": "30",
                                                                     "thuong-mai": "12"}


@pytest.mark.parametrize("params, field, words", [
    ({"month": "2027-13"}, "month", "không phải tháng"),
    ({"from": "hôm qua"}, "from", "không phải ngày"),
    ({"from": "2027-02-10", "to": "2027-02-01"}, "to", "trước khi bắt đầu"),
    ({"from": "2025-01-01", "to": "2027-02-01"}, "from", "dài hơn 366 ngày")])
def test_a_bad_period_is_refused_at_its_field(url, params, field, words):
    with signed_in(url, "minh") as approver:
        page = approver.get("/plays", params=params)
    assert page.status_code == 422 and words in page.text and f'id="{field}-error"' in page.text


def test_the_print_layout_has_no_menu_and_heads_every_page(url):
    with signed_in(url, "minh") as approver:
        page = approver.get("/plays").text
        css_path = re.search(r'href="(/static/[0-9a-f]+/plays\.css)"', page).group(1)
        css = approver.get(css_path).text
    printing = css[css.index("@media print"):]
    assert ".bar" in printing and "display: none" in printing
    assert "thead { display: table-header-group; }" in printing
    assert ".report-head { position: fixed" in printing
    assert 'class="report-head"' in page and "Kỳ báo cáo" in page and "Lập lúc" in page


def test_the_period_field_text_is_shown_as_text(url):
    with signed_in(url, "minh") as approver:
        page = approver.get("/plays", params={"month": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


@pytest.mark.parametrize("path, allowed, refused", [
    ("/audit", ["quan"], ["lan", "minh", "tuan"]),
    ("/plays", ["minh", "tuan"], ["lan", "quan"]),
    ("/plays.csv", ["minh", "tuan"], ["lan", "quan"])])
def test_each_report_refuses_the_wrong_role(url, path, allowed, refused):
    for name in allowed + refused:
        with signed_in(url, name) as client:
            answer = client.get(path)
        assert answer.status_code == (200 if name in allowed else 403), (name, path)


@pytest.mark.parametrize("path, name", [("/panel", "tuan"), ("/audit", "quan"),
                                        ("/plays", "minh"), ("/people", "quan")])
def test_each_page_has_no_inline_script_or_style_and_loads_light(url, path, name):
    with signed_in(url, name) as client:
        page = client.get(path)
        assert page.status_code == 200
        html = page.text
        assert "<script>" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html), "no inline event handlers (CSP)"
        linked = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
        weight = len(page.content) + sum(len(client.get(p).content) for p in linked)
    assert weight < 150_000, f"{path}: first load {weight} bytes"


@pytest.mark.parametrize("path, name, title", [
    ("/panel", "tuan", "Panel"), ("/audit", "quan", "Audit log"),
    ("/plays", "minh", "Proof of play"), ("/people", "quan", "People and tokens")])
def test_each_page_speaks_english_when_asked(url, path, name, title):
    with signed_in(url, name) as client:
        client.post("/language", data={"lang": "en", "back": path})
        page = client.get(path)
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert f"<h1>{title}</h1>" in page.text
