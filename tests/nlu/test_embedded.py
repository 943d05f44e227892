from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.nlu import cache
from bot.nlu.classifier import IntentClassifier
from bot.nlu.embedded import EmbeddedNlu
from bot.nlu.types import Money, NluBackend, NluError
from tests.nlu.conftest import TODAY, write_rasa_dir


@pytest.fixture
def nlu(classifier: IntentClassifier) -> EmbeddedNlu:
    return EmbeddedNlu(classifier, threshold=0.3, today=lambda: TODAY)


def test_is_an_nlu_backend(nlu: EmbeddedNlu) -> None:
    backend: NluBackend = nlu
    assert backend is nlu


async def test_parse_combines_intent_and_entities(nlu: EmbeddedNlu) -> None:
    result = await nlu.parse("gaji sy RM1500 blm dibayar 3 bulan di malaysia")
    assert result.intent.name == "wages_unpaid"
    assert result.ranking[0] == result.intent
    money = result.entity("money")
    assert money is not None and money.value == Money(Decimal(1500), "MYR")
    country = result.entity("country")
    assert country is not None and country.value == "MY"


def test_below_threshold_is_out_of_scope(classifier: IntentClassifier) -> None:
    top = classifier.top("gaji telat")
    assert top.name == "wages_unpaid"
    result = EmbeddedNlu(classifier, threshold=top.confidence + 1e-9).parse_sync("gaji telat")
    assert result.intent.name == "out_of_scope"
    assert result.ranking[0].name == "wages_unpaid"  # the ranking still says what it was
    assert result.intent.confidence == pytest.approx(1 - top.confidence)
    assert EmbeddedNlu(classifier, threshold=top.confidence).parse_sync("gaji telat").intent == top


def test_blank_message(nlu: EmbeddedNlu) -> None:
    result = nlu.parse_sync("  ")
    assert result.intent.name == "out_of_scope" and result.entities == ()


def test_load_or_train_caches_the_model(tmp_path: Path) -> None:
    data = write_rasa_dir(tmp_path / "nlu_data")
    cache_dir = tmp_path / "cache"
    first = EmbeddedNlu.load_or_train(data, cache_dir)
    files = list(cache_dir.glob("intents-*.pkl"))
    assert len(files) == 1
    mtime = files[0].stat().st_mtime_ns
    second = EmbeddedNlu.load_or_train(data, cache_dir)  # loads: no new file, same answers
    assert [p.stat().st_mtime_ns for p in cache_dir.glob("intents-*.pkl")] == [mtime]
    for text in ("gaji blm dibayar", "halo", "cuaca besok"):
        assert second.parse_sync(text).ranking == first.parse_sync(text).ranking


def test_changed_data_retrains_and_replaces_the_cache(tmp_path: Path) -> None:
    data = write_rasa_dir(tmp_path / "nlu_data")
    cache_dir = tmp_path / "cache"
    EmbeddedNlu.load_or_train(data, cache_dir)
    old = {p.name for p in cache_dir.glob("intents-*.pkl")}
    with (data / "id" / "main.yml").open("a", encoding="utf-8") as f:
        f.write("    - gaji sy dipotong agen\n")
    EmbeddedNlu.load_or_train(data, cache_dir)
    new = {p.name for p in cache_dir.glob("intents-*.pkl")}
    assert len(new) == 1 and new != old


def test_train_always_trains_and_refreshes_the_cache(tmp_path: Path) -> None:
    data = write_rasa_dir(tmp_path / "nlu_data")
    cache_dir = tmp_path / "cache"
    nlu = EmbeddedNlu.train(data, cache_dir)
    assert "3 intents from 48 examples" in nlu.describe()
    (path,) = cache_dir.glob("intents-*.pkl")
    path.write_bytes(b"stale")
    EmbeddedNlu.train(data, cache_dir)
    assert path.read_bytes() != b"stale"
    loaded = EmbeddedNlu.load_or_train(data, cache_dir)
    assert (
        loaded.parse_sync("gaji blm dibayar").ranking == nlu.parse_sync("gaji blm dibayar").ranking
    )


def test_from_examples_needs_two_intents() -> None:
    from bot.nlu.data import Example

    with pytest.raises(NluError, match="two intents"):
        EmbeddedNlu.from_examples([Example("halo", "greet")])


def test_corrupt_cache_is_retrained(tmp_path: Path) -> None:
    data = write_rasa_dir(tmp_path / "nlu_data")
    cache_dir = tmp_path / "cache"
    EmbeddedNlu.load_or_train(data, cache_dir)
    (path,) = cache_dir.glob("intents-*.pkl")
    path.write_bytes(b"not a pickle")
    assert EmbeddedNlu.load_or_train(data, cache_dir).parse_sync("halo").intent.name == "greet"


def test_cache_key_depends_on_code_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.nlu.data import Example

    examples = [Example("halo", "greet", "id")]
    key = cache.data_key(examples)
    monkeypatch.setattr(cache, "code_version", lambda: "something else")
    assert cache.data_key(examples) != key


def test_bad_training_data_is_an_nlu_error(tmp_path: Path) -> None:
    (tmp_path / "id").mkdir()
    (tmp_path / "id" / "x.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    halo\n")
    with pytest.raises(NluError, match=r"x\.yml:4"):
        EmbeddedNlu.load_or_train(tmp_path, tmp_path / "cache")


def test_no_training_data_is_an_nlu_error(tmp_path: Path) -> None:
    with pytest.raises(NluError, match="two intents"):
        EmbeddedNlu.load_or_train(tmp_path, tmp_path / "cache")


async def test_parse_runs_off_the_event_loop(classifier: IntentClassifier) -> None:
    """A long message's parse never holds the event loop: it runs in another thread."""
    threads: list[int] = []

    def today() -> date:
        threads.append(threading.get_ident())
        return TODAY

    await EmbeddedNlu(classifier, threshold=0.3, today=today).parse("gaji saya " * 500)
    assert threads and threading.get_ident() not in threads
