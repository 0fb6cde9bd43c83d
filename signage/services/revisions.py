"""Drafts and their approval: save, submit, approve, reject, roll back.

Saving checks a document at the door (the same checks `signage validate` runs) and stores a
draft; nothing reaches the wall until an approver approves it. The store writes each state
change and its audit line in one transaction.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from typing import Iterator

from drivers.registry import panel_size
from signage.content.documents import (Document, DocumentError, Problem, as_document,
                                      validate_document)
from signage.content.fielderrors import format_path
from signage.content.models import Playlist
from signage.errors import AssetMissing
from signage.render.checks import Limits, check_playlist, fonts_for
from signage.schedule.rules import Schedule
from signage.services.errors import Conflict, Forbidden, Invalid, NotFound, counted
from signage.services.importer import asset_problems, findings_as_problems
from signage.settings import Settings
from signage.store.access import Principal
from signage.store.assets import Assets
from signage.store.content import Content
from signage.store.revisions import (MAX_REASON_CHARS, FourEyesRefused, RevisionConflict,
                                     RevisionInfo, RevisionNotFound, Revisions)

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Saved:
    """A draft that was stored, and what is worth a look before submitting it."""

    kind: str
    name: str
    revision: int
    warnings: list[Problem]


def save_playlist(assets: Assets, revisions: Revisions, settings: Settings, actor: Principal,
                  name: str, source: Document | str | bytes, as_json: bool | None = None) -> Saved:
    """Check a playlist document (YAML or JSON text, or parsed) and store it as a draft
    named `name`; Invalid lists every problem (syntax, fields, assets, what the wall would
    draw) with its line."""
    try:
        document = as_document(source, as_json)
    except DocumentError as exc:
        raise _not_saved(name, exc.problems) from None
    document, problems = _named(document, name)
    try:
        playlist = validate_document(document, Playlist)
    except DocumentError as exc:
        raise _not_saved(name, problems + exc.problems) from None
    problems += asset_problems(document, playlist, assets)[1]
    found = check_playlist(
        playlist, fonts_for(settings), panel_size(settings.driver), document=document,
        limits=Limits.from_settings(settings),
        asset_file=lambda ref: assets.path(ref) if assets.has(ref) else None,
    )
    problems += found.errors
    if problems:
        refusal = _not_saved(name, problems)
        refusal.warnings = found.warnings
        raise refusal
    try:
        revision = revisions.save_draft("playlist", playlist, actor.name, role=actor.role)
    except AssetMissing as exc:  # removed between our check and the save
        path = next((p for p, ref in playlist.asset_fields() if ref == exc.ref), ("items",))
        raise _not_saved(name, [Problem(format_path(path), str(exc), document.line_of(path),
                                        code="asset_missing", params={"ref": exc.ref})]) from None
    log.info("playlist %s saved as draft revision %d by %s", name, revision, actor.name)
    return Saved("playlist", name, revision, found.warnings)


def save_schedule(content: Content, revisions: Revisions, actor: Principal,
                  source: Document | str | bytes, as_json: bool | None = None) -> Saved:
    """Check a schedule document (every playlist it names must be published) and store it
    as a draft; Invalid lists the problems."""
    try:
        document = as_document(source, as_json)
        schedule = validate_document(document, Schedule)
    except DocumentError as exc:
        raise _schedule_not_saved(exc.problems) from None
    problems = findings_as_problems(schedule, document, set(content.playlist_names()))
    errors = [p for p in problems if not p.warning]
    if errors:
        raise _schedule_not_saved(errors)
    revision = revisions.save_draft("schedule", schedule, actor.name, role=actor.role)
    log.info("schedule %s saved as draft revision %d by %s", schedule.name, revision, actor.name)
    return Saved("schedule", schedule.name, revision, [p for p in problems if p.warning])


def revision(revisions: Revisions, revision_id: int, body: bool = True) -> RevisionInfo:
    """One revision; NotFound if no revision has this id."""
    with workflow_refusals():
        return revisions.get(revision_id, body=body)


def submit(revisions: Revisions, actor: Principal, revision_id: int) -> RevisionInfo:
    """Ask for approval of a draft."""
    with workflow_refusals():
        info = revisions.submit(revision_id, actor.name, role=actor.role)
    log.info("%s %s revision %d submitted by %s", info.kind, info.name, info.id, actor.name)
    return info


def approve(revisions: Revisions, settings: Settings, actor: Principal,
            revision_id: int) -> RevisionInfo:
    """Approve a submitted revision: it goes live at once. Its author may not approve it
    unless the site turned four-eyes off (Forbidden)."""
    with workflow_refusals():
        info = revisions.approve(revision_id, actor.name, actor.role,
                                 four_eyes=settings.four_eyes)
    log.info("%s %s revision %d approved by %s; it is live", info.kind, info.name, info.id,
             actor.name)
    return info


def reject(revisions: Revisions, actor: Principal, revision_id: int,
           reason: str) -> RevisionInfo:
    """Turn down a submitted revision with a reason its author will see."""
    if not (reason or "").strip() or len(reason.strip()) > MAX_REASON_CHARS:
        raise Invalid.field("reason", "reason_needed", f"a rejection needs a reason of "
                            f"1-{MAX_REASON_CHARS} characters; say what to change",
                            max=MAX_REASON_CHARS)
    with workflow_refusals():
        info = revisions.reject(revision_id, actor.name, reason, role=actor.role)
    log.info("%s %s revision %d rejected by %s", info.kind, info.name, info.id, actor.name)
    return info


def rollback(revisions: Revisions, content: Content, actor: Principal, kind: str,
             name: str | None, to_revision: int) -> RevisionInfo:
    """Make an earlier approved revision live again. A schedule is one document, so its
    `name` may be left out (None): the target's, else the live schedule's."""
    with workflow_refusals():
        if name is None:
            target = revisions.get(to_revision, body=False)
            live = content.live_schedule()
            # A playlist's revision id is refused by the store, naming the schedule it is not.
            name = target.name if target.kind == "schedule" or live is None else live[1].name
        info = revisions.rollback(kind, name, to_revision, actor.name, role=actor.role)
    log.info("%s %s rolled back to revision %d by %s", kind, name, to_revision, actor.name)
    return info


@contextlib.contextmanager
def workflow_refusals() -> Iterator[None]:
    """The store's workflow refusals as the services' own, with codes."""
    try:
        yield
    except RevisionNotFound as exc:
        raise NotFound("revision_not_found", str(exc)) from None
    except RevisionConflict as exc:
        raise Conflict("revision_state", str(exc)) from None
    except AssetMissing as exc:
        raise Conflict("asset_missing", str(exc), ref=exc.ref) from None
    except FourEyesRefused as exc:
        raise Forbidden("four_eyes", str(exc)) from None


def _named(document: Document, name: str) -> tuple[Document, list[Problem]]:
    """The document with the URL's name filled in, and a problem if it names another."""
    if not isinstance(document.data, dict):
        return document, []  # validation says the document must be a mapping
    given = document.data.get("name", name)
    problems = []
    if given != name:
        problems.append(Problem(
            "name", f"is {given!r} but the URL names {name!r}; make them the same or leave "
            "name out", document.line_of(("name",)), code="name_mismatch",
            params={"given": str(given), "expected": name},
        ))
    return Document({**document.data, "name": name}, document.lines), problems


def _not_saved(name: str, problems: list[Problem]) -> Invalid:
    return Invalid("playlist_not_saved", counted(problems, f"playlist {name!r} was not saved",
                                                 "nothing was changed"), problems, name=name)


def _schedule_not_saved(problems: list[Problem]) -> Invalid:
    return Invalid("schedule_not_saved", counted(problems, "the schedule was not saved",
                                                 "the player keeps the one it has"), problems)
