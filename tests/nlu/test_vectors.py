from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.classifier import ClassifierConfig, IntentClassifier
from bot.nlu.data import Example
from bot.nlu.vectors import sentence_vectors


def test_vectors_have_unit_length() -> None:
    vectors = sentence_vectors().encode(["my salary was not paid", "paspor saya ditahan agen"])
    assert vectors.shape == (2, sentence_vectors().size)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    assert sentence_vectors().encode([]).shape == (0, sentence_vectors().size)


def test_near_meanings_are_near() -> None:
    salary, wages, recipe = sentence_vectors().encode(
        ["my salary was not paid", "the employer owes me wages", "a recipe for fried rice"]
    )
    assert salary @ wages > salary @ recipe + 0.2


# The messages below share no content word with these: only the vectors relate "earnings"
# to "salary", or "pilot" to "flight".
WAGES = ["my salary was not paid", "the boss owes me money for my work", "no pay this month"]
FLIGHT = ["when does the plane leave", "i want to book a flight", "airport departure time"]


def _train(share: float) -> IntentClassifier:
    examples = [Example(t, "wages_unpaid", "en") for t in WAGES] + [
        Example(t, "travel", "en") for t in FLIGHT
    ]
    return IntentClassifier.train(examples, ClassifierConfig(sparse_share=share))


@pytest.mark.parametrize(
    ("text", "intent"),
    [("the boss never gave my earnings", "wages_unpaid"), ("the pilot of the airline", "travel")],
)
def test_vectors_alone_understand_words_never_trained_on(text: str, intent: str) -> None:
    assert _train(0.0).top(text).name == intent


def test_the_mix_is_a_distribution_between_its_parts() -> None:
    text = "the pilot of the airline"
    sparse, vectors, mixed = (_train(s).probabilities(text) for s in (1.0, 0.0, 0.5))
    assert mixed == pytest.approx(0.5 * sparse + 0.5 * vectors)
    assert mixed.sum() == pytest.approx(1.0)


def test_the_vectors_are_model2vecs() -> None:
    """The table is read without model2vec at run time, but encodes exactly as it does."""
    from model2vec import StaticModel

    from bot.nlu.vectors import VECTORS_DIR

    texts = [
        "my salary was not paid",
        "gaji sy blm dibayar 3 bln, paspor ditahan agen",
        "🙏",
        "",
        "xqzv " * 700,  # longer than the tokenizer's 512 pieces, and than the character cut
    ]
    model = StaticModel.from_pretrained(str(VECTORS_DIR), normalize=True)
    expected = np.asarray(model.encode(texts, use_multiprocessing=False), dtype=np.float32)
    assert np.array_equal(sentence_vectors().encode(texts), expected)
