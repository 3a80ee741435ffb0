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
from typing import TYPE_CHECKING, Any

from wallet.errors import InvalidInput, ProviderError, WalletError
from wallet.events import PaymentProgress, PaymentRecorded
from wallet.payments.guard import SCHEME_PREFERENCES, GuardFacts, Reason, Verdict, check
from wallet.payments.intents import PENDING, Intent, IntentDraft, IntentStore, RefusedPayment, bounded_text
from wallet.payments.ledger import Ledger
from wallet.payments.outcome import Outcomes, PaymentResult, Progress, Sent, error_text
from wallet.payments.provider_http import Answer, MalformedAnswer, ProviderHttp
from wallet.payments.reconcile import reconcile_one
from wallet.payments.signing import Authorization, recorded_scheme, sign_payment
from wallet.payments.upto import MeteringFacts
from wallet.payments.wire import PAYMENT_REQUIRED, MalformedDemand, decode_demand, encode_payment

if TYPE_CHECKING:
    from x402.mechanisms.evm.signer import ClientEvmSigner
    from x402.schemas import PaymentRequired

    from wallet.quote import PromptInput, Quote
    from wallet.registry import ProviderInfo

CHAT_PATH = "/v1/chat/completions"
__all__ = ["PaymentFlow", "PaymentResult", "PreparedPayment", "Progress", "Task"]


@dataclass(frozen=True)
class Task:
    provider_id: int
    model: str
    prompt: PromptInput
    max_output: int
    scheme: str = "auto"    # the scheme preference: auto (metered when offered), upto or exact

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

    @property
    def scheme(self) -> str | None:
        """The scheme the guard approved: ``upto`` (metered: ``amount`` is the maximum) or ``exact``."""
        req = self.verdict.requirement
        return None if req is None else req.scheme

    def to_json(self) -> dict[str, Any]:
        return {"quote": self.quote.to_json(), "provider": self.provider.to_json(), "url": self.url,
                "demand": self.demand_json, "verdict": self.verdict.to_json(),
                "amount_base_units": None if self.amount is None else str(self.amount),
                "scheme": self.scheme, "validity_seconds": self.validity_seconds}


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
        self.outcomes = Outcomes(ledger, store, publish)

    def close(self) -> None:
        self.http.close()
        self._reads.shutdown(wait=False)

    @property
    def network(self) -> str:
        return f"eip155:{self.chain_id}"

    # --- prepare: nothing is signed ---
    def prepare(self, task: Task, account: str, *, repeat: bool = False,
                on_progress: Progress | None = None) -> PreparedPayment:
        if task.scheme not in SCHEME_PREFERENCES:
            raise InvalidInput(f"The payment scheme must be one of {', '.join(SCHEME_PREFERENCES)}, not "
                               f"{task.scheme[:20]!r}.")
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
        facts = replace(self._facts(provider, quote, account, key, balance, repeat), preference=task.scheme)
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
                            f"{error_text(answer)}). Nothing was signed.")

    def _facts(self, provider: ProviderInfo, quote: Quote, account: str, key: str, balance: int,
               repeat: bool) -> GuardFacts:
        pending = self.store.pending(self.chain_id, account)
        if pending:  # settle what can be settled first, so outstanding amounts and the task check are current
            chain_now = self.ledger.now()
            for intent in pending:
                self.outcomes.announce(intent, reconcile_one(self.ledger, self.store, intent, chain_now))
        return GuardFacts(
            chain_id=self.chain_id, token=self.ledger.token.address, pay_to=provider.pay_to,
            provider_name=provider.name, quote=int(quote.price_base_units), balance=balance,
            outstanding=self.store.outstanding(self.chain_id, account), budgets=self.store.budgets(),
            spent_today=self.store.spent_today(self.chain_id), earlier=self.store.earlier(key), repeat=repeat,
            metering=MeteringFacts.of(quote.metered),
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
                             nonce="0x" + os.urandom(32).hex(), scheme=req.scheme)
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
            scheme = recorded_scheme(self._signer(prepared.account), auth, self.chain_id, self.ledger.token.address)
            payload = sign_payment(prepared.demand, req, scheme, self.network)
        except BaseException as e:
            reason = e.user_message if isinstance(e, WalletError) else "The payment was not signed."
            self.store.void(intent.id, reason)
            self._publish(PaymentRecorded(intent.id, "refused"))
            raise
        sent = Sent(intent, prepared.provider, prepared.quote, str(payload.payload.get("signature", "")))
        self._progress(on_progress, PaymentProgress("waiting for the provider", pid, intent.id))
        try:
            answer = self.http.post(prepared.url, prepared.body, {"PAYMENT-SIGNATURE": encode_payment(payload)})
        except ProviderError as e:
            raise self.outcomes.after_no_answer(sent, e) from None
        self._progress(on_progress, PaymentProgress("verifying", pid, intent.id))
        return self.outcomes.after_answer(sent, answer, on_progress)

    # --- reconciliation and records ---
    def reconcile(self, intents: list[Intent] | None = None) -> list[Intent]:
        pending = self.store.pending(self.chain_id) if intents is None else intents
        chain_now = self.ledger.now() if pending else 0
        out = []
        for intent in pending:
            after = reconcile_one(self.ledger, self.store, intent, chain_now)
            self.outcomes.announce(intent, after)
            out.append(after)
        return out

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
        evidence["metering"] = MeteringFacts.of(quote.metered).to_json()
        return IntentDraft(
            task_key=key, chain_id=self.chain_id, account=account, provider_id=provider.id,
            provider_name=provider.name, endpoint=provider.endpoint, model=quote.model,
            scheme=auth.scheme if auth else "exact", asset=self.ledger.token.address, pay_to=provider.pay_to,
            quote=int(quote.price_base_units), authorized=amount, nonce=auth.nonce if auth else None,
            valid_after=auth.valid_after if auth else None, valid_before=auth.valid_before if auth else None,
            from_block=head, evidence=evidence, input_tokens=quote.input_tokens,
            max_output_tokens=quote.max_output_tokens,
        )

    def _progress(self, on_progress: Progress | None, event: PaymentProgress) -> None:
        self._publish(event)
        if on_progress is not None:
            on_progress(event)
