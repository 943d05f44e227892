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


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to sys.stderr as it is at each record (see _to_stderr)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure(level: str = "info", *, json: bool = False) -> None:
    """structlog's events, and in JSON mode every other library's log records too (uvicorn,
    SQLAlchemy, httpx), as one JSON object a line; tracebacks as text, never local variables."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    stamp = structlog.processors.TimeStamper(fmt="iso", utc=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            stamp,
            *([structlog.processors.format_exc_info] if json else []),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(LEVELS[level]),
        # sys.stderr as it is when a logger is made, not when this ran: whatever replaced it
        # since (a test's capture, a daemon's redirect) is written to, never a closed file.
        logger_factory=_to_stderr,
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(old)
    if json:
        handler = _Stderr()
        handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=[
                    structlog.stdlib.add_logger_name,
                    structlog.processors.add_log_level,
                    stamp,
                ],
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(),
                ],
            )
        )
        # basicConfig's text handler from an earlier call would print each record twice.
        for other in [h for h in root.handlers if type(h) is logging.StreamHandler]:
            root.removeHandler(other)
        root.addHandler(handler)
        root.setLevel(LEVELS[level])
        logging.captureWarnings(True)  # libraries' warnings as records, not text on stderr
        return
    logging.basicConfig(
        level=LEVELS[level], stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
