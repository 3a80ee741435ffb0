"""Paying AI providers over x402 (v2, scheme ``exact``, EIP-3009 on AIT), behind the wallet's guard.

    wire.py           the PAYMENT-REQUIRED / PAYMENT-RESPONSE headers, read with bounds, decoded by the SDK
    guard.py          the checks on a decoded 402 before anything is signed, and their verdict in plain words
    budgets.py        per-task and daily budgets (kept in the wallet database)
    intents.py        payment intents: written before signing, budgets checked in the same transaction
    signing.py        the SDK client and an ``exact`` scheme that signs the recorded authorization
    ledger.py         reading the chain: balances, authorization state, the settlement of a nonce
    reconcile.py      pending intents → settled, expired, cancelled or still pending
    provider_http.py  one chat request to a provider, its answer read with caps
    flow.py           prepare (ask, decode, guard) and pay (record, sign, send, verify)

Docs: docs/payments.md.
"""
