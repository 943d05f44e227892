"""Structured logs on stderr. Events carry ids, intents and timings, never what a worker wrote."""

from __future__ import annotations

import logging
import sys

import structlog

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


def _to_stderr(*_args: object) -> structlog.PrintLogger:
    return structlog.PrintLogger(sys.stderr)


def configure(level: str = "info", *, json: bool = False) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(LEVELS[level]),
        # sys.stderr as it is when a logger is made, not when this ran: whatever replaced it
        # since (a test's capture, a daemon's redirect) is written to, never a closed file.
        logger_factory=_to_stderr,
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(
        level=LEVELS[level], stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
