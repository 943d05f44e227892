"""Long messages: understood by their beginning, searched for danger to their end."""

from __future__ import annotations

import pytest

from bot.dialogue.danger import DangerKind
from bot.dialogue.reading import CHUNK_CHARS, READ_CHARS, danger_in_rest, read
from bot.messages import ChannelKind

STORY = "gaji saya belum dibayar tiga bulan, majikan bilang nanti saja. "
DANGER = "majikan kunci saya di kamar"


def _story(chars: int) -> str:
    return (STORY * (chars // len(STORY) + 1))[:chars]


def test_a_message_within_the_limit_is_read_whole() -> None:
    reading = read(STORY, ChannelKind.WHATSAPP)
    assert reading.text == STORY and not reading.cut


@pytest.mark.parametrize("channel", list(ChannelKind))
def test_a_long_message_is_read_up_to_its_channels_limit_and_kept_whole(channel: str) -> None:
    text = _story(100_000)
    reading = read(text, channel)
    assert reading.cut
    assert len(reading.text) <= READ_CHARS[channel]
    assert reading.text + reading.rest == text  # nothing dropped
    assert reading.text.endswith(" ") or reading.rest.startswith(" ")  # cut after a word


def test_danger_at_the_end_of_a_long_message_is_found() -> None:
    reading = read(_story(100_000) + ". " + DANGER, ChannelKind.WHATSAPP)
    assert DANGER not in reading.text
    found = danger_in_rest(reading)
    assert found is not None and found.kind is DangerKind.EMERGENCY


def test_danger_across_the_cut_and_across_chunks_is_found() -> None:
    limit = READ_CHARS[ChannelKind.WEB]
    for position in (limit - 10, limit + CHUNK_CHARS - 12, limit + 2 * CHUNK_CHARS - 400):
        text = _story(position) + ". " + DANGER + ". " + _story(20_000)
        reading = read(text, ChannelKind.WEB)
        assert DANGER not in reading.text, position
        assert danger_in_rest(reading) is not None, position


def test_a_long_story_without_danger_has_none() -> None:
    assert danger_in_rest(read(_story(100_000), ChannelKind.TELEGRAM)) is None
    assert danger_in_rest(read(STORY, ChannelKind.TELEGRAM)) is None
