"""Signing in, the first administrator's one-time link, password links, CSRF, sessions."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from bot.staff import password_link_token, setup_link_token
from bot.storage.models import AuditEntry, Staff, StaffSession
from tests.cases.conftest import World
from tests.dashboard.conftest import PASSWORD, Client, csrf, post, sign_in


async def test_a_fresh_installation_is_set_up_by_a_one_time_link(
    world: World, client: Client
) -> None:
    async with world.sessions.begin() as session:
        token = await setup_link_token(session)
    assert token
    c = await client(None)
    page = await c.get(f"/dashboard/setup?token={token}")
    assert page.status_code == 200 and "first administrator" in page.text
    form = {
        "csrftoken": await csrf(c),
        "token": token,
        "username": "admin",
        "display_name": "Admin",
        "password": "a long enough secret",
        "password2": "a long enough secret",
    }
    done = await c.post("/dashboard/setup", data=form)
    assert done.status_code == 303
    assert (await c.get("/dashboard/staff")).status_code == 200
    # The link works once, and never once an administrator exists.
    assert (await c.get(f"/dashboard/setup?token={token}")).status_code == 404
    async with world.sessions.begin() as session:
        assert await setup_link_token(session) is None


async def test_setup_link_refused_without_token(world: World, client: Client) -> None:
    c = await client(None)
    assert (await c.get("/dashboard/setup?token=guess")).status_code == 404


async def test_sign_in_and_out(world: World, client: Client) -> None:
    await world.staff("ani")
    c = await client(None)
    assert (await c.get("/dashboard/", follow_redirects=False)).status_code == 303
    wrong = await sign_in(c, "ani", "wrong password!!")
    assert wrong.status_code == 401
    assert (await sign_in(c, "ani")).status_code == 303
    home = await c.get("/dashboard/")
    assert home.status_code == 200 and "Migrant CARE" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    assert (await post(c, "/dashboard/logout")).status_code == 303
    assert (await c.get("/dashboard/", follow_redirects=False)).status_code == 303
    async with world.sessions() as session:
        assert (await session.scalars(select(StaffSession))).all() == []
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert {"login_failed", "login", "logout"} <= set(actions)


async def test_posts_without_the_csrf_token_are_refused(world: World, client: Client) -> None:
    await world.staff("ani")
    c = await client(None)
    await c.get("/dashboard/login")
    refused = await c.post("/dashboard/login", data={"username": "ani", "password": PASSWORD})
    assert refused.status_code == 403
    c = await client("ani")
    assert (await c.post("/dashboard/duty", data={"on_duty": "0"})).status_code == 403
    assert (await post(c, "/dashboard/duty", on_duty="0")).status_code == 303


async def test_repeated_failures_are_throttled(world: World, client: Client) -> None:
    await world.staff("ani")
    c = await client(None)
    for _ in range(5):
        assert (await sign_in(c, "ani", "not the password")).status_code == 401
    assert (await sign_in(c, "ani")).status_code == 429


async def test_admin_adds_a_person_who_sets_a_password_by_link(
    world: World, client: Client
) -> None:
    await world.staff("root", role="admin", organisation=None)
    admin = await client("root")
    page = await post(
        admin,
        "/dashboard/staff",
        username="dewi",
        display_name="Dewi",
        role="officer",
        organisation="sbmi",
    )
    assert page.status_code == 200
    link = re.search(r'value="(http://testserver/dashboard/password\?token=[^"]+)"', page.text)
    assert link
    newcomer = await client(None)
    path = link.group(1).removeprefix("http://testserver")
    assert (await newcomer.get(path)).status_code == 200
    token = path.split("token=")[1]
    done = await post(
        newcomer,
        "/dashboard/password",
        token=token,
        password="a secret of her own",
        password2="a secret of her own",
    )
    assert done.status_code == 303
    assert (await sign_in(newcomer, "dewi", "a secret of her own")).status_code == 303
    assert (await newcomer.get(path)).status_code == 404  # used


async def test_disabling_an_account_ends_its_sessions(world: World, client: Client) -> None:
    await world.staff("root", role="admin", organisation=None)
    ani = await world.staff("ani")
    officer = await client("ani")
    admin = await client("root")
    assert (await post(admin, f"/dashboard/staff/{ani.id}/disable")).status_code == 303
    assert (await officer.get("/dashboard/", follow_redirects=False)).status_code == 303


async def test_four_posts_of_the_setup_link_at_once_create_one_administrator(
    world: World, client: Client
) -> None:
    async with world.sessions.begin() as session:
        token = await setup_link_token(session)
    assert token
    browsers = [await client(None) for _ in range(4)]
    forms = [
        {
            "csrftoken": await csrf(c),
            "token": token,
            "username": f"admin{i}",
            "display_name": "Admin",
            "password": "a long enough secret",
            "password2": "a long enough secret",
        }
        for i, c in enumerate(browsers)
    ]
    answers = await asyncio.gather(
        *(c.post("/dashboard/setup", data=form) for c, form in zip(browsers, forms, strict=True))
    )
    assert sorted(a.status_code for a in answers) == [303, 404, 404, 404]
    async with world.sessions() as session:
        admins = (await session.scalars(select(Staff).where(Staff.role == "admin"))).all()
    assert len(admins) == 1


async def test_two_posts_of_a_password_link_at_once_set_one_password(
    world: World, client: Client
) -> None:
    ani = await world.staff("ani")
    async with world.sessions.begin() as session:
        token = await password_link_token(session, await session.get_one(Staff, ani.id))
    browsers = [await client(None) for _ in range(2)]
    secrets = ["the first new secret", "the second new secret"]
    forms = [
        {"csrftoken": await csrf(c), "token": token, "password": s, "password2": s}
        for c, s in zip(browsers, secrets, strict=True)
    ]
    answers = await asyncio.gather(
        *(c.post("/dashboard/password", data=f) for c, f in zip(browsers, forms, strict=True))
    )
    assert sorted(a.status_code for a in answers) == [303, 404]
    async with world.sessions() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("password_set") == 1
    # The one that won set the password that works.
    won = secrets[[a.status_code for a in answers].index(303)]
    assert (await sign_in(await client(None), "ani", won)).status_code == 303


async def test_a_refused_form_leaves_the_password_link_valid(world: World, client: Client) -> None:
    ani = await world.staff("ani")
    async with world.sessions.begin() as session:
        token = await password_link_token(session, await session.get_one(Staff, ani.id))
    c = await client(None)
    short = await post(c, "/dashboard/password", token=token, password="short", password2="short")
    assert short.status_code == 400
    done = await post(
        c, "/dashboard/password", token=token, password="long and fine", password2="long and fine"
    )
    assert done.status_code == 303
