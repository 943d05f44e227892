"""Supervisors' reports, administrators' accounts and organisations, editors' content checks:
who reaches which page, and what the pages count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.storage.models import AuditEntry, Case, utcnow
from tests.cases.conftest import World
from tests.dashboard.conftest import Client, post

PAGES = ("/staff", "/organisations", "/reports", "/content", "/learning")
# Which of PAGES each role reaches; every other one answers "not found".
REACHES = {
    "officer": set(),
    "supervisor": {"/reports"},
    "editor": {"/content", "/learning"},
    "admin": {
        "/staff",
        "/organisations",
        "/content",
        "/learning",
        "/reports",
    },  # the network's report
}


@pytest.mark.parametrize("role", sorted(REACHES))
async def test_each_role_reaches_its_own_pages(world: World, client: Client, role: str) -> None:
    organisation = "migrantcare" if role in ("officer", "supervisor") else None
    await world.staff("me", role=role, organisation=organisation)
    c = await client("me")
    for page in PAGES:
        expected = 200 if page in REACHES[role] else 404
        assert (await c.get(f"/dashboard{page}")).status_code == expected, (role, page)
    home = await c.get("/dashboard/", follow_redirects=False)
    if organisation is None:  # no queues: straight to their own work
        own = "/dashboard/staff" if role == "admin" else "/dashboard/content"
        assert home.status_code == 303 and home.headers["location"] == own
    else:
        assert home.status_code == 200


async def test_reports_count_the_organisations_cases(world: World, client: Client) -> None:
    world.clock.now = utcnow() - timedelta(hours=1)  # the report covers the last 12 months
    await world.staff("sari", role="supervisor")
    for n in range(5):
        await world.say(f"w{n}", "orang")  # Migrant CARE, normal
    await world.say("w9", "saya sedang dipukul di malaysia")  # KBRI Kuala Lumpur: not counted
    async with world.sessions() as session:
        references = (
            await session.scalars(
                select(Case.reference).where(Case.organisation == "migrantcare").order_by(Case.id)
            )
        ).all()
    c = await client("sari")
    world.clock.now += timedelta(minutes=7)
    for reference in references:
        assert (
            await post(c, f"/dashboard/cases/{reference}/reply", text="Halo")
        ).status_code == 303

    page = (await c.get("/dashboard/reports")).text
    assert "Migrant CARE: reports" in page
    assert '<td>In progress</td><td class="num">5</td>' in page  # all replied to
    assert '<td>Not stated</td><td class="num">5</td>' in page  # no category
    assert "<td>Emergency</td>" not in page and "Kuala Lumpur" not in page
    # The median first reply by a person, of the five.
    assert '<td>Not stated</td><td class="num">5</td><td class="num">7 minutes</td>' in page
    async with world.sessions() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "report_viewed" in actions


async def test_organisations_count_active_accounts(world: World, client: Client) -> None:
    await world.staff("root", role="admin", organisation=None)
    await world.staff("ani")
    budi = await world.staff("budi")
    await world.staff("citra", organisation="sbmi")
    admin = await client("root")
    page = (await admin.get("/dashboard/organisations")).text
    assert "Migrant CARE" in page and "· 2 staff members ·" in page and "· 1 staff member ·" in page
    assert (await post(admin, f"/dashboard/staff/{budi.id}/disable")).status_code == 303
    page = (await admin.get("/dashboard/organisations")).text
    assert "· 2 staff members ·" not in page
    staff_page = (await admin.get("/dashboard/staff")).text
    assert "Budi" in staff_page and "disabled" in staff_page
    assert (await post(admin, f"/dashboard/staff/{budi.id}/unknown")).status_code == 404
    assert (await post(admin, "/dashboard/staff/999999/enable")).status_code == 404


async def test_editors_see_the_content_check(world: World, client: Client) -> None:
    await world.staff("eka", role="editor", organisation=None)
    page = await (await client("eka")).get("/dashboard/content")
    # The shipped case desk files: listed, with no errors (tests/dashboard/test_editors.py
    # has the figures).
    assert page.status_code == 200
    for name in ("organisations.yml", "routing.yml", "canned_replies.yml"):
        row = page.text.split(f'<tr data-path="flows/{name}"', 1)[1].split("</tr>", 1)[0]
        assert "has-errors" not in row and "error" not in row, name
