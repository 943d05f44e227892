"""/chat/widget.js: the script a partner organisation adds to its site (README, "Embedding").

Which sites may show the chat is HELPLINE_WEB_CHAT_ORIGINS (the chat page's frame-ancestors);
the script itself is public, like any script on a web page.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.i18n import translator
from bot.intents import LANGUAGES

_PLACEHOLDER = "/*STRINGS*/"
_SOURCE = Path(__file__).resolve().parent / "static" / "widget.js"


def widget_route() -> BaseRoute:
    return Route("/chat/widget.js", widget, methods=["GET"], name="chat_widget")


async def widget(request: Request) -> Response:
    return Response(
        _script(),
        media_type="text/javascript",
        headers={
            "Cache-Control": "public, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            # Loaded by partners' pages, which may demand it (Cross-Origin-Embedder-Policy).
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


@cache
def _script() -> str:
    strings: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        _ = translator(lang).gettext
        strings[lang] = {
            "open": _("Chat with the helpline"),
            "close": _("Close the chat"),
            "title": _("Helpline chat"),
        }
    source = _SOURCE.read_text(encoding="utf-8")
    return source.replace(_PLACEHOLDER, json.dumps(strings, ensure_ascii=False))
