from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.dialogue.flows.slots import first_number
from bot.nlu.entities import extract_entities
from bot.nlu.entities.numbers import parse_number
from bot.nlu.types import Duration, Entity, Money
from tests.nlu.conftest import TODAY


def found(text: str, kind: str) -> list[object]:
    return [e.value for e in extract_entities(text, TODAY) if e.type == kind]


def test_offsets_point_into_the_original_text() -> None:
    text = "Gaji sy RM1500 blm dibayar 3 bln, hub 0812-3456-7890 di Taiwan sejak 5 Januari"
    entities = extract_entities(text, TODAY)
    assert {e.type for e in entities} == {"money", "duration", "phone", "country", "date"}
    for e in entities:
        assert text[e.start : e.end] == e.text
    assert [e.start for e in entities] == sorted(e.start for e in entities)


def test_unpaid_wages_message() -> None:
    entities = extract_entities("gaji saya RM1500 blm dibayar 3 bulan", TODAY)
    assert entities == (
        Entity("money", Money(Decimal(1500), "MYR"), "RM1500", 10, 16),
        Entity("duration", Duration(3.0, "month"), "3 bulan", 29, 36),
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("sy di taiwan", "TW"),
        ("kerja di HK", "HK"),
        ("kerja di hk udh 2 thn", "HK"),
        ("sy kerja dihongkong", "HK"),
        ("majikan sy di Hong Kong", "HK"),
        ("di taipei", "TW"),
        ("sy di tw", "TW"),
        ("kerja di m'sia", "MY"),
        ("sy di msia", "MY"),
        ("di kl skrg", "MY"),
        ("malay", "MY"),
        ("singapur", "SG"),
        ("kerja di spore", "SG"),
        ("di arab", "SA"),
        ("arab saudi", "SA"),
        ("KSA", "SA"),
        ("jeddah", "SA"),
        ("kerja di UEA", "AE"),
        ("dubai", "AE"),
        ("uni emirat arab", "AE"),
        ("kerja di korea", "KR"),
        ("magang jepang", "JP"),
        ("brunei", "BN"),
        ("turki", "TR"),
        ("polandia", "PL"),
        ("qatar", "QA"),
    ],
)
def test_countries(text: str, code: str) -> None:
    assert found(text, "country")[:1] == [code]


@pytest.mark.parametrize(
    "text",
    ["pulang kampung", "saya mau pulang", "my salary", "tolong sy", "HK$4,990", "kalau bisa"],
)
def test_no_country(text: str) -> None:
    assert found(text, "country") == []


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("RM1500", "1500", "MYR"),
        ("gaji RM 1,500 sebulan", "1500", "MYR"),
        ("1.500 ringgit", "1500", "MYR"),
        ("HK$4,990", "4990", "HKD"),
        ("minimal HKD 5100", "5100", "HKD"),
        ("NT$20.000", "20000", "TWD"),
        ("cuma 20rb NT", "20000", "TWD"),
        ("agen minta 5 juta", "5000000", None),
        ("5jt rupiah", "5000000", "IDR"),
        ("Rp 5.000.000", "5000000", "IDR"),
        ("Rp. 2,5 juta", "2500000", "IDR"),
        ("SGD 600", "600", "SGD"),
        ("1500 riyal", "1500", "SAR"),
        ("$500", "500", None),
        ("gaji $4000 di hk", "4000", "HKD"),
        ("USD 1,250.50", "1250.50", "USD"),
        ("1,5jt", "1500000", None),
    ],
)
def test_money(text: str, amount: str, currency: str | None) -> None:
    assert found(text, "money") == [Money(Decimal(amount), currency)]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1.500", "1500"),
        ("1,500", "1500"),
        ("1,5", "1.5"),
        ("1.5", "1.5"),
        ("1.500.000", "1500000"),
        ("1,250.50", "1250.50"),
        ("1.250,50", "1250.50"),
    ],
)
def test_number_separators(raw: str, value: str) -> None:
    assert parse_number(raw) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("3 bulan", 3, "month"),
        ("udh 3 bln", 3, "month"),
        ("3bln blm gajian", 3, "month"),
        ("2 minggu", 2, "week"),
        ("5 hari", 5, "day"),
        ("2 years", 2, "year"),
        ("for 3 months", 3, "month"),
        ("sebulan", 1, "month"),
        ("tiga bulan", 3, "month"),
        ("sudah 2thn 5bln tapi tidak boleh pulang", 29, "month"),
        ("1 minggu 3 hari", 10, "day"),
    ],
)
def test_durations(text: str, amount: float, unit: str) -> None:
    assert found(text, "duration") == [Duration(float(amount), unit)]


def test_ago_is_a_date_not_a_duration() -> None:
    assert found("dipukul 2 hari lalu", "duration") == []
    assert found("dipukul 2 hari lalu", "date") == [date(2026, 11, 21)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("sejak 5 Januari", date(2026, 1, 5)),
        ("tgl 12/03/2025", date(2025, 3, 12)),
        ("since March 2024", date(2024, 3, 1)),
        ("kemarin majikan marah", date(2026, 11, 22)),
        ("yesterday", date(2026, 11, 22)),
        ("3 days ago", date(2026, 11, 20)),
        ("bulan lalu", date(2026, 10, 23)),
        ("05/04/2025", date(2025, 4, 5)),  # ambiguous: day first
        ("04/25/2025", date(2025, 4, 25)),  # impossible day-first: month first
        ("2025-03-12", date(2025, 3, 12)),
        ("sejak 25 Desember", date(2025, 12, 25)),  # the most recent one in the past
        ("March 5, 2024", date(2024, 3, 5)),
        ("5 Febuari 2025", date(2025, 2, 5)),
        ("sejak bulan maret", date(2026, 3, 1)),
    ],
)
def test_dates(text: str, value: date) -> None:
    assert found(text, "date") == [value]


@pytest.mark.parametrize("text", ["may i ask", "i work 18 hours a day", "gaji 1500"])
def test_no_false_dates_or_money(text: str) -> None:
    assert found(text, "date") == [] and found(text, "money") == []


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("hubungi sy di 0812 3456 7890", "+6281234567890"),
        ("no wa +62 812-3456-7890", "+6281234567890"),
        ("nomor 6281234567890", "+6281234567890"),
        ("hp 081234567890", "+6281234567890"),
        ("kjri +852 6773 0466", "+85267730466"),
        ("sy di hongkong no sy 6773 0466", "+85267730466"),
        ("di malaysia no sy 012-345 6789", "+60123456789"),
        ("(0812) 3456-7890", "+6281234567890"),
    ],
)
def test_phones(text: str, e164: str) -> None:
    assert found(text, "phone") == [e164]


@pytest.mark.parametrize(
    "text",
    ["gaji Rp 5.000.000 belum dibayar", "tgl 12/03/2025", "Rp 15.000.000", "NT$20.000", "1955"],
)
def test_money_and_dates_are_not_phones(text: str) -> None:
    assert found(text, "phone") == []


def test_many_entities_in_one_message() -> None:
    text = "sy di hk gaji HK$4,990 dipotong agen 3 bln sejak 5 Januari, wa sy +62 812-3456-7890"
    kinds = [e.type for e in extract_entities(text, TODAY)]
    assert kinds == ["country", "money", "duration", "date", "phone"]


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("rm 6rb", "6000", "MYR"),
        ("RM6 ribu", "6000", "MYR"),
        ("1,5 juta", "1500000", None),
        ("1.5jt", "1500000", None),
        ("Rp 2.500.000", "2500000", "IDR"),
        ("NT$20rb", "20000", "TWD"),
        ("HK$ 4,990", "4990", "HKD"),
        ("6k ringgit", "6000", "MYR"),
    ],
)
def test_money_as_workers_write_it(text: str, amount: str, currency: str | None) -> None:
    assert found(text, "money") == [Money(Decimal(amount), currency)]


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("setengah tahun", 6, "month"),
        ("satu setengah bulan", 1.5, "month"),
        ("setahun setengah", 18, "month"),
        ("1,5 tahun", 18, "month"),
        ("dua setengah tahun", 30, "month"),
        ("2 bln", 2, "month"),
        ("3 minggu", 3, "week"),
        ("half a year", 6, "month"),
        ("a year and a half", 18, "month"),
        ("for a month", 1, "month"),
    ],
)
def test_durations_with_halves_and_articles(text: str, amount: float, unit: str) -> None:
    assert found(text, "duration") == [Duration(float(amount), unit)]


def test_an_article_is_a_number_only_before_a_unit() -> None:
    assert found("a lot of work", "duration") == []
    assert first_number("i have a lot") is None
