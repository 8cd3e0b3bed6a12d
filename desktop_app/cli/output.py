"""How the CLI prints: aligned text for people, JSON (--json) for scripts."""

from __future__ import annotations

import json
import sys
from dataclasses import fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from desktop_app.domain import Money, format_rfc3339

__all__ = ["emit_json", "error", "table", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_wire()
    if isinstance(value, datetime):
        return format_rfc3339(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    return value


def emit_json(value: Any) -> None:
    json.dump(to_jsonable(value), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def error(message: str) -> None:
    print(f"orderdesk: {message}", file=sys.stderr)


def _plain(text: str) -> str:
    """Buyer-written text on one line, without control characters (no terminal escapes)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def table(headers: list[str], rows: list[list[str]]) -> None:
    cells = [[_plain(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
