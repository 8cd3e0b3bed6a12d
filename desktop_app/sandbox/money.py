"""Money as the platform keeps it: ``Decimal`` amounts in a currency's minor units, never floats.

Minor units come from Babel (ISO 4217 data). Fees are a percentage plus a fixed part, each
rounded half-up to the minor unit, so that ``net = paid - fees`` holds exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision

#: US dollars per unit of each currency the sandbox trades in (a fixed, plausible table).
USD_PER_UNIT: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CHF": Decimal("1.13"),
    "JPY": Decimal("0.0067"),
    "KRW": Decimal("0.00073"),
    "CNY": Decimal("0.138"),
    "TWD": Decimal("0.031"),
    "BRL": Decimal("0.18"),
    "MXN": Decimal("0.058"),
    "CLP": Decimal("0.00106"),
    "KWD": Decimal("3.25"),
    "BHD": Decimal("2.65"),
    "OMR": Decimal("2.60"),
    "AED": Decimal("0.2723"),
    "SAR": Decimal("0.2667"),
    "EGP": Decimal("0.0205"),
    "ILS": Decimal("0.27"),
    "INR": Decimal("0.012"),
    "THB": Decimal("0.028"),
    "VND": Decimal("0.000040"),
    "TRY": Decimal("0.029"),
    "PLN": Decimal("0.25"),
    "SEK": Decimal("0.095"),
    "UAH": Decimal("0.024"),
    "AUD": Decimal("0.66"),
    "NZD": Decimal("0.60"),
    "CAD": Decimal("0.73"),
    "SGD": Decimal("0.74"),
}

SERVICE_FEE_RATE = Decimal("0.10")
PAYMENT_FEE_RATE = Decimal("0.029")
PAYMENT_FEE_FIXED_USD = Decimal("0.30")
FX_RATE_PLACES = Decimal("0.00000001")


@cache
def minor_units(currency: str) -> int:
    return int(get_currency_precision(currency))


@cache
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def format_amount(amount: Decimal, currency: str) -> str:
    """The wire form: a plain decimal string with exactly the currency's minor units."""
    return f"{quantize(amount, currency):f}"


def parse_amount(text: str, currency: str) -> Decimal:
    """Parse a wire amount; refuse more decimals than the currency has. Raises ``ValueError``."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError("not a decimal number") from exc
    if not value.is_finite():
        raise ValueError("not a finite number")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > minor_units(currency):
        raise ValueError(f"{currency} has {minor_units(currency)} decimal places")
    return value


@cache
def fx_rate(from_currency: str, to_currency: str) -> Decimal:
    """Units of ``to_currency`` per unit of ``from_currency``."""
    if from_currency == to_currency:
        return Decimal(1)
    rate = USD_PER_UNIT[from_currency] / USD_PER_UNIT[to_currency]
    return rate.quantize(FX_RATE_PLACES, rounding=ROUND_HALF_UP).normalize()


def convert(amount: Decimal, from_currency: str, to_currency: str) -> Decimal:
    return quantize(amount * fx_rate(from_currency, to_currency), to_currency)


@dataclass(frozen=True)
class Fees:
    service_fee: Decimal
    payment_fee: Decimal

    @property
    def total(self) -> Decimal:
        return self.service_fee + self.payment_fee


def fees_for(kept: Decimal, currency: str) -> Fees:
    """Fees on the amount the merchant keeps: capped at it, so a net receipt is never negative."""
    if kept <= 0:
        zero = quantize(Decimal(0), currency)
        return Fees(zero, zero)
    service = quantize(kept * SERVICE_FEE_RATE, currency)
    fixed = convert(PAYMENT_FEE_FIXED_USD, "USD", currency)
    payment = quantize(kept * PAYMENT_FEE_RATE, currency) + fixed
    payment = min(payment, kept - service)
    return Fees(service, payment)
