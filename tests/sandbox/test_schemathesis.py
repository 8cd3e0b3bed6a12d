"""Schemathesis against the served OpenAPI document: no 5xx, and no answer that breaks the
schema (status, content type, headers, body), for generated valid and invalid requests.

Bounded: a few examples per operation and mode, so the run takes seconds. Half of the cases
aim at real orders in every state (a random order id would only ever meet 404).

(Schemathesis' own pytest plugin reads a pytest internal that pytest 9 removed, so the cases
are drawn from its Hypothesis strategies directly.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.server import RunningSandbox, SandboxOptions, start_sandbox

from .conftest import DEMO, STATES, Api, walk

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
COMMITTED = Path(__file__).resolve().parents[2] / "resources" / "openapi.json"
OPERATIONS = [
    (path, method)
    for path, item in json.loads(COMMITTED.read_text(encoding="utf-8"))["paths"].items()
    for method in item
]


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[RunningSandbox]:
    """A sandbox of this module's own: the fuzzer changes orders at random."""
    with start_sandbox(SandboxOptions(orders=20, seed=13)) as running:
        yield running


@pytest.fixture(scope="module")
def targets(fuzzed: RunningSandbox) -> dict[str, Any]:
    """A signed-in merchant and orders of every state to aim at."""
    with Api(fuzzed.url, *DEMO) as api, SandboxControl(fuzzed.url) as control:
        orders = [walk(api, control, state)["id"] for state in STATES for _ in range(2)]
        return {"token": api.tokens["access_token"], "orders": orders}


@pytest.fixture(scope="module")
def api_schema(fuzzed: RunningSandbox) -> Any:
    return schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"]
)
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_sandbox_keeps_its_schema(
    api_schema: Any, targets: dict[str, Any], path: str, method: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {targets['token']}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        if "order_id" in (case.path_parameters or {}):
            digest = hashlib.sha256(repr(case.path_parameters).encode()).digest()
            if digest[0] % 2 == 0:
                orders = targets["orders"]
                case.path_parameters["order_id"] = orders[digest[1] % len(orders)]
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

    check()
