"""GET /api/revisions/{id}/preview.png: the frame a revision would put on the wall, seen
before anyone approves it (a real server, the player's renderer, a fake clock)."""

from __future__ import annotations

import io

import pygame
import pytest
from PIL import Image

from signage.content.models import Playlist
from signage.services.preview import frame_at, preview_fonts
from signage.render.compositor import Compositor
from signage.settings import Settings
from tests.conftest import add_image, emulated_panel, player_on
from tests.test_api import (approver, auth, bearer, client, clock,  # noqa: F401 (fixtures)
                            message_playlist, png_bytes, store, tech)

# Not the default 768x384: the picture must follow the configured panel.
PANEL = (384, 192)


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", runtime_dir=tmp_path / "run",
                        driver=f"emulated://{PANEL[0]}x{PANEL[1]}")
    settings.runtime_dir.mkdir(parents=True)
    return settings


def two_messages() -> dict:
    return {"name": "welcome", "items": [
        {"kind": "message", "duration": "5s", "text": {"vi": "Chào", "en": "Hello", "zh": "你好"}},
        {"kind": "message", "duration": "5s",
         "text": {"vi": "Tạm biệt", "en": "Goodbye", "zh": "再见"}}]}


def save(client, who, document: dict) -> int:
    answer = client.put(f"/api/playlists/{document['name']}", json=document, headers=who)
    assert answer.status_code == 201, answer.text
    return answer.json()["revision"]


def preview(client, who, revision: int, **params):
    return client.get(f"/api/revisions/{revision}/preview.png", headers=who, params=params)


def pixels(answer) -> bytes:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(answer.content))
    assert (image.format, image.size) == ("PNG", PANEL)
    return image.convert("RGB").tobytes()


def rendered(document: dict, at: float, store, fonts, clock) -> bytes:
    """The compositor's own frame for `document` at `at`: what the preview must equal."""
    compositor = Compositor(PANEL, fonts, store.assets.path)
    frame = frame_at(compositor, Playlist.model_validate(document), at, clock.now())
    return pygame.image.tobytes(frame, "RGB")


def test_a_draft_is_seen_before_approval_and_the_live_wall_is_untouched(
        client, store, clock, settings, fonts, auth, approver, tech):
    live = store.content.publish_playlist(Playlist.model_validate(message_playlist(zh="欢迎")), "import",
                                  role="cli")
    panel = emulated_panel(PANEL)
    player = player_on(settings, store, clock, panel, fonts)
    player.step()
    on_wall = pygame.image.tobytes(panel.last_frame(), "RGB")
    screen = client.get("/api/screen.png", headers=tech)
    assert screen.status_code == 200, screen.text  # the player wrote its snapshot
    draft_document = message_playlist(zh="今日开放")
    draft = save(client, auth, draft_document)

    seen = pixels(preview(client, approver, draft))

    assert seen == rendered(draft_document, 0, store, fonts, clock)
    assert seen != on_wall  # the draft's text, not what is live
    player.step()
    assert pygame.image.tobytes(panel.last_frame(), "RGB") == on_wall
    assert client.get("/api/screen.png", headers=tech).content == screen.content
    assert store.content.live_revision() == live
    assert client.get(f"/api/revisions/{draft}", headers=approver).json()["state"] == "draft"


def test_at_past_the_first_items_duration_shows_the_second_item(client, store, clock, fonts,
                                                                 auth):
    document = two_messages()
    revision = save(client, auth, document)
    second_alone = {"name": "second", "items": document["items"][1:]}

    first = pixels(preview(client, auth, revision, at=2))
    second = pixels(preview(client, auth, revision, at=7.5))

    assert first == rendered(document, 2, store, fonts, clock)
    assert second == rendered(document, 7.5, store, fonts, clock)
    assert second == rendered(second_alone, 0, store, fonts, clock) != first
    assert pixels(preview(client, auth, revision)) == first  # at defaults to 0: the first item
    assert pixels(preview(client, auth, revision, at=12)) == first  # the timeline loops


def test_an_item_whose_picture_is_gone_is_skipped_as_the_player_skips_it(
        client, store, clock, fonts, auth):
    picture = add_image(store, png_bytes((0, 200, 0)))
    document = two_messages()
    document["items"][0] = {"kind": "image", "asset": picture, "duration": "5s"}
    revision = save(client, auth, document)
    store.assets.path(picture).unlink()  # a disk fault after the draft was saved

    shown = pixels(preview(client, auth, revision, at=1))

    # The player drops the item and starts the next one at once.
    second_alone = {"name": "second", "items": document["items"][1:]}
    assert shown == rendered(second_alone, 0, store, fonts, clock)


def test_an_unknown_revision_is_404_as_the_other_revision_routes_answer(client, auth):
    answer = client.get("/api/revisions/999/preview.png", headers=auth)

    assert answer.status_code == 404
    assert answer.json() == client.get("/api/revisions/999", headers=auth).json()


def test_a_schedule_revision_has_no_picture_and_the_answer_points_to_its_plan(
        client, store, auth):
    store.content.publish_playlist(Playlist.model_validate(message_playlist()), "import", role="cli")
    saved = client.put("/api/schedule", json={"default": "welcome", "rules": []}, headers=auth)
    assert saved.status_code == 201, saved.text

    answer = preview(client, auth, saved.json()["revision"])

    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "is a schedule" in detail and "no picture" in detail
    assert "signage schedule --date" in detail and "/api/schedule/plan" in detail


@pytest.mark.parametrize("at", ["-1", "86400.5", "nan", "soon"])
def test_an_at_outside_a_day_is_422_naming_at(client, auth, at):
    revision = save(client, auth, message_playlist())

    answer = preview(client, auth, revision, at=at)

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "at"]


def test_the_last_second_of_a_day_is_allowed(client, store, clock, fonts, auth):
    document = message_playlist()
    revision = save(client, auth, document)

    assert pixels(preview(client, auth, revision, at=86400)) == rendered(
        document, 86400, store, fonts, clock)


def test_a_technician_may_look_and_an_admin_may_not(client, store, auth, tech):
    revision = save(client, auth, message_playlist())

    assert preview(client, tech, revision).status_code == 200
    refused = preview(client, bearer(store, "admin"), revision)
    assert refused.status_code == 403 and "'admin'" in refused.json()["detail"]


def test_the_fonts_are_loaded_once_per_process():
    assert preview_fonts({}) is preview_fonts({})


# --- fair work: previews wait in their own queue ------------------------------------------


def test_a_preview_flood_does_not_hold_up_an_emergency_or_a_login(client, auth, approver, store,
                                                                  tech, settings):
    """Sixty previews from one editor while the renderer is busy (we hold its lock): two
    wait their turn, the rest are 429 at once, and an approver's emergency notice, a login,
    health and status are answered before any preview is drawn."""
    from concurrent.futures import ThreadPoolExecutor

    from signage.services import preview as previews
    from tests.test_api_emergency import NOTICE
    from tests.test_run import wait_for

    revision = save(client, auth, two_messages())
    store.access.create_user("lan", "technician", "núi đá Hà Giang 2026")
    with ThreadPoolExecutor(60) as pool:
        with previews._rendering:  # the renderer is busy: admitted previews wait for it
            flood = [pool.submit(preview, client, auth, revision) for _ in range(60)]
            wait_for(lambda: sum(f.done() for f in flood) >= 58, 30,
                     "all but the admitted previews to be answered")
            refused = [f.result() for f in flood if f.done()]
            emergency = client.post("/api/emergency", json=NOTICE, headers=approver)
            login = client.post("/api/login", json={"name": "lan",
                                                    "password": "núi đá Hà Giang 2026"})
            status = client.get("/api/status", headers=tech)
            health = client.get("/api/health")
            still_waiting = sum(not f.done() for f in flood)
        drawn = [f.result() for f in flood if f.result() not in refused]

    assert emergency.status_code == 201, emergency.text
    assert store.desired.emergencies(current_at=store.database.clock.now())
    assert login.status_code == 200
    assert status.status_code in (200, 503) and health.status_code in (200, 503)  # answered
    assert still_waiting == 2  # answered while both admitted previews still waited
    assert len(refused) == 58
    assert {r.status_code for r in refused} == {429}
    assert refused[0].headers["Retry-After"] == "2"
    assert refused[0].json()["code"] == "preview_busy"
    assert [r.status_code for r in drawn] == [200, 200]
