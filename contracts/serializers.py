"""API shapes of the contract register and pooled budgets."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from .models import Contract, PooledBudget
from .services import EDITABLE_FIELDS


@extend_schema_serializer(
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
    ]
)
class ContractSerializer(serializers.ModelSerializer):
    directorate_name = serializers.CharField(source="directorate.name", read_only=True)
    strategy_name = serializers.CharField(source="strategy.name", read_only=True, allow_null=True, default=None)
    lead_provider_name = serializers.CharField(
        source="lead_provider.name", read_only=True, allow_null=True, default=None
    )
    is_key = serializers.BooleanField(
        read_only=True, help_text="Annual value of £1m or more, or politically sensitive."
    )
    extension_months = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=120),
        required=False,
        help_text="Extension options in months, in order: 3+1+1 years is [12, 12].",
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            *sorted(EDITABLE_FIELDS),
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
        read_only_fields = ["maximum_end_date", "reprocurement_decision", "reprocurement_decided_on", "updated_at"]
        # The service checks dates, extensions and uniqueness and names the field.
        validators: list = []
        extra_kwargs = {"reference": {"validators": []}}


class PooledBudgetSerializer(serializers.ModelSerializer):
    council_contribution = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

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
