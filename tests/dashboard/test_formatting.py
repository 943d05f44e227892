"""How the desk writes stored values: amounts, durations, dates, countries, categories and
times, in Indonesian and English, in the officer's zone with the worker's beside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.cases import Directory
from bot.dashboard.formatting import DeskFormat
from bot.dialogue.flows import FlowLibrary
from bot.i18n import country_name, country_zone, format_duration, language_name, zone_name
from bot.settings import PROJECT_ROOT

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10.00 in Jakarta
JAKARTA = ZoneInfo("Asia/Jakarta")


def _fmt(lang: str, zone: str = "Asia/Jakarta", flows: FlowLibrary | None = None) -> DeskFormat:
    return DeskFormat(lang, ZoneInfo(zone), NOW, flows.get if flows else None)


@pytest.mark.parametrize(
    ("lang", "value", "shown"),
    [
        ("id", {"amount": "1500", "currency": "MYR"}, "MYR 1.500"),
        ("en", {"amount": "1500", "currency": "MYR"}, "MYR 1,500"),
        ("id", {"amount": "5100.5", "currency": "HKD"}, "HK$ 5.100,5"),
        ("en", {"amount": "2000000", "currency": "IDR"}, "IDR 2,000,000"),
        ("id", {"amount": "2000000", "currency": "IDR"}, "Rp 2.000.000"),
    ],
)
def test_amounts_as_people_write_them(lang: str, value: dict[str, str], shown: str) -> None:
    assert _fmt(lang).money(value) == shown


@pytest.mark.parametrize(
    ("delta", "id_", "en"),
    [
        (timedelta(minutes=4), "4 menit", "4 minutes"),
        (timedelta(hours=2, minutes=5), "2 jam 5 menit", "2 hours 5 minutes"),
        (timedelta(days=3, hours=4, minutes=9), "3 hari 4 jam", "3 days 4 hours"),
        (timedelta(days=1, minutes=5), "1 hari", "1 day"),
        (timedelta(seconds=20), "0 menit", "0 minutes"),
    ],
)
def test_waits_in_the_two_largest_units(delta: timedelta, id_: str, en: str) -> None:
    assert format_duration(delta, "id") == id_ and format_duration(delta, "en") == en
    if delta >= timedelta(minutes=1):
        assert _fmt("id").waited(NOW - delta) == id_
    else:
        assert _fmt("id").waited(NOW - delta) == "kurang dari semenit"


def test_countries_languages_and_categories_by_name() -> None:
    assert country_name("MY", "id") == "Malaysia" and country_name("SA", "id") == "Arab Saudi"
    assert country_name("HK", "id") == "Hong Kong" and country_name("TW", "en") == "Taiwan"
    assert language_name("en", "id") == "Inggris" and language_name("id", "en") == "Indonesian"
    fmt = _fmt("id")
    assert fmt.category(SimpleNamespace(category="wages_unpaid", source="complaint")) == (
        "Gaji tidak dibayar atau dipotong"
    )
    assert fmt.category(SimpleNamespace(category=None, source="talk_to_human")) == (
        "Minta bicara dengan petugas"
    )
    assert _fmt("en").category_name("document_withheld") == "Documents withheld"
    assert fmt.status("in_progress") == "Sedang ditangani"
    assert fmt.outcome("duplicate") == "Sama dengan kasus lain (duplikat)"


def test_times_in_the_officers_zone_with_the_workers_beside() -> None:
    assert _fmt("id").when(NOW) == "23 Nov 2026 10.00 WIB"
    assert _fmt("en").when(NOW) == "Nov 23, 2026 10:00 WIB"
    assert _fmt("id", "Asia/Makassar").when(NOW) == "23 Nov 2026 11.00 WITA"
    assert _fmt("id", "Asia/Jayapura").when(NOW) == "23 Nov 2026 12.00 WIT"
    assert _fmt("en", "Asia/Hong_Kong").when(NOW) == "Nov 23, 2026 11:00 Hong Kong"
    assert _fmt("id").worker_time(NOW, "MY") == "11.00 Kuala Lumpur"
    assert _fmt("id").worker_time(NOW, "SA") == "06.00 Riyadh"
    assert _fmt("en").worker_time(NOW, "TW") == "11:00 Taipei"
    assert _fmt("id").worker_time(NOW, "ID") is None  # the same clock
    assert _fmt("id", "Asia/Kuala_Lumpur").worker_time(NOW, "HK") is None  # the same offset
    assert _fmt("id").worker_time(NOW, "US") is None  # several zones: no guess
    assert _fmt("id").worker_time(NOW, None) is None
    # A conversation's lines: the time today, the date before.
    assert _fmt("id").short(NOW - timedelta(hours=1)) == "09.00"
    assert _fmt("id").short(NOW - timedelta(days=2)) == "21 Nov 10.00"
    assert _fmt("en").short(NOW - timedelta(days=400)) == "Oct 19, 2025 10:00"


def test_country_zones() -> None:
    assert country_zone("MY") == ZoneInfo("Asia/Kuala_Lumpur")
    assert country_zone("ID") == JAKARTA
    assert country_zone("hk") == ZoneInfo("Asia/Hong_Kong")
    assert country_zone("US") is None and country_zone("XX") is None and country_zone(None) is None
    assert zone_name(ZoneInfo("Asia/Makassar"), NOW, "id") == "WITA"
    assert zone_name(ZoneInfo("Asia/Singapore"), NOW, "id") == "Singapura"


def test_organisations_read_times_in_their_own_zone() -> None:
    directory = Directory.load(PROJECT_ROOT)
    assert directory.zone("migrantcare") == JAKARTA
    assert directory.zone("bp3mi-ntb") == ZoneInfo("Asia/Makassar")  # its office hours
    assert directory.zone("kbri-kuala-lumpur") == ZoneInfo("Asia/Kuala_Lumpur")  # its country
    assert directory.zone("kdei-taipei") == ZoneInfo("Asia/Taipei")
    assert directory.zone(None) == JAKARTA  # administrators and editors


def test_names_in_the_readers_language() -> None:
    directory = Directory.load(PROJECT_ROOT)
    assert directory.queue_name("migrantcare-casework", "id") == "Penanganan kasus (bantuan hukum)"
    assert directory.queue_name("migrantcare-casework", "en") == "Case work (legal aid)"
    assert directory.queue_name("migrantcare-casework") == "Case work (legal aid)"
    assert directory.organisation_name("kemenp2mi", "id") == (
        "KemenP2MI (layanan pengaduan nasional)"
    )
    assert directory.organisation_name("migrantcare", "id") == "Migrant CARE"
    [introduce] = [r for r in directory.canned if r.id == "introduce"]
    assert introduce.title_in("id") == "Perkenalkan diri"
    assert introduce.title_in("en") == "Introduce yourself"


def test_the_complaint_with_its_flows_labels_and_without_them() -> None:
    record = {
        "category": "wages_unpaid",
        "flow": "wages_unpaid",
        "flow_version": "gone",
        "wage": {"amount": "1500", "currency": "MYR"},
        "unpaid_for": {"amount": 3, "unit": "month"},
        "deductions": False,
        "province": "jawa_timur",
        "country": "MY",
        "taken_from_earlier_messages": ["wage"],
        "employer": None,
        "submitted_at": "2026-11-23T03:00:00+00:00",
    }
    flows = FlowLibrary.load(PROJECT_ROOT)
    assert _fmt("id", flows=flows).record(record) == [
        ("Gaji per bulan", "MYR 1.500"),
        ("Lama tidak dibayar", "3 bulan"),
        ("Ada potongan gaji", "Tidak"),
        ("Provinsi asal", "Jawa Timur"),
        ("Negara", "Malaysia"),
        ("Diambil dari pesan sebelumnya", "Gaji per bulan"),
        ("Majikan", "(dilewati)"),
        ("Dikirim", "23 Nov 2026 10.00 WIB"),
    ]
    # Without the flow (another process, an older version gone): labels from the keys, values
    # by their shape, never JSON.
    rows = dict(_fmt("en").record(record))
    assert rows["Wage"] == "MYR 1,500" and rows["Unpaid for"] == "3 months"
    assert rows["Deductions"] == "No" and rows["Country"] == "Malaysia"
