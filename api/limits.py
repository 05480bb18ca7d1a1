"""Refuse oversized request bodies before they are read into memory.

JSON bodies get a tight limit (no legitimate JSON request needs megabytes) and file uploads a
wider one. Bodies without a Content-Length are counted as they stream in.
"""

from __future__ import annotations

from contextlib import suppress

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem_response


class BodyTooLarge(Exception):
    """Raised inside ``receive`` when a streamed body passes the limit."""


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, json_limit: int, upload_limit: int) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit
        self.bulk_suffixes = ("/import",)

    def _limit_for(self, scope: Scope, headers: dict[bytes, bytes]) -> int:
        if str(scope.get("path", "")).endswith(self.bulk_suffixes):
            return self.upload_limit  # bulk imports may send a large network as JSON
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        return (
            self.upload_limit
            if content_type.startswith("multipart/")
            or (
                content_type
                and not content_type.startswith(("application/json", "application/x-www-form"))
            )
            else self.json_limit
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit = self._limit_for(scope, headers)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        if declared is not None and declared.isdigit() and b"transfer-encoding" not in headers:
            # The server reads exactly the declared length, so this body cannot pass the
            # limit: no counting (wrapping every receive and send cost each autosave).
            await self.app(scope, receive, send)
            return

        received = 0
        exceeded = False
        forwarded = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Once the body overflowed, whatever the app answers (frameworks turn the
            # exception into a generic 400) is replaced by our 413.
            nonlocal forwarded
            if exceeded:
                return
            forwarded = True
            await send(message)

        with suppress(BodyTooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not forwarded:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            413,
            f"The request body is larger than the {limit:,} bytes allowed for this kind of "
            "request.",
            slug="payload-too-large",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)
