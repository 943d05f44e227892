from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.nlu.rasa import RasaNlu
from bot.nlu.types import IntentScore, NluError
from tests.nlu.conftest import TODAY

TEXT = "sy di taiwan gaji NT$20.000 blm dibayar"


def answer(body: Any, status: int = 200) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.url.path == "/model/parse"
        assert json.loads(request.content) == {"text": TEXT}
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def rasa(transport: httpx.MockTransport) -> RasaNlu:
    client = httpx.AsyncClient(transport=transport)
    return RasaNlu("http://rasa:5005/", timeout=1.0, client=client, today=lambda: TODAY)


RASA_ANSWER = {
    "text": TEXT,
    "intent": {"name": "wages_unpaid", "confidence": 0.91},
    "intent_ranking": [
        {"name": "wages_unpaid", "confidence": 0.91},
        {"name": "working_conditions", "confidence": 0.05},
    ],
    "entities": [
        {"entity": "employer", "start": 0, "end": 2, "value": "sy", "extractor": "DIET"},
        {"entity": "country", "start": 6, "end": 12, "value": "Taiwan", "extractor": "DIET"},
    ],
}


async def test_maps_a_rasa_answer() -> None:
    result = await rasa(answer(RASA_ANSWER)).parse(TEXT)
    assert result.intent == IntentScore("wages_unpaid", 0.91)
    assert result.ranking[1] == IntentScore("working_conditions", 0.05)
    kinds = {e.type: e.value for e in result.entities}
    assert kinds["country"] == "TW"  # ours, not Rasa's string
    assert "phone" not in kinds
    assert str(kinds["money"]) == "Money(amount=Decimal('20000'), currency='TWD')"
    assert kinds["employer"] == "sy"  # Rasa's own types are kept


async def test_fallback_intent_is_out_of_scope() -> None:
    body = {
        "text": TEXT,
        "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [],
        "entities": [],
    }
    result = await rasa(answer(body)).parse(TEXT)
    assert result.intent == IntentScore("out_of_scope", 0.3)
    assert result.ranking == (result.intent,)


async def test_server_error_is_an_nlu_error() -> None:
    with pytest.raises(NluError, match="HTTP 500"):
        await rasa(answer({"error": "boom"}, status=500)).parse(TEXT)


async def test_timeout_is_an_nlu_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(NluError, match="did not answer within 1 s"):
        await rasa(httpx.MockTransport(slow)).parse(TEXT)


async def test_connection_error_is_an_nlu_error() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(NluError, match="cannot reach Rasa: ConnectError"):
        await rasa(httpx.MockTransport(down)).parse(TEXT)


@pytest.mark.parametrize(
    "body",
    [
        b"<html>not json</html>",
        [1, 2, 3],
        {"intent": {"name": 3, "confidence": 0.5}},
        {"intent": {"name": "greet", "confidence": "high"}},
        {"intent": "greet"},
        {"intent": {"name": "greet", "confidence": 1}, "entities": [{"entity": "x"}]},
    ],
)
async def test_malformed_answer_is_an_nlu_error(body: Any) -> None:
    with pytest.raises(NluError):
        await rasa(answer(body)).parse(TEXT)


async def test_owns_and_closes_its_client() -> None:
    async with RasaNlu("http://localhost:1") as backend:
        with pytest.raises(NluError):
            await backend.parse("halo")
