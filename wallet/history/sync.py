"""Reading the history from the chain itself: the user's own RPC, no indexer.

Per account and chain a cursor says which block to read next and the hash of the block before it. A sync:

1. checks each cursor's anchor hash against the chain; a different hash (a reorg, a reset devnet) finds the
   last block both agree on by bisection over the stored blocks, drops every fact after it and rewinds;
2. reads the blocks from the cursor to the head in chunks: AIT ``Transfer`` logs from and to the accounts,
   ``AuthorizationUsed`` by them and TokenSale purchases (two ``eth_getLogs`` and the chunk's last header in
   one batch request), and the transactions the accounts sent or received ETH in (Otterscan's
   ``ots_searchTransactionsAfter`` where the node has it, as anvil and Erigon do; elsewhere the sent ones are
   found by bisecting the account's nonce over the chunk);
3. stores each chunk's facts, its derived rows and the advanced cursor in one transaction.

A sync cut off anywhere (network gone, process killed) resumes at the last stored chunk; facts are keyed by
chain, transaction, log and account, so a chunk read twice adds nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wallet.chain.rpc import LogRangeTooLarge, RawRpc
from wallet.errors import NetworkError
from wallet.history import merge, store
from wallet.history.decode import (
    AUTHORIZATION_USED,
    TOKENS_PURCHASED,
    TRANSFER,
    decode_logs,
    decode_transactions,
    missing_timestamps,
    topic_of,
)
from wallet.history.model import ChainFact
from wallet.history.sources import RecordSource
from wallet.storage import Database

log = logging.getLogger(__name__)

LOG_CHUNK = 5_000
OTS_PAGE = 100

Progress = Callable[[int, int], None]  # (last block read, head)
# Told, inside the transaction that drops facts after ``last_good``, so records of what the chain lost can be
# reopened; returns the keys of the records it changed.
ReorgHook = Callable[[sqlite3.Connection, int, int], list[str]]


@dataclass
class SyncReport:
    chain_id: int
    head: int = 0
    blocks_read: int = 0
    new_facts: int = 0
    reorg_last_good: int | None = None  # set when facts after this block were dropped
    dropped_facts: int = 0
    incoming: list[ChainFact] = field(default_factory=list)  # received by an incremental sync (for events)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.new_facts or self.dropped_facts)


class HistorySync:
    def __init__(self, db: Database, rpc: RawRpc, chain_id: int, *, token: str, sale: str | None,
                 sources: Sequence[RecordSource], context: Callable[[], merge.MergeContext],
                 start_block: int = 0, chunk: int = LOG_CHUNK,
                 reorg_hooks: Sequence[ReorgHook] = ()) -> None:
        self.db = db
        self.rpc = rpc
        self.chain_id = chain_id
        self.token = token
        self.sale = sale
        self.sources = sources
        self.context = context
        self.start_block = start_block
        self.chunk = chunk
        self.reorg_hooks = reorg_hooks
        self._ots: bool | None = None

    # --- the whole run ---
    def run(self, accounts: Sequence[str], *, on_progress: Progress | None = None) -> SyncReport:
        report = SyncReport(self.chain_id)
        head = self.rpc.head()
        report.head = head
        self._check_reorg(head, report)
        with self.db.read() as conn:
            known = store.cursors(conn, self.chain_id, accounts)
        groups: dict[int, list[str]] = defaultdict(list)
        for a in accounts:
            groups[known[a][0] if a in known else self.start_block].append(a)
        for first, group in sorted(groups.items()):
            incremental = all(a in known for a in group)
            self._sync_group(group, first, head, incremental, report, on_progress)
        return report

    # --- reorgs ---
    def _check_reorg(self, head: int, report: SyncReport) -> None:
        with self.db.read() as conn:
            anchors = {(int(r[0]) - 1, r[1]) for r in conn.execute(
                "SELECT next_block, anchor_hash FROM sync_cursor WHERE chain_id = ? AND anchor_hash IS NOT NULL",
                (self.chain_id,))}
        if not anchors:
            return
        headers = self.rpc.block_headers(sorted({n for n, _ in anchors}))
        if all(_hash(headers.get(n)) == h for n, h in anchors):
            return
        with self.db.read() as conn:
            known = store.known_blocks(conn, self.chain_id)
        lo, hi = -1, len(known)  # known[:lo + 1] agree with the chain, known[hi:] do not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            number, block_hash = known[mid]
            if number <= head and _hash(self.rpc.block_headers([number]).get(number)) == block_hash:
                lo = mid
            else:
                hi = mid
        last_good, anchor = (known[lo][0], known[lo][1]) if lo >= 0 else (self.start_block - 1, None)
        with self.db.write() as conn:
            before = conn.execute("SELECT COUNT(*) FROM chain_fact WHERE chain_id = ?", (self.chain_id,)).fetchone()[0]
            if anchor is None:
                hashes = {r[0] for r in conn.execute("SELECT DISTINCT tx_hash FROM chain_fact WHERE chain_id = ?",
                                                     (self.chain_id,))}
                conn.execute("DELETE FROM chain_fact WHERE chain_id = ?", (self.chain_id,))
                conn.execute("DELETE FROM sync_cursor WHERE chain_id = ?", (self.chain_id,))
            else:
                hashes = store.drop_above(conn, self.chain_id, last_good, anchor)
            after = conn.execute("SELECT COUNT(*) FROM chain_fact WHERE chain_id = ?", (self.chain_id,)).fetchone()[0]
            keys = [k for hook in self.reorg_hooks for k in hook(conn, self.chain_id, last_good)]
            merge.refresh(conn, self.chain_id, self.sources, self.context(), tx_hashes=hashes, record_keys=keys)
        report.reorg_last_good = last_good
        report.dropped_facts = before - after
        log.info("chain %s changed after block %s: %s facts dropped", self.chain_id, last_good, before - after)

    # --- reading blocks ---
    def _sync_group(self, accounts: list[str], first: int, head: int, incremental: bool, report: SyncReport,
                    on_progress: Progress | None) -> None:
        chunk = self.chunk
        start = first
        while start <= head:
            stop = min(head, start + chunk - 1)
            try:
                facts, anchor = self._read(accounts, start, stop, report)
            except (ValueError, TypeError, KeyError, AttributeError, IndexError) as e:
                # Decoding the node's raw JSON failed: most likely the answer's fault, but kept with its traceback
                # in the log in case it is ours.
                log.warning("malformed history answer for blocks %s-%s", start, stop, exc_info=True)
                raise NetworkError("The network answered the history's queries with malformed data; nothing "
                                   "from that answer was stored.") from e
            except LogRangeTooLarge:
                if chunk == 1:
                    raise
                chunk = max(1, chunk // 2)
                continue
            with self.db.write() as conn:
                new = store.insert_facts(conn, facts)
                if new:
                    merge.refresh(conn, self.chain_id, self.sources, self.context(),
                                  tx_hashes={f.tx_hash for f in new})
                store.set_cursor(conn, self.chain_id, accounts, stop + 1, anchor)
            report.new_facts += len(new)
            report.blocks_read += stop - start + 1
            if incremental:
                report.incoming.extend(f for f in new if f.kind in ("ait_in", "eth_in"))
            if on_progress is not None:
                on_progress(stop, head)
            start = stop + 1

    def _read(self, accounts: list[str], first: int, last: int, report: SyncReport) -> tuple[list[ChainFact], str]:
        topics = [topic_of(a) for a in accounts]
        contracts = [self.token] + ([self.sale] if self.sale else [])
        calls: list[tuple[str, list[Any]]] = [
            ("eth_getLogs", [_filter(contracts, [[TRANSFER, AUTHORIZATION_USED, TOKENS_PURCHASED], topics],
                                     first, last)]),
            ("eth_getLogs", [_filter([self.token], [TRANSFER, None, topics], first, last)]),
            ("eth_getBlockByNumber", [hex(last), False]),
        ]
        out_logs, in_logs, header = self.rpc.batch(calls, "read the history's event logs")
        if not isinstance(out_logs, list) or not isinstance(in_logs, list) or not isinstance(header, dict):
            raise NetworkError("The network answered the history's log query with something unexpected.")
        logs = _unique(out_logs + in_logs)
        need = missing_timestamps(logs)
        timestamps = {n: int(h["timestamp"], 16) for n, h in self.rpc.block_headers(sorted(need)).items() if h}
        facts = decode_logs(self.chain_id, logs, accounts, self.token, self.sale, timestamps)
        for account in accounts:
            facts += self._transactions(account, first, last, report)
        return facts, str(header["hash"]).lower()

    def _transactions(self, account: str, first: int, last: int, report: SyncReport) -> list[ChainFact]:
        if self._has_ots():
            txs, receipts = self._ots_search(account, first, last)
            return decode_transactions(self.chain_id, account, txs, receipts, {})
        try:
            return self._sent_by_nonce(account, first, last)
        except NetworkError as e:
            note = ("This node cannot say which transactions an account sent in the past (it keeps no old "
                    "state); ETH the wallet sent is shown from its own records only.")
            if note not in report.notes:
                report.notes.append(note)
                log.info("nonce bisection unavailable: %s", e.user_message)
            return []

    def _has_ots(self) -> bool:
        if self._ots is None:
            try:
                self._ots = int(self.rpc.call("ots_getApiLevel", [], "check the node's search API") or 0) >= 8
            except NetworkError:
                self._ots = False
        return self._ots

    def _ots_search(self, account: str, first: int, last: int) -> tuple[list[dict], dict[str, dict]]:
        txs: list[dict] = []
        receipts: dict[str, dict] = {}
        after = first - 1
        while True:
            # Block 0 (genesis) holds no transactions, so "after block 0" misses nothing.
            page = self.rpc.call("ots_searchTransactionsAfter", [account, max(after, 0), OTS_PAGE],
                                 "search the account's transactions")
            if not isinstance(page, dict) or not page.get("txs"):
                break
            highest = after
            for tx, receipt in zip(page["txs"], page.get("receipts") or [], strict=False):
                block = int(tx["blockNumber"], 16)
                highest = max(highest, block)
                if first <= block <= last:
                    txs.append(tx)
                    receipts[str(tx["hash"]).lower()] = receipt
            if page.get("firstPage") or highest >= last or highest <= after:
                break
            after = highest
        return txs, receipts

    def _sent_by_nonce(self, account: str, first: int, last: int) -> list[ChainFact]:
        """Blocks where the account's nonce grew hold the transactions it sent (needs the node's old state)."""
        n_first = self.rpc.nonce_at(account, first - 1) if first > 0 else 0
        n_last = self.rpc.nonce_at(account, last)
        with self.db.read() as conn:
            known = store.sent_hashes_in(conn, self.chain_id, account, first, last)
        if n_last - n_first <= len(known):
            return []
        blocks: list[int] = []

        def find(lo: int, hi: int, n_lo: int, n_hi: int) -> None:
            if n_lo == n_hi:
                return
            if hi - lo == 1:
                blocks.append(hi)
                return
            mid = (lo + hi) // 2
            n_mid = self.rpc.nonce_at(account, mid)
            find(lo, mid, n_lo, n_mid)
            find(mid, hi, n_mid, n_hi)

        find(first - 1, last, n_first, n_last)
        full = self.rpc.block_headers(blocks, full=True)
        txs = [t for b in full.values() if b for t in b.get("transactions", [])
               if str(t.get("from", "")).lower() == account.lower()]
        timestamps = {n: int(b["timestamp"], 16) for n, b in full.items() if b}
        receipts = {h: r for h, r in self.rpc.receipts([str(t["hash"]).lower() for t in txs]).items() if r}
        return decode_transactions(self.chain_id, account, txs, receipts, timestamps)


def _filter(addresses: list[str], topics: list[Any], first: int, last: int) -> dict[str, Any]:
    return {"address": addresses, "fromBlock": hex(first), "toBlock": hex(last), "topics": topics}


def _unique(logs: list[dict]) -> list[dict]:
    """A transfer between two of the wallet's accounts is answered by both queries."""
    seen: set[tuple[str, str]] = set()
    out = []
    for lg in logs:
        key = (str(lg.get("transactionHash")), str(lg.get("logIndex")))
        if key not in seen:
            seen.add(key)
            out.append(lg)
    return out


def _hash(header: dict | None) -> str | None:
    return str(header["hash"]).lower() if header else None
