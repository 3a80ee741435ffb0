"""The chain client: connection with a chain-id check, balances, EIP-1559 fees, nonces, send, receipts, logs.

This package is the only place that imports web3; what leaves it is plain Python (ints, str, dataclasses).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3 import exceptions as w3ex
from web3.types import TxParams

from wallet.addresses import parse_address
from wallet.chain.errors import int_answer, malformed_answer, mapped_errors
from wallet.chain.transport import BoundedHTTPProvider
from wallet.errors import ChainMismatch, NetworkError, TxError, WalletError
from wallet.networks import NetworkProfile

# A priority fee floor keeps a transaction from starving when the node reports 0 (as devnets do).
MIN_PRIORITY_FEE = 1_000_000  # 0.001 gwei
LOG_CHUNK = 5_000


@dataclass(frozen=True)
class FeeEstimate:
    base_fee: int
    max_priority_fee: int
    max_fee: int  # what the wallet is willing to pay per gas: 2 × base fee + tip, EIP-1559's usual headroom

    def cost(self, gas: int) -> int:
        """The most the fee can be for ``gas`` units, in wei."""
        return gas * self.max_fee


@dataclass(frozen=True)
class Receipt:
    tx_hash: str
    status: int
    block_number: int
    gas_used: int
    effective_gas_price: int
    logs: tuple[dict[str, Any], ...]
    contract_address: str | None = None  # set when the transaction created a contract
    entries: tuple[LogEntry, ...] = ()   # the same logs as plain values
    block_hash: str | None = None

    @property
    def fee_paid(self) -> int:
        """What the sender paid for the transaction, in wei."""
        return self.gas_used * self.effective_gas_price

    @property
    def ok(self) -> bool:
        return self.status == 1


@dataclass(frozen=True)
class LogEntry:
    address: str
    topics: tuple[str, ...]
    data: str
    block_number: int
    tx_hash: str
    log_index: int


class ChainClient:
    """A connection to one network profile. Thread-safe for use from the service's worker threads."""

    def __init__(self, profile: NetworkProfile, *, timeout: float = 5.0) -> None:
        self.profile = profile
        self.w3 = Web3(
            BoundedHTTPProvider(
                profile.rpc_url,
                request_kwargs={"timeout": timeout},
                exception_retry_configuration=None,  # fail fast: the UI shows "reconnecting" itself
                # web3 checks the chain id before every call and transaction; a node never changes chain under
                # one client (a switch makes a new client), so one answer serves them all.
                cache_allowed_requests=True,
                cacheable_requests={"eth_chainId"},
            )
        )
        self._nonce_lock = threading.Lock()
        self._next_nonce: dict[str, int] = {}
        self._checked = False

    @property
    def rpc_url(self) -> str:
        return self.profile.rpc_url

    def guard(self, action: str):
        """Run an RPC interaction with its failures mapped to the wallet's errors (for wallet.chain modules)."""
        return mapped_errors(self.profile.rpc_url, action)

    _guard = guard

    # --- connection ---
    def node_chain_id(self) -> int:
        """The chain id the node answers, whatever the profile says (to build a profile for a new node)."""
        with self._guard("read the chain id"):
            return self._int(self.w3.eth.chain_id, "read the chain id")

    def connect(self) -> int:
        """Check the node answers with the profile's chain id; returns the chain id."""
        chain_id = self.node_chain_id()
        if chain_id != self.profile.chain_id:
            raise ChainMismatch(
                f"The node at {self.rpc_url} is on chain {chain_id}, but the network "
                f"{self.profile.name!r} is chain {self.profile.chain_id}. Nothing was sent. "
                "Check the RPC address in the network settings."
            )
        self._checked = True
        return chain_id

    def _int(self, answer: object, action: str) -> int:
        return int_answer(answer, self.profile.rpc_url, action)

    def _ensure_connected(self) -> None:
        if not self._checked:
            self.connect()

    def block_number(self) -> int:
        with self._guard("read the latest block"):
            return self._int(self.w3.eth.block_number, "read the latest block")

    def latest_timestamp(self) -> int:
        """The latest block's timestamp: the chain's own clock, which decides whether a signature expired."""
        with self._guard("read the latest block"):
            return self._int(self.w3.eth.get_block("latest")["timestamp"], "read the latest block")

    # --- balances and calls ---
    def eth_balance(self, address: str) -> int:
        addr = parse_address(address, allow_zero=True)
        self._ensure_connected()
        with self._guard("read the ETH balance"):
            return self._int(self.w3.eth.get_balance(addr), "read the ETH balance")

    def code_at(self, address: str) -> bytes:
        with self._guard("read contract code"):
            return bytes(self.w3.eth.get_code(parse_address(address, allow_zero=True)))

    def contract(self, address: str, abi: list[dict[str, Any]]) -> Any:
        """A web3 contract object; only for use inside wallet.chain."""
        return self.w3.eth.contract(address=parse_address(address), abi=abi)

    def call(self, fn: Any, action: str) -> Any:
        self._ensure_connected()
        with self._guard(action):
            return fn.call()

    def call_word(self, to: str, data: str, action: str) -> int:
        """A read-only call whose answer is one 32-byte word (a balance, a flag), as bare JSON-RPC: reads on the
        way to a payment cost one round trip and none of web3's formatting."""
        self._ensure_connected()
        out = self._raw("eth_call", [{"to": parse_address(to), "data": data}, "latest"], action)
        if not isinstance(out, str) or len(out) != 66:  # no contract there, or not this function
            with self._guard(action):
                raise w3ex.BadFunctionCallOutput(f"{out!r:.80} where one word was expected")
        return _hex_int(out, self.rpc_url, action)

    def _raw(self, method: str, params: list[Any], action: str) -> Any:
        """One JSON-RPC request without web3's middlewares; errors mapped like every other."""
        with self._guard(action):
            answer = self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        if not isinstance(answer, dict) or ("result" not in answer and "error" not in answer):
            raise malformed_answer(self.rpc_url, action)
        if "error" in answer:
            error = answer["error"]
            text = error.get("message") if isinstance(error, dict) else error
            raise NetworkError(f"The network refused to {action}: {str(text)[:300]}")
        return answer["result"]

    # --- fees and nonces ---
    def fee_estimate(self) -> FeeEstimate:
        self._ensure_connected()
        action = "estimate the network fee"
        with self._guard(action):
            block = self.w3.eth.get_block("latest")
            if not isinstance(block, Mapping):
                raise malformed_answer(self.profile.rpc_url, action)
            base = self._int(block.get("baseFeePerGas", 0), action)
            try:
                tip = self._int(self.w3.eth.max_priority_fee, action)
            except w3ex.Web3RPCError:  # a node without eth_maxPriorityFeePerGas: the floor below applies
                tip = 0
        tip = max(tip, MIN_PRIORITY_FEE)
        return FeeEstimate(base_fee=base, max_priority_fee=tip, max_fee=2 * base + tip)

    def pending_nonce(self, address: str) -> int:
        action = "read the account's transaction count"
        with self._guard(action):
            return self._int(self.w3.eth.get_transaction_count(parse_address(address), "pending"), action)

    def _take_nonce(self, address: str) -> int:
        """Next nonce: the node's pending count, or one past what this process last used if that is higher."""
        with self._nonce_lock:
            chain = self.pending_nonce(address)
            nonce = max(chain, self._next_nonce.get(address, 0))
            self._next_nonce[address] = nonce + 1
            return nonce

    def _release_nonce(self, address: str, nonce: int) -> None:
        with self._nonce_lock:
            if self._next_nonce.get(address) == nonce + 1:
                self._next_nonce[address] = nonce

    # --- sending ---
    def send(self, signer: LocalAccount, tx: TxParams, action: str, *, fees: FeeEstimate | None = None) -> str:
        """Fill in chain id, nonce, gas and fees, sign locally and broadcast. Returns the tx hash (0x…).

        Gas is always estimated by the node, never taken as given: a fixed limit (21,000 for a plain transfer)
        fails on chain when the recipient is a contract, while the estimate refuses it before anything is sent.
        Use ``send_and_confirm`` unless the caller checks the receipt itself.
        """
        if "gas" in tx:
            raise ValueError("send() estimates the gas itself; do not pass a gas limit")
        self._ensure_connected()
        sender = signer.address
        tx = dict(tx)  # type: ignore[assignment]
        tx.setdefault("from", sender)
        tx.setdefault("chainId", self.profile.chain_id)
        fees = fees or self.fee_estimate()
        tx.setdefault("maxFeePerGas", fees.max_fee)
        tx.setdefault("maxPriorityFeePerGas", fees.max_priority_fee)
        with self._guard(action):
            tx["gas"] = self._int(self.w3.eth.estimate_gas(tx), action) * 12 // 10  # 20% headroom
        nonce = self._take_nonce(sender)
        tx["nonce"] = nonce
        try:
            signed = signer.sign_transaction(tx)
            with self._guard(action):
                return "0x" + bytes(self.w3.eth.send_raw_transaction(signed.raw_transaction)).hex()
        except BaseException:
            self._release_nonce(sender, nonce)
            raise

    def transact(self, signer: LocalAccount, fn: Any, action: str, *, value: int = 0,
                 timeout: float = 60.0) -> Receipt:
        """Build a contract call as a transaction, send it and wait for its receipt; revert → TxError."""
        self._ensure_connected()
        with self._guard(action):
            tx = fn.build_transaction({"from": signer.address, "value": value, "nonce": 0})
        for k in ("nonce", "gas", "maxFeePerGas", "maxPriorityFeePerGas", "gasPrice"):
            tx.pop(k, None)
        return self.send_and_confirm(signer, tx, action, timeout=timeout)

    def send_and_confirm(self, signer: LocalAccount, tx: TxParams, action: str, *,
                         timeout: float = 60.0) -> Receipt:
        """``send``, then wait for the receipt; a transaction included but failed (status 0) is a ``TxError``."""
        tx_hash = self.send(signer, tx, action)
        return self.confirm(tx_hash, action, timeout=timeout)

    def confirm(self, tx_hash: str, action: str, *, timeout: float = 60.0) -> Receipt:
        """The receipt of a transaction the wallet sent, which must have succeeded: status 0 is a ``TxError``
        naming the transaction, never a result."""
        receipt = self.wait_for_receipt(tx_hash, action, timeout=timeout)
        if not receipt.ok:
            raise TxError(f"The transaction to {action} was included but failed (tx {receipt.tx_hash}). "
                          "Nothing was transferred; only its network fee was paid.")
        return receipt

    def wait_for_receipt(self, tx_hash: str, action: str, *, timeout: float = 60.0,
                         poll: float = 0.1) -> Receipt:
        with self._guard(action):
            r = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=poll)
        return _receipt(r)

    def receipt(self, tx_hash: str, action: str) -> Receipt | None:
        """The receipt of a mined transaction, or None while it is unknown or pending (no waiting). Read as bare
        JSON-RPC (see ``call_word``); ``logs`` then hold the node's own JSON, ``entries`` the plain values."""
        self._ensure_connected()
        r = self._raw("eth_getTransactionReceipt", [tx_hash], action)
        if r is None:
            return None
        try:
            entries = tuple(LogEntry(
                address=parse_address(log["address"], allow_zero=True), topics=tuple(t.lower() for t in log["topics"]),
                data=log["data"], block_number=int(log["blockNumber"], 16), tx_hash=log["transactionHash"].lower(),
                log_index=int(log["logIndex"], 16)) for log in r["logs"])
            return Receipt(
                tx_hash=r["transactionHash"].lower(), status=int(r["status"], 16),
                block_number=int(r["blockNumber"], 16), gas_used=int(r["gasUsed"], 16),
                effective_gas_price=int(r.get("effectiveGasPrice") or "0x0", 16), logs=tuple(r["logs"]),
                contract_address=parse_address(r["contractAddress"]) if r.get("contractAddress") else None,
                entries=entries, block_hash=str(r["blockHash"]).lower() if r.get("blockHash") else None)
        except (KeyError, TypeError, ValueError, AttributeError, WalletError):
            raise malformed_answer(self.rpc_url, action) from None

    # --- logs ---
    def get_logs(self, address: str, topics: Sequence[str | Sequence[str] | None], from_block: int,
                 to_block: int | None = None, *, chunk: int = LOG_CHUNK,
                 on_chunk: Callable[[int, int], None] | None = None) -> list[LogEntry]:
        """Logs in [from_block, to_block], fetched in chunks so public RPC range limits are respected."""
        self._ensure_connected()
        end = self.block_number() if to_block is None else to_block
        out: list[LogEntry] = []
        start = max(0, from_block)
        while start <= end:
            stop = min(end, start + chunk - 1)
            with self._guard("read event logs"):
                raw = self.w3.eth.get_logs({
                    "address": parse_address(address), "fromBlock": start, "toBlock": stop,
                    "topics": list(topics),
                })
            out.extend(_log_entry(log) for log in raw)
            if on_chunk:
                on_chunk(start, stop)
            start = stop + 1
        return out

    def wait_until(self, predicate: Callable[[], bool], timeout: float, poll: float = 0.1) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(poll)
        return predicate()


def _log_entry(log: Any) -> LogEntry:
    return LogEntry(
        address=str(log["address"]),
        topics=tuple("0x" + bytes(t).hex() for t in log["topics"]),
        data="0x" + bytes(log["data"]).hex(),
        block_number=int(log["blockNumber"]),
        tx_hash="0x" + bytes(log["transactionHash"]).hex(),
        log_index=int(log["logIndex"]),
    )


def _receipt(r: Any) -> Receipt:
    return Receipt(
        tx_hash="0x" + bytes(r["transactionHash"]).hex(),
        status=int(r["status"]),
        block_number=int(r["blockNumber"]),
        gas_used=int(r["gasUsed"]),
        effective_gas_price=int(r.get("effectiveGasPrice", 0)),
        logs=tuple(dict(log) for log in r["logs"]),
        contract_address=str(r["contractAddress"]) if r.get("contractAddress") else None,
        entries=tuple(_log_entry(log) for log in r["logs"]),
        block_hash="0x" + bytes(r["blockHash"]).hex() if r.get("blockHash") else None,
    )


def _hex_int(value: str, rpc_url: str, action: str) -> int:
    try:
        return int(value, 16)
    except ValueError:
        raise malformed_answer(rpc_url, action) from None
