"""The call advice officers see first on a case, from the complaint's answers."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cases.contact import call_advice

PHONE = {"phone": "+60123456789"}


@pytest.mark.parametrize(
    ("record", "may_call", "text"),
    [
        ({"call_safe": "not_safe"}, False, "⚠ Do not call. Reply only in chat."),
        ({"call_safe": "not_safe", **PHONE}, False, "⚠ Do not call. Reply only in chat."),
        ({"call_safe": "yes_any_time"}, False, "No phone number given. Reply only in chat."),
        (
            {"call_safe": "some_times", "call_when": " evenings\nafter 21:00", **PHONE},
            True,
            "Call OK: only evenings after 21:00; ask before leaving a message",
        ),
        (
            {"call_safe": "yes_any_time", "leave_message": "text_only", **PHONE},
            True,
            "Call OK: any time; no voicemail; SMS/WhatsApp OK",
        ),
        (
            {"call_safe": "yes_any_time", "leave_message": "none", **PHONE},
            True,
            "Call OK: any time; leave no message",
        ),
        (
            {"call_safe": None, **PHONE},
            False,
            "⚠ Call safety unknown. Ask in chat before calling.",
        ),
    ],
)
def test_advice(record: dict[str, Any], may_call: bool, text: str) -> None:
    advice = call_advice(record)
    assert advice is not None
    assert (advice.may_call, advice.text) == (may_call, text)


def test_no_advice_where_the_complaint_did_not_ask() -> None:
    assert call_advice(None) is None
    assert call_advice({"phone": "+60123456789"}) is None


def test_the_cli_form_leaves_out_the_workers_words() -> None:
    record = {"call_safe": "some_times", "call_when": "after my employer sleeps", **PHONE}
    advice = call_advice(record, words=False)
    assert advice is not None and "employer" not in advice.text and advice.may_call
