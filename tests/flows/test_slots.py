"""Each slot type: what counts as an answer, its stored form, and the explanation if not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot.dialogue.flows.model import Option, Step
from bot.dialogue.flows.slots import Answer, SlotContext, parse

TODAY = date(2026, 11, 23)
ASK = {"id": "?", "en": "?"}


def step(type_: str, **fields: Any) -> Step:
    return Step(id="x", type=type_, question=ASK, label=ASK, **fields)


def ctx(lang: str = "id", country: str | None = "MY", anonymous: bool = False) -> SlotContext:
    return SlotContext(lang, TODAY, country, (("HK", "Hong Kong"), ("MY", "Malaysia")), anonymous)


def value(type_: str, text: str, context: SlotContext | None = None, **fields: Any) -> Any:
    parsed = parse(step(type_, **fields), Answer(text), context or ctx())
    assert parsed.ok, parsed.error
    return parsed.value


def error(type_: str, text: str, context: SlotContext | None = None, **fields: Any) -> str:
    parsed = parse(step(type_, **fields), Answer(text), context or ctx())
    assert parsed.error is not None, parsed.value
    return parsed.error


def test_money_takes_the_currency_written_or_the_country_s() -> None:
    assert value("money", "RM1.500") == {"amount": "1500", "currency": "MYR"}
    assert value("money", "HK$4,990") == {"amount": "4990", "currency": "HKD"}
    assert value("money", "5 juta rupiah") == {"amount": "5000000", "currency": "IDR"}
    assert value("money", "1500") == {"amount": "1500", "currency": "MYR"}  # worker is in Malaysia
    assert value("money", "1500", currency="IDR") == {"amount": "1500", "currency": "IDR"}
    assert "RM1500" in error("money", "banyak")
    assert "Mata uangnya" in error("money", "1500", ctx(country=None))


def test_dates_in_words_and_never_in_the_future() -> None:
    assert value("date", "5 Januari 2025") == "2025-01-05"
    assert value("date", "sejak maret") == "2026-03-01"
    assert value("date", "3 bulan lalu") == "2026-08-23"
    assert value("date", "3 bulan") == "2026-08-25"  # how long: that long ago
    assert value("date", "januari") == "2026-01-01"  # dateparser's turn
    assert "belum lewat" in error("date", "besok")
    assert "5 January 2025" in error("date", "whenever", ctx("en"))


def test_durations() -> None:
    assert value("duration", "3 bln") == {"amount": 3, "unit": "month"}
    assert value("duration", "2thn 5bln") == {"amount": 29, "unit": "month"}
    assert value("duration", "two weeks") == {"amount": 2, "unit": "week"}
    assert "3 bulan" in error("duration", "lama sekali")


def test_phone_numbers_are_normalised_with_the_country_as_region() -> None:
    assert value("phone", "012-345 6789") == "+60123456789"
    assert value("phone", "6123 4567", ctx(country="HK")) == "+85261234567"
    assert value("phone", "0812 3456 7890", ctx(country="ID")) == "+6281234567890"
    assert value("phone", "wa saya +62 812-3456-7890 ya") == "+6281234567890"
    assert "+60 12-345 6789" in error("phone", "12345")


@pytest.mark.parametrize("said", ["iya", "ya kak", "Y", "yes", "betul", "udah", "ok"])
def test_yes(said: str) -> None:
    assert value("yesno", said) is True


@pytest.mark.parametrize("said", ["tidak", "gak", "nggak kak", "no", "belum", "tidak ada"])
def test_no(said: str) -> None:
    assert value("yesno", said) is False


def test_yes_no_buttons_typed_numbers_and_unclear_answers() -> None:
    yesno = step("yesno")
    assert parse(yesno, Answer("/answer:no", payload="no"), ctx()).value is False
    assert parse(yesno, Answer("1", number=1), ctx()).value is True
    assert parse(yesno, Answer("hmm", intent="affirm"), ctx()).value is True
    assert "ya atau tidak" in error("yesno", "tidak tahu")


def test_choice_by_button_number_label_synonym_or_typo() -> None:
    choice = step(
        "choice",
        options=(
            Option("passport", {"id": "Paspor", "en": "Passport"}, ("pasport",)),
            Option("contract", {"id": "Kontrak kerja", "en": "Work contract"}, ("kontrak",)),
        ),
    )
    c = ctx()
    assert parse(choice, Answer("/answer:contract", payload="contract"), c).value == "contract"
    assert parse(choice, Answer("2", number=2), c).value == "contract"
    assert parse(choice, Answer("paspor saya"), c).value == "passport"
    assert parse(choice, Answer("Work contract"), c).value == "contract"  # the other language
    assert parse(choice, Answer("pasporrt"), c).value == "passport"  # misspelt
    assert not parse(choice, Answer("paspor dan kontrak"), c).ok  # both: ask again
    assert not parse(choice, Answer("3", number=3), c).ok
    own = replace(choice, error={"id": "Pilih paspor atau kontrak.", "en": "Passport or contract?"})
    assert parse(own, Answer("entah"), c).error == "Pilih paspor atau kontrak."


def test_numbers_with_limits() -> None:
    assert value("number", "16 jam") == 16
    assert value("number", "dua") == 2
    assert "paling banyak 24" in error("number", "30", maximum=24.0)


def test_country_by_name_button_or_city_and_not_indonesia() -> None:
    assert value("country", "sy di hongkong") == "HK"
    assert value("country", "Kuala Lumpur") == "MY"
    assert parse(step("country"), Answer("/answer:HK", payload="HK"), ctx()).value == "HK"
    assert "luar negeri" in error("country", "indonesia")
    assert value("country", "masih di indonesia", home_allowed=True) == "ID"
    assert "Korea Selatan" in parse(step("country"), Answer("3", number=3), ctx()).error  # type: ignore[operator]


def test_text_length() -> None:
    assert value("text", "  Mrs   Chan ") == "Mrs Chan"
    assert "paling sedikit 15" in error("text", "dipukul", min_length=15)
    assert not parse(step("text"), Answer("/answer:yes", payload="yes"), ctx()).ok


def test_consent_and_anonymity() -> None:
    assert value("consent", "iya setuju") == "yes"
    assert value("consent", "tidak mau") == "no"
    assert value("consent", "tanpa nama saja", ctx(anonymous=True)) == "anonymous"
    assert "tanpa nama" not in str(parse(step("consent"), Answer("tanpa nama"), ctx()).value)


def test_attachment_step_only_hears_done() -> None:
    assert value("attachment", "selesai") == "done"
    assert value("attachment", "sudah kak") == "done"
    assert "selesai" in error("attachment", "ini fotonya")
