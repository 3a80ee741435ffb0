"""web3's HTTP transport with the node's answers bounded.

An RPC endpoint is whatever the user typed in a network profile: it may be broken or hostile. web3 reads a
whole response into memory and hands it to ``json.loads``; with eth_account imported the recursion limit is
100,000, so a response nested that deep overflows the C stack and kills the wallet. Here the body is read by
bytes up to a cap, within one overall deadline, and parsed only after its nesting depth was checked.
"""

from __future__ import annotations

import time
from typing import Any, cast

import requests
from web3 import HTTPProvider
from web3.types import RPCEndpoint, RPCResponse

from wallet.errors import InvalidInput
from wallet.safe_io import MIB, loads_bounded

# Blocks, receipts and log chunks nest about six levels deep; a log chunk of a busy public chain can reach a few
# MiB. Far beyond either is not an answer the wallet can use.
MAX_RESPONSE_BYTES = 64 * MIB
MAX_RESPONSE_DEPTH = 64
_CHUNK = 64 * 1024


class BadAnswer(Exception):
    """A node's answer the wallet will not use (too large, too deep, not JSON). ``mapped_errors`` words it as a
    network error naming the node and what the wallet was doing."""


class BoundedHTTPProvider(HTTPProvider):
    def _make_request(self, method: RPCEndpoint, request_data: bytes) -> bytes:
        kwargs: dict[str, Any] = dict(self.get_request_kwargs())
        timeout = kwargs.setdefault("timeout", 10.0)
        total = timeout if isinstance(timeout, (int, float)) else sum(timeout)
        deadline = time.monotonic() + total
        session = self._request_session_manager
        with session.get_response_from_post_request(self.endpoint_uri, data=request_data, stream=True,
                                                    **kwargs) as response:
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise BadAnswer(f"it answered {method} with more than {MAX_RESPONSE_BYTES // MIB} MiB, "
                                    "which was not read")
                if time.monotonic() > deadline:  # a server dripping bytes must not hold the wallet forever
                    raise requests.exceptions.Timeout(f"{method} took longer than {total} s")
        return bytes(body)

    def make_batch_request(self, batch_requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse] | RPCResponse:
        """web3's batch request reads the whole body; this one goes through the same bounded read. The answers
        come in the node's order: the caller matches them to its requests by id."""
        request_data = self.encode_batch_rpc_request(batch_requests)
        return self.decode_rpc_response(self._make_request(RPCEndpoint("batch"), request_data))

    def decode_rpc_response(self, raw_response: bytes) -> RPCResponse:  # type: ignore[override]
        try:
            data = loads_bounded(raw_response, max_bytes=MAX_RESPONSE_BYTES, max_depth=MAX_RESPONSE_DEPTH,
                                 what="its answer")
        except InvalidInput as e:
            raise BadAnswer(e.user_message.rstrip(".")) from None
        return cast(RPCResponse, data)
