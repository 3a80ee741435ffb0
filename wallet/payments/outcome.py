"""What the provider's answer to a signed payment means for its record: settled, disputed, or still pending.

After the paid request the wallet reads the answer and the ``PAYMENT-RESPONSE``, finds the settlement on chain
itself, and, for a metered payment, checks it against its own count (``metered_check``). Every ending is
written to the intent with its evidence, and announced:

* answered and settled as signed (exact) or as the metering rule on the wallet's own count, with a receipt that
  holds (upto) — ``settled``;
* settled otherwise — ``disputed``, with the 402, the signed authorization, the body, the receipt and the tx;
* not on chain (yet) — ``pending``, watched until it settles or expires, and cancellable on chain;
* settled and then an error instead of the answer — settled (exact) or disputed (upto: nothing was delivered).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wallet.errors import InvalidInput, ProviderError
from wallet.events import PaymentDisputed, PaymentProgress, PaymentRecorded, PaymentSettled
from wallet.metering import count_tokens
from wallet.payments.guard import ait
from wallet.payments.intents import DISPUTED, PENDING, SETTLED, Intent, IntentStore, bounded_text
from wallet.payments.ledger import Ledger, Settlement
from wallet.payments.metered_check import MeteredCheck, check_metered
from wallet.payments.provider_http import Answer
from wallet.payments.reconcile import reconcile_one
from wallet.payments.upto import UPTO, MeteringFacts
from wallet.payments.wire import PAYMENT_REQUIRED, PAYMENT_RESPONSE, decode_settlement

if TYPE_CHECKING:
    from wallet.quote import Quote
    from wallet.registry import ProviderInfo

Progress = Callable[[PaymentProgress], None]


@dataclass(frozen=True)
class PaymentResult:
    response_text: str
    usage: dict[str, Any] | None
    quote: Quote
    paid_base_units: int | None      # what the chain shows was transferred (None: not settled yet)
    tx_hash: str | None
    intent_id: int
    notes: tuple[str, ...] = ()
    scheme: str = "exact"
    max_base_units: int = 0          # what the signature allowed
    output_tokens: int | None = None  # the wallet's own count of the answer
    receipt: dict[str, Any] | None = None   # the provider's usage receipt (metered), as sent
    status: str = SETTLED

    def to_json(self) -> dict[str, Any]:
        return {"quote": self.quote.to_json(),
                "paid_base_units": None if self.paid_base_units is None else str(self.paid_base_units),
                "tx_hash": self.tx_hash, "response": self.response_text, "usage": self.usage,
                "intent_id": self.intent_id, "notes": list(self.notes), "scheme": self.scheme,
                "max_base_units": str(self.max_base_units), "output_tokens": self.output_tokens,
                "receipt": self.receipt, "status": self.status}


@dataclass(frozen=True)
class Sent:
    """A signed payment on its way: the record, the provider, the quote and the signature that went out."""

    intent: Intent
    provider: ProviderInfo
    quote: Quote
    signature: str

    @property
    def metered(self) -> bool:
        return self.intent.scheme == UPTO


class Outcomes:
    def __init__(self, ledger: Ledger, store: IntentStore, publish: Callable[[object], None]) -> None:
        self.ledger = ledger
        self.store = store
        self._publish = publish

    # --- an answer arrived ---
    def after_answer(self, sent: Sent, answer: Answer, on_progress: Progress | None) -> PaymentResult:
        intent = sent.intent
        header, header_json = decode_settlement(answer.header(PAYMENT_RESPONSE))
        settlement = self._find(intent, header.transaction if header is not None else None)
        receipt = _receipt(header_json)
        evidence: dict[str, Any] = {"response": answer_evidence(answer), "payment_response": header_json,
                                    "authorization": {**intent.evidence.get("authorization", {}),
                                                      "signature": sent.signature}}
        if answer.status != 200:
            raise self._failed(sent, answer, settlement, evidence)
        try:
            text, usage = parse_completion(answer)
        except ProviderError as e:
            raise self._failed(sent, answer, settlement, evidence, e.user_message) from None
        output = count_tokens(text, sent.quote.encoding)
        sha = hashlib.sha256(answer.body).hexdigest()
        kept = {**evidence, "usage": usage, "response_sha256": sha} if sent.metered else {
            "usage": usage, "response_sha256": sha, "authorization": evidence["authorization"]}
        result = PaymentResult(text, usage, sent.quote, None, None, intent.id, scheme=intent.scheme,
                               max_base_units=intent.authorized, output_tokens=output, receipt=receipt,
                               status=PENDING)
        if settlement is None:
            claimed = f" It reported a charge of {ait(int(header.amount))}." if header is not None and \
                header.amount and header.amount.isdigit() else ""
            note = (f"{sent.provider.name} answered, but its payment is not on chain yet.{claimed} The authorization "
                    f"stays valid until {clock(intent.valid_before)}; the wallet watches it (payment {intent.id}) "
                    "and you can cancel it on chain with `ai-wallet payments cancel "
                    f"{intent.id}`.")
            self.store.mark_delivered(intent.id, output_tokens=output, **kept)
            self.store.note(intent.id, note)
            self._publish(PaymentRecorded(intent.id, PENDING))
            return _with(result, notes=(note,))
        check = self._check(intent, settlement, output, sha, receipt) if sent.metered else None
        intent = self._record(intent, settlement, check, delivered=True, output_tokens=output, **kept)
        self._progress(on_progress, PaymentProgress("settled", intent.provider_id, intent.id))
        notes = tuple(p for p in (settlement.problem, intent.reason if intent.status == DISPUTED else None) if p)
        return _with(result, paid_base_units=settlement.charged, tx_hash=settlement.tx_hash, notes=notes,
                     status=intent.status)

    def _failed(self, sent: Sent, answer: Answer, settlement: Settlement | None, evidence: dict[str, Any],
                why: str | None = None) -> ProviderError:
        intent, name = sent.intent, sent.provider.name
        what = why or f"answered HTTP {answer.status} ({error_text(answer)})"
        if settlement is not None:
            check = self._check(intent, settlement, None, None, _receipt(evidence["payment_response"])) \
                if sent.metered else None
            intent = self._record(intent, settlement, check, **evidence)
            problem = (f"{name} took {ait(settlement.charged)} (tx {settlement.tx_hash}) and then {what}. The "
                       f"request, the response and the transaction are kept with payment {intent.id}.")
            if intent.status == DISPUTED:
                problem += f" The charge is disputed: {intent.reason}"
            self.store.note(intent.id, problem)
            return ProviderError(problem)
        problem = (f"{name} did not take the payment: it {what}. Nothing was charged so far; the signed "
                   f"authorization stays valid until {clock(intent.valid_before)}, and the wallet watches it "
                   f"until it expires (payment {intent.id}; `ai-wallet payments cancel {intent.id}` cancels it "
                   "on chain).")
        self.store.note(intent.id, problem, **evidence)
        self._publish(PaymentRecorded(intent.id, PENDING))
        return ProviderError(problem)

    # --- no answer ---
    def after_no_answer(self, sent: Sent, error: ProviderError) -> ProviderError:
        intent = sent.intent
        self.store.keep(intent.id, authorization={**intent.evidence.get("authorization", {}),
                                                  "signature": sent.signature})
        after = reconcile_one(self.ledger, self.store, intent)
        if after.status in (SETTLED, DISPUTED):
            problem = (f"{error.user_message} It had already taken {ait(after.charged or 0)} (tx {after.tx_hash}); "
                       f"the request and the transaction are kept with payment {intent.id}.")
            self.store.note(intent.id, problem)
            self.announce(intent, after)
        else:
            problem = (f"{error.user_message} The payment is pending: the provider may still settle it until "
                       f"{clock(intent.valid_before)}. `ai-wallet payments reconcile` tells, and `ai-wallet "
                       f"payments cancel {intent.id}` cancels it on chain (payment {intent.id}).")
            self.store.note(intent.id, problem)
            self._publish(PaymentRecorded(intent.id, PENDING))
        return type(error)(problem)

    # --- records ---
    def _find(self, intent: Intent, tx_hash: str | None) -> Settlement | None:
        settlement = self.ledger.settlement_in(tx_hash, intent) if tx_hash else None
        if settlement is None:
            found = self.ledger.find_settlement(intent)
            settlement = found if isinstance(found, Settlement) else None
        return settlement

    def _check(self, intent: Intent, settlement: Settlement, output_tokens: int | None, sha: str | None,
               receipt: object) -> MeteredCheck:
        return check_metered(facts=MeteringFacts.from_json(intent.evidence["metering"]), payer=intent.account,
                             pay_to=intent.pay_to, nonce=intent.nonce or "", maximum=intent.authorized,
                             charged=settlement.charged, output_tokens=output_tokens, body_sha256=sha,
                             receipt_json=receipt, chain_id=intent.chain_id, token=self.ledger.token.address)

    def _record(self, intent: Intent, settlement: Settlement, check: MeteredCheck | None, **kept: Any) -> Intent:
        tx = {"hash": settlement.tx_hash, "block": settlement.block_number,
              "transferred_base_units": str(settlement.charged)}
        if check is not None and not check.ok:
            reason = " ".join(check.problems)
            after = self.store.dispute(intent.id, tx_hash=settlement.tx_hash, block_number=settlement.block_number,
                                       charged=settlement.charged, reason=reason, tx=tx, dispute=check.to_json(),
                                       **kept)
        else:
            after = self.store.settle(intent.id, tx_hash=settlement.tx_hash, block_number=settlement.block_number,
                                      charged=settlement.charged, reason=settlement.problem, tx=tx, **kept)
        self.announce(intent, after, check)
        return after

    def announce(self, before: Intent, after: Intent, check: MeteredCheck | None = None) -> None:
        if after.status == before.status:
            return
        self._publish(PaymentRecorded(after.id, after.status))
        if after.status in (SETTLED, DISPUTED) and after.tx_hash:
            self._publish(PaymentSettled(after.id, after.account, after.provider_id, after.charged or 0,
                                         after.tx_hash))
        if after.status == DISPUTED and after.tx_hash:
            expected = check.expected if check is not None else int(
                after.evidence.get("dispute", {}).get("expected_base_units", 0))
            self._publish(PaymentDisputed(after.id, after.account, after.provider_id, after.charged or 0, expected,
                                          after.tx_hash))

    def _progress(self, on_progress: Progress | None, event: PaymentProgress) -> None:
        self._publish(event)
        if on_progress is not None:
            on_progress(event)


def _with(result: PaymentResult, **changes: Any) -> PaymentResult:
    from dataclasses import replace

    return replace(result, **changes)


def _receipt(header_json: dict[str, Any] | None) -> object:
    extra = header_json.get("extra") if isinstance(header_json, dict) else None
    return extra.get("receipt") if isinstance(extra, dict) else None


def parse_completion(answer: Answer) -> tuple[str, dict[str, Any] | None]:
    """The assistant's text and the usage from an OpenAI chat completion."""
    try:
        doc = answer.json()
        content = doc["choices"][0]["message"]["content"]
    except (InvalidInput, KeyError, IndexError, TypeError):
        raise ProviderError("answered with something that is not a chat completion") from None
    if not isinstance(content, str):
        raise ProviderError("answered with a chat completion that has no text")
    usage = doc.get("usage")
    return content, usage if isinstance(usage, dict) else None


def answer_evidence(answer: Answer) -> dict[str, Any]:
    keep = ("content-type", PAYMENT_RESPONSE, PAYMENT_REQUIRED)
    return {"status": answer.status, "headers": {k: v[:4096] for k, v in answer.headers.items() if k in keep},
            "body": bounded_text(answer.body.decode("utf-8", "replace")),
            "body_sha256": hashlib.sha256(answer.body).hexdigest()}


def error_text(answer: Answer) -> str:
    try:
        doc = answer.json()
        err = doc.get("error") if isinstance(doc, dict) else None
        msg = err.get("message") if isinstance(err, dict) else (err or doc.get("detail"))
        if isinstance(msg, str) and msg:
            return msg[:300].rstrip(".")
    except (InvalidInput, AttributeError):
        pass
    return answer.text(200).strip() or "no details"


def clock(ts: int | None) -> str:
    return "?" if ts is None else datetime.fromtimestamp(ts).strftime("%H:%M:%S")
