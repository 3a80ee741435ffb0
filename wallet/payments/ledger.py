"""What the payment code reads from the chain, and how it tells a settled payment from anything else.

The wallet never takes a provider's word that it was paid: a settlement is a mined transaction of this network's
AIT contract carrying ``AuthorizationUsed(payer, nonce)`` for the intent's nonce and ``Transfer(payer, payTo,
value)`` with the value the signature allowed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wallet.chain.contracts import AIToken, AuthorizationEvent, authorization_events, token_transfers

if TYPE_CHECKING:
    from wallet.chain.client import ChainClient
    from wallet.payments.intents import Intent


@dataclass(frozen=True)
class Settlement:
    tx_hash: str
    block_number: int
    charged: int
    problem: str | None = None   # plain words when the transfer is not exactly what was signed


class Ledger:
    HEAD_FRESH_SECONDS = 300.0

    def __init__(self, chain: ChainClient, token_address: str) -> None:
        self.chain = chain
        self.token = AIToken(chain, token_address)
        self._head: tuple[int, float] | None = None  # (block, when it was seen)

    def balance(self, address: str) -> int:
        return self.token.balance_of(address)

    def head(self) -> int:
        head = self.chain.block_number()
        self._saw(head)
        return head

    def recent_head(self) -> int:
        """A block at or before the chain's head, seen in the last few minutes (read afresh otherwise).

        It only bounds where settlement logs are searched from: any earlier block is as correct, and one seen
        lately (a receipt's, say) saves a round trip on the way to a payment."""
        seen = self._head
        if seen is not None and time.monotonic() - seen[1] < self.HEAD_FRESH_SECONDS:
            return seen[0]
        return self.head()

    def _saw(self, block: int) -> None:
        if self._head is None or block >= self._head[0]:
            self._head = (block, time.monotonic())

    def now(self) -> int:
        return self.chain.latest_timestamp()

    def is_used(self, payer: str, nonce: str) -> bool:
        """True once the authorization was used or cancelled (EIP-3009's ``authorizationState``)."""
        return self.token.authorization_state(payer, bytes.fromhex(nonce[2:]))

    def events(self, payer: str, nonce: str, from_block: int) -> list[AuthorizationEvent]:
        return self.token.authorization_events(payer, bytes.fromhex(nonce[2:]), from_block)

    def settlement_in(self, tx_hash: str, intent: Intent) -> Settlement | None:
        """The intent's settlement in ``tx_hash``, or None when that transaction does not carry it."""
        receipt = self.chain.receipt(tx_hash, "read a payment's transaction")
        if receipt is None or not receipt.ok:
            return None
        self._saw(receipt.block_number)
        token = self.token.address
        used = [e for e in authorization_events(token, receipt.entries)
                if e.used and e.authorizer.lower() == intent.account.lower() and e.nonce == (intent.nonce or "")]
        if not used:
            return None
        transfers = [t for t in token_transfers(token, receipt.entries)
                     if t.sender.lower() == intent.account.lower() and t.recipient.lower() == intent.pay_to.lower()]
        if not transfers:
            return Settlement(receipt.tx_hash, receipt.block_number, 0,
                              "The authorization was used, but the transaction moved no AIT to the payee.")
        charged = transfers[0].value
        problem = None
        if charged > intent.authorized or (intent.scheme == "exact" and charged != intent.authorized):
            problem = (f"The transaction moved {charged} base units where {intent.authorized} were signed.")
        return Settlement(receipt.tx_hash, receipt.block_number, charged, problem)

    def find_settlement(self, intent: Intent) -> Settlement | AuthorizationEvent | None:
        """Look the intent's nonce up on chain: its settlement, its cancellation, or None (still unused)."""
        assert intent.nonce is not None
        events = self.events(intent.account, intent.nonce, intent.from_block or 0)
        if not events and intent.from_block and self.is_used(intent.account, intent.nonce):
            # Used before the block the wallet noted (a reorg, or a clock skew between nodes): search it all.
            events = self.events(intent.account, intent.nonce, 0)
        for event in events:
            if not event.used:
                return event
            found = self.settlement_in(event.tx_hash, intent)
            if found is not None:
                return found
        return None
