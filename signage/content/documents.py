"""Reading content documents (YAML or JSON) with the source line of every field.

People edit playlists by hand, so a refusal must point at the line: `signage validate`
prints `FILE:LINE: field.path: reason`, and the API's 422 bodies carry the same lines.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from signage.content.fielderrors import field_errors, format_path
from signage.content.models import EmergencyNotice
from signage.content.wording import say, where

MAX_DOCUMENT_BYTES = 1_000_000

M = TypeVar("M", bound=BaseModel)


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where, and what to do.

    `reason` is the English sentence; `code` (stable, snake_case) and `params` let the
    console and other faces say the same thing in Vietnamese."""

    path: str
    reason: str
    line: int | None = None
    warning: bool = False  # worth a look, but the document is accepted
    code: str = "invalid"
    params: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)

    def render(self, source: str) -> str:
        kind = "warning: " if self.warning else ""
        return f"{source}:{self.line or 1}: {self.path}: {kind}{self.reason}"

    def say(self, lang: str) -> str:
        """The reason in `lang`: English is the sentence the check wrote (it has the most
        detail); other languages are worded from the code and params."""
        return self.reason if lang == "en" else say(self.code, self.params, lang, self.reason)

    def human(self, source: str, lang: str) -> str:
        """`FILE:LINE: where: reason` for people: in `lang`, items counted from 1."""
        kind = {"vi": "cảnh báo: ", "en": "warning: "}.get(lang, "warning: ") if self.warning else ""
        return f"{source}:{self.line or 1}: {where(self.path, lang)}: {kind}{self.say(lang)}"

    def as_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason, "line": self.line,
                "code": self.code, "params": self.params}


class DocumentError(Exception):
    """A document that cannot be read or validated; `problems` says why, line by line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.reason}" for p in problems))


@dataclasses.dataclass(frozen=True)
class Document:
    data: Any
    lines: dict[tuple, int]  # field path -> 1-based line

    def line_of(self, path: tuple) -> int | None:
        """The line of the deepest part of `path` that the document spells out."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


# Content is at most playlist > layout > zone > items > item > text > language deep; 32
# leaves room for schedules and future fields, and keeps every walk of a document short.
MAX_DEPTH = 32
# Keys, values, lists and mappings in one document. The biggest legal playlist (200 items
# with every field) or schedule (200 rules) has about 15,000; composing 100,000 took over
# 50 MB, so the count is checked on the event stream before anything is composed.
MAX_VALUES = 25_000
# libyaml stops at 1000 levels by itself; its words for that, to answer with too_deep.
_LIBYAML_DEPTH = "exceeded maximum nesting depth"


def _too_deep(line: int | None) -> Problem:
    return Problem("(document)", f"nests deeper than {MAX_DEPTH} levels; content never needs "
                   "that many, flatten it", line, code="too_deep", params={"max_depth": MAX_DEPTH})


def _alias(line: int) -> Problem:
    return Problem("(document)", "uses a YAML anchor or alias (& or *); write each value out "
                   "where it is used", line, code="yaml_alias")


def _too_many(line: int) -> Problem:
    return Problem("(document)", f"has more than {MAX_VALUES} keys and values; no playlist or "
                   "schedule needs that many, split it", line, code="too_many_values",
                   params={"max_values": MAX_VALUES})


_VALUE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent,
                 yaml.AliasEvent)


def _scan_events(text: str) -> None:
    """Refuse anchors, aliases and too many values while only events exist: each event is
    dropped as soon as it is counted, so a hostile document costs no memory here."""
    parser = _Composer(text)
    count = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if not isinstance(event, _VALUE_EVENTS):
                continue
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
                raise DocumentError([_alias(line)])
            count += 1
            if count > MAX_VALUES:
                raise DocumentError([_too_many(line)])
    finally:
        parser.dispose()


def _map_lines(root: yaml.Node, lines: dict, problems: list[Problem]) -> None:
    """Note each field's line, refusing depth past MAX_DEPTH and duplicate keys.

    Iterative, so a deep document is refused with a 422 instead of a RecursionError (a
    500); _scan_events already refused aliases, so each node is walked once."""
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise DocumentError([_too_deep(node.start_mark.line + 1)])
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            keys: set = set()
            pending = []
            for key_node, value_node in node.value:
                key = key_node.value
                if key in keys:
                    problems.append(
                        Problem(format_path(path + (key,)), "appears twice; keep one",
                                key_node.start_mark.line + 1, code="duplicate_key")
                    )
                keys.add(key)
                lines[path + (key,)] = key_node.start_mark.line + 1
                pending.append((value_node, path + (key,)))
            stack.extend(reversed(pending))  # popped in document order
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed([(child, path + (index,))
                                   for index, child in enumerate(node.value)]))


class _Composer(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's reader: composing a 1 MB document takes a tenth of the pure-Python time."""


def parse_document(text: str | bytes, as_json: bool | None = None) -> Document:
    """Parse YAML or JSON and note where each field stands.

    JSON is read by `json` (YAML would split surrogate-pair escapes, refuse tab
    indentation and read 1e5 as text); `as_json=None` decides by the first character.
    """
    if as_json is None:
        head = text.lstrip()[:1]
        as_json = head in ("{", b"{")
    return _parse_json(text) if as_json else _parse_yaml(text)


def as_document(source: "Document | str | bytes", as_json: bool | None = None) -> "Document":
    """`source` itself if it is already a Document, else parsed (see parse_document)."""
    return source if isinstance(source, Document) else parse_document(source, as_json)


def _decode(text: str | bytes) -> str:
    if len(text) > MAX_DOCUMENT_BYTES:
        raise DocumentError([Problem("(document)", f"is larger than {MAX_DOCUMENT_BYTES} bytes",
                                     code="too_large", params={"bytes": MAX_DOCUMENT_BYTES})])
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentError(
                [Problem("(document)", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8",
                         code="not_utf8", params={"byte": exc.start})]
            ) from None
    return text


def _parse_yaml(text: str | bytes, construct: bool = True) -> Document:
    """The document and its lines; `construct=False` notes the lines only (for JSON,
    which `json` reads much faster than YAML constructs it)."""
    try:
        text = _decode(text)
        # The pure reader refuses characters YAML does not allow (NUL, C1 controls) right
        # here, with the same words whichever composer runs next.
        yaml.reader.Reader(text)
        loader = _Composer(text)
    except yaml.YAMLError as exc:
        raise DocumentError([_yaml_problem(exc)]) from None
    try:
        _scan_events(text)
        node = loader.get_single_node()
        if node is None:
            raise DocumentError([Problem("(document)", "is empty", 1, code="empty")])
        problems: list[Problem] = []
        lines: dict[tuple, int] = {}
        _map_lines(node, lines, problems)
        if problems:
            raise DocumentError(problems)
        if not construct:
            return Document(None, lines)
        try:
            data = loader.construct_document(node)
        except (ValueError, OverflowError) as exc:
            # PyYAML turns 2027-02-31 into a date and fails outside its own error types.
            raise DocumentError([_unreadable_value(node, exc)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if _LIBYAML_DEPTH in str(exc):
            raise DocumentError([_too_deep(mark.line + 1 if mark else None)]) from None
        raise DocumentError([_yaml_problem(exc, text)]) from None
    except yaml.YAMLError as exc:
        raise DocumentError([_yaml_problem(exc, text)]) from None
    finally:
        loader.dispose()
    return Document(data, lines)


# PyYAML's wording -> the mistake people made, in plain words (wording.py: yaml_syntax/...).
_YAML_MISTAKES = (
    ("'\\t'", "tab"), ("tab character", "tab"),
    ("mapping values are not allowed", "colon"),
    ("quoted scalar", "quote"),
    ("could not find expected ':'", "key"),
    ("expected <block end>", "indent"), ("did not find expected", "indent"),
)
def _tab_at(text: str | None, mark) -> bool:
    """Whether the reader stopped at a tab (in the indentation or the character itself)."""
    if text is None or mark is None:
        return False
    lines = text.splitlines()
    if mark.line >= len(lines):
        return False
    line = lines[mark.line]
    return "\t" in line[:len(line) - len(line.lstrip())] or line[mark.column:mark.column + 1] == "\t"


# Mistakes whose cause is where PyYAML's context starts (the quote opened, the line without ':').
_AT_CONTEXT = ("quote", "key")


def _yaml_problem(exc: yaml.YAMLError, text: str | None = None) -> Problem:
    """A YAML syntax error as staff can act on it: the line, and what to change."""
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None) or ""
    said = f"{context} {problem}"
    mistake = next((name for needle, name in _YAML_MISTAKES if needle in said), "other")
    mark = getattr(exc, "problem_mark", None)
    if mistake == "other" and _tab_at(text, mark):  # libyaml does not name the character
        mistake = "tab"
    if mistake in _AT_CONTEXT and getattr(exc, "context_mark", None) is not None:
        mark = exc.context_mark
    params = {"mistake": mistake, "detail": problem, "column": mark.column + 1 if mark else 1}
    reason = say("yaml_syntax", params, "en", f"YAML syntax: {problem}")
    return Problem("(document)", reason, mark.line + 1 if mark else None, code="yaml_syntax",
                   params=params)


def _unreadable_value(root: yaml.Node, exc: Exception) -> Problem:
    """Point at the scalar PyYAML could not construct (usually an impossible date)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node)  # a fresh one: the failed loader
                # still holds half-built state
            except (ValueError, OverflowError):
                return Problem("(document)", f"{node.value!r} is not a real date or number; "
                               "correct it, or quote it if it is meant as text",
                               node.start_mark.line + 1, code="unreadable_value",
                               params={"value": node.value})
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)
    return Problem("(document)", f"a value cannot be read: {exc}", code="unreadable_value")


class _DuplicateKey(Exception):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) < len(pairs):  # linear: 50,000 keys used to take 40 s
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


# Refusals found while noting lines that JSON has too: they hold for the JSON reading.
_SHARED_PROBLEMS = ("duplicate_key", "too_deep", "too_many_values")
_FATAL_PROBLEMS = ("too_deep", "too_many_values")  # JSON is not read past these


def _parse_json(text: str | bytes) -> Document:
    """Read JSON as JSON, with line numbers from the YAML reading where it has them."""
    text = _decode(text)
    try:
        lines = _parse_yaml(text, construct=False).lines
        shared: list[Problem] = []
    except DocumentError as exc:  # JSON that YAML cannot read: keep what holds for JSON too
        lines = {}
        shared = [p for p in exc.problems if p.code in _SHARED_PROBLEMS]
    fatal = [p for p in shared if p.code in _FATAL_PROBLEMS]
    if fatal:
        raise DocumentError(fatal)
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicates)
    except _DuplicateKey as exc:
        raise DocumentError(
            shared or [Problem("(document)", f"the key {exc.args[0]!r} appears twice; keep one",
                               code="duplicate_key", params={"key": exc.args[0]})]
        ) from None
    except json.JSONDecodeError as exc:
        raise DocumentError(
            [Problem("(document)", f"JSON syntax: {exc.msg} (column {exc.colno})", exc.lineno,
                     code="json_syntax", params={"column": exc.colno, "detail": exc.msg})]
        ) from None
    except RecursionError:  # deeper than Python's stack where YAML could not say
        raise DocumentError([_too_deep(None)]) from None
    return Document(data, lines)


def validate_document(doc: Document, model: type[M]) -> M:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        problems = [
            Problem(format_path(error.path), error.reason, doc.line_of(error.path),
                    code=error.code, params=error.params)
            for error in field_errors(exc, doc.data, model)
        ]
        raise DocumentError(problems) from None


def validate_emergency(doc: Document, now) -> tuple:
    """(EmergencyNotice, start, expiry) for a notice posted at `now`, as both the API and
    the console take one; DocumentError lists the problems, a bad window at expires_at."""
    notice = validate_document(doc, EmergencyNotice)
    try:
        start, end = notice.window(now)
    except ValueError as exc:
        raise DocumentError([Problem("expires_at", str(exc), doc.line_of(("expires_at",)),
                                     code="bad_window", params={"detail": str(exc)})]) from None
    return notice, start, end


def load_model(text: str | bytes, model: type[M]) -> M:
    """Parse and validate in one step; DocumentError lists every problem with its line."""
    return validate_document(parse_document(text), model)


def dump_json(model: BaseModel) -> str:
    """The canonical stored form of a content model."""
    return json.dumps(model.model_dump(mode="json", exclude_none=True), ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"))


