"""The flows a process serves: the current version of each, and every version it has served.

A conversation keeps the version it began on while this process knows it; after a restart
(or in another process) the current version takes over, with the answers that still fit.
A reload that finds an error changes nothing: the last good flows keep serving.
"""

from __future__ import annotations

from pathlib import Path

import structlog

from bot import intents, loadcache
from bot.content.problems import Problem
from bot.dialogue.flows import loader, validate
from bot.dialogue.flows.model import Flow

log = structlog.get_logger(__name__)


class FlowError(Exception):
    """The flows cannot be served; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems) or "invalid flows")


def check_flows(root: Path) -> list[Problem]:
    """Every problem in root/flows/complaints/ (and its schemas), each with file and line."""
    loaded = loader.load(root)
    return loaded.problems + validate.check(loaded.flows, root)


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def _checked(root: Path, cache_dir: Path | None) -> list[Flow]:
    """The flows under root; FlowError lists every error if they cannot be served."""

    def load() -> list[Flow]:
        loaded = loader.load(root)
        errors = _errors(loaded.problems + validate.check(loaded.flows, root))
        if errors:
            raise FlowError(errors)
        return loaded.flows

    folder = root / loader.COMPLAINTS.parent  # flows/: the schemas too
    return loadcache.cached(cache_dir, "flows", root, lambda: loadcache.tree(folder), load, list)


class FlowLibrary:
    cache_dir: Path | None = None  # where load() and reload() keep what they read

    def __init__(self, flows: list[Flow]) -> None:
        self._current: dict[str, Flow] = {}
        self._versions: dict[tuple[str, str], Flow] = {}
        self._install(flows)

    @classmethod
    def load(cls, root: Path, cache_dir: Path | None = None) -> FlowLibrary:
        """The flows under root; FlowError lists every error if they cannot be served.

        With `cache_dir`, as loaded before from the same files (bot/loadcache.py), and so
        are the reloads."""
        library = cls(_checked(root, cache_dir))
        library.cache_dir = cache_dir
        return library

    def reload(self, root: Path) -> list[Problem]:
        """Read the flows again; on any error keep serving the current ones. Returns errors."""
        try:
            flows = _checked(root, self.cache_dir)
        except FlowError as error:
            for problem in error.problems:
                log.warning("flows.reload_refused", problem=str(problem))
            return error.problems
        changed = sorted(
            f.id
            for f in flows
            if self._current.get(f.id, None) is None or self._current[f.id].version != f.version
        )
        self._install(flows)
        if changed:
            log.info("flows.reloaded", changed=changed)
        return []

    def _install(self, flows: list[Flow]) -> None:
        current = {flow.id: flow for flow in flows}
        for flow in flows:
            self._versions[(flow.id, flow.version)] = flow
        self._current = current  # one assignment: a reader sees the old set or the new

    def get(self, flow_id: str, version: str | None = None) -> Flow | None:
        """That version if this process knows it, else the current one (None if gone)."""
        if version is not None and (flow_id, version) in self._versions:
            return self._versions[(flow_id, version)]
        return self._current.get(flow_id)

    def for_category(self, category: str) -> Flow | None:
        return next((f for f in self._current.values() if f.category == category), None)

    def flows(self) -> list[Flow]:
        """The current flows, in the order of the categories in bot/intents.py."""
        order = {c: i for i, c in enumerate(intents.RIGHTS)}
        return sorted(self._current.values(), key=lambda f: (order.get(f.category, 99), f.id))
