"""The chat in a partner's site: which origins may frame it (HELPLINE_WEB_CHAT_ORIGINS), and the
widget script they add."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings
from bot.web import create_app
from bot.web.chat import ChatOptions
from tests.web.conftest import EchoReceiver, serve


def frame_ancestors(csp: str) -> str:
    [directive] = [d.strip() for d in csp.split(";") if d.strip().startswith("frame-ancestors")]
    return directive


async def test_without_partners_nobody_may_frame_the_chat(echo_engine: EchoReceiver) -> None:
    async with serve(create_app(echo_engine)) as client:
        csp = (await client.get("/chat")).headers["content-security-policy"]
    assert frame_ancestors(csp) == "frame-ancestors 'none'"


async def test_the_chat_page_may_be_framed_by_exactly_the_configured_origins(
    echo_engine: EchoReceiver,
) -> None:
    settings = load_settings(web_chat_origins="https://ngo.example.org, https://sbmi.example.net/")
    options = ChatOptions(frame_origins=settings.web_chat_origin_list)
    async with serve(create_app(echo_engine, chat=options)) as client:
        for path in ("/chat", "/chat?embed=1&organisation=migrantcare"):
            csp = (await client.get(path)).headers["content-security-policy"]
            assert frame_ancestors(csp) == (
                "frame-ancestors https://ngo.example.org https://sbmi.example.net"
            )


@pytest.mark.parametrize(
    "value", ["ngo.example.org", "https://ngo.example.org/chat", "https://*.example.org", "x"]
)
def test_a_wrong_origin_is_refused_naming_the_setting(value: str) -> None:
    with pytest.raises(SettingsError, match="HELPLINE_WEB_CHAT_ORIGINS"):
        load_settings(web_chat_origins=value)


async def test_the_widget_script_opens_the_chat_in_a_frame(echo_engine: EchoReceiver) -> None:
    async with serve(create_app(echo_engine)) as client:
        response = await client.get("/chat/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    script = response.text
    assert "/*STRINGS*/" not in script and '"Chat with the helpline"' in script
    assert "embed=1" in script and "data-organisation" in script
