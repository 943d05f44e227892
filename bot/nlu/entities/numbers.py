"""Numbers as workers write them: "1.500", "1,500", "1,5", "20rb", "5 juta", "5jt"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# Digits with "." or "," groups; a group of exactly three digits is a thousands group.
NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2}(?!\d))?"

# fmt: off
MULTIPLIERS: dict[str, Decimal] = {
    "rb": Decimal(1000), "ribu": Decimal(1000), "rebu": Decimal(1000), "k": Decimal(1000),
    "thousand": Decimal(1000), "jt": Decimal(10**6), "juta": Decimal(10**6),
    "million": Decimal(10**6),
    "miliar": Decimal(10**9), "milyar": Decimal(10**9), "billion": Decimal(10**9),
}
# fmt: on
MULTIPLIER = r"ribu|rebu|rb|k|thousand|juta|jt|million|miliar|milyar|billion"


def parse_number(raw: str) -> Decimal | None:
    """Indonesian "." thousands and "," decimals, and the English way round, told apart by
    the group sizes: "1.500" and "1,500" are 1500; "1,5" and "1.5" are 1.5."""
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:
        decimal_sep = "." if raw.rfind(".") > raw.rfind(",") else ","
        thousands_sep = "," if decimal_sep == "." else "."
        cleaned = raw.replace(thousands_sep, "").replace(decimal_sep, ".")
    elif dots + commas > 1:
        cleaned = raw.replace(".", "").replace(",", "")
    elif dots + commas == 1:
        sep = "." if dots else ","
        whole, frac = raw.split(sep)
        cleaned = whole + frac if len(frac) == 3 else f"{whole}.{frac}"
    else:
        cleaned = raw
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def scaled(raw: str, multiplier: str | None) -> Decimal | None:
    value = parse_number(raw)
    if value is None:
        return None
    if multiplier:
        value *= MULTIPLIERS[multiplier.lower()]
    return Decimal(int(value)) if value == value.to_integral_value() else value
