from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.nlu.classifier import IntentClassifier
from bot.nlu.data import Example
from bot.nlu.evaluate import Scored, choose_threshold, report
from bot.nlu.features import Featurizer, default_blocks
from bot.nlu.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Tolonggggg sy blm digaji!!", "tolong saya belum digaji ! !"),
        ("gk bisa pulang, udh 2 bln", "tidak bisa pulang , sudah 2 bulan"),
        ("gmn caranya?", "bagaimana caranya ?"),
        ("anak2 sy", "anak anak saya"),
        ("Majikan TDK bayar", "majikan tidak bayar"),
        ("i dont know pls", "i do not know please"),
    ],
)
def test_normalize(raw: str, normal: str) -> None:
    assert normalize(raw) == normal


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("gaji sy udh 4 bulan blm dibayar majikan", "wages_unpaid"),
        ("my employer has not paid my salary", "wages_unpaid"),
        ("paspor sy dipegang majikan", "document_withheld"),
        ("the agency keeps my passport", "document_withheld"),
        ("halo kak", "greet"),
        ("resep rendang", "out_of_scope"),
    ],
)
def test_classifies_synthetic_messages(
    classifier: IntentClassifier, text: str, intent: str
) -> None:
    ranking = classifier.rank(text)
    assert ranking[0].name == intent
    assert classifier.top(text) == ranking[0]


def test_ranking_is_a_distribution(classifier: IntentClassifier) -> None:
    ranking = classifier.rank("gaji telat")
    assert {s.name for s in ranking} == set(classifier.classes)
    assert sum(s.confidence for s in ranking) == pytest.approx(1.0)
    assert [s.confidence for s in ranking] == sorted((s.confidence for s in ranking), reverse=True)


@pytest.mark.parametrize("text", ["xqzv wplk brrr", "🙏🙏", "????", "asdfghjkl"])
def test_no_evidence_ties_every_intent(classifier: IntentClassifier, text: str) -> None:
    ranking = classifier.rank(text)
    assert [s.confidence for s in ranking] == pytest.approx([1 / len(ranking)] * len(ranking))
    assert classifier.top(text) == ranking[0]


def test_a_misspelt_word_still_counts(classifier: IntentClassifier) -> None:
    assert classifier.top("pasporr").name == "document_withheld"


def test_needs_two_intents() -> None:
    with pytest.raises(ValueError, match="two intents"):
        IntentClassifier.train([Example("halo", "greet"), Example("hai", "greet")])


def test_two_intents_work() -> None:
    model = IntentClassifier.train(
        [Example(t, "greet") for t in ("halo", "hai", "hello")]
        + [Example(t, "thanks") for t in ("makasih", "terima kasih", "thanks")]
    )
    assert model.top("halo kak").name == "greet"
    assert model.top("makasih ya").name == "thanks"


def test_fast_featurizer_matches_scikit_learn(examples: list[Example]) -> None:
    texts = [normalize(e.text) for e in examples]
    specs = default_blocks()
    featurizer, matrix = Featurizer.fit(texts, specs)
    unseen = [normalize(t) for t in ("gaji sy blm dibayar majikan", "passport kept", "zzz")]
    blocks = []
    for spec in specs:
        min_df = spec.min_df if len(texts) >= 10 * spec.min_df else 1
        vec = TfidfVectorizer(analyzer=spec.analyzer, sublinear_tf=True, min_df=min_df)
        vec.fit(texts)
        blocks.append(vec.transform(unseen) * spec.weight)
    expected = sp.hstack(blocks).toarray()
    assert np.allclose(featurizer.matrix(unseen).toarray(), expected)
    assert np.allclose(featurizer.matrix(texts).toarray(), matrix.toarray())


def test_threshold_choice_and_report() -> None:
    scored = [
        Scored("a", "a", 0.9),
        Scored("a", "a", 0.6),
        Scored("b", "b", 0.3),
        Scored("oos", "a", 0.2),
        Scored("oos", "oos", 0.8),
        Scored("a", "b", 0.25),
    ]
    # Accuracy peaks (5/6) for thresholds in (0.25, 0.3]: the highest such is 0.3.
    assert choose_threshold(scored, "oos") == pytest.approx(0.3)
    assert choose_threshold(scored, "oos", min_oos_recall=1.0) == pytest.approx(0.25)
    r = report(scored, 0.3, "oos")
    assert r.accuracy == pytest.approx(5 / 6)
    assert r.oos_recall == 1.0
    assert r.in_scope_accuracy == pytest.approx(3 / 4)
    assert choose_threshold([Scored("a", "a", 0.5)], "oos") == 0.0
