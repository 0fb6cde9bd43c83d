"""The playlist editor's form, to and from the document shape YAML/JSON imports take.

Fields are named by their document path (`items[2].text.vi`, `transition.kind`), so the
refusals the services give (`Problem.path`) land beside the field they concern. The form
only rebuilds the document; every rule (languages, durations, legibility ...) is checked
by the same services an import goes through (services.revisions.save_playlist).

Fields the editor does not show (an item's own transition, a film's start and end) travel
in a hidden `items[i].keep` JSON field, so saving from the console never drops them.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from signage.content.models import (ITEM_KINDS, LANGUAGES, MAX_ITEMS, ClockItem, ImageItem,
                                    MessageItem, StandbyItem, TickerItem, VideoItem)

ITEM_FIELD = re.compile(r"^items\[(\d{1,3})\]\.([a-z_]+(?:\.[a-z0-9_]+)*)$")
NEW_ITEM_KIND = "message"
# The fields the editor shows, per kind; any other key of a stored item is kept as is.
SHOWN = {
    "message": ("kind", "text", "duration", "template", "category", "background", "logo",
                "style"),
    "image": ("kind", "asset", "fit", "caption", "style", "duration"),
    "video": ("kind", "asset", "fit", "loop", "duration", "caption", "style"),
    "ticker": ("kind", "text", "speed", "style", "duration"),
    "clock": ("kind", "zones", "style", "duration"),
    "standby": ("kind", "duration"),
}
MODELS = {"message": MessageItem, "image": ImageItem, "video": VideoItem, "ticker": TickerItem,
          "clock": ClockItem, "standby": StandbyItem}
DEFAULT_DURATION = {"message": "10s", "image": "8s", "video": "", "ticker": "30s",
                    "clock": "10s", "standby": "10s"}
DEFAULT_STYLE = {"color": "#ffffff", "outline": 0, "plate": False}
CLOCK_ZONES = ("Asia/Ho_Chi_Minh", "Asia/Shanghai")
MAX_CLOCK_ZONES = 3
MAX_FIELD_CHARS = 2000  # past the model's own caps (500 a text): refused by the model


def new_item(kind: str) -> dict[str, Any]:
    """A fresh item of `kind` as the editor first shows it."""
    kind = kind if kind in ITEM_KINDS else NEW_ITEM_KIND
    item: dict[str, Any] = {"kind": kind}
    if DEFAULT_DURATION[kind]:
        item["duration"] = DEFAULT_DURATION[kind]
    if kind in ("message", "ticker"):
        item["text"] = {lang: "" for lang in LANGUAGES}
    if kind in ("image", "video"):
        item.update(asset="", fit="contain")
    if kind == "clock":
        item["zones"] = list(CLOCK_ZONES)
    return item


def new_playlist(name: str = "") -> dict[str, Any]:
    return {"name": name, "items": [new_item(NEW_ITEM_KIND)],
            "transition": {"kind": "crossfade", "duration": "0.4s"}}


def document_from_form(form: Mapping[str, str], name: str) -> dict[str, Any]:
    """The playlist document the form describes (not yet checked: the services do that)."""
    grouped: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        found = ITEM_FIELD.match(key)
        if found and int(found.group(1)) <= MAX_ITEMS * 2 and isinstance(value, str):
            grouped.setdefault(int(found.group(1)), {})[found.group(2)] = value[:MAX_FIELD_CHARS]
    document: dict[str, Any] = {"name": name, "items": [
        item_from_fields(grouped[index]) for index in sorted(grouped)]}
    kind = _text(form, "transition.kind")
    if kind:
        document["transition"] = {"kind": kind}
        duration = _text(form, "transition.duration")
        if duration and kind != "cut":
            document["transition"]["duration"] = duration
    return document


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key, "")
    return value.strip()[:MAX_FIELD_CHARS] if isinstance(value, str) else ""


def item_from_fields(fields: Mapping[str, str]) -> dict[str, Any]:
    """One item from its fields (`text.vi`, `duration`, ...), with its kept fields."""
    kind = fields.get("kind", NEW_ITEM_KIND)
    item = _kept(fields.get("keep", ""), kind)
    item["kind"] = kind
    if kind in ("message", "ticker"):
        item["text"] = {lang: fields.get(f"text.{lang}", "") for lang in LANGUAGES}
    if kind in ("image", "video"):
        item["asset"] = fields.get("asset", "")
        caption = {lang: fields.get(f"caption.{lang}", "") for lang in LANGUAGES}
        if any(text.strip() for text in caption.values()):
            item["caption"] = caption
    _optional(item, fields, ("duration", "fit", "template", "category", "background", "logo"))
    _number(item, fields, "speed", float)
    _number(item, fields, "loop", int)
    if kind == "clock":
        item["zones"] = [zone for index in range(MAX_CLOCK_ZONES)
                         if (zone := fields.get(f"zones.{index}", "").strip())]
    style = _style(fields)
    if style and "style" in SHOWN.get(kind, ()):
        item["style"] = style
    return item


def _kept(raw: str, kind: str) -> dict[str, Any]:
    """The stored item's fields the editor does not show (ignored if not a mapping: the
    field is the editor's own, a person never types it)."""
    try:
        kept = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(kept, dict):
        return {}
    # Only what the kind has: a film's start and end are dropped when it becomes a picture.
    known = MODELS[kind].model_fields if kind in MODELS else {}
    return {key: value for key, value in kept.items()
            if key in known and key not in SHOWN.get(kind, ())}


def _optional(item: dict, fields: Mapping[str, str], names: tuple[str, ...]) -> None:
    for name in names:
        value = fields.get(name, "").strip()
        if value and name in SHOWN.get(item["kind"], ()):
            item[name] = value


def _number(item: dict, fields: Mapping[str, str], name: str, kind: type) -> None:
    value = fields.get(name, "").strip()
    if not value or name not in SHOWN.get(item["kind"], ()):
        return
    try:
        item[name] = kind(value)
    except ValueError:
        item[name] = value  # the model refuses it, naming the field


def _style(fields: Mapping[str, str]) -> dict[str, Any] | None:
    """The style fields, or None when they say what the wall does anyway."""
    color = fields.get("style.color", "").strip() or DEFAULT_STYLE["color"]
    outline_text = fields.get("style.outline", "").strip() or "0"
    try:
        outline: Any = int(outline_text)
    except ValueError:
        outline = outline_text
    style = {"color": color.lower(), "outline": outline, "plate": "style.plate" in fields}
    return None if style == DEFAULT_STYLE else style


def item_moved(document: dict, index: int, step: int) -> dict:
    """The document with item `index` moved `step` places (clamped to the list)."""
    items = list(document.get("items") or [])
    target = index + step
    if 0 <= index < len(items) and 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    return {**document, "items": items}


def item_removed(document: dict, index: int) -> dict:
    items = list(document.get("items") or [])
    if 0 <= index < len(items):
        del items[index]
    return {**document, "items": items}


def item_added(document: dict, kind: str) -> dict:
    return {**document, "items": list(document.get("items") or []) + [new_item(kind)]}


def kept_json(item: Mapping[str, Any]) -> str:
    """The item's fields the editor does not show, for the hidden `keep` field."""
    shown = SHOWN.get(item.get("kind", ""), ())
    kept = {key: value for key, value in item.items() if key not in shown}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True) if kept else ""


def value_at(item: Mapping[str, Any], dotted: str, default: Any = "") -> Any:
    """`item`'s value at `text.vi` (or `zones.1`), or `default` when it has none."""
    value: Any = item
    for part in dotted.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return default
        if value is None:
            return default
    return value


def field_id(path: str) -> str:
    """An HTML id for the field at `path`: items[2].text.vi -> f-items-2-text-vi."""
    return "f-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def for_preview(item: Mapping[str, Any]) -> dict[str, Any]:
    """The item as the preview draws it while it is being written: a language not typed
    yet shows as an ellipsis (saving still refuses it), and it cuts in (no transition)."""
    shown = {key: value for key, value in item.items() if key != "transition"}
    for field in ("text", "caption"):
        message = shown.get(field)
        if isinstance(message, dict):
            shown[field] = {lang: (message.get(lang) or "").strip() or "…" for lang in LANGUAGES}
    return shown
