"""Typed wrappers over AIToken, ProviderRegistry and TokenSale, from the artifacts in resources/contracts.

Everything returned is plain Python: ints in base units, EIP-55 strings, the dataclasses of wallet.registry.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from eth_account.signers.local import LocalAccount

from wallet.addresses import parse_address
from wallet.chain.client import ChainClient, LogEntry, Receipt
from wallet.errors import ConfigError, TxError
from wallet.registry import ModelPrice, ProviderInfo

MINTER_ROLE_NAME = "MINTER_ROLE"


@functools.cache
def load_artifact(name: str) -> dict[str, Any]:
    try:
        text = resources.files("resources").joinpath("contracts", f"{name}.json").read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"The compiled contract {name} is missing from this installation.") from None
    return json.loads(text)


def deploy(client: ChainClient, signer: LocalAccount, name: str, *args: Any, timeout: float = 60.0) -> str:
    """Deploy a contract from its artifact; returns its address."""
    art = load_artifact(name)
    factory = client.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    receipt = client.transact(signer, factory.constructor(*args), f"deploy {name}", timeout=timeout)
    address = receipt.contract_address
    if not address:
        raise TxError(f"Deploying {name} did not create a contract (tx {receipt.tx_hash}).")
    return parse_address(str(address))


def event_topic(signature: str) -> str:
    from eth_utils import keccak

    return "0x" + keccak(text=signature).hex()


BALANCE_OF = "0x70a08231"  # balanceOf(address)
TRANSFER_TOPIC = event_topic("Transfer(address,address,uint256)")
AUTHORIZATION_USED_TOPIC = event_topic("AuthorizationUsed(address,bytes32)")
AUTHORIZATION_CANCELED_TOPIC = event_topic("AuthorizationCanceled(address,bytes32)")


def _address_topic(address: str) -> str:
    return "0x" + parse_address(address, allow_zero=True)[2:].lower().rjust(64, "0")


def _topic_address(topic: str) -> str:
    return parse_address("0x" + topic[-40:], allow_zero=True)


@dataclass(frozen=True)
class TokenTransfer:
    sender: str
    recipient: str
    value: int


@dataclass(frozen=True)
class AuthorizationEvent:
    """An EIP-3009 authorization consumed (``used``) or cancelled, with where it happened."""

    authorizer: str
    nonce: str          # 0x + 64 hex digits
    used: bool
    tx_hash: str
    block_number: int


def token_transfers(token: str, entries: tuple[LogEntry, ...]) -> list[TokenTransfer]:
    """The Transfer events that ``token`` itself emitted among a receipt's logs."""
    out = []
    for e in entries:
        if e.address.lower() == token.lower() and len(e.topics) == 3 and e.topics[0] == TRANSFER_TOPIC:
            out.append(TokenTransfer(_topic_address(e.topics[1]), _topic_address(e.topics[2]), int(e.data, 16)))
    return out


def authorization_events(token: str, entries: tuple[LogEntry, ...] | list[LogEntry]) -> list[AuthorizationEvent]:
    out = []
    for e in entries:
        if e.address.lower() != token.lower() or len(e.topics) != 3:
            continue
        if e.topics[0] in (AUTHORIZATION_USED_TOPIC, AUTHORIZATION_CANCELED_TOPIC):
            out.append(AuthorizationEvent(_topic_address(e.topics[1]), e.topics[2].lower(),
                                          e.topics[0] == AUTHORIZATION_USED_TOPIC, e.tx_hash, e.block_number))
    return out


class _Bound:
    artifact: str

    def __init__(self, client: ChainClient, address: str) -> None:
        self.client = client
        self.address = parse_address(address)
        self._c = client.contract(self.address, load_artifact(self.artifact)["abi"])

    def _call(self, action: str, fn_name: str, *args: Any) -> Any:
        return self.client.call(getattr(self._c.functions, fn_name)(*args), action)

    def _transact(self, signer: LocalAccount, action: str, fn_name: str, *args: Any,
                  value: int = 0) -> Receipt:
        return self.client.transact(signer, getattr(self._c.functions, fn_name)(*args), action, value=value)

    def is_deployed(self) -> bool:
        return len(self.client.code_at(self.address)) > 0


class AIToken(_Bound):
    artifact = "AIToken"

    def balance_of(self, address: str) -> int:
        holder = parse_address(address, allow_zero=True)
        return self.client.call_word(self.address, BALANCE_OF + holder[2:].lower().rjust(64, "0"),
                                     "read the AIT balance")

    def total_supply(self) -> int:
        return int(self._call("read the AIT supply", "totalSupply"))

    def symbol(self) -> str:
        return str(self._call("read the token symbol", "symbol"))

    def decimals(self) -> int:
        return int(self._call("read the token decimals", "decimals"))

    def role(self, name: str) -> bytes:
        return bytes(self._call(f"read {name}", name))

    def has_role(self, role_name: str, account: str) -> bool:
        return bool(self._call("check a role", "hasRole", self.role(role_name), parse_address(account)))

    def grant_role(self, signer: LocalAccount, role_name: str, account: str) -> Receipt:
        return self._transact(signer, f"grant {role_name}", "grantRole", self.role(role_name),
                              parse_address(account))

    def mint(self, signer: LocalAccount, to: str, amount: int) -> Receipt:
        return self._transact(signer, "mint AIT", "mint", parse_address(to), amount)

    def transfer(self, signer: LocalAccount, to: str, amount: int) -> Receipt:
        return self._transact(signer, "send AIT", "transfer", parse_address(to), amount)

    def transfer_data(self, to: str, amount: int) -> str:
        """Calldata of ``transfer(to, amount)``, for a transaction the caller signs with its own nonce."""
        return str(self._c.encode_abi("transfer", args=[parse_address(to, allow_zero=True), amount]))

    def authorization_state(self, authorizer: str, nonce: bytes) -> bool:
        return bool(self._call("read an authorization's state", "authorizationState",
                               parse_address(authorizer), nonce))

    def cancel_authorization(self, signer: LocalAccount, nonce: str, signature: bytes) -> Receipt:
        """EIP-3009 ``cancelAuthorization`` of ``signer``'s own authorization ``nonce`` (0x + 64 hex digits),
        sent by ``signer`` (it pays the gas)."""
        return self._transact(signer, "cancel a payment authorization", "cancelAuthorization",
                              parse_address(signer.address), bytes.fromhex(nonce[2:]), signature)

    def authorization_events(self, authorizer: str, nonce: bytes, from_block: int) -> list[AuthorizationEvent]:
        """Where an authorization was used or cancelled: AuthorizationUsed/Canceled logs for it since a block."""
        topics = [[AUTHORIZATION_USED_TOPIC, AUTHORIZATION_CANCELED_TOPIC], _address_topic(authorizer),
                  "0x" + nonce.hex()]
        return authorization_events(self.address, self.client.get_logs(self.address, topics, from_block))


class ProviderRegistry(_Bound):
    artifact = "ProviderRegistry"

    def provider_count(self) -> int:
        return int(self._call("count registered providers", "providerCount"))

    def get_provider(self, provider_id: int) -> ProviderInfo:
        p = self._call("read a provider", "getProvider", provider_id)
        models = self._call("read a provider's models", "getModels", provider_id)
        owner, name, endpoint, pay_to, verified, active = p
        return ProviderInfo(
            id=provider_id, owner=parse_address(owner, allow_zero=True), name=str(name),
            endpoint=str(endpoint), pay_to=parse_address(pay_to, allow_zero=True),
            verified=bool(verified), active=bool(active),
            models=tuple(
                ModelPrice(str(m[0]), str(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5])) for m in models
            ),
        )

    def list_providers(self, *, include_inactive: bool = False) -> list[ProviderInfo]:
        providers = [self.get_provider(i) for i in range(1, self.provider_count() + 1)]
        return [p for p in providers if include_inactive or p.active]

    def register_provider(self, signer: LocalAccount, name: str, endpoint: str, pay_to: str) -> int:
        receipt = self._transact(signer, "register a provider", "registerProvider", name, endpoint,
                                 parse_address(pay_to))
        events = self._c.events.ProviderRegistered().process_receipt({"logs": receipt.logs})
        return int(events[0]["args"]["id"])

    def set_model_price(self, signer: LocalAccount, provider_id: int, m: ModelPrice) -> Receipt:
        return self._transact(signer, f"set the price of {m.model}", "setModelPrice", provider_id, m.model,
                              m.encoding, m.input_price, m.output_price, m.context_window, m.max_output)

    def remove_model(self, signer: LocalAccount, provider_id: int, model: str) -> Receipt:
        return self._transact(signer, f"remove the price of {model}", "removeModel", provider_id, model)

    def update_provider(self, signer: LocalAccount, provider_id: int, name: str, endpoint: str,
                        pay_to: str) -> Receipt:
        return self._transact(signer, "update a provider", "updateProvider", provider_id, name, endpoint,
                              parse_address(pay_to))

    def set_verified(self, signer: LocalAccount, provider_id: int, verified: bool) -> Receipt:
        return self._transact(signer, "mark a provider verified", "setVerified", provider_id, verified)


class TokenSale(_Bound):
    artifact = "TokenSale"

    def rate(self) -> int:
        return int(self._call("read the sale rate", "rate"))

    def quote(self, wei: int) -> int:
        return int(self._call("quote a purchase", "quote", wei))

    def wei_for(self, tokens: int) -> int:
        return int(self._call("price a purchase", "weiFor", tokens))

    def paused(self) -> bool:
        return bool(self._call("check whether the sale is paused", "paused"))

    def buy_data(self, min_tokens_out: int) -> str:
        return str(self._c.encode_abi("buy", args=[min_tokens_out]))

    def buy(self, signer: LocalAccount, wei: int, min_tokens_out: int) -> Receipt:
        return self._transact(signer, "buy AIT", "buy", min_tokens_out, value=wei)
