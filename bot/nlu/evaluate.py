"""Scoring a classifier: accuracy, macro-F1, out-of-scope recall, and choosing the threshold."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from bot.nlu.data import Example

Train = Callable[[Sequence[Example]], Callable[[str], tuple[str, float]]]


@dataclass(frozen=True, slots=True)
class Scored:
    gold: str
    predicted: str  # the classifier's top class, before any threshold
    confidence: float


@dataclass(frozen=True, slots=True)
class Report:
    n: int
    accuracy: float  # over everything, out-of-scope counted as a class
    macro_f1: float
    in_scope_accuracy: float | None  # CLINC150's "in-scope accuracy"; None without in-scope
    oos_recall: float | None  # None when the set has no out-of-scope examples


def final(s: Scored, threshold: float, oos: str) -> str:
    return oos if s.confidence < threshold else s.predicted


def report(scored: Sequence[Scored], threshold: float, oos: str) -> Report:
    gold = [s.gold for s in scored]
    pred = [final(s, threshold, oos) for s in scored]
    ins = [(g, p) for g, p in zip(gold, pred, strict=True) if g != oos]
    out = [p for g, p in zip(gold, pred, strict=True) if g == oos]
    return Report(
        n=len(scored),
        accuracy=float(np.mean([g == p for g, p in zip(gold, pred, strict=True)]))
        if scored
        else 0.0,
        macro_f1=float(f1_score(gold, pred, average="macro", zero_division=0)) if scored else 0.0,
        in_scope_accuracy=float(np.mean([g == p for g, p in ins])) if ins else None,
        oos_recall=float(np.mean([p == oos for p in out])) if out else None,
    )


def choose_threshold(
    scored: Sequence[Scored],
    oos: str,
    min_oos_recall: float | None = None,
    tolerance: float = 0.0,
) -> float:
    """Choose the one confidence threshold on validation (or out-of-fold) predictions.

    Without `min_oos_recall`: the highest threshold whose accuracy (out-of-scope counted as a
    class) is within `tolerance` of the best; a helpline would rather ask again than answer
    the wrong question. With it: the lowest threshold whose out-of-scope recall reaches it.
    Without both in-scope and out-of-scope examples, 0.
    """
    gold_oos = np.array([s.gold == oos for s in scored], dtype=bool)
    if gold_oos.all() or not gold_oos.any():
        return 0.0
    conf = np.array([s.confidence for s in scored])
    right = np.array([s.predicted == s.gold for s in scored])  # before any threshold
    said_oos = np.array([s.predicted == oos for s in scored])
    thresholds = np.unique(np.concatenate([[0.0], conf]))
    accuracy = np.empty(len(thresholds))
    for i, threshold in enumerate(thresholds):
        kept = conf >= threshold
        if min_oos_recall is not None:
            if float((said_oos | ~kept)[gold_oos].mean()) >= min_oos_recall:
                return float(threshold)
            continue
        accuracy[i] = np.where(gold_oos, said_oos | ~kept, right & kept).mean()
    if min_oos_recall is not None:
        return 1.0
    good = np.flatnonzero(accuracy >= accuracy.max() - tolerance - 1e-12)
    return float(thresholds[good.max()])


def cross_validate(examples: Sequence[Example], train: Train, folds: int = 5) -> list[Scored]:
    """Out-of-fold predictions for every example (stratified by intent and language)."""
    strata = [f"{e.intent}/{e.language}" for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    scored: list[Scored] = []
    for train_idx, test_idx in splitter.split(np.zeros(len(strata)), strata):
        predict = train([examples[i] for i in train_idx])
        for i in test_idx:
            label, conf = predict(examples[i].text)
            scored.append(Scored(examples[i].intent, label, conf))
    return scored
