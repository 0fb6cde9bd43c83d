"""The wall's Chinese is Simplified: Traditional characters are refused at the door, in every
place Chinese is written, with the Simplified text to write instead."""

from __future__ import annotations

import pytest

from signage.content.documents import DocumentError, load_model
from signage.content.models import EmergencyNotice, Playlist
from tests.test_api import YAML, auth, client, clock, settings, store  # noqa: F401

TRADITIONAL = "口岸關閉，這裡不開門"
SIMPLIFIED = "口岸关闭，这里不开门"


def playlist(item: str) -> str:
    return "name: gate\nitems:\n" + item


@pytest.mark.parametrize("text, path", [
    (playlist(f"  - kind: message\n    duration: 12s\n    text: {{vi: Đóng cửa, en: Closed, zh: {TRADITIONAL}}}\n"),
     "items[0].text.zh"),
    (playlist(f"  - kind: ticker\n    text: {{vi: Đóng cửa, en: Closed, zh: {TRADITIONAL}}}\n"),
     "items[0].text.zh"),
    (playlist("  - kind: image\n    asset: gate.png\n    duration: 5s\n"
              f"    caption: {{vi: Cửa khẩu, en: Gate, zh: 清水國際口岸}}\n"),
     "items[0].caption.zh"),
], ids=["message", "ticker", "caption"])
def test_traditional_is_refused_with_the_simplified_suggestion(text, path):
    with pytest.raises(DocumentError) as refused:
        load_model(text, Playlist)
    [problem] = refused.value.problems
    assert problem.path == path and problem.code == "traditional_chinese"
    assert "Simplified" in problem.reason and problem.params["suggestion"] in problem.reason


def test_the_suggestion_is_the_text_in_simplified():
    with pytest.raises(DocumentError) as refused:
        load_model(playlist(f"  - kind: message\n    duration: 12s\n    text: {{vi: a, en: b, zh: {TRADITIONAL}}}\n"),
                   Playlist)
    [problem] = refused.value.problems
    assert problem.params == {"characters": "關 閉 這 裡 開 門", "suggestion": SIMPLIFIED}


def test_simplified_text_and_phrases_opencc_keeps_pass():
    for zh in (SIMPLIFIED, "欢迎来到清水国际口岸", "显著", "乾隆年间", "同文喀斯特高原"):
        load_model(playlist(f"  - kind: message\n    duration: 12s\n    text: {{vi: a, en: b, zh: {zh}}}\n"),
                   Playlist)


def test_an_emergency_notice_in_traditional_is_not_posted(client, auth, store):
    approver = {"Authorization": f"Bearer {store.access.create_token('minh', 'approver')}"}
    body = f"text: {{vi: Đóng cửa khẩu, en: Gate closed, zh: {TRADITIONAL}}}\nduration: 1h\n"
    answer = client.post("/api/emergency", content=body, headers={**YAML, **approver})
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert (problem["path"], problem["code"]) == ("text.zh", "traditional_chinese")
    assert store.desired.emergencies() == []
    with pytest.raises(DocumentError):
        load_model(body, EmergencyNotice)
