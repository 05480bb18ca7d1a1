"""At most as many requests at work as the database pool has connections.

A request takes its connection in one worker-thread call (the dependencies) and runs its
endpoint in another. With 40 worker threads over 15 pooled connections, a burst of autosaves
ended with 15 requests holding connections while waiting for a thread, and 40 threads held by
requests waiting for a connection: nothing moved until pool timeouts, and ``/healthz`` (which
needs a thread too) stopped answering. Requests beyond the pool's size now wait here, in the
event loop, holding neither a thread nor a connection; a request that waits too long gets a 503
with ``Retry-After`` instead of a timeout. Liveness is never queued.

A request's body (up to ``BUFFERED_BODY`` bytes, which covers every JSON call) is received before
the request is admitted, so a client sending its body slowly holds no slot while it does.
"""

from __future__ import annotations

import asyncio
import weakref

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem_response

UNQUEUED = ("/healthz",)
BUFFERED_BODY = 1024 * 1024


class AdmissionLimit:
    def __init__(self, app: ASGIApp, *, slots: int, wait_seconds: float) -> None:
        self.app = app
        self.slots = slots
        self.wait_seconds = wait_seconds
        # One semaphore per event loop: a test client runs each of its sessions in a new loop.
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.slots)
        return semaphore

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in UNQUEUED:
            await self.app(scope, receive, send)
            return
        received = await _received_start(receive)
        semaphore = self._semaphore()
        try:
            if semaphore.locked():  # a free slot is taken at once, without a timer
                await asyncio.wait_for(semaphore.acquire(), timeout=self.wait_seconds)
            else:
                await semaphore.acquire()
        except TimeoutError:
            response = problem_response(
                503,
                f"The server is busy: every one of its {self.slots} database connections has "
                f"been in use for {self.wait_seconds:g} s. Try again shortly.",
                slug="server-busy",
                instance=scope.get("path"),
            )
            response.headers["Retry-After"] = "5"
            await response(scope, receive, send)
            return

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        try:
            await self.app(scope, replay, send)
        finally:
            semaphore.release()


async def _received_start(receive: Receive) -> list[Message]:
    """The body's first messages, up to ``BUFFERED_BODY`` bytes or its end."""
    messages: list[Message] = []
    size = 0
    while size < BUFFERED_BODY:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
        size += len(message.get("body", b""))
    return messages
