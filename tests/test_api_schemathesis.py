"""schemathesis against the real app on 127.0.0.1: every operation, generated requests,
a credential with a role the operation allows (from its x-roles). No answer may be a
server error, and every answer must match what the OpenAPI document promises.

Bounded (a few dozen examples per operation, derandomized) so it runs in well under a
minute and fails the same way twice.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance, response_schema_conformance, status_code_conformance)

from signage.api import create_app  # noqa: E402
from signage.clock import FakeClock  # noqa: E402
from signage.content.models import Playlist  # noqa: E402
from signage.settings import Settings  # noqa: E402
from signage.store import Store  # noqa: E402
from signage.store.access import ROLES  # noqa: E402
from signage.store.history import MinutePoint, write_history  # noqa: E402
from tests.test_api import START, serve, write_frame, write_status  # noqa: E402

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]


def _settings(root: Path) -> Settings:
    settings = Settings(data_dir=root / "data", runtime_dir=root / "run")
    settings.runtime_dir.mkdir(parents=True, exist_ok=True)
    return settings


def _document() -> dict:
    with tempfile.TemporaryDirectory() as root:  # the document does not depend on settings
        return create_app(_settings(Path(root))).openapi()


schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[tuple[str, requests.Session, dict[str, dict]]]:
    """The app under uvicorn with a player's status, frame and minute history, a playlist,
    and a token per role."""
    settings = _settings(tmp_path_factory.mktemp("schemathesis"))
    clock = FakeClock(start=START)
    store = Store(settings.data_dir, clock)
    write_status(settings, clock)
    write_frame(settings, clock)
    write_history(settings.history_path, [MinutePoint(at=START - dt.timedelta(minutes=1),
                                                      samples=120, fps_mean=30.0)])
    store.content.publish_playlist(Playlist.model_validate({"name": "welcome", "items": [
        {"kind": "message", "text": {"vi": "Chào", "en": "Hello", "zh": "你好"}}]}),
        "tester", activate=True)
    headers = {role: {"Authorization": f"Bearer {store.access.create_token(f'st-{role}', role)}"}
               for role in ROLES}
    session = requests.Session()
    session.trust_env = False  # loopback only; no proxy from the environment
    try:
        with serve(create_app(settings, clock, store)) as url:
            yield url, session, headers
    finally:
        session.close()
        store.close()


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_no_answer_off_the_schema(case, api):
    url, session, headers = api
    roles = case.operation.definition.raw.get("x-roles") or []
    auth = headers[roles[0]] if roles else {}

    response = case.call(base_url=url, session=session, headers=auth, timeout=20)

    case.validate_response(response, checks=CHECKS)
