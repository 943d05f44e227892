"""Benchmark whole conversations: every conversation of tests/conversations/corpus/ through the
real engine, turn by turn, and the share of turns answered right, by language and by theme.

.venv/bin/python bench/conversations.py            # every conversation
.venv/bin/python bench/conversations.py -k crisis  # those whose id or theme contains "crisis"

Each conversation runs on its own worker in a temporary SQLite database, with the embedded NLU
trained from nlu_data/ (cached under var/bench-models/) and the project's content, as
tests/conversations/ runs them. A turn is right when its reply contains every `expect`
(case-insensitive; `intent:NAME` means the turn was decided as that intent) and no `forbid`.
The corpus format is described in tests/conversations/corpus/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import logs  # noqa: E402
from bot.messages import Inbound  # noqa: E402
from bot.nlu.types import NluBackend  # noqa: E402
from bot.runtime import Runtime, build, build_nlu  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.models import Message, Worker  # noqa: E402

CORPUS = ROOT / "tests" / "conversations" / "corpus"
LANGS = ("id", "en", "mixed")
TARGET = 0.95
KNOWN_FAILURE = "known_failure"
CHANNEL = "web"


@dataclass(frozen=True)
class Turn:
    say: str
    expect: tuple[str, ...] = ()  # substrings of the reply, or "intent:NAME"
    forbid: tuple[str, ...] = ()  # substrings the reply must not contain, or "intent:NAME"
    intent: str | None = None  # the intent the turn must be decided as

    @property
    def checked(self) -> bool:
        """False for a turn that only sets the scene: it is not counted."""
        return bool(self.expect or self.forbid or self.intent)


@dataclass(frozen=True)
class Conversation:
    id: str
    lang: str  # "id", "en" or "mixed"
    theme: str
    turns: tuple[Turn, ...]
    profile: dict[str, str] = field(default_factory=dict)  # country, language
    status: str | None = None  # "known_failure" while the issue below is open
    issue: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class TurnResult:
    conversation: Conversation
    index: int  # 1-based
    turn: Turn
    reply: str
    intent: str | None
    problems: tuple[str, ...]  # empty: the turn is right

    @property
    def ok(self) -> bool:
        return not self.problems


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return tuple(str(v) for v in value)
    raise ValueError(f"{where}: expected a string or a list of strings, got {value!r}")


def load(directory: Path = CORPUS) -> list[Conversation]:
    """Every conversation of the corpus; a malformed file or a repeated id raises ValueError."""
    conversations: list[Conversation] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        theme = str(data.get("theme") or path.stem)
        for raw in data["conversations"]:
            cid = str(raw["id"])
            where = f"{path.name}: {cid}"
            if cid in seen:
                raise ValueError(f"{where}: the id is used twice")
            seen.add(cid)
            lang = str(raw["lang"])
            if lang not in LANGS:
                raise ValueError(f"{where}: lang must be one of {LANGS}")
            status = raw.get("status")
            if status not in (None, KNOWN_FAILURE):
                raise ValueError(f"{where}: status must be {KNOWN_FAILURE!r}")
            if status and not raw.get("issue"):
                raise ValueError(f"{where}: a known failure names its issue")
            turns = []
            for i, t in enumerate(raw["turns"], 1):
                turn = Turn(
                    say=str(t["say"]),
                    expect=_strings(t.get("expect"), f"{where} turn {i}"),
                    forbid=_strings(t.get("forbid"), f"{where} turn {i}"),
                    intent=t.get("intent"),
                )
                turns.append(turn)
            if not any(t.checked for t in turns):
                raise ValueError(f"{where}: no turn checks anything")
            profile = {str(k): str(v) for k, v in (raw.get("profile") or {}).items()}
            if set(profile) - {"country", "language"}:
                raise ValueError(f"{where}: a profile holds only country and language")
            conversations.append(
                Conversation(
                    id=cid,
                    lang=lang,
                    theme=theme,
                    turns=tuple(turns),
                    profile=profile,
                    status=status,
                    issue=raw.get("issue"),
                    note=raw.get("note"),
                )
            )
    return conversations


def _check(turn: Turn, reply: str, intent: str | None) -> tuple[str, ...]:
    problems: list[str] = []
    low = reply.casefold()
    for want in turn.expect:
        if want.startswith("intent:"):
            if intent != want.removeprefix("intent:"):
                problems.append(f"expected {want}")
        elif want.casefold() not in low:
            problems.append(f"missing {want!r}")
    for bad in turn.forbid:
        if bad.startswith("intent:"):
            if intent == bad.removeprefix("intent:"):
                problems.append(f"forbidden {bad}")
        elif bad.casefold() in low:
            problems.append(f"forbidden {bad!r}")
    if turn.intent is not None and intent != turn.intent:
        problems.append(f"intent {intent} instead of {turn.intent}")
    return tuple(problems)


async def _start(runtime: Runtime, user: str, profile: dict[str, str]) -> None:
    """The worker as the profile says, before their first message (as if they had said it)."""
    if not profile:
        return
    async with runtime.sessions.begin() as session:
        session.add(
            Worker(
                channel=CHANNEL,
                channel_user_hash=runtime.cipher.lookup_hash(user),
                channel_user_id=user,
                language=profile.get("language"),
                language_chosen="language" in profile,
                country=profile.get("country"),
            )
        )


async def run(runtime: Runtime, conversation: Conversation) -> list[TurnResult]:
    """Hold one conversation with the engine, as a new worker; one result per turn."""
    user = f"corpus-{conversation.id}"
    await _start(runtime, user, conversation.profile)
    results = []
    for index, turn in enumerate(conversation.turns, 1):
        message_id = f"{user}-{index}"
        replies = await runtime.engine.handle(
            Inbound(CHANNEL, user, turn.say, channel_message_id=message_id)
        )
        # What the worker sees: the texts and the titles of the quick replies offered.
        reply = "\n".join(
            [r.text for r in replies] + [q.title for r in replies for q in r.quick_replies]
        )
        async with runtime.sessions() as session:
            intent = await session.scalar(
                select(Message.intent).where(Message.channel_message_id == message_id)
            )
        problems = _check(turn, reply, intent)
        results.append(TurnResult(conversation, index, turn, reply, intent, problems))
    return results


async def run_all(
    runtime: Runtime, conversations: Iterable[Conversation]
) -> dict[str, list[TurnResult]]:
    return {c.id: await run(runtime, c) for c in conversations}


def trained_nlu(data_dir: Path) -> tuple[NluBackend, float]:
    return build_nlu(Settings(data_dir=data_dir))


async def _bench(conversations: Sequence[Conversation]) -> dict[str, list[TurnResult]]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
            data_dir=Path(tmp),
            content_dir=ROOT,
        )
        nlu = build_nlu(Settings(data_dir=ROOT / "var" / "bench-models"))
        runtime = await build(settings, nlu=nlu)
        try:
            return await run_all(runtime, conversations)
        finally:
            await runtime.close()


def _short(text: str, width: int = 110) -> str:
    flat = " ⏎ ".join(line for line in text.splitlines() if line.strip())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   - "


def report(results: dict[str, list[TurnResult]]) -> bool:
    """Print the figures and every failing turn; True when every language reaches the target."""
    turns = [r for rs in results.values() for r in rs if r.turn.checked]
    by_lang: dict[str, list[TurnResult]] = defaultdict(list)
    by_theme: dict[str, list[TurnResult]] = defaultdict(list)
    for r in turns:
        by_lang[r.conversation.lang].append(r)
        by_theme[r.conversation.theme].append(r)
    whole = [[r for r in rs if r.turn.checked] for rs in results.values()]
    print(f"{len(whole)} conversations, {len(turns)} turns\n")
    print(f"{'language':10} {'turns':>6} {'right':>7} {'conversations right':>20}")
    reached = True
    for lang in LANGS:
        rs = by_lang.get(lang, [])
        convs = [c for c in whole if c and c[0].conversation.lang == lang]
        good = sum(all(r.ok for r in c) for c in convs)
        share = sum(r.ok for r in rs) / len(rs) if rs else 1.0
        reached &= share >= TARGET
        print(
            f"{lang:10} {len(rs):6} {_pct(sum(r.ok for r in rs), len(rs)):>7} "
            f"{good:>9} / {len(convs):<4} {_pct(good, len(convs))}"
        )
    print(f"{'all':10} {len(turns):6} {_pct(sum(r.ok for r in turns), len(turns)):>7}")
    print(
        f"\ntarget: {TARGET:.0%} of turns right in each language: {'met' if reached else 'NOT met'}"
    )
    print(f"\n{'theme':28} {'turns':>6} {'right':>7}")
    for theme in sorted(by_theme):
        rs = by_theme[theme]
        print(f"{theme:28} {len(rs):6} {_pct(sum(r.ok for r in rs), len(rs)):>7}")
    failing = [r for r in turns if not r.ok]
    if failing:
        print(f"\nfailing turns ({len(failing)}):")
    for r in failing:
        mark = " [known failure]" if r.conversation.status == KNOWN_FAILURE else ""
        print(f"\n{r.conversation.id} turn {r.index}{mark}: {r.turn.say!r}")
        print(f"  wanted: expect {list(r.turn.expect)} forbid {list(r.turn.forbid)}", end="")
        print(f" intent {r.turn.intent}" if r.turn.intent else "")
        print(f"  got:    intent {r.intent}: {_short(r.reply)}")
        print(f"  so:     {'; '.join(r.problems)}")
    return reached


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-k", help="only conversations whose id or theme contains this")
    args = parser.parse_args()
    logs.configure("warning")
    conversations = load()
    if args.k:
        conversations = [c for c in conversations if args.k in c.id or args.k in c.theme]
    results = asyncio.run(_bench(conversations))
    sys.exit(0 if report(results) else 1)


if __name__ == "__main__":
    main()
