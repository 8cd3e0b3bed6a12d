"""Money: a `Decimal` amount with its ISO 4217 currency, exact to the currency's minor units.

Amounts travel on the wire as decimal strings (``{"amount": "120.00", "currency": "EUR"}``).
A float is refused everywhere: binary fractions cannot hold cents exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

__all__ = ["CurrencyMismatchError", "InvalidMoneyError", "Money", "minor_units"]

_AMOUNT_PATTERN = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")


class InvalidMoneyError(ValueError):
    """An amount or currency that cannot be money (a float, an unknown code, too many digits)."""


class CurrencyMismatchError(ValueError):
    """Arithmetic or comparison between two different currencies."""


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@cache
def minor_units(currency: str) -> int:
    """How many digits follow the decimal point for `currency` (CLDR: JPY 0, EUR 2, KWD 3)."""
    if not _CURRENCY_PATTERN.fullmatch(currency) or currency not in _known_currencies():
        raise InvalidMoneyError(f"unknown currency code {currency!r}")
    return int(get_currency_precision(currency))


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency.

    The constructor accepts only amounts that are already exact in the currency's minor units
    (``Money(Decimal("1.005"), "EUR")`` is an error, not a silent rounding); use `Money.rounded`
    where rounding is intended (fees, conversions), and say so at the call site.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        amount: object = self.amount
        if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
            raise InvalidMoneyError(
                f"money needs a Decimal amount, not {type(amount).__name__} ({amount!r})"
            )
        quantum = _quantum(self.currency)
        decimal_amount = Decimal(amount)
        if not decimal_amount.is_finite():
            raise InvalidMoneyError(f"amount {amount!r} is not a finite number")
        try:
            exact = decimal_amount.quantize(quantum)
        except InvalidOperation as error:
            raise InvalidMoneyError(f"amount {amount!r} is too large") from error
        if exact != decimal_amount:
            raise InvalidMoneyError(
                f"{amount} has more digits than {self.currency} allows "
                f"({minor_units(self.currency)} after the point)"
            )
        if exact == 0:
            exact = abs(exact)  # no negative zero
        object.__setattr__(self, "amount", exact)

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def rounded(cls, amount: Decimal, currency: str) -> Money:
        """`amount` rounded half-to-even to `currency`'s minor units (banker's rounding)."""
        if not isinstance(amount, Decimal):
            raise InvalidMoneyError(f"money needs a Decimal amount, not {type(amount).__name__}")
        return cls(amount.quantize(_quantum(currency), rounding=ROUND_HALF_EVEN), currency)

    @classmethod
    def parse(cls, amount: str, currency: str) -> Money:
        """Money from the wire's decimal string, e.g. ``Money.parse("120.00", "EUR")``."""
        if not isinstance(amount, str) or not _AMOUNT_PATTERN.fullmatch(amount):
            raise InvalidMoneyError(
                f"amount must be a decimal string like '120.00', got {amount!r}"
            )
        if not isinstance(currency, str):
            raise InvalidMoneyError(f"currency must be a string, got {currency!r}")
        return cls(Decimal(amount), currency)

    @classmethod
    def from_wire(cls, payload: object) -> Money:
        """Money from ``{"amount": "120.00", "currency": "EUR"}``; anything else is refused."""
        if not isinstance(payload, Mapping):
            raise InvalidMoneyError(
                f"money must be an object with amount and currency, got {payload!r}"
            )
        amount, currency = payload.get("amount"), payload.get("currency")
        if not isinstance(amount, str) or not isinstance(currency, str):
            raise InvalidMoneyError("money needs a string amount and a string currency")
        return cls.parse(amount, currency)

    # -- output -------------------------------------------------------------------------------

    def to_wire(self) -> dict[str, str]:
        return {"amount": self.wire_amount(), "currency": self.currency}

    def wire_amount(self) -> str:
        """The amount with exactly the currency's minor units: ``"1200"``, ``"0.500"``."""
        return f"{self.amount:f}"

    def __str__(self) -> str:
        return f"{self.wire_amount()} {self.currency}"

    # -- arithmetic (one currency only) ----------------------------------------------------

    def _same_currency(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same_currency(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same_currency(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same_currency(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same_currency(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same_currency(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def scaled(self, factor: Decimal) -> Money:
        """This amount times `factor`, rounded half-to-even (a fee rate, a partial share)."""
        if not isinstance(factor, Decimal):
            raise InvalidMoneyError(f"scale money by a Decimal, not {type(factor).__name__}")
        return Money.rounded(self.amount * factor, self.currency)

    def converted(self, rate: Decimal, currency: str) -> Money:
        """This amount in `currency` at `rate` (units of `currency` per unit of this one)."""
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
            raise InvalidMoneyError(f"an exchange rate must be a positive Decimal, got {rate!r}")
        return Money.rounded(self.amount * rate, currency)
