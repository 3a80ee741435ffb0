"""What answers a paid request: a proxy to an OpenAI-compatible upstream, or the offline demo (demo_backend).

A backend gets the request exactly as it was priced and returns an OpenAI ``chat.completion`` body. The
gateway charges for at most ``max_tokens`` of output, so the proxy holds the upstream to it: it sends the budget
and cuts an answer that comes back longer (counted under the model's metering encoding).
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from provider.chat import PricedRequest, RequestRefused
from wallet.errors import ConfigError, InvalidInput
from wallet.metering import count_tokens
from wallet.safe_io import loads_bounded
from wallet.tokenizers import get_encoding

UPSTREAM_URL_ENV = "AI_PROVIDER_UPSTREAM_URL"
UPSTREAM_KEY_ENV = "AI_PROVIDER_UPSTREAM_KEY"
MAX_UPSTREAM_BYTES = 16 * 1024 * 1024
MAX_UPSTREAM_DEPTH = 32
MAX_CONFIG_BYTES = 64 * 1024


@dataclass(frozen=True)
class Completion:
    body: dict[str, Any]     # the OpenAI chat.completion object returned to the payer
    content: str             # the assistant's message text


class Backend(Protocol):
    name: str
    demo: bool

    async def complete(self, priced: PricedRequest) -> Completion: ...

    async def aclose(self) -> None: ...


def completion_body(priced: PricedRequest, content: str, finish_reason: str, usage: dict[str, Any],
                    **extra: Any) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": priced.request.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": finish_reason}],
        "usage": usage,
        **extra,
    }


def cut_to_tokens(text: str, encoding: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` of at most ``max_tokens`` tokens under ``encoding``."""
    enc = get_encoding(encoding)
    tokens = enc.encode_ordinary(text)
    if len(tokens) <= max_tokens:
        return text
    keep = max_tokens
    while keep > 0:
        # A token boundary can fall inside a character; decoding then yields a replacement character whose
        # own tokens could push the count back over, so shrink until the prefix counts within the budget.
        prefix = enc.decode(tokens[:keep], errors="ignore")
        if len(enc.encode_ordinary(prefix)) <= max_tokens:
            return prefix
        keep -= 1
    return ""


@dataclass(frozen=True)
class UpstreamConfig:
    base_url: str
    api_key: str | None = None

    def __repr__(self) -> str:  # never show the key
        return f"UpstreamConfig(base_url={self.base_url!r}, api_key={'***' if self.api_key else None})"

    @classmethod
    def load(cls, config_file: str | Path | None = None) -> UpstreamConfig | None:
        """From ``config_file`` (JSON ``{"upstream": {"base_url", "api_key"}}``), else the environment
        (AI_PROVIDER_UPSTREAM_URL, AI_PROVIDER_UPSTREAM_KEY); None when neither names an upstream."""
        url, key = os.environ.get(UPSTREAM_URL_ENV), os.environ.get(UPSTREAM_KEY_ENV)
        if config_file:
            section = _read_config(Path(config_file)).get("upstream")
            if not isinstance(section, dict):
                raise ConfigError(f'{config_file} has no "upstream" object with a base_url.')
            url = section.get("base_url", url)
            key = section.get("api_key", key)
        if not url:
            return None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError("The upstream base_url must start with http:// or https://.")
        if key is not None and not isinstance(key, str):
            raise ConfigError("The upstream api_key must be a text.")
        return cls(url.rstrip("/"), key or None)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"Cannot read the gateway config {path}: {e.strerror or e}.") from None
    try:
        raw = loads_bounded(data, max_bytes=MAX_CONFIG_BYTES, max_depth=8, what=f"the gateway config {path}")
    except InvalidInput as e:
        raise ConfigError(e.user_message) from None
    if not isinstance(raw, dict):
        raise ConfigError(f"The gateway config {path} must be a JSON object.")
    return raw


class OpenAIProxy:
    """Forwards the priced request to ``{base_url}/chat/completions`` and passes the upstream's ``usage``
    through unchanged."""

    demo = False

    def __init__(self, config: UpstreamConfig, *, timeout: float = 120.0) -> None:
        self.config = config
        self.name = f"proxy to {config.base_url}"
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._http = httpx.AsyncClient(timeout=timeout, headers=headers)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def complete(self, priced: PricedRequest) -> Completion:
        url = f"{self.config.base_url}/chat/completions"
        try:
            async with self._http.stream("POST", url, json=priced.request.to_json()) as r:
                raw = await _read_limited(r)
                status = r.status_code
        except httpx.HTTPError as e:
            raise RequestRefused(f"The model service did not answer ({e.__class__.__name__}); nothing was "
                                 "charged.", 502, "upstream_unavailable") from None
        try:
            body = loads_bounded(raw, max_bytes=MAX_UPSTREAM_BYTES, max_depth=MAX_UPSTREAM_DEPTH,
                                 what="the model service's answer")
        except InvalidInput as e:
            raise RequestRefused(f"{e.user_message} Nothing was charged.", 502, "upstream_invalid") from None
        if status != 200:
            message = body.get("error", {}).get("message") if isinstance(body, dict) else None
            detail = f": {str(message)[:300]}" if isinstance(message, str) else ""
            raise RequestRefused(f"The model service answered {status}{detail}. Nothing was charged.", 502,
                                 "upstream_error")
        return self._checked(priced, body)

    @staticmethod
    def _checked(priced: PricedRequest, body: object) -> Completion:
        try:
            choice = body["choices"][0]  # type: ignore[index]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            content = None
        if not isinstance(content, str):
            raise RequestRefused("The model service's answer has no message text. Nothing was charged.", 502,
                                 "upstream_invalid")
        assert isinstance(body, dict)
        budget = priced.request.max_tokens
        cut = cut_to_tokens(content, priced.metered.encoding, budget)
        if cut != content:
            choice["message"]["content"] = content = cut
            choice["finish_reason"] = "length"
        body["metering"] = {"encoding": priced.metered.encoding, "input_tokens": priced.metered.input_tokens,
                            "output_tokens": count_tokens(content, priced.metered.encoding),
                            "max_tokens": budget}
        return Completion(body, content)


async def _read_limited(response: httpx.Response) -> bytes:
    out = bytearray()
    async for chunk in response.aiter_bytes():
        out += chunk
        if len(out) > MAX_UPSTREAM_BYTES:
            raise RequestRefused("The model service's answer is larger than this gateway accepts. Nothing was "
                                 "charged.", 502, "upstream_invalid")
    return bytes(out)
