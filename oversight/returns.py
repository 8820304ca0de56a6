"""Contract returns (seed 002): the services that write them and the selectors that read them.

"All staff responsible for contract management are required to inform Children's Commissioning of the overall
risk rating and contract performance for that contract on a monthly basis." Each **managed contract** (a live
contract with a named contract manager, not a call-off reported in its framework's return) has a return due for
each month it runs, or for each quarter when the contract is low risk and small:

* **Frequency** (``return_frequency_for``): **quarterly** when the lead provider's current risk level is Low
  (``Provider.objects.with_current_risk``) *and* the contract's annual value is under
  ``settings.CONTRACT_RETURN_QUARTERLY_BELOW`` (default £100,000); **monthly** otherwise, including contracts with
  no lead provider or a provider not yet assessed. Quarters are the financial quarters (April, July, October,
  January): a contract moving to quarterly returns carries on monthly until the next quarter starts.
* **Schedule** (``returns_schedule``, run daily by the beat task): a return is made due once its period has
  ended, due by the last day of the month after it (a return for March is due by 30 April; the month's
  contract review meeting reads them), or ``settings.CONTRACT_RETURN_DUE_DAYS`` days after the period's last day
  when that is set. A contract's
  returns follow on from its latest one; a contract with none starts with last month's period (or ``since``),
  never before the contract started. Idempotent: one return per contract and period start.
* **Submitting** (``contract_return_submit``): the RAG risk rating, the JET score (``oversight.grading``) with its
  strengths and weaknesses (a weakness has its severity; the score must fit the worst weakness recorded, as the
  JET guidance says), commentary; the KPI descriptor is computed from the contract's KPI results for the period.
  A return is submitted once. Submitting derives the contract's older Good / Average / Poor field
  (``Contract.performance``) from the grade of its latest submitted return.
* **Chasing** (``contract_returns_chase``, the daily beat task): a return overdue by
  ``settings.CONTRACT_RETURN_CHASE_AFTER_DAYS`` days (default 5) e-mails its contract manager and backup through
  the core notifications, then again every ``settings.CONTRACT_RETURN_CHASE_EVERY_DAYS`` days (default 5) until it
  is submitted; each chase is recorded on the return (``chased_on``, ``chase_count``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commissioning import permissions
from commissioning.achievement import Polarity
from commissioning.models import User
from commissioning.notifications import notify
from contracts.models import Contract
from providers.models import Provider, RiskLevel

from . import grading
from .models import ContractKpi, ContractReturn, KpiRating, KpiResult, Rag, ReturnFinding

__all__ = [
    "CHASE_KIND",
    "DirectorateReturns",
    "ReturnsReport",
    "contract_return_record_chase",
    "contract_return_open",
    "contract_return_submit",
    "contract_returns_submit_many",
    "contract_returns_chase",
    "grade_distribution_now",
    "grade_history",
    "kpi_descriptor_for",
    "managed_contracts",
    "return_frequency_for",
    "return_initial",
    "kpi_ratings_over_year",
    "outstanding_returns_of",
    "returns_due_for",
    "returns_for",
    "returns_worklist",
    "returns_report",
    "returns_schedule",
    "returns_schedule_all",
    "returns_to_chase",
]

CHASE_KIND = "oversight.contract_return_overdue"
QUARTER_STARTS = (1, 4, 7, 10)


def _today() -> date:
    return timezone.localdate()


def quarterly_below() -> Decimal:
    return Decimal(str(getattr(settings, "CONTRACT_RETURN_QUARTERLY_BELOW", "100000")))


def due_on_for(period_end: date) -> date:
    """When a return for a period ending ``period_end`` is due."""
    days = getattr(settings, "CONTRACT_RETURN_DUE_DAYS", None)
    if days:
        return period_end + timedelta(days=int(days))
    return period_end + timedelta(days=1) + relativedelta(months=1) - timedelta(days=1)


def chase_after_days() -> int:
    return int(getattr(settings, "CONTRACT_RETURN_CHASE_AFTER_DAYS", 5))


def chase_every_days() -> int:
    return int(getattr(settings, "CONTRACT_RETURN_CHASE_EVERY_DAYS", chase_after_days()))


# --- Which contracts, how often ----------------------------------------------------------------------------


def managed_contracts() -> QuerySet[Contract]:
    """Live contracts with a named contract manager: those that make returns. A call-off recorded as part of a
    framework or agreement (``Contract.part_of``) is reported in its framework's return, not one of its own."""
    return Contract.objects.filter(status=Contract.Status.LIVE, contract_manager__isnull=False, part_of__isnull=True)


def _frequency(*, risk_level: str | None, annual_value: Decimal) -> str:
    if risk_level == RiskLevel.LOW and annual_value < quarterly_below():
        return ContractReturn.Frequency.QUARTERLY
    return ContractReturn.Frequency.MONTHLY


def _lead_risk(today: date) -> Subquery:
    return Subquery(
        Provider.objects.with_current_risk(today)
        .filter(pk=OuterRef("lead_provider_id"))
        .values("current_risk_level")[:1]
    )


def return_frequency_for(contract: Contract, *, today: date | None = None) -> str:
    """Monthly, or quarterly for a contract whose lead provider is Low risk today and whose annual value is under
    ``CONTRACT_RETURN_QUARTERLY_BELOW`` (``ContractReturn.Frequency`` value)."""
    risk = None
    if contract.lead_provider_id:
        risk = (
            Provider.objects.with_current_risk(today or _today())
            .filter(pk=contract.lead_provider_id)
            .values_list("current_risk_level", flat=True)
            .first()
        )
    return _frequency(risk_level=risk, annual_value=contract.annual_value)


def _period(start: date, frequency: str) -> tuple[date, date, str]:
    """The period beginning ``start`` (a month's first day): a quarter only when quarterly and it starts one."""
    if frequency == ContractReturn.Frequency.QUARTERLY and start.month in QUARTER_STARTS:
        return start, start + relativedelta(months=3) - timedelta(days=1), frequency
    return start, start + relativedelta(months=1) - timedelta(days=1), ContractReturn.Frequency.MONTHLY


def _due_returns(
    *, contract: Contract, frequency: str, latest_end: date | None, today: date, since: date | None
) -> list[ContractReturn]:
    if latest_end is not None:
        cursor = latest_end + timedelta(days=1)
    else:
        first = since or (today.replace(day=1) - relativedelta(months=1))
        cursor = max(first, contract.start_date).replace(day=1)
    made = []
    while cursor <= contract.end_date:
        start, end, kind = _period(cursor, frequency)
        if end >= today:
            break
        made.append(
            ContractReturn(
                contract=contract,
                frequency=kind,
                period_start=start,
                period_end=end,
                due_on=due_on_for(end),
            )
        )
        cursor = end + timedelta(days=1)
    return made


def returns_schedule(
    *, contract: Contract, today: date | None = None, since: date | None = None
) -> list[ContractReturn]:
    """Make due the returns of ``contract`` whose periods have ended by ``today`` and are not yet due (none for a
    contract that is not managed). Idempotent. Returns the returns made."""
    today = today or _today()
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if not managed_contracts().filter(pk=contract.pk).exists():
            return []
        latest = contract.returns.order_by("-period_end").values_list("period_end", flat=True).first()
        made = _due_returns(
            contract=contract,
            frequency=return_frequency_for(contract, today=today),
            latest_end=latest,
            today=today,
            since=since,
        )
        return bulk_create_with_history(made, ContractReturn, batch_size=500) if made else []


@transaction.atomic
def contract_return_open(
    *,
    contract: Contract,
    period_start: date,
    by: User | None,
    frequency: str = ContractReturn.Frequency.MONTHLY,
    today: date | None = None,
) -> ContractReturn:
    """Open one return of ``contract`` for the month (or financial quarter) starting ``period_start``, whatever its
    schedule: a return asked for outside the monthly round (a devolved contract, a past period being caught up).
    The period must have ended and have no return yet."""
    today = today or _today()
    if by is not None:
        permissions.require(by, "oversight.add_contractreturn", contract)
    if frequency not in ContractReturn.Frequency.values:
        raise ValidationError({"frequency": "A return covers a month or a quarter."})
    if period_start.day != 1 or (
        frequency == ContractReturn.Frequency.QUARTERLY and period_start.month not in QUARTER_STARTS
    ):
        raise ValidationError({"period_start": "A return starts on the first day of a month or financial quarter."})
    start, end, kind = _period(period_start, frequency)
    if end >= today:
        raise ValidationError({"period_start": "A return is made once the period it covers has ended."})
    if ContractReturn.objects.filter(contract=contract, period_start=start).exists():
        raise ValidationError({"period_start": "The contract already has a return for this period."})
    ret = ContractReturn(contract=contract, frequency=kind, period_start=start, period_end=end, due_on=due_on_for(end))
    ret._history_user = by  # type: ignore[attr-defined]
    ret.save()
    return ret


@transaction.atomic
def returns_schedule_all(*, today: date | None = None, since: date | None = None) -> int:
    """Make due every managed contract's returns (``returns_schedule``'s rule, in a few queries). Returns how
    many were made."""
    today = today or _today()
    contracts = managed_contracts().annotate(
        lead_risk=_lead_risk(today),
        latest_end=Subquery(
            ContractReturn.objects.filter(contract=OuterRef("pk")).order_by("-period_end").values("period_end")[:1]
        ),
    )
    made: list[ContractReturn] = []
    for contract in contracts:
        frequency = _frequency(risk_level=contract.lead_risk, annual_value=contract.annual_value)
        made += _due_returns(
            contract=contract, frequency=frequency, latest_end=contract.latest_end, today=today, since=since
        )
    if made:
        bulk_create_with_history(made, ContractReturn, batch_size=500)
    return len(made)


# --- The KPI descriptor ------------------------------------------------------------------------------------


def _position(result: KpiResult) -> str | None:
    """ "above", "on" or "under" target; None for a result rated Other (no value) or not rated."""
    if not result.rating or result.rating == KpiRating.OTHER:
        return None
    if result.rating != KpiRating.GOOD:
        return "under"
    if result.value is None or result.value == result.kpi.target:
        return "on"
    better = result.value > result.kpi.target
    if result.kpi.polarity == Polarity.LOWER_IS_BETTER:
        better = result.value < result.kpi.target
    return "above" if better else "on"


def kpi_descriptor_for(*, contract: Contract, period_start: date, period_end: date) -> grading.KpiDescriptor:
    """The KPI descriptor of a contract for a period: from each KPI in force in the period, its rated result for a
    reporting period overlapping it or, failing that, its latest result of the 12 months before it."""
    kpis = list(
        ContractKpi.objects.filter(contract=contract)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gte=period_start))
        .values_list("pk", flat=True)
    )
    if not kpis:
        return grading.kpi_descriptor(has_kpis=False, above=0, on=0, under=0)
    results: dict[int, list[KpiResult]] = defaultdict(list)
    for result in (
        KpiResult.objects.filter(
            kpi_id__in=kpis, period_start__lte=period_end, period_end__gte=period_start - relativedelta(months=12)
        )
        .select_related("kpi")
        .order_by("kpi_id", "-period_end")
    ):
        results[result.kpi_id].append(result)
    return _descriptor(kpis, results, period_start=period_start, period_end=period_end)


def _descriptor(
    kpis: list[int], results: Mapping[int, list[KpiResult]], *, period_start: date, period_end: date
) -> grading.KpiDescriptor:
    """The rule: for each KPI in force, its rated result for a period overlapping the return's, else its latest in
    the 12 months before (``results`` latest first, each within that window or any; filtered here)."""
    if not kpis:
        return grading.kpi_descriptor(has_kpis=False, above=0, on=0, under=0)
    window_start = period_start - relativedelta(months=12)
    chosen: dict[int, KpiResult] = {}
    for pk in kpis:
        for result in results.get(pk, []):
            if result.period_start > period_end or result.period_end < window_start:
                continue
            held = chosen.get(pk)
            overlaps = result.period_end >= period_start
            if held is None or (overlaps and held.period_end < period_start):
                chosen[pk] = result
    counts = Counter(_position(result) for result in chosen.values())
    return grading.kpi_descriptor(has_kpis=True, above=counts["above"], on=counts["on"], under=counts["under"])


# --- Submitting ---------------------------------------------------------------------------------------------


def return_initial(contract_return: ContractReturn) -> dict[str, Any]:
    """What the return's form starts from: the contract's last submitted return before it (its RAG risk rating,
    JET score and commentary), or nothing."""
    previous = (
        ContractReturn.objects.submitted()
        .filter(contract_id=contract_return.contract_id, period_start__lt=contract_return.period_start)
        .order_by("-period_start")
        .first()
    )
    if previous is None:
        return {}
    return {
        "risk_rating": previous.risk_rating,
        "jet_score": previous.jet_score,
        "commentary": previous.commentary,
        "previous": previous,
    }


def _clean_findings(findings: Iterable[Mapping[str, Any]]) -> tuple[list[ReturnFinding], list[str]]:
    made, problems = [], []
    for number, item in enumerate(findings, start=1):
        kind = str(item.get("kind") or "")
        severity = str(item.get("severity") or "")
        text = str(item.get("text") or "").strip()
        if kind not in ReturnFinding.Kind.values:
            problems.append(f"Finding {number}: say whether it is a strength or a weakness.")
            continue
        if not text:
            problems.append(f"Finding {number}: describe the {kind}.")
            continue
        if kind == ReturnFinding.Kind.WEAKNESS and severity not in ReturnFinding.Severity.values:
            problems.append(f"Finding {number}: say whether the weakness is minor, moderate or major.")
            continue
        if kind == ReturnFinding.Kind.STRENGTH and severity:
            problems.append(f"Finding {number}: only a weakness has a severity.")
            continue
        made.append(ReturnFinding(kind=kind, severity=severity, text=text, position=number))
    return made, problems


def _derive_performance(contract: Contract, by: User | None) -> None:
    """``Contract.performance`` from the grade of the contract's latest submitted return (the one place it is
    set)."""
    latest = (
        ContractReturn.objects.submitted()
        .filter(contract=contract)
        .order_by("-period_start")
        .values_list("jet_score", flat=True)
        .first()
    )
    derived = grading.performance_for_grade(grading.grade_for(latest)) if latest else "not_assessed"
    contract = Contract.objects.get(pk=contract.pk)
    if contract.performance != derived:
        contract.performance = derived
        contract._history_user = by  # type: ignore[attr-defined]
        contract.save(update_fields=["performance", "updated_at"])


@transaction.atomic
def contract_return_submit(
    *,
    contract_return: ContractReturn,
    by: User | None,
    risk_rating: str,
    jet_score: int | None,
    commentary: str = "",
    findings: Iterable[Mapping[str, Any]] = (),
    today: date | None = None,
) -> ContractReturn:
    """Submit a contract return: the RAG risk rating, the JET score (1–9), commentary and the strengths and
    weaknesses (``findings``: ``{"kind": "strength"|"weakness", "severity": "minor"|"moderate"|"major" for a
    weakness, "text": ...}``). The score must fit the worst weakness (grading.severity_problem). The KPI
    descriptor is computed for the period, and the contract's Good / Average / Poor field derived from its latest
    return's grade. ``by`` None is the demo's and the loaders' own submission."""
    today = today or _today()
    ret = ContractReturn.objects.select_for_update(of=("self",)).select_related("contract").get(pk=contract_return.pk)
    if by is not None:
        permissions.require(by, "oversight.change_contractreturn", ret)
    made = _check_submission(ret, risk_rating=risk_rating, jet_score=jet_score, findings=findings, today=today)
    assert jet_score is not None  # _check_submission refused any other
    _fill(ret, by=by, risk_rating=risk_rating, jet_score=jet_score, commentary=commentary, today=today)
    ret.kpi_descriptor = kpi_descriptor_for(
        contract=ret.contract, period_start=ret.period_start, period_end=ret.period_end
    ).text
    ret._history_user = by  # type: ignore[attr-defined]
    ret.save()
    for finding in made:
        finding.contract_return = ret
    ReturnFinding.objects.bulk_create(made)
    _derive_performance(ret.contract, by)
    return ret


def _fill(
    ret: ContractReturn, *, by: User | None, risk_rating: str, jet_score: int, commentary: str, today: date
) -> None:
    ret.risk_rating = risk_rating
    ret.jet_score = jet_score
    ret.commentary = commentary.strip()
    ret.submitted_on = today
    ret.submitted_by = by


def _check_submission(
    ret: ContractReturn, *, risk_rating: str, jet_score: Any, findings: Iterable[Mapping[str, Any]], today: date
) -> list[ReturnFinding]:
    """The submission's rules, once for the page, the API and the loaders: ValidationError by field, or the
    findings to record."""
    if ret.submitted_on is not None:
        raise ValidationError(
            {"submitted_on": f"This return was submitted on {ret.submitted_on:%d/%m/%Y}: it cannot be submitted again."}
        )
    errors: dict[str, list[str]] = defaultdict(list)
    if risk_rating not in Rag.values:
        errors["risk_rating"].append("Choose the risk rating: Red, Amber or Green.")
    if not isinstance(jet_score, int) or isinstance(jet_score, bool) or jet_score not in grading.JET_SCALE:
        errors["jet_score"].append("Choose a JET score from 1 (Poor) to 9 (Exceptional).")
        jet_score = None
    made, problems = _clean_findings(findings)
    errors["findings"] += problems
    if jet_score is not None and not problems:
        problem = grading.severity_problem(jet_score, [f.severity for f in made if f.kind == "weakness"])
        if problem:
            errors["jet_score"].append(problem)
    if today < ret.period_end:
        errors["submitted_on"].append("A return is submitted once the period it covers has ended.")
    if any(errors.values()):
        raise ValidationError({name: messages for name, messages in errors.items() if messages})
    return made


@dataclass(frozen=True)
class ReturnSubmission:
    """One return's submission for ``contract_returns_submit_many``: the same fields as ``contract_return_submit``."""

    contract_return: ContractReturn
    risk_rating: str
    jet_score: int
    commentary: str = ""
    findings: tuple[Mapping[str, Any], ...] = ()
    submitted_on: date | None = None  # the day it was submitted (default today)
    submitted_by: User | None = None  # who submitted it, when a loader (``by`` None) names them


@transaction.atomic
def contract_returns_submit_many(*, submissions: list[ReturnSubmission], by: User | None) -> int:
    """Submit many returns at once (the demo's and a loader's): each checked by ``contract_return_submit``'s rules
    and its permission, then saved in batches with their history; the KPI descriptors and the contracts' derived
    Good / Average / Poor field as one submission would set them. A refusal names the return. Returns how many."""
    pks = [s.contract_return.pk for s in submissions]
    rows = {
        r.pk: r
        for r in ContractReturn.objects.select_for_update(of=("self",)).select_related("contract").filter(pk__in=pks)
    }
    saved: list[ContractReturn] = []
    found: list[ReturnFinding] = []
    for submission in submissions:
        ret = rows[submission.contract_return.pk]
        if by is not None:
            permissions.require(by, "oversight.change_contractreturn", ret)
        day = submission.submitted_on or _today()
        try:
            made = _check_submission(
                ret,
                risk_rating=submission.risk_rating,
                jet_score=submission.jet_score,
                findings=submission.findings,
                today=day,
            )
        except ValidationError as error:
            raise ValidationError({f"return {ret}": error.messages}) from error
        _fill(
            ret,
            by=submission.submitted_by or by,
            risk_rating=submission.risk_rating,
            jet_score=submission.jet_score,
            commentary=submission.commentary,
            today=day,
        )
        for finding in made:
            finding.contract_return = ret
        found += made
        saved.append(ret)
    _descriptors_apply(saved)
    bulk_update_with_history(
        saved,
        ContractReturn,
        ["risk_rating", "jet_score", "commentary", "kpi_descriptor", "submitted_on", "submitted_by"],
        batch_size=500,
        default_user=by,
    )
    ReturnFinding.objects.bulk_create(found, batch_size=1000)
    _derive_performance_many({ret.contract_id for ret in saved}, by)
    return len(saved)


def _descriptors_apply(rets: list[ContractReturn]) -> None:
    """Set each return's KPI descriptor as ``kpi_descriptor_for`` would, in two queries for them all."""
    if not rets:
        return
    contract_ids = {r.contract_id for r in rets}
    kpis_of: dict[int, list[tuple[int, date | None]]] = defaultdict(list)
    for pk, contract_id, retired_on in ContractKpi.objects.filter(contract_id__in=contract_ids).values_list(
        "pk", "contract_id", "retired_on"
    ):
        kpis_of[contract_id].append((pk, retired_on))
    earliest = min(r.period_start for r in rets) - relativedelta(months=12)
    latest = max(r.period_end for r in rets)
    results_of: dict[int, list[KpiResult]] = defaultdict(list)
    if kpis_of:
        for result in (
            KpiResult.objects.filter(
                kpi__contract_id__in=list(kpis_of), period_start__lte=latest, period_end__gte=earliest
            )
            .select_related("kpi")
            .order_by("kpi_id", "-period_end")
        ):
            results_of[result.kpi_id].append(result)
    for ret in rets:
        in_force = [
            pk for pk, retired in kpis_of.get(ret.contract_id, []) if retired is None or retired >= ret.period_start
        ]
        ret.kpi_descriptor = _descriptor(
            in_force,
            {pk: results_of.get(pk, []) for pk in in_force},
            period_start=ret.period_start,
            period_end=ret.period_end,
        ).text


def _derive_performance_many(contract_ids: set[int], by: User | None) -> None:
    """``_derive_performance`` for many contracts: two queries and one batch of saves with history."""
    latest = (
        ContractReturn.objects.submitted().filter(contract=OuterRef("pk")).order_by("-period_start").values("jet_score")
    )
    changed = []
    for contract in Contract.objects.filter(pk__in=contract_ids).annotate(latest_score=Subquery(latest[:1])):
        score = contract.latest_score
        derived = grading.performance_for_grade(grading.grade_for(score)) if score else "not_assessed"
        if contract.performance != derived:
            contract.performance = derived
            changed.append(contract)
    if changed:
        bulk_update_with_history(changed, Contract, ["performance"], batch_size=500, default_user=by)


# --- Chasing ------------------------------------------------------------------------------------------------


def returns_to_chase(*, today: date | None = None) -> QuerySet[ContractReturn]:
    """Returns overdue by CHASE_AFTER_DAYS or more, not chased in the last CHASE_EVERY_DAYS."""
    today = today or _today()
    return (
        ContractReturn.objects.outstanding()
        .filter(due_on__lte=today - timedelta(days=chase_after_days()))
        .filter(Q(chased_on__isnull=True) | Q(chased_on__lte=today - timedelta(days=chase_every_days())))
        .select_related("contract__contract_manager", "contract__backup_manager")
        .order_by("due_on", "pk")
    )


@transaction.atomic
def contract_return_record_chase(*, contract_return: ContractReturn, on: date) -> ContractReturn:
    """Record that an overdue return was chased on ``on`` (the chasing task's)."""
    ret = ContractReturn.objects.select_for_update().get(pk=contract_return.pk)
    if ret.submitted_on is not None:
        raise ValidationError({"chased_on": "A submitted return is not chased."})
    ret.chased_on = on
    ret.chase_count += 1  # the row is locked: no lost update
    ret.save(update_fields=["chased_on", "chase_count", "updated_at"])
    return ret


def contract_returns_chase(*, today: date | None = None) -> int:
    """E-mail (through the core notifications) the contract manager and backup of each return overdue by
    CHASE_AFTER_DAYS, once per CHASE_EVERY_DAYS, and record the chase. Returns how many returns were chased."""
    today = today or _today()
    chased = 0
    for ret in returns_to_chase(today=today):
        people = [u for u in (ret.contract.contract_manager, ret.contract.backup_manager) if u is not None]
        with transaction.atomic():
            if people:
                notify(
                    recipients=people,
                    kind=CHASE_KIND,
                    subject="A contract return is overdue",
                    link=ret.get_absolute_url(),
                    dedupe_key=f"contract-return-chase:{ret.pk}:{ret.chase_count + 1}",
                )
            contract_return_record_chase(contract_return=ret, on=today)
        chased += 1
    return chased


# --- Reads --------------------------------------------------------------------------------------------------


def _listed(queryset: QuerySet[ContractReturn]) -> QuerySet[ContractReturn]:
    return queryset.select_related(
        "contract__lead_provider", "contract__directorate", "contract__contract_manager", "submitted_by"
    )


def returns_due_for(*, user: User, today: date | None = None) -> QuerySet[ContractReturn]:
    """The returns not yet submitted of the contracts ``user`` manages or backs up (live ones), overdue first."""
    return _listed(
        ContractReturn.objects.visible_to(user)
        .outstanding()
        .filter(Q(contract__contract_manager=user) | Q(contract__backup_manager=user))
        .filter(contract__status=Contract.Status.LIVE)
    ).order_by("due_on", "contract__reference")


def returns_for(*, user: User, mine: bool = True) -> QuerySet[ContractReturn]:
    """Every return ``user`` may see, or only those of the contracts they manage or back up."""
    queryset = ContractReturn.objects.visible_to(user)
    if mine:
        queryset = queryset.filter(Q(contract__contract_manager=user) | Q(contract__backup_manager=user))
    return _listed(queryset)


def returns_worklist(*, user: User, mine: bool = True) -> QuerySet[ContractReturn]:
    """The returns list page's: ``returns_for``'s, of live contracts only (an ended contract's returns stay on its
    grade history and in the API, not on an officer's list of work)."""
    return returns_for(user=user, mine=mine).filter(contract__status=Contract.Status.LIVE)


def kpi_ratings_over_year(*, contract: Contract, user: User, today: date) -> dict[str, int]:
    """How many of the contract's KPI results ending in the 12 months to ``today`` (that ``user`` may see) have
    each statutory rating (``KpiRating`` value → count); unrated results are not counted."""
    return dict(
        KpiResult.objects.visible_to(user)
        .filter(kpi__contract=contract, period_end__gte=today - timedelta(days=365))
        .exclude(rating="")
        .values_list("rating")
        .annotate(n=Count("pk"))
        .order_by()
    )


def outstanding_returns_of(*, contract: Contract, user: User) -> QuerySet[ContractReturn]:
    """The contract's returns not yet submitted (that ``user`` may see), the earliest due first."""
    return ContractReturn.objects.visible_to(user).outstanding().filter(contract=contract).order_by("due_on")


def grade_history(contract: Contract, *, user: User | None = None) -> QuerySet[ContractReturn]:
    """The contract's submitted returns, latest period first, with their strengths and weaknesses."""
    queryset = ContractReturn.objects.visible_to(user) if user is not None else ContractReturn.objects.all()
    return (
        queryset.submitted()
        .filter(contract=contract)
        .select_related("submitted_by")
        .prefetch_related(Prefetch("findings", queryset=ReturnFinding.objects.order_by("kind", "position", "pk")))
        .order_by("-period_start")
    )


@dataclass
class GradeDistribution:
    grades: dict[str, int]  # JetGrade value → contracts
    rag: dict[str, int]  # Rag value → contracts
    total: int

    @property
    def grade_rows(self) -> list[tuple[str, int]]:
        return [(g.label, self.grades.get(g.value, 0)) for g in grading.GRADE_ORDER]

    @property
    def rag_rows(self) -> list[tuple[str, int]]:
        return [(r.label, self.rag.get(r.value, 0)) for r in Rag]


def grade_distribution_now(*, user: User | None = None) -> GradeDistribution:
    """Live contracts by the grade and RAG rating of their latest submitted return (those ``user`` may see; None:
    every contract, for the council dashboard's officer audience). One query."""
    latest = (
        ContractReturn.objects.submitted().filter(contract=OuterRef("contract")).order_by("-period_start").values("pk")
    )
    base = ContractReturn.objects.visible_to(user) if user is not None else ContractReturn.objects.all()
    rows = (
        base.submitted()
        .filter(contract__status=Contract.Status.LIVE, pk=Subquery(latest[:1]))
        .values("jet_score", "risk_rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grades: Counter[str] = Counter()
    rag: Counter[str] = Counter()
    for row in rows:
        grades[grading.grade_for(row["jet_score"])] += row["n"]
        rag[row["risk_rating"]] += row["n"]
    return GradeDistribution(grades=dict(grades), rag=dict(rag), total=sum(grades.values()))


@dataclass
class DirectorateReturns:
    directorate: str
    submitted: int = 0
    overdue: int = 0
    due: int = 0
    rag: Counter[str] = field(default_factory=Counter)
    grades: Counter[str] = field(default_factory=Counter)
    fell: list[ContractReturn] = field(default_factory=list)

    @property
    def rag_rows(self) -> list[tuple[str, int]]:
        return [(r.label, self.rag.get(r.value, 0)) for r in Rag]

    @property
    def grade_rows(self) -> list[tuple[str, int]]:
        return [(g.label, self.grades.get(g.value, 0)) for g in grading.GRADE_ORDER]


@dataclass
class ReturnsReport:
    month: date
    directorates: list[DirectorateReturns]
    total: DirectorateReturns


def returns_report(*, user: User, month: date, today: date | None = None) -> ReturnsReport:
    """The assistant director's monthly report: for the returns covering ``month``, per directorate, how many were
    submitted and how many are overdue (on ``today``), their RAG ratings, the grade distribution, and the
    contracts whose grade fell from their previous submitted return. Two queries."""
    today = today or _today()
    month = month.replace(day=1)
    month_end = month + relativedelta(months=1) - timedelta(days=1)
    previous = (
        ContractReturn.objects.submitted()
        .filter(contract=OuterRef("contract"), period_start__lt=OuterRef("period_start"))
        .order_by("-period_start")
        .values("jet_score")[:1]
    )
    rows = (
        ContractReturn.objects.visible_to(user)
        .filter(period_start__lte=month_end, period_end__gte=month)
        .select_related("contract__directorate", "contract__lead_provider")
        .annotate(previous_score=Subquery(previous))
        .order_by("contract__directorate__name", "contract__reference")
    )
    by_directorate: dict[str, DirectorateReturns] = {}
    total = DirectorateReturns(directorate="All directorates")
    rank = {g.value: i for i, g in enumerate(grading.GRADE_ORDER)}
    for ret in rows:
        name = ret.contract.directorate.name
        entry = by_directorate.setdefault(name, DirectorateReturns(directorate=name))
        for target in (entry, total):
            if ret.submitted_on is not None:
                target.submitted += 1
                target.rag[ret.risk_rating] += 1
                target.grades[ret.grade] += 1
            elif ret.due_on < today:
                target.overdue += 1
            else:
                target.due += 1
        before = grading.grade_for(ret.previous_score) if ret.jet_score and ret.previous_score else None
        if before is not None and rank[ret.grade] > rank[before]:
            ret.previous_grade_label = grading.JetGrade(before).label
            entry.fell.append(ret)
            total.fell.append(ret)
    return ReturnsReport(month=month, directorates=list(by_directorate.values()), total=total)
