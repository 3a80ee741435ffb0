"""The chain client against a real anvil with the wallet's devnet deployment."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from eth_account import Account

from wallet.chain.client import ChainClient
from wallet.chain.contracts import AIToken
from wallet.config import DataDir
from wallet.devnet.demo import DEMO_ACCOUNT_AIT, DEMO_ACCOUNT_KEY, DEPLOYER_KEY
from wallet.devnet.manager import DevnetManager, DevnetStatus
from wallet.errors import ChainMismatch, InsufficientFunds, NetworkError, TxError
from wallet.networks import NetworkProfile
from wallet.units import ONE

pytestmark = pytest.mark.chain


@pytest.fixture
def profile(devnet: tuple[DataDir, DevnetStatus]) -> NetworkProfile:
    return DevnetManager(devnet[0]).profile()


@pytest.fixture
def client(profile: NetworkProfile) -> ChainClient:
    c = ChainClient(profile)
    c.connect()
    return c


def test_connect_checks_the_chain_id(profile: NetworkProfile) -> None:
    assert ChainClient(profile).connect() == 31337
    wrong = replace(profile, name="mainnet-ish", chain_id=1)
    with pytest.raises(ChainMismatch) as e:
        ChainClient(wrong).connect()
    assert "chain 31337" in e.value.user_message and "Nothing was sent" in e.value.user_message


def test_balances_of_the_demo_account(client: ChainClient, profile: NetworkProfile) -> None:
    demo = Account.from_key(DEMO_ACCOUNT_KEY).address
    token = AIToken(client, profile.contract("AIToken"))
    assert token.balance_of(demo) >= DEMO_ACCOUNT_AIT // 2
    assert token.symbol() == "AIT" and token.decimals() == 18
    assert client.eth_balance(demo) > 1000 * ONE


def test_send_eth_moves_exactly_value_plus_fee(client: ChainClient) -> None:
    sender = Account.from_key(DEPLOYER_KEY)
    to = Account.create().address
    before = client.eth_balance(sender.address)
    fees = client.fee_estimate()
    assert fees.max_fee >= 2 * fees.base_fee + fees.max_priority_fee
    tx = client.send(sender, {"to": to, "value": 12345}, "send ETH")
    r = client.wait_for_receipt(tx, "send ETH")
    assert r.ok and r.tx_hash == tx
    assert client.eth_balance(to) == 12345
    assert client.eth_balance(sender.address) == before - 12345 - r.gas_used * r.effective_gas_price


def test_back_to_back_sends_use_consecutive_nonces(client: ChainClient) -> None:
    sender = Account.from_key(DEPLOYER_KEY)
    to = Account.create().address
    start = client.pending_nonce(sender.address)
    hashes = [client.send(sender, {"to": to, "value": i + 1}, "send ETH") for i in range(4)]
    receipts = [client.wait_for_receipt(h, "send ETH") for h in hashes]
    assert all(r.ok for r in receipts)
    assert [int(client.w3.eth.get_transaction(h)["nonce"]) for h in hashes] == list(range(start, start + 4))
    assert client.eth_balance(to) == 1 + 2 + 3 + 4


def test_a_revert_becomes_txerror_with_the_contracts_reason(client: ChainClient, profile: NetworkProfile) -> None:
    stranger = Account.from_key("0x" + "11" * 32)
    client.send(Account.from_key(DEPLOYER_KEY), {"to": stranger.address, "value": ONE}, "fund")
    token = AIToken(client, profile.contract("AIToken"))
    with pytest.raises(TxError) as e:
        token.mint(stranger, stranger.address, 1)
    assert "AccessControl" in e.value.user_message or "mint" in e.value.user_message
    assert token.balance_of(stranger.address) == 0


def test_no_eth_for_gas_is_insufficient_funds(client: ChainClient) -> None:
    broke = Account.create()
    with pytest.raises(InsufficientFunds, match="network fee"):
        client.send(broke, {"to": broke.address, "value": 1}, "send ETH")


def test_receipt_wait_times_out_with_a_plain_message(client: ChainClient) -> None:
    with pytest.raises(TxError, match="not confirmed in time"):
        client.wait_for_receipt("0x" + "ab" * 32, "send ETH", timeout=0.3)


def test_logs_are_read_in_chunks(client: ChainClient, profile: NetworkProfile) -> None:
    admin = Account.from_key(DEPLOYER_KEY)
    token = AIToken(client, profile.contract("AIToken"))
    to = Account.create().address
    first = client.block_number() + 1
    for _ in range(5):
        token.mint(admin, to, 7)
    last = client.block_number()
    transfer = client.w3.keccak(text="Transfer(address,address,uint256)").hex()
    topic_to = "0x" + "00" * 12 + to[2:].lower()
    chunks: list[tuple[int, int]] = []
    logs = client.get_logs(token.address, ["0x" + transfer.removeprefix("0x"), None, topic_to], first, last,
                           chunk=2, on_chunk=lambda a, b: chunks.append((a, b)))
    assert len(logs) == 5
    assert all(int(log.data, 16) == 7 for log in logs)
    assert chunks[0] == (first, first + 1) and chunks[-1][1] == last
    assert all(b - a <= 1 for a, b in chunks)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers: an RPC that hangs."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    port = srv.getsockname()[1]
    conns: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield port
    stop.set()
    t.join()
    for c in conns:
        c.close()
    srv.close()


@pytest.mark.timeout(30)  # fails fast, with no retries: a hang here fails the test
def test_unreachable_rpc_is_a_clear_network_error(profile: NetworkProfile) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    dead = replace(profile, rpc_url=f"http://127.0.0.1:{dead_port}")
    with pytest.raises(NetworkError) as e:
        ChainClient(dead).eth_balance("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    assert "Cannot reach the network" in e.value.user_message and str(dead_port) in e.value.user_message


@pytest.mark.timeout(30)
def test_hanging_rpc_times_out_with_a_clear_error(profile: NetworkProfile, silent_server: int) -> None:
    hung = replace(profile, rpc_url=f"http://127.0.0.1:{silent_server}")
    with pytest.raises(NetworkError, match="did not answer in time"):
        ChainClient(hung, timeout=1.0).connect()


@pytest.fixture
def html_server() -> Iterator[str]:
    """An HTTP server that answers every request with a web page: a captive portal, or a mistyped RPC URL."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b"<html><body>Sign in to the hotel Wi-Fi</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_web_page_instead_of_a_node_is_a_clear_network_error(profile: NetworkProfile, html_server: str) -> None:
    portal = replace(profile, rpc_url=html_server)
    with pytest.raises(NetworkError, match="did not answer like an Ethereum node"):
        ChainClient(portal).connect()


def test_the_watcher_survives_a_bad_node(profile: NetworkProfile, html_server: str) -> None:
    from wallet.events import ConnectionChanged, EventBus
    from wallet.watcher import ChainWatcher

    client = ChainClient(replace(profile, rpc_url=html_server))
    bus = EventBus()
    polls = threading.Semaphore(0)

    def block_number() -> int:
        polls.release()
        return client.block_number()

    down = threading.Event()
    bus.subscribe(lambda e: down.set() if isinstance(e, ConnectionChanged) and e.state == "down" else None)
    watcher = ChainWatcher(bus, block_number, lambda a: (0, 0), interval=0.05)
    watcher.start()
    try:
        assert down.wait(30), "the watcher never reported the bad node"
        for _ in range(3):  # and it goes on polling after the failures
            assert polls.acquire(timeout=30)
        assert watcher._thread is not None and watcher._thread.is_alive()
    finally:
        watcher.stop()
