"""The in-process NLU backend: the intent classifier plus the rule-based entities."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bot.nlu import cache
from bot.nlu.classifier import DEFAULT_THRESHOLD, OUT_OF_SCOPE, ClassifierConfig, IntentClassifier
from bot.nlu.data import DataError, Example, load_rasa
from bot.nlu.entities import extract_entities
from bot.nlu.types import IntentScore, NluError, NluResult

RANKING_SIZE = 10


class EmbeddedNlu:
    """`parse(text)` without a server: well under a millisecond a message, in a thread."""

    def __init__(
        self,
        classifier: IntentClassifier,
        threshold: float = DEFAULT_THRESHOLD,
        out_of_scope: str = OUT_OF_SCOPE,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.classifier = classifier
        self.threshold = threshold
        self.out_of_scope = out_of_scope
        self._today = today

    @classmethod
    def from_examples(
        cls,
        examples: Sequence[Example],
        threshold: float = DEFAULT_THRESHOLD,
        config: ClassifierConfig | None = None,
    ) -> EmbeddedNlu:
        """Train in memory, without the cache."""
        try:
            return cls(IntentClassifier.train(examples, config), threshold)
        except ValueError as exc:
            raise NluError(str(exc)) from exc

    @classmethod
    def train(
        cls, data_dir: Path, cache_dir: Path | None = None, threshold: float = DEFAULT_THRESHOLD
    ) -> EmbeddedNlu:
        """Train from Rasa YAML under `data_dir` (always) and cache the model in `cache_dir`."""
        key = cache.files_key(data_dir)  # before reading: a file changed meanwhile retrains
        nlu = cls.from_examples(_examples(data_dir), threshold)
        if cache_dir is not None:
            cache.save(cache_dir, key, nlu.classifier)
        return nlu

    @classmethod
    def load_or_train(
        cls, data_dir: Path, cache_dir: Path, threshold: float = DEFAULT_THRESHOLD
    ) -> EmbeddedNlu:
        """The model cached for these training files and code, or a new one (a few seconds),
        then cached. A cached model is found by the files' hash: the YAML is not parsed."""
        key = cache.files_key(data_dir)
        classifier = cache.load(cache_dir, key, IntentClassifier)
        if classifier is None:
            classifier = cls.from_examples(_examples(data_dir), threshold).classifier
            cache.save(cache_dir, key, classifier)
        nlu = cls(classifier, threshold)
        nlu.parse_sync("warm up")  # first-call costs (imports, caches) before real traffic
        return nlu

    def describe(self) -> str:
        c = self.classifier
        return (
            f"{len(c.classes)} intents from {c.trained_on} examples, {c.feature_count} features,"
            f" threshold {self.threshold:g}"
        )

    def parse_sync(self, text: str) -> NluResult:
        if not text.strip():
            return NluResult(text, IntentScore(self.out_of_scope, 1.0), (), ())
        ranking = self.classifier.rank(text)[:RANKING_SIZE]
        top = ranking[0]
        # Not understood: report how sure we are of that, 1 - the best intent's confidence.
        intent = (
            top
            if top.confidence >= self.threshold
            else IntentScore(self.out_of_scope, 1.0 - top.confidence)
        )
        return NluResult(text, intent, ranking, extract_entities(text, self._today()))

    async def parse(self, text: str) -> NluResult:
        # Under a millisecond for a chat message, but a long one takes longer: in a thread, so
        # that it never holds the event loop (and other workers' replies).
        return await asyncio.to_thread(self.parse_sync, text)


def _examples(data_dir: Path) -> list[Example]:
    try:
        examples = load_rasa(data_dir)
    except DataError as exc:
        raise NluError(f"cannot load NLU training data: {exc}") from exc
    if len({e.intent for e in examples}) < 2:
        raise NluError(f"{data_dir}: training needs examples of at least two intents")
    return examples
