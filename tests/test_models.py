"""Content models: what staff may write, and the messages they get when it is wrong."""

import pytest
from pydantic import ValidationError

from signage.content.fielderrors import problems_from
from signage.content.models import Message, Playlist, format_duration, parse_duration


def playlist_data(**item_changes):
    item = {"kind": "message", "text": {"vi": "Xin chào", "en": "Hello", "zh": "你好"}}
    item.update(item_changes)
    return {"name": "welcome", "items": [item]}


def problems(data):
    with pytest.raises(ValidationError) as caught:
        Playlist.model_validate(data)
    return problems_from(caught.value, data)


@pytest.mark.parametrize(
    "text, seconds",
    [("12s", 12), ("1m30s", 90), ("2m", 120), ("1h", 3600), ("1.5s", 1.5), (8, 8)],
    ids=["seconds", "minutes-seconds", "minutes", "hour", "fraction", "number"],
)
def test_durations_are_read_as_people_write_them(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["12", "twelve", "-3s", "0s", "25h", "", "1x", True])
def test_bad_durations_say_how_to_write_one(text):
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert "s" in str(caught.value)


@pytest.mark.parametrize("seconds", [12, 90, 120, 1.5, 3600])
def test_durations_format_back_to_the_same_value(seconds):
    assert parse_duration(format_duration(seconds)) == seconds


def test_a_message_needs_all_three_languages():
    data = playlist_data(text={"vi": "Xin chào", "en": "Hello"})
    assert problems(data) == [("items[0].text.zh", "is required")]


def test_empty_language_is_refused():
    data = playlist_data(text={"vi": "  ", "en": "Hello", "zh": "你好"})
    (path, reason), = problems(data)
    assert path == "items[0].text.vi" and "empty" in reason


def test_text_is_nfc_normalised():
    decomposed = "Thu\u0309y"  # u + combining hook above
    message = Message(vi=decomposed, en="x", zh="y")
    assert message.vi == "Thủy" and len(message.vi) == 4


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "a\u202eb"], ids=["nul", "escape", "bidi"])
def test_control_characters_are_refused(bad):
    (path, reason), = problems(playlist_data(text={"vi": bad, "en": "x", "zh": "y"}))
    assert path == "items[0].text.vi" and "control character" in reason


def test_newlines_are_allowed_for_manual_breaks():
    assert Message(vi="Dòng một\nDòng hai", en="x", zh="y").vi.count("\n") == 1


def test_text_length_is_capped():
    (path, reason), = problems(playlist_data(text={"vi": "a" * 501, "en": "x", "zh": "y"}))
    assert path == "items[0].text.vi" and "at most 500" in reason


def test_unknown_fields_are_refused_with_their_path():
    assert problems(playlist_data(duraton="5s")) == [
        ("items[0].duraton", "is not a known field; check its spelling")
    ]


def test_unknown_kind_names_the_choices():
    (path, reason), = problems({"name": "x", "items": [{"kind": "audio"}]})
    assert path == "items[0]" and "message, image" in reason


@pytest.mark.parametrize("ref", ["../secret.png", "/etc/passwd", "C:\\x.png", "sha256:abc"])
def test_asset_references_cannot_escape_the_content_folder(ref):
    data = {"name": "x", "items": [{"kind": "image", "asset": ref}]}
    (path, _reason), = problems(data)
    assert path == "items[0].asset"


def test_image_fit_must_be_known():
    data = {"name": "x", "items": [{"kind": "image", "asset": "a.png", "fit": "zoom"}]}
    (path, reason), = problems(data)
    assert path == "items[0].fit" and "cover" in reason


@pytest.mark.parametrize("name", ["Welcome", "a b", "-x", "", "x" * 65])
def test_playlist_names_are_slugs(name):
    data = playlist_data()
    data["name"] = name
    assert problems(data)[0][0] == "name"


def test_a_playlist_needs_an_item():
    assert problems({"name": "x", "items": []})[0][0] == "items"


def test_lone_surrogates_are_refused():
    (path, reason), = problems(playlist_data(text={"vi": "a", "en": "b", "zh": "\ud83d"}))
    assert path == "items[0].text.zh" and "U+D83D" in reason
