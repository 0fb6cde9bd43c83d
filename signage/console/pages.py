"""The console's pages: where each is, its name in the menu, who may open it.

One list for the menu, the screenshot command, the accessibility tests and the benchmark,
so a page added here is drawn, checked and measured without anyone remembering to.
Names are gettext source strings (English); the menu shows them translated.
"""

from __future__ import annotations

import dataclasses

from signage.store.access import ROLES


@dataclasses.dataclass(frozen=True)
class Page:
    path: str
    name: str          # msgid: the menu's word for it
    roles: tuple[str, ...]
    in_nav: bool = True


def _(text: str) -> str:
    """Marks a menu name for the catalogs; it is translated when the menu is drawn."""
    return text


PAGES: tuple[Page, ...] = (
    Page("/", _("Overview"), ROLES),
    Page("/playlists", _("Playlists"), ("editor", "approver", "technician")),
    Page("/media", _("Media library"), ("editor", "approver", "technician")),
    Page("/approvals", _("Approvals"), ("approver", "editor")),
    Page("/schedule", _("Schedule"), ("editor", "approver", "technician")),
    Page("/emergency", _("Emergency"), ("approver", "technician", "editor")),
    Page("/panel", _("Panel"), ("technician",)),
    Page("/plays", _("Proof of play"), ("technician", "approver")),
    Page("/audit", _("Audit log"), ("admin",)),
    Page("/people", _("People and tokens"), ("admin",)),
)

