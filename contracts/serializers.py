"""API shapes of the contract register and pooled budgets: an output serializer per resource (what a read
shows) and an input serializer per write (the shape of the request only; the rules are the services')."""

from dataclasses import fields
from decimal import Decimal

from django.apps import apps
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from commissioning.models import Directorate, User
from commissioning.periods import financial_year_of
from providers.models import Location, Provider
from providers.serializers import VisibleRecordField

from .duties import ContractDuties, duties_for
from .models import Contract, ContractChange, PooledBudget, ProcurementProject
from .services import DECISION_CHOICES

DUTY_KEYS = [f.name for f in fields(ContractDuties)]


def _strategies():
    # Strategies sit above contracts: reach their model by name, never by import.
    return apps.get_model("strategies", "CommissioningStrategy").objects.all()


class DutySerializer(serializers.Serializer):
    """One Procurement Act 2023 duty, whether it applies to the contract, and why."""

    key = serializers.ChoiceField(choices=DUTY_KEYS)
    name = serializers.CharField()
    applies = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why it does or does not apply, in words.")


class ContractSerializer(serializers.ModelSerializer):
    """A contract on the register, as every read shows it."""

    duties = serializers.SerializerMethodField(
        help_text="Which Procurement Act 2023 duties apply (KPIs, assessment, UK9, breach notice, UK10, UK11), each "
        "with why: from contracts.duties, the one rule."
    )
    backup_manager_name = serializers.SerializerMethodField(help_text="The backup contract manager, if any.")

    directorate_name = serializers.CharField(source="directorate.name")
    strategy_name = serializers.CharField(source="strategy.name", allow_null=True, default=None)
    lead_provider_name = serializers.CharField(source="lead_provider.name", allow_null=True, default=None)
    contract_manager_name = serializers.SerializerMethodField(help_text="The named contract manager, if any.")
    is_key = serializers.BooleanField(help_text="Annual value of £1m or more, or politically sensitive.")
    extension_months = serializers.ListField(
        child=serializers.IntegerField(), help_text="Extension options in months, in order: 3+1+1 years is [12, 12]."
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "annual_value",
            "category",
            "contract_type",
            "corrective_measures",
            "description",
            "directorate",
            "duration_note",
            "end_date",
            "extension_months",
            "extensions_used",
            "has_kpis",
            "contract_manager",
            "contract_manager_name",
            "backup_manager",
            "backup_manager_name",
            "predecessor",
            "regime",
            "supply_type",
            "is_concession",
            "estimated_value",
            "kpi_exemption_reason",
            "notice_period_months",
            "duties",
            "decision_reason",
            "terminated_on",
            "termination_extent",
            "termination_reason",
            "termination_notice_id",
            "lead_provider",
            "payment_basis",
            "payment_frequency",
            "payment_terms",
            "payment_terms_note",
            "performance",
            "performance_note",
            "politically_sensitive",
            "procurement_route",
            "provider_summary",
            "reference",
            "review_date",
            "review_note",
            "service_credit_percentage",
            "start_date",
            "status",
            "strategy",
            "title",
            "total_value",
            "vat_not_recoverable",
            "volume_sensitive",
            "other_providers",
            "locations",
            "directorate_name",
            "strategy_name",
            "lead_provider_name",
            "is_key",
            "maximum_end_date",
            "reprocurement_decision",
            "reprocurement_decided_on",
            "updated_at",
        ]
        read_only_fields = fields

    def get_contract_manager_name(self, contract: Contract) -> str | None:
        manager = contract.contract_manager
        return (manager.get_full_name() or manager.username) if manager is not None else None

    def get_backup_manager_name(self, contract: Contract) -> str | None:
        backup = contract.backup_manager
        return (backup.get_full_name() or backup.username) if backup is not None else None

    @extend_schema_field(DutySerializer(many=True))
    def get_duties(self, contract: Contract) -> list[dict]:
        labelled = duties_for(contract).labelled()
        return [
            {"key": key, "name": name, "applies": duty.applies, "reason": duty.reason}
            for key, (name, duty) in zip(DUTY_KEYS, labelled, strict=True)
        ]


@extend_schema_serializer(
    component_name="Contract",
    examples=[
        OpenApiExample(
            "A homecare contract",
            value={
                "reference": "ACCW-2018-014",
                "title": "Homecare — Lincoln zone",
                "directorate": 1,
                "lead_provider": 1,
                "category": "community",
                "contract_type": "framework",
                "procurement_route": "Open procedure",
                "start_date": "2018-04-01",
                "end_date": "2021-03-31",
                "extension_months": [12, 12],
                "annual_value": "2500000.00",
                "total_value": "7500000.00",
            },
            request_only=True,
        )
    ],
)
class ContractInputSerializer(serializers.Serializer):
    """A contract to add, or the details to change (PATCH: only those sent). The service checks the dates,
    the extension options, that the reference is free and that you may change the directorate's contracts."""

    reference = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=255, help_text="The service contracted.")
    description = serializers.CharField(required=False, allow_blank=True)
    directorate = serializers.PrimaryKeyRelatedField(queryset=Directorate.objects.all())
    strategy = serializers.PrimaryKeyRelatedField(queryset=_strategies(), required=False, allow_null=True)
    lead_provider = VisibleRecordField(queryset=Provider.objects.all(), required=False, allow_null=True)
    contract_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The user ID of the contract officer who manages it; they may change it in any directorate.",
    )
    backup_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The user ID of the contract officer who stands in for the manager (not the manager).",
    )
    predecessor = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(),
        required=False,
        allow_null=True,
        help_text="The contract this one replaced, when a service was re-procured.",
    )
    regime = serializers.ChoiceField(choices=Contract.Regime.choices, required=False)
    supply_type = serializers.ChoiceField(choices=Contract.Supply.choices, required=False)
    is_concession = serializers.BooleanField(required=False)
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    kpi_exemption_reason = serializers.CharField(required=False, allow_blank=True)
    notice_period_months = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    other_providers = VisibleRecordField(queryset=Provider.objects.all(), many=True, required=False)
    provider_summary = serializers.CharField(max_length=255, required=False, allow_blank=True)
    locations = VisibleRecordField(queryset=Location.objects.all(), many=True, required=False)
    category = serializers.ChoiceField(choices=Contract.Category.choices)
    contract_type = serializers.ChoiceField(choices=Contract.ContractType.choices)
    procurement_route = serializers.CharField(max_length=120, required=False, allow_blank=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="Current end date, including extensions already used.")
    extension_months = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=120),
        required=False,
        help_text="Extension options in months, in order: 3+1+1 years is [12, 12].",
    )
    extensions_used = serializers.IntegerField(min_value=0, required=False)
    duration_note = serializers.CharField(max_length=255, required=False, allow_blank=True)
    review_date = serializers.DateField(required=False, allow_null=True)
    review_note = serializers.CharField(max_length=120, required=False, allow_blank=True)
    annual_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    total_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    vat_not_recoverable = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    politically_sensitive = serializers.BooleanField(required=False)
    has_kpis = serializers.BooleanField(required=False, allow_null=True)
    performance_note = serializers.CharField(max_length=120, required=False, allow_blank=True)
    corrective_measures = serializers.CharField(required=False, allow_blank=True)
    service_credit_percentage = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    payment_terms = serializers.ChoiceField(choices=Contract.PaymentTerms.choices, required=False)
    payment_terms_note = serializers.CharField(max_length=120, required=False, allow_blank=True)
    payment_frequency = serializers.ChoiceField(choices=Contract.PaymentFrequency.choices, required=False)
    payment_basis = serializers.ChoiceField(choices=Contract.PaymentBasis.choices, required=False)
    volume_sensitive = serializers.ChoiceField(choices=Contract.VolumeSensitive.choices, required=False)
    status = serializers.ChoiceField(choices=Contract.Status.choices, required=False)


class PooledBudgetSerializer(serializers.ModelSerializer):
    council_contribution = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = PooledBudget
        fields = [
            "id",
            "name",
            "strategy",
            "contract",
            "arrangement_type",
            "partner",
            "total_value",
            "partner_contribution",
            "council_contribution",
            "start_date",
            "end_date",
            "risk_share",
            "description",
        ]
        read_only_fields = fields


class ContractChangeSerializer(serializers.ModelSerializer):
    """A variation, extension or novation, as recorded."""

    class Meta:
        model = ContractChange
        fields = [
            "id",
            "contract",
            "kind",
            "effective_on",
            "description",
            "value_change",
            "extension_months",
            "from_provider",
            "to_provider",
            "recorded_by",
            "approved_by",
            "change_notice_required",
            "change_notice_reason",
            "change_notice_id",
            "change_notice_published_on",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="ContractChange")
class ContractChangeInputSerializer(serializers.Serializer):
    """A change to record. An extension takes the next unused option (send extension_months to say which
    you mean); a novation names the provider it moves to; any change may add to the total value."""

    kind = serializers.ChoiceField(choices=ContractChange.Kind.choices)
    effective_on = serializers.DateField()
    description = serializers.CharField()
    value_change = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, default=Decimal("0"))
    annual_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    extension_months = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    to_provider = VisibleRecordField(queryset=Provider.objects.all(), required=False, allow_null=True)
    approved_by = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Who approved the change: required to extend a contract running past its latest possible end.",
    )


@extend_schema_serializer(component_name="ChangeNotice")
class ChangeNoticeInputSerializer(serializers.Serializer):
    """The change notice (UK10) as published on the Central Digital Platform."""

    change_notice_id = serializers.CharField(max_length=100)
    change_notice_published_on = serializers.DateField()


class DecisionInputSerializer(serializers.Serializer):
    """What was decided about the contract's end, which takes it off the needs-a-decision list: a re-procurement
    decision (with the successor contract, if known), roll on (with the reason) or ended (decided_on is the day
    it ended; the contract becomes Expired)."""

    reprocurement_decision = serializers.ChoiceField(choices=DECISION_CHOICES)
    decided_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    successor = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(), required=False, allow_null=True)


@extend_schema_serializer(component_name="Termination")
class TerminationInputSerializer(serializers.Serializer):
    """A termination, for the contract termination notice (UK11). The whole contract makes it Terminated."""

    terminated_on = serializers.DateField()
    termination_extent = serializers.ChoiceField(choices=[c for c in Contract.TerminationExtent.choices if c[0]])
    reason = serializers.CharField()
    notice_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="TerminationNotice")
class TerminationNoticeInputSerializer(serializers.Serializer):
    termination_notice_id = serializers.CharField(max_length=100)


# --- Procurement projects ----------------------------------------------------------------------------------


class ProcurementProjectSerializer(serializers.ModelSerializer):
    """A project on the procurement work plan, as every read shows it."""

    directorate_name = serializers.CharField(source="directorate.name")
    strategy_name = serializers.CharField(source="strategy.name", allow_null=True, default=None)
    lead_officer_name = serializers.SerializerMethodField(help_text="The officer leading the procurement, if any.")
    work_plan_year = serializers.SerializerMethodField(
        help_text="The financial year (by its first calendar year: 2018 is 2018/19) whose work plan the project is "
        "on: the year it closed for a delivered or abandoned project, otherwise the year of its planned start."
    )
    replaces: serializers.PrimaryKeyRelatedField[Contract] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Contracts it replaces."
    )
    resulting_contracts: serializers.PrimaryKeyRelatedField[Contract] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Contracts it awarded."
    )

    class Meta:
        model = ProcurementProject
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "service_area",
            "directorate",
            "directorate_name",
            "strategy",
            "strategy_name",
            "route",
            "stage",
            "estimated_annual_value",
            "whole_life_value",
            "planned_start",
            "tender_notice_date",
            "go_live_date",
            "completed_on",
            "abandoned_reason",
            "lead_officer",
            "lead_officer_name",
            "decision_route",
            "cpv_code",
            "replaces",
            "resulting_contracts",
            "work_plan_year",
            "updated_at",
        ]
        read_only_fields = fields

    def get_lead_officer_name(self, project: ProcurementProject) -> str | None:
        lead = project.lead_officer
        return (lead.get_full_name() or lead.username) if lead is not None else None

    def get_work_plan_year(self, project: ProcurementProject) -> int | None:
        closed = project.stage in (ProcurementProject.Stage.DELIVERED, ProcurementProject.Stage.ABANDONED)
        day = project.completed_on if closed else project.planned_start
        return financial_year_of(day) if day is not None else None


@extend_schema_serializer(
    component_name="ProcurementProject",
    examples=[
        OpenApiExample(
            "A home care re-procurement",
            value={
                "reference": "PP-2019-014",
                "title": "Homecare re-procurement (2020)",
                "service_area": "Home care",
                "directorate": 1,
                "route": "open",
                "estimated_annual_value": "32000000.00",
                "whole_life_value": "160000000.00",
                "planned_start": "2019-08-01",
                "tender_notice_date": "2019-10-01",
                "go_live_date": "2020-10-01",
                "cpv_code": "85310000-5",
            },
            request_only=True,
        )
    ],
)
class ProcurementProjectInputSerializer(serializers.Serializer):
    """A project to add, or the details to change (PATCH: only those sent). A new project starts at an open
    stage (planned unless given); a project's stage then moves with the stage action. The service checks the
    dates, the lead officer, the contracts linked and that you may change the directorate's projects."""

    reference = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True)
    service_area = serializers.CharField(max_length=150, required=False, allow_blank=True)
    directorate = serializers.PrimaryKeyRelatedField(queryset=Directorate.objects.all())
    strategy = serializers.PrimaryKeyRelatedField(queryset=_strategies(), required=False, allow_null=True)
    route = serializers.ChoiceField(choices=ProcurementProject.Route.choices, required=False, allow_blank=True)
    stage = serializers.ChoiceField(
        choices=ProcurementProject.Stage.choices,
        required=False,
        help_text="On creation only: the open stage the project has reached (default planned).",
    )
    estimated_annual_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    whole_life_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    planned_start = serializers.DateField(required=False, allow_null=True)
    tender_notice_date = serializers.DateField(required=False, allow_null=True)
    go_live_date = serializers.DateField(required=False, allow_null=True)
    lead_officer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    decision_route = serializers.ChoiceField(choices=ProcurementProject.DecisionRoute.choices, required=False)
    cpv_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    replaces = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(), many=True, required=False)
    resulting_contracts = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(), many=True, required=False, help_text="Once the project reaches award."
    )


@extend_schema_serializer(component_name="ProcurementProjectUpdate")
class ProcurementProjectUpdateSerializer(ProcurementProjectInputSerializer):
    """A change to a project's details; its stage moves with the stage action."""

    stage = None  # type: ignore[assignment]


@extend_schema_serializer(component_name="ProcurementProjectMove")
class ProcurementProjectMoveInputSerializer(serializers.Serializer):
    """Move a project to its next stage. Delivered and abandoned close it: send completed_on (not in the future),
    and for abandoned the reason."""

    stage = serializers.ChoiceField(choices=ProcurementProject.Stage.choices)
    completed_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ProcurementFiguresQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=2000,
        max_value=2100,
        required=False,
        help_text="The financial year by its first calendar year (2018 is 2018/19); the current year if not given.",
    )
    directorate = serializers.PrimaryKeyRelatedField(
        queryset=Directorate.objects.all(), required=False, help_text="Only this directorate's projects."
    )


class ProcurementFiguresSerializer(serializers.Serializer):
    """The year's work plan figures, as the annual report gives them."""

    year = serializers.IntegerField()
    year_label = serializers.CharField(source="label", help_text='e.g. "2018/19".')
    delivered_count = serializers.IntegerField(help_text="Projects delivered in the year.")
    delivered_annual_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    delivered_whole_life_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="The full contract value of the projects delivered."
    )
    ongoing_on = serializers.DateField(help_text="The end of the year, or today while the year is under way.")
    ongoing_count = serializers.IntegerField(help_text="Projects live and ongoing on that day.")
    ongoing_annual_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    planned_year = serializers.IntegerField()
    planned_label = serializers.CharField()
    planned_count = serializers.IntegerField(help_text="Projects planned to start in the following year.")
    planned_annual_value = serializers.DecimalField(max_digits=16, decimal_places=2)
