"""Plain types for what the ProviderRegistry says: providers, their models and prices.

These are what the quote engine, the payment guard and the GUI see; the chain wrapper in
``wallet.contracts`` produces them from the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelPrice:
    model: str
    encoding: str             # the tiktoken encoding the provider meters this model by
    input_price: int          # AIT base units per 1,000,000 input tokens
    output_price: int         # AIT base units per 1,000,000 output tokens
    context_window: int       # tokens
    max_output: int           # tokens

    def to_json(self) -> dict[str, object]:
        return {
            "model": self.model,
            "encoding": self.encoding,
            "input_price": str(self.input_price),
            "output_price": str(self.output_price),
            "context_window": self.context_window,
            "max_output": self.max_output,
        }


@dataclass(frozen=True)
class ProviderInfo:
    id: int
    owner: str
    name: str
    endpoint: str
    pay_to: str
    verified: bool
    active: bool
    models: tuple[ModelPrice, ...] = field(default_factory=tuple)

    def model(self, model_id: str) -> ModelPrice | None:
        return next((m for m in self.models if m.model == model_id), None)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "endpoint": self.endpoint,
            "pay_to": self.pay_to,
            "owner": self.owner,
            "verified": self.verified,
            "active": self.active,
            "models": [m.to_json() for m in self.models],
        }
