from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.nlu.classifier import IntentClassifier
from bot.nlu.data import Example

TODAY = date(2026, 11, 23)

# A small synthetic helpline set: enough for the classifier to separate the intents.
SYNTHETIC: dict[str, list[str]] = {
    "wages_unpaid": [
        "gaji saya belum dibayar",
        "majikan tidak bayar gaji",
        "gaji sy blm dibayar 3 bulan",
        "gaji telat terus",
        "my salary is not paid",
        "employer did not pay my wages",
        "no salary for two months",
        "gaji dipotong tanpa alasan",
    ],
    "document_withheld": [
        "paspor saya ditahan majikan",
        "paspor dipegang agen",
        "agen tahan paspor sy",
        "majikan simpan paspor saya",
        "my passport is kept by my employer",
        "agency holds my passport",
        "employer took my passport",
        "ktp saya ditahan pt",
    ],
    "greet": [
        "halo",
        "selamat pagi",
        "assalamualaikum",
        "hai kak",
        "hello",
        "good morning",
        "hi there",
        "halo min",
    ],
    "out_of_scope": [
        "cuaca besok gimana",
        "resep nasi goreng",
        "siapa juara bola",
        "lagu baru apa",
        "what is the weather tomorrow",
        "tell me a joke",
        "best phone to buy",
        "football score",
    ],
}


def synthetic_examples() -> list[Example]:
    return [
        Example(text, intent, "en" if i >= 4 else "id")
        for intent, texts in SYNTHETIC.items()
        for i, text in enumerate(texts)
    ]


@pytest.fixture(scope="session")
def examples() -> list[Example]:
    return synthetic_examples()


@pytest.fixture(scope="session")
def classifier(examples: list[Example]) -> IntentClassifier:
    return IntentClassifier.train(examples)


RASA_YAML = """\
version: "3.1"
nlu:
- intent: wages_unpaid
  examples: |
{wages}
- intent: greet
  examples: |
{greet}
- intent: out_of_scope
  examples: |
{oos}
"""


def write_rasa_dir(root: Path) -> Path:
    def block(intent: str) -> str:
        return "\n".join(f"    - {t}" for t in SYNTHETIC[intent])

    for lang in ("id", "en"):
        (root / lang).mkdir(parents=True, exist_ok=True)
        (root / lang / "main.yml").write_text(
            RASA_YAML.format(
                wages=block("wages_unpaid"), greet=block("greet"), oos=block("out_of_scope")
            ),
            encoding="utf-8",
        )
    return root
