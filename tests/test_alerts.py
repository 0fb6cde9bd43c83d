"""Alerts: /metrics passes promtool's checks, the shipped alert rules are valid and behave as
their unit tests say, and every metric a rule reads is one the API really exports."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.test_api import client, clock, settings, store, tech  # noqa: F401
from tests.test_api_metrics import player_status

RULES = REPO / "monitoring" / "signage-alerts.yml"
RULE_TESTS = REPO / "monitoring" / "signage-alerts.test.yml"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool", path=str(Path(sys.executable).parent)) or shutil.which("promtool")
    assert found, "promtool is missing: `make test` installs it (scripts/install-test-tools.sh)"
    return found


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=60, cwd=REPO)


def scrape_text(client, tech, settings, clock) -> str:
    player_status(settings, clock)
    answer = client.get("/metrics", headers=tech)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_metrics_pass_promtool(promtool, client, tech, settings, clock):
    checked = run(promtool, "check", "metrics", stdin=scrape_text(client, tech, settings, clock))
    assert checked.returncode == 0 and checked.stdout.strip() == "", checked.stdout + checked.stderr


def test_the_alert_rules_are_valid(promtool):
    checked = run(promtool, "check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 8 rules found" in checked.stdout


def test_the_alert_rules_fire_when_their_unit_tests_say(promtool):
    tested = run(promtool, "test", "rules", str(RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_rule_has_a_unit_test():
    rules = {r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]}
    tested = {case["alertname"] for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
              for case in test.get("alert_rule_test", [])}
    assert rules == tested


def test_every_metric_a_rule_reads_is_exported(client, tech, settings, clock):
    exported = set(re.findall(r"^# TYPE (\S+)", scrape_text(client, tech, settings, clock), re.M))
    exported |= {f"{name}_total" for name in exported}  # counters are read as ..._total
    read = set(re.findall(r"\bsignage_[a-z_]+", RULES.read_text()))
    assert read - exported == set()
