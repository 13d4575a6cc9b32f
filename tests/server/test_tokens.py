"""Tokens: made once and shown once, kept as a hash, listed, revoked, expired; and the
``assay token`` and ``assay server`` commands."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from assay.cli import app
from assay.errors import InvalidArgument, NotAuthenticated, NotFound
from assay.server.tokens import create_token, list_tokens, parse_lifetime, revoke_token, verify
from assay.store import engine
from tests.server.conftest import free_port

runner = CliRunner()


def test_a_token_is_kept_only_as_its_hash():
    issued = create_token("ann", "team", "editor", expires="30d")
    assert issued.secret.startswith("assay_") and len(issued.secret) > 40
    with engine().connect() as connection:
        stored = connection.execute(text("SELECT * FROM apitoken")).one()._asdict()
    assert issued.secret not in map(str, stored.values())
    assert stored["token_hash"] == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret.startswith(stored["prefix"])
    row = verify(issued.secret)
    assert (row.user, row.context, row.role) == ("ann", "team", "editor")
    assert row.last_used_at is not None
    assert timedelta(days=29) < row.expires_at - row.time_created <= timedelta(days=30)


def test_revoked_expired_and_unknown_tokens_are_refused():
    revoked = create_token("ann")
    revoke_token(revoked.row.prefix)
    with pytest.raises(NotAuthenticated, match="was revoked"):
        verify(revoked.secret)
    short = create_token("bob", expires=timedelta(microseconds=1))
    with pytest.raises(NotAuthenticated, match="expired"):
        verify(short.secret)
    with pytest.raises(NotAuthenticated, match="unknown"):
        verify("assay_" + "x" * 43)
    with pytest.raises(NotFound, match="does not exist"):
        revoke_token(999)
    with pytest.raises(NotFound):
        revoke_token(revoked.row.id, context="other")


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"user": "a", "role": "owner"}, "role must be one of viewer, editor, publisher, admin"),
        ({"user": "a", "expires": "soon"}, "expires must be a number and a unit"),
        ({"user": "a", "expires": "0d"}, "expires must be a positive lifetime"),
        ({"user": " a"}, "user must be a non-empty str"),
        ({"user": "a", "context": "a/b"}, "context must be a non-empty str"),
    ],
)
def test_bad_arguments_make_no_token(arguments, match):
    with pytest.raises(InvalidArgument, match=match):
        create_token(**arguments)
    assert list_tokens() == []


def test_lifetimes():
    assert parse_lifetime("90m") == timedelta(minutes=90)
    assert parse_lifetime("12h") == timedelta(hours=12)
    assert parse_lifetime("2w") == timedelta(weeks=2)
    assert parse_lifetime(None) is None


def test_the_token_commands():
    made = runner.invoke(app, ["token", "create", "--user", "ann", "--role", "publisher"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[0]
    assert verify(secret).role == "publisher"
    listed = runner.invoke(app, ["token", "list"]).output
    assert secret[:12] in listed and secret not in listed and "publisher" in listed
    assert runner.invoke(app, ["token", "revoke", secret[:12]]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["token", "list"]).output
    refused = runner.invoke(app, ["token", "create", "--user", "ann", "--role", "boss"])
    assert refused.exit_code == 1 and "role must be one of" in refused.output


def test_assay_server_serves_the_current_metastore(tmp_path):
    secret = create_token("ann", role="viewer").secret
    port = free_port()
    root = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, "-m", "assay.cli", "server", "--port", str(port)]
    with subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True) as server:
        try:
            me = None
            deadline = time.monotonic() + 60
            while me is None and time.monotonic() < deadline and server.poll() is None:
                try:
                    me = httpx.get(
                        f"http://127.0.0.1:{port}/api/v1/me",
                        headers={"Authorization": f"Bearer {secret}"},
                    )
                except httpx.TransportError:
                    time.sleep(0.2)
            assert me is not None and me.json()["user"] == "ann", server.stderr
        finally:
            server.terminate()
            server.wait(timeout=10)
