"""What a person last chose to run a task with on a network: provider, model, output budget, system prompt.

Kept per network in settings.json (the devnet's provider 1 is not Sepolia's), read back tolerantly: a value
of the wrong type or out of range, as a hand edit may leave, is forgotten rather than refused, since nothing
but a pre-filled form depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from wallet.errors import InvalidInput
from wallet.registry import ModelPrice, ProviderInfo

SETTING = "task_choice"  # settings.json key: {network name: choice}
MAX_ID = 2**64 - 1
MAX_BUDGET = 2**32 - 1  # the registry's bound on a model's max output
MAX_MODEL_CHARS = 200
MAX_SYSTEM_PROMPT_CHARS = 20_000  # a remembered instruction, not a document


@dataclass(frozen=True)
class TaskChoice:
    provider_id: int | None = None
    model: str | None = None
    max_output: int | None = None
    system_prompt: str = ""

    def check(self) -> TaskChoice:
        """Itself, or ``InvalidInput`` saying which part cannot be remembered."""
        if self.provider_id is not None and not _whole(self.provider_id, 0, MAX_ID):
            raise InvalidInput("A provider id is a whole number from 0.")
        if self.model is not None and (not isinstance(self.model, str) or len(self.model) > MAX_MODEL_CHARS):
            raise InvalidInput(f"A model name is at most {MAX_MODEL_CHARS} characters.")
        if self.max_output is not None and not _whole(self.max_output, 1, MAX_BUDGET):
            raise InvalidInput(f"The output budget is a whole number of tokens from 1 to {MAX_BUDGET:,}.")
        if not isinstance(self.system_prompt, str) or len(self.system_prompt) > MAX_SYSTEM_PROMPT_CHARS:
            raise InvalidInput(f"A system prompt is remembered up to {MAX_SYSTEM_PROMPT_CHARS:,} characters; "
                               "this one is kept for this run only.")
        return self

    def to_json(self) -> dict[str, Any]:
        return {"provider_id": self.provider_id, "model": self.model, "max_output": self.max_output,
                "system_prompt": self.system_prompt}

    @classmethod
    def from_json(cls, raw: object) -> TaskChoice:
        if not isinstance(raw, dict):
            return cls()
        pid, model, budget, system = (raw.get(k) for k in ("provider_id", "model", "max_output", "system_prompt"))
        return cls(
            provider_id=pid if _whole(pid, 0, MAX_ID) else None,
            model=model if isinstance(model, str) and len(model) <= MAX_MODEL_CHARS else None,
            max_output=budget if _whole(budget, 1, MAX_BUDGET) else None,
            system_prompt=system if isinstance(system, str) and len(system) <= MAX_SYSTEM_PROMPT_CHARS else "",
        )

    def pick(self, sheet: Iterable[ProviderInfo]) -> tuple[ProviderInfo, ModelPrice] | None:
        """The remembered provider and model if the sheet still offers them, else the first model offered."""
        offered = [p for p in sheet if p.models]
        for p in offered:
            if p.id == self.provider_id and (m := p.model(self.model or "")) is not None:
                return p, m
        return (offered[0], offered[0].models[0]) if offered else None


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
