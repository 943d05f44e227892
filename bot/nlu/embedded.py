"""The in-process NLU backend: the intent classifier plus the rule-based entities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bot.nlu.cache import data_key, load_or_build
from bot.nlu.classifier import DEFAULT_THRESHOLD, OUT_OF_SCOPE, ClassifierConfig, IntentClassifier
from bot.nlu.data import DataError, Example, load_rasa
from bot.nlu.entities import extract_entities
from bot.nlu.types import IntentScore, NluError, NluResult

RANKING_SIZE = 10


class EmbeddedNlu:
    """`parse(text)` without a server: well under a millisecond a message."""

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
    def train(
        cls,
        examples: Sequence[Example],
        threshold: float = DEFAULT_THRESHOLD,
        config: ClassifierConfig | None = None,
    ) -> EmbeddedNlu:
        return cls(IntentClassifier.train(examples, config), threshold)

    @classmethod
    def load_or_train(
        cls, data_dir: Path, cache_dir: Path, threshold: float = DEFAULT_THRESHOLD
    ) -> EmbeddedNlu:
        """Load the model cached for this data and code, or train it (a few seconds) and cache it."""
        try:
            examples = load_rasa(data_dir)
        except DataError as exc:
            raise NluError(f"cannot load NLU training data: {exc}") from exc
        if len({e.intent for e in examples}) < 2:
            raise NluError(f"{data_dir}: training needs examples of at least two intents")
        classifier = load_or_build(
            cache_dir, data_key(examples), lambda: IntentClassifier.train(examples), IntentClassifier
        )
        nlu = cls(classifier, threshold)
        nlu.parse_sync("warm up")  # first-call costs (imports, caches) before real traffic
        return nlu

    def parse_sync(self, text: str) -> NluResult:
        if not text.strip():
            return NluResult(text, IntentScore(self.out_of_scope, 1.0), (), ())
        ranking = self.classifier.rank(text)[:RANKING_SIZE]
        top = ranking[0]
        # Not understood: report how sure we are of that, 1 - the best intent's confidence.
        intent = top if top.confidence >= self.threshold else IntentScore(
            self.out_of_scope, 1.0 - top.confidence
        )
        return NluResult(text, intent, ranking, extract_entities(text, self._today()))

    async def parse(self, text: str) -> NluResult:
        # Sub-millisecond CPU work: cheaper inline than handing it to a thread.
        return self.parse_sync(text)
