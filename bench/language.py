"""Language detection on every message of the corpus: save the answers, or compare them with
saved ones (before and after a change to bot/nlu/language.py).

.venv/bin/python bench/language.py --save /tmp/before.json
.venv/bin/python bench/language.py --compare /tmp/before.json

The messages: the training data (nlu_data/), the held-out sets (bench/heldout/) and every turn
of the conversation corpus (tests/conversations/corpus/), each once. Printed: how many, how many
the statistics decided (the word lists could not), and with --compare each message whose
answer changed and the count.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def corpus_texts() -> list[str]:
    from ruamel.yaml import YAML

    from bot.nlu.data import load_rasa

    texts = [e.text for e in load_rasa(ROOT / "nlu_data")]
    texts += [
        e.text for lang in ("id", "en") for e in load_rasa(ROOT / "bench/heldout" / f"{lang}.yml")
    ]
    yaml = YAML(typ="safe")
    for path in sorted((ROOT / "tests/conversations/corpus").glob("*.yml")):
        for conversation in yaml.load(path.read_text(encoding="utf-8")).get("conversations", []):
            texts += [str(t["say"]) for t in conversation.get("turns", []) if "say" in t]
    return list(dict.fromkeys(texts))  # each once, first-seen order


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    args = parser.parse_args()

    import bot.nlu.language as language

    texts = corpus_texts()
    statistics = 0
    original = language._statistics

    def counted(text: str) -> dict[str, float]:
        nonlocal statistics
        statistics += 1
        return original(text)

    language._statistics = counted
    answers = {text: language.detect_language(text) for text in texts}
    print(f"{len(texts)} messages, {statistics} needed the statistics")
    if args.save:
        args.save.write_text(json.dumps(answers, ensure_ascii=False, indent=0))
        return 0
    before = json.loads(args.compare.read_text())
    changed = [t for t in texts if t in before and before[t] != answers[t]]
    missing = [t for t in texts if t not in before]
    for text in changed:
        print(f"  {before[text]!s:5} -> {answers[text]!s:5} {text!r}")
    print(
        f"changed: {len(changed)} of {len(texts) - len(missing)} (not in the saved file: {len(missing)})"
    )
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
