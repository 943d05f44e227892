"""The embedded intent classifier: a linear SVM on word, character and word-pair features."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from bot.nlu.data import Example
from bot.nlu.features import BlockSpec, Featurizer, default_blocks
from bot.nlu.normalize import normalize
from bot.nlu.types import IntentScore

OUT_OF_SCOPE = "out_of_scope"

# Below this confidence the top intent counts as not understood (out of scope): the highest
# threshold within 0.5 points of the best 5-fold cross-validated accuracy on nlu_data/
# (`bench/nlu.py --cv-threshold`), never tuned on bench/heldout.
DEFAULT_THRESHOLD = 0.22

# Softmax temperature turning SVM margins into confidences; chosen on CLINC150's val split.
TEMPERATURE = 0.2


# A message of which less than this share of the n-grams of every feature block was seen in
# training says nothing about any intent ("xqzv pltk", "wkwkwk", "🙏"): all intents tie, so
# the confidence falls below any sensible threshold and the message counts as not understood.
MIN_KNOWN = 0.4


@dataclass(frozen=True, slots=True)
class ClassifierConfig:
    c: float = 1.0
    temperature: float = TEMPERATURE
    blocks: tuple[BlockSpec, ...] = ()

    def specs(self) -> tuple[BlockSpec, ...]:
        return self.blocks or default_blocks()


class IntentClassifier:
    """Ranks intents for a message; `out_of_scope` (or `oos`) is just another class here."""

    def __init__(
        self,
        featurizer: Featurizer,
        classes: Sequence[str],
        weights: npt.NDArray[np.float32],
        intercept: npt.NDArray[np.float64],
        temperature: float,
        trained_on: int = 0,
    ) -> None:
        self._featurizer = featurizer
        self.trained_on = trained_on
        self.feature_count = featurizer.size
        self.classes: tuple[str, ...] = tuple(classes)
        self._weights = weights  # (n_features, n_classes): rows gathered per message
        self._intercept = intercept
        self._temperature = temperature

    @classmethod
    def train(
        cls, examples: Sequence[Example], config: ClassifierConfig | None = None
    ) -> IntentClassifier:
        config = config or ClassifierConfig()
        labels = sorted({e.intent for e in examples})
        if len(labels) < 2:
            raise ValueError("training needs examples of at least two intents")
        texts = [normalize(e.text) for e in examples]
        featurizer, matrix = Featurizer.fit(texts, config.specs())
        y = np.array([labels.index(e.intent) for e in examples])
        svm = LinearSVC(C=config.c, max_iter=5000, random_state=0)
        with warnings.catch_warnings():
            # liblinear may stop a hair short of its tolerance; the model is still usable.
            warnings.simplefilter("ignore", ConvergenceWarning)
            svm.fit(matrix, y)
        coef = np.asarray(svm.coef_, dtype=np.float64)
        intercept = np.asarray(svm.intercept_, dtype=np.float64)
        if len(labels) == 2:  # a binary SVM has one margin: score the classes as -m and +m
            coef, intercept = np.vstack([-coef, coef]) / 2, np.hstack([-intercept, intercept]) / 2
        weights = np.ascontiguousarray(coef.T, dtype=np.float32)
        return cls(featurizer, labels, weights, intercept, config.temperature, len(examples))

    def probabilities(self, text: str) -> npt.NDArray[np.float64]:
        indices, values, known = self._featurizer.vector(normalize(text))
        if known < MIN_KNOWN:  # gibberish, emoji, another script: no evidence for any intent
            return np.full(len(self.classes), 1.0 / len(self.classes))
        margins = values @ self._weights[indices] + self._intercept
        return _softmax(margins / self._temperature)

    def rank(self, text: str) -> tuple[IntentScore, ...]:
        """All intents, most likely first."""
        probs = self.probabilities(text)
        # Ties (a message without evidence) go to the class the model favours a priori.
        order = np.lexsort((-self._intercept, -probs))
        return tuple(IntentScore(self.classes[i], float(probs[i])) for i in order)

    def top(self, text: str) -> IntentScore:
        probs = self.probabilities(text)
        best = int(np.lexsort((-self._intercept, -probs))[0])
        return IntentScore(self.classes[best], float(probs[best]))


def _softmax(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    e = np.exp(x - x.max())
    result: npt.NDArray[np.float64] = e / e.sum()
    return result
