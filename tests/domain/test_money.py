from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain import CurrencyMismatchError, InvalidMoneyError, Money, minor_units

CURRENCIES = ["JPY", "EUR", "USD", "GBP", "CNY", "BRL", "KWD", "BHD", "KRW"]


@st.composite
def money(draw: st.DrawFn, currency: str | None = None) -> Money:
    code = currency or draw(st.sampled_from(CURRENCIES))
    units = draw(st.integers(min_value=-(10**12), max_value=10**12))
    return Money(Decimal(units).scaleb(-minor_units(code)), code)


@pytest.mark.parametrize(("currency", "digits"), [("JPY", 0), ("KRW", 0), ("EUR", 2), ("KWD", 3)])
def test_minor_units_come_from_cldr(currency: str, digits: int) -> None:
    assert minor_units(currency) == digits


@pytest.mark.parametrize(
    ("amount", "currency", "wire"),
    [
        ("1200", "JPY", "1200"),
        ("0.5", "KWD", "0.500"),
        ("120", "EUR", "120.00"),
        ("-0.00", "EUR", "0.00"),
    ],
)
def test_wire_form_has_exactly_the_minor_units(amount: str, currency: str, wire: str) -> None:
    assert Money.parse(amount, currency).to_wire() == {"amount": wire, "currency": currency}


@pytest.mark.parametrize(
    "bad",
    [1.5, True, "12.50", None],
)
def test_a_float_or_other_non_decimal_is_refused(bad: object) -> None:
    with pytest.raises(InvalidMoneyError):
        Money(bad, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("1.5", "JPY"),
        ("1.005", "EUR"),
        ("0.0001", "KWD"),
        ("1e3", "EUR"),
        ("NaN", "EUR"),
        (" 1", "EUR"),
        ("1.00", "XYZ"),
        ("1.00", "eur"),
    ],
)
def test_parse_refuses_what_is_not_exact_money(amount: str, currency: str) -> None:
    with pytest.raises(InvalidMoneyError):
        Money.parse(amount, currency)


@pytest.mark.parametrize(
    "payload", [{"amount": 1.5, "currency": "EUR"}, {"amount": "1"}, "1 EUR", []]
)
def test_from_wire_refuses_malformed_payloads(payload: object) -> None:
    with pytest.raises(InvalidMoneyError):
        Money.from_wire(payload)


def test_rounding_is_explicit_and_half_even() -> None:
    assert Money.rounded(Decimal("0.125"), "EUR") == Money.parse("0.12", "EUR")
    assert Money.rounded(Decimal("0.135"), "EUR") == Money.parse("0.14", "EUR")
    assert Money.parse("999", "JPY").scaled(Decimal("0.029")) == Money.parse("29", "JPY")


def test_conversion_rounds_to_the_target_currency() -> None:
    assert Money.parse("15800", "JPY").converted(Decimal("0.0067"), "USD") == Money.parse(
        "105.86", "USD"
    )
    with pytest.raises(InvalidMoneyError):
        Money.parse("1", "EUR").converted(Decimal(0), "USD")


@given(money(), money())
def test_currencies_never_mix(a: Money, b: Money) -> None:
    if a.currency == b.currency:
        assert (a + b).currency == a.currency
        assert (a + b) - b == a
    else:
        for combine in (lambda: a + b, lambda: a - b, lambda: a < b, lambda: a >= b):
            with pytest.raises(CurrencyMismatchError):
                combine()


@given(money())
def test_wire_round_trip_is_exact(m: Money) -> None:
    wire = m.to_wire()
    assert Money.from_wire(wire) == m
    assert Money.from_wire(wire).to_wire() == wire
    digits = minor_units(m.currency)
    assert len(wire["amount"].partition(".")[2]) == digits


@given(money())
def test_an_amount_prints_in_plain_form(m: Money) -> None:
    # The cache writes str(amount) for the wire amount (cheaper than formatting it): that
    # holds because an amount is kept quantized to its minor units, never with an exponent.
    assert str(m.amount) == m.wire_amount()
    assert (
        str(Money.rounded(m.amount / 3, m.currency).amount)
        == Money.rounded(m.amount / 3, m.currency).wire_amount()
    )


@given(st.sampled_from(CURRENCIES).flatmap(lambda c: st.tuples(money(c), money(c), money(c))))
def test_net_is_paid_minus_fees_to_the_minor_unit(parts: tuple[Money, Money, Money]) -> None:
    paid, service_fee, payment_fee = parts
    net = paid - service_fee - payment_fee
    assert net + service_fee + payment_fee == paid
    assert net.amount == paid.amount - service_fee.amount - payment_fee.amount
    assert net.amount.as_tuple().exponent == -minor_units(paid.currency)
