"""`make console-screenshots` (tools/console_screenshots.py): the demo store has what each page
needs to show something, and every console page comes out as a picture at both sizes."""

from __future__ import annotations

import concurrent.futures

import datetime as dt
import sys

from PIL import Image

from signage.devtools.browser import OFFICE, PHONE
from signage.store.runtime import read_json
from tests.browser.demo import seed_demo
from tests.browser.server import console_pages
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import console_screenshots  # noqa: E402


def test_the_demo_store_has_live_submitted_and_draft_work_images_and_plays(tmp_path):
    from signage.store import Store
    from tests.browser.server import console_clock, data_settings

    settings, clock = data_settings(tmp_path), console_clock()
    store = Store(settings.data_dir, clock)
    try:
        seed_demo(store, settings, clock.now())
        states = {(r.name, r.state, r.live) for r in store.revisions.all(kind="playlist")}
        names = {r.original_name for r in store.assets.all()}
        day = store.records.plays(clock.now() - dt.timedelta(days=1), clock.now())
        languages = {lang for item in store.content.live_playlist("welcome").playlist.items
                     if getattr(item, "text", None) for lang in ("vi", "en", "zh")
                     if getattr(item.text, lang)}
    finally:
        store.close()

    assert ("welcome", "submitted", False) in states
    assert ("notices", "draft", False) in states
    live = {name for name, _state, is_live in states if is_live}
    assert live >= {"welcome", "notices", "opening-hours"}
    assert languages == {"vi", "en", "zh"}
    assert {"border-gate.png", "cổng-chào.png"} <= names
    assert len(day) == 24 * 6
    assert read_json(settings.status_path)["item"]["playlist"] == "welcome"
    assert Image.open(settings.snapshot_path).size[0] > 0


def test_every_page_is_photographed_at_both_sizes(tmp_path, capsys):
    # On a thread of its own: the command starts its own Playwright, and a session's
    # `chromium` fixture (started by an earlier test) keeps an event loop on this thread,
    # where Playwright's sync API refuses to start a second one.
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        assert worker.submit(console_screenshots.main, ["--out", str(tmp_path)]).result() == 0

    expected = {f"{page.name}-{size['width']}x{size['height']}.png"
                for page in console_pages() if "{" not in page.path
                for size in (OFFICE, PHONE)}
    assert {path.name for path in tmp_path.iterdir()} == expected
    for name in expected:
        with Image.open(tmp_path / name) as shot:
            width = int(name.rsplit("-", 1)[1].split("x")[0])
            assert shot.size[0] == width
            # something was drawn: not a single flat colour
            assert len(shot.convert("L").getcolors(maxcolors=1_000_000)) > 1, name
    assert f"{len(expected)} screenshots in" in capsys.readouterr().out
