"""`signage loadtest`, briefly: a real player, a real API child and real clients on
127.0.0.1 for about 2 s a phase. No timing thresholds: only that both phases were timed
while the wall played and every request was answered."""

from __future__ import annotations

import json
import subprocess
import sys

from signage.devtools.loadtest import format_report, summarize
from tests.conftest import REPO


def test_a_short_run_times_both_phases_and_serves_every_request():
    done = subprocess.run(
        [sys.executable, "-m", "signage", "loadtest", "--seconds", "2", "--warmup", "1",
         "--clients", "8", "--interval", "0.2", "--size", "384x192", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    assert doc["player_state"] == "playing"
    for phase in ("without_load", "with_load"):
        row = doc[phase]
        assert row["frames"] >= 40  # about 2 s at 30 fps
        assert row["max_ms"] >= row["p99_ms"] >= row["median_ms"] > 0
    assert doc["errors"] == 0 and doc["first_errors"] == []
    assert doc["served"]["/api/status"] > 8 and doc["served"]["/api/screen.png"] > 8
    assert isinstance(doc["p99_increase"], float)
    report = format_report(doc)
    assert "p99 increase:" in report and "requests served:" in report


def test_p99_is_computed_as_the_status_document_does():
    row = summarize([float(n) for n in range(1, 201)], dropped=2)
    assert (row["frames"], row["median_ms"], row["p99_ms"], row["max_ms"], row["dropped"]) == (
        200, 100.5, 198.0, 200.0, 2)
