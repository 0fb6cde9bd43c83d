"""Screenshots of every console page in Vietnamese, at the office size (1366x768) and a phone's
(390x844), in Debian's Chromium, over a demo store, to look at before a release:

    .venv/bin/python tools/console_screenshots.py [--out screenshots/console]
    (or: make console-screenshots)

The demo store, in a temporary folder: the sample playlists (vi/en/zh, with their images) live
with the sample schedule, one more image in the library, a submitted revision and a draft, a
day of plays, and a player's status and wall picture in the runtime dir. The server is the browser tests' (tests/browser/server.py), so what is
photographed is what is tested. Each page is taken by a person whose role may see it (one
who sees them all when there is one), signed in through the form. Writes
<page name>-<width>x<height>.png (the whole page, not only the first screen).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from PIL import Image  # noqa: E402

from drivers.registry import panel_size  # noqa: E402
from signage.devtools.browser import OFFICE, PHONE, launch_chromium, sign_in  # noqa: E402
from signage.services import assets as asset_service, revisions  # noqa: E402
from signage.services.importer import import_paths  # noqa: E402
from signage.store import Store  # noqa: E402
from signage.store.access import Principal  # noqa: E402
from signage.store.records import Play  # noqa: E402
from signage.store.runtime import write_atomically, write_json  # noqa: E402
from tests.browser.server import (PEOPLE, Person, console_clock, console_has_signin,  # noqa: E402
                                  console_pages, create_people, data_settings, running_console)

SIZES = (OFFICE, PHONE)


def seed_demo(store: Store, settings, now: dt.datetime) -> None:
    """The demo content described at the top of this file."""
    create_people(store)
    import_paths(store, [ROOT / "playlists"], activate="welcome")
    editor = _principal(PEOPLE["editor"])
    asset_service.upload_image(store.assets, store.records, settings, editor,
                               io.BytesIO(_demo_png()), "cổng-chào.png")
    live = store.content.live_playlist("welcome").playlist
    changed = live.model_dump(mode="json", exclude_none=True)
    changed["items"][0]["text"] = {
        "vi": "Chào mừng quý khách đến Cửa khẩu Quốc tế Thanh Thủy – Hà Giang",
        "en": "Welcome to Thanh Thuy International Border Gate – Ha Giang",
        "zh": "欢迎来到河江清水国际口岸"}
    saved = revisions.save_playlist(store.assets, store.revisions, settings, editor, "welcome",
                                    yaml.safe_dump(changed, allow_unicode=True))
    revisions.submit(store.revisions, editor, saved.revision)
    draft = store.content.live_playlist("notices").playlist.model_dump(mode="json",
                                                                      exclude_none=True)
    revisions.save_playlist(store.assets, store.revisions, settings, editor, "notices",
                            yaml.safe_dump(draft, allow_unicode=True))
    store.records.record_plays(_day_of_plays(live, now))
    _player_is_up(settings, live, now)


def _player_is_up(settings, playlist, now: dt.datetime) -> None:
    """What a running player leaves in the runtime dir: its status and the wall's picture
    (the welcome playlist 3 s in). The clock stands still, so both stay fresh."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from signage.services.preview import revision_frame_png

    picture = revision_frame_png(playlist, 3.0, now, size=panel_size(settings.driver),
                                 fonts=settings.fonts, assets_dir=settings.assets_dir)
    write_atomically(settings.snapshot_path, picture)
    write_json(settings.status_path, {"updated_at": now.isoformat(), "pid": os.getpid(),
                                      "fps": 30.0, "item": {"playlist": playlist.name,
                                                            "index": 0}})


def _principal(person: Person) -> Principal:
    return Principal(person.name, person.role, "user")


def _demo_png() -> bytes:
    image = Image.new("RGB", (384, 192), (20, 90, 60))
    image.paste((240, 200, 40), (24, 24, 360, 168))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _day_of_plays(playlist, now: dt.datetime) -> list[Play]:
    """Every item of `playlist` in turn over the last 24 hours, one every ten minutes."""
    plays = []
    for n in range(24 * 6):
        start = now - dt.timedelta(minutes=10 * (n + 1))
        item = n % len(playlist.items)
        kind = playlist.items[item].kind
        plays.append(Play(start, start + dt.timedelta(seconds=10), "main", playlist.name, item,
                          kind, f"{playlist.name} #{item + 1}", None, None))
    return plays


def viewer_of(page, people: list[Person]) -> Person | None:
    """Nobody (not signed in) for a public page (no roles); else one person who may see
    every signed-in page if there is one, else the first who may see `page`."""
    if not page.roles:
        return None
    private = [entry for entry in console_pages() if entry.roles]
    everything = [p for p in people if all(p.role in entry.roles for entry in private)]
    allowed = everything or [p for p in people if p.role in page.roles]
    if not allowed:
        raise SystemExit(f"error: no demo person may see {page.path} (roles {page.roles})")
    return allowed[0]


def take(browser, url: str, out: Path) -> list[Path]:
    """Every page at every size; one context per person (and one not signed in)."""
    tabs, written = {}, []
    people = list(PEOPLE.values())
    for entry in console_pages():
        if "{" in entry.path:  # a page about one thing (/playlists/{name}): no fixed address
            print(f"skipped {entry.path}: it needs a parameter")
            continue
        person = viewer_of(entry, people)
        if person not in tabs:
            tabs[person] = _tab(browser, url, person)
        for size in SIZES:
            tabs[person].set_viewport_size(size)
            tabs[person].goto(entry.path, wait_until="load")
            path = out / f"{entry.name}-{size['width']}x{size['height']}.png"
            tabs[person].screenshot(path=str(path), full_page=True)
            written.append(path)
    for tab in tabs.values():
        tab.context.close()
    return written


def _tab(browser, url: str, person: Person | None):
    """A page in a context of its own, in Vietnamese and gate time, signed in as `person`."""
    context = browser.new_context(base_url=url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport=OFFICE)
    tab = context.new_page()
    if person is not None and console_has_signin():
        sign_in(tab, person.name, person.password)
    return tab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots" / "console",
                        help="folder for the PNGs (default: screenshots/console)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="console-demo-") as root:
        settings, clock = data_settings(Path(root)), console_clock()
        store = Store(settings.data_dir, clock)
        try:
            seed_demo(store, settings, clock.now())
            with running_console(settings, clock, store) as url, sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    written = take(browser, url, args.out)
                finally:
                    browser.close()
        finally:
            store.close()
    for path in written:
        print(path)
    print(f"{len(written)} screenshots in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
