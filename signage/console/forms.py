"""What pages share when a person sends a form: a service's refusal in their words, and
the answer after a form that worked (see other, so a reload does not send it twice)."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse

from signage.api import REFUSAL_STATUS
from signage.content.wording import say, where
from signage.services.errors import Invalid, Refused


@dataclasses.dataclass(frozen=True)
class FieldMessage:
    """One thing wrong, for the field it concerns: `field` is the document path
    ('items[2].text.vi', '' for the whole form), `place` that path in words."""

    field: str
    place: str
    words: str
    warning: bool = False


def refusal_messages(refusal: Refused, lang: str) -> list[FieldMessage]:
    """A service's refusal as sentences in `lang` (the wording table's, else its English)."""
    if isinstance(refusal, Invalid):
        return [FieldMessage(p.path, where(p.path, lang), p.say(lang), p.warning)
                for p in refusal.problems + refusal.warnings]
    return [FieldMessage("", "", say(refusal.code, refusal.params, lang, refusal.message))]


def see_other(path: str, **said: str) -> RedirectResponse:
    """303 to `path`; `said` (e.g. done='approved') goes in the query for the page to word."""
    query = f"?{urlencode(said)}" if said else ""
    return RedirectResponse(path + query, status_code=303)


def status_for(refusal: Refused) -> int:
    """The HTTP status a page answers a refusal with: the API's for the same refusal."""
    return REFUSAL_STATUS[refusal.kind]
