"""The rows of one order query, read from the store a block at a time (no Qt here).

`read_snapshot` reads what a new query (or a refresh) needs before the table may show it: the
first block, and where the orders the operator has selected now stand, and the count when it
is cheap (a status view's counter). A search, and Needs my action, show their first rows
without their count, which can cost more than the rows: the table asks for it next
(`count_orders`) and grows when it comes. It runs off the GUI thread when the table has a
background runner, so a slow query never freezes the window.
`BlockCache` keeps the few blocks around what the view has asked for.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from desktop_app.store.types import OrderQuery, OrderRow, OrderView

__all__ = ["BlockCache", "OrderSource", "Snapshot", "read_snapshot"]


class OrderSource(Protocol):
    """What the table reads (the store's read API)."""

    def count_orders(
        self, query: OrderQuery, now: datetime, cancel: threading.Event | None = None
    ) -> int:
        """`cancel` set: give up soon (raising `CountCancelled`)."""
        ...

    def list_orders(
        self, query: OrderQuery, offset: int, limit: int, now: datetime
    ) -> Sequence[OrderRow]: ...

    def position_of(self, query: OrderQuery, order_id: str, now: datetime) -> int | None: ...

    def read_ahead(
        self, query: OrderQuery, now: datetime, cancel: threading.Event | None = None
    ) -> int | None:
        """Read into the page cache what the next keystroke's search would read; give way
        to any other read, and once `cancel` is set (then None)."""
        ...


class Block:
    __slots__ = ("cells", "rows")

    def __init__(self, rows: Sequence[OrderRow]) -> None:
        self.rows = rows
        # What the table paints each row with (its text, fonts, colours), made lazily.
        self.cells: list[Any] = [None] * len(rows)


@dataclass
class Snapshot:
    """What `query` showed at `now`: its size, blocks read, and where the followed orders are.

    When `count_known` is False, `count` is a lower bound: the rows read so far (every row
    below it exists); the exact count is for a follow-up read."""

    query: OrderQuery
    now: datetime
    count: int
    count_known: bool = True
    blocks: dict[int, Sequence[OrderRow]] = field(default_factory=dict)
    positions: dict[str, int | None] = field(default_factory=dict)


def _count_may_be_slow(query: OrderQuery) -> bool:
    """A search's count reads its matches; Needs my action's counts a time window over an
    index range (a third of the cache, at a million orders: tens of milliseconds). The
    other views' counts are counters."""
    return bool(query.search) or query.view is OrderView.NEEDS_ACTION


def read_snapshot(
    source: OrderSource,
    query: OrderQuery,
    now: datetime,
    block_size: int,
    follow: Iterable[tuple[str, int]] = (),
    *,
    rows_first: bool = True,
) -> Snapshot:
    """Read `query`: the first block, the count (exact, or for a search a lower bound: see
    `Snapshot`), and the new row of each followed order (order id, row it had): looked for at
    its old row first, since most refreshes move nothing, then asked of the store.

    `rows_first=False` reads a search's exact count too (a refresh of the rows shown: the
    table keeps its size and scroll position)."""
    if rows_first and _count_may_be_slow(query):
        first = source.list_orders(query, 0, block_size, now)
        # Fewer rows than a block: that is all of them.
        snapshot = Snapshot(query, now, len(first), len(first) < block_size, {0: first})
    else:
        snapshot = Snapshot(query, now, source.count_orders(query, now))
    count = snapshot.count

    def block(number: int) -> Sequence[OrderRow]:
        if number not in snapshot.blocks:
            snapshot.blocks[number] = source.list_orders(
                query, number * block_size, block_size, now
            )
        return snapshot.blocks[number]

    if count:
        block(0)
    for order_id, old_row in follow:
        if order_id in snapshot.positions:
            continue
        position: int | None = None
        if old_row >= 0 and (old_row < count or not snapshot.count_known):
            rows = block(old_row // block_size)
            offset = old_row % block_size
            if offset < len(rows) and rows[offset].id == order_id:
                position = old_row
        if position is None:
            position = source.position_of(query, order_id, now)
        if position is not None and position >= snapshot.count:
            snapshot.count = position + 1  # still a lower bound: the rows up to it exist
        snapshot.positions[order_id] = position
    return snapshot


class BlockCache:
    """Blocks of rows by number, least recently used dropped first, pinned ones kept."""

    def __init__(self, block_size: int, max_blocks: int) -> None:
        self.block_size = block_size
        self.max_blocks = max_blocks
        self._blocks: OrderedDict[int, Block] = OrderedDict()

    def replace(self, blocks: dict[int, Sequence[OrderRow]]) -> None:
        self._blocks = OrderedDict((number, Block(rows)) for number, rows in blocks.items())

    def get(self, number: int) -> Block | None:
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
        return block

    def put(self, number: int, rows: Sequence[OrderRow], pinned: Iterable[int] = ()) -> Block:
        block = Block(rows)
        self._blocks[number] = block
        if len(self._blocks) > self.max_blocks:
            keep = set(pinned) | {number}
            for old in list(self._blocks):
                if len(self._blocks) <= self.max_blocks:
                    break
                if old not in keep:
                    del self._blocks[old]
        return block

    def cached_id(self, row_number: int) -> str | None:
        block = self._blocks.get(row_number // self.block_size)
        if block is None:
            return None
        offset = row_number % self.block_size
        return block.rows[offset].id if offset < len(block.rows) else None

    def find(self, order_id: str) -> int | None:
        for number, block in self._blocks.items():
            for offset, row in enumerate(block.rows):
                if row.id == order_id:
                    return number * self.block_size + offset
        return None

    def rows_held(self) -> int:
        return sum(len(block.rows) for block in self._blocks.values())
