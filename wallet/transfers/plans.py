"""What the wallet shows before it signs a send or a top-up: every figure, every warning.

A plan is computed by ``prepare_*`` and carried unchanged to the matching ``send``/``topup``: the fees and
amounts signed are the ones shown. Warnings must be accepted explicitly (``accept_warnings=True``; the CLI
asks, or takes ``--yes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wallet.errors import WalletError
from wallet.units import format_amount


@dataclass(frozen=True)
class Warning:
    code: str  # zero_address | token_contract | contract | new_address
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class NeedsConfirmation(WalletError):
    """The plan carries warnings that were not accepted; nothing was signed."""

    def __init__(self, warnings: tuple[Warning, ...]) -> None:
        super().__init__("Not sent: " + " ".join(w.message for w in warnings)
                         + " Confirm to send anyway (the CLI: --yes).")
        self.warnings = warnings


@dataclass(frozen=True)
class Fees:
    gas: int
    max_fee_per_gas: int  # wei; the most paid per gas
    priority_fee_per_gas: int
    base_fee_per_gas: int

    @property
    def max_cost(self) -> int:
        """The most the network fee can be, in wei."""
        return self.gas * self.max_fee_per_gas

    @property
    def likely_cost(self) -> int:
        return self.gas * (self.base_fee_per_gas + self.priority_fee_per_gas)

    def to_json(self) -> dict[str, Any]:
        return {"gas": self.gas, "max_fee_per_gas_wei": str(self.max_fee_per_gas),
                "priority_fee_per_gas_wei": str(self.priority_fee_per_gas),
                "max_fee_eth": format_amount(self.max_cost), "likely_fee_eth": format_amount(self.likely_cost)}


@dataclass(frozen=True)
class SendPlan:
    chain_id: int
    account: str
    to: str
    asset: str  # AIT | ETH
    amount: int
    fees: Fees
    balance: int  # of the asset, before
    eth_balance: int
    warnings: tuple[Warning, ...]
    tx_to: str  # the token contract for AIT, the recipient for ETH
    tx_value: int
    tx_data: str

    def to_json(self) -> dict[str, Any]:
        return {"from": self.account, "to": self.to, "asset": self.asset, "amount": format_amount(self.amount),
                "fee": self.fees.to_json(), "balance": format_amount(self.balance),
                "eth_balance": format_amount(self.eth_balance),
                "warnings": [w.to_json() for w in self.warnings]}


@dataclass(frozen=True)
class TopUpPlan:
    chain_id: int
    account: str
    sale: str
    eth_cost: int  # wei sent to TokenSale
    tokens: int  # AIT base units bought
    min_tokens_out: int  # the purchase reverts if the rate changed and fewer would be minted
    rate: int  # AIT base units per 1 ETH
    fees: Fees
    eth_balance: int
    tx_data: str

    @property
    def rate_text(self) -> str:
        return f"1 ETH = {format_amount(self.rate)} AIT"

    @property
    def total_eth(self) -> int:
        """ETH spent at most: the cost plus the highest possible fee."""
        return self.eth_cost + self.fees.max_cost

    def to_json(self) -> dict[str, Any]:
        return {"account": self.account, "ait": format_amount(self.tokens), "eth_cost": format_amount(self.eth_cost),
                "rate": self.rate_text, "rate_ait_per_eth": format_amount(self.rate),
                "min_ait_out": format_amount(self.min_tokens_out), "fee": self.fees.to_json(),
                "total_eth_max": format_amount(self.total_eth), "eth_balance": format_amount(self.eth_balance)}
