"""The OpenAPI document: the committed copy is the served one, and what the sandbox answers
fits the models the document is made from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from desktop_app.sandbox.schemas import Message, Order, OrderPage, Problem
from desktop_app.sandbox.server import RunningSandbox

from .conftest import Api, problem

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "resources" / "openapi.json"
REGENERATE = "python -m desktop_app.sandbox --dump-openapi resources/openapi.json"


def test_the_committed_document_is_the_served_one(sandbox: RunningSandbox) -> None:
    served = httpx.get(f"{sandbox.url}/openapi.json").json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, f"out of date: run `{REGENERATE}`"


def test_the_dump_flag_writes_the_committed_document() -> None:
    dumped = subprocess.run(
        [sys.executable, "-m", "desktop_app.sandbox", "--dump-openapi", "-"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert dumped == COMMITTED.read_text(encoding="utf-8")


def test_the_document_declares_the_contract() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")
    operations = {
        (path, method): op
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert len(operations) == 11  # token, feed, order, messages, the seven writes
    for (path, method), op in operations.items():
        statuses = set(op["responses"])
        assert {"429", "503"} <= statuses, path
        for status, answer in op["responses"].items():
            if status.startswith(("4", "5")):
                assert list(answer["content"]) == ["application/problem+json"], (path, status)
        if path != "/v1/auth/token":
            assert op["security"] == [{"bearerAuth": []}]
            assert "401" in statuses
        if method == "post" and path != "/v1/auth/token":
            names = {p["name"] for p in op["parameters"]}
            assert "Idempotency-Key" in names
            assert ("If-Match" in names) == (not path.endswith("/messages"))
    assert not any(path.startswith("/_sandbox") for path, _ in operations)


def test_answers_fit_the_models(demo: Api) -> None:
    page = demo.get("/v1/orders", limit=500).json()
    OrderPage.model_validate(page)
    for order in page["orders"]:
        assert Order.model_validate(order).model_dump(mode="json") == order
    some = page["orders"][0]["id"]
    for message in demo.get(f"/v1/orders/{some}/messages").json()["messages"]:
        Message.model_validate(message)
    Problem.model_validate(problem(demo.get("/v1/orders/ord_missing"), 404, "not-found"))


def test_the_frameworks_own_errors_are_problems_too(sandbox: RunningSandbox) -> None:
    problem(httpx.get(f"{sandbox.url}/no/such/path"), 404, "not-found")
    wrong_method = httpx.delete(f"{sandbox.url}/v1/orders")
    problem(wrong_method, 405, "method-not-allowed")
    assert wrong_method.headers["Allow"] == "GET"
    problem(httpx.put(f"{sandbox.url}/v1/orders/x/confirm-delivery"), 405, "method-not-allowed")
