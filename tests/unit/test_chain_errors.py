"""Which failures are the network's and which are bugs.

A node that answers something other than JSON-RPC (a web page, a result of the wrong type, null) is a
``NetworkError`` with a plain message. A TypeError, KeyError, AttributeError or ValueError raised by the
wallet's own code, or web3 refusing the arguments it was given, goes on as itself, to be logged with its
traceback — never disguised as a problem with the node.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from wallet.chain.client import ChainClient
from wallet.chain.errors import mapped_errors
from wallet.errors import NetworkError
from wallet.networks import NetworkProfile

ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
NOT_A_NODE = "did not answer like an Ethereum node"


class Node:
    """A JSON-RPC server on loopback whose answer to each method the test decides (raw bytes, or a result)."""

    def __init__(self) -> None:
        self.raw: dict[str, bytes] = {}
        self.results: dict[str, object] = {"eth_chainId": "0x7a69"}
        node = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                method = request["method"]
                body = node.raw.get(method) or json.dumps(
                    {"jsonrpc": "2.0", "id": request["id"], "result": node.results.get(method)}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def client(self) -> ChainClient:
        return ChainClient(NetworkProfile("test", 31337, self.url))


@pytest.fixture
def node() -> Iterator[Node]:
    n = Node()
    yield n
    n.server.shutdown()
    n.server.server_close()


@pytest.mark.parametrize("body", [b"<html><body>Sign in to the hotel Wi-Fi</body></html>",
                                  b'{"jsonrpc": "2.0"}', b'{"foo": 1}', b"[]"],
                         ids=["web page", "no result", "not json-rpc", "a list"])
def test_an_answer_that_is_not_json_rpc_is_a_network_error(node: Node, body: bytes) -> None:
    node.raw["eth_blockNumber"] = body
    with pytest.raises(NetworkError, match=NOT_A_NODE) as e:
        node.client().block_number()
    assert node.url in e.value.user_message and "read the latest block" in e.value.user_message


@pytest.mark.parametrize("result", ["hello", None, [1, 2], {"a": 1}, True],
                         ids=["not hex", "null", "a list", "an object", "a boolean"])
def test_a_result_of_the_wrong_shape_is_a_network_error(node: Node, result: object) -> None:
    node.results["eth_blockNumber"] = result
    node.results["eth_getBalance"] = result
    client = node.client()
    with pytest.raises(NetworkError, match=NOT_A_NODE):
        client.block_number()
    with pytest.raises(NetworkError, match=NOT_A_NODE):
        client.eth_balance(ADDRESS)


def test_a_well_formed_answer_is_read(node: Node) -> None:
    node.results["eth_blockNumber"] = "0x2a"
    node.results["eth_getBalance"] = "0xde0b6b3a7640000"
    client = node.client()
    assert client.connect() == 31337
    assert client.block_number() == 42
    assert client.eth_balance(ADDRESS) == 10**18


@pytest.mark.parametrize("bug", [
    lambda: {}["missing"],
    lambda: int(None),  # type: ignore[arg-type]
    lambda: None.hex(),  # type: ignore[union-attr]
    lambda: int("zz", 16),
], ids=["KeyError", "TypeError", "AttributeError", "ValueError"])
def test_our_own_bugs_are_not_relabelled(bug) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((KeyError, TypeError, AttributeError, ValueError)) as e, \
            mapped_errors("http://127.0.0.1:1", "do something"):
        bug()
    assert not isinstance(e.value, NetworkError)


def test_web3_refusing_our_arguments_is_not_a_network_error(node: Node) -> None:
    client = node.client()
    with pytest.raises(TypeError) as e, mapped_errors(node.url, "read a balance"):
        client.w3.eth.get_balance(12)  # type: ignore[arg-type]  # web3's own argument check
    assert not isinstance(e.value, NetworkError)


def test_a_bug_after_a_good_answer_is_not_relabelled(node: Node) -> None:
    """The answer was fine; what the code then did with it was not."""
    node.results["eth_blockNumber"] = "0x2a"
    client = node.client()
    with pytest.raises(KeyError), mapped_errors(node.url, "read the latest block"):
        {"block": client.w3.eth.block_number}["number"]


TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.mark.parametrize(("result", "words"), [
    ("0x", "is the contract deployed"), ("0x" + "zz" * 32, NOT_A_NODE), (None, "is the contract deployed"),
    (["0x01"], "is the contract deployed"),
], ids=["no contract", "not hex", "null", "a list"])
def test_a_bare_word_read_refuses_anything_but_one_word(node: Node, result: object, words: str) -> None:
    node.results["eth_call"] = result
    with pytest.raises(NetworkError, match=words):
        node.client().call_word(TOKEN, "0x70a08231" + "00" * 32, "read the AIT balance")
    node.results["eth_call"] = "0x" + "00" * 31 + "2a"
    assert node.client().call_word(TOKEN, "0x70a08231" + "00" * 32, "read the AIT balance") == 42


@pytest.mark.parametrize("receipt", [{"transactionHash": "0x1"}, "a string", [1], {"logs": "x"}],
                         ids=["missing fields", "a string", "a list", "bad logs"])
def test_a_malformed_receipt_is_a_network_error_and_an_unknown_one_is_none(node: Node, receipt: object) -> None:
    node.results["eth_getTransactionReceipt"] = receipt
    with pytest.raises(NetworkError, match=NOT_A_NODE):
        node.client().receipt("0x" + "ab" * 32, "read a payment's transaction")
    node.results["eth_getTransactionReceipt"] = None
    assert node.client().receipt("0x" + "ab" * 32, "read a payment's transaction") is None
    node.raw["eth_getTransactionReceipt"] = b'{"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "no"}}'
    with pytest.raises(NetworkError, match="refused to read a payment's transaction: no"):
        node.client().receipt("0x" + "ab" * 32, "read a payment's transaction")
