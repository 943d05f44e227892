"""What `check` reports: a problem in a content file, located by file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    path: Path  # relative to the checkout root, e.g. flows/answers/wages_unpaid.yml
    line: int | None  # 1-based
    message: str
    severity: Severity = field(default="error")

    def __str__(self) -> str:
        where = self.path.as_posix() if self.line is None else f"{self.path.as_posix()}:{self.line}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


def warning(path: Path, line: int | None, message: str) -> Problem:
    return Problem(path, line, message, "warning")


class ContentError(Exception):
    """The content in flows/ cannot be served; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems) or "invalid content")
