"""schemathesis against the OpenAPI schema with a valid admin token: no 5xx anywhere.

Every operation of the schema gets a few generated requests (derandomized, so CI sees the
same ones each run) on a metastore holding a small experiment and a registered model; the
answers may refuse (4xx) but never fail (5xx), and a 2xx body must match its schema.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from assay.server.auth import API
from assay.server.tokens import create_token
from tests.server.conftest import bearer, shared_app
from tests.server.experiments import make_experiment

EXAMPLES = 2


def test_no_operation_answers_with_a_server_error():
    make_experiment()
    app = shared_app(1 << 16)
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        fuzz(operation)


def fuzz(operation) -> None:
    """A few generated calls of one operation, each answered without a server error."""
    # a fresh token per operation: revoking one (DELETE /tokens/{id}) spoils no other
    headers = bearer(create_token("fuzz", "default", "admin").secret)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_without_failing(case):
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )

    answers_without_failing()
