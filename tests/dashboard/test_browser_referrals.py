"""Two organisations in Debian's Chromium: Migrant CARE refers a case to KBRI Kuala Lumpur,
which declines it with a reason; Migrant CARE reads why, refers it again, and KBRI accepts
it into its queue. A shared note travels with the case; an internal one never does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.dashboard.test_browser import DESKTOP, _page, _shot, _sign_in, _worker, server

__all__ = ["server"]  # fixtures used here

pytestmark = pytest.mark.browser

INTERNAL = "Internal: Ani thinks the agency is involved"
SHARED = "Shared: passport held by the employer since May"


def _open_case(page: Page, base: str, reference: str) -> None:
    page.goto(f"{base}/dashboard/cases/{reference}")
    expect(page.locator("h1")).to_contain_text(reference)


def test_a_referral_declined_then_accepted(browser: Browser, server: str, tmp_path: Path) -> None:
    replies = _worker(server, "halo, saya mau bicara dengan orang")
    [reference] = {m for r in replies for m in re.findall(r"HL-[0-9A-Z]{6}", r)}
    ani, ani_errors = _page(browser, DESKTOP, phone=False)
    budi, budi_errors = _page(browser, DESKTOP, phone=False)

    # Migrant CARE claims the case, writes an internal and a shared note, refers it.
    _sign_in(ani, server, "ani")
    _open_case(ani, server, reference)
    ani.get_by_role("button", name="Claim and answer").click()
    ani.locator("#note-text").fill(INTERNAL)
    ani.get_by_role("button", name="Add note").click()
    expect(ani.locator("#notes")).to_contain_text(INTERNAL)
    ani.locator("#note-text").fill(SHARED)
    ani.locator("#note-shared").check()
    ani.get_by_role("button", name="Add note").click()
    expect(ani.locator("#notes li.shared")).to_contain_text(SHARED)
    ani.locator("#refer summary").click()
    ani.locator("#refer-queue").select_option(label="Citizen protection")
    ani.locator("#refer-note").fill("Mohon bantu: majikan di Kuala Lumpur")
    ani.locator("#refer-submit").click()
    expect(ani.locator("#referral")).to_contain_text("Referred to KBRI Kuala Lumpur")
    expect(ani.locator("#case-status")).to_have_text("Referred")
    _shot(ani, tmp_path, "referral-1-referred")

    # KBRI sees it waiting on its home page, reads the shared note only, declines.
    _sign_in(budi, server, "budi")
    waiting = budi.locator("#referred-to-us")
    expect(waiting).to_contain_text(reference)
    expect(waiting).to_contain_text("from Migrant CARE")
    _shot(budi, tmp_path, "referral-2-home")
    waiting.locator("a", has_text=reference).click()
    expect(budi.locator("#notes")).to_contain_text(SHARED)
    expect(budi.locator("#notes")).to_contain_text("Mohon bantu")
    expect(budi.locator("#notes")).not_to_contain_text(INTERNAL)
    _shot(budi, tmp_path, "referral-3-deciding")
    budi.locator("#decline-reason").fill("Majikan di Johor: mohon ke KJRI Johor Bahru")
    budi.locator("#decline-referral").click()
    expect(budi.locator("h1")).to_have_text("KBRI Kuala Lumpur")  # back home: no longer theirs

    # Migrant CARE reads why, and refers it again after checking.
    _open_case(ani, server, reference)
    expect(ani.locator("#referral")).to_contain_text("KBRI Kuala Lumpur declined the referral")
    expect(ani.locator("#decline-reason-shown")).to_have_text(
        "Majikan di Johor: mohon ke KJRI Johor Bahru"
    )
    expect(ani.locator("#timeline")).to_contain_text(
        "Budi (KBRI Kuala Lumpur) declined the referral from Migrant CARE"
    )
    _shot(ani, tmp_path, "referral-4-declined")
    ani.locator("#refer summary").click()
    ani.locator("#refer-queue").select_option(label="Citizen protection")
    ani.locator("#refer-note").fill("Sudah dicek: majikan di Kuala Lumpur, bukan Johor")
    ani.locator("#refer-submit").click()
    expect(ani.locator("#referral")).to_contain_text("Waiting for them")

    # KBRI accepts: the case is in its queue, to claim.
    budi.reload()
    budi.locator("#referred-to-us a", has_text=reference).click()
    budi.locator("#accept-referral").click()
    expect(budi.locator("#claim")).to_be_visible()
    expect(budi.locator(".case-head")).to_contain_text("KBRI Kuala Lumpur · Citizen protection")
    expect(budi.locator("#timeline")).to_contain_text(
        "Budi (KBRI Kuala Lumpur) accepted the referral from Migrant CARE"
    )
    expect(budi.locator("#notes")).not_to_contain_text(INTERNAL)
    _shot(budi, tmp_path, "referral-5-accepted")
    budi.goto(f"{server}/dashboard/")
    expect(budi.locator(".queue", has_text="Citizen protection")).to_contain_text("1 waiting")

    for page in (ani, budi):
        page.context.close()
    assert ani_errors == [] and budi_errors == [], (ani_errors, budi_errors)
