"""`ai-provider register`: write a provider and its price sheet to the registry, so wallets can find and pay it.

The price sheet is a JSON file ``{"models": [{"model", "encoding", "input_price", "output_price",
"context_window", "max_output"}, ...]}`` with prices in AIT base units per 1,000,000 tokens (integers, or
strings of digits). Registering again with ``--provider-id`` brings the entry in line with the file: details
updated, changed prices set, models missing from the file removed; what already matches is left alone (no
transaction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eth_account.signers.local import LocalAccount

from provider.network import GatewayChain
from wallet.addresses import parse_address
from wallet.errors import ConfigError, InvalidInput, QuoteError
from wallet.metering import check_model
from wallet.registry import ModelPrice
from wallet.safe_io import loads_bounded

MAX_SHEET_BYTES = 1024 * 1024
MAX_MODEL_ID = 128
MAX_UINT32 = 2**32 - 1


@dataclass
class Registration:
    provider_id: int
    created: bool
    details_updated: bool = False
    models_set: list[str] = field(default_factory=list)
    models_removed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"provider_id": self.provider_id, "created": self.created, "details_updated": self.details_updated,
                "models_set": self.models_set, "models_removed": self.models_removed}


def _whole(entry: dict[str, object], key: str, where: str, low: int = 0, high: int | None = None) -> int:
    value = entry.get(key)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f" from {low:,} to {high:,}" if high is not None else f" of at least {low:,}"
        raise ConfigError(f"{where}: {key} must be a whole number{bound}.")
    return value


def parse_price_sheet(raw: object, source: str) -> list[ModelPrice]:
    models = raw.get("models") if isinstance(raw, dict) else None
    if not isinstance(models, list) or not models:
        raise ConfigError(f'{source} must be an object with a non-empty "models" list.')
    out: list[ModelPrice] = []
    for i, entry in enumerate(models, 1):
        where = f"{source}, model {i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} is not an object.")
        model, encoding = entry.get("model"), entry.get("encoding")
        if not isinstance(model, str) or not model or len(model.encode()) > MAX_MODEL_ID:
            raise ConfigError(f"{where}: model must be a non-empty id of at most {MAX_MODEL_ID} bytes.")
        if not isinstance(encoding, str):
            raise ConfigError(f"{where}: encoding must name the tokenizer the model is metered by.")
        context = _whole(entry, "context_window", where, 1, MAX_UINT32)
        price = ModelPrice(model, encoding, _whole(entry, "input_price", where), _whole(entry, "output_price", where),
                           context, _whole(entry, "max_output", where, 1, context))
        try:
            check_model(price)
        except QuoteError as e:
            raise ConfigError(f"{where}: {e.user_message}") from None
        out.append(price)
    if len({m.model for m in out}) != len(out):
        raise ConfigError(f"{source} lists a model twice.")
    return out


def load_price_sheet(path: str | Path) -> list[ModelPrice]:
    p = Path(path)
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_SHEET_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"Cannot read the price sheet {p}: {e.strerror or e}.") from None
    try:
        raw = loads_bounded(data, max_bytes=MAX_SHEET_BYTES, max_depth=8, what=f"the price sheet {p}")
    except InvalidInput as e:
        raise ConfigError(e.user_message) from None
    return parse_price_sheet(raw, str(p))


def register(chain: GatewayChain, owner: LocalAccount, *, name: str, endpoint: str, pay_to: str,
             models: list[ModelPrice], provider_id: int | None = None) -> Registration:
    """Create the entry (``provider_id`` None) or bring entry ``provider_id`` in line; returns what changed."""
    pay_to = parse_address(pay_to)
    if not name or not endpoint.startswith(("http://", "https://")):
        raise ConfigError("A provider needs a name and an endpoint URL starting with http:// or https://.")
    registry = chain.registry()
    if provider_id is None:
        pid = registry.register_provider(owner, name, endpoint, pay_to)
        result = Registration(pid, created=True)
        current: dict[str, ModelPrice] = {}
    else:
        entry = registry.get_provider(provider_id)
        if not entry.active:
            raise ConfigError(f"Provider {provider_id} was removed from the registry; register a new one.")
        if entry.owner != owner.address:
            raise ConfigError(f"The key given is not the owner of provider {provider_id} ({entry.owner}).")
        result = Registration(provider_id, created=False)
        if (entry.name, entry.endpoint, entry.pay_to) != (name, endpoint, pay_to):
            registry.update_provider(owner, provider_id, name, endpoint, pay_to)
            result.details_updated = True
        current = {m.model: m for m in entry.models}
    for m in models:
        if current.get(m.model) != m:
            registry.set_model_price(owner, result.provider_id, m)
            result.models_set.append(m.model)
    for old in sorted(set(current) - {m.model for m in models}):
        registry.remove_model(owner, result.provider_id, old)
        result.models_removed.append(old)
    return result
