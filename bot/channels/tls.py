"""One TLS context for every HTTP client the channels make (building one takes tens of ms)."""

from __future__ import annotations

import ssl
from functools import cache

import certifi


@cache
def tls_context() -> ssl.SSLContext:
    # The CA bundle httpx itself would load.
    return ssl.create_default_context(cafile=certifi.where())
