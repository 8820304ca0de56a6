"""Safeguarding: section 42 enquiries into safeguarding concerns, the immediate alert of a high-severity
safeguarding concern or a serious incident, the safeguarding duty rota, and the audit of who read what.

Reads of safeguarding concerns and serious incidents are restricted (``Concern.objects.visible_to``) and every
read a page or the API makes of one is recorded (``audit_concern_reads``). The alert goes to the provider's
contract managers and backups (of its live contracts) and the duty lead on the day, or every safeguarding lead
when no one is on duty: a generic subject and a link, never a name or the concern's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from commissioning import audit, permissions, roles
from commissioning.models import User
from commissioning.notifications import notify
from contracts.models import Contract

from .models import Concern, EnquiryOutcome, SafeguardingDutyLead

ALERT_KIND = "oversight.safeguarding_alert"
ALERT_SEVERITIES = (Concern.Severity.HIGH, Concern.Severity.CRITICAL)


def _today() -> date:
    return timezone.localdate()


def _done_by(record: Any, by: User | None) -> None:
    record._history_user = by


# --- Who is told: the duty lead and the provider's officers ----------------------------------------------------


def safeguarding_leads() -> QuerySet[User]:
    """The active members of the Safeguarding lead group."""
    return User.objects.filter(groups__name=roles.SAFEGUARDING_LEAD, is_active=True).distinct()


def is_safeguarding_lead(user: Any) -> bool:
    return permissions.has_role(user, roles.SAFEGUARDING_LEAD)


def duty_lead_on(day: date) -> User | None:
    """The safeguarding duty lead on ``day`` (the rota), or None when no one is on duty."""
    entry = SafeguardingDutyLead.objects.on(day).select_related("user").order_by("starts_on", "pk").first()
    return entry.user if entry is not None else None


def duty_rota() -> QuerySet[SafeguardingDutyLead]:
    """The whole rota, earliest duty first, with who is on duty and who put them there."""
    return SafeguardingDutyLead.objects.select_related("user", "created_by").order_by("starts_on", "pk")


def needs_alert(concern: Concern) -> bool:
    """A safeguarding concern of high or critical severity, or any serious incident."""
    if concern.kind == Concern.Kind.SERIOUS_INCIDENT:
        return True
    return concern.kind == Concern.Kind.SAFEGUARDING and concern.severity in ALERT_SEVERITIES


def _provider_officers(provider_ids: set[int]) -> dict[int, set[User]]:
    """provider id → the managers and backups of its live contracts (as lead or other provider). Two queries."""
    live = Contract.objects.filter(status=Contract.Status.LIVE).filter(
        Q(lead_provider_id__in=provider_ids) | Q(other_providers__in=provider_ids)
    )
    officers: dict[int, set[User]] = {pk: set() for pk in provider_ids}
    contracts = live.distinct().select_related("contract_manager", "backup_manager").prefetch_related("other_providers")
    for contract in contracts:
        held_by: set[int] = {p.pk for p in contract.other_providers.all()}
        if contract.lead_provider_id is not None:
            held_by.add(contract.lead_provider_id)
        for provider_id in held_by & provider_ids:
            for person in (contract.contract_manager, contract.backup_manager):
                if person is not None:
                    officers[provider_id].add(person)
    return officers


def _alert(concerns: Sequence[Concern], *, by: User | None) -> int:
    """Tell the provider's officers and the duty lead (else the safeguarding leads) of each concern at once."""
    if not concerns:
        return 0
    today = _today()
    duty = duty_lead_on(today)
    on_duty = [duty] if duty is not None else list(safeguarding_leads())
    officers = _provider_officers({concern.provider_id for concern in concerns})
    sent = 0
    for concern in concerns:
        if concern.kind == Concern.Kind.SERIOUS_INCIDENT:
            subject = "A serious incident has been recorded"
        else:
            subject = f"A {concern.get_severity_display().lower()}-severity safeguarding concern has been recorded"
        sent += notify(
            recipients=[*officers.get(concern.provider_id, ()), *on_duty],
            kind=ALERT_KIND,
            subject=subject,
            link=concern.get_absolute_url(),
            dedupe_key=f"safeguarding-alert:{concern.pk}",
            by=by,
        )
    return sent


def alert_on_record(concern: Concern, *, by: User | None) -> int:
    """Called by ``concern_record``: alert at once if the concern needs it. Returns notifications recorded."""
    return _alert([concern], by=by) if needs_alert(concern) else 0


def alert_on_record_many(concerns: Iterable[Concern], *, by: User | None, today: date | None = None) -> int:
    """Called by ``concerns_record_many``: alert for each concern that needs it, is still open and was raised
    within ``settings.SAFEGUARDING_ALERT_WINDOW_DAYS`` (older ones brought from another system are history,
    not news)."""
    since = (today or _today()) - timedelta(days=settings.SAFEGUARDING_ALERT_WINDOW_DAYS)
    due = [
        concern
        for concern in concerns
        if needs_alert(concern) and concern.status == Concern.Status.OPEN and concern.raised_on >= since
    ]
    return _alert(due, by=by)


# --- Section 42 enquiries -----------------------------------------------------------------------------------


def _visible_concern(concern: Concern, by: User, perm: str) -> Concern:
    """The concern, locked, if ``by`` may change it and may read it (a restricted one only its readers)."""
    permissions.require(by, perm, concern)
    locked = Concern.objects.visible_to(by).select_for_update().filter(pk=concern.pk).first()
    if locked is None:
        raise PermissionDenied("You may not see this concern.")
    return locked


NOT_AN_ENQUIRY = "Only a safeguarding concern has a section 42 enquiry."


def has_enquiry(concern: Concern) -> bool:
    """Whether ``concern`` can have a section 42 enquiry (Care Act 2014): only a safeguarding concern can."""
    return concern.kind == Concern.Kind.SAFEGUARDING


def _check_safeguarding(concern: Concern) -> None:
    if not has_enquiry(concern):
        raise ValidationError({"kind": NOT_AN_ENQUIRY})


@transaction.atomic
def concern_enquiry_record(*, concern: Concern, s42_reference: str, s42_started_on: date, by: User) -> Concern:
    """Record (or correct) the section 42 enquiry into a safeguarding concern: the council's enquiry reference
    (unique) and the day it started, on or after the concern was raised and not in the future. A concluded
    enquiry is fixed."""
    concern = _visible_concern(concern, by, "oversight.change_concern")
    _check_safeguarding(concern)
    if concern.s42_outcome:
        raise ValidationError({"s42_reference": "This enquiry has concluded: its details can no longer change."})
    reference = s42_reference.strip()
    errors: dict[str, str] = {}
    if not reference:
        errors["s42_reference"] = "Enter the section 42 enquiry reference."
    elif Concern.objects.filter(s42_reference__iexact=reference).exclude(pk=concern.pk).exists():
        errors["s42_reference"] = "Another concern already has this section 42 enquiry reference."
    if s42_started_on is None:
        errors["s42_started_on"] = "Enter the date the enquiry started."
    elif s42_started_on < concern.raised_on:
        errors["s42_started_on"] = (
            f"The enquiry must start on or after the concern was raised ({concern.raised_on:%d/%m/%Y})."
        )
    elif s42_started_on > _today():
        errors["s42_started_on"] = "The date the enquiry started must be today or in the past."
    if errors:
        raise ValidationError(errors)
    concern.s42_reference = reference
    concern.s42_started_on = s42_started_on
    _done_by(concern, by)
    concern.save(update_fields=["s42_reference", "s42_started_on", "updated_at"])
    return concern


@transaction.atomic
def concern_enquiry_conclude(*, concern: Concern, s42_outcome: str, s42_concluded_on: date, by: User) -> Concern:
    """Conclude the section 42 enquiry into a safeguarding concern with its outcome (the Safeguarding Adults
    Collection's), on or after it started and not in the future. The enquiry must have been recorded first."""
    concern = _visible_concern(concern, by, "oversight.change_concern")
    _check_safeguarding(concern)
    if not concern.s42_reference:
        raise ValidationError({"s42_reference": "Record the section 42 enquiry before concluding it."})
    if concern.s42_outcome:
        raise ValidationError({"s42_outcome": f"This enquiry concluded on {concern.s42_concluded_on:%d/%m/%Y}."})
    errors: dict[str, str] = {}
    if not s42_outcome:
        errors["s42_outcome"] = "Choose the outcome of the enquiry."
    elif s42_outcome not in EnquiryOutcome.values:
        errors["s42_outcome"] = "Choose one of the Safeguarding Adults Collection outcomes."
    started = concern.s42_started_on
    if s42_concluded_on is None:
        errors["s42_concluded_on"] = "Enter the date the enquiry concluded."
    elif started is not None and s42_concluded_on < started:
        errors["s42_concluded_on"] = f"The enquiry must conclude on or after it started ({started:%d/%m/%Y})."
    elif s42_concluded_on > _today():
        errors["s42_concluded_on"] = "The date the enquiry concluded must be today or in the past."
    if errors:
        raise ValidationError(errors)
    concern.s42_outcome = s42_outcome
    concern.s42_concluded_on = s42_concluded_on
    _done_by(concern, by)
    concern.save(update_fields=["s42_outcome", "s42_concluded_on", "updated_at"])
    return concern


# --- The duty rota ------------------------------------------------------------------------------------------


@transaction.atomic
def duty_lead_add(*, user: User, starts_on: date, ends_on: date, by: User) -> SafeguardingDutyLead:
    """Put a safeguarding lead on duty from ``starts_on`` to ``ends_on`` (inclusive). One duty lead a day: the
    dates may not overlap another duty. Administrators keep the rota."""
    permissions.require(by, "oversight.add_safeguardingdutylead")
    errors: dict[str, str] = {}
    if user is None:
        errors["user"] = "Choose the safeguarding lead on duty."
    elif not is_safeguarding_lead(user):
        errors["user"] = f"{user} is not a safeguarding lead: add them to the Safeguarding lead group first."
    if starts_on is None:
        errors["starts_on"] = "Enter the first day of the duty."
    if ends_on is None:
        errors["ends_on"] = "Enter the last day of the duty."
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The last day must be on or after the first day."
    if not errors:
        clash = (
            SafeguardingDutyLead.objects.select_for_update()
            .filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
            .select_related("user")
            .first()
        )
        if clash is not None:
            errors["starts_on"] = (
                f"These dates overlap the duty of {clash.user} "
                f"({clash.starts_on:%d/%m/%Y} to {clash.ends_on:%d/%m/%Y})."
            )
    if errors:
        raise ValidationError(errors)
    return SafeguardingDutyLead.objects.create(user=user, starts_on=starts_on, ends_on=ends_on, created_by=by)


@transaction.atomic
def duty_lead_remove(*, duty: SafeguardingDutyLead, by: User) -> None:
    """Take a duty off the rota."""
    permissions.require(by, "oversight.delete_safeguardingdutylead", duty)
    SafeguardingDutyLead.objects.filter(pk=duty.pk).delete()


# --- Reads: restricted, and recorded -------------------------------------------------------------------------


def audit_concern_reads(*, user: Any, concerns: Iterable[Concern], via: str) -> int:
    """Record ``user``'s read of each restricted concern (safeguarding, serious incident, flagged sensitive) among
    ``concerns`` (the rows a page or an API answer shows); other concerns are not recorded."""
    return audit.record_reads(user=user, objects=[concern for concern in concerns if concern.is_restricted], via=via)


def concern_detail(*, user: Any, pk: int) -> Concern:
    """One concern ``user`` may see, with what its page shows. Raises Concern.DoesNotExist."""
    return Concern.objects.visible_to(user).select_related("provider", "location", "contract", "recorded_by").get(pk=pk)


def concern_reads(*, concern: Concern) -> QuerySet:
    """Who read the concern, newest first."""
    return audit.reads(model=Concern, object_id=concern.pk)


def open_enquiries_for(*, user: Any) -> QuerySet[Concern]:
    """Open safeguarding concerns with a section 42 enquiry under way about the providers ``user`` manages or
    backs up a live contract of, oldest raised first (the home page)."""
    managed = Contract.objects.filter(status=Contract.Status.LIVE).filter(
        Q(contract_manager=user) | Q(backup_manager=user)
    )
    shared = Contract.other_providers.through.objects.filter(contract__in=managed).values("provider_id")
    return (
        Concern.objects.visible_to(user)
        .filter(kind=Concern.Kind.SAFEGUARDING, status=Concern.Status.OPEN, s42_outcome="")
        .exclude(s42_reference="")
        .filter(Q(provider_id__in=managed.values("lead_provider_id")) | Q(provider_id__in=shared))
        .select_related("provider")
        .order_by("raised_on", "pk")
    )
