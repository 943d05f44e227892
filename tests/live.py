"""The one live server of the tests: uvicorn on a free port of 127.0.0.1, serving an app.

`serve` runs it in the test's event loop (the Telegram and Twilio stubs, async tests);
`serve_in_thread` runs the same in an event loop of its own, in a thread, for sync tests
(Playwright) that have no loop. The socket is bound before uvicorn starts, so no other
process can take the port, and both wait for uvicorn's `started` rather than sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future
from contextlib import asynccontextmanager, contextmanager
from typing import Literal

import uvicorn
from starlette.types import ASGIApp


@asynccontextmanager
async def serve(
    app: ASGIApp, *, lifespan: Literal["on", "off"] = "off", start_within: float = 5
) -> AsyncIterator[str]:
    """Serve `app` in this event loop; yields its base URL. `lifespan="on"` runs the app's."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        lifespan=lifespan,
        log_level="warning",
        access_log=False,
        ws="none",
        http="h11",
        # An event stream a failed test left open (a browser page) must not hold the
        # server, and with it the whole run, at shutdown: it is cancelled after this.
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    deadline = time.monotonic() + start_within
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            server.should_exit = True
            with contextlib.suppress(BaseException):
                await task
            sock.close()
            raise RuntimeError("uvicorn did not start: see its log above")
        await asyncio.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        # Shut down at once rather than at uvicorn's next 0.1 s tick, then end its loop; the
        # app's lifespan (if on) ends with it.
        server.should_exit = True
        await server.shutdown(sockets=[sock])
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()


@contextmanager
def serve_in_thread(app: ASGIApp, *, timeout: float = 60) -> Iterator[str]:
    """`serve` with the app's lifespan, in a thread with its own event loop; yields the URL.

    The app builds what it needs (a database, a runtime) in its lifespan, inside that loop.
    `timeout` is long because a real runtime may train its NLU first.
    """
    address: Future[str] = Future()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def main() -> None:
        try:
            async with serve(app, lifespan="on", start_within=timeout) as url:
                address.set_result(url)
                await stop.wait()
        except BaseException as exc:
            if not address.done():
                address.set_exception(exc)
            raise

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        yield address.result(timeout=timeout + 5)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        if not thread.is_alive():
            loop.close()
