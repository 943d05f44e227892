from __future__ import annotations

import pytest
from starlette.requests import Request

from bot.web.language import accepted_languages, choose_language


def request(query: str = "", accept_language: str | None = None) -> Request:
    headers = [] if accept_language is None else [(b"accept-language", accept_language.encode())]
    return Request({"type": "http", "query_string": query.encode(), "headers": headers})


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("", None, "id"),
        ("lang=en", "id-ID", "en"),
        ("lang=id", "en-US", "id"),
        ("lang=xx", "en-GB,en;q=0.9", "en"),
        ("", "en-US,en;q=0.9,id;q=0.8", "en"),
        ("", "fr-FR,en;q=0.5,id;q=0.7", "id"),
        ("", "in-ID", "id"),  # older Android
        ("", "zh-TW, en;q=0", "id"),
        ("", "ms-MY", "id"),
    ],
)
def test_choose_language(query: str, header: str | None, expected: str) -> None:
    assert choose_language(request(query, header)) == expected


def test_accepted_languages_orders_by_quality_and_skips_junk() -> None:
    header = "en;q=0.5, id-ID, ;q=1, fr;q=abc, de;q=0, EN-gb;q=0.5"
    assert accepted_languages(header) == ["id-id", "en", "en-gb"]
