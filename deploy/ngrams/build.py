"""Rebuild bot/nlu/ngrams/ from lingua's language models (lingua-rs 1.7.2, Apache-2.0).

    git clone --depth 1 --branch v1.7.2 https://github.com/pemistahl/lingua-rs /tmp/lingua-rs
    .venv/bin/python deploy/ngrams/build.py /tmp/lingua-rs/language-models bot/nlu/ngrams

lingua-language-detector 2.1 (the Python package of lingua-rs 1.7) keeps these models in hash
maps, 48 MiB for Indonesian, Malay and English. `bot/nlu/ngrams.py` computes the same
confidence values from this file, about 10 MiB in memory: for each n-gram length, the sorted
64-bit BLAKE2b hashes of the n-grams any of the three languages knows, for each hash and
language an index into that language's table of distinct log probabilities (0: unknown), and
those tables, each value computed as lingua computes it (the natural logarithm of the
fraction's float value).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import brotli
import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.nlu.ngrams import LANGUAGES, ORDERS, ngram_hashes  # noqa: E402

FILE_NAMES = {1: "unigrams", 2: "bigrams", 3: "trigrams", 4: "quadrigrams", 5: "fivegrams"}


def log_probability(fraction: str) -> float:
    numerator, denominator = fraction.split("/")
    return math.log(float(int(numerator)) / float(int(denominator)))


def load(models: Path, language: str, order: int) -> dict[str, float]:
    """n-gram -> log probability, as lingua's `load_probability_model` builds it."""
    path = models / language / "models" / f"{FILE_NAMES[order]}.json.br"
    data = json.loads(brotli.decompress(path.read_bytes()))
    return {
        ngram: log_probability(fraction)
        for fraction, ngrams in data["ngrams"].items()
        for ngram in ngrams.split(" ")
    }


def build(models: Path) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for order in ORDERS:
        per_language = {language: load(models, language, order) for language in LANGUAGES}
        ngrams = sorted(set().union(*per_language.values()))
        hashes = ngram_hashes(ngrams)
        if len(np.unique(hashes)) != len(hashes):
            raise SystemExit(f"hash collision among the {order}-grams")
        ordering = np.argsort(hashes)
        arrays[f"keys{order}"] = hashes[ordering]
        index = np.zeros((len(ngrams), len(LANGUAGES)), np.uint16)
        for column, language in enumerate(LANGUAGES):
            model = per_language[language]
            values = sorted(set(model.values()))
            if len(values) >= 2**16:
                raise SystemExit(f"too many distinct {order}-gram probabilities ({language})")
            position = {value: i + 1 for i, value in enumerate(values)}
            index[:, column] = [position[model[n]] if n in model else 0 for n in ngrams]
            arrays[f"logp{order}_{language}"] = np.array([math.nan, *values], np.float64)
        arrays[f"index{order}"] = index[ordering]
    return arrays


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", type=Path, help="lingua-rs's language-models directory")
    parser.add_argument("out", type=Path, help="bot/nlu/ngrams")
    args = parser.parse_args()
    arrays = build(args.models)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "ngrams.npz", **arrays)  # type: ignore[arg-type]
    size = sum(a.nbytes for a in arrays.values())
    print(f"{args.out / 'ngrams.npz'}: {size / 2**20:.1f} MiB in memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
