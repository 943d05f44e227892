"""`helpline check`: content (flows/) and training data (nlu_data/) checked together."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from bot import intents
from bot.content import Problem
from bot.content import check as check_content
from bot.nlu.data import DataError, load_rasa

# Fewer examples than this per intent and language make the classifier guess.
MIN_EXAMPLES = 10


def check_nlu_data(root: Path) -> list[Problem]:
    data_dir = root / "nlu_data"
    if not data_dir.is_dir():
        return [Problem(data_dir, None, "no nlu_data/ directory", "error")]
    problems: list[Problem] = []
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for path in sorted(p for p in data_dir.rglob("*") if p.suffix in (".yml", ".yaml")):
        try:
            examples = load_rasa(path)
        except DataError as exc:
            problems.append(Problem(exc.path, exc.line, exc.reason, "error"))
            continue
        language = (
            path.relative_to(data_dir).parts[0]
            if len(path.relative_to(data_dir).parts) > 1
            else None
        )
        if language not in intents.LANGUAGES:
            problems.append(
                Problem(
                    path, None, "training files belong in nlu_data/id/ or nlu_data/en/", "error"
                )
            )
            continue
        for example in examples:
            counts[(example.intent, language)] += 1
        for unknown in sorted({e.intent for e in examples} - set(intents.ALL)):
            problems.append(
                Problem(path, None, f"unknown intent {unknown!r} (see bot/intents.py)", "error")
            )
    for intent in intents.ALL:
        for language in intents.LANGUAGES:
            n = counts[(intent, language)]
            if n < MIN_EXAMPLES:
                problems.append(
                    Problem(
                        data_dir / language,
                        None,
                        f"intent {intent!r} has {n} {language} training example(s); at least {MIN_EXAMPLES} needed",
                        "error",
                    )
                )
    return problems


def check_case_desk(root: Path) -> list[Problem]:
    """flows/organisations.yml, routing.yml and canned_replies.yml (bot/cases)."""
    from bot.cases import check_directory

    return check_directory(root)


def check_complaint_flows(root: Path) -> list[Problem]:
    """flows/complaints/ (bot/dialogue/flows): schema, ids, conditions, every step reachable."""
    from bot.dialogue.flows import check_flows

    return check_flows(root)


def check_flows_dir(root: Path) -> list[Problem]:
    """Everything in flows/: content, case desk, complaint flows."""
    return [*check_content(root), *check_case_desk(root), *check_complaint_flows(root)]


def check_all(root: Path) -> list[Problem]:
    return [
        *check_content(root),
        *check_nlu_data(root),
        *check_case_desk(root),
        *check_complaint_flows(root),
        *check_awareness(root),
    ]


def check_awareness(root: Path) -> list[Problem]:
    """flows/awareness/ (bot/awareness): schema, dates, countries, WhatsApp templates."""
    from bot.awareness.content import check

    return check(root)
