"""Working between organisations over HTTP: a referral waits on the receiving organisation's
home page, only it accepts or declines; the reason reaches the referrer; another
organisation's internal notes appear on no page, no stream and no JSON answer."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from bot.dashboard import stream
from tests.cases.conftest import World
from tests.dashboard.conftest import Client, post, read_events

INTERNAL = "Internal MC: the agency is PT Rahasia"
SHARED = "Shared MC: passport held since May"
KBRI_INTERNAL = "Internal KBRI: check with the labour attaché"


async def test_refer_decline_refer_again_accept_over_http(
    world: World, client: Client, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "STREAM_SECONDS", 0.0)
    await world.staff("ani")
    await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.staff("cici", organisation="sbmi")
    await world.say("worker", "orang")
    case = await world.case()
    base = f"/dashboard/cases/{case.reference}"
    ani, budi, cici = await client("ani"), await client("budi"), await client("cici")
    assert (await post(ani, f"{base}/claim")).status_code == 303

    # One internal note and one shared, then a referral to the embassy with a note.
    assert (await post(ani, f"{base}/note", text=INTERNAL)).status_code == 303
    answer = await ani.post(
        f"{base}/note",
        data={"text": SHARED, "shared": "1", "csrftoken": ani.cookies["helpline_csrf"]},
        headers={"x-requested-with": "fetch"},
    )
    assert answer.json() == {"ok": True}  # the script's JSON answer carries no note
    referred = await post(ani, f"{base}/refer", queue="kbri-kl-protection", note="Mohon bantu")
    assert referred.status_code == 303
    page = (await ani.get(base)).text
    assert "Waiting for them to accept or decline" in page and 'id="accept-referral"' not in page

    # The embassy sees it waiting on its home page, and may read it to decide.
    home = (await budi.get("/dashboard/")).text
    assert 'id="referred-to-us"' in home and case.reference in home
    assert "Referred to your organisation: " + case.reference in home
    page = (await budi.get(base)).text
    assert 'id="accept-referral"' in page and "Mohon bantu" in page and SHARED in page
    assert INTERNAL not in page

    # Neither the referrer nor a third organisation may answer it.
    for outsider in (ani, cici):
        for action, form in (("accept", {}), ("decline", {"reason": "no"})):
            assert (await post(outsider, f"{base}/{action}", **form)).status_code == 404
    assert (await world.case()).status == "referred"

    # Declined with a reason: back to Migrant CARE, which reads why; the embassy loses it.
    assert (await post(budi, f"{base}/decline", reason="")).status_code == 303
    assert (await world.case()).status == "referred"  # a reason is required
    declined = await post(budi, f"{base}/decline", reason="Majikan di Johor: KJRI Johor Bahru")
    assert declined.headers["location"] == "/dashboard/"  # no longer theirs to see
    assert (await budi.get(base)).status_code == 404
    page = (await ani.get(base)).text
    assert 'id="decline-reason-shown">Majikan di Johor: KJRI Johor Bahru' in page
    assert "Budi (KBRI Kuala Lumpur) declined the referral from Migrant CARE" in page
    assert "Your referral was declined: " + case.reference in (await ani.get("/dashboard/")).text

    # Referred again and accepted: the embassy's queue; the timeline shows each hand-over.
    assert (await post(ani, f"{base}/refer", queue="kbri-kl-protection")).status_code == 303
    assert (await post(budi, f"{base}/accept")).status_code == 303
    assert (await world.case()).organisation == "kbri-kuala-lumpur"
    assert (await post(budi, f"{base}/note", text=KBRI_INTERNAL)).status_code == 303
    page = (await budi.get(base)).text
    for line in (
        "Ani (Migrant CARE) claimed the case",
        "Ani (Migrant CARE) referred the case to KBRI Kuala Lumpur (Citizen protection)",
        "Budi (KBRI Kuala Lumpur) accepted the referral from Migrant CARE",
    ):
        assert line in page
    assert 'id="claim"' in page and INTERNAL not in page and KBRI_INTERNAL in page
    page = (await ani.get(base)).text  # Migrant CARE follows the case, read-only
    assert KBRI_INTERNAL not in page and INTERNAL in page and "Claim and answer" not in page

    # Nowhere else either: home pages, lists, the case's live stream.
    for path in ("/dashboard/", "/dashboard/cases", "/dashboard/cases?view=shared"):
        assert INTERNAL not in (await budi.get(path)).text
        assert KBRI_INTERNAL not in (await ani.get(path)).text
    for who, hidden in ((budi, INTERNAL), (ani, KBRI_INTERNAL)):
        events = await read_events(app, who, f"{base}/events?after=0", want=0)
        assert all(hidden not in text for _, text in events)


async def test_the_supervisors_digest_page(world: World, client: Client) -> None:
    await world.staff("sari", role="supervisor")
    await world.staff("ani")
    await world.say("w1", "orang")
    case = await world.case()
    sari = await client("sari")
    home = (await sari.get("/dashboard/")).text
    assert 'id="digest-panel"' in home
    page = await sari.get("/dashboard/digest")
    assert page.status_code == 200
    assert case.reference in page.text and "Case work (legal aid)" in page.text
    officer = await client("ani")
    assert 'id="digest-panel"' not in (await officer.get("/dashboard/")).text
    assert (await officer.get("/dashboard/digest")).status_code == 404
