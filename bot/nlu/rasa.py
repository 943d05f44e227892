"""A Rasa server as the NLU backend: `POST {url}/model/parse`, mapped to our typed result.

Every httpx error, timeout, non-200 answer or malformed body becomes NluError here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from types import TracebackType
from typing import Any

import httpx

from bot.nlu.classifier import OUT_OF_SCOPE
from bot.nlu.entities import extract_entities
from bot.nlu.types import Entity, IntentScore, NluError, NluResult

# Rasa's FallbackClassifier answers with this intent when nothing is confident enough.
RASA_FALLBACK = "nlu_fallback"
DEFAULT_TIMEOUT = 5.0


class RasaNlu:
    def __init__(
        self,
        url: str,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.AsyncClient | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._endpoint = url.rstrip("/") + "/model/parse"
        self._timeout = timeout
        self._own_client = client is None
        self._client = client or httpx.AsyncClient()
        self._today = today

    async def parse(self, text: str) -> NluResult:
        try:
            response = await self._client.post(
                self._endpoint, json={"text": text}, timeout=self._timeout
            )
        except httpx.TimeoutException as exc:
            raise NluError(f"Rasa did not answer within {self._timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise NluError(f"cannot reach Rasa: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise NluError(f"Rasa answered HTTP {response.status_code}")
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise NluError("Rasa answered with a body that is not JSON") from exc
        try:
            return self._result(text, body)
        except (KeyError, TypeError, ValueError) as exc:
            raise NluError(f"unexpected Rasa answer: {exc!r}") from exc

    def _result(self, text: str, body: Any) -> NluResult:
        if not isinstance(body, Mapping):
            raise TypeError("the answer is not a JSON object")
        intent = _score(body.get("intent") or {"name": None, "confidence": 0.0})
        ranking = tuple(_score(r) for r in body.get("intent_ranking") or ())
        if not ranking:
            ranking = (intent,)
        ours = extract_entities(text, self._today())
        return NluResult(text, intent, ranking, _merge(ours, body.get("entities") or (), text))

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    async def __aenter__(self) -> RasaNlu:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _score(raw: Any) -> IntentScore:
    if not isinstance(raw, Mapping):
        raise TypeError("an intent is not a JSON object")
    name = raw.get("name")
    confidence = float(raw.get("confidence", 0.0))
    if name is None or name == RASA_FALLBACK:
        name = OUT_OF_SCOPE
    if not isinstance(name, str):
        raise TypeError("an intent name is not a string")
    return IntentScore(name, confidence)


def _merge(ours: tuple[Entity, ...], theirs: Any, text: str) -> tuple[Entity, ...]:
    """Our entities always; Rasa's only of other types and where they overlap none of ours."""
    kinds = {"country", "money", "date", "duration", "phone"}
    merged = list(ours)
    for raw in theirs:
        if not isinstance(raw, Mapping) or raw.get("entity") in kinds:
            continue
        start, end = int(raw["start"]), int(raw["end"])
        if not (0 <= start <= end <= len(text)):
            continue
        if any(start < e.end and e.start < end for e in merged):
            continue
        merged.append(
            Entity(str(raw["entity"]), str(raw.get("value")), text[start:end], start, end)
        )
    return tuple(sorted(merged, key=lambda e: (e.start, e.end)))
