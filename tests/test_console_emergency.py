"""The console's emergency page on a real server: a notice from a ready template goes on
the wall only after confirmation, shows its end and time left, and can be ended; the
preview is the wall's own emergency card at the panel's size."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from PIL import Image

from drivers.registry import panel_size
from signage.console.emergency_templates import TemplateFileError, load_templates
from tests.console_helpers import (url,  # noqa: F401 (a fixture)
                                   browser_like, csrf_of, sign_in,
                                   signed_in)
from tests.test_api import bearer

XSS = "<script>alert('x')</script>"


@pytest.fixture
def approver(url):
    with signed_in(url, "minh") as client:
        yield client


@pytest.fixture
def api(url, store):
    with browser_like(url) as client:
        client.headers.update(bearer(store, "technician"))
        yield client


def landslide_form(client) -> dict[str, str]:
    """The form as the landslide template fills it in."""
    page = client.get("/emergency?template=landslide").text
    fields = {name: re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', page)[1]
              for name in ("vi", "en", "zh")}
    duration = re.search(r'name="duration" value="([^"]*)"', page)[1]
    return {**fields, "duration": duration, "template": "landslide",
            "csrf": csrf_of(client, "/emergency")}


def test_every_ready_template_fills_in_three_languages_the_wall_accepts():
    templates = load_templates()
    assert list(templates) == ["gate-closed", "landslide", "weather", "system-test"]
    for template in templates.values():
        assert all(template.text.in_order()) and template.name("vi") and template.name("en")


def test_a_broken_template_file_is_refused_naming_the_template(tmp_path):
    broken = tmp_path / "templates.yaml"
    broken.write_text("flood:\n  name: {vi: Lũ}\n  text: {vi: Lũ, en: Flood}\n", encoding="utf-8")
    with pytest.raises(TemplateFileError, match="flood"):
        load_templates(broken)


def test_a_landslide_notice_goes_on_after_confirmation_counts_down_and_ends(
        approver, api, clock, store):
    form = landslide_form(approver)
    assert form["vi"].startswith("Sạt lở đất") and form["duration"] == "4h"
    answer = approver.post("/emergency", data={**form, "duration": "2h", "confirm": "yes",
                                               "action": "post"})
    assert answer.status_code == 303
    listed = api.get("/api/emergency").json()
    assert listed["showing"] is not None
    notice = listed["emergencies"][0]
    assert notice["message"]["vi"] == form["vi"] and notice["created_by"] == "minh"
    assert dt.datetime.fromisoformat(notice["expires_at"]) == clock.now() + dt.timedelta(hours=2)
    page = approver.get(answer.headers["location"]).text
    assert "Thông báo khẩn cấp đã lên màn hình." in page and "ĐANG TRÊN MÀN HÌNH" in page
    # 01:00 UTC + 2 h is 10:00 at the gate.
    assert '<time datetime="2026-11-26T10:00:00+07:00">26/11/2026 10:00</time>' in page
    assert re.search(r'data-remaining-s="7200"[^>]*>2:00:00<', page)
    clock.advance(30 * 60)
    assert re.search(r'data-remaining-s="5400"[^>]*>1:30:00<', approver.get("/emergency").text)
    cancelled = approver.post(f"/emergency/{listed['showing']}/cancel",
                              data={"csrf": csrf_of(approver, "/emergency")})
    assert cancelled.status_code == 303
    assert api.get("/api/emergency").json()["showing"] is None
    page = approver.get(cancelled.headers["location"]).text
    assert "Không có thông báo khẩn cấp nào trên màn hình." in page
    assert ("minh", "emergency.cancel") in [(e.actor, e.action) for e in store.records.audit_log()]


def test_without_the_confirmation_nothing_goes_on_the_wall(approver, api):
    form = landslide_form(approver)
    answer = approver.post("/emergency", data={**form, "action": "post"})
    assert answer.status_code == 422
    assert "Chưa có gì được đăng" in answer.text
    assert form["vi"] in answer.text  # the texts are kept for the second try
    assert api.get("/api/emergency").json() == {"showing": None, "emergencies": []}


def test_previewing_checks_and_draws_without_posting(approver, api):
    form = landslide_form(approver)
    page = approver.post("/emergency", data={**form, "confirm": "yes", "action": "preview"})
    assert page.status_code == 200 and 'src="/emergency/preview.png?vi=' in page.text
    assert api.get("/api/emergency").json()["emergencies"] == []
    refused = approver.post("/emergency", data={**form, "zh": "", "duration": "9d",
                                                "action": "preview"})
    assert 'id="text-zh-problem"' in refused.text and 'id="duration-problem"' in refused.text


def test_the_preview_is_the_emergency_card_at_the_panels_size(approver, settings):
    form = landslide_form(approver)
    answer = approver.get("/emergency/preview.png", params={k: form[k] for k in ("vi", "en", "zh")})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    picture = Image.open(io.BytesIO(answer.content)).convert("RGB")
    assert picture.size == panel_size(settings.driver)
    red = sum(count for count, (r, g, b) in picture.getcolors(1 << 24)
              if r > 150 and g < 60 and b < 80)
    assert red > picture.size[0] * picture.size[1] * 0.05  # the KHẨN CẤP band and frame
    assert approver.get("/emergency/preview.png", params={"vi": "x"}).status_code == 422


def test_text_typed_into_a_notice_shows_as_text(approver):
    form = {"vi": XSS, "en": XSS, "zh": "注意" + XSS, "duration": "30m", "confirm": "yes",
            "action": "post", "csrf": csrf_of(approver, "/emergency")}
    answer = approver.post("/emergency", data=form)
    assert answer.status_code == 303
    page = approver.get("/emergency").text
    assert XSS not in page
    assert page.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") >= 3
    echoed = approver.post("/emergency", data={**form, "action": "preview"}).text
    assert XSS not in echoed and "&lt;script&gt;" in echoed


def test_editors_see_the_notice_but_cannot_post_or_end_it(url, approver, api):
    form = landslide_form(approver)
    approver.post("/emergency", data={**form, "confirm": "yes", "action": "post"})
    showing = api.get("/api/emergency").json()["showing"]
    with browser_like(url) as editor:
        sign_in(editor, "lan")
        page = editor.get("/emergency")
        assert page.status_code == 200 and "Sạt lở đất" in page.text
        assert 'action="/emergency"' not in page.text and "/cancel" not in page.text
        csrf = csrf_of(editor, "/emergency")
        assert editor.post("/emergency", data={**form, "csrf": csrf, "confirm": "yes",
                                               "action": "post"}).status_code == 403
        assert editor.post(f"/emergency/{showing}/cancel",
                           data={"csrf": csrf}).status_code == 403
    assert api.get("/api/emergency").json()["showing"] == showing


def test_with_a_broken_templates_file_the_page_still_posts_and_says_why(
        approver, api, monkeypatch, tmp_path):
    from signage.console import emergency_templates

    broken = tmp_path / "broken.yaml"
    broken.write_text("flood: [\n", encoding="utf-8")
    monkeypatch.setattr(emergency_templates, "TEMPLATES_FILE", broken)
    page = approver.get("/emergency?template=landslide")
    assert page.status_code == 200 and "Không dùng được các mẫu soạn sẵn" in page.text
    answer = approver.post("/emergency", data={
        "vi": "Cửa khẩu tạm đóng", "en": "Gate closed", "zh": "口岸暂时关闭", "duration": "1h",
        "confirm": "yes", "action": "post", "csrf": csrf_of(approver, "/emergency")})
    assert answer.status_code == 303 and api.get("/api/emergency").json()["showing"] == 1
