"""`signage bench --console` end to end at a tiny size, and the Server-Timing header it reads.

No timing thresholds: only that every page was asked for, answered 200 and reported with
its figures, and that the header says the one figure and nothing else.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest

from signage.api import create_app
from signage.api.server import serving_on_loopback
from signage.clock import FakeClock
from signage.devtools import bench, consolebench, seed
from signage.devtools.scenes import BenchError
from signage.settings import Settings
from signage.store import Store

TINY = ["--console", "--revisions", "20", "--assets", "10", "--plays", "500", "--requests", "3"]
TIMING = re.compile(r"^app;dur=\d+\.\d$")


def console_pages() -> int:
    """How many pages the console has (none until it exists)."""
    try:
        from signage.console.pages import PAGES
    except ModuleNotFoundError:
        return 0
    return len(PAGES)


def check_pages(paths: list[str], notes: list[str]) -> None:
    """Every API read is timed, after every console page the bench could ask for (the
    rest are in the notes, saying why)."""
    assert paths[len(paths) - len(consolebench.API_READS):] == list(consolebench.API_READS)
    assert len(paths) + len([n for n in notes if "skipped" in n]) == \
        console_pages() + len(consolebench.API_READS)


def test_the_console_bench_prints_a_row_per_page_with_its_figures(capsys):
    code = bench.main(TINY)
    out, err = capsys.readouterr()
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0].split() == ["page", "role", "requests", "p50_ms", "p95_ms", "max_ms",
                                "cpu_p50_ms", "bytes", "p95<50ms"]
    rows = {line.split()[0]: line.split() for line in lines[1:] if line.strip()
            and not line.startswith(("store:", "timed:", "cpu_p50_ms:", "the console", "note:",
                                     "machine:"))}
    check_pages(list(rows), [line for line in lines if line.startswith("note:")])
    for name, cells in rows.items():
        role, requests, p50, p95, top, cpu, size, verdict = cells[1:]
        assert requests == "3" and int(size) > 0 and verdict in ("yes", "NO"), cells
        assert float(cpu) > 0, cells
        assert 0 < float(p50) <= float(p95) <= float(top), cells
    assert rows["/api/audit"][1] == "admin" and rows["/api/status"][1] == "technician"
    assert "store: 20 revisions (" in out and "10 assets, 500 plays" in out
    assert "seed: 500/500 plays" in err and "bench: /api/revisions: p95 " in err


def test_the_json_document_has_every_page_and_what_was_seeded(capsys):
    code = bench.main([*TINY, "--json"])
    out, _ = capsys.readouterr()
    document = json.loads(out)
    assert code == 0 and document["errors"] == []
    check_pages([row["page"] for row in document["pages"]], document["notes"])
    assert all(row["requests"] == 3 and row["bytes"] > 0 for row in document["pages"])
    assert document["store"]["revisions"] == 20 and document["store"]["plays"] == 500
    assert set(document["store"]["states"]) == {"draft", "submitted", "approved", "rejected"}


def test_too_few_revisions_or_requests_is_an_error_naming_the_option(capsys):
    assert bench.main(["--console", "--revisions", "5"]) == 2
    assert "--revisions: seed at least" in capsys.readouterr().err
    assert bench.main(["--console", "--requests", "0"]) == 2
    assert "--requests must be at least 1" in capsys.readouterr().err


def test_pages_are_asked_for_by_their_least_powerful_role_with_seeded_names():
    seeded = seed.Seeded(playlists=["customs-notices"], pending=[42])
    assert consolebench.concrete_path("/playlists/{name}", seeded) == "/playlists/customs-notices"
    assert consolebench.concrete_path("/approvals/{id:int}", seeded) == "/approvals/42"
    assert consolebench.concrete_path("/people/{person}", seeded) is None
    assert consolebench.role_for(("admin", "approver", "editor")) == "editor"
    assert consolebench.role_for(frozenset({"technician", "admin"})) == "technician"
    assert consolebench.role_for(()) is None
    with pytest.raises(BenchError, match="no seeded person has any of the roles robot"):
        consolebench.role_for(("robot",))


@pytest.fixture
def served(tmp_path):
    settings = Settings(tmp_path / "data", tmp_path / "run")
    store = Store(settings.data_dir, FakeClock())
    try:
        with serving_on_loopback(create_app(settings, store.database.clock, store),
                                 settings) as base:
            with httpx.Client(base_url=base, trust_env=False, timeout=10) as client:
                yield client, store
    finally:
        store.close()


def test_every_answer_says_the_apps_time_and_nothing_else(served):
    client, store = served
    token = store.access.create_token("reader", "technician")
    answers = [client.get("/api/health"), client.get("/api/assets"),  # no player: 503; 401
               client.get("/api/assets", headers={"Authorization": f"Bearer {token}"}),
               client.get("/api/no-such-route")]
    assert [answer.status_code for answer in answers] == [503, 401, 200, 404]
    for answer in answers:
        assert TIMING.match(answer.headers["server-timing"]), answer.headers["server-timing"]
