"""Sums of money: "RM1500", "HK$4,990", "NT$20.000", "20rb NT", "5jt rupiah", "Rp 5.000.000"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from bot.nlu.entities.numbers import MULTIPLIER, NUMBER, scaled
from bot.nlu.types import Entity, Money

# Written before the amount.
# fmt: off
_PREFIX: dict[str, str | None] = {
    "rm": "MYR", "myr": "MYR", "hk$": "HKD", "hkd": "HKD", "nt$": "TWD", "ntd": "TWD",
    "twd": "TWD", "s$": "SGD", "sgd": "SGD", "sar": "SAR", "rp": "IDR", "rp.": "IDR",
    "idr": "IDR", "us$": "USD", "usd": "USD", "aed": "AED", "qar": "QAR", "kwd": "KWD",
    "b$": "BND", "bnd": "BND", "jpy": "JPY", "¥": "JPY", "krw": "KRW", "₩": "KRW",
    "€": "EUR", "eur": "EUR", "£": "GBP", "$": None,
}
# fmt: on
# Written after the amount.
# fmt: off
_SUFFIX: dict[str, str | None] = {
    "ringgit": "MYR", "ringit": "MYR", "rm": "MYR", "myr": "MYR", "hkd": "HKD", "hk": "HKD",
    "nt": "TWD", "ntd": "TWD", "twd": "TWD", "sgd": "SGD", "riyal": "SAR", "rial": "SAR",
    "reyal": "SAR", "real": "SAR", "sar": "SAR", "rupiah": "IDR", "rp": "IDR", "idr": "IDR",
    "perak": "IDR", "usd": "USD", "dirham": "AED", "aed": "AED", "qar": "QAR", "dinar": "KWD",
    "kwd": "KWD", "yen": "JPY", "jpy": "JPY", "won": "KRW", "krw": "KRW", "euro": "EUR",
    "dollar": None, "dolar": None, "dollars": None, "dolar hk": "HKD", "dollar hk": "HKD",
    "dolar taiwan": "TWD", "dolar singapura": "SGD", "dolar singapore": "SGD",
    "dolar amerika": "USD", "dolar as": "USD", "us dollar": "USD",
}
# fmt: on
# A bare "$" or "dollar" takes the dollar of a country named in the same message.
DOLLAR_OF_COUNTRY = {"HK": "HKD", "TW": "TWD", "SG": "SGD", "BN": "BND", "US": "USD"}


def _alternation(words: dict[str, str | None]) -> str:
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


_PREFIXED = re.compile(
    rf"(?<![\w$])(?P<cur>{_alternation(_PREFIX)})\s?(?P<num>{NUMBER})"
    rf"(?:\s?(?P<mul>{MULTIPLIER})(?![a-z]))?",
    re.IGNORECASE,
)
_SUFFIXED = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER})(?:\s?(?P<mul>{MULTIPLIER}))?\s?(?P<cur>{_alternation(_SUFFIX)})"
    rf"(?![\w$])",
    re.IGNORECASE,
)
# "5 juta", "20rb": a sum even when the currency is unsaid.
_SCALED = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER})\s?(?P<mul>{MULTIPLIER})(?![\w$])", re.IGNORECASE
)


def find_money(text: str, countries: frozenset[str] = frozenset()) -> Iterator[Entity]:
    taken: list[tuple[int, int]] = []
    dollar = next((DOLLAR_OF_COUNTRY[c] for c in sorted(countries) if c in DOLLAR_OF_COUNTRY), None)
    for pattern, table in ((_PREFIXED, _PREFIX), (_SUFFIXED, _SUFFIX), (_SCALED, None)):
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            amount = scaled(m.group("num"), m.group("mul"))
            if amount is None or amount <= 0:
                continue
            currency: str | None = None
            if table is not None:
                currency = table[" ".join(m.group("cur").lower().split())]
                currency = currency or dollar
            taken.append((m.start(), m.end()))
            yield Entity("money", Money(Decimal(amount), currency), m.group(0), m.start(), m.end())
