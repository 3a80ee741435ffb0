"""Talking HTTP to a provider's endpoint: one chat request, its answer read with a cap on every byte.

A provider that answers with oversized headers, an endless body or nothing at all becomes a ``ProviderError``
that says so, never a hang or a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.errors import ProviderError
from wallet.safe_io import loads_bounded

if TYPE_CHECKING:
    import httpx

MAX_BODY_BYTES = 4 * 1024 * 1024  # an answer of max_output tokens is well under this
CONNECT_TIMEOUT = 5.0
ANSWER_TIMEOUT = 120.0            # a model may take this long to write max_output tokens


class ProviderTimeout(ProviderError):
    """The provider did not answer in time."""


class MalformedAnswer(ProviderError):
    """The provider's answer is not HTTP the wallet can read (oversized headers or body, broken framing)."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]   # lower-case names
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def text(self, limit: int = 2_000) -> str:
        return self.body[:limit].decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON, bounded (raises InvalidInput)."""
        return loads_bounded(self.body, max_bytes=MAX_BODY_BYTES, max_depth=64, what="the provider's answer")


class ProviderHttp:
    """One HTTP client per wallet (connections to a provider are reused)."""

    def __init__(self, answer_timeout: float = ANSWER_TIMEOUT) -> None:
        import httpx

        self.answer_timeout = answer_timeout
        self._client = httpx.Client(timeout=httpx.Timeout(answer_timeout, connect=CONNECT_TIMEOUT),
                                    follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self._client.close()

    def post(self, url: str, body: bytes, headers: dict[str, str] | None = None) -> Answer:
        import httpx

        try:
            with self._client.stream("POST", url, content=body, headers={
                    "content-type": "application/json", "accept": "application/json", **(headers or {})}) as r:
                return Answer(r.status_code, {k.lower(): v for k, v in r.headers.items()}, _read_capped(r, url))
        except httpx.TimeoutException:
            raise ProviderTimeout(f"The provider at {url} did not answer within {self.answer_timeout:g} s.") from None
        except httpx.RemoteProtocolError as e:
            raise MalformedAnswer(f"The provider at {url} answered with malformed HTTP ({_short(e)}).") from None
        except httpx.HTTPError as e:
            raise ProviderError(f"Cannot reach the provider at {url} ({e.__class__.__name__}).") from None


def _read_capped(response: httpx.Response, url: str) -> bytes:
    out = bytearray()
    for chunk in response.iter_bytes():
        out += chunk
        if len(out) > MAX_BODY_BYTES:
            raise MalformedAnswer(f"The provider at {url} sent more than {MAX_BODY_BYTES // 2**20} MiB; "
                                  "the answer was not read.")
    return bytes(out)


def _short(e: Exception) -> str:
    text = str(e) or e.__class__.__name__
    return text if len(text) <= 120 else text[:119] + "…"
