"""Changing the schedule one rule at a time, as the console's rules editor does.

The schedule is one document; a rule added, changed or removed makes a new draft of the
whole document (the live one with that rule changed) through `revisions.save_schedule`, the
same door as PUT /api/schedule, and submits it: it is live once a second approver approves
it. The change is made to the schedule the person saw: if another schedule went live since
(`base_revision`), the change is refused rather than quietly undoing that one.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from signage.content.documents import Document, Problem, dump_json
from signage.services import revisions
from signage.services.errors import Conflict, Invalid, NotFound
from signage.store.access import Principal
from signage.store.content import Content
from signage.store.revisions import Revisions


def live_document(content: Content) -> tuple[int | None, dict[str, Any] | None]:
    """(revision, the live schedule as a JSON-ready dict), or (None, None) before any."""
    live = content.live_schedule()
    if live is None:
        return None, None
    revision, schedule = live
    return revision, json.loads(dump_json(schedule))


def put_rule(content: Content, revision_store: Revisions, actor: Principal,
             rule: dict[str, Any], *, replacing: str | None, base_revision: int | None,
             default: str | None = None) -> revisions.Saved:
    """Add `rule` (a rule document) or put it in place of the rule named `replacing`;
    saved and submitted. Without a live schedule, `default` starts one. Problems of the
    rule are reported at `rule.<field>`."""
    document = _base(content, base_revision, default)
    rules = list(document.get("rules", []))
    if replacing is None:
        index = len(rules)
        rules.append(rule)
    else:
        index = _index_of(rules, replacing)
        rules[index] = rule
    return _save_and_submit(content, revision_store, actor, {**document, "rules": rules}, index)


def remove_rule(content: Content, revision_store: Revisions, actor: Principal, name: str, *,
                base_revision: int | None) -> revisions.Saved:
    """Take the rule `name` out of the schedule; saved and submitted."""
    document = _base(content, base_revision, None)
    rules = list(document.get("rules", []))
    del rules[_index_of(rules, name)]
    return _save_and_submit(content, revision_store, actor, {**document, "rules": rules}, None)


def _base(content: Content, base_revision: int | None, default: str | None) -> dict[str, Any]:
    revision, document = live_document(content)
    if revision != base_revision:
        raise Conflict("schedule_changed", f"the live schedule is now revision {revision}, not "
                       f"{base_revision}; reload the page and make the change again",
                       live=revision, seen=base_revision)
    if document is None:
        if not default:
            raise Invalid.field("default", "default_needed", "no schedule is live yet; choose "
                                "the playlist that plays when no rule applies")
        document = {"name": "default", "default": default}
    return document


def _index_of(rules: list[dict[str, Any]], name: str) -> int:
    for index, rule in enumerate(rules):
        if rule.get("name") == name:
            return index
    raise NotFound("rule_not_found", f"the live schedule has no rule named {name!r}", name=name)


def _save_and_submit(content: Content, revision_store: Revisions, actor: Principal,
                     document: dict[str, Any], index: int | None) -> revisions.Saved:
    try:
        saved = revisions.save_schedule(content, revision_store, actor, Document(document, {}))
    except Invalid as exc:
        if index is None:
            raise
        raise Invalid(exc.code, exc.message, [_about_rule(p, index) for p in exc.problems],
                      **exc.params) from None
    revisions.submit(revision_store, actor, saved.revision)
    return saved


def _about_rule(problem: Problem, index: int) -> Problem:
    """rules[3].time -> rule.time: the problem at the form's field, not the document's."""
    prefix = f"rules[{index}]"
    if problem.path == prefix or problem.path.startswith(prefix + "."):
        return dataclasses.replace(problem, path="rule" + problem.path[len(prefix):])
    return problem
