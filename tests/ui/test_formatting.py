"""Money, moments and countdowns as the operator reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from desktop_app.domain import Actor, Money
from desktop_app.ui.formatting import Formatter, countdown, locale_or_default

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "money", "text"),
    [
        ("en_US", Money.parse("15800", "JPY"), "¥15,800"),
        ("en_US", Money.parse("42.125", "KWD"), "KWD42.125"),
        ("en_US", Money.parse("0.100", "KWD"), "KWD0.100"),
        ("en_US", Money.parse("1234.50", "EUR"), "€1,234.50"),
        ("de_DE", Money.parse("1234.50", "EUR"), "1.234,50\xa0€"),
        ("de_DE", Money.parse("42.125", "KWD"), "42,125\xa0KWD"),
        ("fr_FR", Money.parse("15800", "JPY"), "15\u202f800\xa0JPY"),
        ("en_US", Money.parse("-3.20", "USD"), "-$3.20"),
    ],
)
def test_money_uses_the_locale_and_exactly_the_currencys_minor_units(
    locale: str, money: Money, text: str
) -> None:
    assert Formatter(locale).money(money) == text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=30), "in 30 min"),
        (timedelta(seconds=20), "in 1 min"),
        (timedelta(hours=5, minutes=59), "in 5 h"),
        (timedelta(hours=47), "in 47 h"),
        (timedelta(days=3, hours=2), "in 3 d"),
        (timedelta(0), "overdue 1 min"),
        (-timedelta(hours=3), "overdue 3 h"),
        (-timedelta(days=2, hours=1), "overdue 2 d"),
    ],
)
def test_countdowns_are_compact(delta: timedelta, text: str) -> None:
    assert countdown(NOW + delta, NOW) == text


def test_moments_show_in_the_operators_zone_and_the_buyers() -> None:
    fmt = Formatter("en_US", ZoneInfo("Europe/Berlin"))
    assert fmt.moment(NOW) == "11/26/26, 9:00\u202fAM"
    assert fmt.in_zone(NOW, "Asia/Tokyo") == "Thu 17:00"
    assert fmt.in_zone(NOW, "Not/AZone") == "Thu 08:00"  # unknown: UTC


def test_since_and_fx_rate() -> None:
    fmt = Formatter("en_US", UTC)
    assert fmt.since(NOW - timedelta(seconds=10), NOW) == "just now"
    assert fmt.since(NOW - timedelta(minutes=5), NOW) == "5 min ago"
    assert fmt.since(NOW - timedelta(days=3), NOW) == fmt.moment(NOW - timedelta(days=3))
    assert fmt.fx_rate(Decimal("0.0068123")) == "0.0068123"


def test_unknown_locales_fall_back_to_english() -> None:
    assert locale_or_default("C") == "en_US"
    assert locale_or_default("C.UTF-8") == "en_US"
    assert locale_or_default("POSIX") == "en_US"
    assert locale_or_default("de-DE") == "de_DE"
    assert locale_or_default("de_DE.UTF-8") == "de_DE"
    assert locale_or_default(None) == "en_US"


def test_who_must_act() -> None:
    assert Formatter.actor(Actor.MERCHANT) == "You"
    assert Formatter.actor(Actor.BUYER) == "Buyer"
    assert Formatter.actor(None) == ""
