"""Reads of the contract register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DecimalField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissioning import roles
from commissioning.models import User
from commissioning.periods import financial_year_bounds, financial_year_label
from providers.models import CqcRating, CqcRatingValue, Location, Provider

from .duties import ContractDuties
from .models import Contract, ContractChange, ProcurementProject

NEEDS_DECISION_WINDOWS = (6, 12, 18)


def key_contracts_for_strategies(*, strategy_ids: list[int]) -> QuerySet[Contract]:
    """Key contracts (annual value £1m or more, or politically sensitive) of the given strategies,
    with the lead provider loaded: the highlight report's ten-column table."""
    return (
        Contract.objects.key()
        .filter(strategy_id__in=strategy_ids)
        .exclude(status__in=[Contract.Status.EXPIRED, Contract.Status.TERMINATED])
        .select_related("lead_provider")
        .order_by("strategy_id", "-annual_value", "reference")
    )


def contract_register(*, user) -> QuerySet[Contract]:
    """Every contract ``user`` may see, with what a register row shows loaded in the same query."""
    return (
        Contract.objects.visible_to(user)
        .with_is_key()
        .select_related("directorate", "strategy", "lead_provider", "contract_manager", "backup_manager")
        .order_by("end_date", "reference")
    )


def needs_decision_q(*, within_months: int, today: date) -> Q:
    """The rule of "needs a decision", once (the page, the API filter, the dashboard, the digest): live, no
    decision recorded, and a latest possible end date (after every extension option left) that has passed or
    falls within ``within_months`` of ``today``. A contract still live after its end is the most urgent case."""
    horizon = today + relativedelta(months=within_months)
    return Q(status=Contract.Status.LIVE, reprocurement_decision="", maximum_end_date__lte=horizon)


def contracts_needing_decision(*, within_months: int, today: date | None = None, user=None) -> QuerySet[Contract]:
    """Live contracts with no decision recorded whose latest possible end date has passed (first, the longest
    past first) or falls within the window. With ``user``, only those they may see (a page); without, every
    one (the weekly digest, the council dashboard's count)."""
    today = today or timezone.localdate()
    contracts = Contract.objects.all() if user is None else Contract.objects.visible_to(user)
    return (
        contracts.filter(needs_decision_q(within_months=within_months, today=today))
        .with_is_key()
        .select_related(
            "lead_provider", "directorate", "strategy__commissioning_lead", "contract_manager", "backup_manager"
        )
        .order_by("maximum_end_date", "reference")
    )


def running_past_end_for(*, end: date, today: date) -> str:
    """How long a contract has run past ``end``, as a person says it: "8 years 8 months", "3 weeks"."""
    span = relativedelta(today, end)
    parts = []
    if span.years:
        parts.append(f"{span.years} year{'s' if span.years != 1 else ''}")
    if span.months:
        parts.append(f"{span.months} month{'s' if span.months != 1 else ''}")
    if not parts:
        days = (today - end).days
        weeks = days // 7
        if weeks:
            return f"{weeks} week{'s' if weeks != 1 else ''}"
        return f"{days} day{'s' if days != 1 else ''}"
    return " ".join(parts)


@dataclass
class DecisionGroup:
    """One heading of the needs-a-decision page: running past its end, or ending within a window."""

    key: str
    heading: str
    contracts: list[Contract]


def needs_decision_groups(*, contracts: list[Contract], today: date) -> list[DecisionGroup]:
    """``contracts`` (ordered by latest possible end) under their headings: "Running past its end" first, each
    with ``running_past_for``; then ending within 6, 12 and 18 months. Groups with no contract are left out."""
    groups = [DecisionGroup("past_end", "Running past its end", [])] + [
        DecisionGroup(
            f"within_{months}",
            f"Ending within {months} months" if i == 0 else f"Ending in {previous} to {months} months",
            [],
        )
        for i, (previous, months) in enumerate(zip((0, *NEEDS_DECISION_WINDOWS), NEEDS_DECISION_WINDOWS, strict=False))
    ]
    for contract in contracts:
        end = contract.maximum_end_date
        if end < today:
            setattr(contract, "running_past_for", running_past_end_for(end=end, today=today))  # noqa: B010
            groups[0].contracts.append(contract)
            continue
        for group, months in zip(groups[1:], NEEDS_DECISION_WINDOWS, strict=True):
            if end <= today + relativedelta(months=months):
                group.contracts.append(contract)
                break
    return [group for group in groups if group.contracts]


@dataclass(frozen=True)
class NeedsDecisionCounts:
    past_end: int
    within: dict[int, int]  # months -> live contracts ending (not yet past) within that many months


def needs_decision_counts(*, today: date | None = None, user=None) -> NeedsDecisionCounts:
    """How many contracts need a decision: running past their end, and ending within 6, 12 and 18 months
    (each window counted from today, past-end ones not included). One query."""
    today = today or timezone.localdate()
    contracts = Contract.objects.all() if user is None else Contract.objects.visible_to(user)
    undecided = Q(status=Contract.Status.LIVE, reprocurement_decision="")
    windows = {
        f"within_{months}": Count(
            "pk",
            filter=Q(maximum_end_date__gte=today, maximum_end_date__lte=today + relativedelta(months=months)),
        )
        for months in NEEDS_DECISION_WINDOWS
    }
    row = contracts.filter(undecided).aggregate(past_end=Count("pk", filter=Q(maximum_end_date__lt=today)), **windows)
    return NeedsDecisionCounts(
        past_end=row["past_end"], within={months: row[f"within_{months}"] for months in NEEDS_DECISION_WINDOWS}
    )


def my_contracts(*, user, today: date | None = None) -> QuerySet[Contract]:
    """The live contracts ``user`` manages or stands in for as backup, those running past their latest
    possible end first (then by that end date)."""
    return (
        Contract.objects.visible_to(user)
        .filter(Q(contract_manager=user) | Q(backup_manager=user), status=Contract.Status.LIVE)
        .select_related("lead_provider", "contract_manager", "backup_manager")
        .order_by("maximum_end_date", "reference")
    )


def without_manager_q() -> Q:
    """Live contracts missing a named contract manager or a backup: flagged on their page and the register."""
    return Q(status=Contract.Status.LIVE) & (Q(contract_manager__isnull=True) | Q(backup_manager__isnull=True))


def duty_summary(duties: ContractDuties) -> str:
    """The register's "Procurement Act duties" cell: the notices and duties that apply, or "None"."""
    short = [
        label
        for label, duty in zip(
            ("KPIs", "annual assessment", "UK9", "breach notice", "UK10", "UK11"), duties.as_list(), strict=True
        )
        if duty.applies
    ]
    text = ", ".join(short)
    return text[:1].upper() + text[1:] if text else "None"


def _latest_rating(field: str):
    return Subquery(
        CqcRating.objects.filter(location=OuterRef("pk")).order_by("-published_on", "-pk").values(field)[:1]
    )


def _logged(relation: str) -> Any:
    """The model of what officers log against a contract (oversight's visits, concerns...), reached by
    the reverse relation so that contracts does not import the app above it."""
    model: Any = Contract._meta.get_field(relation).related_model
    return model._default_manager


def contract_detail(*, pk: int, user) -> Contract:
    """One contract ``user`` may see, with everything its page shows loaded up front: changes, pooled
    budgets, what officers logged against it, its locations' latest CQC ratings. Raises
    Contract.DoesNotExist."""
    locations = (
        Location.objects.select_related("provider")
        .annotate(latest_overall=_latest_rating("overall"), latest_published_on=_latest_rating("published_on"))
        .order_by("name")
    )
    contract = (
        Contract.objects.visible_to(user)
        .with_is_key()
        .annotate(parts_count=Count("parts"))
        .select_related(
            "part_of",
            "directorate",
            "strategy__commissioning_lead",
            "lead_provider",
            "contract_manager",
            "backup_manager",
            "predecessor",
        )
        .prefetch_related(
            Prefetch("successors", queryset=Contract.objects.order_by("reference")),
            Prefetch("other_providers", queryset=Provider.objects.order_by("name")),
            Prefetch("locations", queryset=locations),
            Prefetch(
                "changes",
                queryset=ContractChange.objects.select_related(
                    "from_provider", "to_provider", "recorded_by", "approved_by"
                ),
            ),
            "pooled_budgets",
            Prefetch("visits", queryset=_logged("visits").select_related("location", "officer")),
            Prefetch("concerns", queryset=_logged("concerns").visible_to(user).select_related("location")),
            Prefetch("sanctions", queryset=_logged("sanctions").select_related("location")),
            Prefetch("action_plans", queryset=_logged("action_plans").select_related("location")),
        )
        .get(pk=pk)
    )
    for location in contract.locations.all():
        overall = location.latest_overall
        location.latest_overall_label = CqcRatingValue(overall).label if overall else "Not rated"
    return contract


def contract_providers_with_risk(*, contract: Contract) -> list[Provider]:
    """The lead and other providers of a contract, each with its current risk level (one query)."""
    ids = {p.pk for p in contract.other_providers.all()}
    if contract.lead_provider_id:
        ids.add(contract.lead_provider_id)
    if not ids:
        return []
    providers = list(Provider.objects.with_current_risk().filter(pk__in=ids).order_by("name"))
    # The lead provider first: it is the one the register names.
    providers.sort(key=lambda p: p.pk != contract.lead_provider_id)
    return providers


def contract_officers() -> QuerySet[User]:
    """The people who may be named a contract's manager: active contract officers, by name."""
    return (
        User.objects.filter(is_active=True, groups__name=roles.CONTRACT_OFFICER)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- Procurement projects: the work plan, its figures and the pipeline notice -----------------------------------

CLOSED_STAGES = (ProcurementProject.Stage.DELIVERED, ProcurementProject.Stage.ABANDONED)
# Procurement Act 2023, s.93: an authority expecting to pay more than £100m under public contracts in the coming
# financial year publishes a pipeline notice (UK1) of each contract of £2m or more whose tender (or transparency)
# notice it expects to publish in the 18 months from the start of that year.
PIPELINE_NOTICE_SPEND_THRESHOLD = Decimal("100000000")
PIPELINE_NOTICE_CONTRACT_THRESHOLD = Decimal("2000000")
PIPELINE_NOTICE_MONTHS = 18


def work_plan_year_q(year: int) -> Q:
    """The projects on the work plan of financial year ``year``: an open project by the year its procurement
    starts (``planned_start``), a closed one (delivered or abandoned) by the year it closed (``completed_on``).
    The one definition of "year" the list page, its exports and the API filter share."""
    start, end = financial_year_bounds(year)
    closed = Q(stage__in=CLOSED_STAGES)
    return (closed & Q(completed_on__range=(start, end))) | (~closed & Q(planned_start__range=(start, end)))


def ongoing_on_q(day: date) -> Q:
    """Projects "LIVE and ongoing" on ``day``: past planning, started by then (``planned_start``, which a project
    under way always has), and not closed by then (not yet closed, or delivered or abandoned after it)."""
    return (
        ~Q(stage=ProcurementProject.Stage.PLANNED)
        & Q(planned_start__lte=day)
        & (Q(completed_on__isnull=True) | Q(completed_on__gt=day))
    )


@dataclass(frozen=True)
class WorkPlanFigures:
    """The annual report's procurement figures for a financial year (seed 001, sections 1.3 and 3.1)."""

    year: int
    delivered_count: int
    delivered_annual_value: Decimal
    delivered_whole_life_value: Decimal
    ongoing_on: date
    ongoing_count: int
    ongoing_annual_value: Decimal
    planned_count: int
    planned_annual_value: Decimal

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def planned_year(self) -> int:
        return self.year + 1

    @property
    def planned_label(self) -> str:
        return financial_year_label(self.year + 1)


def _money_sum(field: str, condition: Q) -> Coalesce:
    return Coalesce(
        Sum(field, filter=condition),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def work_plan_figures(
    *, year: int, user: Any = None, directorate: Any = None, today: date | None = None
) -> WorkPlanFigures:
    """The year's figures, counted in one SQL query:

    - delivered in ``year``: stage delivered with ``completed_on`` in the year; their count, estimated annual
      value and whole-life ("full contract") value;
    - LIVE and ongoing (``ongoing_on_q``) at the end of the year, or today while the year is under way (or yet
      to come): their count and estimated annual value;
    - planned for the year after: stage planned, ``planned_start`` in that year; count and estimated annual value.

    ``user`` limits them to the projects that user may see; ``directorate`` to one directorate's."""
    today = today or timezone.localdate()
    start, end = financial_year_bounds(year)
    next_start, next_end = financial_year_bounds(year + 1)
    on = min(end, today)
    projects = ProcurementProject.objects.all() if user is None else ProcurementProject.objects.visible_to(user)
    if directorate is not None:
        projects = projects.filter(directorate=directorate)
    delivered = Q(stage=ProcurementProject.Stage.DELIVERED, completed_on__range=(start, end))
    ongoing = ongoing_on_q(on)
    planned = Q(stage=ProcurementProject.Stage.PLANNED, planned_start__range=(next_start, next_end))
    row = projects.aggregate(
        delivered_count=Count("pk", filter=delivered),
        delivered_annual_value=_money_sum("estimated_annual_value", delivered),
        delivered_whole_life_value=_money_sum("whole_life_value", delivered),
        ongoing_count=Count("pk", filter=ongoing),
        ongoing_annual_value=_money_sum("estimated_annual_value", ongoing),
        planned_count=Count("pk", filter=planned),
        planned_annual_value=_money_sum("estimated_annual_value", planned),
    )
    return WorkPlanFigures(year=year, ongoing_on=on, **row)


def procurement_projects(*, user: Any) -> QuerySet[ProcurementProject]:
    """The work plan as ``user`` may see it, with what a row (page, export, API) shows loaded up front."""
    return (
        ProcurementProject.objects.visible_to(user)
        .select_related("directorate", "strategy", "lead_officer")
        .prefetch_related(
            Prefetch("replaces", queryset=Contract.objects.only("pk", "reference").order_by("reference")),
            Prefetch("resulting_contracts", queryset=Contract.objects.only("pk", "reference").order_by("reference")),
        )
        .order_by("reference")
    )


def _forward_plan_entries(user: Any) -> QuerySet:
    """The forward plan entries about projects (the scrutiny app's, reached by the reverse relation), as the
    user may read them."""
    model: Any = ProcurementProject._meta.get_field("forward_plan_entries").related_model
    manager = model._default_manager
    entries = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
    return entries.order_by("decision_due", "reference")


def procurement_project_detail(*, pk: int, user: Any) -> ProcurementProject:
    """One project ``user`` may see, with its replaced and resulting contracts and its forward plan entries.
    Raises ProcurementProject.DoesNotExist."""
    contracts = Contract.objects.select_related("lead_provider").order_by("reference")
    return (
        ProcurementProject.objects.visible_to(user)
        .select_related("directorate", "strategy", "lead_officer")
        .prefetch_related(
            Prefetch("replaces", queryset=contracts),
            Prefetch("resulting_contracts", queryset=contracts),
            Prefetch("forward_plan_entries", queryset=_forward_plan_entries(user)),
        )
        .get(pk=pk)
    )


def lead_officer_choices() -> QuerySet[User]:
    """The people who may lead a procurement: active council officers, by name."""
    return (
        User.objects.filter(
            is_active=True, groups__name__in=[roles.COMMISSIONER, roles.CONTRACT_OFFICER, roles.ADMINISTRATOR]
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


@dataclass(frozen=True)
class PipelineNotice:
    """What a pipeline notice (UK1) for a financial year needs, and whether the council must publish one."""

    year: int
    window_start: date
    window_end: date
    contracts_spend: Decimal
    projects_spend: Decimal
    projects: QuerySet[ProcurementProject]

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def expected_spend(self) -> Decimal:
        return self.contracts_spend + self.projects_spend

    @property
    def required(self) -> bool:
        return self.expected_spend > PIPELINE_NOTICE_SPEND_THRESHOLD


def pipeline_notice(*, year: int, user: Any) -> PipelineNotice:
    """The pipeline notice for financial year ``year`` (Procurement Act 2023, s.93).

    Expected spend in the year, the rule used here: the annual value of every contract on the register live on
    any day of the year (its start to its current end date overlaps the year; contracts still in procurement
    are left out, and so is a key-contract row standing for contracts of its own on the register, which are
    counted instead; a contract's annual value counts in full), plus the estimated annual value of the projects
    going live in the year (``go_live_date`` in the year, not abandoned, and with no resulting contract linked
    yet: once linked, their contracts are counted instead). The notice is required if that is more than £100m.

    The projects listed: not abandoned, estimated whole-life value of £2m or more, and an expected tender notice
    date in the 18 months from the start of the year (1 April of the year to 30 September of the next), with
    the fields UK1 asks for loaded (lead officer's contact details too). Two aggregate queries, and the list."""
    start, end = financial_year_bounds(year)
    window_end = start + relativedelta(months=PIPELINE_NOTICE_MONTHS) - timedelta(days=1)
    money = DecimalField(max_digits=16, decimal_places=2)
    contracts_spend = (
        Contract.objects.exclude(status=Contract.Status.PIPELINE)
        .counted()
        .filter(start_date__lte=end, end_date__gte=start)
        .aggregate(total=Coalesce(Sum("annual_value"), Value(Decimal("0")), output_field=money))["total"]
    )
    linked = ProcurementProject.resulting_contracts.through.objects.filter(procurementproject_id=OuterRef("pk"))
    projects_spend = (
        ProcurementProject.objects.exclude(stage=ProcurementProject.Stage.ABANDONED)
        .filter(go_live_date__range=(start, end))
        .exclude(Exists(linked))
        .aggregate(total=Coalesce(Sum("estimated_annual_value"), Value(Decimal("0")), output_field=money))["total"]
    )
    projects = (
        ProcurementProject.objects.visible_to(user)
        .exclude(stage=ProcurementProject.Stage.ABANDONED)
        .filter(
            whole_life_value__gte=PIPELINE_NOTICE_CONTRACT_THRESHOLD,
            tender_notice_date__range=(start, window_end),
        )
        .select_related("directorate", "lead_officer")
        .order_by("tender_notice_date", "reference")
    )
    return PipelineNotice(
        year=year,
        window_start=start,
        window_end=window_end,
        contracts_spend=contracts_spend,
        projects_spend=projects_spend,
        projects=projects,
    )
