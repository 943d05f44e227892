"""Benchmark danger detection: does every message in danger get the emergency or crisis reply,
and how many look-alikes wrongly get one?

.venv/bin/python bench/danger.py                 # the detector with the embedded classifier
.venv/bin/python bench/danger.py --no-classifier # the detector's explicit signs alone

The corpus is bench/danger/{danger,lookalike}.yml; each has a `check` part written before the
detector's lexicon was tuned, a `dev` part written afterwards, and a `blind` part written by a
second author who had not seen the lexicon. The classifier is the one the
policy uses (trained from nlu_data/, cached under var/bench-models/), and its guess counts as
the policy counts it: the best intent when it is confident enough, else none.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.dialogue.danger import Danger, detect  # noqa: E402

CORPUS = ROOT / "bench" / "danger"
LANGS = ("id", "en")
TARGET_RECALL = 1.0
TARGET_FALSE_ALARMS = 0.05


@dataclass(frozen=True)
class Item:
    text: str
    lang: str
    kind: str  # "emergency" | "crisis" | "none" (a look-alike)
    split: str  # "check" | "dev" | "blind" | "use"


@dataclass(frozen=True)
class Outcome:
    item: Item
    intent: str | None
    danger: Danger | None


def load() -> list[Item]:
    items: list[Item] = []
    for name in ("danger", "lookalike"):
        data = YAML(typ="safe").load((CORPUS / f"{name}.yml").read_text(encoding="utf-8"))
        for split, entries in data.items():
            for e in entries:
                kind = str(e["kind"])
                if (name == "danger") != (kind in ("emergency", "crisis")):
                    raise SystemExit(f"{name}.yml: {e['text']!r} has kind {kind!r}")
                items.append(Item(str(e["text"]), str(e["lang"]), kind, split))
    return items


def classifier() -> Callable[[str], str | None]:
    from bot.dialogue.policy import understood
    from bot.nlu.classifier import DEFAULT_THRESHOLD
    from bot.nlu.embedded import EmbeddedNlu

    nlu = EmbeddedNlu.load_or_train(ROOT / "nlu_data", ROOT / "var" / "bench-models")

    def guess(text: str) -> str | None:
        return understood(nlu.parse_sync(text), DEFAULT_THRESHOLD)[0]  # as the bot reads it

    return guess


def pct(part: int, whole: int) -> str:
    return "-" if whole == 0 else f"{100 * part / whole:5.1f}% ({part}/{whole})"


def report(outcomes: list[Outcome], title: str) -> tuple[float, float]:
    print(f"\n== {title} ==")
    rows = []
    for lang in (*LANGS, "all"):
        mine = [o for o in outcomes if lang in ("all", o.item.lang)]
        danger = [o for o in mine if o.item.kind != "none"]
        safe = [o for o in mine if o.item.kind == "none"]
        caught = [o for o in danger if o.danger is not None]
        alarms = [o for o in safe if o.danger is not None]
        kinds = [o for o in caught if o.danger is not None and o.danger.kind == o.item.kind]
        rows.append((lang, pct(len(caught), len(danger)), pct(len(alarms), len(safe)),
                     pct(len(kinds), len(caught))))  # fmt: skip
    print(f"{'lang':5} {'recall':>16} {'false alarms':>16} {'kind right':>16}")
    for lang, recall, false, kind in rows:
        print(f"{lang:5} {recall:>16} {false:>16} {kind:>16}")
    danger = [o for o in outcomes if o.item.kind != "none"]
    safe = [o for o in outcomes if o.item.kind == "none"]
    recall = sum(o.danger is not None for o in danger) / max(1, len(danger))
    alarms = sum(o.danger is not None for o in safe) / max(1, len(safe))
    return recall, alarms


def mistakes(outcomes: Iterable[Outcome]) -> None:
    misses = [o for o in outcomes if o.item.kind != "none" and o.danger is None]
    wrong = [
        o
        for o in outcomes
        if o.item.kind != "none" and o.danger is not None and o.danger.kind != o.item.kind
    ]
    alarms = [o for o in outcomes if o.item.kind == "none" and o.danger is not None]
    for label, group in (("missed", misses), ("wrong kind", wrong), ("false alarm", alarms)):
        print(f"\n{label}: {len(group)}")
        for o in group:
            cue = o.danger.cue if o.danger else "-"
            print(f"  [{o.item.split} {o.item.lang} {o.item.kind}] {o.item.text!r}"
                  f"  (classifier: {o.intent}; cue: {cue})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-classifier", action="store_true", help="explicit signs only")
    args = parser.parse_args()
    items = load()
    guess: Callable[[str], str | None] = (lambda text: None) if args.no_classifier else classifier()
    outcomes = []
    for item in items:
        intent = guess(item.text)
        outcomes.append(Outcome(item, intent, detect(item.text, intent)))
    source = "explicit signs only" if args.no_classifier else "detector + embedded classifier"
    print(f"{len(items)} messages: {sum(i.kind != 'none' for i in items)} in danger, "
          f"{sum(i.kind == 'none' for i in items)} look-alikes ({source})")  # fmt: skip
    for split in ("check", "dev", "blind", "use"):
        report([o for o in outcomes if o.item.split == split], f"{split} split")
    recall, alarms = report(outcomes, "everything")
    mistakes(outcomes)
    met = recall >= TARGET_RECALL and alarms <= TARGET_FALSE_ALARMS
    print(f"\ntarget (recall 100%, false alarms <= 5%): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
