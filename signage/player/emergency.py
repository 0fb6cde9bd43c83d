"""An emergency notice as the player shows it: the whole panel, on the emergency card."""

from __future__ import annotations

from signage.content.models import EMERGENCY_CONTEXT, Message, MessageItem, Playlist, TextStyle
from signage.schedule.state import Emergency

EMERGENCY_STYLE = TextStyle(color="#ffd200")  # amber on the emergency card's dark red: urgent


def emergency_playlist(emergency: Emergency) -> Playlist:
    """The whole panel for one notice, on the emergency card: a red band reading KHẨN CẤP /
    EMERGENCY / 紧急 over the notice in amber, so it cannot pass for an ordinary message."""
    return notice_playlist(emergency.message)


def notice_playlist(message: Message) -> Playlist:
    """A notice's text as the player draws it (also what the console's preview shows)."""
    item = MessageItem.model_validate(
        {"kind": "message", "text": message, "style": EMERGENCY_STYLE,
         "template": "emergency", "duration": 24 * 3600.0}, context={EMERGENCY_CONTEXT: True})
    return Playlist(name="emergency", items=[item])
