"""Trilingual layout, checked on the pixels: order, the three-quarter rule, marks, wrapping."""

from __future__ import annotations

import pygame
import pygame.freetype
import pytest

from signage.content.models import Message, TextStyle
from signage.render.breaks import vietnamese_compounds
from signage.render.text import (
    LEGAL_MAX_RATIO,
    MIN_SIZE,
    NO_LINE_END,
    NO_LINE_START,
    fit_message,
    foreign_sizes,
    render_message,
    wrap,
)

WELCOME = Message(
    vi="Chào mừng quý khách đến Cửa khẩu Quốc tế Thanh Thủy",
    en="Welcome to Thanh Thuy International Border Gate",
    zh="欢迎来到清水国际口岸",
)
CAPITALS = Message(vi="HHHH", en="HHHH", zh="中中中中")
LONG_VI = (
    "Hành khách xuất cảnh vui lòng chuẩn bị hộ chiếu, giấy thông hành và tờ khai hải quan "
    "trước khi vào khu vực kiểm soát. Không mang hàng cấm, hàng lậu qua biên giới. "
    "Giữ trật tự, xếp hàng theo hướng dẫn của cán bộ cửa khẩu."
)
LONG_ZH = (
    "出境旅客请在进入检查区前准备好护照、通行证和海关申报单。禁止携带违禁品、走私货物过境。"
    "请遵守秩序，按照口岸工作人员的指引排队（谢谢合作）。"
)
BOXES = [(768, 384), (384, 192)]
THRESHOLDS = (0, 64, 127, 192, 254)


def ink(surface: pygame.Surface, rect: pygame.Rect | None = None, threshold: int = 0):
    """Bounding box of pixels with alpha above threshold (in surface coordinates), or None."""
    area = rect or surface.get_rect()
    found = pygame.mask.from_surface(surface.subsurface(area), threshold).get_bounding_rects()
    if not found:
        return None
    return found[0].unionall(found[1:]).move(area.topleft)


def pixels(surface: pygame.Surface) -> bytes:
    return pygame.image.tobytes(surface, "RGBA")


def inner_box(size, margin_ratio=0.05) -> pygame.Rect:
    margin = round(min(size) * margin_ratio)
    return pygame.Rect(margin, margin, size[0] - 2 * margin, size[1] - 2 * margin)


def assert_lines_account_for_all_ink(block):
    """Every lit pixel lies in exactly one line's rectangle, so per-line scans see it all."""
    rects = [line.rect for line in block.lines]
    for i, rect in enumerate(rects):
        assert rect.collidelist(rects[i + 1:]) == -1, "line rectangles overlap"
    covered = pygame.mask.Mask(block.surface.get_size())
    for rect in rects:
        covered.draw(pygame.mask.Mask(rect.size, fill=True), rect.topleft)
    lit = pygame.mask.from_surface(block.surface, 0)
    assert lit.overlap_area(covered, (0, 0)) == lit.count()


@pytest.mark.parametrize("size", BOXES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_vietnamese_is_on_top_then_english_then_chinese(fonts, size):
    block = render_message(WELCOME, size, fonts)
    assert block.fits and block.surface.get_size() == size
    assert_lines_account_for_all_ink(block)
    rows = {lang: [ink(block.surface, line.rect) for line in block.lines_for(lang)]
            for lang in ("vi", "en", "zh")}
    assert all(rows.values()) and all(r is not None for rs in rows.values() for r in rs)
    vi_bottom = max(r.bottom for r in rows["vi"])
    assert vi_bottom <= min(r.top for r in rows["en"] + rows["zh"])
    assert max(r.bottom for r in rows["en"]) <= min(r.top for r in rows["zh"])
    # centred horizontally
    for line in block.lines:
        lit = ink(block.surface, line.rect)
        assert abs(lit.left - (size[0] - lit.right)) <= 2


@pytest.mark.parametrize("size", BOXES + [(192, 96), (1920, 1080), (512, 128)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_foreign_type_is_at_most_three_quarters_of_vietnamese(fonts, size):
    block = render_message(CAPITALS, size, fonts)
    assert block.fits
    assert_lines_account_for_all_ink(block)
    (vi,), (en,), (zh,) = (block.lines_for(lang) for lang in ("vi", "en", "zh"))
    assert en.size <= LEGAL_MAX_RATIO * vi.size
    for threshold in THRESHOLDS:
        height = {line.lang: ink(block.surface, line.rect, threshold).height
                  for line in (vi, en, zh)}
        assert height["en"] <= LEGAL_MAX_RATIO * height["vi"], (threshold, height)
        assert height["zh"] <= LEGAL_MAX_RATIO * height["vi"], (threshold, height)


def test_three_quarter_rule_holds_at_every_size(fonts):
    for vi_size in range(MIN_SIZE, 161):
        en_size, zh_size = foreign_sizes(fonts, vi_size)
        vi_h = fonts.ink_height("vi", vi_size, threshold=254)
        assert en_size <= LEGAL_MAX_RATIO * vi_size
        assert fonts.ink_height("en", en_size) <= LEGAL_MAX_RATIO * vi_h, vi_size
        assert fonts.ink_height("zh", zh_size) <= LEGAL_MAX_RATIO * vi_h, vi_size


def test_ratios_above_the_legal_cap_are_refused(fonts):
    with pytest.raises(ValueError, match="art. 18"):
        render_message(WELCOME, (768, 384), fonts, en_ratio=0.8)


def render_pair(fonts, lang: str, first: Message, second: Message):
    """Render two messages after checking the font covers every char of `lang` in both."""
    for message in (first, second):
        assert fonts.covers(lang, getattr(message, lang)) == []
    return render_message(first, (768, 384), fonts), render_message(second, (768, 384), fonts)


def test_one_vietnamese_mark_changes_the_pixels(fonts):
    plain = Message(vi="Ưu tiên người cao tuổi", en="Priority for the elderly", zh="老人优先")
    marked = Message(vi="Ứu tiên người cao tuổi", en="Priority for the elderly", zh="老人优先")
    a, b = render_pair(fonts, "vi", plain, marked)
    assert a.sizes == b.sizes
    assert pixels(a.surface) != pixels(b.surface)
    assert_lines_account_for_all_ink(a)
    # the difference is above the U: the acute is drawn, not a box and not nothing
    (first_a, *_), (first_b, *_) = a.lines_for("vi"), b.lines_for("vi")
    assert first_b.rect.top < first_a.rect.top


def test_one_chinese_character_changes_the_pixels(fonts):
    one = Message(vi="Cửa khẩu Thanh Thủy", en="Thanh Thuy Border Gate", zh="清水口岸")
    other = Message(vi="Cửa khẩu Thanh Thủy", en="Thanh Thuy Border Gate", zh="青水口岸")
    a, b = render_pair(fonts, "zh", one, other)
    assert pixels(a.surface) != pixels(b.surface)
    zh_rect = a.lines_for("zh")[0].rect
    assert pixels(a.surface.subsurface(zh_rect)) != pixels(b.surface.subsurface(zh_rect))


def test_every_sample_character_is_covered_by_its_own_face(fonts):
    for message in (WELCOME, Message(vi=LONG_VI, en="x", zh=LONG_ZH)):
        for lang, text in zip(("vi", "en", "zh"), message.in_order()):
            assert fonts.covers(lang, text) == []


def test_chinese_is_drawn_with_the_simplified_face(fonts):
    path = fonts.faces["zh"].path
    index = {pygame.freetype.Font(path, 16, font_index=i).name: i for i in range(5)}
    block = render_message(Message(vi="Chào mừng", en="Welcome", zh="清迎"), (768, 384), fonts)
    (line,) = block.lines_for("zh")
    drawn = pixels(block.surface.subsurface(line.rect))
    sc = pygame.freetype.Font(path, line.size, font_index=index["Noto Sans CJK SC"])
    jp = pygame.freetype.Font(path, line.size, font_index=index["Noto Sans CJK JP"])
    assert drawn == pixels(sc.render("清迎", (255, 255, 255))[0])
    assert drawn != pixels(jp.render("清迎", (255, 255, 255))[0])


def test_long_vietnamese_wraps_within_the_box(fonts):
    size = (768, 384)
    block = render_message(Message(vi=LONG_VI, en="Passengers", zh="旅客"), size, fonts)
    vi_lines = block.lines_for("vi")
    assert block.fits and len(vi_lines) >= 3
    assert " ".join(line.text for line in vi_lines) == LONG_VI  # breaks only at spaces
    inner = inner_box(size)
    for line in block.lines:
        assert inner.contains(ink(block.surface, line.rect))


def test_a_word_too_long_for_the_line_is_cut_by_characters(fonts):
    word = "Supercalifragilisticexpialidocious"
    lines = wrap(fonts, "en", 40, f"a {word} b", 200)
    assert "".join(lines).replace(" ", "") == f"a{word}b"
    for line in lines:
        assert fonts.font("en", 40).get_rect(line).width <= 200


def test_chinese_never_starts_a_line_with_closing_punctuation(fonts):
    # from three characters up: narrower, a glued piece such as 作）。 must be cut somewhere
    size, hits = 30, 0
    for width in range(3 * size, 600, 7):
        lines = wrap(fonts, "zh", size, LONG_ZH, width)
        assert "".join(lines) == LONG_ZH
        for line in lines:
            assert line[0] not in NO_LINE_START and line[-1] not in NO_LINE_END, (width, lines)
            assert fonts.font("zh", size).get_rect(line).width <= width
        hits += naive_breaks_before_punctuation(fonts, size, width)
    assert hits > 0, "no width tempted a break before punctuation; the test proves nothing"


def naive_breaks_before_punctuation(fonts, size, width) -> int:
    """How often plain character wrapping would start a line with closing punctuation."""
    count, line = 0, ""
    for ch in LONG_ZH:
        if line and fonts.font("zh", size).get_rect(line + ch).width > width:
            count += ch in NO_LINE_START
            line = ""
        line += ch
    return count


def test_chinese_lines_in_a_rendered_message(fonts):
    message = Message(vi="Hướng dẫn xuất cảnh", en="Departure guide", zh=LONG_ZH)
    block = render_message(message, (384, 192), fonts)
    zh_lines = block.lines_for("zh")
    assert len(zh_lines) >= 2
    assert all(line.text[0] not in "，。" for line in zh_lines)


def test_manual_line_breaks_are_honoured(fonts):
    block = render_message(Message(vi="Cửa khẩu\nThanh Thủy", en="Border\ngate", zh="清水\n口岸"),
                           (768, 384), fonts)
    assert [line.text for line in block.lines] == [
        "Cửa khẩu", "Thanh Thủy", "Border", "gate", "清水", "口岸"]


@pytest.mark.parametrize("size", BOXES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_long_text_shrinks_and_stays_inside_the_margins(fonts, size):
    short = render_message(WELCOME, size, fonts)
    long = render_message(Message(vi=LONG_VI, en=LONG_VI, zh=LONG_ZH), size, fonts)
    assert long.fits
    assert long.sizes["vi"] < short.sizes["vi"]
    assert inner_box(size).contains(ink(long.surface))
    assert inner_box(size).contains(ink(short.surface))


def test_text_that_cannot_fit_is_clipped_to_the_margins(fonts):
    huge = Message(vi=(LONG_VI + " ") * 2, en=LONG_VI, zh=LONG_ZH)
    block = render_message(huge, (128, 64), fonts)
    assert not block.fits
    assert inner_box((128, 64)).contains(ink(block.surface))


def test_transparent_outside_glyphs_and_true_colour_at_the_edges(fonts):
    amber = (255, 176, 0)
    block = render_message(WELCOME, (384, 192), fonts, color=amber)
    surface = block.surface
    assert surface.get_flags() & pygame.SRCALPHA
    assert surface.get_at((0, 0)).a == 0
    # antialiased edges keep the colour (straight alpha), so they do not darken on a wall
    rect = block.lines[0].rect
    colours = {tuple(surface.get_at((x, y)))[:3]
               for x in range(rect.left, rect.right, 2) for y in range(rect.top, rect.bottom)
               if surface.get_at((x, y)).a > 0}
    assert colours == {amber}


def test_repeated_calls_give_fresh_equal_surfaces(fonts):
    a = render_message(WELCOME, (768, 384), fonts)
    b = render_message(WELCOME, (768, 384), fonts)
    assert a.surface is not b.surface and pixels(a.surface) == pixels(b.surface)
    a.surface.fill((1, 2, 3, 255))
    assert pixels(render_message(WELCOME, (768, 384), fonts).surface) == pixels(b.surface)


# --- styles -----------------------------------------------------------------------------


def on_grey(block, grey=(128, 128, 128)) -> pygame.Surface:
    frame = pygame.Surface(block.surface.get_size())
    frame.fill(grey)
    frame.blit(block.surface, (0, 0))
    return frame


def test_style_colour_is_drawn(fonts):
    block = render_message(WELCOME, (384, 192), fonts, style=TextStyle(color="#ffb000"))
    lit = {tuple(block.surface.get_at((x, y)))[:3]
           for line in block.lines for x in range(line.rect.left, line.rect.right)
           for y in range(line.rect.top, line.rect.bottom) if block.surface.get_at((x, y)).a}
    assert lit == {(255, 176, 0)}


def test_an_outline_rings_every_glyph_in_black_and_nothing_else_changes(fonts):
    plain = render_message(WELCOME, (384, 192), fonts)
    ringed = render_message(WELCOME, (384, 192), fonts, style=TextStyle(outline=2))
    assert ringed.lines == plain.lines  # the layout does not move
    frame = on_grey(ringed)
    text_mask = pygame.mask.from_surface(plain.surface, 0)
    ring = pygame.mask.from_surface(ringed.surface, 0)
    ring.erase(text_mask, (0, 0))
    assert ring.count() > text_mask.count() // 2
    for x, y in ring.outline()[::7]:  # the ring is opaque black on the panel
        assert tuple(frame.get_at((x, y)))[:3] == (0, 0, 0)
    # the ring reaches 2 px from the ink and no further
    grown = text_mask.convolve(pygame.mask.Mask((7, 7), fill=True))  # 3 px in every direction
    ring.erase(grown, (-3, -3))
    assert ring.count() == 0


def test_a_plate_darkens_a_padded_box_behind_each_language(fonts):
    block = render_message(WELCOME, (768, 384), fonts, style=TextStyle(plate=True))
    frame = on_grey(block, (230, 230, 230))
    for lang in ("vi", "en", "zh"):
        lines = block.lines_for(lang)
        box = lines[0].rect.unionall([line.rect for line in lines])
        corner = (box.left - 2, box.top - 2)  # inside the padding, outside the ink
        assert max(tuple(frame.get_at(corner))[:3]) < 40, lang
    assert tuple(frame.get_at((0, 0)))[:3] == (230, 230, 230)  # the plate has edges


def test_fit_message_reports_what_render_message_draws(fonts):
    for size in BOXES:
        fit = fit_message(WELCOME, size, fonts)
        block = render_message(WELCOME, size, fonts)
        assert (fit.lines, fit.sizes, fit.fits) == (block.lines, block.sizes, block.fits)


def test_a_symbol_the_latin_face_lacks_is_drawn_from_a_fallback_face(fonts):
    with_plane = Message(vi="Khởi hành ✈", en="Departures ✈", zh="出发 ✈")
    assert all(fonts.missing(lang, "✈") == [] for lang in ("vi", "en", "zh"))
    block = render_message(with_plane, (768, 384), fonts)
    (en,) = block.lines_for("en")
    plane = fonts.glyph("en", en.size, "✈")
    assert plane.face in fonts.fallbacks
    # the plane sits on the same baseline, no taller than a capital, and is really drawn
    capital = fonts.glyph("en", en.size, "D")
    assert plane.max_y - plane.min_y <= capital.max_y - capital.min_y
    right = pygame.Rect(en.rect.right - plane.max_x - 2, en.rect.top, plane.max_x + 2, en.rect.height)
    lit = ink(block.surface, right.clip(en.rect))
    assert lit is not None
    assert abs(lit.top - (en.baseline - plane.max_y)) <= 1
    assert abs(lit.bottom - (en.baseline - plane.min_y)) <= 1


def test_a_character_nobody_has_is_reported_missing(fonts):
    assert fonts.missing("en", "Welcome 😀") == ["😀"]


def test_a_vietnamese_word_longer_than_the_box_is_broken_not_overflowing(fonts):
    word = "Khuyếnkhíchxuấtnhậpkhẩuhànghóaquacửakhẩu"  # a run-together token, no spaces
    lines = wrap(fonts, "vi", 30, f"Hàng {word} Thanh Thủy", 180)
    assert "".join(lines).replace(" ", "") == f"Hàng{word}ThanhThủy"
    assert len(lines) >= 4
    for line in lines:
        assert fonts.font("vi", 30).get_rect(line).width <= 180
    block = render_message(Message(vi=word, en="Import", zh="进口"), (192, 96), fonts)
    assert inner_box((192, 96)).contains(ink(block.surface))


# --- line breaks for people ------------------------------------------------------------------

COMPOUNDS = "Cán bộ cửa khẩu kiểm tra hộ chiếu và hành lý của hành khách"
PAIRS = [("Cán", "bộ"), ("cửa", "khẩu"), ("kiểm", "tra"), ("hộ", "chiếu"), ("hành", "lý"),
         ("hành", "khách")]


def test_the_lexicon_is_the_recorded_word_list():
    words = vietnamese_compounds()
    assert {"cán bộ", "cửa khẩu", "kiểm tra", "hộ chiếu", "hành khách"} <= words
    assert all(len(word.split()) == 2 for word in words) and len(words) > 20000


@pytest.mark.parametrize("width", range(180, 600, 7))   # "hành khách" is 170 px at size 30
def test_two_syllable_words_are_not_split_across_lines(fonts, width):
    lines = wrap(fonts, "vi", 30, COMPOUNDS, width)
    assert " ".join(lines) == COMPOUNDS
    for first, second in zip(lines, lines[1:]):
        assert (first.split()[-1], second.split()[0]) not in PAIRS, lines


def test_a_compound_wider_than_the_line_breaks_at_its_space_not_inside_a_syllable(fonts):
    assert wrap(fonts, "vi", 40, "khẩu cửa khẩu", 150) == ["khẩu", "cửa", "khẩu"]


def test_times_stay_together_and_a_dash_never_starts_a_line(fonts):
    text = "Giờ làm việc của cửa khẩu: 7:00 – 22:00 hằng ngày (giờ Việt Nam)"
    for width in range(150, 700, 9):
        lines = wrap(fonts, "vi", 30, text, width)
        assert not any(line.startswith("–") for line in lines)
        assert any("7:00 – 22:00" in line for line in lines) or width < 160


def test_no_short_last_line(fonts):
    """Greedy filling would leave "Thủy" alone on a last line; every language's last line
    is at least half as wide as its widest, in boxes of many shapes."""
    message = Message(vi="Chào mừng quý khách đến Cửa khẩu Quốc tế Thanh Thủy",
                      en="Welcome to Thanh Thuy International Border Gate", zh="欢迎来到清水国际口岸")
    assert wrap(fonts, "vi", 40, message.vi, 560)[-1] == "Thủy"
    for width in range(200, 1200, 37):
        for height in (150, 250, 400):
            fit = fit_message(message, (width, height), fonts)
            for lang in ("vi", "en", "zh"):
                widths = [line.rect.width for line in fit.lines if line.lang == lang]
                assert widths[-1] >= 0.5 * max(widths), (width, height, lang)
