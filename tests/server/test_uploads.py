"""Uploads: a file over the server's limit gets 413 and writes nothing; a client's file name
keeps no path, NUL or control character; format ids cannot climb out of their route."""

from __future__ import annotations

import os
import pickle

import pytest
from fastapi.testclient import TestClient

from assay.registry import Registry
from assay.registry.storage import registry_dir
from assay.server.auth import API
from assay.server.settings import MULTIPART_SLACK
from assay.server.uploads import safe_filename
from tests.server.conftest import bearer, shared_app

LIMIT = 1000


@pytest.fixture
def small_server() -> TestClient:
    with TestClient(shared_app(LIMIT)) as client:
        yield client


@pytest.fixture
def version_path() -> str:
    model = Registry().create_model("churn")
    model.create_version()
    return f"{API}/models/{model.id}/versions/1/formats"


def stored_files() -> list[str]:
    return sorted(os.listdir(registry_dir()))


@pytest.mark.parametrize("size", [LIMIT + 1, LIMIT + MULTIPART_SLACK + 10])
def test_a_file_over_the_limit_gets_413_and_writes_nothing(
    small_server, tokens, version_path, size
):
    before = stored_files()
    response = small_server.post(
        f"{version_path}/pkl",
        headers=bearer(tokens["editor"]),
        files={"file": ("big.pkl", pickle.dumps(b"x" * size))},
    )
    assert response.status_code == 413
    assert stored_files() == before
    assert Registry().model("churn").version(1).formats == []


def test_a_file_at_the_limit_is_taken(small_server, tokens, version_path):
    data = pickle.dumps(b"x" * (LIMIT - 20))
    data = pickle.dumps(b"x" * (LIMIT - 20 - (len(data) - LIMIT)))
    assert len(data) == LIMIT
    response = small_server.post(
        f"{version_path}/pkl", headers=bearer(tokens["editor"]), files={"file": ("m.pkl", data)}
    )
    assert response.status_code == 201, response.text
    assert response.json()["size"] == LIMIT


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pkl", "passwd.pkl"),
        ("/etc/cron.d/model.pkl", "model.pkl"),
        ("C:\\Users\\ann\\model.pkl", "model.pkl"),
        ("mod\x00el.pkl", "model.pkl"),
        ("line\nbreak.pkl", "linebreak.pkl"),
        ("..", None),
        ("../", None),
        ("", None),
    ],
)
def test_file_names_keep_no_path_and_no_control_characters(given, kept):
    assert safe_filename(given) == kept


@pytest.mark.parametrize("name", ["../../../escape.pkl", "/tmp/abs.pkl", "nul\x00.pkl"])
def test_an_uploaded_file_lands_in_the_store_under_its_sha256_only(
    client, tokens, version_path, tmp_path, name
):
    registry_dir()
    outside = set(os.listdir(tmp_path))
    data = pickle.dumps({"model": name})
    response = client.post(
        f"{version_path}/pkl", headers=bearer(tokens["editor"]), files={"file": (name, data)}
    )
    assert response.status_code == 201, response.text
    kept = response.json()["filename"]
    assert kept is None or ("/" not in kept and "\x00" not in kept and kept != "..")
    assert stored_files() == [response.json()["sha256"]]
    assert set(os.listdir(tmp_path)) == outside  # nothing written beside the metastore
    download = client.get(f"{version_path}/pkl", headers=bearer(tokens["viewer"]))
    assert download.content == data
    assert download.headers["X-Assay-SHA256"] == response.json()["sha256"]
    assert "/" not in download.headers["Content-Disposition"].split("''", 1)[1].replace("%2F", "/")


@pytest.mark.parametrize("format_id", ["..%2F..%2Fpkl", "%2E%2E", "pkl%00"])
def test_format_ids_cannot_name_a_path(client, tokens, version_path, format_id):
    response = client.post(
        f"{version_path}/{format_id}",
        headers=bearer(tokens["editor"]),
        files={"file": ("m.pkl", pickle.dumps(1))},
    )
    assert response.status_code in (400, 404), response.text
    assert stored_files() == []
