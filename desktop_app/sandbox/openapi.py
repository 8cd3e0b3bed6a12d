"""The OpenAPI 3.1 document, stated explicitly.

Handlers parse their own input (so that the contract's order of refusals holds: a request
without a token is 401 before its body is looked at), so the parameters, bodies and answers
of each operation are declared here and the component schemas come from ``schemas.py``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from desktop_app import __version__
from desktop_app.sandbox.problems import PROBLEM_MEDIA_TYPE
from desktop_app.sandbox.schemas import (
    ApproveRequestBody,
    ConfirmDeliveryBody,
    DisputeRefundBody,
    Message,
    MessagePage,
    Order,
    OrderPage,
    Problem,
    RefuseDeliveryBody,
    RejectExtensionBody,
    SendMessageBody,
    TokenResponse,
)

REF = "#/components/schemas/{model}"
COMPONENTS: tuple[type[BaseModel], ...] = (
    Order, OrderPage, Message, MessagePage, TokenResponse, Problem, ConfirmDeliveryBody,
    RefuseDeliveryBody, ApproveRequestBody, RejectExtensionBody, DisputeRefundBody,
    SendMessageBody,
)
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]

DESCRIPTIONS = {
    400: "Bad request (see `code`)",
    401: "No, expired, revoked or unknown access token",
    404: "No such order for this merchant",
    409: "Conflict: `invalid-transition`, `request-not-pending` or `idempotency-key-in-use`",
    410: "`cursor-expired`: resync from the start",
    412: "`version-mismatch`: the current order is under `current`",
    422: "`validation-failed` (fields under `errors`) or `idempotency-key-reused`",
    428: "`precondition-required`: send If-Match",
    429: "`rate-limited`: retry after Retry-After seconds",
    503: "`unavailable`: overload or maintenance; retry after Retry-After seconds",
}
RETRY_AFTER = {"Retry-After": {"description": "seconds", "schema": {"type": "integer"},
                               "required": True}}


def ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def problem(status: int) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": ref(Problem)}},
    }
    if status in (429, 503):
        answer["headers"] = RETRY_AFTER
    if status == 401:
        answer["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return answer


def answers(
    status: int,
    model: type[BaseModel] | None,
    *problems: int,
    headers: dict[str, Any] | None = None,
    description: str = "OK",
) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of an operation: its success and the problems it may answer."""
    ok: dict[str, Any] = {"description": description}
    if model is not None:
        ok["content"] = {"application/json": {"schema": ref(model)}}
    if headers:
        ok["headers"] = headers
    result: dict[int | str, dict[str, Any]] = {status: ok}
    for code in sorted({*problems, 429, 503}):
        result[code] = problem(code)
    return result


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def header(name: str, schema: dict[str, Any], description: str,
           required: bool = True) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": required, "schema": schema,
            "description": description}


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": ref(model)}}}


IDEMPOTENCY_KEY = header(
    "Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": 255},
    "Client-generated unique key. The answer of a write that took effect is replayed (with "
    "Idempotent-Replayed: true) for the same key and body; another body under that key is 422 "
    "idempotency-key-reused; a refused write stores nothing.",
)
IF_MATCH = header("If-Match", {"type": "string"}, 'The order version acted on: "<version>"')
WRITE_HEADERS = {
    "Idempotent-Replayed": {"description": "`true` on a replayed answer",
                            "schema": {"type": "string"}},
}


def build(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title="Platform API (OrderDesk sandbox)",
        version=__version__,
        openapi_version="3.1.0",
        description=(
            "The platform API that OrderDesk is a client of, as implemented by the sandbox. "
            "The prose contract is `platform-api.md`; this is its machine-readable form. "
            "Every error is RFC 9457 problem details with a stable `code`."
        ),
        routes=app.routes,
    )
    _, top = models_json_schema(
        [(model, "validation") for model in COMPONENTS], ref_template=REF
    )
    components = document.setdefault("components", {})
    components.setdefault("schemas", {}).update(top.get("$defs", {}))
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer"},
    }
    return document


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
