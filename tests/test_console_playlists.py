"""The console's playlists: the list with states, the editor (three languages side by side,
items moved by buttons, pictures from the library), its live preview, and the checks at
the door in Vietnamese at the field they concern; on a real server."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from PIL import Image

from signage.console.thumbs import thumb_url
from signage.content.documents import Document
from signage.services import revisions
from signage.store.access import Principal
from tests.conftest import add_image
from tests.console_helpers import browser_like, client, csrf_of, sign_in, url  # noqa: F401 (fixtures)
from tests.test_api import bearer, png_bytes

EDITOR = Principal("lan", "editor", "user")


def signed_in(client, who="lan"):
    assert sign_in(client, who).status_code == 303
    return client


def trilingual(vi="Chào mừng đến cửa khẩu", en="Welcome to the border gate",
               zh="欢迎来到清水口岸") -> dict:
    return {"items[0].kind": "message", "items[0].text.vi": vi, "items[0].text.en": en,
            "items[0].text.zh": zh, "items[0].duration": "10s"}


def draft(store, settings, name: str, zh: str = "欢迎") -> int:
    document = {"items": [{"kind": "message", "duration": "8s",
                           "text": {"vi": f"Xin chào {name}", "en": f"Hello {name}", "zh": zh}}]}
    return revisions.save_playlist(store.assets, store.revisions, settings, EDITOR, name,
                                   Document(document, {})).revision


def row_of(page: str, name: str) -> str:
    """The list's row for playlist `name` (its cells' text, tags removed)."""
    row = next(part for part in page.split("<tr>") if f'href="/playlists/{name}"' in part)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def pixels_of(answer) -> bytes:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(answer.content))
    assert image.size == (768, 384)  # the emulated panel's size
    return image.convert("RGB").tobytes()


def test_the_list_shows_each_playlists_state_and_whether_the_wall_shows_it(
        client, store, settings, clock):
    from tests.test_api import write_status
    approver = Principal("minh", "approver", "user")
    draft(store, settings, "nhap")
    revisions.submit(store.revisions, EDITOR, draft(store, settings, "cho-duyet"))
    for name in ("cu", "cong"):  # approving makes a playlist the active one: cong last
        revision = draft(store, settings, name)
        revisions.submit(store.revisions, EDITOR, revision)
        revisions.approve(store.revisions, settings, approver, revision)
    refused = draft(store, settings, "bo")
    revisions.submit(store.revisions, EDITOR, refused)
    revisions.reject(store.revisions, approver, refused, "Sai chính tả <b>tiếng Anh</b>")
    write_status(settings, clock, state="playing", playlist="cong", screen="content")
    newer = draft(store, settings, "cong")  # a new draft of what is live

    page = signed_in(client).get("/playlists")

    assert page.status_code == 200
    assert "Bản nháp" in row_of(page.text, "nhap") and "Chưa được duyệt" in row_of(page.text, "nhap")
    assert "Đã gửi duyệt" in row_of(page.text, "cho-duyet")
    cong = row_of(page.text, "cong")
    assert f"Bản nháp #{newer}" in cong and f"Đang dùng #{revision}" in cong
    assert "Đang chiếu" in cong
    assert "Đã duyệt" in row_of(page.text, "cu")
    assert "Không có trong lịch chiếu" in row_of(page.text, "cu")
    assert "Bị từ chối" in row_of(page.text, "bo")
    assert "Sai chính tả &lt;b&gt;tiếng Anh&lt;/b&gt;" in page.text  # the reason, as text
    assert "lan" in row_of(page.text, "nhap")  # the author
    assert 'href="/playlists/_new"' in page.text


def test_a_trilingual_playlist_with_a_library_picture_is_submitted_through_the_form(
        client, store, url):
    picture = add_image(store, png_bytes((0, 160, 0)), "cổng-chính.png")
    signed_in(client)
    csrf = csrf_of(client, "/playlists/_new")
    with_picture = client.post("/playlists/_new", data={
        "csrf": csrf, "name": "cong", **trilingual(), "action": "add", "new_kind": "image"})
    assert with_picture.status_code == 200
    # The picture is picked from the library by its name, with its thumbnail; no hash typed.
    assert re.search(rf'<option value="{picture}"[^>]*>cổng-chính.png', with_picture.text)
    assert f'data-thumb="{thumb_url(picture)}"' in with_picture.text
    thumb = client.get(thumb_url(picture))
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(thumb.content)).convert("RGB").getpixel((4, 4))[1] > 120

    answer = client.post("/playlists/_new", data={
        "csrf": csrf, "name": "cong", **trilingual(), "items[1].kind": "image",
        "items[1].asset": picture, "items[1].fit": "cover", "items[1].duration": "6s",
        "action": "submit"})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/playlists/cong?done=submitted"
    assert "Đã gửi duyệt" in client.get(answer.headers["location"]).text
    api, approver = browser_like(url), bearer(store, "approver")
    listed = api.get("/api/revisions", params={"name": "cong"},
                     headers=approver).json()["revisions"]
    assert [(r["state"], r["author"]) for r in listed] == [("submitted", "lan")]
    body = api.get(f"/api/revisions/{listed[0]['id']}", headers=approver).json()["body"]
    assert body["items"][0]["text"] == {"vi": "Chào mừng đến cửa khẩu",
                                        "en": "Welcome to the border gate", "zh": "欢迎来到清水口岸"}
    assert body["items"][1] | {"asset": picture} == {"kind": "image", "asset": picture,
                                                       "fit": "cover", "duration": "6s"}


def test_a_missing_chinese_text_is_said_in_vietnamese_beside_that_field_and_kept(
        client, store):
    signed_in(client)
    answer = client.post("/playlists/_new", data={
        "csrf": csrf_of(client, "/playlists/_new"), "name": "cong",
        **trilingual(zh="   "), "action": "save"})

    assert answer.status_code == 422
    field = re.search(r'<textarea id="f-items-0-text-zh"[^>]*>[^<]*</textarea>\s*'
                      r'<p class="field-msg error"[^>]*>([^<]+)</p>', answer.text)
    assert field, "no message beside the Chinese field"
    assert "không được để trống" in field.group(1)
    assert ">Chào mừng đến cửa khẩu</textarea>" in answer.text  # what was typed stays
    assert ">Welcome to the border gate</textarea>" in answer.text
    assert 'value="cong"' in answer.text
    assert store.revisions.all("playlist") == []  # nothing saved


def test_the_preview_is_a_png_at_the_panels_size_that_follows_the_text(client):
    signed_in(client)
    csrf = csrf_of(client, "/playlists/_new")

    def preview(**fields):
        return client.post("/playlists/_new/preview.png", params={"item": 0},
                           data={**trilingual(), **fields}, headers={"X-CSRF-Token": csrf})

    first = pixels_of(preview())
    changed = pixels_of(preview(**{"items[0].text.vi": "Cửa khẩu đóng cửa lúc 22:00"}))
    half_typed = pixels_of(preview(**{"items[0].text.zh": ""}))  # drawn while being written

    assert first != changed
    assert half_typed != first
    refused = preview(**{"items[0].duration": "lâu"})
    assert refused.status_code == 422 and "mục 1 › duration" in refused.json()["messages"][0]
    # The whole draft at a time: 11 s in, its second item.
    two = {**trilingual(), **{k.replace("items[0]", "items[1]"): v for k, v in
                              trilingual(vi="Giờ mở cửa", en="Opening hours", zh="开放时间").items()}}
    timeline = [pixels_of(client.post("/playlists/_new/preview.png", params={"at": at}, data=two,
                                      headers={"X-CSRF-Token": csrf})) for at in (0, 11)]
    assert timeline[0] == first and timeline[1] != first
    without_token = client.post("/playlists/_new/preview.png", params={"item": 0},
                                data=trilingual())
    assert without_token.status_code == 403


def test_the_no_script_preview_button_draws_the_item_in_the_page(client):
    signed_in(client)
    answer = client.post("/playlists/_new", data={
        "csrf": csrf_of(client, "/playlists/_new"), "name": "cong", **trilingual(),
        "action": "preview:0"})
    assert answer.status_code == 200
    assert re.search(r'<img id="preview-picture"[^>]* src="data:image/png;base64,', answer.text)


def three_items() -> dict:
    fields = {}
    for index, word in enumerate(("một", "hai", "ba")):
        fields |= {f"items[{index}].kind": "message", f"items[{index}].duration": "10s",
                   f"items[{index}].text.vi": f"Mục {word}", f"items[{index}].text.en": word,
                   f"items[{index}].text.zh": "一二三"[index]}
    return fields


def vietnamese_order(page: str) -> list[str]:
    return re.findall(r'name="items\[\d\]\.text\.vi"[^>]*>Mục (\w+)</textarea>', page)


def test_the_move_buttons_reorder_items_and_the_order_is_saved(client, store):
    signed_in(client)
    csrf = csrf_of(client, "/playlists/_new")
    fields = {"csrf": csrf, "name": "thu-tu", **three_items()}

    down = client.post("/playlists/_new", data={**fields, "action": "down:0"})
    assert vietnamese_order(down.text) == ["hai", "một", "ba"]
    up = client.post("/playlists/_new", data={**fields, "action": "up:2"})
    assert vietnamese_order(up.text) == ["một", "ba", "hai"]
    # Each move button names its item for screen readers and lands on the moved item.
    assert 'formaction="/playlists/_new#item-1"' in up.text
    first_up = re.search(r'<button[^>]*value="up:0"[^>]*>', up.text).group(0)
    assert "disabled" in first_up  # the first item cannot go higher
    removed = client.post("/playlists/_new", data={**fields, "action": "remove:1"})
    assert vietnamese_order(removed.text) == ["một", "ba"]

    moved = {key.replace("items[0]", "items[9]").replace("items[2]", "items[0]")
             .replace("items[9]", "items[2]"): value for key, value in fields.items()}
    saved = client.post("/playlists/_new", data={**moved, "action": "save"})
    assert saved.status_code == 303, saved.text
    body = store.revisions.get(store.revisions.all("playlist", "thu-tu")[0].id).body
    assert [item["text"]["vi"] for item in body["items"]] == ["Mục ba", "Mục hai", "Mục một"]


XSS = '<script>alert("x")</script>'


def test_script_typed_in_every_text_field_is_shown_as_text(client, store, settings):
    signed_in(client)
    fields = {"csrf": csrf_of(client, "/playlists/_new"), "name": XSS,
              "transition.duration": XSS, "transition.kind": XSS}
    for lang in ("vi", "en", "zh"):
        fields |= {f"items[0].text.{lang}": XSS, f"items[1].caption.{lang}": XSS}
    fields |= {"items[0].kind": "message", "items[0].duration": XSS,
               "items[0].style.color": XSS, "items[0].style.outline": XSS,
               "items[0].background": XSS, "items[1].kind": "image", "items[1].asset": XSS,
               "items[2].kind": "clock", "items[2].zones.0": XSS, "items[3].kind": "ticker",
               "items[3].speed": XSS, "items[0].keep": '{"transition": "<script>x</script>"}'}
    for action in ("save", "refresh", "preview:0"):
        page = client.post("/playlists/_new", data={**fields, "action": action})
        assert "<script>alert" not in page.text and "<script>x" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    # Saved text (a draft written elsewhere) is shown as text too, in the editor and the list.
    document = {"items": [{"kind": "message", "text": {"vi": XSS, "en": XSS, "zh": "你好"}}]}
    revisions.save_playlist(store.assets, store.revisions, settings, EDITOR, "xss",
                            Document(document, {}))
    for path in ("/playlists/xss", "/playlists"):
        assert "<script>alert" not in client.get(path).text


def test_a_technician_reads_but_cannot_post(client, store, settings):
    draft(store, settings, "cong")
    signed_in(client, "tuan")
    page = client.get("/playlists/cong")
    assert page.status_code == 200 and "Xin chào cong" in page.text
    assert "<fieldset class=\"plain\" disabled>" in page.text
    answer = client.post("/playlists/cong", data={
        "csrf": csrf_of(client, "/playlists/cong"), **trilingual(), "action": "save"})
    assert answer.status_code == 403
    assert len(store.revisions.all("playlist", "cong")) == 1


def test_an_admin_may_not_open_playlists(client):
    signed_in(client, "quan")
    assert client.get("/playlists").status_code == 403


class FormFields(HTMLParser):
    """What a browser would send from a page's form: inputs, checked boxes, textareas and
    each select's chosen option (the first when none is marked)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox"):
            self.fields[name] = attrs.get("value", "")
        elif tag == "input" and name and "checked" in attrs:
            self.fields[name] = attrs.get("value", "on")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and (
                "selected" in attrs or self._select not in self.fields):
            self.fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(page: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(page)
    return parser.fields


@pytest.mark.parametrize("name", ["welcome", "notices", "night", "tet", "opening-hours",
                                  "customs-campaign"])
def test_saving_a_sample_playlist_unchanged_from_the_editor_keeps_every_field(
        client, store, name):
    from signage.services.importer import import_paths
    from tests.conftest import SAMPLES
    import_paths(store, [SAMPLES])
    before = store.content.live_playlist(name)
    signed_in(client)

    fields = form_of(client.get(f"/playlists/{name}").text)
    answer = client.post(f"/playlists/{name}", data={**fields, "action": "save"})

    assert answer.status_code in (200, 303), answer.text  # 200: saved, with warnings shown
    saved = store.revisions.all("playlist", name, 1)[0]
    assert saved.id != before.revision and saved.state == "draft"
    assert store.revisions.get(saved.id).body == store.revisions.get(before.revision).body


def test_fields_the_editor_does_not_show_are_kept_when_it_saves(client, store, settings):
    document = {"transition": "wipe", "items": [
        {"kind": "message", "text": {"vi": "Chào", "en": "Hello", "zh": "你好"},
         "transition": {"kind": "slide-up", "duration": "1s"},
         "style": {"color": "#ffd84d", "outline": 0, "plate": True}},
        {"kind": "ticker", "text": {"vi": "Tin", "en": "News", "zh": "新闻"}, "speed": 120,
         "separator": " | "},
        {"kind": "clock", "zones": ["Asia/Ho_Chi_Minh", "Asia/Shanghai", "Europe/Paris"]},
        {"kind": "standby", "duration": "5s"}]}
    first = revisions.save_playlist(store.assets, store.revisions, settings, EDITOR, "giu",
                                    Document(document, {})).revision
    signed_in(client)
    fields = form_of(client.get("/playlists/giu").text)
    assert client.post("/playlists/giu", data={**fields, "action": "save"}).status_code in (200, 303)
    saved = store.revisions.all("playlist", "giu", 1)[0].id
    assert saved != first
    assert store.revisions.get(saved).body == store.revisions.get(first).body


def test_a_film_made_a_picture_drops_what_only_films_have(client):
    signed_in(client)
    answer = client.post("/playlists/_new", data={
        "csrf": csrf_of(client, "/playlists/_new"), "name": "doi", "items[0].kind": "image",
        "items[0].keep": '{"start": "5s", "end": "9s", "transition": "cut"}',
        "action": "refresh"})
    kept = re.search(r'name="items\[0\]\.keep" value="([^"]*)"', answer.text).group(1)
    assert kept == "{&#34;transition&#34;: &#34;cut&#34;}"


def test_a_big_library_is_listed_once_not_in_every_picker(client, store):
    from signage.console.routes.playlists import INLINE_LIBRARY
    pictures = [add_image(store, png_bytes((index, 90, 200)), f"anh-{index}.png")
                for index in range(INLINE_LIBRARY + 1)]
    signed_in(client)
    fields = {"csrf": csrf_of(client, "/playlists/_new"), "name": "lon", **trilingual(),
              "items[1].kind": "image", "items[1].asset": pictures[3]}

    page = client.post("/playlists/_new", data={**fields, "action": "refresh"}).text

    assert page.count("<option value=\"sha256:") == 1  # the chosen one, in its picker
    assert 'data-library="image"' in page and f'data-thumb="{thumb_url(pictures[3])}"' in page
    listed = client.get("/playlists/_library.json").json()
    assert [entry["ref"] for entry in listed["image"]] == [
        asset.ref for asset in store.assets.all()]
    assert listed["image"][0]["label"].endswith(".png · 16×8")
    # Without the script: one button lists the whole library in every picker.
    whole = client.post("/playlists/_new", data={**fields, "action": "library"}).text
    assert whole.count("<option value=\"sha256:") == 2 * len(pictures)  # picture, background


def test_in_english_the_editor_and_its_refusals_are_english(client):
    signed_in(client)
    assert client.post("/language", data={"lang": "en", "back": "/playlists/_new"}
                       ).status_code == 303
    answer = client.post("/playlists/_new", data={
        "csrf": csrf_of(client, "/playlists/_new"), "name": "cong", **trilingual(en=""),
        "action": "save"})
    assert answer.status_code == 422 and '<html lang="en">' in answer.text
    assert ">English</label>" in answer.text and "Save draft" in answer.text
    assert "must not be empty" in answer.text
