"""The server's tests: an app on the test's metastore, tokens of each kind, a live server.

``live_server`` runs the app in Uvicorn on a free port of this machine (in a thread of the
test's process, so it shares the test's metastore settings), for the tests that speak HTTP
as a remote client does.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from assay.orm.base import utcnow
from assay.server.app import create_app
from assay.server.settings import ServerSettings
from assay.server.tables import ROLES, ApiToken
from assay.server.tokens import create_token, revoke_token
from assay.store import transaction


def bearer(token: str) -> dict[str, str]:
    """The header that carries a token."""
    return {"Authorization": f"Bearer {token}"}


@functools.cache
def shared_app(max_upload_bytes: int = 1 << 20) -> FastAPI:
    """One app per upload limit for all tests: it keeps no state of a metastore (each call
    reads the current one), and building it (its OpenAPI schema above all) takes a second."""
    return create_app(ServerSettings(max_upload_bytes=max_upload_bytes))


@pytest.fixture
def client() -> Iterator[TestClient]:
    """The app on the test's metastore, called in process."""
    with TestClient(shared_app()) as test_client:
        yield test_client


@pytest.fixture
def tokens() -> dict[str, str]:
    """A token per role in ``default``, an admin of ``other``, an expired and a revoked one."""
    made = {role: create_token(role, "default", role).secret for role in ROLES}
    made["other"] = create_token("olga", "other", "admin").secret
    expired = create_token("eve", "default", "admin", expires=timedelta(minutes=1))
    with transaction() as db:
        db.execute(
            update(ApiToken)
            .where(ApiToken.id == expired.row.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    made["expired"] = expired.secret
    revoked = create_token("rob", "default", "admin")
    revoke_token(revoked.row.id)
    made["revoked"] = revoked.secret
    return made


def free_port() -> int:
    """A TCP port of localhost that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server() -> Iterator[str]:
    """The URL of a real Uvicorn server of the app, on the test's metastore."""
    import uvicorn

    config = uvicorn.Config(shared_app(), host="127.0.0.1", port=free_port(), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(timeout=10)
