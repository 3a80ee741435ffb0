"""A provider endpoint that does not answer is said in words, with what to do, never as an exception's name."""

from __future__ import annotations

import socket

import httpx
import pytest

from wallet.devnet.anvil import free_port
from wallet.services.quotes import QuoteService, endpoint_problem


def test_nothing_listening() -> None:
    ok, text = QuoteService.check_endpoint(f"http://127.0.0.1:{free_port()}/")
    assert not ok and text.startswith("Nothing answers at this address")


def test_an_endpoint_that_never_answers() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()  # accepts the connection, never replies
    try:
        ok, text = QuoteService.check_endpoint(f"http://127.0.0.1:{server.getsockname()[1]}/", timeout=0.3)
    finally:
        server.close()
    assert not ok and text.startswith("No answer within 0.3 seconds")


@pytest.mark.parametrize("url", ["ftp://example.org/", "http://[::1", "not a url at all"])
def test_an_address_the_wallet_cannot_use(url: str) -> None:
    ok, text = QuoteService.check_endpoint(url)
    assert not ok and text.startswith("The registered endpoint is not a web address")


@pytest.mark.parametrize(("message", "start"), [
    ("[Errno -2] Name or service not known", "The endpoint's host name cannot be found"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", "Its secure connection"),
])
def test_connection_failures_in_words(message: str, start: str) -> None:
    assert endpoint_problem(httpx.ConnectError(message), 3.0).startswith(start)


def test_no_class_names() -> None:
    for exc in (httpx.ConnectError("x"), httpx.ReadTimeout("x"), httpx.RemoteProtocolError("x"),
                httpx.UnsupportedProtocol("x")):
        text = endpoint_problem(exc, 3.0)
        assert type(exc).__name__ not in text and text.endswith(".")


