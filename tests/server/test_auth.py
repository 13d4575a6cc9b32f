"""Every API route, called without a token, with a bad one, a role short of its permission,
and a token of another context: 401, 401, 403, 404, walked over the OpenAPI schema."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assay.server.app import api_operations
from assay.server.auth import API, ROLE_PERMISSIONS, ROUTE_PERMISSIONS, authenticate
from assay.server.tables import ROLES
from tests.server.conftest import bearer, shared_app
from tests.server.experiments import Experiment, make_experiment


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    """The status of one call, with a body where the route takes one."""
    options: dict = {"headers": headers}
    if path.endswith("/formats/pkl") and method in ("POST", "PUT"):
        options["files"] = {"file": ("model.pkl", b"\x80\x04K\x01.")}
    elif method in ("POST", "PATCH"):
        options["json"] = {}
    if path.endswith("/records"):
        options["params"] = {"true": "setosa", "predicted": "setosa"}
    return client.request(method, path, **options).status_code


def filled(path: str, made: Experiment, token_id: int) -> str:
    """A route's path with ids of rows that exist in the context ``default``."""
    return path.format(
        dataset_id=made.dataset_id,
        queue_id=made.queue_id,
        run_id=made.run_id,
        prediction_id=made.prediction_id,
        model_id=made.model_id,
        number=1,
        format_id="pkl",
        split="test",
        name="iris",
        token_id=token_id,
    )


def test_every_api_route_is_in_the_permission_table_and_no_other():
    listed = {(method, API + path) for method, path in ROUTE_PERMISSIONS}
    assert set(api_operations(shared_app())) == listed


def test_the_table_names_only_permissions_that_roles_grant():
    assert set(ROUTE_PERMISSIONS.values()) - {None} == ROLE_PERMISSIONS["admin"]


def test_roles_grant_what_the_issue_says():
    assert ROLE_PERMISSIONS["viewer"] == {"model:view", "run:view", "data:view"}
    assert ROLE_PERMISSIONS["editor"] == ROLE_PERMISSIONS["viewer"] | {"model:edit"}
    assert ROLE_PERMISSIONS["publisher"] == ROLE_PERMISSIONS["editor"] | {"model:publish"}
    assert ROLE_PERMISSIONS["admin"] == ROLE_PERMISSIONS["publisher"] | {
        "model:delete",
        "token:admin",
    }


def test_the_auth_matrix_over_every_route_of_the_schema(client, tokens):
    made = make_experiment()
    token_id = authenticate(tokens["viewer"]).token_id
    operations = api_operations(client.app)
    assert len(operations) == len(ROUTE_PERMISSIONS)
    refused = {"": 401, "assay_not-a-token": 401, tokens["expired"]: 401, tokens["revoked"]: 401}
    for method, template in operations:
        path = filled(template, made, token_id)
        for token, status in refused.items():
            headers = bearer(token) if token else {}
            assert call(client, method, path, headers) == status, (method, template, token)
        needed = ROUTE_PERMISSIONS[(method, template.removeprefix(API))]
        for role in ROLES:
            if needed is not None and needed not in ROLE_PERMISSIONS[role]:
                got = call(client, method, path, bearer(tokens[role]))
                assert got == 403, (method, template, role)
        if "{" in template:  # a row of the context 'default': not found from 'other'
            got = call(client, method, path, bearer(tokens["other"]))
            assert got == 404, (method, template)
    # nothing was changed by any refused call
    assert client.get(f"{API}/models/{made.model_id}", headers=bearer(tokens["viewer"])).json()[
        "version_numbers"
    ] == [1]


def test_lists_of_another_context_hold_none_of_default(client, tokens):
    make_experiment()
    other = bearer(tokens["other"])
    for path in ("datasets", "queues", "runs", "predictions", "models"):
        page = client.get(f"{API}/{path}", headers=other).json()
        assert (page["items"], page["total"]) == ([], 0), path
    listed = client.get(f"{API}/tokens", headers=other).json()
    assert {token["context"] for token in listed} == {"other"}
    mine = bearer(tokens["viewer"])
    assert client.get(f"{API}/runs", headers=mine).json()["total"] == 1


def test_a_missing_model_and_one_of_another_context_answer_alike(client, tokens):
    made = make_experiment()
    other = bearer(tokens["other"])
    theirs = client.get(f"{API}/models/{made.model_id}", headers=other)
    missing = client.get(f"{API}/models/{made.model_id + 100}", headers=other)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"].replace(str(made.model_id), "N") == missing.json()[
        "detail"
    ].replace(str(made.model_id + 100), "N")


def test_a_401_says_how_to_authenticate(client):
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_me_shows_the_token_user_context_and_permissions(client, tokens, role):
    me = client.get(f"{API}/me", headers=bearer(tokens[role])).json()
    assert me == {
        "user": role,
        "context": "default",
        "role": role,
        "permissions": sorted(ROLE_PERMISSIONS[role]),
    }
