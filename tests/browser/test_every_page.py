"""Every console page (signage.console.pages.PAGES), over the demo store, as the person who may
see it: it answers 200, axe-core finds nothing serious or critical, and nothing scrolls
sideways, at 1366x768 and at 390x844; its HTML, CSS and JS weigh at most 150 KB.

A page added to PAGES is checked from then on without a new test.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from signage.devtools.browser import (OFFICE, PHONE, axe_violations, horizontal_overflow,
                                      overflowing_elements, sign_in)
from tests.browser.demo import demo_console
from tests.browser.server import console_pages, viewer_of

# Pages about one thing (a path with {name}) are checked by their own tests.
CHECKED = [entry for entry in console_pages() if "{" not in entry.path]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_console(tmp_path_factory.mktemp("demo")) as url:
        yield url


# The budget for a page's first load over a 256 kbit/s link: HTML, CSS and JS.
FIRST_LOAD_MAX_BYTES = 150 * 1024
FIRST_LOAD_BYTES = """() => {
  let total = performance.getEntriesByType('navigation')[0].decodedBodySize;
  for (const entry of performance.getEntriesByType('resource')) {
    if (entry.initiatorType === 'link' || entry.initiatorType === 'script') {
      total += entry.decodedBodySize;
    }
  }
  return total;
}"""


def what_a_person_meets(tab, path: str) -> dict:
    answer = tab.goto(path)
    return {"status": answer.status if answer else None, "axe": axe_violations(tab),
            "sideways_px": horizontal_overflow(tab), "too_wide": overflowing_elements(tab),
            "heavy": tab.evaluate(FIRST_LOAD_BYTES) > FIRST_LOAD_MAX_BYTES}


@pytest.mark.parametrize("entry", CHECKED, ids=lambda entry: entry.name)
def test_the_page_is_accessible_and_fits_an_office_screen_and_a_phone(entry, demo_url,
                                                                      open_context):
    tab = open_context(base_url=demo_url).new_page()
    person = viewer_of(entry)
    if person is not None:
        sign_in(tab, person.name, person.password)
    met = {}
    for size in (OFFICE, PHONE):
        tab.set_viewport_size(size)
        met[f"{size['width']}x{size['height']}"] = what_a_person_meets(tab, entry.path)

    clean = {"status": 200, "axe": [], "sideways_px": 0, "too_wide": [], "heavy": False}
    assert met == {"1366x768": clean, "390x844": clean}
