"""Contract performance notices (UK9) and breaches (section 71(5)): their writes and their reads.

Which contracts carry these duties is ``contracts.duties`` (``duties_for``): asked here, never restated.

- A **notice from an assessment** (section 71(2), regulation 39) is drafted once the assessment is complete and
  is due 30 days after it. Approval needs ``oversight.approve_contractperformancenotice``, a second officer
  (never the notice's author) and, for every KPI active in the period, a result in the period that is rated
  and has evidence attached (a ``commissioning.models.Document`` on the ``KpiResult``). At approval the
  regulation 39 fields are fixed in ``content``; once published nothing about the notice changes but the
  Central Digital Platform identifier, recorded once.
- A **breach** (or a failure to improve after notice) that led to termination of part of the contract, damages
  or a settlement, or a failure to improve, is published within ``BREACH_NOTICE_DAYS`` of its consequence. A
  breach ending in termination of the whole contract goes in the termination notice (UK11) instead.

Services are keyword-only and atomic, check the actor (``commissioning.permissions``) then the rules, raise
ValidationError naming the field (or listing each KPI) and TransitionNotAllowed for a notice in the wrong
state, and record who did what and when (the notice's own fields and its history row).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from commissioning import permissions
from commissioning.models import Document, User
from contracts.duties import BREACH_NOTICE_DAYS, duties_for, kpi_duty_q
from contracts.models import Contract

from .models import (
    MEASURE_CLASSIFICATION,
    ContractBreach,
    ContractKpi,
    ContractPerformanceNotice,
    KpiRating,
    KpiResult,
    PerformanceAssessment,
    Sanction,
)
from .services import TransitionNotAllowed

# Regulation 39(3): a notice of an assessment is published within 30 days of the assessment. (Section 71(5)
# notices use contracts.duties.BREACH_NOTICE_DAYS.)
ASSESSMENT_NOTICE_DAYS = 30
# notice_alerts_due: how far ahead a notice's deadline is alerted.
ALERT_WITHIN_DAYS = 14

Notice = ContractPerformanceNotice
Status = ContractPerformanceNotice.Status
Consequence = ContractBreach.Consequence

APPROVE = "oversight.approve_contractperformancenotice"
# The transitions, and the permission each needs beyond the notice's change right.
ALLOWED: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.APPROVED): APPROVE,
    (Status.APPROVED, Status.PUBLISHED): APPROVE,
}

# Consequences that need a section 71(5) notice; termination of the whole contract goes in UK11 instead.
NOTICE_CONSEQUENCES = frozenset({Consequence.TERMINATION_PART, Consequence.DAMAGES, Consequence.SETTLEMENT})


def _done_by(record: Any, by: User | None) -> None:
    record._history_user = by


def _locked(notice: ContractPerformanceNotice) -> ContractPerformanceNotice:
    return Notice.objects.select_for_update().select_related("contract").get(pk=notice.pk)


def _move(notice: ContractPerformanceNotice, to: str, by: User) -> None:
    """Check the actor and the transition; raise TransitionNotAllowed for a notice in the wrong state."""
    permissions.require(by, "oversight.change_contractperformancenotice", notice)
    perm = ALLOWED.get((notice.status, to))
    if perm is None:
        state = notice.get_status_display().lower()
        if notice.status == Status.PUBLISHED:
            raise TransitionNotAllowed("This notice has been published: it can no longer change.")
        raise TransitionNotAllowed(f"A {state} notice cannot be {Status(to).label.lower()}.")
    permissions.require(by, perm, notice)


# --- Notices from an assessment -----------------------------------------------------------------------------


@transaction.atomic
def performance_notice_create(*, by: User, assessment: PerformanceAssessment) -> ContractPerformanceNotice:
    """Draft the contract performance notice of a completed assessment: for the assessment's period, due
    ``ASSESSMENT_NOTICE_DAYS`` after it was completed. Refused, saying why, for a contract the KPI duty does
    not cover, an assessment not yet complete, or one that already has its notice."""
    assessment = PerformanceAssessment.objects.select_related("contract").get(pk=assessment.pk)
    contract = assessment.contract
    notice = Notice(
        contract=contract,
        kind=Notice.Kind.ASSESSMENT,
        assessment=assessment,
        period_start=assessment.period_start,
        period_end=assessment.period_end,
        created_by=by,
    )
    permissions.require(by, "oversight.add_contractperformancenotice", notice)
    duty = duties_for(contract).performance_notice
    if not duty.applies:
        raise ValidationError({"assessment": f"No contract performance notice is needed: {duty.reason}"})
    if assessment.status != PerformanceAssessment.Status.COMPLETE or assessment.assessed_on is None:
        raise ValidationError({"assessment": "Complete the assessment before drafting its notice."})
    if assessment.notices.exists():
        raise ValidationError({"assessment": "This assessment already has a contract performance notice."})
    notice.due_on = assessment.assessed_on + timedelta(days=ASSESSMENT_NOTICE_DAYS)
    _done_by(notice, by)
    notice.save()
    return notice


def active_kpis(*, contract: Contract, period_start: date, period_end: date) -> QuerySet[ContractKpi]:
    """The contract's KPIs in force during the period (as oversight.performance counts them for an assessment):
    not retired before it began, not added after it ended."""
    return (
        ContractKpi.objects.filter(contract=contract)
        .filter(Q(frozen_on__isnull=True) | Q(frozen_on__lte=period_end))
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=period_start))
        .order_by("position", "pk")
    )


@dataclasses.dataclass(frozen=True)
class KpiForNotice:
    """A KPI with the result the notice reports for the period (its latest one falling in it), which must be
    rated and have evidence attached."""

    kpi: ContractKpi
    result: KpiResult | None
    evidenced: bool

    def problem(self, period: str) -> str:
        """Why this KPI stops approval ("" when it does not)."""
        if self.result is None:
            return f"{self.kpi.name}: no result for {period}."
        if not self.result.rating:
            return f"{self.kpi.name}: the result for {self.result.period_end:%d/%m/%Y} is not rated."
        if not self.evidenced:
            return f"{self.kpi.name}: no evidence is attached to the result for {self.result.period_end:%d/%m/%Y}."
        return ""


def kpis_for_notice(notice: ContractPerformanceNotice) -> list[KpiForNotice]:
    """Each active KPI of the notice's contract with the result the notice reports. Three queries."""
    kpis = list(
        active_kpis(
            contract=notice.contract, period_start=notice.period_start, period_end=notice.period_end
        ).prefetch_related(
            Prefetch(
                "results",
                queryset=KpiResult.objects.filter(
                    period_end__gte=notice.period_start, period_start__lte=notice.period_end
                ).order_by("-period_end", "-pk"),
                to_attr="in_period",
            )
        )
    )
    latest = {kpi.pk: (kpi.in_period[0] if kpi.in_period else None) for kpi in kpis}
    result_ids = [result.pk for result in latest.values() if result is not None]
    evidenced = set(
        Document.objects.filter(
            content_type=ContentType.objects.get_for_model(KpiResult), object_id__in=result_ids
        ).values_list("object_id", flat=True)
    )
    return [
        KpiForNotice(kpi=kpi, result=result, evidenced=result is not None and result.pk in evidenced)
        for kpi in kpis
        for result in [latest[kpi.pk]]
    ]


def approval_problems(notice: ContractPerformanceNotice) -> list[str]:
    """Why the notice cannot yet be approved, one line per KPI (none for a breach notice, which reports no
    KPIs). An assessment notice of a contract with no KPIs at all cannot be approved either."""
    if notice.kind != Notice.Kind.ASSESSMENT:
        return []
    period = f"{notice.period_start:%d/%m/%Y} to {notice.period_end:%d/%m/%Y}"
    kpis = kpis_for_notice(notice)
    if not kpis:
        return [f"The contract has no KPIs in force for {period}."]
    return [problem for item in kpis if (problem := item.problem(period))]


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _authority() -> dict:
    return {
        "name": settings.COUNCIL_NAME,
        "address": settings.COUNCIL_ADDRESS,
        "email": settings.COUNCIL_EMAIL,
        "telephone": settings.COUNCIL_TELEPHONE,
        "identifier": {"scheme": "GB-PPON", "id": settings.COUNCIL_PPON_ID} if settings.COUNCIL_PPON_ID else None,
    }


def _supplier(contract: Contract) -> dict | None:
    provider = contract.lead_provider
    if provider is None:
        return None
    identifiers = {
        "companiesHouseNumber": provider.companies_house_number,
        "charityNumber": provider.charity_number,
        "ppon": provider.ppon_id,
    }
    return {
        "name": provider.name,
        "address": ", ".join(line.strip() for line in provider.address.splitlines() if line.strip()),
        "postcode": provider.postcode,
        "email": provider.contact_email,
        "identifiers": {name: value for name, value in identifiers.items() if value},
    }


def notice_content(notice: ContractPerformanceNotice) -> dict:
    """The regulation 39 fields as they stand now: the contracting authority and its contact details, the
    contract's title and identifiers, the supplier's name, address, e-mail and identifiers, the period and
    (from an assessment) each KPI with its rating, or (from a breach) what happened and its consequence.
    Fixed into ``content`` at approval."""
    contract = notice.contract
    content: dict = {
        "noticeType": "UK9",
        "section": "71(2)" if notice.kind == Notice.Kind.ASSESSMENT else "71(5)",
        "contractingAuthority": _authority(),
        "contract": {"reference": contract.reference, "title": contract.title},
        "supplier": _supplier(contract),
        "period": {"startDate": notice.period_start.isoformat(), "endDate": notice.period_end.isoformat()},
    }
    if notice.kind == Notice.Kind.ASSESSMENT and notice.assessment is not None:
        assessment = notice.assessment
        content["assessment"] = {
            "kind": assessment.get_kind_display(),
            "assessedOn": assessment.assessed_on.isoformat() if assessment.assessed_on else None,
            "summary": assessment.summary,
        }
        content["kpis"] = [
            {
                "id": f"kpi-{item.kpi.pk}",
                "name": item.kpi.name,
                "description": item.kpi.description,
                "measure": item.kpi.measure,
                "unit": item.kpi.unit,
                "target": _decimal(item.kpi.target),
                "value": _decimal(item.result.value) if item.result else None,
                "rating": item.result.rating if item.result else "",
                "ratingLabel": KpiRating(item.result.rating).label if item.result and item.result.rating else "",
                "measureClassification": MEASURE_CLASSIFICATION.get(KpiRating(item.result.rating))
                if item.result and item.result.rating
                else None,
                "resultPeriod": {
                    "startDate": item.result.period_start.isoformat(),
                    "endDate": item.result.period_end.isoformat(),
                }
                if item.result
                else None,
            }
            for item in kpis_for_notice(notice)
        ]
    elif notice.breach is not None:
        breach = notice.breach
        content["breach"] = {
            "kind": breach.get_kind_display(),
            "whatHappened": breach.what_happened,
            "occurredOn": breach.occurred_on.isoformat(),
            "consequence": breach.get_consequence_display(),
            "consequenceOn": breach.consequence_on.isoformat() if breach.consequence_on else None,
            "damagesAmount": _decimal(breach.damages_amount),
            "settlementAmount": _decimal(breach.settlement_amount),
        }
    return content


@transaction.atomic
def performance_notice_approve(*, by: User, notice: ContractPerformanceNotice) -> ContractPerformanceNotice:
    """Approve a draft notice and fix its regulation 39 content. Needs the approval right and a second
    officer (not the notice's author); refused, naming each KPI, until every active KPI has a rated,
    evidenced result for the period."""
    notice = _locked(notice)
    _move(notice, Status.APPROVED, by)
    if notice.created_by_id == by.pk:
        raise ValidationError("You drafted this notice: another officer must approve it.")
    problems = approval_problems(notice)
    if problems:
        raise ValidationError(problems)
    notice.content = notice_content(notice)
    notice.status = Status.APPROVED
    notice.approved_by = by
    notice.approved_at = timezone.now()
    _done_by(notice, by)
    notice.save(update_fields=["content", "status", "approved_by", "approved_at", "updated_at"])
    return notice


@transaction.atomic
def performance_notice_publish(*, by: User, notice: ContractPerformanceNotice) -> ContractPerformanceNotice:
    """Publish an approved notice, recording who and when. From then on neither it nor its content changes."""
    notice = _locked(notice)
    _move(notice, Status.PUBLISHED, by)
    notice.status = Status.PUBLISHED
    notice.published_by = by
    notice.published_at = timezone.now()
    _done_by(notice, by)
    notice.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    return notice


@transaction.atomic
def performance_notice_record_cdp_id(
    *, by: User, notice: ContractPerformanceNotice, cdp_notice_id: str
) -> ContractPerformanceNotice:
    """Record the notice's identifier on the Central Digital Platform: only once it is published, only once."""
    notice = _locked(notice)
    permissions.require(by, "oversight.change_contractperformancenotice", notice)
    cdp_notice_id = (cdp_notice_id or "").strip()
    if notice.status != Status.PUBLISHED:
        raise TransitionNotAllowed("Publish the notice before recording its Central Digital Platform identifier.")
    if notice.cdp_notice_id:
        raise TransitionNotAllowed(
            f"The Central Digital Platform identifier is already recorded ({notice.cdp_notice_id}): it cannot change."
        )
    if not cdp_notice_id:
        raise ValidationError({"cdp_notice_id": "Enter the notice's Central Digital Platform identifier."})
    limit = Notice._meta.get_field("cdp_notice_id").max_length or 100
    if len(cdp_notice_id) > limit:
        raise ValidationError({"cdp_notice_id": f"The identifier must be {limit} characters or fewer."})
    notice.cdp_notice_id = cdp_notice_id
    _done_by(notice, by)
    notice.save(update_fields=["cdp_notice_id", "updated_at"])
    return notice


# A published notice never changes, whatever path writes it (the admin, a shell, a service written later): the
# one write allowed is its Central Digital Platform identifier, once. QuerySet.update bypasses this; nothing
# here uses it on notices.
_MAY_CHANGE_ONCE_PUBLISHED = {"cdp_notice_id", "updated_at"}


@receiver(pre_save, sender=ContractPerformanceNotice, dispatch_uid="oversight.notices.published_never_changes")
def _published_never_changes(sender, instance: ContractPerformanceNotice, update_fields=None, **kwargs) -> None:
    if instance.pk is None:
        return
    stored = Notice.objects.filter(pk=instance.pk).first()
    if stored is None or stored.status != Status.PUBLISHED:
        return
    changed = {
        field.attname
        for field in Notice._meta.concrete_fields
        if getattr(stored, field.attname) != getattr(instance, field.attname)
    } - _MAY_CHANGE_ONCE_PUBLISHED
    if stored.cdp_notice_id and stored.cdp_notice_id != instance.cdp_notice_id:
        changed.add("cdp_notice_id")
    if changed:
        raise TransitionNotAllowed(f"A published notice cannot change (tried to change {', '.join(sorted(changed))}).")


@receiver(pre_delete, sender=ContractPerformanceNotice, dispatch_uid="oversight.notices.published_never_deleted")
def _published_never_deleted(sender, instance: ContractPerformanceNotice, **kwargs) -> None:
    if Notice.objects.filter(pk=instance.pk, status=Status.PUBLISHED).exists():
        raise TransitionNotAllowed("A published notice cannot be deleted.")


# --- Breaches -----------------------------------------------------------------------------------------------


def _contract_provider_ids(contract: Contract) -> set[int]:
    ids = set(contract.other_providers.values_list("pk", flat=True))
    if contract.lead_provider_id is not None:
        ids.add(contract.lead_provider_id)
    return ids


def _check_dates(breach: ContractBreach, errors: dict[str, str]) -> None:
    today = timezone.localdate()
    if breach.occurred_on and breach.occurred_on > today:
        errors["occurred_on"] = "The date it happened must be today or in the past."
    if breach.consequence == Consequence.NONE_YET:
        if breach.consequence_on is not None:
            errors["consequence_on"] = "Leave the date of the consequence empty until there is one."
    elif breach.consequence_on is None:
        errors["consequence_on"] = f"Enter the date of the {breach.get_consequence_display().lower()}."
    elif breach.occurred_on and breach.consequence_on < breach.occurred_on:
        errors["consequence_on"] = "The date of the consequence must be on or after the date it happened."
    elif breach.consequence_on > today:
        errors["consequence_on"] = "The date of the consequence must be today or in the past."


def _check_amounts(breach: ContractBreach, errors: dict[str, str]) -> None:
    for name, consequence in (("damages_amount", Consequence.DAMAGES), ("settlement_amount", Consequence.SETTLEMENT)):
        amount = getattr(breach, name)
        what = "damages" if consequence == Consequence.DAMAGES else "settlement"
        if breach.consequence == consequence:
            if amount is None:
                errors[name] = f"Enter the {what} sum."
            elif amount <= 0:
                errors[name] = f"The {what} sum must be more than £0."
        elif amount is not None:
            errors[name] = f"Give a {what} sum only when the consequence is {consequence.label.lower()}."


def _check_breach(breach: ContractBreach, sanctions: list[Sanction]) -> None:
    """A breach's rules: what happened in words (a sanction alone is not a breach), dates in order and not
    in the future, a sum only with damages or a settlement (and then required), sanctions of this contract's
    providers (and not of another contract)."""
    errors: dict[str, str] = {}
    if not breach.what_happened.strip():
        errors["what_happened"] = "Describe what happened: a sanction on its own is not a breach."
    _check_dates(breach, errors)
    _check_amounts(breach, errors)
    allowed = _contract_provider_ids(breach.contract)
    wrong = [
        sanction
        for sanction in sanctions
        if sanction.provider_id not in allowed or (sanction.contract_id not in (None, breach.contract_id))
    ]
    if wrong:
        names = ", ".join(f"{s.get_kind_display()} of {s.issued_on:%d/%m/%Y}" for s in wrong)
        errors["sanctions"] = f"Link only sanctions on this contract's providers: {names} is not one."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def breach_record(
    *,
    by: User,
    contract: Contract,
    kind: str,
    what_happened: str,
    occurred_on: date,
    consequence: str = Consequence.NONE_YET,
    consequence_on: date | None = None,
    damages_amount: Decimal | None = None,
    settlement_amount: Decimal | None = None,
    sanctions: Iterable[Sanction] = (),
) -> ContractBreach:
    """Record a breach of contract or a failure to improve after notice, with its consequence (if any yet)
    and the sanctions already recorded that it led to or came from. Whether it needs a section 71(5) notice is
    ``breach_notice_needed``."""
    breach = ContractBreach(
        contract=contract,
        kind=kind,
        what_happened=(what_happened or "").strip(),
        occurred_on=occurred_on,
        consequence=consequence or Consequence.NONE_YET,
        consequence_on=consequence_on,
        damages_amount=damages_amount,
        settlement_amount=settlement_amount,
        recorded_by=by,
    )
    permissions.require(by, "oversight.add_contractbreach", breach)
    linked = list(sanctions)
    _check_breach(breach, linked)
    breach.full_clean(exclude=["contract", "recorded_by"])
    _done_by(breach, by)
    breach.save()
    if linked:
        breach.sanctions.set(linked)
    return breach


@transaction.atomic
def breach_record_consequence(
    *,
    by: User,
    breach: ContractBreach,
    consequence: str,
    consequence_on: date | None,
    damages_amount: Decimal | None = None,
    settlement_amount: Decimal | None = None,
) -> ContractBreach:
    """Record what a breach led to, once known. Refused once its notice has been drafted (the notice reports
    the consequence)."""
    breach = ContractBreach.objects.select_for_update().select_related("contract").get(pk=breach.pk)
    permissions.require(by, "oversight.change_contractbreach", breach)
    if breach.notices.exists():
        raise TransitionNotAllowed("This breach's notice has been drafted: its consequence can no longer change.")
    breach.consequence = consequence
    breach.consequence_on = consequence_on
    breach.damages_amount = damages_amount
    breach.settlement_amount = settlement_amount
    _check_breach(breach, list(breach.sanctions.all()))
    breach.full_clean(exclude=["contract", "recorded_by"])
    _done_by(breach, by)
    breach.save(update_fields=["consequence", "consequence_on", "damages_amount", "settlement_amount", "updated_at"])
    return breach


@dataclasses.dataclass(frozen=True)
class BreachNotice:
    """Whether a breach needs a section 71(5) notice, why, and by when."""

    needed: bool
    reason: str
    due_on: date | None = None


def breach_notice_needed(breach: ContractBreach) -> BreachNotice:
    """Section 71(5): a breach that led to termination of part of the contract, damages or a settlement, or a
    failure to improve after notice, is published within BREACH_NOTICE_DAYS of the consequence (of the failure,
    for a failure to improve with no consequence recorded). Termination of the whole contract goes in the
    termination notice (UK11); the duty applies only to contracts under the Act (``duties_for``)."""
    duty = duties_for(breach.contract).breach_notice
    if not duty.applies:
        return BreachNotice(False, duty.reason)
    if breach.consequence == Consequence.TERMINATION_WHOLE:
        return BreachNotice(
            False,
            "It ended in termination of the whole contract: it is published in the contract termination notice "
            "(UK11), not in a contract performance notice.",
        )
    if breach.consequence in NOTICE_CONSEQUENCES and breach.consequence_on is not None:
        due = breach.consequence_on + timedelta(days=BREACH_NOTICE_DAYS)
        return BreachNotice(True, f"It led to {breach.get_consequence_display().lower()}: publish within 30 days.", due)
    if breach.kind == ContractBreach.Kind.FAILURE_TO_IMPROVE:
        start = breach.consequence_on or breach.occurred_on
        return BreachNotice(
            True,
            "The supplier failed to improve after notice: publish within 30 days.",
            start + timedelta(days=BREACH_NOTICE_DAYS),
        )
    return BreachNotice(False, "It has not (yet) led to termination, damages or a settlement.")


@transaction.atomic
def performance_notice_for_breach(*, by: User, breach: ContractBreach) -> ContractPerformanceNotice:
    """Draft the section 71(5) notice of a breach, due BREACH_NOTICE_DAYS after its consequence. Refused,
    saying why, for a breach that needs none (termination of the whole contract is UK11's) or has one."""
    breach = ContractBreach.objects.select_related("contract").get(pk=breach.pk)
    notice = Notice(
        contract=breach.contract,
        kind=Notice.Kind.BREACH,
        breach=breach,
        period_start=breach.occurred_on,
        period_end=breach.consequence_on or breach.occurred_on,
        created_by=by,
    )
    permissions.require(by, "oversight.add_contractperformancenotice", notice)
    needed = breach_notice_needed(breach)
    if not needed.needed:
        raise ValidationError({"breach": f"No contract performance notice is needed: {needed.reason}"})
    if breach.notices.exists():
        raise ValidationError({"breach": "This breach already has a contract performance notice."})
    notice.due_on = needed.due_on
    _done_by(notice, by)
    notice.save()
    return notice


# --- Reads --------------------------------------------------------------------------------------------------


def notice_list(*, user: User) -> QuerySet[ContractPerformanceNotice]:
    """Notices the user may see, with their contract, supplier and people loaded."""
    return (
        Notice.objects.visible_to(user)
        .select_related("contract__lead_provider", "assessment", "breach", "created_by", "approved_by", "published_by")
        .order_by("-period_end", "-pk")
    )


def published_notices(*, user: User | None) -> QuerySet[ContractPerformanceNotice]:
    """Published notices, for the JSON export (``user`` None: the public, every published notice)."""
    notices = Notice.objects.all() if user is None else Notice.objects.visible_to(user)
    return notices.filter(status=Status.PUBLISHED).select_related("contract").order_by("published_at", "pk")


@dataclasses.dataclass(frozen=True)
class NoticeDue:
    """One notice awaiting publication: a draft or approved notice, or a completed assessment or breach
    whose notice has not been drafted yet (``notice`` None)."""

    contract: Contract
    what: str
    due_on: date
    days_left: int
    key: str
    notice: ContractPerformanceNotice | None = None
    assessment: PerformanceAssessment | None = None
    breach: ContractBreach | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def _due_rows(*, notices: QuerySet, assessments: QuerySet, breaches: QuerySet, today: date) -> list[NoticeDue]:
    rows: list[NoticeDue] = []
    for notice in notices.filter(status__in=[Status.DRAFT, Status.APPROVED], due_on__isnull=False).select_related(
        "contract"
    ):
        source = f"assessment:{notice.assessment_id}" if notice.assessment_id else f"breach:{notice.breach_id}"
        what = f"{notice.get_kind_display()}, {notice.get_status_display().lower()}"
        rows.append(
            NoticeDue(notice.contract, what, notice.due_on, (notice.due_on - today).days, source, notice=notice)
        )
    for assessment in (
        assessments.filter(kpi_duty_q("contract__"), status=PerformanceAssessment.Status.COMPLETE)
        .filter(assessed_on__isnull=False, notices__isnull=True)
        .select_related("contract")
    ):
        due = assessment.assessed_on + timedelta(days=ASSESSMENT_NOTICE_DAYS)
        rows.append(
            NoticeDue(
                assessment.contract,
                "Assessment complete, notice not drafted",
                due,
                (due - today).days,
                f"assessment:{assessment.pk}",
                assessment=assessment,
            )
        )
    waiting = breaches.filter(notices__isnull=True).exclude(consequence=Consequence.TERMINATION_WHOLE)
    for breach in waiting.select_related("contract"):
        needed = breach_notice_needed(breach)
        if needed.needed and needed.due_on is not None:
            rows.append(
                NoticeDue(
                    breach.contract,
                    f"{breach.get_kind_display()}, notice not drafted",
                    needed.due_on,
                    (needed.due_on - today).days,
                    f"breach:{breach.pk}",
                    breach=breach,
                )
            )
    rows.sort(key=lambda row: (row.due_on, row.contract.reference))
    return rows


def notices_due(*, user: User | None, today: date | None = None) -> list[NoticeDue]:
    """Notices awaiting publication that the user may see (every one with None: the dashboard's officer
    panel), soonest (most overdue) first, with days left: drafted or approved notices, and completed
    assessments and breaches needing a notice not yet drafted."""
    if user is None:
        notices, assessments, breaches = (
            Notice.objects.all(),
            PerformanceAssessment.objects.all(),
            ContractBreach.objects.all(),
        )
    else:
        notices = Notice.objects.visible_to(user)
        assessments = PerformanceAssessment.objects.visible_to(user)
        breaches = ContractBreach.objects.visible_to(user)
    return _due_rows(notices=notices, assessments=assessments, breaches=breaches, today=today or timezone.localdate())


def notice_alerts_due(*, today: date) -> list[tuple[Contract, str, date, str]]:
    """(contract, "notice_due", due date, dedupe key) for each notice awaiting publication that is due within
    ALERT_WITHIN_DAYS or overdue: the daily alert sweep (oversight.alerts) raises one alert per key. The key
    names the assessment or breach the notice is of, so drafting the notice raises no second alert."""
    rows = _due_rows(
        notices=Notice.objects.all(),
        assessments=PerformanceAssessment.objects.all(),
        breaches=ContractBreach.objects.all(),
        today=today,
    )
    return [
        (row.contract, "notice_due", row.due_on, f"notice_due:{row.key}:{row.due_on:%Y%m%d}")
        for row in rows
        if row.days_left <= ALERT_WITHIN_DAYS
    ]


def contract_notices(*, contract: Contract, user: User) -> tuple[list[ContractPerformanceNotice], list[ContractBreach]]:
    """A contract's notices and breaches the user may see (for its performance page): two queries, plus one
    for the breaches' sanctions."""
    notices = list(notice_list(user=user).filter(contract=contract))
    breaches = list(
        ContractBreach.objects.visible_to(user)
        .filter(contract=contract)
        .select_related("contract", "recorded_by")
        .prefetch_related("sanctions", "notices")
        .order_by("-occurred_on", "-pk")
    )
    return notices, breaches


def breach_list(*, user: User, contract: Contract | None = None) -> QuerySet[ContractBreach]:
    """Breaches the user may see, newest first, with their contract and sanctions loaded."""
    breaches = ContractBreach.objects.visible_to(user)
    if contract is not None:
        breaches = breaches.filter(contract=contract)
    return (
        breaches.select_related("contract__lead_provider", "recorded_by")
        .prefetch_related("sanctions", "notices")
        .order_by("-occurred_on", "-pk")
    )


def may_approve(user: Any, notice: ContractPerformanceNotice) -> bool:
    """Whether to offer the user the approve and publish buttons (the service decides)."""
    return permissions.may(user, APPROVE, notice)
