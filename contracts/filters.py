"""FilterSets of the contract register, shared by the register page, its exports and the API."""

from decimal import Decimal

import django_filters as filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from commissioning.listing import GovDateFilter, GovFilterSet
from commissioning.models import Directorate
from commissioning.periods import financial_year_choices, financial_year_of
from providers.models import Provider

from .models import Contract, ProcurementProject
from .selectors import NEEDS_DECISION_WINDOWS, contract_officers, needs_decision_q, without_manager_q, work_plan_year_q

# Annual value bands as (code, label, lower bound inclusive, upper bound exclusive).
VALUE_BANDS = [
    ("under_100k", "Under £100,000", None, Decimal("100000")),
    ("100k_1m", "£100,000 to £1m", Decimal("100000"), Decimal("1000000")),
    ("1m_5m", "£1m to £5m", Decimal("1000000"), Decimal("5000000")),
    ("over_5m", "£5m and over", Decimal("5000000"), None),
]

SORT_FIELDS = (
    ("reference", "reference"),
    ("title", "title"),
    ("lead_provider__name", "provider"),
    ("end_date", "end_date"),
    ("maximum_end_date", "maximum_end_date"),
    ("annual_value", "annual_value"),
)


def _strategies(request=None):
    # Strategies sit above contracts: reach their model through the FK, never by import.
    strategy_model = Contract._meta.get_field("strategy").related_model
    return strategy_model.objects.order_by("name")


def _shares(provider_id) -> Exists:
    through = Contract.other_providers.through
    return Exists(through.objects.filter(contract_id=OuterRef("pk"), provider_id=provider_id))


class ContractFilter(GovFilterSet):
    q = filters.CharFilter(label="Search", method="filter_search", help_text="Reference, service or provider name")
    directorate = filters.ModelChoiceFilter(queryset=Directorate.objects.order_by("name"), empty_label="Any")
    strategy = filters.ModelChoiceFilter(queryset=_strategies, empty_label="Any")
    category = filters.ChoiceFilter(choices=Contract.Category.choices, empty_label="Any")
    contract_type = filters.ChoiceFilter(label="Type", choices=Contract.ContractType.choices, empty_label="Any")
    # Reached from provider pages and dashboards by id; a drop-down of every provider (thousands) would be
    # unusable and slow, so the form carries it hidden and the search box finds providers by name.
    provider = filters.ModelChoiceFilter(
        label="Provider", queryset=Provider.objects.all(), method="filter_provider", widget=forms.HiddenInput
    )
    # The contracts a key-contract row stands for (reached from that row's page), carried hidden like provider.
    part_of = filters.ModelChoiceFilter(label="Part of", queryset=Contract.objects.all(), widget=forms.HiddenInput)
    status = filters.ChoiceFilter(choices=Contract.Status.choices, empty_label="Any")
    performance = filters.ChoiceFilter(
        choices=Contract.Performance.choices, empty_label="Any", label="Performance (from the latest return)"
    )
    key = filters.BooleanFilter(label="Key contracts only", method="filter_key", widget=forms.CheckboxInput)
    mine = filters.BooleanFilter(label="Only contracts I manage", method="filter_mine", widget=forms.CheckboxInput)
    regime = filters.ChoiceFilter(label="Procurement regime", choices=Contract.Regime.choices, empty_label="Any")
    manager = filters.ModelChoiceFilter(
        label="Contract manager or backup",
        queryset=lambda request: contract_officers(),
        method="filter_manager",
        empty_label="Anyone",
    )
    no_manager = filters.BooleanFilter(
        label="Live contracts with no manager or no backup",
        method="filter_no_manager",
        widget=forms.CheckboxInput,
    )
    needs_decision = filters.BooleanFilter(
        label="Needs a decision",
        method="filter_needs_decision",
        help_text="Live contracts with no decision recorded whose latest possible end date has passed or falls "
        "within within_months (12 unless given); those past their end are always included.",
    )
    within_months = filters.NumberFilter(
        label="Within (months)",
        method="filter_within_months",
        min_value=0,
        max_value=120,
        help_text="With needs_decision: the window in months (0 to 120; the page offers "
        + ", ".join(str(m) for m in NEEDS_DECISION_WINDOWS)
        + ").",
    )
    value_band = filters.ChoiceFilter(
        label="Annual value",
        choices=[(code, label) for code, label, _, _ in VALUE_BANDS],
        method="filter_value_band",
        empty_label="Any",
    )
    end_after = GovDateFilter(field_name="end_date", lookup_expr="gte", label="Ending on or after")
    end_before = GovDateFilter(field_name="end_date", lookup_expr="lte", label="Ending on or before")
    sort = filters.OrderingFilter(fields=SORT_FIELDS, label="Sort by")

    class Meta:
        model = Contract
        fields: list[str] = []

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(contract_manager=user)

    def filter_manager(self, queryset, name, value):
        return queryset.filter(Q(contract_manager=value) | Q(backup_manager=value))

    def filter_no_manager(self, queryset, name, value):
        return queryset.filter(without_manager_q()) if value else queryset

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_needs_decision(self, queryset, name, value):
        if not value:
            return queryset
        within = self.form.cleaned_data.get("within_months")
        months = int(within) if within is not None else 12
        return queryset.filter(needs_decision_q(within_months=months, today=timezone.localdate()))

    @extend_schema_field(OpenApiTypes.INT)
    def filter_within_months(self, queryset, name, value):
        return queryset  # read by filter_needs_decision

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        shared = Contract.other_providers.through.objects.filter(
            contract_id=OuterRef("pk"), provider__name__icontains=value
        )
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(lead_provider__name__icontains=value)
            | Q(provider_summary__icontains=value)
            | Exists(shared)
        )

    def filter_provider(self, queryset, name, value):
        # Lead or one of the other providers; Exists rather than a join so rows are not duplicated.
        return queryset.filter(Q(lead_provider=value) | _shares(value.pk))

    def filter_key(self, queryset, name, value):
        return queryset.key() if value else queryset

    def filter_value_band(self, queryset, name, value):
        for code, _, low, high in VALUE_BANDS:
            if code == value:
                if low is not None:
                    queryset = queryset.filter(annual_value__gte=low)
                if high is not None:
                    queryset = queryset.filter(annual_value__lt=high)
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # A stable order under the chosen sort, so pages do not overlap. Needs a decision: past their end first.
        chosen = getattr(self.form, "cleaned_data", {})
        ordering = list(queryset.query.order_by) or ["end_date"]
        if chosen.get("needs_decision") and not chosen.get("sort"):
            ordering = ["maximum_end_date"]
        if "reference" not in ordering and "-reference" not in ordering:
            ordering.append("reference")
        # Contracts with many providers (no lead) sort after the named ones, in either direction.
        ordering = [
            F("lead_provider__name").asc(nulls_last=True)
            if o == "lead_provider__name"
            else F("lead_provider__name").desc(nulls_last=True)
            if o == "-lead_provider__name"
            else o
            for o in ordering
        ]
        return queryset.order_by(*ordering)


# --- Procurement projects: the work plan's filter, shared by its page, its exports and the API ---------------


def work_plan_year_choices() -> list[tuple[int, str]]:
    """Financial years from two ahead of the current one back to 2010/11, latest first."""
    this_year = financial_year_of(timezone.localdate())
    return financial_year_choices(range(this_year + 2, 2009, -1))


class ProcurementProjectFilter(GovFilterSet):
    q = filters.CharFilter(label="Search", method="filter_search", help_text="Reference, title or service area")
    stage = filters.ChoiceFilter(choices=ProcurementProject.Stage.choices, empty_label="Any")
    year = filters.ChoiceFilter(
        label="Work plan year",
        choices=work_plan_year_choices,
        method="filter_year",
        empty_label="Any",
        help_text="The financial year the procurement starts in (planned start), or, for a delivered or "
        "abandoned project, the year it closed.",
    )
    directorate = filters.ModelChoiceFilter(queryset=Directorate.objects.order_by("name"), empty_label="Any")

    class Meta:
        model = ProcurementProject
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value) | Q(service_area__icontains=value)
        )

    @extend_schema_field(OpenApiTypes.INT)
    def filter_year(self, queryset, name, value):
        return queryset.filter(work_plan_year_q(int(value)))
