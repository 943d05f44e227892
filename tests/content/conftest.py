"""Fixtures: the real content, and a throwaway copy of flows/ to break one thing at a time."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.content import Content, Problem, check

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="session")
def content() -> Content:
    return Content.load(ROOT)


class Flows:
    """A copy of the real flows/ under tmp_path, with edits that report where they landed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(ROOT / "flows", root / "flows")

    def path(self, rel: str) -> Path:
        return self.root / rel

    def replace(self, rel: str, old: str, new: str) -> int:
        """Replaces the one occurrence of `old`; returns the line where `new` starts."""
        text = self.path(rel).read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        start = text.index(old)
        self.path(rel).write_text(text.replace(old, new), encoding="utf-8")
        return text[:start].count("\n") + 1

    def line_of(self, rel: str, needle: str) -> int:
        text = self.path(rel).read_text(encoding="utf-8")
        assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times in {rel}"
        return text[: text.index(needle)].count("\n") + 1

    def write(self, rel: str, text: str) -> None:
        self.path(rel).parent.mkdir(parents=True, exist_ok=True)
        self.path(rel).write_text(text, encoding="utf-8")

    def check(self, today: date = TODAY) -> list[Problem]:
        return check(self.root, today)

    def errors(self) -> list[Problem]:
        return [p for p in self.check() if p.severity == "error"]


@pytest.fixture
def flows(tmp_path: Path) -> Flows:
    return Flows(tmp_path)
