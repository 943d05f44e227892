"""The desk in the officer's language: Indonesian by default, English when chosen, the choice
remembered on the account; case pages and lists written as people write (no ids, no JSON);
lists paged, searched by reference and filtered (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from bot.storage.models import Case, Staff, Worker
from tests.cases.conftest import World
from tests.dashboard.conftest import Client, post

_WORKERS = itertools.count()
WAGES_RECORD: dict[str, Any] = {
    "category": "wages_unpaid",
    "flow": "wages_unpaid",
    "flow_version": "old",
    "language": "id",
    "anonymous": False,
    "name": "Siti",
    "country": "MY",
    "wage": {"amount": "1500", "currency": "MYR"},
    "unpaid_for": {"amount": 3, "unit": "month"},
    "owed": {"amount": "4500", "currency": "MYR"},
    "deductions": True,
    "evidence": [{"kind": "photo"}],
    "submitted_at": "2026-11-23T03:00:00+00:00",
}


class _Text(HTMLParser):
    SHOWN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts += [v for k, v in attrs if k in self.SHOWN and v]

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(page: str) -> str:
    """What an officer reads on a page: its text and the attributes a browser shows."""
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


async def _case(
    world: World,
    *,
    category: str | None = "wages_unpaid",
    country: str | None = "MY",
    language: str = "id",
    record: dict[str, Any] | None = None,
    organisation: str = "migrantcare",
) -> str:
    """A case of Migrant CARE's case-work queue (whatever routing would say), by a new worker."""
    async with world.sessions.begin() as session:
        worker = Worker(
            channel="telegram",
            channel_user_hash=f"h{next(_WORKERS)}",
            channel_user_id="secret",
            language=language,
            country=country,
        )
        session.add(worker)
        await session.flush()
        case = await world.desk.open_case(
            session,
            worker.id,
            source="complaint" if category else "talk_to_human",
            category=category,
            country=country,
            record=record,
        )
        case.organisation = organisation
        case.queue = "migrantcare-casework" if organisation == "migrantcare" else case.queue
        return case.reference


async def test_the_desk_speaks_indonesian_until_an_officer_chooses_english(
    world: World, client: Client
) -> None:
    await world.staff("ani")
    signed_out = await client(None, lang="id")
    login = (await signed_out.get("/dashboard/login")).text
    assert '<html lang="id">' in login and "Nama pengguna" in login and "Kata sandi" in login

    c = await client("ani", lang="id")
    home = (await c.get("/dashboard/")).text
    assert "Kasus saya" in home and "Penanganan kasus (bantuan hukum)" in home
    assert "My cases" not in home and "Case work" not in home

    # The switch in the header: English now, and at the next sign-in in another browser.
    chosen = await post(c, "/dashboard/language", lang="en", next="/dashboard/cases")
    assert chosen.status_code == 303 and chosen.headers["location"] == "/dashboard/cases"
    listed = (await c.get("/dashboard/cases?country=MY")).text
    assert "All open cases" in listed
    # The switch brings the officer back to the page they were on.
    assert 'name="next" value="/dashboard/cases?country=MY"' in listed
    async with world.sessions() as session:
        assert await session.scalar(select(Staff.language).where(Staff.username == "ani")) == "en"
    elsewhere = await client("ani", lang="id")  # a fresh browser: nothing chosen there
    assert "My cases" in (await elsewhere.get("/dashboard/")).text

    # And back: the account follows.
    await post(elsewhere, "/dashboard/language", lang="id", next="/dashboard/")
    assert "Kasus saya" in (await elsewhere.get("/dashboard/")).text
    assert "Kasus saya" in (await c.get("/dashboard/")).text  # the account's choice wins
    assert (await post(c, "/dashboard/language", lang="xx", next="//evil.example")).headers[
        "location"
    ] == "/dashboard/"


async def test_a_language_chosen_before_signing_in_is_kept(world: World, client: Client) -> None:
    await world.staff("budi")
    c = await client("budi", lang="en")  # chose English on the sign-in page
    assert "My cases" in (await c.get("/dashboard/")).text
    async with world.sessions() as session:
        assert await session.scalar(select(Staff.language).where(Staff.username == "budi")) == "en"


async def test_the_case_page_in_indonesian_has_no_ids_or_json(world: World, client: Client) -> None:
    await world.staff("ani")
    reference = await _case(world, record=WAGES_RECORD)
    page = (await (await client("ani", lang="id")).get(f"/dashboard/cases/{reference}")).text
    assert "Ambil dan jawab" in page and "Percakapan" in page
    assert "Gaji tidak dibayar atau dipotong" in page  # the category
    assert "· Malaysia ·" in page
    assert "Gaji per bulan" in page and "MYR 1.500" in page  # the flow's label, Babel's amount
    assert "Total belum dibayar" in page and "MYR 4.500" in page
    assert "3 bulan" in page and "1 file" in page
    assert "23 November 2026" not in page  # submitted_at is a moment: in the officer's zone
    assert "23 Nov 2026 10.00 WIB" in page
    text = visible(page)
    for raw in ("amount", "currency", "wages_unpaid", " MY ", "unpaid_for", "flow", "True"):
        assert raw not in text, raw
    # The worker's clock beside the officer's: Kuala Lumpur is an hour ahead of Jakarta.
    assert "Sekarang: 23 Nov 2026 10.00 WIB" in page
    assert "waktu pekerja: 11.00 Kuala Lumpur" in page


async def test_the_same_case_page_in_english(world: World, client: Client) -> None:
    await world.staff("ani")
    reference = await _case(world, record=WAGES_RECORD, language="en")
    page = (await (await client("ani", lang="en")).get(f"/dashboard/cases/{reference}")).text
    assert "Wages unpaid or cut" in page and "Monthly wage" in page and "MYR 1,500" in page
    assert "3 months" in page and "writes English" in page
    assert "the worker&#39;s time: 11:00 Kuala Lumpur" in page


async def test_times_are_in_the_zone_of_the_officers_organisation(
    world: World, client: Client
) -> None:
    """BP3MI NTB works in WITA (its office hours say so); KBRI Kuala Lumpur in Malaysia's time."""
    await world.staff("nia", organisation="bp3mi-ntb")
    await world.staff("budi", organisation="kbri-kuala-lumpur")
    ntb = await _case(world, organisation="bp3mi-ntb")
    kl = await _case(world, organisation="kbri-kuala-lumpur")
    async with world.sessions.begin() as session:
        for reference, queue in ((ntb, "bp3mi-ntb-complaints"), (kl, "kbri-kl-protection")):
            case = await session.scalar(select(Case).where(Case.reference == reference))
            assert case is not None
            case.queue = queue
    page = (await (await client("nia", lang="id")).get(f"/dashboard/cases/{ntb}")).text
    assert "Sekarang: 23 Nov 2026 11.00 WITA" in page
    assert "waktu pekerja" not in page  # Kuala Lumpur's clock shows what Mataram's shows
    page = (await (await client("budi", lang="en")).get(f"/dashboard/cases/{kl}")).text
    assert "Now: Nov 23, 2026 11:00 Kuala Lumpur" in page


async def test_each_row_says_what_where_which_language_and_how_long(
    world: World, client: Client
) -> None:
    await world.staff("ani")
    await _case(world, category="abuse_violence", country="HK", language="en")
    world.clock.now += timedelta(hours=2, minutes=5)
    page = (await (await client("ani", lang="id")).get("/dashboard/cases")).text
    assert "Kekerasan atau penganiayaan · Hong Kong · Inggris" in page
    assert "menunggu 2 jam 5 menit" in page
    assert "abuse_violence" not in visible(page) and " HK " not in visible(page)


async def test_lists_are_paged_searched_and_filtered(world: World, client: Client) -> None:
    await world.staff("ani")
    references = [await _case(world, country="MY") for _ in range(27)]
    taiwan = await _case(world, category="document_withheld", country="TW")
    asked = await _case(world, category=None, country=None)
    c = await client("ani", lang="en")

    first = (await c.get("/dashboard/cases")).text
    assert "29 cases" in first and "Page 1 of 2" in first
    assert first.count('class="case-row') == 25
    second = (await c.get("/dashboard/cases?page=2")).text
    assert second.count('class="case-row') == 4 and 'rel="prev"' in second
    assert (await c.get("/dashboard/cases?page=99")).text.count('class="case-row') == 4

    found = (await c.get(f"/dashboard/cases?q={references[3][-4:].lower()}")).text
    assert references[3] in found and "1 case<" in found
    spaced = (await c.get(f"/dashboard/cases?q=hl {references[5][3:]}")).text
    assert references[5] in spaced and spaced.count('class="case-row') == 1

    by_country = (await c.get("/dashboard/cases?country=TW")).text
    assert taiwan in by_country and by_country.count('class="case-row') == 1
    by_category = (await c.get("/dashboard/cases?category=document_withheld")).text
    assert taiwan in by_category and by_category.count('class="case-row') == 1
    by_source = (await c.get("/dashboard/cases?category=talk_to_human")).text
    assert asked in by_source and by_source.count('class="case-row') == 1
    # The filters offer what the cases have, by name.
    assert '<option value="TW">Taiwan</option>' in first
    assert '<option value="talk_to_human">Asked for a person</option>' in first

    async with world.sessions.begin() as session:
        case = await session.scalar(select(Case).where(Case.reference == taiwan))
        assert case is not None
        case.status = "waiting"
    by_status = (await c.get("/dashboard/cases?status=waiting")).text
    assert taiwan in by_status and by_status.count('class="case-row') == 1
    by_queue = (await c.get("/dashboard/cases?queue=migrantcare-urgent")).text
    assert "0 cases" in by_queue and "No cases here." in by_queue
    # The pager keeps the filters.
    paged = (await c.get("/dashboard/cases?country=MY&page=1")).text
    assert 'href="?country=MY&amp;page=2"' in paged
