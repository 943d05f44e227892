"""The helpline for Indonesian migrant workers."""

import sys

__version__ = "0.1.0"


def _import_structlog_without_rich() -> None:
    """structlog imports rich and pygments when they are installed (typer brings them), for
    pretty tracebacks that show local variables: the helpline prints tracebacks as plain text
    (bot/logs.py), never a worker's words held in a local. Hidden while structlog is imported,
    a tenth of a second of every start saved; rich stays importable for typer's help."""
    if "structlog" in sys.modules:
        return
    missing = object()
    saved = sys.modules.get("rich", missing)
    sys.modules["rich"] = None  # type: ignore[assignment]  # "not installed", to structlog
    try:
        import structlog  # noqa: F401
    finally:
        if saved is missing:
            del sys.modules["rich"]
        else:
            sys.modules["rich"] = saved  # type: ignore[assignment]


_import_structlog_without_rich()
