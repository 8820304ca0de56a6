"""Contract KPIs, their results and performance assessments under the Procurement Act 2023: the services that
write them and the selectors that read them. Which contracts carry the duties is ``contracts.duties``.

**KPIs** (section 52) are set at award and frozen then (``kpis_freeze``). A frozen KPI is changed only through a
contract change: ``kpi_change`` retires it (``retired_on`` the change's date, ``changed_by`` the change) and adds
its replacement (``changed_by`` the same change); adding a KPI after freezing names a change too. A KPI's owner
is an active council officer, and its name is unique among the contract's active KPIs (the results import
finds it by name).

**Reporting periods** follow the KPI's frequency, aligned to the council's financial year: monthly is a
calendar month; quarterly a financial quarter (April-June, July-September, October-December,
January-March); six-monthly April-September or October-March; annually April to March. A result's period
must be one of these and must have ended (its last day today or earlier). One result per KPI per period:
recording it again updates it (its history keeps each version).

**The rating rule** (regulation 39's scale, suggested from the core achievement rule, never restated):

- no value (the data is missing): **Other**, and commentary saying why is required;
- achieved with no tolerance at all: **Good**;
- achieved only within the KPI's tolerance: **Approaching target**;
- achieved within twice the tolerance: **Requires improvement**; when the KPI has no tolerance (none, or 0)
  within 10 % of the target instead (the target widened by a tenth of its size in the KPI's favour);
- otherwise **Inadequate**.

An officer may record a different rating from the suggestion only with a reason (``override_reason``).

**Assessment due dates** (section 71(2), for contracts the KPI duty applies to; None for any other):

- an **assessment on termination** is due 30 days after the contract ended: its ``terminated_on``, or its
  end date once its status is expired or terminated; once one is complete, nothing further is due;
- otherwise the next **annual assessment** is due 12 months after the period end of the last completed
  assessment or, when none is complete, 12 months after the KPIs were frozen (the contract's start date if
  they are not).

An assessment is completed only when every active KPI has a rated result for each of its reporting periods
within the assessment period (and, for a KPI with no whole period inside it, at least one rated result
overlapping it).

Services are keyword-only and atomic, check the actor's permission (``commissioning.permissions``: the role's
model permission and the contract's directorate), then the rules, raising ValidationError naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from commissioning import permissions
from commissioning.achievement import Achievement, Polarity, achievement
from commissioning.models import User
from commissioning.periods import FinancialQuarter
from contracts.duties import ASSESSMENT_INTERVAL_MONTHS, MINIMUM_KPIS, ContractDuties, duties_for, kpi_duty_q
from contracts.models import Contract, ContractChange, ContractQuerySet

from .models import ContractKpi, KpiRating, KpiResult, PerformanceAssessment
from .services import TransitionNotAllowed

__all__ = [
    "ASSESSMENT_ALERT_DAYS",
    "KPI_FIELDS",
    "MINIMUM_KPIS",
    "TERMINATION_ASSESSMENT_DAYS",
    "ContractPerformance",
    "OverdueAssessment",
    "Period",
    "assessment_alerts_due",
    "assessments_overdue",
    "contract_kpis",
    "contract_performance",
    "contracts_missing_kpis",
    "kpi_change",
    "kpi_create",
    "kpi_result_record",
    "kpi_results",
    "kpi_update",
    "kpis_freeze",
    "missing_results",
    "next_assessment_due",
    "performance_assessment_complete",
    "performance_assessment_start",
    "performance_assessments",
    "recent_periods",
    "reporting_period",
    "reporting_periods",
    "result_problems",
    "suggest_rating",
]

TERMINATION_ASSESSMENT_DAYS = 30
# Assessments due within this many days (or already overdue) are alerted (oversight.alerts' daily sweep).
ASSESSMENT_ALERT_DAYS = 30
# Without a tolerance, "requires improvement" is within this share of the target.
NO_TOLERANCE_SHARE = Decimal("0.10")
ENDED_STATUSES = (Contract.Status.EXPIRED, Contract.Status.TERMINATED)

KPI_FIELDS = (
    "name",
    "description",
    "measure",
    "unit",
    "target",
    "polarity",
    "tolerance",
    "frequency",
    "source",
    "owner",
)


def _today() -> date:
    return timezone.localdate()


def _done_by(record: Any, by: User | None) -> None:
    """Who made the change, for the record's history row."""
    record._history_user = by


# --- Reporting periods --------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period of a KPI: first and last day, both included."""

    start: date
    end: date

    def __str__(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


_MONTHS = {
    ContractKpi.Frequency.MONTHLY: 1,
    ContractKpi.Frequency.QUARTERLY: 3,
    ContractKpi.Frequency.SIX_MONTHLY: 6,
    ContractKpi.Frequency.ANNUALLY: 12,
}


def reporting_period(frequency: str, day: date) -> Period:
    """The reporting period of ``frequency`` that contains ``day`` (see the module's rules)."""
    months = _MONTHS[ContractKpi.Frequency(frequency)]
    if months == 1:
        start = date(day.year, day.month, 1)
    elif months == 3:
        start = FinancialQuarter.containing(day).start
    else:
        # Six-monthly and annual periods count from 1 April.
        from_april = (day.month - 4) % 12
        start = date(day.year if day.month >= 4 else day.year - 1, 4, 1) + relativedelta(
            months=from_april - from_april % months
        )
    return Period(start, start + relativedelta(months=months) - timedelta(days=1))


def reporting_periods(frequency: str, *, start: date, end: date) -> list[Period]:
    """Every reporting period of ``frequency`` wholly within ``start`` to ``end``, oldest first."""
    periods = []
    period = reporting_period(frequency, start)
    if period.start < start:
        period = reporting_period(frequency, period.end + timedelta(days=1))
    while period.end <= end:
        periods.append(period)
        period = reporting_period(frequency, period.end + timedelta(days=1))
    return periods


def recent_periods(frequency: str, *, count: int = 12, today: date | None = None) -> list[Period]:
    """The ``count`` latest periods of ``frequency`` that have ended, latest first (the result form's choices)."""
    periods: list[Period] = []
    period = reporting_period(frequency, today or _today())
    if period.end > (today or _today()):
        period = reporting_period(frequency, period.start - timedelta(days=1))
    while len(periods) < count:
        periods.append(period)
        period = reporting_period(frequency, period.start - timedelta(days=1))
    return periods


# --- KPIs ---------------------------------------------------------------------------------------------------


def kpis_frozen(contract: Contract) -> bool:
    """Whether the contract's KPIs were frozen at award: from then on a KPI is added or changed only through a
    contract change (the KPI forms ask for the change when this is true)."""
    return ContractKpi.objects.filter(contract=contract, frozen_on__isnull=False).exists()


def kpi_unchangeable_reason(kpi: ContractKpi) -> str | None:
    """Why ``kpi`` cannot be changed at all (a contract change retired it), or None when it can."""
    if kpi.retired_on is not None:
        return f"'{kpi.name}' was retired on {kpi.retired_on:%d/%m/%Y}: it cannot be changed."
    return None


def _kpi_field_problems(kpi: ContractKpi) -> dict[str, str]:
    problems: dict[str, str] = {}
    for name, what in (("name", "name"), ("measure", "how it is measured"), ("unit", "unit")):
        if not str(getattr(kpi, name) or "").strip():
            problems[name] = f"Enter the KPI's {what}."
    if kpi.target is None:
        problems["target"] = "Enter the KPI's target."
    choices = (
        ("polarity", Polarity.values, "Choose whether higher or lower is better."),
        ("frequency", ContractKpi.Frequency.values, "Choose how often the KPI is reported."),
        ("source", ContractKpi.Source.values, "Choose where the KPI's data comes from."),
    )
    for name, allowed, message in choices:
        if getattr(kpi, name) not in allowed:
            problems[name] = message
    if kpi.tolerance is not None and kpi.tolerance < 0:
        problems["tolerance"] = "The tolerance must be 0 or more."
    if kpi.owner is None:
        problems["owner"] = "Choose the officer who owns the KPI."
    elif not permissions.is_officer(kpi.owner):
        problems["owner"] = f"{kpi.owner} is not an active council officer."
    return problems


def _check_kpi(kpi: ContractKpi) -> None:
    """The fields a KPI needs, with the message for each missing or wrong one; its name unique among the
    contract's active KPIs."""
    problems = _kpi_field_problems(kpi)
    if "name" not in problems:
        kpi.name = kpi.name.strip()
        twins = ContractKpi.objects.filter(contract_id=kpi.contract_id, retired_on__isnull=True, name__iexact=kpi.name)
        if kpi.pk:
            twins = twins.exclude(pk=kpi.pk)
        if twins.exists():
            problems["name"] = f"The contract already has a KPI called '{kpi.name}'."
    if problems:
        raise ValidationError(problems)
    kpi.full_clean(exclude=["contract", "owner", "changed_by", "created_by"], validate_unique=False)


def _check_change(change: ContractChange | None, contract: Contract) -> ContractChange:
    if change is None:
        raise ValidationError(
            {"change": "The KPIs were frozen at award: choose the contract change that makes this change."}
        )
    if change.contract_id != contract.pk:
        raise ValidationError({"change": f"That change is not a change of contract {contract.reference}."})
    return change


def _next_position(contract: Contract) -> int:
    highest = ContractKpi.objects.filter(contract=contract).aggregate(top=Max("position"))["top"]
    return 0 if highest is None else highest + 1


@transaction.atomic
def kpi_create(
    *,
    by: User,
    contract: Contract,
    name: str,
    measure: str,
    unit: str,
    target: Decimal | None,
    owner: User | None,
    polarity: str = Polarity.HIGHER_IS_BETTER,
    frequency: str = ContractKpi.Frequency.MONTHLY,
    source: str = ContractKpi.Source.SUPPLIER_RETURN,
    description: str = "",
    tolerance: Decimal | None = None,
    change: ContractChange | None = None,
) -> ContractKpi:
    """Add a KPI to ``contract``. Before freezing, no change is needed; after it, ``change`` (a change of this
    contract) must be named, and the new KPI is frozen from the change's date."""
    kpi = ContractKpi(
        contract=contract,
        name=name,
        description=description,
        measure=measure,
        unit=unit,
        target=target,  # type: ignore[misc]  # None is refused by _check_kpi, naming the field
        polarity=polarity,
        tolerance=tolerance,
        frequency=frequency,
        source=source,
        owner=owner,
        created_by=by,
    )
    permissions.require(by, "oversight.add_contractkpi", kpi)
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    if kpis_frozen(contract):
        kpi.changed_by = _check_change(change, contract)
        kpi.frozen_on = kpi.changed_by.effective_on
    _check_kpi(kpi)
    kpi.position = _next_position(contract)
    _done_by(kpi, by)
    kpi.save()
    return kpi


@transaction.atomic
def kpi_update(*, by: User, kpi: ContractKpi, **fields: Any) -> ContractKpi:
    """Edit a KPI that is not frozen (a frozen one is changed through ``kpi_change``)."""
    permissions.require(by, "oversight.change_contractkpi", kpi)
    kpi = ContractKpi.objects.select_for_update().select_related("contract").get(pk=kpi.pk)
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    reason = kpi_unchangeable_reason(kpi)
    if reason:
        raise TransitionNotAllowed(reason)
    if kpi.is_frozen or kpis_frozen(kpi.contract):
        raise ValidationError(
            {"change": "The KPIs were frozen at award: a change is made only through a contract change."}
        )
    for name, value in fields.items():
        setattr(kpi, name, value)
    _check_kpi(kpi)
    _done_by(kpi, by)
    kpi.save()
    return kpi


@transaction.atomic
def kpis_freeze(*, contract: Contract, by: User, on: date) -> list[ContractKpi]:
    """Freeze every current KPI of ``contract`` at award, on ``on``. Refused with nothing to freeze, with a day
    in the future, or, for a contract the KPI duty applies to, with fewer than three KPIs."""
    permissions.require(by, "oversight.change_contractkpi", contract)
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    if on is None or on > _today():
        raise ValidationError({"on": "The date the KPIs were frozen must be today or in the past."})
    current = list(ContractKpi.objects.filter(contract=contract, retired_on__isnull=True, frozen_on__isnull=True))
    if not current:
        raise TransitionNotAllowed("There are no KPIs to freeze: add the contract's KPIs first.")
    if duties_for(contract).kpis.applies:
        active = ContractKpi.objects.filter(contract=contract, retired_on__isnull=True).count()
        if active < MINIMUM_KPIS:
            raise ValidationError(
                {
                    "on": f"The Procurement Act 2023 needs at least {MINIMUM_KPIS} KPIs for this contract: "
                    f"it has {active}."
                }
            )
    for kpi in current:
        kpi.frozen_on = on
        _done_by(kpi, by)
        kpi.save(update_fields=["frozen_on", "updated_at"])
    return current


@transaction.atomic
def kpi_change(*, by: User, kpi: ContractKpi, change: ContractChange | None, **fields: Any) -> ContractKpi:
    """Change a frozen KPI through a contract change: the KPI is retired on the change's date and a replacement,
    ``fields`` over the old KPI's, is added and frozen from that date. Returns the replacement."""
    permissions.require(by, "oversight.change_contractkpi", kpi)
    old = ContractKpi.objects.select_for_update().select_related("contract").get(pk=kpi.pk)
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    if old.retired_on is not None:
        raise TransitionNotAllowed("This KPI was already retired by a contract change.")
    if not old.is_frozen:
        raise TransitionNotAllowed("This KPI is not frozen: edit it directly.")
    change = _check_change(change, old.contract)
    replacement = ContractKpi(
        contract=old.contract,
        **{name: getattr(old, name) for name in KPI_FIELDS},
        position=old.position,
        frozen_on=change.effective_on,
        changed_by=change,
        created_by=by,
    )
    for name, value in fields.items():
        setattr(replacement, name, value)
    old.retired_on = change.effective_on
    old.changed_by = change
    _done_by(old, by)
    old.save(update_fields=["retired_on", "changed_by", "updated_at"])
    _check_kpi(replacement)
    _done_by(replacement, by)
    replacement.save()
    return replacement


# --- Results ------------------------------------------------------------------------------------------------


def suggest_rating(*, kpi: ContractKpi, value: Decimal | None) -> str:
    """The rating the rule in the module docstring suggests for ``value`` against ``kpi``'s target."""
    if value is None:
        return KpiRating.OTHER

    def met(margin: Decimal | None) -> bool:
        found = achievement(value=value, target=kpi.target, polarity=kpi.polarity, tolerance=margin)
        return found == Achievement.ACHIEVED

    if met(None):
        return KpiRating.GOOD
    tolerance = kpi.tolerance or Decimal(0)
    if tolerance > 0:
        if met(tolerance):
            return KpiRating.APPROACHING_TARGET
        if met(tolerance * 2):
            return KpiRating.REQUIRES_IMPROVEMENT
        return KpiRating.INADEQUATE
    if met(abs(kpi.target) * NO_TOLERANCE_SHARE):
        return KpiRating.REQUIRES_IMPROVEMENT
    return KpiRating.INADEQUATE


def _check_period(kpi: ContractKpi, period_start: date | None, period_end: date | None) -> None:
    if period_start is None:
        raise ValidationError({"period_start": "Enter the first day of the period."})
    if period_end is None:
        raise ValidationError({"period_end": "Enter the last day of the period."})
    expected = reporting_period(kpi.frequency, period_start)
    if (period_start, period_end) != (expected.start, expected.end):
        raise ValidationError(
            {
                "period_start": f"'{kpi.name}' is reported {kpi.get_frequency_display().lower()}: the period must be "
                f"one whole reporting period, such as {expected}."
            }
        )
    if period_end > _today():
        raise ValidationError({"period_end": "The period has not ended yet: record its result once it has."})
    if kpi.retired_on is not None and period_start >= kpi.retired_on:
        raise ValidationError({"kpi": f"'{kpi.name}' was retired on {kpi.retired_on:%d/%m/%Y}."})


def result_problems(
    *,
    kpi: ContractKpi,
    period_start: date | None,
    period_end: date | None,
    value: Decimal | None,
    rating: str | None,
    override_reason: str,
    commentary: str,
) -> tuple[str, str]:
    """Check one result; return (suggested rating, rating to store). Raises ValidationError naming the field.
    Shared by ``kpi_result_record`` and the results import."""
    _check_period(kpi, period_start, period_end)
    suggested = suggest_rating(kpi=kpi, value=value)
    chosen = rating or suggested
    if chosen not in KpiRating.values:
        raise ValidationError({"rating": f"'{chosen}' is not a rating: choose one of {', '.join(KpiRating.labels)}."})
    if chosen != suggested and not (override_reason or "").strip():
        raise ValidationError(
            {
                "override_reason": f"The suggested rating is {KpiRating(suggested).label}: give the reason for "
                f"rating it {KpiRating(chosen).label}."
            }
        )
    if value is None and not (commentary or "").strip():
        raise ValidationError({"commentary": "There is no value: say in the commentary why the data is missing."})
    return suggested, chosen


@transaction.atomic
def kpi_result_record(
    *,
    by: User | None,
    kpi: ContractKpi,
    period_start: date,
    period_end: date,
    value: Decimal | None,
    rating: str | None = None,
    override_reason: str = "",
    commentary: str = "",
) -> KpiResult:
    """Record (or, for a period already recorded, update) ``kpi``'s result for one reporting period, storing
    the suggested rating and the rating given (the suggestion when none is)."""
    existing = KpiResult.objects.select_for_update().filter(kpi=kpi, period_start=period_start).first()
    if by is not None:
        perm = "oversight.change_kpiresult" if existing else "oversight.add_kpiresult"
        permissions.require(by, perm, kpi)
    suggested, chosen = result_problems(
        kpi=kpi,
        period_start=period_start,
        period_end=period_end,
        value=value,
        rating=rating,
        override_reason=override_reason,
        commentary=commentary,
    )
    result = existing or KpiResult(kpi=kpi, period_start=period_start)
    result.period_end = period_end
    result.value = value
    result.suggested_rating = suggested
    result.rating = chosen
    result.override_reason = override_reason.strip() if chosen != suggested else ""
    result.commentary = commentary.strip()
    result.recorded_by = by
    _done_by(result, by)
    result.save()
    return result


# --- Assessments --------------------------------------------------------------------------------------------


def _ended_on(contract: Contract) -> date | None:
    if contract.terminated_on:
        return contract.terminated_on
    if contract.status in ENDED_STATUSES:
        return contract.end_date
    return None


def _due(contract: Contract, *, last_end: date | None, first_frozen: date | None, ended_assessed: bool) -> date | None:
    ended = _ended_on(contract)
    if ended is not None:
        return None if ended_assessed else ended + timedelta(days=TERMINATION_ASSESSMENT_DAYS)
    return _annual_due(contract, last_end=last_end, first_frozen=first_frozen)


def _annual_due(contract: Contract, *, last_end: date | None, first_frozen: date | None) -> date:
    base = last_end or first_frozen or contract.start_date
    return base + relativedelta(months=ASSESSMENT_INTERVAL_MONTHS)


def _with_due_facts(queryset: QuerySet[Contract]) -> QuerySet[Contract]:
    """Annotate what the due-date rule reads, so a list costs one query."""
    complete = Q(performance_assessments__status=PerformanceAssessment.Status.COMPLETE)
    return queryset.annotate(
        last_assessed_end=Max("performance_assessments__period_end", filter=complete),
        first_frozen=Min("kpis__frozen_on"),
        termination_assessed=Exists(
            PerformanceAssessment.objects.filter(
                contract=OuterRef("pk"),
                kind=PerformanceAssessment.Kind.TERMINATION,
                status=PerformanceAssessment.Status.COMPLETE,
            )
        ),
    )


def next_assessment_due(*, contract: Contract) -> date | None:
    """When the contract's next assessment is due (the rule in the module docstring); None when the duty does
    not apply or, after termination, once the assessment on termination is complete."""
    if not duties_for(contract).assessment.applies:
        return None
    if not hasattr(contract, "last_assessed_end"):
        contract = _with_due_facts(Contract.objects.filter(pk=contract.pk)).get()
    return _due(
        contract,
        last_end=contract.last_assessed_end,  # type: ignore[attr-defined]
        first_frozen=contract.first_frozen,  # type: ignore[attr-defined]
        ended_assessed=contract.termination_assessed,  # type: ignore[attr-defined]
    )


def _check_assessment_period(period_start: date | None, period_end: date | None) -> None:
    if period_start is None:
        raise ValidationError({"period_start": "Enter the first day of the period assessed."})
    if period_end is None:
        raise ValidationError({"period_end": "Enter the last day of the period assessed."})
    if period_end < period_start:
        raise ValidationError({"period_end": "The period must end on or after the day it starts."})


@transaction.atomic
def performance_assessment_start(
    *, by: User, contract: Contract, kind: str, period_start: date, period_end: date
) -> PerformanceAssessment:
    """Start an assessment of ``contract`` for a period. Its ``due_on``: for an assessment on termination, 30
    days after the contract ended (refused if it has not); for an annual one, the annual due date of the rule;
    an interim one (or any for a contract outside the duty), 30 days after the period ends."""
    assessment = PerformanceAssessment(contract=contract, kind=kind, period_start=period_start, period_end=period_end)
    permissions.require(by, "oversight.add_performanceassessment", assessment)
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    if kind not in PerformanceAssessment.Kind.values:
        raise ValidationError({"kind": "Choose the kind of assessment."})
    _check_assessment_period(period_start, period_end)
    if PerformanceAssessment.objects.filter(
        contract=contract, kind=kind, status=PerformanceAssessment.Status.DUE
    ).exists():
        raise ValidationError({"kind": "This kind of assessment is already under way: complete it first."})
    facts = _with_due_facts(Contract.objects.filter(pk=contract.pk)).get()
    if kind == PerformanceAssessment.Kind.TERMINATION:
        ended = _ended_on(contract)
        if ended is None:
            raise ValidationError({"kind": "The contract has not been terminated or ended."})
        due = ended + timedelta(days=TERMINATION_ASSESSMENT_DAYS)
    elif kind == PerformanceAssessment.Kind.ANNUAL and duties_for(contract).assessment.applies:
        due = _annual_due(facts, last_end=facts.last_assessed_end, first_frozen=facts.first_frozen)  # type: ignore[attr-defined]
    else:
        due = period_end + timedelta(days=TERMINATION_ASSESSMENT_DAYS)
    assessment.due_on = due
    _done_by(assessment, by)
    assessment.save()
    return assessment


def _required(kpi: ContractKpi, period: Period) -> bool:
    """Whether ``kpi`` was in force for ``period``: not retired before it, not added (frozen) after it."""
    if kpi.retired_on is not None and period.start >= kpi.retired_on:
        return False
    return not (kpi.frozen_on is not None and period.end < kpi.frozen_on)


def missing_results(assessment: PerformanceAssessment) -> list[tuple[ContractKpi, list[Period]]]:
    """Each KPI in force during the assessment period with the reporting periods that have no rated result."""
    start, end = assessment.period_start, assessment.period_end
    kpis = (
        ContractKpi.objects.filter(contract_id=assessment.contract_id)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=start))
        .prefetch_related(
            Prefetch(
                "results",
                queryset=KpiResult.objects.exclude(rating="").filter(period_end__gte=start, period_start__lte=end),
                to_attr="rated",
            )
        )
    )
    missing: list[tuple[ContractKpi, list[Period]]] = []
    for kpi in kpis:
        rated = {result.period_start for result in kpi.rated}
        periods = [p for p in reporting_periods(kpi.frequency, start=start, end=end) if _required(kpi, p)]
        if periods:
            gaps = [p for p in periods if p.start not in rated]
        elif not rated and (kpi.retired_on is None or kpi.retired_on > start):
            gaps = [reporting_period(kpi.frequency, end)]
        else:
            gaps = []
        if gaps:
            missing.append((kpi, gaps))
    return missing


@transaction.atomic
def performance_assessment_complete(
    *, by: User, assessment: PerformanceAssessment, summary: str, assessed_on: date
) -> PerformanceAssessment:
    """Complete an assessment: refused while any KPI in force has no rated result for a reporting period
    within the assessment period (the message names each)."""
    permissions.require(by, "oversight.change_performanceassessment", assessment)
    assessment = PerformanceAssessment.objects.select_for_update().select_related("contract").get(pk=assessment.pk)
    if assessment.status != PerformanceAssessment.Status.DUE:
        raise TransitionNotAllowed("This assessment is already complete.")
    if not (summary or "").strip():
        raise ValidationError({"summary": "Enter a summary of the supplier's performance."})
    if assessed_on is None:
        raise ValidationError({"assessed_on": "Enter the date of the assessment."})
    if assessed_on > _today():
        raise ValidationError({"assessed_on": "The date of the assessment must be today or in the past."})
    if assessed_on < assessment.period_end:
        raise ValidationError({"assessed_on": "The assessment is made once the period assessed has ended."})
    missing = missing_results(assessment)
    if missing:
        lines = [f"'{kpi.name}' has no rated result for {', '.join(str(p) for p in gaps[:3])}" for kpi, gaps in missing]
        raise ValidationError([f"{line}." for line in lines])
    assessment.status = PerformanceAssessment.Status.COMPLETE
    assessment.summary = summary.strip()
    assessment.assessed_on = assessed_on
    assessment.assessed_by = by
    _done_by(assessment, by)
    assessment.save(update_fields=["status", "summary", "assessed_on", "assessed_by", "updated_at"])
    return assessment


# --- Selectors ----------------------------------------------------------------------------------------------


def _active_kpi_count() -> Count:
    return Count("kpis", filter=Q(kpis__retired_on__isnull=True), distinct=True)


def contracts_missing_kpis(*, user: User | None) -> ContractQuerySet:
    """Live contracts the KPI duty applies to with fewer than three active KPIs (``active_kpis`` annotated).
    With ``user``, those they may see (a page); with None, every one (the dashboard's officer panel)."""
    return (
        (Contract.objects.all() if user is None else Contract.objects.visible_to(user))
        .filter(kpi_duty_q(), status=Contract.Status.LIVE)
        .annotate(active_kpis=_active_kpi_count())
        .filter(active_kpis__lt=MINIMUM_KPIS)
        .select_related("lead_provider", "contract_manager", "directorate")
        .order_by("reference")
    )


@dataclass(frozen=True)
class OverdueAssessment:
    contract: Contract
    due_on: date
    days_overdue: int
    kind: str


def _due_contracts(queryset: QuerySet[Contract]) -> Iterable[tuple[Contract, date]]:
    contracts = _with_due_facts(queryset.filter(kpi_duty_q()).exclude(status=Contract.Status.PIPELINE)).select_related(
        "lead_provider", "contract_manager", "backup_manager", "directorate"
    )
    for contract in contracts.order_by("reference"):
        due = _due(
            contract,
            last_end=contract.last_assessed_end,  # type: ignore[attr-defined]
            first_frozen=contract.first_frozen,  # type: ignore[attr-defined]
            ended_assessed=contract.termination_assessed,  # type: ignore[attr-defined]
        )
        if due is not None:
            yield contract, due


def assessments_overdue(*, user: User | None, today: date | None = None) -> list[OverdueAssessment]:
    """Contracts ``user`` may see (every one with None: the dashboard's officer panel) whose next assessment
    is past due, most overdue first, with how many days."""
    today = today or _today()
    overdue = [
        OverdueAssessment(
            contract=contract,
            due_on=due,
            days_overdue=(today - due).days,
            kind=PerformanceAssessment.Kind.TERMINATION if _ended_on(contract) else PerformanceAssessment.Kind.ANNUAL,
        )
        for contract, due in _due_contracts(
            Contract.objects.all() if user is None else Contract.objects.visible_to(user)
        )
        if due < today
    ]
    return sorted(overdue, key=lambda item: (item.due_on, item.contract.reference))


def assessment_alerts_due(*, today: date) -> list[tuple[Contract, str, date, str]]:
    """(contract, "assessment_due", due date, dedupe key) for every contract whose next assessment is due
    within 30 days or overdue: what the daily alert sweep sends (the key is the same for the same due date,
    so each is sent once)."""
    horizon = today + timedelta(days=ASSESSMENT_ALERT_DAYS)
    return [
        (contract, "assessment_due", due, f"assessment_due:{contract.pk}:{due.isoformat()}")
        for contract, due in _due_contracts(Contract.objects.all())
        if due <= horizon
    ]


@dataclass
class ContractPerformance:
    """What the contract's performance page shows."""

    contract: Contract
    duties: ContractDuties
    kpis: list[ContractKpi]
    retired_kpis: list[ContractKpi]
    frozen: bool
    missing_kpis: bool
    next_due: date | None
    assessments: list[PerformanceAssessment] = field(default_factory=list)

    @property
    def active_count(self) -> int:
        return len(self.kpis)


def contract_kpis(*, user: User) -> QuerySet[ContractKpi]:
    """KPIs ``user`` may see, with their contract and owner, each with its results latest first (``latest``
    is the first of ``results.all()``)."""
    return (
        ContractKpi.objects.visible_to(user)
        .select_related("contract", "owner", "changed_by")
        .prefetch_related(Prefetch("results", queryset=KpiResult.objects.order_by("-period_start")))
    )


def contract_performance(*, contract: Contract, user: User) -> ContractPerformance:
    """The KPIs (latest result first), the duty flags, the next assessment due and the assessments of one
    contract, in a fixed number of queries."""
    kpis = list(contract_kpis(user=user).filter(contract=contract).order_by("position", "pk"))
    for kpi in kpis:
        kpi.latest = next(iter(kpi.results.all()), None)  # type: ignore[attr-defined]
    active = [kpi for kpi in kpis if kpi.retired_on is None]
    duties = duties_for(contract)
    assessments = list(
        PerformanceAssessment.objects.visible_to(user).filter(contract=contract).select_related("assessed_by")
    )
    return ContractPerformance(
        contract=contract,
        duties=duties,
        kpis=active,
        retired_kpis=[kpi for kpi in kpis if kpi.retired_on is not None],
        frozen=any(kpi.frozen_on for kpi in kpis),
        missing_kpis=duties.kpis.applies and contract.status == Contract.Status.LIVE and len(active) < MINIMUM_KPIS,
        next_due=next_assessment_due(contract=contract),
        assessments=assessments,
    )


def kpi_results(*, user: User) -> QuerySet[KpiResult]:
    """Results ``user`` may see, with their KPI and contract."""
    return KpiResult.objects.visible_to(user).select_related("kpi__contract", "recorded_by")


def performance_assessments(*, user: User) -> QuerySet[PerformanceAssessment]:
    """Assessments ``user`` may see, with their contract."""
    return PerformanceAssessment.objects.visible_to(user).select_related("contract", "assessed_by")
