"""The approvals page on a real server: waiting revisions with their filmstrips beside
what is live, the text changes highlighted, approve (and when the wall shows it), reject
with a reason the author sees, the four-eyes refusal, roles."""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import re

import pytest
from PIL import Image

from signage.content.models import Playlist
from signage.schedule.rules import Schedule
from tests.console_helpers import browser_like, csrf_of, sign_in
from tests.test_console import url  # noqa: F401  (the console on a real server)

LIVE_TEXT = {"vi": "Chào mừng quý khách", "en": "Welcome", "zh": "欢迎光临"}
DRAFT_TEXT = {"vi": "Chào mừng quý khách đến Thanh Thủy", "en": "Welcome", "zh": "欢迎光临"}


def playlist(name: str, text: dict, *more: dict) -> Playlist:
    return Playlist.model_validate({"name": name, "items": [
        {"kind": "message", "duration": "10s", "text": text}, *more]})


def publish(store, document, kind="playlist", author="lan", approver="minh") -> int:
    revision = store.revisions.save_draft(kind, document, author, role="editor")
    store.revisions.submit(revision, author, role="editor")
    store.revisions.approve(revision, approver, "approver")
    return revision


def submitted(store, document, author="lan") -> int:
    revision = store.revisions.save_draft("playlist", document, author, role="editor")
    store.revisions.submit(revision, author, role="editor")
    return revision


@contextlib.contextmanager
def person(url, name):
    with browser_like(url) as client:
        sign_in(client, name)
        yield client


@pytest.fixture
def waiting(store) -> tuple[int, int]:
    """welcome live (revision 1), a changed draft of it waiting (its id)."""
    live = publish(store, playlist("welcome", LIVE_TEXT))
    draft = submitted(store, playlist("welcome", DRAFT_TEXT, {
        "kind": "message", "text": {"vi": "Giờ mở cửa 7:00", "en": "Open 7:00",
                                    "zh": "开放时间 7:00"}}))
    return live, draft


def test_a_waiting_revision_shows_its_filmstrip_beside_the_live_one(url, waiting):
    live, draft = waiting
    with person(url, "hoa") as approver:
        page = approver.get("/approvals")
        assert page.status_code == 200 and "Đang chờ duyệt (1)" in page.text
        for revision, index in ((draft, 1), (draft, 2), (live, 1)):
            assert f'src="/approvals/{revision}/frames/{index}.png"' in page.text
        assert f"/approvals/{live}/frames/2.png" not in page.text  # live has one item
        first = approver.get(f"/approvals/{draft}/frames/1.png")
        second = approver.get(f"/approvals/{draft}/frames/2.png")
        assert approver.get(f"/approvals/{draft}/frames/3.png").status_code == 404
    for answer in (first, second):
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    pictures = [Image.open(io.BytesIO(a.content)).convert("RGB") for a in (first, second)]
    assert all(p.size == (192, 96) for p in pictures)  # the 768x384 panel at 192 px wide
    # text is drawn (not a blank frame), and the two items differ
    assert all(len(p.getcolors(maxcolors=1 << 16)) > 2 for p in pictures)
    assert pictures[0].tobytes() != pictures[1].tobytes()


def test_the_text_changes_are_highlighted(url, waiting):
    with person(url, "hoa") as approver:
        page = approver.get("/approvals").text
    assert re.search(r"<ins>\s*đến Thanh Thủy</ins>|<ins> đến Thanh Thủy</ins>", page)
    assert "<ins>Giờ mở cửa 7:00</ins>" in page  # the new item's words, all inserted
    assert 'lang="zh" class="diff"><ins>开放时间 7:00</ins>' in page
    assert "Mục 2" in page and "mới" in page


def test_approving_as_a_second_approver_says_when_the_wall_shows_it(url, store, waiting):
    _live, draft = waiting
    publish(store, playlist("night", LIVE_TEXT))
    publish(store, Schedule.model_validate({
        "default": "night", "timezone": "Asia/Ho_Chi_Minh",
        "rules": [{"name": "night", "playlist": "welcome", "time": "22:00-06:00"}]}),
        kind="schedule")
    with person(url, "hoa") as approver:
        answer = approver.post(f"/approvals/{draft}/approve",
                               data={"csrf": csrf_of(approver, "/approvals")})
        assert answer.status_code == 303
        page = approver.get(answer.headers["location"]).text
    assert f"Phiên bản {draft} của welcome đã được duyệt." in page
    assert "Lên màn hình từ 22:00 theo quy tắc night." in page  # 08:00 at the gate now
    assert 'href="/schedule?playlist=welcome"' in page
    assert store.content.live_playlist("welcome").revision == draft


def test_a_playlist_the_schedule_does_not_name_is_said_to_be_out_of_it(url, store):
    publish(store, playlist("welcome", LIVE_TEXT))
    publish(store, Schedule.model_validate({"default": "welcome", "rules": []}), kind="schedule")
    draft = submitted(store, playlist("gate", DRAFT_TEXT))
    with person(url, "minh") as approver:
        answer = approver.post(f"/approvals/{draft}/approve",
                               data={"csrf": csrf_of(approver, "/approvals")})
        page = approver.get(answer.headers["location"]).text
    assert "Chưa có trong lịch: màn hình sẽ không chiếu" in page


def test_a_rejection_reason_is_shown_to_the_author_as_text(url, store, waiting):
    _live, draft = waiting
    reason = "<script>alert('x')</script> Sửa lại chữ tiếng Trung"
    with person(url, "minh") as approver:
        answer = approver.post(f"/approvals/{draft}/reject",
                               data={"csrf": csrf_of(approver, "/approvals"), "reason": reason})
        assert answer.status_code == 303
    with person(url, "lan") as author:
        page = author.get("/approvals")
    assert page.status_code == 200 and "Quyết định về các phiên bản của bạn" in page.text
    assert "bị từ chối" in page.text and "bởi minh" in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Sửa lại chữ tiếng Trung" in page.text
    assert "<script>alert" not in page.text
    assert 'action="/approvals/' not in page.text  # an editor sees no approve or reject forms
    assert store.revisions.get(draft, body=False).state == "rejected"


def test_a_rejection_without_a_reason_is_refused_at_the_field(url, store, waiting):
    _live, draft = waiting
    with person(url, "minh") as approver:
        answer = approver.post(f"/approvals/{draft}/reject",
                               data={"csrf": csrf_of(approver, "/approvals"), "reason": "  "})
    assert answer.status_code == 422 and "từ chối cần có lý do dài 1-500 ký tự" in answer.text
    assert store.revisions.get(draft, body=False).state == "submitted"


def test_approving_ones_own_revision_shows_the_services_refusal(url, store):
    publish(store, playlist("welcome", LIVE_TEXT))
    own = submitted(store, playlist("welcome", DRAFT_TEXT), author="minh")
    with person(url, "minh") as approver:
        answer = approver.post(f"/approvals/{own}/approve",
                               data={"csrf": csrf_of(approver, "/approvals")})
    assert answer.status_code == 403 and "người duyệt phải khác người soạn" in answer.text
    assert store.revisions.get(own, body=False).state == "submitted"


def test_an_editor_cannot_approve(url, store, waiting):
    _live, draft = waiting
    with person(url, "lan") as editor:
        answer = editor.post(f"/approvals/{draft}/approve",
                             data={"csrf": csrf_of(editor, "/approvals")})
    assert answer.status_code == 403
    assert store.revisions.get(draft, body=False).state == "submitted"


def test_a_technician_may_not_open_the_page(url):
    with person(url, "tuan") as technician:
        assert technician.get("/approvals").status_code == 403


def test_markup_in_a_drafts_text_shows_as_text_in_the_changes(url, store):
    publish(store, playlist("welcome", LIVE_TEXT))
    submitted(store, playlist("welcome", {**LIVE_TEXT, "en": "Welcome <script>alert(1)</script>"}))
    with person(url, "minh") as approver:
        page = approver.get("/approvals").text
    assert "<script>alert(1)" not in page
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in page.replace("<ins> ", "<ins>")


def test_every_frame_of_every_strip_asked_at_once_is_drawn(url, store, waiting):
    """As a browser loads a page: all frames of the draft's and the live strip together
    (the preview queue takes two renders a person at most; the strips wait their turn)."""
    live, draft = waiting
    other = submitted(store, playlist("gate", DRAFT_TEXT))
    paths = [f"/approvals/{rev}/frames/{n}.png" for rev, count in ((draft, 2), (live, 1),
                                                                   (other, 1))
             for n in range(1, count + 1)]
    with person(url, "minh") as approver:
        with concurrent.futures.ThreadPoolExecutor(len(paths)) as pool:
            answers = list(pool.map(approver.get, paths))
    assert [answer.status_code for answer in answers] == [200] * len(paths)


def test_the_decision_partial_serves_one_playlists_page_too(store, waiting, settings):
    """What the playlist page includes: the decisions on one playlist, in local time."""
    from signage.console.decisions import recent_decisions
    from signage.console.views import environment

    _live, draft = waiting
    store.revisions.reject(draft, "hoa", "Thiếu giờ đóng cửa", role="approver")
    other = publish(store, playlist("gate", DRAFT_TEXT))
    decisions = recent_decisions(store.revisions, settings.site_timezone, name="welcome")
    assert [(d.revision, d.state) for d in decisions] == [(draft, "rejected"), (1, "approved")]
    assert other not in [d.revision for d in decisions]
    assert decisions[0].decided_at == "26/11/2026 08:00"  # 01:00 UTC at the gate
    html = environment("en").get_template("partials/decision.html").render(decision=decisions[0])
    assert "rejected" in html and "by hoa at 26/11/2026 08:00" in html
    assert "Reason: Thiếu giờ đóng cửa" in html


def test_a_long_queue_shows_the_newest_and_says_how_many_wait(store, url):
    from signage.console.routes.approvals import WAITING_SHOWN
    for index in range(WAITING_SHOWN + 2):
        submitted(store, playlist(f"tin-{index}", {"vi": "Tin", "en": "News", "zh": "新闻"}))
    with person(url, "minh") as approver:
        page = approver.get("/approvals").text
    assert f"Đang chờ duyệt ({WAITING_SHOWN + 2})" in page
    assert page.count('class="card waiting"') == WAITING_SHOWN
    assert f"Đang hiển thị {WAITING_SHOWN} phiên bản mới nhất" in page
