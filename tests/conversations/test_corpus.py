"""The conversation corpus (tests/conversations/corpus/) through the real engine.

Every conversation not marked `status: known_failure` must pass; every one so marked must still
fail, so that a fix removes its marker (and the corpus never keeps a stale excuse). The whole
corpus runs on SQLite, one theme per test; a sample of it runs on PostgreSQL too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.conversations import KNOWN_FAILURE, Conversation, TurnResult, load, run
from bot.runtime import Runtime

CORPUS = load()
THEMES = sorted({c.theme for c in CORPUS})
# One conversation of each theme, the first not marked as a known failure.
SAMPLE = [next(c for c in CORPUS if c.theme == t and c.status is None) for t in THEMES]


def _describe(results: list[TurnResult]) -> str:
    lines = []
    for r in results:
        if not r.ok:
            reply = " ⏎ ".join(line for line in r.reply.splitlines() if line.strip())[:160]
            lines.append(f"  turn {r.index} {r.turn.say!r}: {'; '.join(r.problems)} | {reply}")
    return "\n".join(lines)


async def _check(runtime: Runtime, conversations: list[Conversation]) -> None:
    unexpected: list[str] = []
    fixed: list[str] = []
    for conversation in conversations:
        results = await run(runtime, conversation)
        passed = all(r.ok for r in results)
        if conversation.status == KNOWN_FAILURE and passed:
            fixed.append(conversation.id)
        elif conversation.status is None and not passed:
            unexpected.append(f"{conversation.id}:\n{_describe(results)}")
    problems = []
    if unexpected:
        problems.append("conversations that fail:\n" + "\n".join(unexpected))
    if fixed:
        problems.append(
            f"marked {KNOWN_FAILURE} but now pass (remove the marker): {', '.join(fixed)}"
        )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("theme", THEMES)
async def test_corpus(theme: str, runtime: Runtime) -> None:
    await _check(runtime, [c for c in CORPUS if c.theme == theme])


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_sample_of_the_corpus_on_postgresql(runtime: Runtime) -> None:
    await _check(runtime, SAMPLE)


def test_the_corpus_is_large_and_in_both_languages() -> None:
    by_lang = {lang: [c for c in CORPUS if c.lang == lang] for lang in ("id", "en")}
    assert len(CORPUS) >= 200
    assert all(len(cs) >= 80 for cs in by_lang.values()), {k: len(v) for k, v in by_lang.items()}
    assert len(THEMES) >= 10
    for c in CORPUS:
        assert c.status is None or c.issue, c.id


def test_a_malformed_corpus_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        "conversations:\n"
        "  - {id: x, lang: id, turns: [{say: halo, expect: [Halo]}]}\n"
        "  - {id: x, lang: en, turns: [{say: hi, expect: [Hello]}]}\n"
    )
    with pytest.raises(ValueError, match="used twice"):
        load(tmp_path)
    (tmp_path / "a.yml").write_text(
        "conversations:\n"
        "  - {id: y, lang: id, status: known_failure, turns: [{say: halo, expect: [Halo]}]}\n"
    )
    with pytest.raises(ValueError, match="names its issue"):
        load(tmp_path)
    (tmp_path / "a.yml").write_text("conversations:\n  - {id: z, lang: id, turns: [{say: halo}]}\n")
    with pytest.raises(ValueError, match="no turn checks"):
        load(tmp_path)
