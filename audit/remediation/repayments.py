"""Repayment of recruitment fees, tracked to completion: what an action says is owed to workers,
the payments made against it (each with its proof file) and what is still owed.

A payment in the owed currency counts at face value. A payment in another currency is converted
to USD with the shipped reference rate of the year it was paid (the nearest year with a rate,
said so), or with a USD figure the payer entered where there is no rate, and compared in USD.
Payments are only ever added: a mistaken one is voided with a reason and no longer counts. A
payment taking the total above what is owed is refused unless the overpayment is accepted
explicitly; an action with money owed cannot be verified while anything is still owed or a
counted payment has no proof.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlmodel import Session, col, select

from audit.remediation import service as plans
from audit.remediation.models import ActionEvidence, ActionPayment, ActionStatus, RemediationAction
from core import numbers
from core.clock import utcnow
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from scoring.reference import ReferenceData, shipped_reference
from scoring.reimbursement import amount as amount_text
from scoring.reimbursement import rate_words

RepaymentState = Literal["no_amount_owed_recorded", "unpaid", "part_paid", "paid", "overpaid"]
CURRENCY = re.compile(r"^[A-Z]{3}$")
EARLIEST_PAYMENT = date(2000, 1, 1)
ENTERED = "entered by the payer"
CLOSED = (ActionStatus.verified, ActionStatus.cancelled)


@dataclass(frozen=True)
class RepaymentStatus:
    """Owed, paid and still owed, rounded to cents. ``paid_amount`` is in the owed currency and
    only when every counted payment is in it; still owed and overpaid are never negative."""

    owed_amount: float | None
    owed_currency: str | None
    owed_usd: float | None
    owed_workers: int | None
    paid_amount: float | None
    paid_usd: float | None
    still_owed_amount: float | None
    still_owed_usd: float | None
    overpaid_amount: float | None
    overpaid_usd: float | None
    state: RepaymentState
    payments_counted: int
    payments_voided: int
    payments_without_proof: int
    notes: list[str] = field(default_factory=list)


def money(value: float, currency: str) -> str:
    """``NPR 135,000,000`` or ``USD 283.34``: cents only where there are any."""
    return f"{currency} {amount_text(value)}"


def rate_text(units_per_usd: float) -> str:
    """A rate as the source gives it, to four decimals at most: ``133.7266``, ``2,100``."""
    return f"{units_per_usd:,.4f}".rstrip("0").rstrip(".")


def _cents(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _positive(value: float | None) -> float | None:
    return None if value is None else max(value, 0.0)


# Status (no database) --------------------------------------------------------------------------


def repayment_status(
    action: RemediationAction, payments: Sequence[ActionPayment]
) -> RepaymentStatus:
    """Where the repayment stands, in plain figures and words."""
    counted = [p for p in payments if p.voided_at is None]
    voided = len(payments) - len(counted)
    without_proof = sum(1 for p in counted if p.proof_evidence_id is None)
    owed, currency, owed_usd = action.owed_amount, action.owed_currency, action.owed_usd
    notes: list[str] = []
    if owed is None or currency is None:
        notes.append(
            "No amount owed is recorded for this action"
            + (", so the payments below cannot be compared with it." if counted else ".")
        )
        return RepaymentStatus(
            owed_amount=None,
            owed_currency=None,
            owed_usd=None,
            owed_workers=action.owed_workers,
            paid_amount=None,
            paid_usd=_cents(sum(p.usd_amount for p in counted)),
            still_owed_amount=None,
            still_owed_usd=None,
            overpaid_amount=None,
            overpaid_usd=None,
            state="no_amount_owed_recorded",
            payments_counted=len(counted),
            payments_voided=voided,
            payments_without_proof=without_proof,
            notes=notes,
        )

    same = [p for p in counted if p.currency == currency]
    other = [p for p in counted if p.currency != currency]
    face = sum(p.amount for p in same)
    # USD per unit of the owed currency, at the rate the amount owed was converted with.
    per_unit = owed_usd / owed if owed_usd is not None and owed > 0 else None
    if per_unit is not None:
        same_usd: float | None = face * per_unit
    elif owed_usd is not None:  # nothing is owed: a payment is worth what it was converted to
        same_usd = sum(p.usd_amount for p in same)
    else:
        same_usd = None

    paid_amount: float | None
    paid_usd: float | None
    still_amount: float | None
    still_usd: float | None
    over_amount: float | None
    over_usd: float | None
    if not other:
        paid_amount, paid_usd = face, same_usd
        still_amount, over_amount = max(owed - face, 0.0), max(face - owed, 0.0)
        if per_unit is not None:
            still_usd, over_usd = still_amount * per_unit, over_amount * per_unit
        elif owed_usd is not None:
            still_usd, over_usd = 0.0, paid_usd
        else:
            still_usd = over_usd = None
        short, over = round(still_amount, 2) > 0, round(over_amount, 2) > 0
        if same and currency != "USD" and per_unit:
            notes.append(
                f"Payments in {currency} count at face value against the {money(owed, currency)} "
                f"owed; their USD here is at the rate of the amount owed "
                f"({rate_text(1 / per_unit)} {currency} per USD)."
            )
    elif owed_usd is None:
        paid_amount = paid_usd = still_amount = still_usd = over_amount = over_usd = None
        short, over = True, False
        notes.append(
            f"The amount owed has no USD value (no reference rate for {currency}), so payments "
            f"in other currencies cannot be compared with it."
        )
    else:
        paid_amount = None
        paid_usd = (same_usd or 0.0) + sum(p.usd_amount for p in other)
        still_usd, over_usd = max(owed_usd - paid_usd, 0.0), max(paid_usd - owed_usd, 0.0)
        still_amount = still_usd / per_unit if per_unit else 0.0
        over_amount = over_usd / per_unit if per_unit else None
        short, over = round(still_usd, 2) > 0, round(over_usd, 2) > 0
        for p in other:
            how = "with the USD figure the payer entered" if p.usd_basis == ENTERED else p.usd_basis
            notes.append(
                f"Payment of {money(p.amount, p.currency)} on {p.paid_on.isoformat()}: paid in "
                f"{p.currency}, compared in USD as {money(p.usd_amount, 'USD')}, {how}."
            )
        if same and per_unit:
            notes.append(
                f"Payments in {currency} count at face value, at the rate of the amount owed "
                f"({rate_text(1 / per_unit)} {currency} per USD)."
            )
        if per_unit:
            notes.append(
                f"Still owed in {currency} is the USD remainder at the rate of the amount owed."
            )

    state: RepaymentState
    if short:
        state = "part_paid" if counted else "unpaid"
    elif over:
        state = "overpaid"
    else:
        state = "paid"
    if owed == 0:
        notes.append("Nothing is owed: the amount owed recorded is 0.")
    elif state == "paid":
        notes.append(f"Repaid in full: {money(owed, currency)}.")
    if state == "overpaid":
        extra = money(over_usd or 0.0, "USD")
        if over_amount is not None and currency != "USD":
            extra = f"{money(over_amount, currency)} ({extra})"
        notes.append(f"Paid {extra} more than owed; the overpayment was accepted when recorded.")
    if without_proof:
        notes.append(
            f"{numbers.counted(without_proof, 'counted payment has', 'counted payments have')} no "
            "proof file: verification needs one for each."
        )
    if voided:
        notes.append(
            f"{numbers.counted(voided, 'voided payment is', 'voided payments are')} listed but "
            "not counted."
        )
    return RepaymentStatus(
        owed_amount=_cents(owed),
        owed_currency=currency,
        owed_usd=_cents(owed_usd),
        owed_workers=action.owed_workers,
        paid_amount=_cents(paid_amount),
        paid_usd=_cents(paid_usd),
        still_owed_amount=_cents(_positive(still_amount)),
        still_owed_usd=_cents(_positive(still_usd)),
        overpaid_amount=_cents(_positive(over_amount)),
        overpaid_usd=_cents(_positive(over_usd)),
        state=state,
        payments_counted=len(counted),
        payments_voided=voided,
        payments_without_proof=without_proof,
        notes=notes,
    )


# Reading ---------------------------------------------------------------------------------------


def payments_of(session: Session, action: RemediationAction) -> Sequence[ActionPayment]:
    """Every payment of the action, voided ones included, in the order they were made."""
    return session.exec(
        select(ActionPayment)
        .where(ActionPayment.action_id == action.id)
        .order_by(col(ActionPayment.paid_on), col(ActionPayment.id))
    ).all()


def status_of(session: Session, action: RemediationAction) -> RepaymentStatus:
    return repayment_status(action, payments_of(session, action))


def get_payment(session: Session, *, action: RemediationAction, payment_id: int) -> ActionPayment:
    payment = session.get(ActionPayment, payment_id)
    if payment is None or payment.action_id != action.id:
        raise NotFound(f"Payment {payment_id} was not found for action {action.id}")
    return payment


# Changing --------------------------------------------------------------------------------------


def _invalid(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors=[{"field": field_name, "message": message}])


def _may_change(action: RemediationAction, role: str, what: str) -> None:
    if role not in plans.STAFF:
        raise Forbidden(f"Only analysts and admins may {what}")
    if action.status in CLOSED:
        raise Conflict(f"A {action.status} action's payments can no longer change")


@dataclass(frozen=True)
class _Usd:
    amount: float
    rate: float | None
    year: int | None
    source: str
    basis: str


def _usd_value(
    reference: ReferenceData,
    amount: float,
    currency: str,
    paid_on: date,
    usd_amount: float | None,
) -> _Usd:
    if currency == "USD":
        if usd_amount is not None and abs(usd_amount - amount) >= 0.005:
            raise _invalid("usd_amount", "A payment in USD is its own USD amount: leave it out")
        return _Usd(round(amount, 2), 1.0, None, "", "USD")
    if usd_amount is not None:
        return _Usd(round(usd_amount, 2), None, None, "", ENTERED)
    converted = reference.to_usd(amount, currency, paid_on.year)
    if converted is None:
        raise _invalid(
            "usd_amount",
            f"There is no reference exchange rate for {currency}: give usd_amount, the USD "
            "value the payer converted the payment at",
        )
    usd, rate = converted
    source = f"{rate.source_title}, {rate.source_url}" if rate.source_url else rate.source_title
    basis = f"converted at {rate_words(rate, paid_on.year)}"
    return _Usd(round(usd, 2), rate.units_per_usd, rate.year, source, basis)


def _overpayment(before: RepaymentStatus, after: RepaymentStatus, payment: ActionPayment) -> str:
    owed = money(after.owed_amount or 0.0, after.owed_currency or "")
    if after.paid_amount is not None and after.owed_currency:
        total = money(after.paid_amount, after.owed_currency)
        over = money(after.overpaid_amount or 0.0, after.owed_currency)
        over += f" (USD {after.overpaid_usd or 0.0:,.2f})" if after.owed_currency != "USD" else ""
    else:
        total = f"{money(after.paid_usd or 0.0, 'USD')} in USD terms"
        if after.owed_currency != "USD":
            owed += f" (USD {after.owed_usd or 0.0:,.2f})"
        over = money(after.overpaid_usd or 0.0, "USD")
    return (
        f"This payment of {money(payment.amount, payment.currency)} would take the total paid to "
        f"{total}, {over} more than the {owed} owed"
        + (" (already overpaid before it)" if before.state == "overpaid" else "")
        + ". Check the figures, or send accept_overpayment: true to record it anyway."
    )


def record_payment(
    session: Session,
    *,
    action: RemediationAction,
    role: str,
    amount: float,
    currency: str,
    paid_on: date,
    usd_amount: float | None,
    proof_evidence_id: int | None,
    note: str,
    accept_overpayment: bool,
    today: date,
    user_id: int | None,
    reference: ReferenceData | None = None,
) -> tuple[ActionPayment, RepaymentStatus]:
    """Add one payment against the amount owed; every figure is checked before anything is
    written, and the payment and its conversion go into the action's history."""
    _may_change(action, role, "record payments")
    if action.owed_amount is None or action.owed_currency is None:
        raise _invalid(
            "owed_amount",
            "No amount owed is recorded for this action: set owed_amount and owed_currency "
            "on the action first",
        )
    if not (math.isfinite(amount) and amount > 0):
        raise _invalid("amount", "The amount paid must be a number above 0")
    if not CURRENCY.match(currency):
        raise _invalid("currency", "An ISO 4217 currency code: three capital letters")
    if usd_amount is not None and not (math.isfinite(usd_amount) and usd_amount > 0):
        raise _invalid("usd_amount", "The USD amount must be a number above 0")
    if paid_on > today:
        raise _invalid("paid_on", f"The payment date {paid_on} is in the future")
    if paid_on < EARLIEST_PAYMENT:
        raise _invalid("paid_on", f"The payment date {paid_on} is before 2000")
    if currency != action.owed_currency and action.owed_usd is None:
        raise _invalid(
            "currency",
            f"The amount owed has no USD value, so a payment in {currency} cannot be compared "
            f"with it: record the payment in {action.owed_currency}",
        )
    if proof_evidence_id is not None:
        _own_proof(session, action, proof_evidence_id)
    usd = _usd_value(reference or shipped_reference(), amount, currency, paid_on, usd_amount)
    payment = ActionPayment(
        action_id=action.id or 0,
        amount=amount,
        currency=currency,
        paid_on=paid_on,
        usd_amount=usd.amount,
        rate=usd.rate,
        rate_year=usd.year,
        rate_source=usd.source,
        usd_basis=usd.basis,
        proof_evidence_id=proof_evidence_id,
        note=note.strip(),
        recorded_by=user_id,
    )
    existing = payments_of(session, action)
    before = repayment_status(action, existing)
    after = repayment_status(action, [*existing, payment])
    if after.state == "overpaid" and not accept_overpayment:
        message = _overpayment(before, after, payment)
        raise Conflict(message, errors=[{"field": "accept_overpayment", "message": message}])
    session.add(payment)
    action.updated_at = utcnow()
    session.add(action)
    session.flush()
    plans._event(
        session,
        action,
        user_id,
        "payment",
        comment=payment.note,
        details={
            "payment": payment.id,
            "amount": payment.amount,
            "currency": payment.currency,
            "paid_on": payment.paid_on.isoformat(),
            "usd_amount": payment.usd_amount,
            "usd_basis": payment.usd_basis,
            "rate": payment.rate,
            "rate_year": payment.rate_year,
            "proof_evidence_id": payment.proof_evidence_id,
            "accept_overpayment": accept_overpayment,
            "state": after.state,
            "still_owed_usd": after.still_owed_usd,
            "overpaid_usd": after.overpaid_usd,
        },
    )
    return payment, after


def void_payment(
    session: Session,
    *,
    action: RemediationAction,
    payment_id: int,
    reason: str,
    role: str,
    user_id: int | None,
) -> tuple[ActionPayment, RepaymentStatus]:
    """Reverse a mistaken payment: it stays listed, with who voided it and why, but no longer
    counts."""
    _may_change(action, role, "void payments")
    payment = get_payment(session, action=action, payment_id=payment_id)
    if payment.voided_at is not None:
        raise Conflict(f"Payment {payment_id} was already voided: {payment.void_reason}")
    if not reason.strip():
        raise _invalid("reason", "Say why the payment is voided")
    payment.voided_at = utcnow()
    payment.voided_by = user_id
    payment.void_reason = reason.strip()
    session.add(payment)
    action.updated_at = utcnow()
    session.add(action)
    session.flush()
    after = status_of(session, action)
    plans._event(
        session,
        action,
        user_id,
        "payment_void",
        comment=payment.void_reason,
        details={
            "payment": payment.id,
            "amount": payment.amount,
            "currency": payment.currency,
            "paid_on": payment.paid_on.isoformat(),
            "usd_amount": payment.usd_amount,
            "state": after.state,
            "still_owed_usd": after.still_owed_usd,
        },
    )
    return payment, after


def attach_proof(
    session: Session,
    *,
    action: RemediationAction,
    payment_id: int,
    proof_evidence_id: int,
    role: str,
    user_id: int | None,
) -> tuple[ActionPayment, RepaymentStatus]:
    """Give a payment recorded without proof its proof file: the one change a payment takes,
    since nothing it counted changes; a proof already given is never replaced."""
    _may_change(action, role, "attach proof to payments")
    payment = get_payment(session, action=action, payment_id=payment_id)
    if payment.voided_at is not None:
        raise Conflict(f"Payment {payment_id} was voided: it needs no proof")
    if payment.proof_evidence_id is not None:
        raise Conflict(
            f"Payment {payment_id} already has its proof (file {payment.proof_evidence_id}); "
            "a proof is never replaced: void the payment and record it again if it is wrong"
        )
    _own_proof(session, action, proof_evidence_id)
    payment.proof_evidence_id = proof_evidence_id
    session.add(payment)
    session.flush()
    plans._event(
        session,
        action,
        user_id,
        "payment_proof",
        details={"payment": payment.id, "proof_evidence_id": proof_evidence_id},
    )
    return payment, status_of(session, action)


def _own_proof(session: Session, action: RemediationAction, evidence_id: int) -> None:
    proof = session.get(ActionEvidence, evidence_id)
    if proof is None or proof.action_id != action.id:
        raise _invalid(
            "proof_evidence_id",
            f"File {evidence_id} is not a proof uploaded to this action: upload it "
            "with the action's evidence first",
        )


OWED_PAIR = ("owed_amount", "owed_currency")


def owed_changes(
    session: Session,
    *,
    action: RemediationAction,
    changes: dict[str, object],
    year: int,
    reference: ReferenceData | None = None,
) -> dict[str, object]:
    """An action edit with the amount owed checked and its USD value recomputed (at the shipped
    rate for ``year``, or the nearest year's); other fields pass through untouched."""
    given = [k for k in OWED_PAIR if k in changes]
    if not given:
        return changes
    if len(given) == 1 or (changes["owed_amount"] is None) != (changes["owed_currency"] is None):
        missing = next(k for k in OWED_PAIR if changes.get(k) is None)
        raise _invalid(missing, "owed_amount and owed_currency come together: give both")
    amount, currency = changes["owed_amount"], changes["owed_currency"]
    if amount is None:
        if any(p.voided_at is None for p in payments_of(session, action)):
            raise Conflict(
                "Payments are recorded against the amount owed: void them before clearing it"
            )
        return {**changes, "owed_usd": None}
    if not isinstance(amount, int | float) or not math.isfinite(amount) or amount < 0:
        raise _invalid("owed_amount", "The amount owed must be a number of at least 0")
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        raise _invalid("owed_currency", "An ISO 4217 currency code: three capital letters")
    converted = (reference or shipped_reference()).to_usd(float(amount), currency, year)
    if converted is None:
        raise _invalid(
            "owed_currency",
            f"There is no reference exchange rate for {currency}, so the amount owed would have "
            "no USD value: record it in USD or in a currency with a rate",
        )
    return {**changes, "owed_amount": float(amount), "owed_usd": round(converted[0], 2)}


def check_verifiable(session: Session, action: RemediationAction) -> None:
    """Refuse to verify an action with money owed while any is still owed or a counted payment
    has no proof file."""
    if action.owed_amount is None or action.owed_currency is None:
        return
    payments = payments_of(session, action)
    status = repayment_status(action, payments)
    problems: list[str] = []
    if status.state in ("unpaid", "part_paid"):
        if status.still_owed_amount is not None and status.still_owed_usd is not None:
            left = money(status.still_owed_amount, action.owed_currency)
            if action.owed_currency != "USD":
                left += f" (USD {status.still_owed_usd:,.2f})"
            problems.append(
                f"{left} of {money(action.owed_amount, action.owed_currency)} is "
                "still owed to workers"
            )
        else:
            problems.append("the payments cannot be compared with the amount owed")
    for p in payments:
        if p.voided_at is None and p.proof_evidence_id is None:
            problems.append(
                f"the payment of {money(p.amount, p.currency)} on {p.paid_on.isoformat()} has no "
                "proof file (attach its proof to the payment)"
            )
    if problems:
        raise Conflict(
            "This action cannot be verified yet: " + "; ".join(problems),
            errors=[{"field": "status", "message": p} for p in problems],
        )
