"""API shapes of the contract register and pooled budgets: an output serializer per resource (what a read
shows) and an input serializer per write (the shape of the request only; the rules are the services')."""

from decimal import Decimal

from django.apps import apps
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from commissioning.models import Directorate, User
from providers.models import Location, Provider
from providers.serializers import VisibleRecordField

from .models import Contract, ContractChange, PooledBudget


def _strategies():
    # Strategies sit above contracts: reach their model by name, never by import.
    return apps.get_model("strategies", "CommissioningStrategy").objects.all()


class ContractSerializer(serializers.ModelSerializer):
    """A contract on the register, as every read shows it."""

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
    performance = serializers.ChoiceField(choices=Contract.Performance.choices, required=False)
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


class DecisionInputSerializer(serializers.Serializer):
    """The re-procurement or extension decision, which takes a contract off the needs-a-decision list."""

    reprocurement_decision = serializers.ChoiceField(choices=[c for c in Contract.Reprocurement.choices if c[0]])
    decided_on = serializers.DateField()
