"""Screenshots of every console page in Vietnamese, at the office size (1366x768) and a phone's
(390x844), in Debian's Chromium, over a demo store, to look at before a release:

    .venv/bin/python tools/console_screenshots.py [--out screenshots/console]
    (or: make console-screenshots)

The demo store (tests/browser/demo.py), in a temporary folder: the sample playlists live, a
submitted revision and a draft, images, a day of plays, a player's status and wall picture.
The server is the browser tests' (tests/browser/server.py), so what is photographed is what
is tested. Each page is taken by a person whose role may see it (one
who sees them all when there is one), signed in through the form. Writes
<page name>-<width>x<height>.png (the whole page, not only the first screen).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from signage.devtools.browser import OFFICE, PHONE, launch_chromium, sign_in  # noqa: E402
from tests.browser.demo import demo_console  # noqa: E402
from tests.browser.server import (Person, console_pages,  # noqa: E402
                                  viewer_of)

SIZES = (OFFICE, PHONE)


def take(browser, url: str, out: Path) -> list[Path]:
    """Every page at every size; one context per person (and one not signed in)."""
    tabs, written = {}, []
    for entry in console_pages():
        if "{" in entry.path:  # a page about one thing (/playlists/{name}): no fixed address
            print(f"skipped {entry.path}: it needs a parameter")
            continue
        person = viewer_of(entry)
        if person not in tabs:
            tabs[person] = _tab(browser, url, person)
        for size in SIZES:
            tabs[person].set_viewport_size(size)
            tabs[person].goto(entry.path, wait_until="load")
            # and the pictures drawn on demand after it (lazy thumbnails, filmstrips)
            tabs[person].wait_for_load_state("networkidle")
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
    if person is not None:
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
    with tempfile.TemporaryDirectory(prefix="console-demo-") as root, \
            demo_console(Path(root)) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            written = take(browser, url, args.out)
        finally:
            browser.close()
    for path in written:
        print(path)
    print(f"{len(written)} screenshots in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
