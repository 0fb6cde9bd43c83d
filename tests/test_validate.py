"""`signage validate`: FILE:LINE: field.path: reason, one line per problem."""

import subprocess
import sys
from pathlib import Path

import pytest

from signage.cli import main
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
    code = main(["validate", "--quiet", *map(str, paths)])
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
    assert lines == [f"{path}:5: items[0].text.zh: is required"]


def test_every_problem_gets_its_own_line(tmp_path, capsys):
    text = MISSING_ZH + "    duraton: 4s\n    fit: cover\n"
    path = write(tmp_path, "p.yaml", text)
    code, lines = run_validate(capsys, path)
    assert code == 1
    assert lines == [
        f"{path}:5: items[0].text.zh: is required",
        f"{path}:10: items[1].duraton: is not a known field; check its spelling",
        f"{path}:11: items[1].fit: is not a known field; check its spelling",
    ]


def test_yaml_syntax_errors_give_the_line(tmp_path, capsys):
    path = write(tmp_path, "broken.yaml", "name: x\nitems:\n  - kind: message\n    text: {vi: [\n")
    code, lines = run_validate(capsys, path)
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith(f"{path}:") and "YAML syntax" in lines[0]


def test_duplicate_keys_are_refused(tmp_path, capsys):
    path = write(tmp_path, "dup.yaml", "name: a\nname: b\nitems: []\n")
    code, lines = run_validate(capsys, path)
    assert code == 1 and lines == [f"{path}:2: name: appears twice; keep one"]


def test_json_files_are_validated_too(tmp_path, capsys):
    path = write(tmp_path, "p.json", '{"name": "x",\n "items": [{"kind": "message",\n "text": {"vi": "a", "en": "b"}}]}')
    code, lines = run_validate(capsys, path)
    assert code == 1 and lines == [f"{path}:3: items[0].text.zh: is required"]


def test_missing_image_file_is_reported_at_its_line(tmp_path, capsys):
    path = write(tmp_path, "img.yaml", "name: x\nitems:\n  - kind: image\n    asset: assets/none.png\n")
    code, lines = run_validate(capsys, path)
    assert code == 1
    assert lines[0].startswith(f"{path}:4: items[0].asset: file 'assets/none.png' not found")


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

