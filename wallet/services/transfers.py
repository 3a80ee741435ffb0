"""`TransferService`: top up, send, receive and fix stuck transactions. Blocking and thread-safe.

Every operation is two steps: ``prepare_*`` reads the chain and returns a plan with every figure and warning
(nothing signed), and the matching action signs exactly that plan. Balances are checked before a plan is
made; a transaction is recorded before it is broadcast (see ``sender``) and followed until its receipt.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from wallet.addresses import ZERO_ADDRESS, parse_address
from wallet.errors import InsufficientFunds, InvalidAddress, InvalidAmount, InvalidInput, TxError
from wallet.events import EventBus, TransactionStatusChanged
from wallet.history.model import Kind, Status
from wallet.storage import Database
from wallet.transfers import eip681, records
from wallet.transfers.plans import Fees, NeedsConfirmation, SendPlan, TopUpPlan, Warning
from wallet.transfers.records import TxRecord
from wallet.units import format_amount, parse_amount

if TYPE_CHECKING:
    from wallet.chain.client import ChainClient
    from wallet.history.sources import RecordSource
    from wallet.history.sync import ReorgHook
    from wallet.networks import NetworkProfile
    from wallet.services.accounts import SignerFor
    from wallet.services.history import ChainAccess

ASSETS = ("AIT", "ETH")
REPLACEMENT_BUMP = (9, 8)  # replacements pay at least 12.5% more per gas (nodes require ≥ 10%)


class TransferService:
    def __init__(self, db: Database, network: ChainAccess, bus: EventBus, *, signer: SignerFor,
                 accounts: Callable[[], list[str]], records_changed: Callable[[list[str]], None]) -> None:
        self._db = db
        self._network = network
        self._bus = bus
        self._signer_for = signer  # the core's only path to a key: used by TxSender, never handed out
        self._own_accounts = accounts
        self._records_changed = records_changed

    def _chain(self) -> ChainClient:
        return self._network.chain()

    def _profile(self) -> NetworkProfile:
        return self._network.profile()

    # --- pieces ---
    def _token(self):
        from wallet.chain.contracts import AIToken

        return AIToken(self._chain(), self._profile().contract("AIToken"))

    def _sale(self):
        from wallet.chain.contracts import TokenSale

        return TokenSale(self._chain(), self._profile().contract("TokenSale"))

    def _sender(self):
        from wallet.transfers.sender import TxSender

        return TxSender(self._db, self._chain(), self._signer_for)

    def _fees(self, gas: int) -> Fees:
        est = self._chain().fee_estimate()
        return Fees(gas, est.max_fee, est.max_priority_fee, est.base_fee)

    def _estimate(self, sender: str, to: str, value: int, data: str, action: str) -> int:
        from wallet.chain import txs

        return txs.estimate_gas(self._chain(), txs.TxRequest(sender, to, value, data), action)

    def _own(self, account: str) -> str:
        addr = parse_address(account)
        if addr not in self._own_accounts():
            raise InvalidInput(f"The account {addr} is not in this wallet.")
        return addr

    # --- receive ---
    def payment_request(self, account: str, amount: str | None = None, asset: str = "AIT", *,
                        qr: Path | None = None) -> dict[str, str]:
        """``{"address", "uri"}``: the account and an EIP-681 request for ``amount`` (or any amount); with ``qr``,
        the request is also written there as a PNG QR code."""
        addr = parse_address(account)
        value = None if amount in (None, "") else parse_amount(str(amount), allow_zero=False)
        profile = self._profile()
        token = profile.contract("AIToken") if asset == "AIT" else None
        uri = eip681.build_uri(asset=_asset(asset), to=addr, chain_id=profile.chain_id, token=token, amount=value)
        if qr is not None:
            self.write_qr(uri, qr)
        return {"address": addr, "uri": uri}

    @staticmethod
    def write_qr(uri: str, path: Path, *, scale: int = 8) -> Path:
        import segno

        from wallet.files import private_atomic_writer

        if path.suffix.lower() != ".png":
            raise InvalidInput("The QR code is written as a PNG file: give a name ending in .png.")
        with private_atomic_writer(path, binary=True) as f:
            segno.make(uri, error="m").save(f, kind="png", scale=scale, border=4)
        return path

    # --- send ---
    def prepare_send(self, account: str, to: str, amount: str | None, asset: str | None = None) -> SendPlan:
        """``to`` is an address or an EIP-681 URI (which may fill in the asset and the amount); ``amount`` is
        a decimal such as ``12.5``, or ``max``."""
        sender = self._own(account)
        profile = self._profile()
        token = profile.contracts.get("AIToken")
        if eip681.is_payment_uri(to):
            req = eip681.check_request(eip681.parse_uri(to), chain_id=profile.chain_id, network_name=profile.name,
                                       ait_address=token)
            if asset is not None and _asset(asset) != req.asset:
                raise InvalidInput(f"The payment request asks for {req.asset}, not {_asset(asset)}.")
            if req.amount is not None and amount not in (None, "") and parse_amount(str(amount)) != req.amount:
                raise InvalidInput(f"The payment request asks for {format_amount(req.amount)} {req.asset}; "
                                   f"the amount given ({amount}) differs. Give one or the other.")
            recipient, asset_name, fixed = req.to, req.asset, req.amount
        else:
            recipient, asset_name, fixed = parse_address(to, allow_zero=True), _asset(asset or "AIT"), None
        if fixed is None and amount in (None, ""):
            raise InvalidAmount("Give an amount to send.")
        client = self._chain()
        eth_balance = client.eth_balance(sender)
        balance = self._token().balance_of(sender) if asset_name == "AIT" else eth_balance
        send_max = fixed is None and str(amount).strip().lower() == "max"
        value = 0 if send_max else (fixed if fixed is not None else parse_amount(str(amount), allow_zero=False))
        if fixed == 0:
            raise InvalidAmount("The payment request asks for 0; the amount must be more than zero.")
        warnings = self._warnings(sender, recipient, token)
        if asset_name == "AIT":
            if token is None:
                profile.contract("AIToken")  # raises the "no AIT on this network" error
            if recipient == ZERO_ADDRESS:
                raise InvalidAddress("AIT cannot be sent to the zero address: the token refuses it (it would be "
                                     "lost). Check the recipient.")
            value = balance if send_max else value
            if value > balance or value == 0:
                raise InsufficientFunds(f"Not enough AIT: the account holds {format_amount(balance)} AIT"
                                        f"{'' if send_max else f', the send needs {format_amount(value)}'}.")
            data = self._token().transfer_data(recipient, value)
            gas = self._estimate(sender, token, 0, data, "estimate the fee of an AIT transfer")  # type: ignore[arg-type]
            fees = self._fees(gas)
            tx_to, tx_value = str(token), 0
        else:
            data = "0x"
            try:
                gas = self._estimate(sender, recipient, 0, data, "estimate the fee of an ETH transfer")
            except TxError:
                raise TxError(f"The recipient {recipient} is a contract that refuses ETH; nothing was sent.") from None
            fees = self._fees(gas)
            if send_max:
                value = eth_balance - fees.max_cost
                if value <= 0:
                    raise InsufficientFunds(f"The account's {format_amount(eth_balance)} ETH does not cover the "
                                            f"network fee of up to {format_amount(fees.max_cost)} ETH.")
            tx_to, tx_value = recipient, value
        need_eth = tx_value + fees.max_cost
        if eth_balance < need_eth:
            raise InsufficientFunds(
                f"Not enough ETH: {'the amount and ' if asset_name == 'ETH' else ''}the network fee need up to "
                f"{format_amount(need_eth)} ETH; the account holds {format_amount(eth_balance)} ETH.")
        return SendPlan(profile.chain_id, sender, recipient, asset_name, value, fees, balance, eth_balance,
                        tuple(warnings), tx_to, tx_value, data)

    def _warnings(self, sender: str, to: str, token: str | None) -> list[Warning]:
        out: list[Warning] = []
        if to == ZERO_ADDRESS:
            return [Warning("zero_address", "The recipient is the zero address: anything sent there is lost "
                                            "for good.")]
        if token is not None and to == parse_address(token):
            return [Warning("token_contract", "The recipient is the AI Token contract itself: tokens sent to it "
                                              "are lost for good.")]
        if len(self._chain().code_at(to)) > 0:
            out.append(Warning("contract", "The recipient is a contract, not a person's account: unless it is "
                                           "made to receive this, what is sent may be lost."))
        if to not in self._own_accounts() and not self._seen(to):
            out.append(Warning("new_address", f"The wallet has never sent to or received from {to}. Check the "
                                              "address with its owner before sending."))
        return out

    def _seen(self, address: str) -> bool:
        with self._db.read() as conn:
            return conn.execute(
                "SELECT EXISTS (SELECT 1 FROM history WHERE counterparty = ?) OR "
                "EXISTS (SELECT 1 FROM wallet_tx WHERE recipient = ?)", (address, address)).fetchone()[0] == 1

    def send(self, plan: SendPlan, *, accept_warnings: bool = False) -> TxRecord:
        if plan.warnings and not accept_warnings:
            raise NeedsConfirmation(plan.warnings)
        self._check_network(plan.chain_id)
        from wallet.chain import txs
        from wallet.transfers.sender import Movement

        if plan.asset == "AIT" and self._token().balance_of(plan.account) < plan.amount:
            raise InsufficientFunds("The AIT balance changed since the send was prepared and no longer covers it.")
        record = self._sender().send(
            txs.TxRequest(plan.account, plan.tx_to, plan.tx_value, plan.tx_data),
            Movement(Kind.SEND, plan.asset, plan.amount, plan.to, {}),
            gas=plan.fees.gas, fees=_estimate_of(plan.fees), action=f"send {plan.asset}")
        self._records_changed([record.key])
        return record

    # --- top up ---
    def prepare_topup(self, account: str, *, ait: str | None = None, eth: str | None = None) -> TopUpPlan:
        if (ait is None) == (eth is None):
            raise InvalidInput("Say how much to buy: an amount of AIT, or of ETH to spend (one of them).")
        buyer = self._own(account)
        sale = self._sale()
        if sale.paused():
            raise TxError("The token sale on this network is paused; no top-up is possible now.")
        rate = sale.rate()
        if ait is not None:
            wanted = parse_amount(ait, allow_zero=False)
            wei = sale.wei_for(wanted)
        else:
            wei = parse_amount(str(eth), allow_zero=False)
        tokens = sale.quote(wei)
        if tokens == 0:
            raise InvalidAmount(f"{format_amount(wei)} ETH buys less than the smallest unit of AIT at "
                                f"{format_amount(rate)} AIT per ETH.")
        eth_balance = self._chain().eth_balance(buyer)
        data = sale.buy_data(tokens)
        fees_probe = self._fees(0)
        if eth_balance < wei:
            raise InsufficientFunds(f"Not enough ETH: buying {format_amount(tokens)} AIT costs "
                                    f"{format_amount(wei)} ETH plus the network fee; the account holds "
                                    f"{format_amount(eth_balance)} ETH.")
        gas = self._estimate(buyer, sale.address, wei, data, "estimate the fee of a top-up")
        fees = Fees(gas, fees_probe.max_fee_per_gas, fees_probe.priority_fee_per_gas, fees_probe.base_fee_per_gas)
        plan = TopUpPlan(self._profile().chain_id, buyer, sale.address, wei, tokens, tokens, rate, fees, eth_balance,
                         data)
        if eth_balance < plan.total_eth:
            raise InsufficientFunds(f"Not enough ETH: the top-up needs up to {format_amount(plan.total_eth)} ETH "
                                    f"with the network fee; the account holds {format_amount(eth_balance)} ETH.")
        return plan

    def topup(self, plan: TopUpPlan) -> TxRecord:
        self._check_network(plan.chain_id)
        from wallet.chain import txs
        from wallet.transfers.sender import Movement

        record = self._sender().send(
            txs.TxRequest(plan.account, plan.sale, plan.eth_cost, plan.tx_data),
            Movement(Kind.TOPUP, "AIT", plan.tokens, plan.sale,
                     {"paid_wei": plan.eth_cost, "rate_base_units_per_eth": plan.rate,
                      "min_tokens_out": plan.min_tokens_out}),
            gas=plan.fees.gas, fees=_estimate_of(plan.fees), action="buy AIT")
        self._records_changed([record.key])
        return record

    # --- following and fixing transactions ---
    def refresh(self) -> list[TxRecord]:
        """Check every pending transaction against the chain; returns the records whose status changed."""
        from wallet.transfers.tracker import check_pending

        changes = check_pending(self._db, self._chain())
        if changes:
            self._records_changed([c.record.key for c in changes])
        for c in changes:
            self._bus.publish(TransactionStatusChanged(c.record.tx_hash, str(c.status), str(c.record.kind)))
        with self._db.read() as conn:
            return [r for c in changes if (r := records.get(conn, c.record.id)) is not None]

    def wait(self, tx_hash: str, timeout: float = 60.0) -> TxRecord:
        """Wait for a transaction's receipt, then bring its record (and its siblings') up to date."""
        self._chain().wait_for_receipt(tx_hash, "confirm the transaction", timeout=timeout)
        self.refresh()
        return self.transaction(tx_hash)

    def transaction(self, tx_hash: str) -> TxRecord:
        with self._db.read() as conn:
            rec = records.by_hash(conn, self._profile().chain_id, _tx_hash(tx_hash))
        if rec is None:
            raise InvalidInput(f"The wallet sent no transaction {tx_hash[:80]} on this network.")
        return rec

    def transactions(self, status: str | None = None, *, refresh: bool = False) -> list[TxRecord]:
        """The wallet's transactions on this network (``refresh``: checked against the chain first)."""
        if refresh:
            self.refresh()
        chain_id = self._profile().chain_id
        with self._db.read() as conn:
            if status is not None:
                return records.with_status(conn, chain_id, Status(status))
            rows = conn.execute(f"SELECT {records.COLUMNS} FROM wallet_tx WHERE chain_id = ? ORDER BY id",
                                (chain_id,)).fetchall()
            return [records._from_db(r) for r in rows]

    def prepare_replacement(self, tx_hash: str) -> tuple[TxRecord, Fees]:
        """The stuck transaction and the fees a replacement would pay (shown before speeding up/cancelling)."""
        self.refresh()
        rec = self.transaction(tx_hash)
        if rec.status != Status.PENDING:
            raise TxError(f"The transaction {rec.tx_hash} is {rec.status}; only a pending one can be replaced.")
        self._own(rec.sender)
        est = self._chain().fee_estimate()
        tip = max(_bump(rec.priority_fee), est.max_priority_fee)
        max_fee = max(_bump(rec.max_fee), est.max_fee, est.base_fee * 2 + tip)
        return rec, Fees(rec.gas_limit, max_fee, tip, est.base_fee)

    def speed_up(self, tx_hash: str) -> TxRecord:
        """The same transaction again, same nonce, higher fees: whichever is mined, the other is replaced."""
        from wallet.chain import txs
        from wallet.transfers.sender import Movement

        rec, fees = self.prepare_replacement(tx_hash)
        new = self._sender().send(
            txs.TxRequest(rec.sender, rec.tx_to or rec.sender, rec.tx_value, rec.tx_data),
            Movement(rec.kind, rec.asset, rec.amount, rec.recipient, {**rec.details, "speeds_up": rec.tx_hash}),
            gas=fees.gas, fees=_estimate_of(fees), action="speed up the transaction", nonce=rec.nonce,
            replaces=rec.id)
        self._records_changed([rec.key, new.key])
        return new

    def cancel(self, tx_hash: str) -> TxRecord:
        """A 0-ETH transfer to itself with the stuck transaction's nonce and higher fees: if mined first, the
        stuck one can never be; only the fee is spent."""
        from wallet.chain import txs
        from wallet.transfers.sender import Movement

        rec, fees = self.prepare_replacement(tx_hash)
        cancel_fees = Fees(txs.ETH_TRANSFER_GAS, fees.max_fee_per_gas, fees.priority_fee_per_gas,
                           fees.base_fee_per_gas)
        new = self._sender().send(
            txs.TxRequest(rec.sender, rec.sender, 0, "0x"),
            Movement(Kind.CANCEL, "ETH", 0, rec.sender, {"cancels": rec.tx_hash}),
            gas=cancel_fees.gas, fees=_estimate_of(cancel_fees), action="cancel the transaction", nonce=rec.nonce,
            replaces=rec.id)
        self._records_changed([rec.key, new.key])
        return new

    @staticmethod
    def history_source() -> tuple[RecordSource, ReorgHook]:
        """How the history reads this service's records, and reopens those a reorg took off the chain."""
        from wallet.transfers.records import TxRecordSource, reopen_after

        return TxRecordSource(), reopen_after

    def record_faucet(self, recipient: str, grants: dict[str, tuple[str, int]]) -> None:
        """``grants``: asset → (tx hash, amount) of what the devnet faucet just gave ``recipient``."""
        from wallet.transfers.faucet_records import record_grant

        self._records_changed([record_grant(self._db, self._chain(), recipient, asset, amount, tx_hash)
                               for asset, (tx_hash, amount) in grants.items()])

    def _check_network(self, chain_id: int) -> None:
        if self._profile().chain_id != chain_id:
            raise InvalidInput("The network changed since this was prepared; prepare it again.")


def _asset(name: str) -> str:
    upper = (name or "").strip().upper()
    if upper not in ASSETS:
        raise InvalidInput(f"Unknown asset {name[:20]!r}: AIT or ETH.")
    return upper


def _tx_hash(text: str) -> str:
    s = text.strip().lower()
    if len(s) != 66 or not s.startswith("0x") or any(c not in "0123456789abcdef" for c in s[2:]):
        raise InvalidInput(f"{text[:80]!r} is not a transaction hash (0x and 64 hexadecimal characters).")
    return s


def _bump(value: int) -> int:
    return math.ceil(value * REPLACEMENT_BUMP[0] / REPLACEMENT_BUMP[1]) + 1


def _estimate_of(fees: Fees):
    from wallet.chain.client import FeeEstimate

    return FeeEstimate(fees.base_fee_per_gas, fees.priority_fee_per_gas, fees.max_fee_per_gas)
