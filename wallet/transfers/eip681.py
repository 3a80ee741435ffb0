"""EIP-681 payment requests: the ``ethereum:`` URIs a receive screen shows and a send field accepts.

AIT:  ``ethereum:<token>@<chain id>/transfer?address=<recipient>&uint256=<base units>``
ETH:  ``ethereum:<recipient>@<chain id>?value=<wei>``

A request for another chain or another token is refused, never reinterpreted: sending AIT to an address
someone gave for USDC, or on the wrong chain, loses the money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from wallet.addresses import parse_address
from wallet.errors import InvalidInput

MAX_URI_LENGTH = 2_000
MAX_DIGITS = 78  # 2**256 has 78 decimal digits
_NUMBER = re.compile(r"^\+?(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]+))?(?:[eE]\+?(?P<exp>[0-9]{1,3}))?$")
_URI = re.compile(
    r"^ethereum:(?:pay-)?(?P<target>0[xX][0-9a-fA-F]{40})(?:@(?P<chain>[0-9]{1,20}))?"
    r"(?:/(?P<function>[A-Za-z_][A-Za-z0-9_]{0,63}))?(?:\?(?P<query>.*))?$",
    re.DOTALL,
)


class InvalidPaymentRequest(InvalidInput):
    """An ``ethereum:`` URI that is malformed, or meant for another chain or token."""


@dataclass(frozen=True)
class PaymentRequest:
    asset: str  # "AIT" or "ETH"
    to: str  # EIP-55
    amount: int | None  # base units / wei; None when the request leaves the amount open
    chain_id: int | None  # None: the request names no chain (it means the wallet's current one)


def is_payment_uri(text: str) -> bool:
    return text.strip().lower().startswith("ethereum:")


def build_uri(*, asset: str, to: str, chain_id: int, token: str | None = None, amount: int | None = None) -> str:
    to = parse_address(to)
    if amount is not None and amount < 0:
        raise InvalidInput("A payment request cannot ask for a negative amount.")
    if asset == "AIT":
        if token is None:
            raise InvalidInput("An AIT payment request needs the token's address.")
        uri = f"ethereum:{parse_address(token)}@{chain_id}/transfer?address={to}"
        return uri + (f"&uint256={amount}" if amount is not None else "")
    if asset == "ETH":
        return f"ethereum:{to}@{chain_id}" + (f"?value={amount}" if amount is not None else "")
    raise InvalidInput(f"Unknown asset {asset!r}: AIT or ETH.")


def parse_uri(text: str) -> PaymentRequest:
    """Syntax only; ``check_request`` compares it with the network the wallet is on."""
    s = text.strip()
    if len(s) > MAX_URI_LENGTH:
        raise InvalidPaymentRequest(f"The payment request is {len(s):,} characters long; at most "
                                    f"{MAX_URI_LENGTH:,} are accepted.")
    m = _URI.match(s)
    if m is None:
        if s.lower().startswith("ethereum:"):
            raise InvalidPaymentRequest(
                "This ethereum: request is not one the wallet can pay: it needs a 0x address (names such as "
                "ENS are not resolved), an optional @chain id, and optional parameters.")
        raise InvalidPaymentRequest("A payment request starts with ethereum:.")
    target = parse_address(m.group("target"), allow_zero=True)
    chain_id = int(m.group("chain")) if m.group("chain") else None
    params = _params(m.group("query") or "")
    function = m.group("function")
    if function is None:
        unknown = set(params) - {"value", "gas", "gasLimit", "gasPrice"}
        if unknown:
            raise InvalidPaymentRequest(f"The payment request has parameters the wallet does not understand: "
                                        f"{', '.join(sorted(unknown))}.")
        amount = _number(params["value"], "value") if "value" in params else None
        return PaymentRequest("ETH", parse_address(target), amount, chain_id)
    if function != "transfer":
        raise InvalidPaymentRequest(f"The payment request calls {function}(); the wallet only pays token "
                                    "transfers and plain ETH.")
    if "address" not in params:
        raise InvalidPaymentRequest("The token payment request names no recipient (address=…).")
    if "value" in params and _number(params["value"], "value") != 0:
        raise InvalidPaymentRequest("The token payment request also asks for ETH; the wallet refuses to mix them.")
    unknown = set(params) - {"address", "uint256", "value", "gas", "gasLimit", "gasPrice"}
    if unknown:
        raise InvalidPaymentRequest(f"The payment request has parameters the wallet does not understand: "
                                    f"{', '.join(sorted(unknown))}.")
    to = parse_address(params["address"])
    amount = _number(params["uint256"], "uint256") if "uint256" in params else None
    # The target of a token request is the token contract; the asset is decided by check_request.
    return PaymentRequest(f"token:{target}", to, amount, chain_id)


def check_request(req: PaymentRequest, *, chain_id: int, network_name: str, ait_address: str | None
                  ) -> PaymentRequest:
    """The request as AIT or ETH on this network, or a refusal saying which chain or token it is for."""
    if req.chain_id is not None and req.chain_id != chain_id:
        raise InvalidPaymentRequest(
            f"This payment request is for chain {req.chain_id}, but the wallet is on {network_name} "
            f"(chain {chain_id}). Nothing was sent; switch networks or ask for a request on this chain.")
    if req.asset.startswith("token:"):
        token = req.asset.split(":", 1)[1]
        if ait_address is None or token != parse_address(ait_address):
            raise InvalidPaymentRequest(
                f"This payment request is for the token at {token}, which is not the AI Token on "
                f"{network_name}. The wallet sends only AIT and ETH; nothing was sent.")
        return PaymentRequest("AIT", req.to, req.amount, chain_id)
    return PaymentRequest(req.asset, req.to, req.amount, chain_id)


def _params(query: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False, max_num_fields=16):
        if key in out:
            raise InvalidPaymentRequest(f"The payment request gives {key} twice.")
        out[key] = value
    return out


def _number(text: str, name: str) -> int:
    """EIP-681 numbers allow a decimal point and an exponent (``2.014e18``); the result must be a whole
    number of base units, or the request is refused rather than rounded."""
    m = _NUMBER.match(text)
    if not text or m is None or (not m.group("int") and not m.group("frac")):
        raise InvalidPaymentRequest(f"The payment request's {name} {text[:40]!r} is not a number.")
    whole, frac = m.group("int") or "0", m.group("frac") or ""
    exp = int(m.group("exp") or 0)
    if len(whole.lstrip("0")) + exp > MAX_DIGITS:
        raise InvalidPaymentRequest(f"The payment request's {name} is larger than any amount can be.")
    if len(frac) > exp and set(frac[exp:]) - {"0"}:
        raise InvalidPaymentRequest(f"The payment request's {name} {text[:40]!r} is not a whole number of base "
                                    "units.")
    digits = whole + frac[:exp].ljust(exp, "0")
    return int(digits)
