"""The sandbox's world: its database, platform clock, change sequence and the lock around them.

One :class:`World` per running sandbox, handed to the app (no module globals). Every unit of
work runs in :meth:`World.transaction`, under one lock: SQLite has one writer anyway, and
allocating the feed's change sequence inside the same critical section as the commit is what
makes the changes feed miss nothing (a reader never sees sequence *n+1* before *n*).
"""

from __future__ import annotations

import gc
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from desktop_app.sandbox import orders_repo
from desktop_app.sandbox.auth import hash_password
from desktop_app.sandbox.clock import PlatformClock
from desktop_app.sandbox.faults import Faults
from desktop_app.sandbox.models import (
    Base,
    IdempotencyRow,
    LedgerRow,
    MerchantRow,
    MessageRow,
    OrderRow,
    TokenRow,
    WorldRow,
)
from desktop_app.sandbox.seed import OrderFactory


@dataclass(frozen=True)
class MerchantSpec:
    username: str
    password: str
    name: str
    settlement_currency: str


MERCHANTS = (
    MerchantSpec("demo", "demo-password", "Demo Studio", "USD"),
    MerchantSpec("rival", "rival-password", "Rival Works", "EUR"),
)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Seeding makes millions of short-lived objects and no cycles worth finding; the cyclic
    collector would spend a quarter of the time walking the (large) heap in vain."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def make_engine(db_path: Path | None) -> Engine:
    """One shared connection (the world lock serialises its use), in memory or in a file."""
    url = "sqlite+pysqlite://" if db_path is None else f"sqlite+pysqlite:///{db_path}"
    engine = create_engine(
        url, poolclass=StaticPool, connect_args={"check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if db_path is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


class World:
    def __init__(self, engine: Engine, *, token_ttl: int = 3600) -> None:
        self.engine = engine
        self.token_ttl = token_ttl
        self.lock = threading.RLock()
        self.clock = PlatformClock()
        self.faults = Faults()
        self.in_flight: set[tuple[int, str]] = set()
        self.epoch = ""
        self.secret = b""
        self.seed = 0
        self._seq = 0
        Base.metadata.create_all(engine)

    # --- lifecycle ------------------------------------------------------------------------

    def open(self, seed: int, orders: int) -> None:
        """Reuse the world already in the database (a restart), or seed a fresh one."""
        with self.transaction() as session:
            row = session.get(WorldRow, 1)
            if row is not None:
                self._adopt(session, row)
                return
        self.reset(seed, orders)

    def reset(self, seed: int, orders: int) -> None:
        """A fresh world: both merchants with ``orders`` each; clock, ledger and tokens reset."""
        with self.lock:
            self.faults.reset()
            self.in_flight.clear()
            self.clock.reset()
            with self.transaction() as session:
                old = session.get(WorldRow, 1)
                secret = old.secret if old is not None else secrets.token_hex(32)
                for table in (LedgerRow, IdempotencyRow, TokenRow, MessageRow, OrderRow,
                              MerchantRow, WorldRow):
                    session.execute(delete(table))
                session.expunge_all()
                row = WorldRow(
                    id=1,
                    epoch=secrets.token_hex(8),
                    secret=secret,
                    seed=seed,
                    orders_per_merchant=orders,
                    clock_offset_s=0.0,
                    next_number=1,
                )
                session.add(row)
                for spec in MERCHANTS:
                    session.add(MerchantRow(
                        public_id=f"mer_{spec.username}",
                        username=spec.username,
                        password_hash=hash_password(spec.password, secrets.token_hex(8)),
                        name=spec.name,
                        settlement_currency=spec.settlement_currency,
                    ))
                session.flush()
                self._adopt(session, row)
                now = self.clock.now()
                with _no_cyclic_gc():
                    for merchant in session.scalars(select(MerchantRow).order_by(MerchantRow.id)):
                        factory = self.factory(merchant)
                        made = (factory.make(i, now) for i in range(orders))
                        orders_repo.insert_orders(session, self, merchant.id, made)
                    orders_repo.order_feed_by_last_change(session, self)

    def close(self) -> None:
        self.engine.dispose()

    def _adopt(self, session: Session, row: WorldRow) -> None:
        self.epoch = row.epoch
        self.seed = row.seed
        self.secret = row.secret.encode()
        self.clock.reset(row.clock_offset_s)
        self._seq = session.scalar(select(func.max(OrderRow.change_seq))) or 0

    # --- units of work --------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with (
            self.lock,
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    def next_seq(self) -> int:
        """The next position in the changes feed. Call inside :meth:`transaction`."""
        self._seq += 1
        return self._seq

    def rewind_seq(self, value: int) -> None:
        self._seq = value

    def advance_clock(self, session: Session, seconds: float) -> None:
        self.clock.advance(seconds)
        row = session.get(WorldRow, 1)
        assert row is not None
        row.clock_offset_s = self.clock.offset_s

    def factory(self, merchant: MerchantRow) -> OrderFactory:
        return OrderFactory(self.seed, merchant.id, merchant.settlement_currency)

    def take_numbers(self, session: Session, count: int) -> int:
        """Reserve ``count`` order numbers; returns the first."""
        row = session.get(WorldRow, 1)
        assert row is not None
        first = row.next_number
        row.next_number = first + count
        return first
