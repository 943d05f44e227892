"""Which language a page is shown in: ``?lang=``, else the browser's Accept-Language."""

from __future__ import annotations

from starlette.requests import Request

from bot.i18n import DEFAULT_LANGUAGE
from bot.intents import LANGUAGES

# Older Android phones still send the withdrawn ISO code "in" for Indonesian.
_ALIASES = {"in": "id"}


def choose_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    for tag in accepted_languages(request.headers.get("accept-language", "")):
        primary = tag.split("-", 1)[0]
        primary = _ALIASES.get(primary, primary)
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def accepted_languages(header: str) -> list[str]:
    """The tags of an Accept-Language header, lower-cased, most wanted first, q=0 left out."""
    weighted: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if quality > 0:
            weighted.append((quality, tag))
    # sorted() is stable, so equal weights keep the browser's order.
    return [tag for _, tag in sorted(weighted, key=lambda item: -item[0])]
