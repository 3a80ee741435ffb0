"""A deadline on reading each request, for every server the gateway runs.

uvicorn times out an idle kept-alive connection, but not one whose request never finishes arriving: a client
that sends a header line now and then (or its body a byte at a time) holds a connection, and a file descriptor,
for as long as it likes; a few thousand such clients starve the gateway of descriptors. Here a connection that
has not delivered a whole request (headers and body) within the deadline of connecting, or of the previous
response, is closed. A request that arrived in time is never cut, however long the model takes to answer it.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

REQUEST_READ_SECONDS = 30.0


class RequestDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline of ``deadline_seconds`` on each request's arrival. uvicorn builds
    one per connection from the class alone, so the deadline is a class attribute: see ``with_request_deadline``."""

    deadline_seconds = REQUEST_READ_SECONDS
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        # The parent may start a pipelined request's cycle here; the deadline armed after it covers that request
        # (already whole, so never cut) or the next one still arriving.
        super().on_response_complete()
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self._deadline = self.loop.call_later(self.deadline_seconds, self._on_deadline)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _on_deadline(self) -> None:
        self._deadline = None
        cycle = self.cycle
        # No request yet, the previous one answered and the next not whole, or a body still arriving: the client
        # is late. A whole request being answered (more_body False, response not complete) is left alone.
        still_reading = cycle is None or cycle.response_complete or cycle.more_body
        if still_reading and not self.transport.is_closing():
            self.transport.close()


def with_request_deadline(seconds: float = REQUEST_READ_SECONDS) -> type[RequestDeadlineProtocol]:
    """The protocol class to give ``uvicorn.Config(http=...)`` for a deadline of ``seconds``."""
    if not seconds > 0:
        raise ValueError(f"a request deadline must be positive, not {seconds!r}")
    if seconds == RequestDeadlineProtocol.deadline_seconds:
        return RequestDeadlineProtocol
    return type(RequestDeadlineProtocol.__name__, (RequestDeadlineProtocol,), {"deadline_seconds": float(seconds)})
