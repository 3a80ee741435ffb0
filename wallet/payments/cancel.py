"""Cancelling an open authorization on chain: EIP-3009's ``cancelAuthorization``, signed by the payer.

A signed payment the provider has not settled stays usable until its ``validBefore``: the provider holds the
signature and may still settle it. Cancelling consumes its nonce on chain, so no one can ever use it. The
cancellation is a transaction the payer's own account sends — the only step of paying that costs the payer gas —
so the account needs a little ETH; without it the wallet says so, and the authorization is left to expire (it is
watched until then).

The guard before this signature: the payment is this wallet's, still pending, on this network's AIT, and its
nonce is unused on chain (a payment that settled meanwhile is reconciled instead).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from wallet.errors import InsufficientFunds, InvalidInput, TxError
from wallet.payments.guard import TOKEN_NAME, TOKEN_VERSION, ait
from wallet.payments.intents import PENDING, Intent, IntentStore
from wallet.payments.ledger import Ledger
from wallet.payments.upto import cancel_message, token_domain

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

CANCEL_GAS = 60_000   # cancelAuthorization uses ~50k gas; an estimate above it keeps the ETH check honest


def cancel_authorization(ledger: Ledger, store: IntentStore, intent: Intent, account: LocalAccount) -> Intent:
    """Cancel ``intent``'s authorization on chain; the intent becomes ``cancelled`` with the tx."""
    from eth_account.messages import encode_typed_data

    if intent.status != PENDING or not intent.nonce:
        raise InvalidInput(f"Payment {intent.id} is {intent.status}: only a pending payment can be cancelled.")
    if account.address.lower() != intent.account.lower():
        raise InvalidInput(f"Payment {intent.id} was signed by {intent.account}, not by {account.address}.")
    token = ledger.token.address
    if intent.asset.lower() != token.lower() or intent.chain_id != ledger.chain.profile.chain_id:
        raise InvalidInput(f"Payment {intent.id} belongs to another network; switch to it to cancel it.")
    if ledger.is_used(intent.account, intent.nonce):
        raise InvalidInput(f"Payment {intent.id} was already used or cancelled on chain; reconcile to see which "
                           "(`ai-wallet payments reconcile`).")
    chain = ledger.chain
    fee = chain.fee_estimate()
    eth = chain.eth_balance(account.address)
    if eth < CANCEL_GAS * fee.max_fee:
        until = "?" if intent.valid_before is None else datetime.fromtimestamp(intent.valid_before).strftime("%H:%M:%S")
        raise InsufficientFunds(
            f"Cancelling payment {intent.id} on chain is a transaction of your own, and the account "
            f"{account.address} has {'no' if eth == 0 else 'too little'} ETH to pay its network fee. The "
            f"authorization stays open until {until}: until then the provider can still take up to "
            f"{ait(intent.authorized)}. Add a little ETH to the account to cancel it, or let it expire (the "
            "wallet watches it).")
    domain = token_domain(TOKEN_NAME, TOKEN_VERSION, intent.chain_id, token)
    signed = account.sign_message(encode_typed_data(full_message=cancel_message(domain, account.address,
                                                                                 intent.nonce)))
    try:
        receipt = ledger.token.cancel_authorization(account, intent.nonce, bytes(signed.signature))
    except TxError:
        if ledger.is_used(intent.account, intent.nonce):
            raise InvalidInput(f"Payment {intent.id} was used on chain before the cancellation went through; "
                               "reconcile to see the settlement (`ai-wallet payments reconcile`).") from None
        raise
    return store.cancel(intent.id, receipt.tx_hash, receipt.block_number)
