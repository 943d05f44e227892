"""Who is writing on the web chat: a conversation token the server issues, never the client.

A token is 192 random bits and a MAC of them under a key only the server has, so a client can
neither choose nor guess one; the random part is the worker's id on the "web" channel. The
page keeps it in an HttpOnly cookie; an API client may send it as `Authorization: Bearer`.

Cookies: `SameSite=Lax` on the helpline's own page; in an NGO's page (the widget's iframe) the
browser sends only `SameSite=None; Secure` cookies, kept per embedding site (`Partitioned`).
Browsers take `Secure` cookies from https pages, and from http://localhost or 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "helpline_chat"
COOKIE_PATH = "/chat"
MAX_AGE = 90 * 24 * 3600  # renewed on every visit to the page
_RANDOM_BYTES = 24
_TOKEN = re.compile(r"([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{22})")


@dataclass(frozen=True)
class Identity:
    """Issues and checks conversation tokens; `secure`: cookies only over https (production)."""

    secret: str
    secure: bool = False

    def issue(self) -> str:
        random = secrets.token_urlsafe(_RANDOM_BYTES)
        return f"{random}.{self._mac(random)}"

    def user_id(self, token: str | None) -> str | None:
        """The worker's id on the web channel, if `token` is one this server issued."""
        found = _TOKEN.fullmatch(token or "")
        if found is None or not hmac.compare_digest(found.group(2), self._mac(found.group(1))):
            return None
        return f"web-{found.group(1)}"

    def token(self, request: Request) -> str | None:
        """The token a request carries (the cookie, or a bearer header), if it is valid."""
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        candidates = [value.strip()] if scheme.lower() == "bearer" else []
        candidates.append(request.cookies.get(COOKIE, ""))
        return next((c for c in candidates if self.user_id(c) is not None), None)

    def set_cookie(self, response: Response, token: str, *, embedded: bool) -> None:
        if embedded:
            # A third-party iframe: only SameSite=None cookies are sent there, and only Secure
            # ones are accepted; Partitioned keeps it to this embedding site (Chrome's CHIPS).
            response.set_cookie(
                COOKIE,
                token,
                max_age=MAX_AGE,
                path=COOKIE_PATH,
                httponly=True,
                secure=True,
                samesite="none",
            )
            _partitioned(response)
            return
        response.set_cookie(
            COOKIE,
            token,
            max_age=MAX_AGE,
            path=COOKIE_PATH,
            httponly=True,
            secure=self.secure,
            samesite="lax",
        )

    def forget(self, response: Response, *, embedded: bool) -> None:
        """Quick exit: the browser drops the token (the conversation stays on the server)."""
        response.delete_cookie(
            COOKIE,
            path=COOKIE_PATH,
            httponly=True,
            secure=embedded or self.secure,
            samesite="none" if embedded else "lax",
        )
        if embedded:
            _partitioned(response)

    def _mac(self, random: str) -> str:
        digest = hmac.new(self.secret.encode(), random.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:22]


def _partitioned(response: Response) -> None:
    # Starlette sets `partitioned` only on Python 3.14 and later: added by hand.
    headers = response.raw_headers
    for index in range(len(headers) - 1, -1, -1):
        name, value = headers[index]
        if name == b"set-cookie" and value.startswith(COOKIE.encode() + b"="):
            if b"partitioned" not in value.lower():
                headers[index] = (name, value + b"; Partitioned")
            return
