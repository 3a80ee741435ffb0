"""Paying a provider for one chat task: prepare (ask, decode, guard — nothing signed), then pay (record, sign,
send, verify on chain).

    prepared = flow.prepare(task, account)        # the 402 demand and the guard's verdict
    result = flow.pay(prepared, on_progress)      # PaymentResult: the answer, the amount, the tx

Every way a payment can end is recorded in the intent: refused before signing; settled and answered; settled
and not answered (the evidence is kept); not settled (pending until reconciliation says settled or expired).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wallet.errors import InvalidInput, ProviderError, WalletError
from wallet.events import PaymentProgress, PaymentRecorded, PaymentSettled
from wallet.payments.guard import GuardFacts, Reason, Verdict, ait, check
from wallet.payments.intents import PENDING, SETTLED, Intent, IntentDraft, IntentStore, RefusedPayment, bounded_text
from wallet.payments.ledger import Ledger, Settlement
from wallet.payments.provider_http import Answer, MalformedAnswer, ProviderHttp
from wallet.payments.reconcile import reconcile_one
from wallet.payments.signing import Authorization, RecordedExactScheme, sign_payment
from wallet.payments.wire import (
    PAYMENT_REQUIRED,
    PAYMENT_RESPONSE,
    MalformedDemand,
    decode_demand,
    decode_settlement,
    encode_payment,
)

if TYPE_CHECKING:
    from x402.mechanisms.evm.signer import ClientEvmSigner
    from x402.schemas import PaymentRequired

    from wallet.quote import PromptInput, Quote
    from wallet.registry import ProviderInfo

CHAT_PATH = "/v1/chat/completions"
Progress = Callable[[PaymentProgress], None]


@dataclass(frozen=True)
class Task:
    provider_id: int
    model: str
    prompt: PromptInput
    max_output: int

    def body(self) -> bytes:
        """The OpenAI chat request exactly as it was metered."""
        return json.dumps({"model": self.model, "messages": [m.to_json() for m in self.prompt.messages],
                           "max_tokens": self.max_output}, ensure_ascii=False, separators=(",", ":")).encode()


def task_key(chain_id: int, account: str, provider: ProviderInfo, body: bytes) -> str:
    """Two runs are the same task when the same account asks the same provider the same request on one chain."""
    h = hashlib.sha256()
    for part in (str(chain_id), account.lower(), str(provider.id), provider.endpoint, provider.pay_to.lower()):
        h.update(part.encode() + b"\0")
    h.update(body)
    return h.hexdigest()


@dataclass(frozen=True)
class PreparedPayment:
    task: Task
    account: str
    provider: ProviderInfo
    quote: Quote
    url: str
    body: bytes
    task_key: str
    demand: PaymentRequired | None   # the decoded 402 (None when it could not be read)
    demand_json: dict[str, Any] | None
    verdict: Verdict
    head: int                        # the chain head when prepared: settlement logs are searched from here
    refusal_id: int | None = None    # the recorded refusal, when the verdict refuses

    @property
    def amount(self) -> int | None:
        return self.verdict.amount

    @property
    def validity_seconds(self) -> int | None:
        req = self.verdict.requirement
        return None if req is None else req.max_timeout_seconds

    def to_json(self) -> dict[str, Any]:
        return {"quote": self.quote.to_json(), "provider": self.provider.to_json(), "url": self.url,
                "demand": self.demand_json, "verdict": self.verdict.to_json(),
                "amount_base_units": None if self.amount is None else str(self.amount),
                "validity_seconds": self.validity_seconds}


@dataclass(frozen=True)
class PaymentResult:
    response_text: str
    usage: dict[str, Any] | None
    quote: Quote
    paid_base_units: int | None      # what the chain shows was transferred (None: not settled yet)
    tx_hash: str | None
    intent_id: int
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"quote": self.quote.to_json(),
                "paid_base_units": None if self.paid_base_units is None else str(self.paid_base_units),
                "tx_hash": self.tx_hash, "response": self.response_text, "usage": self.usage,
                "intent_id": self.intent_id, "notes": list(self.notes)}


class PaymentFlow:
    def __init__(self, *, chain_id: int, ledger: Ledger, store: IntentStore, http: ProviderHttp,
                 quote: Callable[[Task, str], tuple[ProviderInfo, Quote]],
                 signer: Callable[[str], ClientEvmSigner],
                 publish: Callable[[object], None] = lambda _e: None) -> None:
        self.chain_id = chain_id
        self.ledger = ledger
        # The chain reads of a prepare run while the provider answers its 402: they do not depend on each other.
        self._reads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="payment-reads")
        self.store = store
        self.http = http
        self._quote = quote
        self._signer = signer
        self._publish = publish

    def close(self) -> None:
        self.http.close()
        self._reads.shutdown(wait=False)

    @property
    def network(self) -> str:
        return f"eip155:{self.chain_id}"

    # --- prepare: nothing is signed ---
    def prepare(self, task: Task, account: str, *, repeat: bool = False,
                on_progress: Progress | None = None) -> PreparedPayment:
        provider, quote = self._quote(task, account)
        body = task.body()
        url = provider.endpoint.rstrip("/") + CHAT_PATH
        key = task_key(self.chain_id, account, provider, body)
        self._progress(on_progress, PaymentProgress("requesting", provider.id))
        chain_reads = self._reads.submit(lambda: (self.ledger.recent_head(), self.ledger.balance(account)))
        try:
            answer = self.http.post(url, body)
        finally:
            head, balance = chain_reads.result()
        draft = self._draft(provider, quote, account, key, url, head, int(quote.price_base_units))
        try:
            demand, raw = decode_demand(self._demand_header(answer, url))
        except (MalformedDemand, MalformedAnswer) as e:
            message = e.user_message.removesuffix(" Nothing was signed.")
            verdict = Verdict(False, None, (Reason("malformed", message),))
            refusal = self._refuse(draft, verdict)
            return PreparedPayment(task, account, provider, quote, url, body, key, None, None, verdict, head, refusal)
        facts = self._facts(provider, quote, account, key, balance, repeat)
        verdict = check(demand, facts)
        refusal = None
        if not verdict.ok:
            refusal = self._refuse(draft, verdict, demand=raw)
        return PreparedPayment(task, account, provider, quote, url, body, key, demand, raw, verdict, head, refusal)

    def _demand_header(self, answer: Answer, url: str) -> str | None:
        if answer.status == 402:
            return answer.header(PAYMENT_REQUIRED)
        if answer.status == 200:
            raise ProviderError(f"The provider at {url} answered without asking to be paid; the wallet expected "
                                "an x402 payment demand (HTTP 402). Nothing was signed.")
        raise ProviderError(f"The provider at {url} refused the request (HTTP {answer.status}: "
                            f"{_error_text(answer)}). Nothing was signed.")

    def _facts(self, provider: ProviderInfo, quote: Quote, account: str, key: str, balance: int,
               repeat: bool) -> GuardFacts:
        pending = self.store.pending(self.chain_id, account)
        if pending:  # settle what can be settled first, so outstanding amounts and the task check are current
            chain_now = self.ledger.now()
            for intent in pending:
                self._announce(intent, reconcile_one(self.ledger, self.store, intent, chain_now))
        return GuardFacts(
            chain_id=self.chain_id, token=self.ledger.token.address, pay_to=provider.pay_to,
            provider_name=provider.name, quote=int(quote.price_base_units), balance=balance,
            outstanding=self.store.outstanding(self.chain_id, account), budgets=self.store.budgets(),
            spent_today=self.store.spent_today(self.chain_id), earlier=self.store.earlier(key), repeat=repeat,
        )

    # --- pay: record, sign, send, verify ---
    def pay(self, prepared: PreparedPayment, on_progress: Progress | None = None, *,
            repeat: bool = False) -> PaymentResult:
        verdict = prepared.verdict
        if not verdict.ok or verdict.requirement is None or prepared.demand is None:
            raise RefusedPayment(verdict.message, prepared.refusal_id or 0, tuple(r.code for r in verdict.reasons))
        req = verdict.requirement
        amount = int(req.amount)
        auth = Authorization(payer=prepared.account, pay_to=prepared.provider.pay_to, value=amount, valid_after=0,
                             valid_before=int(time.time()) + req.max_timeout_seconds,
                             nonce="0x" + os.urandom(32).hex())
        draft = self._draft(prepared.provider, prepared.quote, prepared.account, prepared.task_key, prepared.url,
                            prepared.head, amount, auth=auth, body=prepared.body, demand=prepared.demand_json)
        try:
            intent = self.store.reserve(draft, repeat=repeat)
        except RefusedPayment as e:
            self._publish(PaymentRecorded(e.intent_id, "refused"))
            raise
        self._publish(PaymentRecorded(intent.id, PENDING))
        pid = prepared.provider.id
        self._progress(on_progress, PaymentProgress("signing", pid, intent.id))
        try:
            scheme = RecordedExactScheme(self._signer(prepared.account), auth, self.chain_id,
                                         self.ledger.token.address)
            payload = sign_payment(prepared.demand, req, scheme, self.network)
        except BaseException as e:
            reason = e.user_message if isinstance(e, WalletError) else "The payment was not signed."
            self.store.void(intent.id, reason)
            self._publish(PaymentRecorded(intent.id, "refused"))
            raise
        self._progress(on_progress, PaymentProgress("waiting for the provider", pid, intent.id))
        try:
            answer = self.http.post(prepared.url, prepared.body, {"PAYMENT-SIGNATURE": encode_payment(payload)})
        except ProviderError as e:
            raise self._after_no_answer(intent, prepared, e) from None
        self._progress(on_progress, PaymentProgress("verifying", pid, intent.id))
        return self._after_answer(intent, prepared, answer, on_progress)

    def _after_answer(self, intent: Intent, prepared: PreparedPayment, answer: Answer,
                      on_progress: Progress | None) -> PaymentResult:
        header, header_json = decode_settlement(answer.header(PAYMENT_RESPONSE))
        settlement: Settlement | None = None
        if header is not None and header.transaction:
            settlement = self.ledger.settlement_in(header.transaction, intent)
        if settlement is None:
            found = self.ledger.find_settlement(intent)
            settlement = found if isinstance(found, Settlement) else None
        evidence = {"response": _answer_evidence(answer), "payment_response": header_json}
        if answer.status != 200:
            raise self._fail_after_answer(intent, prepared, answer, settlement, evidence)
        try:
            text, usage = parse_completion(answer)
        except ProviderError as e:
            raise self._fail_after_answer(intent, prepared, answer, settlement, evidence, e.user_message) from None
        delivered = {"usage": usage, "response_sha256": hashlib.sha256(answer.body).hexdigest()}
        pid = prepared.provider.id
        if settlement is None:
            note = (f"{prepared.provider.name} answered, but its payment is not on chain yet; the wallet keeps "
                    f"watching it (payment {intent.id}).")
            self.store.mark_delivered(intent.id, **delivered)
            self.store.note(intent.id, note)
            return PaymentResult(text, usage, prepared.quote, None, None, intent.id, (note,))
        intent = self.store.settle(intent.id, tx_hash=settlement.tx_hash, block_number=settlement.block_number,
                                   charged=settlement.charged, reason=settlement.problem, delivered=True,
                                   **delivered)
        self._settled(intent, pid, on_progress)
        notes = (settlement.problem,) if settlement.problem else ()
        return PaymentResult(text, usage, prepared.quote, settlement.charged, settlement.tx_hash, intent.id, notes)

    def _fail_after_answer(self, intent: Intent, prepared: PreparedPayment, answer: Answer,
                           settlement: Settlement | None, evidence: dict[str, Any],
                           why: str | None = None) -> ProviderError:
        name = prepared.provider.name
        what = why or f"answered HTTP {answer.status} ({_error_text(answer)})"
        if settlement is not None:
            problem = (f"{name} took {ait(settlement.charged)} (tx {settlement.tx_hash}) and then {what}. The "
                       f"request, the response and the transaction are kept with payment {intent.id}.")
            intent = self.store.settle(intent.id, tx_hash=settlement.tx_hash, block_number=settlement.block_number,
                                       charged=settlement.charged, reason=problem, **evidence)
            self._settled(intent, prepared.provider.id, None)
            return ProviderError(problem)
        problem = (f"{name} did not take the payment: it {what}. Nothing was charged so far; the signed "
                   f"authorization stays valid until {_clock(intent.valid_before)}, and the wallet watches it "
                   f"until it expires (payment {intent.id}).")
        self.store.note(intent.id, problem, **evidence)
        self._publish(PaymentRecorded(intent.id, PENDING))
        return ProviderError(problem)

    def _after_no_answer(self, intent: Intent, prepared: PreparedPayment, error: ProviderError) -> ProviderError:
        after = reconcile_one(self.ledger, self.store, intent)
        if after.status == SETTLED:
            problem = (f"{error.user_message} It had already taken {ait(after.charged or 0)} (tx {after.tx_hash}); "
                       f"the request and the transaction are kept with payment {intent.id}.")
            self.store.note(intent.id, problem)
            self._settled(after, prepared.provider.id, None)
        else:
            problem = (f"{error.user_message} The payment is pending: the provider may still settle it until "
                       f"{_clock(intent.valid_before)}. `ai-wallet payments reconcile` tells (payment {intent.id}).")
            self.store.note(intent.id, problem)
            self._publish(PaymentRecorded(intent.id, PENDING))
        return type(error)(problem)

    # --- reconciliation and records ---
    def reconcile(self, intents: list[Intent] | None = None) -> list[Intent]:
        pending = self.store.pending(self.chain_id) if intents is None else intents
        chain_now = self.ledger.now() if pending else 0
        out = []
        for intent in pending:
            after = reconcile_one(self.ledger, self.store, intent, chain_now)
            self._announce(intent, after)
            out.append(after)
        return out

    def _announce(self, before: Intent, after: Intent) -> None:
        if after.status == before.status:
            return
        self._publish(PaymentRecorded(after.id, after.status))
        if after.status == SETTLED and after.tx_hash:
            self._publish(PaymentSettled(after.id, after.account, after.provider_id, after.charged or 0,
                                         after.tx_hash))

    def _settled(self, intent: Intent, provider_id: int, on_progress: Progress | None) -> None:
        self._publish(PaymentRecorded(intent.id, SETTLED))
        self._publish(PaymentSettled(intent.id, intent.account, provider_id, intent.charged or 0,
                                     intent.tx_hash or ""))
        self._progress(on_progress, PaymentProgress("settled", provider_id, intent.id))

    def _refuse(self, draft: IntentDraft, verdict: Verdict, **evidence: Any) -> int:
        reasons = [r.code for r in verdict.reasons]
        intent = self.store.record_refusal(replace(draft, evidence={**draft.evidence, **evidence,
                                                                   "reasons": reasons}), verdict.message)
        self._publish(PaymentRecorded(intent.id, "refused"))
        return intent.id

    def _draft(self, provider: ProviderInfo, quote: Quote, account: str, key: str, url: str, head: int,
               amount: int, *, auth: Authorization | None = None, body: bytes | None = None,
               demand: dict[str, Any] | None = None) -> IntentDraft:
        evidence: dict[str, Any] = {"url": url}
        if body is not None:
            evidence["request"] = bounded_text(body.decode("utf-8"))
            evidence["request_sha256"] = hashlib.sha256(body).hexdigest()
        if demand is not None:
            evidence["demand"] = demand
        if auth is not None:
            evidence["authorization"] = auth.to_json()
        return IntentDraft(
            task_key=key, chain_id=self.chain_id, account=account, provider_id=provider.id,
            provider_name=provider.name, endpoint=provider.endpoint, model=quote.model, scheme="exact",
            asset=self.ledger.token.address, pay_to=provider.pay_to, quote=int(quote.price_base_units),
            authorized=amount, nonce=auth.nonce if auth else None, valid_after=auth.valid_after if auth else None,
            valid_before=auth.valid_before if auth else None, from_block=head, evidence=evidence,
        )

    def _progress(self, on_progress: Progress | None, event: PaymentProgress) -> None:
        self._publish(event)
        if on_progress is not None:
            on_progress(event)


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


def _answer_evidence(answer: Answer) -> dict[str, Any]:
    keep = ("content-type", PAYMENT_RESPONSE, PAYMENT_REQUIRED)
    return {"status": answer.status, "headers": {k: v[:4096] for k, v in answer.headers.items() if k in keep},
            "body": bounded_text(answer.body.decode("utf-8", "replace")),
            "body_sha256": hashlib.sha256(answer.body).hexdigest()}


def _error_text(answer: Answer) -> str:
    try:
        doc = answer.json()
        err = doc.get("error") if isinstance(doc, dict) else None
        msg = err.get("message") if isinstance(err, dict) else (err or doc.get("detail"))
        if isinstance(msg, str) and msg:
            return msg[:300].rstrip(".")
    except (InvalidInput, AttributeError):
        pass
    return answer.text(200).strip() or "no details"


def _clock(ts: int | None) -> str:
    return "?" if ts is None else datetime.fromtimestamp(ts).strftime("%H:%M:%S")
