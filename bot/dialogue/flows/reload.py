"""Hot reload: the server process watches flows/ and reloads the flows when a file changes.

Each process watches for itself, so several processes on one machine (or one shared checkout)
all pick up an edit. A broken edit is refused with its file:line in the log.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import structlog
from watchfiles import Change, awatch

from bot.dialogue.flows.library import FlowLibrary
from bot.dialogue.flows.loader import COMPLAINTS, SCHEMA_DIR

log = structlog.get_logger(__name__)


def _relevant(change: Change, path: str) -> bool:
    return path.endswith((".yml", ".yaml", ".json"))


async def watch_flows(
    root: Path,
    library: FlowLibrary,
    *,
    stop: asyncio.Event | None = None,
    debounce_ms: int = 400,
) -> None:
    """Reload `library` from root/flows/complaints/ whenever a flow or its schema changes."""
    paths = [p for p in (root / COMPLAINTS, root / SCHEMA_DIR) if p.is_dir()]
    if not paths:
        return
    async for _changes in awatch(
        *paths, watch_filter=_relevant, stop_event=stop, debounce=debounce_ms, step=50
    ):
        try:
            library.reload(root)
        except Exception as error:  # a reload must never take the server down
            log.error("flows.reload_failed", error=type(error).__name__)
