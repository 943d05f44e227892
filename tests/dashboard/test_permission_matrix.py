"""Who may use each dashboard route: every route of bot.dashboard.app.routes() × every role
(and signed out) × a case, queue or account of one's own organisation or of another.

The table below is the access model in one place. A route added to the dashboard without a
row here fails `test_every_route_is_in_the_matrix`. Outcomes: "ok" (200, or 303 to a page of
the dashboard), "404" (a case, queue or page one may not see looks like one that does not
exist), "401" (a signed-out form post), "login" (a signed-out page goes to the sign-in page).
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route

from bot.dashboard import stream
from bot.dashboard.app import routes
from bot.settings import PROJECT_ROOT
from bot.storage.models import Case, Evidence, Message
from tests.cases.conftest import World
from tests.dashboard.conftest import Client, post, read_events

OWN, OTHER = "own", "other"
MENU = (PROJECT_ROOT / "flows" / "menu.yml").read_text(encoding="utf-8")
ROLES = ("officer", "supervisor", "editor", "admin", "signed out")
OK, NOT_FOUND, UNAUTHORISED, LOGIN = "ok", "404", "401", "login"

Outcomes = dict[str, tuple[str, str]]  # role -> (own organisation, another organisation)


def _each(
    officer: tuple[str, str],
    supervisor: tuple[str, str],
    editor: tuple[str, str],
    admin: tuple[str, str],
    signed_out: tuple[str, str],
) -> Outcomes:
    return dict(zip(ROLES, (officer, supervisor, editor, admin, signed_out), strict=True))


def _all(outcome: str) -> Outcomes:
    return {role: (outcome, outcome) for role in ROLES}


BOTH, OWN_ONLY, NONE = (OK, OK), (OK, NOT_FOUND), (NOT_FOUND, NOT_FOUND)
GONE, SIGN_IN = (UNAUTHORISED, UNAUTHORISED), (LOGIN, LOGIN)

# A case page or stream: the organisation's officers and supervisors; nobody else's.
CASE_READ = _each(OWN_ONLY, OWN_ONLY, NONE, NONE, SIGN_IN)
# Notes and claims on an unassigned case of one's organisation.
CASE_WORK = _each(OWN_ONLY, OWN_ONLY, NONE, NONE, GONE)
# The rest needs the case assigned to the officer; a supervisor may on any of theirs.
CASE_ASSIGNEE = _each(NONE, OWN_ONLY, NONE, NONE, GONE)
SIGNED_IN_POST = _each(BOTH, BOTH, BOTH, BOTH, GONE)
ADMIN_PAGE = _each(NONE, NONE, NONE, BOTH, SIGN_IN)
ADMIN_POST = _each(NONE, NONE, NONE, BOTH, GONE)

MATRIX: dict[tuple[str, str], Outcomes] = {
    # Public: signing in, the one-time links (refused without a valid token), static files.
    ("GET", "/login"): _all(OK),
    ("POST", "/login"): _all(UNAUTHORISED),  # a wrong password, whoever asks
    ("GET", "/setup"): _all(NOT_FOUND),
    ("POST", "/setup"): _all(NOT_FOUND),
    ("GET", "/password"): _all(NOT_FOUND),
    ("POST", "/password"): _all(NOT_FOUND),
    ("GET", "/static"): _all(OK),
    ("POST", "/logout"): _each(SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, GONE),  # then to sign in
    # Queues and cases.
    ("GET", "/"): _each(BOTH, BOTH, BOTH, BOTH, SIGN_IN),  # editors and admins: their page
    ("GET", "/cases"): _each(OWN_ONLY, OWN_ONLY, NONE, NONE, SIGN_IN),  # ?queue= own or other
    ("GET", "/cases/{reference}"): CASE_READ,
    ("GET", "/cases/{reference}/evidence/{evidence_id:int}"): CASE_READ,
    ("GET", "/cases/{reference}/events"): CASE_READ,
    ("POST", "/cases/{reference}/note"): CASE_WORK,
    ("POST", "/cases/{reference}/claim"): CASE_WORK,
    ("POST", "/cases/{reference}/assign"): CASE_ASSIGNEE,
    ("POST", "/cases/{reference}/reply"): CASE_ASSIGNEE,
    ("POST", "/cases/{reference}/status"): CASE_ASSIGNEE,
    ("POST", "/cases/{reference}/close"): CASE_ASSIGNEE,
    ("POST", "/cases/{reference}/transfer"): CASE_ASSIGNEE,
    ("POST", "/cases/{reference}/share"): CASE_ASSIGNEE,
    ("POST", "/cases/{reference}/hand-back"): CASE_ASSIGNEE,
    ("POST", "/cases/{reference}/refer"): CASE_ASSIGNEE,
    ("POST", "/cases/{reference}/release"): CASE_ASSIGNEE,
    ("POST", "/cases/{reference}/withdraw"): CASE_ASSIGNEE,
    # Only the organisation a case is referred to answers the referral (test_referrals.py);
    # these cases are referred to nobody.
    ("POST", "/cases/{reference}/accept"): _each(NONE, NONE, NONE, NONE, GONE),
    ("POST", "/cases/{reference}/decline"): _each(NONE, NONE, NONE, NONE, GONE),
    ("POST", "/cases/{reference}/flag-urgent"): CASE_WORK,
    ("GET", "/digest"): _each(NONE, BOTH, NONE, NONE, SIGN_IN),  # always their own
    ("POST", "/language"): _all(OK),  # the sign-in page has the switch too
    ("POST", "/duty"): SIGNED_IN_POST,
    ("POST", "/notifications/read"): SIGNED_IN_POST,
    ("GET", "/events"): _each(BOTH, BOTH, BOTH, BOTH, SIGN_IN),
    # Accounts (an account of either organisation), reports, content.
    ("GET", "/staff"): ADMIN_PAGE,
    ("POST", "/staff"): ADMIN_POST,
    ("POST", "/staff/{staff_id:int}/{what:str}"): ADMIN_POST,
    ("GET", "/organisations"): ADMIN_PAGE,
    # Reports: a supervisor's own organisation's; an administrator without one, the network's
    # (no organisation shares its figures in the shipped organisations.yml).
    ("GET", "/reports"): _each(NONE, BOTH, NONE, BOTH, SIGN_IN),
    ("GET", "/reports.csv"): _each(NONE, BOTH, NONE, BOTH, SIGN_IN),
    ("GET", "/reports.json"): _each(NONE, BOTH, NONE, BOTH, SIGN_IN),
    ("GET", "/content"): _each(NONE, NONE, BOTH, BOTH, SIGN_IN),
    ("GET", "/awareness"): _each(NONE, NONE, BOTH, BOTH, SIGN_IN),
    ("GET", "/content/file"): _each(NONE, NONE, BOTH, BOTH, SIGN_IN),
    ("GET", "/content/preview"): _each(NONE, NONE, BOTH, NONE, SIGN_IN),
    ("POST", "/content/preview"): _each(NONE, NONE, BOTH, NONE, GONE),
    ("POST", "/content/publish"): _each(NONE, NONE, BOTH, NONE, GONE),
    # Messages the bot did not understand: editors (and admins) label them.
    ("GET", "/learning"): _each(NONE, NONE, BOTH, BOTH, SIGN_IN),
    ("POST", "/learning/{fingerprint:str}"): _each(NONE, NONE, BOTH, BOTH, GONE),
}

# What each form sends: enough for the action to succeed when it is allowed.
FORMS: dict[str, dict[str, str]] = {
    "/login": {"username": "nobody", "password": "wrong password", "next": "/dashboard/"},
    "/setup": {"token": "made-up", "username": "x", "password": "p" * 12, "password2": "p" * 12},
    "/password": {"token": "made-up", "password": "p" * 12, "password2": "p" * 12},
    "/cases/{reference}/note": {"text": "internal"},
    "/cases/{reference}/assign": {"staff_id": ""},
    "/cases/{reference}/reply": {"text": "Halo"},
    "/cases/{reference}/status": {"status": "waiting"},
    "/cases/{reference}/close": {"outcome": "resolved"},
    "/cases/{reference}/transfer": {"queue": "migrantcare-urgent"},
    "/cases/{reference}/refer": {"queue": "sbmi-paralegal"},
    "/cases/{reference}/decline": {"reason": "not ours"},
    "/language": {"lang": "en"},
    "/cases/{reference}/share": {"organisation": "bp3mi-jatim"},
    "/duty": {"on_duty": "1"},
    # The menu as it is: checked, then published (into the test's copy of flows/).
    "/content/preview": {"path": "flows/menu.yml", "draft": MENU, "do": "check"},
    "/content/publish": {"path": "flows/menu.yml", "draft": MENU},
    "/learning/{fingerprint:str}": {"dismiss": "1"},
}
ORGANISATION = {OWN: "migrantcare", OTHER: "kbri-kuala-lumpur"}
QUEUE = {OWN: "migrantcare-casework", OTHER: "kbri-kl-protection"}
_NAMES = itertools.count()


def _listed(found: list[BaseRoute]) -> set[tuple[str, str]]:
    keys = set()
    for route in found:
        if isinstance(route, Mount):
            keys.add(("GET", route.path))
        elif isinstance(route, Route):
            keys |= {(m, route.path) for m in route.methods or () if m != "HEAD"}
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return keys


def test_every_route_is_in_the_matrix() -> None:
    assert _listed(routes()) == set(MATRIX)


@dataclass
class Setting:
    """What one check runs against: a fresh case, its file, an account, for `relation`."""

    world: World
    relation: str

    async def case(self) -> tuple[str, int]:
        """A new unassigned open case of the relation's organisation, and a file on it."""
        user = f"matrix-worker-{next(_NAMES)}"
        await self.world.say(user, "orang")  # Migrant CARE's queue
        async with self.world.sessions.begin() as session:
            case = await session.scalar(select(Case).order_by(Case.id.desc()))
            assert case is not None and case.worker_id is not None
            if self.relation == OTHER:
                case.organisation, case.queue = ORGANISATION[OTHER], QUEUE[OTHER]
            message = await session.scalar(
                select(Message.id).where(Message.worker_id == case.worker_id).limit(1)
            )
            evidence = Evidence(
                message_id=message,
                worker_id=case.worker_id,
                channel="telegram",
                position=0,
                kind="photo",
                content_type="image/jpeg",
                status="stored",
                data=b"jpeg",
            )
            session.add(evidence)
            await session.flush()
            return case.reference, evidence.id

    async def url(self, path: str) -> str:
        if "{reference}" in path:
            reference, evidence_id = await self.case()
            path = path.replace("{reference}", reference)
            path = path.replace("{evidence_id:int}", str(evidence_id))
        if "{staff_id:int}" in path:
            person = await self.world.staff(
                f"target-{next(_NAMES)}", "officer", ORGANISATION[self.relation]
            )
            path = path.replace("{staff_id:int}", str(person.id)).replace("{what:str}", "link")
        if path == "/cases":
            path += f"?queue={QUEUE[self.relation]}"
        if path in ("/content/file", "/content/preview"):
            path += "?path=flows/menu.yml"
        path = path.replace("{fingerprint:str}", "0" * 64)
        if path == "/static":
            path += "/dashboard.css"
        return "/dashboard" + path


def _outcome(response: httpx.Response) -> str:
    if response.status_code == 303:
        target = response.headers["location"]
        if target.startswith("/dashboard/login"):
            return LOGIN
        assert target.startswith("/dashboard/"), target
        return OK
    return OK if response.status_code == 200 else str(response.status_code)


async def _request(
    app: Starlette, c: httpx.AsyncClient, method: str, path: str, url: str, expected: str
) -> str:
    if method == "POST":
        form = FORMS.get(path, {})
        if path == "/staff":
            form = {"username": f"new-{next(_NAMES)}", "display_name": "New", "role": "editor"}
        return _outcome(await post(c, url, **form))
    streams = path.endswith("/events")
    if streams and expected == OK and "helpline_staff" in c.cookies:
        await read_events(app, c, url, want=0)  # asserts 200 once the stream opens
        return OK
    return _outcome(await asyncio.wait_for(c.get(url), 30))


@pytest.mark.parametrize("role", ROLES)
async def test_the_permission_matrix(
    world: World, client: Client, app: Starlette, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "STREAM_SECONDS", 0.0)  # event streams end at once
    signed_in = role != "signed out"
    if signed_in:
        organisation = ORGANISATION[OWN] if role in ("officer", "supervisor") else None
        await world.staff("me", role=role, organisation=organisation)
    found: dict[tuple[str, str, str], str] = {}
    wanted: dict[tuple[str, str, str], str] = {}
    for (method, path), outcomes in MATRIX.items():
        for relation, expected in zip((OWN, OTHER), outcomes[role], strict=True):
            # Signing out ends the session: that check gets a client of its own.
            c = await client("me" if signed_in else None)
            url = await Setting(world, relation).url(path)
            found[(method, path, relation)] = await _request(app, c, method, path, url, expected)
            wanted[(method, path, relation)] = expected
    assert found == wanted
