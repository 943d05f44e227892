"""The public surface of bot.content: what the engine and the CLI may import."""

from __future__ import annotations

import dataclasses
import inspect

import bot.content


def test_exported_members() -> None:
    assert set(bot.content.__all__) == {
        "Answer",
        "Content",
        "ContentError",
        "MenuItem",
        "Problem",
        "Severity",
        "Source",
        "check",
    }
    for name in bot.content.__all__:
        assert hasattr(bot.content, name)


def test_shapes() -> None:
    fields = {f.name for f in dataclasses.fields(bot.content.Answer)}
    assert fields == {"intent", "text", "country_specific", "country", "sources", "reviewed"}
    assert {f.name for f in dataclasses.fields(bot.content.MenuItem)} == {
        "number",
        "label",
        "intent",
    }
    assert {f.name for f in dataclasses.fields(bot.content.Problem)} == {
        "path",
        "line",
        "message",
        "severity",
    }
    methods = {
        "load",
        "answer",
        "has_answer",
        "emergency",
        "menu",
        "country_codes",
        "country_label",
    }
    assert methods <= {n for n, _ in inspect.getmembers(bot.content.Content)}
    assert issubclass(bot.content.ContentError, Exception)
