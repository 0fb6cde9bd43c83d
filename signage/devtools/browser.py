"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright for Python, for
the browser tests (tests/browser/) and `make console-screenshots`.

Playwright's own browser download is never used: `launch_chromium` points Playwright at the
system Chromium with the flags this machine needs. Helpers then ask the page what a person
would notice: whether signing in worked, what axe-core finds (serious and critical only),
whether a page scrolls sideways.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from signage.devtools import browserlibs

# SIGNAGE_CHROMIUM names another build (a developer's own); the tests use Debian's.
CHROMIUM = Path(os.environ.get("SIGNAGE_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = "run scripts/install-test-tools.sh (make test does) to install Debian's chromium"
# Playwright adds --headless (with headless=True) and a fresh, empty user data dir of its own
# per launch (it refuses --user-data-dir here: that is launch_persistent_context's job).
CHROMIUM_FLAGS = (
    "--no-sandbox",                      # the tests run as root, where the sandbox cannot start
    "--disable-gpu",                     # no GPU here; software rendering
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: without these Chromium keeps trying to reach
    # Google's services and its refused connections fill the log.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
OFFICE = {"width": 1366, "height": 768}   # the office PC
PHONE = {"width": 390, "height": 844}     # a phone held upright
SERIOUS = ("serious", "critical")

# axe.run on the whole document; only what a person needs to read a finding is sent back.
_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  }));
}"""
# Elements whose right edge lies past the viewport: what makes a page scroll sideways.
_OVERFLOW = """() => {
  const root = document.scrollingElement;
  const excess = root.scrollWidth - root.clientWidth;
  const culprits = [];
  if (excess > 0) {
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.right > root.clientWidth + 0.5) {
        const id = element.id ? '#' + element.id : '';
        const cls = element.classList.length ? '.' + [...element.classList].join('.') : '';
        culprits.push(element.tagName.toLowerCase() + id + cls);
      }
    }
  }
  return {excess, culprits: culprits.slice(0, 10)};
}"""


def chromium_missing() -> str | None:
    """Why Chromium cannot be driven here, or None if it can."""
    if not CHROMIUM.is_file() and shutil.which(str(CHROMIUM)) is None:
        return f"{CHROMIUM} is not installed; {INSTALL_HINT}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is missing: pip install -e '.[test]' (make test does)"
    return None


def launch_chromium(playwright: Any, **options: Any) -> Any:
    """A headless Chromium from `playwright.chromium`, Debian's build with our flags."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=list(CHROMIUM_FLAGS), **options)


def sign_in(page: Any, name: str, password: str) -> None:
    """Sign in through the console's form at /signin (the page's context has the server's
    base_url) as a person would: type, press Enter. Raises AssertionError with what the
    page said if the form comes back instead of the console."""
    page.goto("/signin")
    page.fill('input[name="name"]', name)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.press('input[name="password"]', "Enter")
    if page.url.split("?")[0].rstrip("/").endswith("/signin"):
        said = " ".join(page.locator("body").inner_text().split())
        raise AssertionError(f"signing in as {name!r} failed; the page says: {said[:300]}")


def axe_violations(page: Any, impacts: tuple[str, ...] = SERIOUS) -> list[dict]:
    """axe-core's violations on the page as it is now, those of `impacts` only: each with
    its rule id, impact, help text and the elements it concerns (CSS selectors).

    axe.min.js is evaluated through the DevTools protocol, which the page's CSP does not
    govern; a <script> element (page.add_script_tag) would need the context's bypass_csp,
    and then axe would check a page whose blocked inline styles and scripts had run."""
    if not page.evaluate("() => typeof axe === 'object'"):
        page.evaluate(_axe_source() + "\n;true")
    found = page.evaluate(_RUN_AXE)
    return [violation for violation in found if violation["impact"] in impacts]


def _axe_source() -> str:
    reason = browserlibs.missing("axe")
    assert reason is None, reason
    return browserlibs.path_of("axe").read_text(encoding="utf-8")


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page scrolls sideways (0: none) at its current viewport."""
    return page.evaluate(_OVERFLOW)["excess"]


def overflowing_elements(page: Any) -> list[str]:
    """Up to 10 elements reaching past the viewport's right edge (tag#id.class), to say
    what makes a page scroll sideways."""
    return page.evaluate(_OVERFLOW)["culprits"]
