"""The emergency page's ready texts, read from emergency_templates.yaml beside this module
so an operator can change them without touching code.

Each template's text is checked by the same model the wall's notices use (three
languages, simplified Chinese, length), so a template that could not be posted is refused
when the page loads, naming it, rather than when someone needs it in a hurry.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from signage.content.models import Message, parse_duration

TEMPLATES_FILE = Path(__file__).with_name("emergency_templates.yaml")


class TemplateFileError(ValueError):
    """The templates file cannot be used; the message names the template and the field."""


@dataclasses.dataclass(frozen=True)
class EmergencyTemplate:
    key: str
    names: dict[str, str]  # the template's name in the console's languages (vi, en)
    text: Message
    duration: str

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("vi") or self.key


def load_templates(path: Path | None = None) -> dict[str, EmergencyTemplate]:
    """Every template in the file's order (TEMPLATES_FILE unless `path`), by key."""
    path = path or TEMPLATES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateFileError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateFileError(f"{path}: write one template per key, e.g. landslide: ...")
    return {str(key): _template(path, str(key), entry) for key, entry in data.items()}


def _template(path: Path, key: str, entry: object) -> EmergencyTemplate:
    if not isinstance(entry, dict):
        raise TemplateFileError(f"{path}: {key}: give name, duration and text")
    try:
        text = Message.model_validate(entry.get("text"))
        duration = str(entry.get("duration", "1h"))
        parse_duration(duration)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise TemplateFileError(f"{path}: {key}: {exc}") from None
    names = entry.get("name") or {}
    if not isinstance(names, dict):
        raise TemplateFileError(f"{path}: {key}: name: give {{vi: ..., en: ...}}")
    return EmergencyTemplate(key, {str(k): str(v) for k, v in names.items()}, text, duration)
