"""The sandbox's storage (SQLAlchemy 2): one world, its merchants, orders, messages and books.

An order is stored as its JSON document (``doc``, the wire shape without the computed fields)
beside the few columns the platform queries by: the owner, the change sequence that orders the
feed, and the next deadline. Times in columns are whole seconds since the epoch.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class WorldRow(Base):
    """The single row describing the current world (one per reset)."""

    __tablename__ = "world"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[str] = mapped_column(String(32))
    secret: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(Integer)
    orders_per_merchant: Mapped[int] = mapped_column(Integer)
    clock_offset_s: Mapped[float] = mapped_column(Float, default=0.0)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class MerchantRow(Base):
    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    settlement_currency: Mapped[str] = mapped_column(String(3))


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_feed", "merchant_id", "change_seq"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    status: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    change_seq: Mapped[int] = mapped_column(Integer)
    extension_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    next_deadline_at: Mapped[int | None] = mapped_column(Integer, index=True)
    updated_at: Mapped[int] = mapped_column(Integer)
    unread_messages: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[int | None] = mapped_column(Integer)
    doc: Mapped[str] = mapped_column(Text)


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread", "order_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    author: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[int] = mapped_column(Integer)
    attachments: Mapped[str] = mapped_column(Text, default="[]")


class TokenRow(Base):
    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "access" | "refresh"
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    expires_at: Mapped[float] = mapped_column(Float)  # wall time
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class IdempotencyRow(Base):
    """The first answer given to a merchant's write, replayed for the same key and body."""

    __tablename__ = "idempotency_keys"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[float] = mapped_column(Float)  # wall time


class LedgerRow(Base):
    """Every merchant write through /v1 that took effect, once."""

    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    order_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[int] = mapped_column(Integer)
    order_status: Mapped[str] = mapped_column(String(32))
    order_version: Mapped[int] = mapped_column(Integer)
    applied_at: Mapped[int] = mapped_column(Integer)
