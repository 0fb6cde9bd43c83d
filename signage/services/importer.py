"""`signage import`: playlist files plus the image and film files they name, into the store.

A playlist file may name an image by a path (relative to the file's folder, or to the
content folder above it, e.g. `assets/gate.png` from `playlists/welcome.yaml`). Import
stores each file once by sha256 and publishes the playlist with `sha256:` references.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Iterable

from signage.content.documents import Document, DocumentError, Problem, parse_document, validate_document
from signage.errors import ContentError
from signage.content.fielderrors import format_path
from signage.content.models import Playlist, is_stored_ref
from signage.media.film import probe_film
from signage.media.images import inspect_asset
from signage.services.films import import_film
from signage.store import Store
from signage.store.assets import Assets

log = logging.getLogger(__name__)

CONTENT_SUFFIXES = (".yaml", ".yml", ".json")
# How the audit log names the on-site command line. Importing publishes without approval
# (the administrator at the box is responsible), so it is logged under its own role.
IMPORT_ACTOR = "import"
IMPORT_ROLE = "cli"


@dataclasses.dataclass(frozen=True)
class Imported:
    source: Path
    name: str
    revision: int
    kind: str = "playlist"


def content_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the content files directly inside named folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in CONTENT_SUFFIXES))
        else:
            found.append(path)
    return found


def resolve_asset_file(source: Path, ref: str) -> Path | None:
    """The file a path reference names: beside the playlist, or in the folder above it."""
    for root in (source.parent, source.parent.parent):
        candidate = (root / ref).resolve()
        if candidate.is_relative_to(root.resolve()) and candidate.is_file():
            return candidate
    return None


def read_document(source: Path) -> Document:
    """A content file parsed, with its lines; DocumentError if unreadable or malformed."""
    try:
        text = source.read_bytes()
    except OSError as exc:
        raise DocumentError([Problem("(document)", f"cannot read the file: {exc.strerror}",
                                     code="unreadable_file", params={"error": exc.strerror})]) from None
    return parse_document(text)


def is_schedule(document: Document) -> bool:
    """A schedule names a default playlist and has no items or layout of its own."""
    data = document.data
    return isinstance(data, dict) and "default" in data and not {"items", "layout"} & set(data)


def read_playlist(source: Path) -> tuple[Document, Playlist]:
    document = read_document(source)
    return document, validate_document(document, Playlist)


def asset_problems(document: Document, playlist: Playlist, assets: Assets | None = None,
                   source: Path | None = None) -> tuple[dict[str, Path], list[Problem]]:
    """Check every asset reference: stored ones must be in `assets` (when given), path
    ones must name a file near `source`; with no `source` (a document sent over HTTP)
    paths are refused. Returns the files found and the problems."""
    files: dict[str, Path] = {}
    problems = []
    films = film_fields(playlist)
    for path, ref in playlist.asset_fields():
        if is_stored_ref(ref):
            if assets is None or assets.has(ref):
                continue
            reason, code = f"{ref} is not in the store; upload the image first", "asset_missing"
        elif source is None:
            reason = f"{ref!r} is a file path; import the image first (signage import) and name it sha256:<hex>"
            code = "asset_path_over_http"
        elif (found := resolve_asset_file(source, ref)) is not None:
            files[ref] = found
            if path in films:
                problems += _film_problems(document, path, found)
            continue
        else:
            reason = f"file {ref!r} not found beside {source.name} or in its parent folder"
            code = "asset_file_missing"
        problems.append(Problem(format_path(path), reason, document.line_of(path), code=code,
                                params={"ref": ref}))
    return files, problems


def film_fields(playlist: Playlist) -> set[tuple]:
    """The field paths of the films a playlist names (video items' `asset`)."""
    return {path + ("asset",) for path, item in playlist.item_paths() if item.kind == "video"}


def _film_problems(document: Document, path: tuple, file: Path) -> list[Problem]:
    """A film file that would be refused at import (wrong codec, cut short ...)."""
    try:
        probe_film(file)
    except ContentError as exc:
        return [Problem(format_path(path), f"{file.name} {reason}", document.line_of(path),
                        code="film_refused", params={"file": file.name})
                for _, reason in exc.problems]
    return []


def check_asset_files(source: Path, document: Document, playlist: Playlist,
                      assets: Assets | None = None) -> dict[str, Path]:
    """Map each path reference to its file; DocumentError names any that are missing."""
    files, problems = asset_problems(document, playlist, assets, source)
    if problems:
        raise DocumentError(problems)
    return files


def import_file(store: Store, source: Path, author: str = IMPORT_ACTOR) -> Imported:
    document, playlist = read_playlist(source)
    files = check_asset_files(source, document, playlist, store.assets)
    stored: dict[str, str] = {}
    films = {ref for path, ref in playlist.asset_fields() if path in film_fields(playlist)}
    for ref, file in files.items():
        if ref in films:  # checked by asset_problems; read from the file, never whole
            stored[ref] = import_film(store.assets, file, file.name)
            continue
        data = file.read_bytes()
        try:
            stored[ref] = store.assets.add(data, inspect_asset(data), original_name=file.name)
        except ContentError as exc:
            path = next(p for p, r in playlist.asset_fields() if r == ref)
            raise DocumentError([Problem(format_path(path), f"{file.name} {reason}", document.line_of(path),
                                         code="image_refused", params={"file": file.name})
                                 for _, reason in exc.problems]) from None
    data = playlist.model_dump(mode="json", exclude_none=True)
    for path, ref in playlist.asset_fields():  # file paths become the stored sha256 names
        *parents, field = path
        node = data
        for part in parents:
            node = node[part]
        node[field] = stored.get(ref, ref)
    revision = store.content.publish_playlist(Playlist.model_validate(data), author,
                                              activate=False, role=IMPORT_ROLE)
    log.info("imported %s as %s revision %d", source, playlist.name, revision)
    return Imported(source, playlist.name, revision)


def findings_as_problems(schedule, doc: Document, known_playlists: set[str] | None) -> list[Problem]:
    """A schedule's cross-field findings as problems (for validate, import and the API)."""
    from signage.schedule.findings import schedule_findings

    return [Problem(format_path(f.path), f.reason, doc.line_of(f.path),
                    warning=f.severity == "warning", code="schedule_" + f.severity,
                    params=dict(f.params))
            for f in schedule_findings(schedule, known_playlists)]


def playlist_names_beside(source: Path) -> set[str]:
    """Names of the playlists in the files next to `source` (what a schedule may name)."""
    names = set()
    for path in content_files([source.parent]):
        try:
            data = read_document(path).data
        except DocumentError:
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str) and "default" not in data:
            names.add(data["name"])
    return names


def import_schedule(store: Store, source: Path, document: Document,
                    author: str = IMPORT_ACTOR) -> Imported:
    """Publish a schedule file; every playlist it names must be in the store already."""
    from signage.schedule.rules import Schedule

    schedule = validate_document(document, Schedule)
    published = set(store.content.playlist_names())
    errors = [p for p in findings_as_problems(schedule, document, published) if not p.warning]
    if errors:
        raise DocumentError(errors)
    revision = store.content.publish_schedule(schedule, author, role=IMPORT_ROLE)
    log.info("imported %s as schedule %s revision %d", source, schedule.name, revision)
    return Imported(source, schedule.name, revision, kind="schedule")


def import_paths(store: Store, paths: Iterable[Path], activate: str | None = None) -> list[Imported]:
    """Import every content file; make `activate` (or, if none is active, the first) active."""
    imported, schedules = [], []
    for source in content_files(paths):
        try:
            document = read_document(source)
            if is_schedule(document):
                schedules.append((source, document))  # after the playlists they name
            else:
                imported.append(import_file(store, source))
        except DocumentError as exc:
            exc.source = source  # so the caller can print FILE:LINE
            raise
    names = [item.name for item in imported]
    for source, document in schedules:
        try:
            imported.append(import_schedule(store, source, document))
        except DocumentError as exc:
            exc.source = source
            raise
    if activate:
        store.content.activate_playlist(activate, by=IMPORT_ACTOR, role=IMPORT_ROLE)
    elif names and store.content.active_playlist() is None:  # names: imported just now
        store.content.activate_playlist("welcome" if "welcome" in names else names[0],
                                        by=IMPORT_ACTOR, role=IMPORT_ROLE)
    return imported
