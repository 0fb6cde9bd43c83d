"""Small bodies must not cost huge work: aliases, depth, wide objects, the item cap.

The costs themselves are measured outside the tests (see the issue-12 note); these tests
pin the behaviour that bounds them: what is refused, with which code, and that duplicate
keys are found without comparing every key with every other.
"""

from __future__ import annotations

import json

import pytest

from signage.content import documents
from signage.content.documents import MAX_DEPTH, MAX_VALUES, DocumentError, parse_document
from signage.content.models import MAX_ITEMS, MAX_PLAYLIST_TEXT_CHARS, MAX_ZONES, Playlist
from tests.test_api import YAML, JSON, auth, client, clock, settings, store  # noqa: F401

ALIAS_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
)


def problems(text, as_json=None) -> list[dict]:
    with pytest.raises(DocumentError) as caught:
        parse_document(text, as_json)
    return [p.as_dict() for p in caught.value.problems]


def test_an_anchor_is_refused_at_its_line():
    found = problems("name: a\nitems: &items\n  - kind: standby\nmore: *items\n")
    assert [(p["code"], p["line"]) for p in found] == [("yaml_alias", 2)]
    assert "anchor or alias" in found[0]["reason"]


def test_an_alias_alone_is_refused_at_its_line():
    found = problems("name: a\nitems:\n  - kind: standby\nmore: *nowhere\n")
    assert [(p["code"], p["line"]) for p in found] == [("yaml_alias", 4)]


def test_a_merge_key_is_an_alias_too():
    found = problems("base: &base {duration: 5s}\nitem:\n  <<: *base\n")
    assert [p["code"] for p in found] == ["yaml_alias"]


def test_the_alias_bomb_is_refused_before_it_is_expanded(client, auth):
    response = client.put("/api/playlists/bomb", content=ALIAS_BOMB, headers={**YAML, **auth})

    assert response.status_code == 422
    assert [p["code"] for p in response.json()["detail"]] == ["yaml_alias"]


@pytest.mark.parametrize("text, as_json", [
    ("[" * 2000 + "]" * 2000, True),      # past libyaml's own limit
    ('{"a":' * 40 + "1" + "}" * 40, True),  # within it, past ours
    ("- " * 2000 + "x", False),
    ("- " * (MAX_DEPTH + 1) + "x", False),
], ids=["json-2000", "json-40", "yaml-2000", "yaml-just-over"])
def test_deep_nesting_is_refused_naming_the_limit(text, as_json):
    found = problems(text, as_json)
    assert [p["code"] for p in found] == ["too_deep"]
    assert found[0]["params"] == {"max_depth": MAX_DEPTH}
    assert f"deeper than {MAX_DEPTH} levels" in found[0]["reason"]


def test_nesting_at_the_limit_is_read():
    assert parse_document("- " * MAX_DEPTH + "x").data is not None


def test_deep_nesting_is_a_422_not_a_500(client, auth):
    response = client.put("/api/playlists/deep", content="[" * 2000 + "]" * 2000,
                          headers={**JSON, **auth})

    assert response.status_code == 422
    assert response.json()["detail"][0]["code"] == "too_deep"


class CountingKey(str):
    """A key that counts how often it is compared for equality."""

    comparisons = 0

    def __eq__(self, other):
        CountingKey.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_duplicate_keys_are_found_without_comparing_every_pair():
    keys = [CountingKey(f"k{i}") for i in range(3000)]
    CountingKey.comparisons = 0

    documents._refuse_duplicates([(key, 1) for key in keys])

    assert CountingKey.comparisons < 3 * len(keys)  # pairwise would be 9,000,000


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "yaml"])
def test_a_wide_object_is_refused_before_it_is_built(as_json):
    """50,000 keys took 40 s (JSON) and over 50 MB (YAML); no content needs that many."""
    body = {f"k{i}": i for i in range(50_000)}
    text = json.dumps(body) if as_json else "\n".join(f"{k}: {v}" for k, v in body.items())

    found = problems(text, as_json)

    assert [p["code"] for p in found] == ["too_many_values"]
    assert found[0]["params"] == {"max_values": MAX_VALUES}


def test_a_wide_object_under_the_cap_with_a_repeated_key_names_it():
    body = {f"k{i}": i for i in range(MAX_VALUES // 2 - 10)}
    text = json.dumps(body)[:-1] + ', "k7": 0}'

    found = problems(text, True)

    assert [(p["code"], p["path"]) for p in found] == [("duplicate_key", "k7")]


def test_a_wide_object_under_the_cap_is_read_whole():
    body = {f"k{i}": i for i in range(MAX_VALUES // 2 - 10)}
    assert parse_document(json.dumps(body)).data == body


def _zones(count: int, items_each: int) -> dict:
    item = {"kind": "standby", "duration": "5s"}
    return {"name": "wide", "layout": [
        {"zone": f"z{z}", "rect": ["0%", "0%", "100%", "100%"], "items": [item] * items_each}
        for z in range(count)]}


def test_the_total_of_items_over_all_zones_is_capped():
    Playlist.model_validate(_zones(MAX_ZONES, MAX_ITEMS // MAX_ZONES))  # at the cap: fine

    with pytest.raises(ValueError) as caught:
        Playlist.model_validate(_zones(MAX_ZONES, MAX_ITEMS // MAX_ZONES + 1))

    assert f"at most {MAX_ITEMS}" in str(caught.value)


def test_too_many_items_answers_422_naming_the_cap(client, auth):
    body = json.dumps(_zones(MAX_ZONES, MAX_ITEMS // MAX_ZONES + 1))

    response = client.put("/api/playlists/wide", content=body, headers={**JSON, **auth})

    assert response.status_code == 422
    assert any(f"at most {MAX_ITEMS}" in p["reason"] for p in response.json()["detail"])


def _long_messages(count: int) -> dict:
    text = {"vi": "Chào mừng " * 50, "en": "Welcome to " * 45, "zh": "欢迎来到清水国际口岸" * 50}
    return {"name": "long", "items": [{"kind": "message", "duration": "60s", "text": text}] * count}


def test_the_text_of_all_items_together_is_capped():
    per_item = 500 + 495 + 500
    fits = MAX_PLAYLIST_TEXT_CHARS // per_item
    Playlist.model_validate(_long_messages(fits))

    with pytest.raises(ValueError) as caught:
        Playlist.model_validate(_long_messages(fits + 1))

    assert f"at most {MAX_PLAYLIST_TEXT_CHARS}" in str(caught.value)
