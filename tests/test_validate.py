"""`signage validate`: FILE:LINE: field.path: reason, one line per problem."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from signage.cli.main import main
from tests.conftest import REPO, SAMPLES

MISSING_ZH = """\
name: welcome
items:
  - kind: message
    duration: 12s
    text:
      vi: "Chào mừng quý khách"
      en: "Welcome"
  - kind: message
    text: {vi: "a", en: "b", zh: "c"}
"""


def run_validate(capsys, *paths):
    code = main(["validate", "--quiet", "--lang", "en", *map(str, paths)])
    return code, capsys.readouterr().out.splitlines()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_playlists_are_valid(capsys):
    code, lines = run_validate(capsys, *sorted(SAMPLES.glob("*.yaml")))
    assert (code, lines) == (0, [])


def test_missing_chinese_names_file_line_and_field(tmp_path, capsys):
    path = write(tmp_path, "welcome.yaml", MISSING_ZH)
    code, lines = run_validate(capsys, path)
    assert code == 1
    assert lines == [f"{path}:5: item 1 › text.zh: is required"]


def test_every_problem_gets_its_own_line(tmp_path, capsys):
    text = MISSING_ZH + "    duraton: 4s\n    fit: cover\n"
    path = write(tmp_path, "p.yaml", text)
    code, lines = run_validate(capsys, path)
    assert code == 1
    assert lines == [
        f"{path}:5: item 1 › text.zh: is required",
        f"{path}:10: item 2 › duraton: is not a known field; did you mean duration?",
        f"{path}:11: item 2 › fit: is not a known field; check its spelling",
    ]


def test_yaml_syntax_errors_give_the_line(tmp_path, capsys):
    path = write(tmp_path, "broken.yaml", "name: x\nitems:\n  - kind: message\n    text: {vi: [\n")
    code, lines = run_validate(capsys, path)
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith(f"{path}:") and "(document)" in lines[0]


def test_duplicate_keys_are_refused(tmp_path, capsys):
    path = write(tmp_path, "dup.yaml", "name: a\nname: b\nitems: []\n")
    code, lines = run_validate(capsys, path)
    assert code == 1 and lines == [f"{path}:2: name: appears twice; keep one"]


def test_json_files_are_validated_too(tmp_path, capsys):
    path = write(tmp_path, "p.json", '{"name": "x",\n "items": [{"kind": "message",\n "text": {"vi": "a", "en": "b"}}]}')
    code, lines = run_validate(capsys, path)
    assert code == 1 and lines == [f"{path}:3: item 1 › text.zh: is required"]


def test_missing_image_file_is_reported_at_its_line(tmp_path, capsys):
    path = write(tmp_path, "img.yaml", "name: x\nitems:\n  - kind: image\n    asset: assets/none.png\n")
    code, lines = run_validate(capsys, path)
    assert code == 1
    assert lines[0].startswith(f"{path}:4: item 1 › asset: file 'assets/none.png' not found")


def test_unreadable_and_non_utf8_files(tmp_path, capsys):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: x\nitems: [{kind: message, text: {vi: 'Chào', en: a, zh: b}}]\n".encode("latin-1"))
    code, lines = run_validate(capsys, latin1, tmp_path / "absent.yaml")
    assert code == 1
    assert "not UTF-8" in lines[0] and "absent.yaml:1: (document): cannot read the file" in lines[1]


def test_good_and_bad_files_together_exit_1(tmp_path, capsys):
    good = SAMPLES / "welcome.yaml"
    bad = write(tmp_path, "bad.yaml", MISSING_ZH)
    code, lines = run_validate(capsys, good, bad)
    assert code == 1 and len(lines) == 1 and lines[0].startswith(str(bad))


@pytest.mark.parametrize("paths, code", [(["playlists/welcome.yaml"], 0), (["nope.yaml"], 1)])
def test_the_installed_command(paths, code):
    result = subprocess.run([sys.executable, "-m", "signage", "validate", *paths], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == code, result.stdout + result.stderr


def test_json_escapes_for_characters_beyond_the_bmp_read_as_one_character(tmp_path, capsys):
    # json.dumps writes 𠮷 as a surrogate pair escape; YAML would split it in two.
    path = write(tmp_path, "p.json", '{"name": "x", "items": [{"kind": "message", "text": '
                 '{"vi": "a", "en": "b", "zh": "\\ud842\\udfb7"}}]}')
    code, lines = run_validate(capsys, path)
    assert (code, lines) == (0, [])



# --- the checks at the door -------------------------------------------------------------

EMOJI = """\
name: smile
items:
  - kind: message
    duration: 12s
    text:
      vi: "Chào mừng quý khách"
      en: "Welcome 😀"
      zh: "欢迎"
"""


def test_the_real_command_refuses_an_emoji_naming_it(tmp_path):
    path = write(tmp_path, "smile.yaml", EMOJI)
    result = subprocess.run([sys.executable, "-m", "signage", "validate", str(path)], cwd=REPO,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SIGNAGE_DRIVER": "emulated://768x384"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"{path}:7: item 1 › text.en: character '😀' (U+1F600) is not in any configured font; "
        "remove it or configure a font that has it"]


def test_warnings_are_printed_and_the_exit_code_stays_0(tmp_path, capsys):
    text = EMOJI.replace("Welcome 😀", "Welcome").replace("12s", "1s")
    path = write(tmp_path, "short.yaml", text)
    code, lines = run_validate(capsys, path)
    assert code == 0
    assert lines == [f"{path}:4: item 1 › duration: warning: 1s is shorter than the 2.1s the "
                     "Vietnamese text needs (4 syllables at 3.5/s plus 1s to find it); make it "
                     "at least 3s or shorten the text"]


def test_the_panel_option_and_the_driver_url_set_the_panel(tmp_path, capsys, monkeypatch):
    sample = SAMPLES / "welcome.yaml"
    code, lines = run_validate(capsys, "--panel", "192x96", sample)
    assert code == 1 and lines and all("192x" in line for line in lines)
    assert any("below the 16 px floor" in line for line in lines)
    monkeypatch.setenv("SIGNAGE_DRIVER", "emulated://192x96")
    assert run_validate(capsys, sample) == (code, lines)


def test_a_bad_panel_option_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["validate", "--panel", "big", "x.yaml"])
    assert "is not WIDTHxHEIGHT" in capsys.readouterr().err


def test_the_floor_comes_from_the_environment(tmp_path, capsys, monkeypatch):
    sample = SAMPLES / "night.yaml"
    assert run_validate(capsys, sample) == (0, [])
    monkeypatch.setenv("SIGNAGE_MIN_CJK_PX", "60")
    code, lines = run_validate(capsys, sample)
    assert code == 1 and "below the 60 px floor (SIGNAGE_MIN_CJK_PX)" in lines[0]


def test_an_impossible_date_is_a_problem_at_its_line_not_a_crash(tmp_path, capsys):
    path = write(tmp_path, "schedule.yaml", "default: welcome\nrules:\n  - name: x\n"
                 "    playlist: welcome\n    dates: {from: 2027-02-31, to: 2027-03-02}\n")
    code, lines = run_validate(capsys, path)
    assert code == 1
    assert lines == [f"{path}:5: (document): '2027-02-31' is not a real date or number; "
                     "correct it, or quote it if it is meant as text"]


def test_schedule_warnings_are_printed_and_do_not_fail(tmp_path, capsys):
    write(tmp_path, "welcome.yaml", "name: welcome\nitems:\n  - kind: standby\n")
    write(tmp_path, "night.yaml", "name: night\nitems:\n  - kind: standby\n")
    path = write(tmp_path, "schedule.yaml", "default: welcome\nrules:\n"
                 "  - {name: a, playlist: night, time: '20:00-23:00'}\n"
                 "  - {name: b, playlist: welcome, time: '22:00-23:30'}\n")
    code, lines = run_validate(capsys, path)
    assert code == 0 and len(lines) == 1
    assert lines[0].startswith(f"{path}:4: rule 2: warning: ") and "overlap" in lines[0]


def test_a_schedule_naming_a_playlist_not_beside_it_is_refused(tmp_path, capsys):
    write(tmp_path, "welcome.yaml", "name: welcome\nitems:\n  - kind: standby\n")
    path = write(tmp_path, "schedule.yaml", "default: welcome\nrules:\n"
                 "  - {name: a, playlist: ghost, time: '20:00-23:00'}\n")
    code, lines = run_validate(capsys, path)
    assert code == 1 and "rule 1 › playlist" in lines[0] and "ghost" in lines[0]


@pytest.mark.parametrize("body, as_json", [(b"\x00", True), (b"\x00", False),
                                          ('{"name": "a\u0085"}'.encode(), True)])
def test_characters_yaml_refuses_are_a_problem_not_a_crash(body, as_json):
    """Found by schemathesis: a NUL body made the API answer 500."""
    from signage.content.documents import DocumentError, parse_document

    try:
        parse_document(body, as_json=as_json)
    except DocumentError as exc:
        assert exc.problems[0].path == "(document)"
