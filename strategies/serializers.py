"""API shapes of strategies, outcomes and highlight reports: per endpoint an input serializer (what a client
writes, shape only: types, required fields, lengths, choices) and an output serializer (what it reads back).
The rules, uniqueness included, live in the services, so the page and the API refuse the same input with the
same message."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from contracts.models import Contract

from .models import CommissioningStrategy, CycleStage, HighlightReport, Outcome, Saving
from .selectors import EDITABLE_FIELDS
from .services import OUTCOME_FIELDS, SAVING_FIELDS, SAVING_LINKS, STRATEGY_FIELDS

STRATEGY_EXAMPLE = {
    "name": "Carers",
    "directorate": 1,
    "purpose": "The purpose of this commissioning strategy is to support adult carers.",
    "sponsor": "Executive Director of Adult Care and Community Wellbeing",
    "commissioning_lead": None,
    "lead_officer": "",
    "stage_analyse": False,
    "stage_plan": False,
    "stage_do": True,
    "stage_review": True,
    "summary": "Carers are supported to care for as long as they wish to.",
    "needs_established": "Joint Strategic Needs Assessment and the carers' survey.",
    "period_start": "2018-04-01",
    "period_end": "2021-03-31",
}


class ServiceInputSerializer(serializers.ModelSerializer):
    """An input serializer of a model: the shape of the input only. A blank text the model requires and a
    uniqueness clash are the service's to refuse (through the model's validation), so the page and the API
    name them in the same words."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, serializers.CharField | serializers.ChoiceField):
            kwargs["allow_blank"] = True
        validators = [v for v in kwargs.get("validators", []) if not isinstance(v, UniqueValidator)]
        if "validators" in kwargs:
            kwargs["validators"] = validators
        return field_class, kwargs

    def get_validators(self):
        return []


@extend_schema_serializer(examples=[OpenApiExample("A strategy", value=STRATEGY_EXAMPLE, request_only=True)])
class StrategyInputSerializer(ServiceInputSerializer):
    """A strategy as a client writes it. A commissioner writes only their own directorate's strategies; a
    strategy must not end before it starts; names are unique (the service checks all three)."""

    class Meta:
        model = CommissioningStrategy
        fields = STRATEGY_FIELDS


class StrategySerializer(serializers.ModelSerializer):
    """A strategy as the API shows it, with its latest highlight report that the reader may see."""

    directorate_name = serializers.CharField(source="directorate.name", read_only=True)
    stages = serializers.ListField(child=serializers.CharField(), read_only=True, help_text='e.g. ["Do", "Review"]')
    latest_report = serializers.IntegerField(
        source="latest_report_id", read_only=True, allow_null=True, help_text="ID of the latest highlight report."
    )
    latest_rag = serializers.CharField(read_only=True, allow_null=True, help_text="RAG of the latest report.")

    class Meta:
        model = CommissioningStrategy
        fields = [
            "id",
            "name",
            "directorate",
            "directorate_name",
            "purpose",
            "sponsor",
            "commissioning_lead",
            "lead_officer",
            "stage_analyse",
            "stage_plan",
            "stage_do",
            "stage_review",
            "stages",
            "summary",
            "needs_established",
            "period_start",
            "period_end",
            "latest_report",
            "latest_rag",
            "updated_at",
        ]
        read_only_fields = fields


class OutcomeInputSerializer(ServiceInputSerializer):
    class Meta:
        model = Outcome
        fields = ["strategy", *OUTCOME_FIELDS]


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "strategy", "order", "title", "description"]
        read_only_fields = fields


class HighlightReportUpdateSerializer(ServiceInputSerializer):
    """The sections of a draft a client writes, with the version it read (or send If-Match). The report's rules
    (report date inside the quarter, a comment for Red or Amber) are the service's."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you read. Refused with 409 if the report has changed since.",
    )

    class Meta:
        model = HighlightReport
        fields = ["version", *EDITABLE_FIELDS]


class HighlightReportSerializer(serializers.ModelSerializer):
    """A highlight report. ``version`` goes up on every save: send it back (or If-Match) to update."""

    strategy_name = serializers.CharField(source="strategy.name", read_only=True)
    period = serializers.CharField(read_only=True, help_text='The financial quarter, e.g. "Q3 2018/19".')
    version = serializers.IntegerField(read_only=True, help_text="Goes up on every save; the ETag is this.")

    # A report may go with no RAG (seed 000's did): a read-only field drops allow_blank, so it is declared.
    rag = serializers.ChoiceField(choices=HighlightReport.Rag.choices, read_only=True, allow_blank=True)

    class Meta:
        model = HighlightReport
        fields = [
            "id",
            "strategy",
            "strategy_name",
            "year",
            "quarter",
            "period",
            "status",
            "version",
            *EDITABLE_FIELDS,
            "board_comments",
            "scrutiny_meeting",
            "decision_reference",
            "decision_date",
            "updated_at",
        ]
        read_only_fields = fields


class HighlightReportCreateSerializer(serializers.Serializer):
    """Start the next quarter's draft of a strategy (or the quarter given), copying the latest narrative."""

    strategy = serializers.PrimaryKeyRelatedField(queryset=CommissioningStrategy.objects.all())
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="2018 is 2018/19.")
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)

    def validate(self, attrs):
        if ("year" in attrs) != ("quarter" in attrs):
            raise serializers.ValidationError({"quarter": "Give both the year and the quarter, or neither."})
        return attrs


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text='The version you read (or send If-Match: "<version>").'
    )


# The fields of a move are optional in shape: the service says what is missing, in the words the page uses.
class BoardReviewSerializer(VersionSerializer):
    board_comments = serializers.CharField(required=False, allow_blank=True, default="")


def _meetings():
    # Scrutiny sits above strategies: its Meeting model is reached through the report's FK, never imported.
    return HighlightReport._meta.get_field("scrutiny_meeting").related_model.objects.all()


class ScrutinyConsideredSerializer(VersionSerializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=_meetings(), required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveSerializer(VersionSerializer):
    decision_reference = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Executive decision reference, e.g. I017457."
    )
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)


class ReturnSerializer(VersionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- The commissioning cycle and savings -------------------------------------------------------------


class CycleStageSerializer(serializers.ModelSerializer):
    """A stage of the council's commissioning cycle: a phase (no parent) or a finer stage within one."""

    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True, default=None)
    is_phase = serializers.BooleanField(read_only=True)

    class Meta:
        model = CycleStage
        fields = ["id", "name", "order", "parent", "parent_name", "is_phase", "description", "active"]
        read_only_fields = fields


SAVING_EXAMPLE = {
    "reference": "ASC-1617-01",
    "directorate": 1,
    "strategy": None,
    "year": 2016,
    "title": "Re-commissioning and negotiated savings with providers",
    "description": "",
    "budgeted": "6100000.00",
    "achieved": "4794000.00",
    "reasons": "Home care rates rose to secure quality and staff terms.",
    "status": "achieved",
    "contracts": [],
}


@extend_schema_serializer(examples=[OpenApiExample("A saving", value=SAVING_EXAMPLE, request_only=True)])
class SavingInputSerializer(ServiceInputSerializer):
    """A saving as a client writes it. The service checks the rules: the directorate's own strategy and
    contracts, the year, an achieved figure that fits the status, reasons for a variation; a commissioner
    writes only their own directorate's savings."""

    contracts = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(), many=True, required=False, help_text="IDs of the contracts it touches."
    )

    class Meta:
        model = Saving
        fields = [*SAVING_FIELDS, *SAVING_LINKS]


class SavingSerializer(serializers.ModelSerializer):
    """A saving with its variation (budgeted less achieved; positive is a shortfall, null until achieved)."""

    directorate_name = serializers.CharField(source="directorate.name", read_only=True)
    strategy_name = serializers.CharField(source="strategy.name", read_only=True, allow_null=True, default=None)
    year_label = serializers.CharField(read_only=True, help_text='e.g. "2016/17".')
    variation = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)
    contracts = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True),
        read_only=True,
        help_text="IDs of the contracts it touches.",
    )

    class Meta:
        model = Saving
        fields = [
            "id",
            "reference",
            "directorate",
            "directorate_name",
            "strategy",
            "strategy_name",
            "year",
            "year_label",
            "title",
            "description",
            "budgeted",
            "achieved",
            "variation",
            "reasons",
            "status",
            "contracts",
            "updated_at",
        ]
        read_only_fields = fields


class SharedDirectorateSerializer(serializers.Serializer):
    directorate = serializers.CharField()
    contracts = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    annual_value = serializers.DecimalField(max_digits=16, decimal_places=2)


class SharedProviderSerializer(serializers.Serializer):
    provider = serializers.IntegerField(source="provider.pk")
    provider_name = serializers.CharField(source="provider.name")
    touched = serializers.ListField(child=serializers.CharField(), help_text="This saving's contracts it holds.")
    elsewhere = SharedDirectorateSerializer(many=True, help_text="Other directorates it holds live contracts in.")


class ProviderCheckSerializer(serializers.Serializer):
    """Providers of the saving's contracts who also hold live contracts in other directorates."""

    saving = serializers.IntegerField()
    touched_provider_count = serializers.IntegerField()
    providers = SharedProviderSerializer(many=True)
