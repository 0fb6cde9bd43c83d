"""Checks at the door: coverage, legibility floors, reading time and contrast, as people see them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from signage.render.checks import (
    Limits,
    check_playlist,
    contrast_ratio,
    reading_seconds,
)
from signage.content.documents import parse_document, validate_document
from signage.errors import SignageError
from signage.content.models import Message, Playlist
from signage.render import clockface, items
from signage.render.text import reference_heights
from signage.settings import Settings

WELCOME = {"vi": "Chào mừng quý khách đến Cửa khẩu Quốc tế Thanh Thủy",
           "en": "Welcome to Thanh Thuy International Border Gate",
           "zh": "欢迎来到清水国际口岸"}


def check(yaml_text: str, fonts, panel=(768, 384), **kwargs):
    document = parse_document(yaml_text)
    playlist = validate_document(document, Playlist)
    return check_playlist(playlist, fonts, panel, document=document, **kwargs)


def rendered(problems) -> list[str]:
    return [p.render("p.yaml") for p in problems]


def message_yaml(en: str = WELCOME["en"], duration: str = "12s", extra: str = "") -> str:
    return (f"name: p\nitems:\n  - kind: message\n    duration: {duration}\n    text:\n"
            f"      vi: \"{WELCOME['vi']}\"\n      en: \"{en}\"\n      zh: \"{WELCOME['zh']}\"\n"
            + extra)


def layout_yaml(height: str, item: str) -> str:
    return ("name: p\nlayout:\n  - zone: main\n    rect: [0, 0, 100%, 60%]\n    items:\n"
            f"      - kind: message\n        text: {{vi: a, en: b, zh: c}}\n"
            f"  - zone: strip\n    rect: [0, 60%, 100%, {height}]\n    items:\n{item}")


TICKER = ("      - kind: ticker\n        text:\n          vi: \"Xuất trình hộ chiếu\"\n"
          "          en: \"Show your passport\"\n          zh: \"请出示护照\"\n")


# --- coverage ---------------------------------------------------------------------------


def test_an_emoji_is_refused_naming_the_character_code_and_language(fonts):
    found = check(message_yaml(en="Welcome 😀"), fonts)
    assert rendered(found.errors) == [
        "p.yaml:7: items[0].text.en: character '😀' (U+1F600) is not in any configured font; "
        "remove it or configure a font that has it"]


def test_each_missing_character_is_named_once_per_language(fonts):
    yaml_text = message_yaml(en="🛂 passport 🛂 😀").replace(WELCOME["zh"], "护照 🛂")
    reasons = [(p.path, p.reason.split(" is ")[0]) for p in check(yaml_text, fonts).errors]
    assert reasons == [("items[0].text.en", "character '🛂' (U+1F6C2)"),
                       ("items[0].text.en", "character '😀' (U+1F600)"),
                       ("items[0].text.zh", "character '🛂' (U+1F6C2)")]


def test_symbols_a_fallback_face_draws_are_accepted(fonts):
    found = check(message_yaml(en="Departures ✈ → Gate 2 ⚠"), fonts)
    assert found.errors == [] and found.warnings == []


def test_ticker_text_and_separator_are_covered_too(fonts):
    item = TICKER.replace("Show your passport", "Show 😀") + "        separator: \" 🙂 \"\n"
    found = check(layout_yaml("40%", item), fonts)
    assert {p.path for p in found.errors} == {"layout[1].items[0].separator",
                                              "layout[1].items[0].text.en"}


def test_every_built_in_clock_label_passes_coverage_and_the_floors(fonts):
    for zone in (z for z in clockface.ZONE_LABELS if "/" in z):  # UTC: not a place to label
        other = "Asia/Shanghai" if zone != "Asia/Shanghai" else "Asia/Bangkok"
        yaml_text = f"name: p\nitems:\n  - kind: clock\n    zones: [{zone}, {other}]\n"
        found = check(yaml_text, fonts)
        assert found.errors == [], (zone, rendered(found.errors))


def clock_beside_main(width: str, height: str) -> str:
    return ("name: p\nlayout:\n  - zone: main\n    rect: [0, 0, 62%, 78%]\n    items:\n"
            "      - kind: message\n        text: {vi: Một, en: One, zh: 一}\n"
            f"  - zone: clock\n    rect: [62%, 0, {width}, {height}]\n    items:\n"
            "      - kind: clock\n")


def test_a_clock_strip_across_the_top_passes(fonts):
    """The gate board's clock: the full width and 28% of the panel, 768x108 px."""
    yaml_text = ("name: p\nlayout:\n  - zone: clock\n    rect: [0, 0, 100%, 28%]\n    items:\n"
                 "      - kind: clock\n")
    found = check(yaml_text, fonts)
    assert (found.errors, found.warnings) == ([], [])


def test_a_clock_beside_the_main_zone_is_too_small_for_the_han_floor(fonts):
    """The old gate board's clock, 38% x 78% (292x300): its Chinese labels draw under 16 px."""
    found = check(clock_beside_main("38%", "78%"), fonts)
    assert [p.params["lang"] for p in found.errors] == ["zh"]


def test_a_cramped_clock_is_refused_with_the_sizes_it_would_draw(fonts):
    found = check(clock_beside_main("20%", "25%"), fonts)   # 154x96: two stacked zones
    drawn = reference_heights(fonts, clockface.label_sizes(
        fonts, ["Asia/Ho_Chi_Minh", "Asia/Shanghai"], (154, 96)))
    assert drawn["zh"] < 16
    assert {(p.path, p.line) for p in found.errors} == {("layout[1].items[0].zones", 11)}
    assert found.errors[-1].reason == (
        f"Chinese would be drawn {drawn['zh']} px tall ('中') in the 154x96 clock's zone labels "
        "on a 768x384 panel, below the 16 px floor (SIGNAGE_MIN_CJK_PX); give the clock zone "
        "more room or fewer zones")


# --- legibility -------------------------------------------------------------------------


def test_a_thin_ticker_strip_is_refused_for_its_chinese(fonts):
    found = check(layout_yaml("10%", TICKER), fonts)   # 38 px of a 384 px panel
    (error,) = found.errors
    assert error.path == "layout[1].items[0].text.zh"
    assert error.line == 15
    assert error.reason.startswith("Chinese would be drawn ")
    assert "768x38 ticker on a 768x384 panel, below the 16 px floor (SIGNAGE_MIN_CJK_PX)" in error.reason


def test_a_taller_strip_passes(fonts):
    assert check(layout_yaml("25%", TICKER), fonts).errors == []


def test_the_floors_are_configurable(fonts):
    assert check(layout_yaml("10%", TICKER), fonts, limits=Limits(7, 6)).errors == []
    strict = check(layout_yaml("25%", TICKER), fonts, limits=Limits(30, 12)).errors
    assert "layout[1].items[0].text.en" in {p.path for p in strict}
    assert all("floor (SIGNAGE_MIN_LATIN_PX)" in p.reason for p in strict)


def test_the_same_message_passes_on_a_large_panel_and_fails_on_a_small_one(fonts):
    yaml_text = message_yaml()
    assert check(yaml_text, fonts, panel=(1920, 1080)).errors == []
    small = check(yaml_text, fonts, panel=(192, 96)).errors
    assert {p.path for p in small} == {"items[0].text.en", "items[0].text.zh"}
    assert all("on a 192x96 panel" in p.reason for p in small)


def test_a_caption_is_measured_in_its_band(fonts, tmp_path):
    picture = tmp_path / "gate.png"
    Image.new("RGB", (64, 32), (40, 90, 40)).save(picture)
    yaml_text = ("name: p\nitems:\n  - kind: image\n    asset: gate.png\n    caption:\n"
                 f"      vi: \"{WELCOME['vi']}\"\n      en: \"{WELCOME['en']}\"\n"
                 f"      zh: \"{WELCOME['zh']}\"\n")
    found = check(yaml_text, fonts, panel=(384, 192), asset_file=lambda ref: picture)
    assert {p.path for p in found.errors} >= {"items[0].caption.zh"}
    _band, text_box = items.caption_band(fonts, Message(**WELCOME), (384, 192))
    assert text_box.size == (364, 66)   # the 45 % band less the 5 % safe margin
    assert "364x66 caption band on a 384x192 panel" in found.errors[-1].reason
    assert check(yaml_text, fonts, panel=(1920, 1080), asset_file=lambda ref: picture).errors == []


def test_text_cut_off_in_a_tiny_zone_is_refused(fonts):
    long = "Hàng hóa, động vật và thực vật mang qua cửa khẩu phải khai báo hải quan " * 3
    yaml_text = message_yaml().replace(WELCOME["vi"], long.strip())
    found = check(yaml_text, fonts, panel=(192, 96), limits=Limits(1, 1))
    assert [p.reason.split(" and ")[0] for p in found.errors] == [
        "does not fit the 192x96 zone on a 192x96 panel even at the smallest type"]


# --- reading time -----------------------------------------------------------------------


def test_reading_time_is_the_slowest_language_plus_a_second():
    message = Message(vi="Cửa khẩu đã đóng", en="The border gate is closed now, sorry",
                      zh="口岸已关闭，明早 7:00 重新开放")
    # vi 4 syllables / 3.5, en 7 words / 2.5, zh 12 characters (7:00 is one) / 2.8
    seconds, lang, amount = reading_seconds(message)
    assert (lang, amount) == ("zh", "12 characters")
    assert seconds == pytest.approx(1 + 12 / 2.8)


def test_a_short_duration_is_a_warning_not_an_error(fonts):
    found = check(message_yaml(duration="3s"), fonts)
    assert found.errors == []
    (warning,) = found.warnings
    assert warning.warning and warning.path == "items[0].duration" and warning.line == 4
    assert warning.reason.startswith("3s is shorter than the 4.6s the Chinese text needs")
    assert warning.render("p.yaml").startswith("p.yaml:4: items[0].duration: warning: 3s")


def test_tickers_have_no_reading_time(fonts):
    item = TICKER + "        duration: 1s\n"
    assert check(layout_yaml("25%", item), fonts).warnings == []


def test_films_have_no_reading_time_but_their_captions_must_fit(fonts):
    caption = (f"    caption:\n      vi: \"{WELCOME['vi']}\"\n      en: \"{WELCOME['en']}\"\n"
               f"      zh: \"{WELCOME['zh']}\"\n")
    film = "name: p\nitems:\n  - kind: video\n    asset: doc.mp4\n    duration: 1s\n" + caption
    assert check(film, fonts, panel=(1920, 1080)).warnings == []
    image = film.replace("kind: video", "kind: image")  # the same caption on a picture
    assert [w.path for w in check(image, fonts, panel=(1920, 1080)).warnings] == ["items[0].duration"]
    assert {p.path for p in check(film, fonts, panel=(384, 192)).errors} >= {"items[0].caption.zh"}


# --- contrast ---------------------------------------------------------------------------


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21)
    assert contrast_ratio((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio((10, 20, 30), (10, 20, 30)) == 1


def style(color: str, **more) -> str:
    extras = "".join(f", {k}: {v}" for k, v in more.items())
    return f"    style: {{color: \"{color}\"{extras}}}\n"


def test_dark_text_on_the_default_backdrop_warns_at_the_colour(fonts):
    found = check(message_yaml(extra=style("#445566")), fonts)
    (warning,) = found.warnings
    assert warning.path == "items[0].style.color" and warning.line == 9
    assert "below 4.5:1" in warning.reason and "style.plate: true" in warning.reason


def test_a_plate_or_an_outline_settles_contrast(fonts):
    assert check(message_yaml(extra=style("#ffcc00", plate="true")), fonts).warnings == []
    assert check(message_yaml(extra=style("#ffcc00", outline=2)), fonts).warnings == []
    # a dark outline does nothing for dark text
    assert len(check(message_yaml(extra=style("#202020", outline=2)), fonts).warnings) == 1


def background_message(tmp_path: Path, rgb, color: str):
    picture = tmp_path / "bg.png"
    Image.new("RGB", (96, 48), rgb).save(picture)
    extra = "    background: bg.png\n" + style(color)
    return message_yaml(extra=extra), (lambda ref: picture if ref == "bg.png" else None)


def test_contrast_is_measured_on_the_shaded_background_image(fonts, tmp_path):
    yaml_text, files = background_message(tmp_path, (255, 255, 255), "#ffffff")
    assert check(yaml_text, fonts, asset_file=files).warnings == []  # the shade keeps white legible
    yaml_text, files = background_message(tmp_path, (255, 255, 255), "#ffff00")
    (warning,) = check(yaml_text, fonts, asset_file=files).warnings
    assert "#ffff00 has 4.4:1 contrast" in warning.reason


def test_a_bright_patch_behind_part_of_the_text_counts(fonts, tmp_path):
    picture = tmp_path / "bg.png"
    image = Image.new("RGB", (768, 384), (0, 0, 0))
    image.paste((255, 255, 255), (0, 0, 300, 384))  # the left of every line is white
    image.save(picture)
    yaml_text = message_yaml(extra="    background: bg.png\n" + style("#ffff00"))
    assert len(check(yaml_text, fonts, asset_file=lambda ref: picture).warnings) == 1


# --- configuration ----------------------------------------------------------------------


def test_floors_come_from_the_environment():
    settings = Settings.from_env({"SIGNAGE_MIN_LATIN_PX": "9", "SIGNAGE_MIN_CJK_PX": "14"})
    assert Limits.from_settings(settings) == Limits(9, 14)
    assert Limits.from_settings(Settings.from_env({})) == Limits(7, 16)
    with pytest.raises(SignageError, match="SIGNAGE_MIN_CJK_PX='big': write a whole number"):
        Settings.from_env({"SIGNAGE_MIN_CJK_PX": "big"})


def test_a_zone_outside_the_panel_is_one_problem(fonts):
    yaml_text = ("name: p\nlayout:\n  - zone: lost\n    rect: [100%, 0, 10, 10]\n    items:\n"
                 "      - kind: ticker\n        text: {vi: a, en: b, zh: c}\n")
    assert rendered(check(yaml_text, fonts).errors) == [
        "p.yaml:4: layout[0].rect: leaves no area on the 768x384 panel; move the zone inside it"]
