"""Messages for staff: every problem's code worded in Vietnamese and English, YAML mistakes
in plain words, items counted from 1, "did you mean", and `signage validate --lang`."""

from pathlib import Path

import pytest

from signage.cli.main import main
from signage.content.documents import DocumentError, load_model
from signage.content.models import EmergencyNotice, Playlist
from signage.content.wording import CATALOGUE, LANGS, language_from_env, placeholders, where

TAB = "name: gate\nitems:\n\t- kind: standby\n"
COLON = ("name: gate\nitems:\n  - kind: message\n    text:\n      vi: Giờ làm việc: 7:00\n"
         "      en: \"Opening hours: 7:00\"\n      zh: \"开放时间：7:00\"\n")
UNCLOSED = "name: gate\nitems:\n  - kind: message\n    text:\n      vi: \"Giờ làm\n      en: x\n"
TYPO = ("name: gate\nitems:\n  - kind: message\n    duraton: 4s\n"
        "    text: {vi: \"Xin chào\", en: \"Hello\", zh: \"你好\"}\n")


def validate(tmp_path: Path, capsys, text: str, *options: str) -> tuple[int, list[str]]:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["validate", "--quiet", *options, str(path)])
    return code, [line.removeprefix(f"{path}:") for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize("lang, expected", [
    ("en", "3: (document): a tab is used to indent at column 1; use spaces, not tabs, to indent"),
    ("vi", "3: (tài liệu): cột 1 thụt lề bằng phím Tab; hãy thụt lề bằng dấu cách, không dùng Tab"),
])
def test_a_tab_says_use_spaces(tmp_path, capsys, lang, expected):
    assert validate(tmp_path, capsys, TAB, "--lang", lang) == (1, [expected])


@pytest.mark.parametrize("lang, words", [
    ("en", "text that contains a colon (:) must be in quotes"),
    ("vi", "văn bản có dấu hai chấm (:) phải đặt trong ngoặc kép"),
])
def test_a_colon_in_text_says_put_it_in_quotes(tmp_path, capsys, lang, words):
    code, lines = validate(tmp_path, capsys, COLON, "--lang", lang)
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("5: ") and words in lines[0]
    assert "mapping values" not in lines[0]


@pytest.mark.parametrize("lang, words", [
    ("en", "5: (document): a quote opened here is never closed"),
    ("vi", "5: (tài liệu): dấu ngoặc kép mở ở đây chưa được đóng"),
])
def test_an_unclosed_quote_points_at_where_it_opens(tmp_path, capsys, lang, words):
    code, lines = validate(tmp_path, capsys, UNCLOSED, "--lang", lang)
    assert code == 1 and lines[0].startswith(words)


def test_the_api_keeps_the_code_and_gives_the_mistake():
    with pytest.raises(DocumentError) as refused:
        load_model(TAB, Playlist)
    problem = refused.value.problems[0].as_dict()
    assert problem["code"] == "yaml_syntax" and problem["params"]["mistake"] == "tab"
    assert problem["line"] == 3 and "use spaces, not tabs" in problem["reason"]


@pytest.mark.parametrize("lang, expected", [
    ("en", "4: item 1 › duraton: is not a known field; did you mean duration?"),
    ("vi", "4: mục 1 › duraton: không phải là trường hợp lệ; có phải ý bạn là duration?"),
])
def test_an_unknown_field_gets_did_you_mean(tmp_path, capsys, lang, expected):
    assert validate(tmp_path, capsys, TYPO, "--lang", lang) == (1, [expected])


@pytest.mark.parametrize("text, path, suggestion", [
    ("name: a\nlayout:\n  - zone: x\n    rect: [0, 0, 1, 1]\n    itms: [{kind: standby}]\n",
     "layout[0].itms", "items"),
    ("name: a\nitems:\n  - kind: message\n    text: {vi: a, en: b, zh: 中, ne: c}\n",
     "items[0].text.ne", "en"),
    ("name: a\nitems:\n  - kind: mesage\n", "items[0]", "message"),
    ("name: a\nitems:\n  - kind: image\n    asset: a.png\n    fitt: cover\n", "items[0].fitt", "fit"),
    ("name: a\ntransition: {kind: cut, duratoin: 1s}\nitems: [{kind: standby}]\n",
     "transition.duratoin", "duration"),
])
def test_did_you_mean_looks_at_the_fields_allowed_there(text, path, suggestion):
    with pytest.raises(DocumentError) as refused:
        load_model(text, Playlist)
    found = {p.path: p for p in refused.value.problems}
    assert found[path].params["suggestion"] == suggestion
    assert f"did you mean {suggestion}?" in found[path].reason


def test_no_suggestion_when_nothing_is_close():
    with pytest.raises(DocumentError) as refused:
        load_model("name: a\nitems:\n  - kind: standby\n    zebra: 1\n", Playlist)
    problem = refused.value.problems[0]
    assert problem.reason == "is not a known field; check its spelling"
    assert "suggestion" not in problem.params


def test_did_you_mean_in_an_emergency_notice():
    with pytest.raises(DocumentError) as refused:
        load_model('{"text": {"vi": "a", "en": "b", "zh": "中"}, "duraton": "2h"}', EmergencyNotice)
    assert {p.params.get("suggestion") for p in refused.value.problems} >= {"duration"}


@pytest.mark.parametrize("path, en, vi", [
    ("items[0].text.zh", "item 1 › text.zh", "mục 1 › text.zh"),
    ("layout[1].items[2].duration", "zone 2 › item 3 › duration", "vùng 2 › mục 3 › duration"),
    ("rules[0].playlist", "rule 1 › playlist", "quy tắc 1 › playlist"),
    ("name", "name", "name"),
    ("(document)", "(document)", "(tài liệu)"),
])
def test_human_text_counts_items_from_one(path, en, vi):
    assert (where(path, "en"), where(path, "vi")) == (en, vi)


def test_the_api_path_stays_zero_based():
    with pytest.raises(DocumentError) as refused:
        load_model("name: a\nitems:\n  - kind: message\n    text: {vi: a, en: b}\n", Playlist)
    assert refused.value.problems[0].as_dict()["path"] == "items[0].text.zh"


@pytest.mark.parametrize("environ, lang", [
    ({"LANG": "vi_VN.UTF-8"}, "vi"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
    ({"LC_ALL": "C.UTF-8", "LANG": "vi_VN.UTF-8"}, "en"),
    ({}, "en"),
])
def test_the_language_comes_from_the_locale(environ, lang):
    assert language_from_env(environ) == lang


def test_validate_speaks_vietnamese_under_a_vietnamese_locale(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    code, lines = validate(tmp_path, capsys, "name: a\nitems:\n  - kind: message\n")
    assert code == 1 and lines == ["3: mục 1 › text: là bắt buộc, hãy điền vào"]
    code, lines = validate(tmp_path, capsys, "name: a\nitems:\n  - kind: message\n", "--lang", "en")
    assert lines == ["3: item 1 › text: is required"]


def test_every_code_is_worded_in_both_languages_with_the_same_parameters():
    for code, texts in CATALOGUE.items():
        assert set(texts) == set(LANGS), code
        assert placeholders(texts["vi"]) == placeholders(texts["en"]), code


BAD_DOCUMENTS = [
    "name: Bad Name\nitems: [{kind: standby}]\n",
    "name: a\nitems: [{kind: message, text: {vi: '', en: b, zh: 中}}]\n",
    "name: a\nitems: [{kind: message, duration: soon, text: {vi: a, en: b, zh: 中}}]\n",
    "name: a\nitems: [{kind: message, duration: 2d, text: {vi: a, en: b, zh: 中}}]\n",
    "name: a\nitems: [{kind: message, duration: 99h, text: {vi: a, en: b, zh: 中}}]\n",
    "name: a\nitems: [{kind: message, style: {color: red}, text: {vi: a, en: b, zh: 關}}]\n",
    "name: a\nitems: [{kind: clock, zones: [Mars/Base]}]\n",
    "name: a\nitems: [{kind: image, asset: /etc/passwd}]\n",
    "name: a\nlayout: [{zone: x, rect: [0, 0, 200%, 1], items: [{kind: standby}]}]\n",
    "name: a\nitems: [{kind: standby}]\nlayout: [{zone: x, rect: [0, 0, 1, 1], items: [{kind: standby}]}]\n",
    "name: a\nitems: [{duration: 3s}]\n",
    "name: a\nitems: [{kind: ticker, speed: 1, text: {vi: a, en: b, zh: 中}}]\n",
]


@pytest.mark.parametrize("text", BAD_DOCUMENTS)
def test_content_problems_have_a_vietnamese_sentence(text):
    with pytest.raises(DocumentError) as refused:
        load_model(text, Playlist)
    for problem in refused.value.problems:
        assert problem.code in CATALOGUE, (problem.code, problem.reason)
        assert problem.say("vi") != problem.reason, problem.code


BAD_SCHEDULES = [
    "default: a\nrules:\n  - {name: x, playlist: a, time: '25:00-26:00'}\n",
    "default: a\nrules:\n  - {name: x, playlist: a, time: '08:00-08:00'}\n",
    "default: a\nrules:\n  - {name: x, playlist: a, time: 'morning'}\n",
    "default: a\nrules:\n  - {name: x, playlist: a, dates: {from: 2027-02-10, to: 2027-02-01}}\n",
    "default: a\nrules:\n  - {name: x, playlist: a, weekdays: [mon, mon]}\n",
    "default: a\nrules:\n  - {name: x, playlist: a, weekdays: [funday]}\n",
    "default: a\nrules:\n  - {name: x, playlist: a, cron: '0 12 * *', for: 5m}\n",
    "default: a\nrules:\n  - {name: x, playlist: a, cron: '0 12 * * *'}\n",
    "default: a\nrules:\n  - {name: x, playlist: a}\n  - {name: x, playlist: a, time: '08:00-09:00'}\n",
    "default: a\nbrightness: {mode: sun, day: 120, night: 20}\n",
    "default: a\nbrightness: {mode: curve}\n",
    "default: a\nbrightness: {mode: sun, day: 20, night: 80}\n",
]


@pytest.mark.parametrize("text", BAD_SCHEDULES)
def test_schedule_problems_have_a_vietnamese_sentence(text):
    from signage.schedule.rules import Schedule

    with pytest.raises(DocumentError) as refused:
        load_model("name: gate\ntimezone: Asia/Ho_Chi_Minh\n" + text, Schedule)
    for problem in refused.value.problems:
        assert problem.code in CATALOGUE, (problem.code, problem.reason)
        assert problem.say("vi") != problem.reason, problem.code


def test_schedule_findings_are_worded_in_vietnamese(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text("name: a\nitems:\n  - kind: standby\n", encoding="utf-8")
    code, lines = validate(tmp_path, capsys, "name: gate\ndefault: a\nrules:\n"
                           "  - {name: x, playlist: ghost, time: '20:00-23:00'}\n"
                           "  - {name: y, playlist: a, time: '22:00-23:30'}\n", "--lang", "vi")
    assert code == 1
    assert lines[0] == ("4: quy tắc 1 › playlist: không có danh sách phát tên 'ghost'; hãy thêm "
                        "trước hoặc sửa tên (hiện có: a)")
    assert lines[1].startswith("5: quy tắc 2: cảnh báo: có thể trùng với quy tắc 'x' cùng mức ưu tiên")


def test_every_code_the_code_raises_has_its_words():
    """A refusal added anywhere (a content check, a service) must reach staff in Vietnamese:
    each code raised in signage/ is in the table. Guards the table against new codes."""
    import re

    raised = set()
    for path in (Path(__file__).resolve().parent.parent / "signage").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        raised |= set(re.findall(
            r'\b(?:Refusal|NotFound|Conflict|Forbidden|Busy|Invalid|PydanticCustomError)\(\s*"([a-z_]+)"',
            text))
        raised |= set(re.findall(r'Invalid\.field\(\s*"[^"]+",\s*"([a-z_]+)"', text))
    assert len(raised) > 40  # the scan found the refusals, so the test can fail
    assert sorted(code for code in raised if code not in CATALOGUE) == []
