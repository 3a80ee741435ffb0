"""Mapping web3 / RPC / transport failures to the wallet's own errors with plain messages.

Only what the network did is relabelled: a node that cannot be reached, refuses, times out, or answers
something that is not JSON-RPC. A TypeError or KeyError raised by the wallet's own code is a bug, and goes on
as itself (to be logged with its traceback), never disguised as a network problem.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import requests
from web3 import exceptions as w3ex

from wallet.chain.transport import BadAnswer
from wallet.errors import InsufficientFunds, NetworkError, TxError, WalletError

_PLAIN_WORDS = {
    "ERC20InsufficientBalance": "the balance is too low",
    "ERC20InvalidReceiver": "the token refuses that recipient",
    "ERC20InvalidSender": "the token refuses that sender",
    "ERC20InsufficientAllowance": "the allowance is too low",
}


@functools.cache
def _custom_errors() -> dict[str, str]:
    """4-byte selector → error name, for every custom error of the wallet's contracts (OpenZeppelin's included)."""
    from eth_utils import keccak

    from wallet.chain.contracts import load_artifact

    out: dict[str, str] = {}
    for name in ("AIToken", "ProviderRegistry", "TokenSale"):
        for item in load_artifact(name)["abi"]:
            if item.get("type") == "error":
                signature = f"{item['name']}({','.join(i['type'] for i in item.get('inputs', []))})"
                out["0x" + keccak(text=signature)[:4].hex()] = item["name"]
    return out


def revert_reason(exc: BaseException) -> str:
    """The contract's own words from a revert, without web3's prefixes."""
    if isinstance(exc, w3ex.ContractCustomError):
        data = str(getattr(exc, "data", "") or (exc.args[0] if exc.args else ""))
        name = _custom_errors().get(data[:10].lower())
        if name:
            return _PLAIN_WORDS.get(name, name)
    msg = getattr(exc, "message", None) or (exc.args[0] if exc.args else "")
    text = str(msg)
    for prefix in ("execution reverted: ", "execution reverted"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.strip() or "the contract refused the call without a reason"


# web3's functions that turn a node's raw answer into a result: a ValueError or TypeError raised below one of
# them (``int("hello", 16)`` on a non-hex result, say) is the answer's fault, not the caller's.
_ANSWER_DECODERS = frozenset({"decode_rpc_response", "formatted_response", "apply_result_formatters"})
_WEB3_DIR = Path(w3ex.__file__).resolve().parent


def _from_the_answer(tb: TracebackType | None) -> bool:
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name in _ANSWER_DECODERS and Path(code.co_filename).resolve().is_relative_to(_WEB3_DIR):
            return True
        tb = tb.tb_next
    return False


def malformed_answer(rpc_url: str, action: str) -> NetworkError:
    """An HTML page (captive portal, wrong URL) or a result of the wrong shape: not a node we can trust."""
    return NetworkError(
        f"The address {rpc_url} did not answer like an Ethereum node while trying to {action}. "
        "Check the RPC address in the network settings."
    )


def int_answer(value: object, rpc_url: str, action: str) -> int:
    """A node's answer that must be a whole number (a block, a balance, a nonce)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise malformed_answer(rpc_url, action)
    return value


@contextlib.contextmanager
def mapped_errors(rpc_url: str, action: str) -> Iterator[None]:
    """Run an RPC interaction, translating whatever fails into a WalletError that says what happened."""
    try:
        yield
    except WalletError:
        raise
    except BadAnswer as e:
        raise NetworkError(
            f"The address {rpc_url} did not answer like an Ethereum node while trying to {action}: {e}. "
            "Check the RPC address in the network settings."
        ) from None
    except (json.JSONDecodeError, w3ex.BadResponseFormat) as e:  # requests' JSONDecodeError is one too
        raise malformed_answer(rpc_url, action) from e
    except (requests.exceptions.ConnectionError, w3ex.ProviderConnectionError, ConnectionError) as e:
        raise NetworkError(
            f"Cannot reach the network at {rpc_url} while trying to {action}. "
            "Check that the node is running and the address is right."
        ) from e
    except (requests.exceptions.Timeout, w3ex.RequestTimedOut, TimeoutError) as e:
        raise NetworkError(f"The network at {rpc_url} did not answer in time while trying to {action}.") from e
    except w3ex.ContractLogicError as e:
        raise TxError(f"The contract refused to {action}: {revert_reason(e)}.") from e
    except w3ex.TimeExhausted as e:
        raise TxError(
            f"The transaction to {action} was sent but not confirmed in time; it may still confirm. "
            "Check its status later."
        ) from e
    except w3ex.Web3RPCError as e:
        text = str(getattr(e, "message", None) or e)
        if "insufficient funds" in text.lower():
            raise InsufficientFunds(f"Not enough ETH to pay for the network fee to {action}.") from e
        if "nonce too low" in text.lower() or "already known" in text.lower():
            raise TxError(f"A transaction with the same number was already sent; could not {action}.") from e
        raise NetworkError(f"The network refused to {action}: {text}") from e
    except w3ex.BadFunctionCallOutput as e:
        raise NetworkError(
            f"The network at {rpc_url} answered something unexpected while trying to {action}: "
            "is the contract deployed on this network?"
        ) from e
    except requests.exceptions.RequestException as e:
        raise NetworkError(f"The network at {rpc_url} failed while trying to {action}: {e.__class__.__name__}.") from e
    except (ValueError, TypeError) as e:
        if isinstance(e, w3ex.Web3Exception) or not _from_the_answer(e.__traceback__):
            raise  # web3 refusing our arguments, or our own code: a bug to see, not a network to blame
        raise malformed_answer(rpc_url, action) from e
