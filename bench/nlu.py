"""Benchmark the embedded NLU (and optionally a Rasa server) on our data, CLINC150 or xSID.

.venv/bin/python bench/nlu.py                      # our held-out set (bench/heldout)
.venv/bin/python bench/nlu.py --rasa http://localhost:5005
.venv/bin/python bench/nlu.py --dataset clinc150
.venv/bin/python bench/nlu.py --dataset xsid
.venv/bin/python bench/nlu.py --cv-threshold       # how DEFAULT_THRESHOLD was chosen
.venv/bin/python bench/nlu.py --errors             # also every held-out error and the confusions
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.nlu.classifier import DEFAULT_THRESHOLD, OUT_OF_SCOPE, IntentClassifier  # noqa: E402
from bot.nlu.data import Example, load_clinc150, load_rasa, load_xsid  # noqa: E402
from bot.nlu.embedded import EmbeddedNlu  # noqa: E402
from bot.nlu.evaluate import (  # noqa: E402
    Report,
    Scored,
    choose_threshold,
    cross_validate,
    final,
    report,
)
from bot.nlu.types import NluError, NluResult  # noqa: E402

DATA = Path("/work/shared/data")
TRAINING_RUNS = 3
LATENCY_PASSES = 5
# DEFAULT_THRESHOLD: the highest threshold costing at most this much cross-validated accuracy.
THRESHOLD_TOLERANCE = 0.005


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def train_timed(examples: Sequence[Example], oos: str) -> tuple[EmbeddedNlu, list[float]]:
    """Train TRAINING_RUNS times (the machine is shared: one timing says little)."""
    times: list[float] = []
    classifier: IntentClassifier | None = None
    for _ in range(TRAINING_RUNS):
        start = time.perf_counter()
        classifier = IntentClassifier.train(examples, out_of_scope=oos)
        times.append(time.perf_counter() - start)
    if classifier is None:
        raise SystemExit("TRAINING_RUNS must be at least 1")
    return EmbeddedNlu(classifier, out_of_scope=oos), times


def scored(parse: Callable[[str], NluResult], examples: Sequence[Example]) -> list[Scored]:
    out = []
    for e in examples:
        top = parse(e.text).ranking[0]
        out.append(Scored(e.intent, top.name, top.confidence))
    return out


def latencies(parse: Callable[[str], object], texts: Sequence[str], passes: int) -> list[float]:
    times: list[float] = []
    for _ in range(passes):
        for t in texts:
            start = time.perf_counter()
            parse(t)
            times.append(time.perf_counter() - start)
    return sorted(times)


def percentile(sorted_times: Sequence[float], q: float) -> float:
    return sorted_times[min(len(sorted_times) - 1, int(q * len(sorted_times)))]


def print_costs(
    train_times: Sequence[float], lat: Sequence[float], label: str = "embedded"
) -> None:
    print(
        f"{label}: training {statistics.median(train_times):.2f} s median of {len(train_times)}"
        f" (max {max(train_times):.2f} s); parse p50 {percentile(lat, 0.5) * 1e3:.3f} ms,"
        f" p99 {percentile(lat, 0.99) * 1e3:.3f} ms over {len(lat)} single-message calls"
    )


def peak_memory() -> str:
    return f"peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"


# --- our data ----------------------------------------------------------------------------


def print_errors(lang: str, examples: Sequence[Example], out: Sequence[Scored]) -> None:
    """Every wrong held-out answer (gold -> predicted), then the confusions by count."""
    wrong = [
        (e, s, final(s, DEFAULT_THRESHOLD, OUT_OF_SCOPE))
        for e, s in zip(examples, out, strict=True)
        if final(s, DEFAULT_THRESHOLD, OUT_OF_SCOPE) != e.intent
    ]
    print(f"\n{lang}: {len(wrong)} errors")
    for e, s, predicted in sorted(wrong, key=lambda w: (w[0].intent, w[2])):
        print(f"  {e.intent} -> {predicted} ({s.confidence:.2f}): {e.text}")
    pairs = Counter((e.intent, predicted) for e, _, predicted in wrong)
    print(f"{lang} confusions: " + ", ".join(f"{g}->{p} {n}" for (g, p), n in pairs.most_common()))


def bench_ours(rasa_url: str | None, errors: bool = False) -> None:
    train = load_rasa(ROOT / "nlu_data")
    heldout = {lang: load_rasa(ROOT / "bench" / "heldout" / f"{lang}.yml") for lang in ("id", "en")}
    print(
        f"training examples: {len(train)}; held-out: "
        + ", ".join(f"{k} {len(v)}" for k, v in heldout.items())
    )
    nlu, train_times = train_timed(train, OUT_OF_SCOPE)
    threshold = DEFAULT_THRESHOLD
    systems: dict[str, dict[str, Report]] = {"embedded": {}}
    for lang, examples in heldout.items():
        out = scored(nlu.parse_sync, examples)
        systems["embedded"][lang] = report(out, threshold, OUT_OF_SCOPE)
        if errors:
            print_errors(lang, examples, out)
    all_texts = [e.text for ex in heldout.values() for e in ex]
    lat = latencies(nlu.parse_sync, all_texts, LATENCY_PASSES)
    rasa_lat: list[float] | None = None
    if rasa_url:
        systems["rasa"], rasa_lat = bench_rasa(rasa_url, heldout)
    print(f"\nthreshold {threshold} (DEFAULT_THRESHOLD); out-of-scope counted as an intent\n")
    rows = [["system", "lang", "n", "accuracy", "macro-F1", "in-scope acc", "OOS recall"]]
    for name, per_lang in systems.items():
        for lang, r in per_lang.items():
            rows.append(
                [
                    name,
                    lang,
                    str(r.n),
                    pct(r.accuracy),
                    pct(r.macro_f1),
                    pct(r.in_scope_accuracy),
                    pct(r.oos_recall),
                ]
            )
    table(rows)
    print()
    print_costs(train_times, lat)
    if rasa_lat:
        print(
            f"rasa: /model/parse p50 {percentile(rasa_lat, 0.5) * 1e3:.1f} ms,"
            f" p99 {percentile(rasa_lat, 0.99) * 1e3:.1f} ms (HTTP, includes our entities)"
        )
    print(peak_memory())


def bench_rasa(
    url: str, heldout: dict[str, list[Example]]
) -> tuple[dict[str, Report], list[float]]:
    from bot.nlu.rasa import RasaNlu

    async def run() -> tuple[dict[str, Report], list[float]]:
        reports: dict[str, Report] = {}
        times: list[float] = []
        async with RasaNlu(url, timeout=30) as rasa:
            for lang, examples in heldout.items():
                out = []
                for e in examples:
                    start = time.perf_counter()
                    result = await rasa.parse(e.text)
                    times.append(time.perf_counter() - start)
                    # Rasa's own FallbackClassifier decides out of scope: score its intent.
                    out.append(Scored(e.intent, result.intent.name, 1.0))
                reports[lang] = report(out, 0.0, OUT_OF_SCOPE)
        return reports, sorted(times)

    try:
        return asyncio.run(run())
    except NluError as exc:
        raise SystemExit(f"rasa: {exc}") from exc


def cv_threshold() -> None:
    train = load_rasa(ROOT / "nlu_data")

    def fit(examples: Sequence[Example]) -> Callable[[str], tuple[str, float]]:
        model = IntentClassifier.train(examples, out_of_scope=OUT_OF_SCOPE)
        return lambda text: (lambda s: (s.name, s.confidence))(model.top(text))

    out = cross_validate(train, fit, folds=5)
    best = choose_threshold(out, OUT_OF_SCOPE, tolerance=THRESHOLD_TOLERANCE)
    rows = [["threshold", "accuracy", "macro-F1", "in-scope acc", "OOS recall"]]
    for t in sorted({0.0, 0.2, 0.3, 0.4, 0.5, round(best, 3), DEFAULT_THRESHOLD}):
        r = report(out, t, OUT_OF_SCOPE)
        rows.append(
            [
                f"{t:.3f}",
                pct(r.accuracy),
                pct(r.macro_f1),
                pct(r.in_scope_accuracy),
                pct(r.oos_recall),
            ]
        )
    print(f"5-fold cross-validation on nlu_data/ ({len(train)} examples)\n")
    table(rows)
    print(
        f"\nhighest threshold within {THRESHOLD_TOLERANCE:.1%} of the best accuracy: {best:.3f};"
        f" DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD}"
    )


# --- public data sets ----------------------------------------------------------------------


def bench_clinc(target_recall: float) -> None:
    splits = load_clinc150(DATA / "clinc150" / "data_full.json")
    nlu, train_times = train_timed(splits.train, "oos")
    val = scored(nlu.parse_sync, splits.val)
    chosen = {
        # The operating point: the threshold with the best val accuracy (OOS as a class).
        "max val accuracy (operating point)": choose_threshold(val, "oos"),
        f"val OOS recall >= {target_recall:.0%} (for comparison)": choose_threshold(
            val, "oos", target_recall
        ),
    }
    test = scored(nlu.parse_sync, splits.test)
    print(
        f"CLINC150 full: trained on train + oos_train ({len(splits.train)}), threshold chosen"
        f" on val + oos_val ({len(splits.val)}), scored on test + oos_test ({len(splits.test)})\n"
    )
    rows = [
        [
            "threshold chosen by",
            "threshold",
            "val in-scope",
            "val OOS rec",
            "test in-scope",
            "test OOS rec",
        ]
    ]
    for name, t in {"none (OOS class only)": 0.0, **chosen}.items():
        v, r = report(val, t, "oos"), report(test, t, "oos")
        rows.append(
            [
                name,
                f"{t:.3f}",
                pct(v.in_scope_accuracy),
                pct(v.oos_recall),
                pct(r.in_scope_accuracy),
                pct(r.oos_recall),
            ]
        )
    table(rows)
    # The whole trade-off on test, for reference only: no threshold is chosen from it.
    oracle = choose_threshold(test, "oos", target_recall)
    r = report(test, oracle, "oos")
    print(
        f"\nfor reference, not an operating point: where test OOS recall reaches"
        f" {target_recall:.0%} (threshold {oracle:.3f}), test in-scope accuracy is"
        f" {pct(r.in_scope_accuracy)}"
    )
    print(
        "\npublished (OOS as a class): SVM 91.0/14.5, Rasa 91.5/45.3, MLP 93.5/47.4,"
        " BERT 96.9/40.3\n"
    )
    print_costs(train_times, latencies(nlu.parse_sync, [e.text for e in splits.test], 1))
    print(peak_memory())


def bench_xsid() -> None:
    folder = DATA / "xsid"
    train = load_xsid([folder / "id.valid.conll", folder / "en.valid.conll"])
    nlu, train_times = train_timed(train, OUT_OF_SCOPE)
    print(
        f"xSID 0.7: trained on id.valid + en.valid ({len(train)}), scored on the test files;"
        " no out-of-scope class, so no threshold\n"
    )
    rows = [["lang", "n", "accuracy", "macro-F1"]]
    texts: list[str] = []
    for lang in ("id", "en"):
        test = load_xsid([folder / f"{lang}.test.conll"])
        texts += [e.text for e in test]
        r = report(scored(nlu.parse_sync, test), 0.0, OUT_OF_SCOPE)
        rows.append([lang, str(r.n), pct(r.accuracy), pct(r.macro_f1)])
    table(rows)
    print()
    print_costs(train_times, latencies(nlu.parse_sync, texts, LATENCY_PASSES))
    print(peak_memory())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--dataset", choices=["ours", "clinc150", "xsid"], default="ours")
    parser.add_argument("--rasa", metavar="URL", help="also score a Rasa server (our data only)")
    parser.add_argument(
        "--cv-threshold", action="store_true", help="cross-validate the threshold on nlu_data/"
    )
    parser.add_argument(
        "--target-oos-recall",
        type=float,
        default=0.6,
        help="CLINC150: the validation OOS recall to reach (default 0.6)",
    )
    parser.add_argument(
        "--errors", action="store_true", help="our data: print every held-out error"
    )
    args = parser.parse_args()
    if args.cv_threshold:
        cv_threshold()
    elif args.dataset == "clinc150":
        bench_clinc(args.target_oos_recall)
    elif args.dataset == "xsid":
        bench_xsid()
    else:
        bench_ours(args.rasa, args.errors)


if __name__ == "__main__":
    main()
