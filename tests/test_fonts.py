"""Fonts: the right face per language (Simplified Chinese, never Japanese), coverage, errors."""

from __future__ import annotations

import shutil
import subprocess

import pygame
import pygame.freetype
import pytest

from signage.errors import SignageError
from signage.render import fonts as fonts_module
from signage.render.fonts import FontBook, FontNotFound, find_face

CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
LATIN = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
VI = "Chào mừng quý khách đến Cửa khẩu Quốc tế Thanh Thủy. Ưu tiên, Ứng, Ự, ỹ, Đ"
ZH = "欢迎来到清水国际口岸，请出示护照。"


def face_index(path: str, family: str) -> int:
    pygame.freetype.init()
    for index in range(16):
        if pygame.freetype.Font(path, 16, font_index=index).name == family:
            return index
    raise AssertionError(f"{family} not in {path}")


def pixels(surface: pygame.Surface) -> bytes:
    return pygame.image.tobytes(surface, "RGBA")


def test_vietnamese_and_english_use_noto_sans(fonts):
    for lang in ("vi", "en"):
        assert fonts.faces[lang].family == "Noto Sans"
        assert fonts.font(lang, 20).name == "Noto Sans"


def test_chinese_uses_the_simplified_chinese_face(fonts):
    face = fonts.faces["zh"]
    assert face.family == "Noto Sans CJK SC"
    assert face.index == face_index(face.path, "Noto Sans CJK SC")
    assert fonts.font("zh", 20).name == "Noto Sans CJK SC"


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig not installed")
def test_chinese_face_agrees_with_fontconfig(fonts):
    out = subprocess.run(["fc-match", "-f", "%{index}", "Noto Sans CJK SC:style=Bold"],
                         capture_output=True, text=True, check=True).stdout
    assert fonts.faces["zh"].index == int(out)


def test_fontconfig_pointing_at_the_japanese_face_is_not_trusted(monkeypatch):
    monkeypatch.setattr(fonts_module, "_fc_match", lambda pattern: (CJK, 0))
    face = find_face("zh")
    assert face.family == "Noto Sans CJK SC" and face.index != 0


def test_without_fontconfig_the_debian_paths_are_searched(monkeypatch):
    monkeypatch.setattr(fonts_module.shutil, "which", lambda name: None)
    assert find_face("zh").family == "Noto Sans CJK SC"
    assert find_face("vi").path.endswith("NotoSans-Bold.ttf")


def test_no_font_anywhere_says_what_to_install(monkeypatch):
    monkeypatch.setattr(fonts_module, "_fc_match", lambda pattern: None)
    monkeypatch.setattr(fonts_module, "_SEARCH_PATHS", {"vi": (), "en": (), "zh": ("/nope",)})
    with pytest.raises(FontNotFound) as caught:
        find_face("zh")
    message = str(caught.value)
    assert "Chinese (zh)" in message and "fonts-noto-core fonts-noto-cjk" in message


def test_override_to_a_missing_file_names_the_language_and_the_fix():
    with pytest.raises(FontNotFound) as caught:
        FontBook({"zh": "/nonexistent/NotoSansCJK-Bold.ttc:2"})
    assert isinstance(caught.value, SignageError)
    message = str(caught.value)
    assert "(zh)" in message and "/nonexistent/NotoSansCJK-Bold.ttc:2" in message
    assert "install fonts-noto-core fonts-noto-cjk" in message


def test_override_without_chinese_glyphs_is_refused():
    with pytest.raises(FontNotFound, match=r"\(zh\).*lacks"):
        FontBook({"zh": LATIN})


def test_override_collection_without_index_picks_simplified_chinese():
    book = FontBook({"zh": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"})
    assert book.faces["zh"].family == "Noto Sans CJK SC"


def test_override_with_index_is_honoured():
    regular = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
    book = FontBook({"zh": f"{CJK}:3", "en": regular})
    assert book.faces["zh"].family == "Noto Sans CJK TC"
    assert book.faces["en"].path.endswith("NotoSans-Regular.ttf")


def test_override_for_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown languages"):
        FontBook({"fr": LATIN})


def test_coverage_of_real_texts(fonts):
    assert fonts.covers("vi", VI) == []
    assert fonts.covers("en", "Welcome to Thanh Thuy International Border Gate") == []
    assert fonts.covers("zh", ZH) == []
    assert fonts.covers("en", "Gate 清水 gate") == ["清", "水"]


def test_fallback_covers_chinese_in_english_and_reports_what_nobody_has(fonts):
    assert fonts.missing("en", "Thanh Thuy 清水") == []
    assert fonts.glyph("en", 40, "清").face == fonts.faces["zh"]
    assert fonts.missing("en", "no glyph \U0001F6C2") == ["\U0001F6C2"]


def test_borrowed_glyph_is_not_taller_than_the_line_it_joins(fonts):
    borrowed = fonts.glyph("en", 40, "中")
    capital = fonts.glyph("en", 40, "H")
    assert borrowed.size < 40
    assert borrowed.max_y - borrowed.min_y <= capital.max_y - capital.min_y


def test_reference_heights_are_measured_ink(fonts):
    surface, _ = fonts.font("vi", 48).render("H", (255, 255, 255))
    assert fonts.ink_height("vi", 48) == surface.get_height()
    assert fonts.ink_height("zh", 48) > fonts.ink_height("vi", 48)  # CJK fills more of the em


def test_fonts_are_cached_per_language_and_size(fonts):
    assert fonts.font("zh", 30) is fonts.font("zh", 30)
    assert fonts.font("zh", 30) is not fonts.font("zh", 31)


def test_simplified_forms_not_japanese(fonts):
    sc = pygame.freetype.Font(CJK, 48, font_index=face_index(CJK, "Noto Sans CJK SC"))
    jp = pygame.freetype.Font(CJK, 48, font_index=face_index(CJK, "Noto Sans CJK JP"))
    for ch in "清迎":
        ours = pixels(fonts.font("zh", 48).render(ch, (255, 255, 255))[0])
        assert ours == pixels(sc.render(ch, (255, 255, 255))[0])
        assert ours != pixels(jp.render(ch, (255, 255, 255))[0])


def test_font_overrides_come_from_the_environment():
    from signage.settings import Settings

    env = {"SIGNAGE_FONT_ZH": "/fonts/x.ttc:2", "SIGNAGE_FONT_VI": "/fonts/v.ttf"}
    assert Settings.from_env(env).fonts == {"zh": "/fonts/x.ttc:2", "vi": "/fonts/v.ttf"}


def test_symbol_faces_are_the_default_fallbacks(fonts):
    assert [face.family for face in fonts.fallbacks] == ["Noto Sans Symbols", "Noto Sans Symbols2"]
    assert fonts.glyph("vi", 30, "✈").face.family == "Noto Sans Symbols2"


def test_fallbacks_can_be_configured_or_switched_off():
    dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    none = FontBook({"fallback": ""})
    assert none.fallbacks == () and none.missing("en", "Gate ✈") == ["✈"]
    wide = FontBook({"fallback": f"{dejavu}, {LATIN}"})
    assert [face.path for face in wide.fallbacks] == [dejavu, LATIN]
    assert wide.missing("en", "Welcome 😀") == []  # DejaVu has a monochrome smiley


def test_a_fallback_that_is_not_a_font_is_refused(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a font")
    with pytest.raises(FontNotFound, match="SIGNAGE_FONT_FALLBACK"):
        FontBook({"fallback": str(bogus)})


def test_fallback_fonts_come_from_the_environment():
    from signage.settings import Settings

    assert Settings.from_env({"SIGNAGE_FONT_FALLBACK": "/a.ttf,/b.otf"}).fonts == {
        "fallback": "/a.ttf,/b.otf"}
    assert Settings.from_env({"SIGNAGE_FONT_FALLBACK": ""}).fonts == {"fallback": ""}
    assert Settings.from_env({}).fonts == {}
