"""Text for the operator: money in their locale with the currency's minor units, moments in
their time zone, and compact countdowns ("in 5 h", "overdue 2 d").

One `Formatter` is built at start-up from the operator's locale and zone and handed to whatever
shows text; nothing here reads global state, so tests pin both.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.numbers import format_decimal

from desktop_app.domain import Actor, Money

__all__ = ["DEFAULT_LOCALE", "Formatter", "countdown", "locale_or_default"]

DEFAULT_LOCALE = "en_US"


def locale_or_default(name: str | None) -> str:
    """A locale Babel knows: ``"de_DE"`` stays, ``"C"``/``"POSIX"``/unknown become en_US."""
    if not name:
        return DEFAULT_LOCALE
    candidate = name.split(".")[0].replace("-", "_")
    if candidate.upper() in ("C", "POSIX"):  # no locale chosen (Babel 2.19 reads en_US_POSIX)
        return DEFAULT_LOCALE
    try:
        Locale.parse(candidate)
    except (ValueError, UnknownLocaleError):
        return DEFAULT_LOCALE
    return candidate


def _span(delta: timedelta) -> str:
    seconds = int(abs(delta).total_seconds())
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def countdown(due: datetime, now: datetime) -> str:
    """``"in 5 h"`` before `due`, ``"overdue 2 d"`` after it (minutes under an hour, hours
    under two days, days beyond)."""
    delta = due - now
    if delta <= timedelta(0):
        return f"overdue {_span(delta)}"
    return f"in {_span(delta)}"


_ACTOR_LABELS = {Actor.MERCHANT: "You", Actor.BUYER: "Buyer", Actor.PLATFORM: "Platform"}


@lru_cache(maxsize=256)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. a tzdata folder
        return ZoneInfo("UTC")


class Formatter:
    """Formats values for one operator: `locale` (a Babel name like ``"en_US"``) and `zone`."""

    def __init__(self, locale: str = DEFAULT_LOCALE, zone: tzinfo | None = None) -> None:
        self.locale = locale_or_default(locale)
        self.zone: tzinfo = zone if zone is not None else ZoneInfo("UTC")
        # Parsed once: the table formats a few hundred cells a second while scrolling, and
        # Babel's format_* functions look the patterns up again on every call.
        self._babel = Locale.parse(self.locale)
        self._currency_pattern = self._babel.currency_formats["standard"]

    # -- money -----------------------------------------------------------------------------

    def money(self, money: Money) -> str:
        """``$1,234.50``, ``¥15,800``, ``KWD42.125`` in en_US; exactly the currency's minor
        units (CLDR), never more, never fewer."""
        return self.amount(money.amount, money.currency)

    def amount(self, amount: Decimal, currency: str) -> str:
        # Babel's default currency_digits=True uses CLDR's minor units, the same table as
        # `minor_units` (JPY 0, EUR 2, KWD 3); Money guarantees the amount already fits them.
        pattern = self._currency_pattern
        return str(pattern.apply(amount, self._babel, currency=currency, currency_digits=True))

    def fx_rate(self, rate: Decimal) -> str:
        return str(format_decimal(rate, locale=self.locale, decimal_quantization=False))

    # -- time ------------------------------------------------------------------------------

    def moment(self, moment: datetime | None) -> str:
        """A moment in the operator's zone, short: ``11/26/26, 3:58 PM``."""
        if moment is None:
            return ""
        return self._short(moment.astimezone(self.zone))

    def _short(self, local: datetime) -> str:
        # What babel.dates.format_datetime(..., "short") does, with the patterns kept.
        babel = self._babel
        combined = str(babel.datetime_formats["short"]).replace("'", "")
        time_text = babel.time_formats["short"].apply(local, babel)
        date_text = babel.date_formats["short"].apply(local.date(), babel)
        return combined.replace("{0}", time_text).replace("{1}", date_text)

    def moment_long(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return str(format_datetime(moment, "medium", tzinfo=self.zone, locale=self.locale))

    def in_zone(self, moment: datetime, zone_name: str) -> str:
        """`moment` as the clock shows it in `zone_name` (a buyer's zone): ``Thu 23:03``."""
        zone = _zone(zone_name)
        return str(format_datetime(moment, "EEE HH:mm", tzinfo=zone, locale=self.locale))

    def countdown(self, due: datetime, now: datetime) -> str:
        return countdown(due, now)

    def since(self, moment: datetime, now: datetime) -> str:
        """How long ago, compact: ``5 min ago``, ``3 h ago``, or the date beyond two days."""
        delta = now - moment
        if delta < timedelta(minutes=1):
            return "just now"
        if delta < timedelta(hours=48):
            return f"{_span(delta)} ago"
        return self.moment(moment)

    @staticmethod
    def actor(actor: Actor | str | None) -> str:
        if actor is None:
            return ""
        try:
            return _ACTOR_LABELS[Actor(actor)]
        except ValueError:
            return str(actor).capitalize()
