"""Plain JSON-RPC for bulk reads: logs, block headers and blocks, without web3's result formatters.

The history sync reads tens of thousands of logs; web3's per-field formatting costs more than the node's
answer. Results stay as the node's hex strings and are decoded by the caller. Batches go in one HTTP request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wallet.chain.client import ChainClient
from wallet.errors import NetworkError

Call = tuple[str, list[Any]]

_RANGE_HINTS = ("range", "too many", "more than", "limit exceeded", "response size", "too large")


class LogRangeTooLarge(NetworkError):
    """The node refuses a log query over this many blocks (public RPCs cap the range or the result size)."""


class RawRpc:
    def __init__(self, client: ChainClient) -> None:
        self._client = client
        self._provider = client.w3.provider

    def call(self, method: str, params: list[Any], action: str) -> Any:
        with self._client.guard(action):
            response = self._provider.make_request(method, params)  # type: ignore[arg-type]
        return self._result(response, method, action)

    def batch(self, calls: Sequence[Call], action: str) -> list[Any]:
        """Several calls in one HTTP request; results in the order of ``calls``."""
        if not calls:
            return []
        if len(calls) == 1:
            return [self.call(calls[0][0], calls[0][1], action)]
        with self._client.guard(action):
            responses = self._provider.make_batch_request(list(calls))  # type: ignore[arg-type]
        if not isinstance(responses, list):  # a node without batch support answers one error object
            raise NetworkError(f"The network at {self._client.rpc_url} refused a batch request while trying "
                               f"to {action}: {self._error_text(responses)}")
        by_id = {r.get("id"): r for r in responses if isinstance(r, dict)}
        if len(by_id) != len(calls):
            raise NetworkError(f"The network at {self._client.rpc_url} answered a batch incompletely while "
                               f"trying to {action}.")
        # web3 numbers a batch's requests consecutively; answers may come in any order.
        ordered = sorted(by_id.items(), key=lambda kv: int(kv[0]))
        return [self._result(r, calls[i][0], action) for i, (_, r) in enumerate(ordered)]

    def _result(self, response: Any, method: str, action: str) -> Any:
        if not isinstance(response, dict):
            raise NetworkError(f"The network at {self._client.rpc_url} answered {method} with something that is "
                               f"not JSON-RPC while trying to {action}.")
        if response.get("error"):
            text = self._error_text(response)
            if method == "eth_getLogs" and any(h in text.lower() for h in _RANGE_HINTS):
                raise LogRangeTooLarge(f"The network refused to {action} over so many blocks: {text}")
            raise NetworkError(f"The network refused to {action} ({method}): {text}")
        return response.get("result")

    @staticmethod
    def _error_text(response: Any) -> str:
        err = response.get("error") if isinstance(response, dict) else response
        if isinstance(err, dict):
            return str(err.get("message", err))[:300]
        return str(err)[:300]

    # --- typed helpers over the raw answers ---
    def head(self) -> int:
        return int(self.call("eth_blockNumber", [], "read the latest block"), 16)

    def get_logs(self, addresses: Sequence[str], topics: Sequence[Any], first: int, last: int) -> list[dict]:
        flt = {"address": list(addresses), "fromBlock": hex(first), "toBlock": hex(last), "topics": list(topics)}
        result = self.call("eth_getLogs", [flt], "read event logs")
        if not isinstance(result, list):
            raise NetworkError(f"The network at {self._client.rpc_url} answered eth_getLogs without a list.")
        return result

    def get_logs_many(self, filters: Sequence[tuple[Sequence[str], Sequence[Any]]], first: int,
                      last: int) -> list[list[dict]]:
        calls: list[Call] = [
            ("eth_getLogs", [{"address": list(a), "fromBlock": hex(first), "toBlock": hex(last), "topics": list(t)}])
            for a, t in filters
        ]
        results = self.batch(calls, "read event logs")
        for r in results:
            if not isinstance(r, list):
                raise NetworkError(f"The network at {self._client.rpc_url} answered eth_getLogs without a list.")
        return results

    def block_headers(self, numbers: Sequence[int], *, full: bool = False) -> dict[int, dict | None]:
        """Blocks by number (None for a number past the head)."""
        out: dict[int, dict | None] = {}
        nums = list(numbers)
        for i in range(0, len(nums), 500):
            part = nums[i:i + 500]
            results = self.batch([("eth_getBlockByNumber", [hex(n), full]) for n in part], "read blocks")
            out.update(zip(part, results, strict=True))
        return out

    def receipts(self, tx_hashes: Sequence[str]) -> dict[str, dict | None]:
        out: dict[str, dict | None] = {}
        hashes = list(tx_hashes)
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            results = self.batch([("eth_getTransactionReceipt", [h]) for h in part], "read receipts")
            out.update(zip(part, results, strict=True))
        return out

    def nonce_at(self, address: str, block: int | str) -> int:
        tag = hex(block) if isinstance(block, int) else block
        return int(self.call("eth_getTransactionCount", [address, tag], "read an account's transaction count"), 16)
