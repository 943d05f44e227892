"""The served app's transport security: cookies, HSTS and the dashboard's frame policy."""

from __future__ import annotations

import httpx

from bot.runtime import Runtime
from bot.server import create_server_app
from bot.staff import create_staff

PASSWORD = "correct horse battery staple"


async def _sign_in(client: httpx.AsyncClient) -> httpx.Response:
    page = await client.get("/dashboard/login")
    return await client.post(
        "/dashboard/login",
        data={
            "csrftoken": client.cookies["helpline_csrf"],
            "username": "admin",
            "password": PASSWORD,
            "next": "/dashboard/",
        },
        headers={"referer": str(page.url)},
    )


def _cookie_lines(response: httpx.Response) -> dict[str, str]:
    return {line.split("=", 1)[0]: line.lower() for line in response.headers.get_list("set-cookie")}


async def _served(runtime: Runtime, env: str) -> tuple[httpx.Response, httpx.Response]:
    """Signing in, and the chat page, as an app listening on plain HTTP (behind a TLS proxy)."""
    runtime.settings = runtime.settings.model_copy(update={"env": env, "public_url": None})
    async with runtime.sessions.begin() as session:
        await create_staff(
            session,
            username="admin",
            display_name="Admin",
            role="admin",
            organisation=None,
            known_organisations=frozenset(),
            password=PASSWORD,
        )
    app = create_server_app(runtime, base_url="http://127.0.0.1:8000")
    transport = httpx.ASGITransport(app=app)
    # The proxy's outside address: a client keeps Secure cookies for https only.
    async with httpx.AsyncClient(transport=transport, base_url="https://helpline.test") as client:
        signed_in = await _sign_in(client)
        chat = await client.get("/chat")
    return signed_in, chat


async def test_production_cookies_are_secure_with_hsts_and_no_framing(runtime: Runtime) -> None:
    signed_in, chat = await _served(runtime, "production")
    assert signed_in.status_code == 303, signed_in.text
    staff_cookie = _cookie_lines(signed_in)["helpline_staff"]
    assert "; secure" in staff_cookie and "httponly" in staff_cookie
    assert signed_in.headers["strict-transport-security"] == "max-age=31536000"
    assert signed_in.headers["x-frame-options"] == "DENY"
    # The chat page keeps its own frame policy; HSTS covers it as every other response.
    assert chat.headers["strict-transport-security"] == "max-age=31536000"
    assert "x-frame-options" not in chat.headers


async def test_development_over_http_has_neither(runtime: Runtime) -> None:
    signed_in, _ = await _served(runtime, "development")
    assert "; secure" not in _cookie_lines(signed_in)["helpline_staff"]
    assert "strict-transport-security" not in signed_in.headers
    assert signed_in.headers["x-frame-options"] == "DENY"  # the dashboard never frames
