"""API shapes of measures and their quarterly results. Achievement is computed, never sent."""

from rest_framework import serializers

from .models import Measure, MeasureResult
from .services import MEASURE_FIELDS


class MeasureSerializer(serializers.ModelSerializer):
    strategy_name = serializers.CharField(source="strategy.name", read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "strategy", "strategy_name", *MEASURE_FIELDS]


class MeasureResultSerializer(serializers.ModelSerializer):
    """A measure's value and target for one quarter. Saving the same quarter again replaces it."""

    measure_name = serializers.CharField(source="measure.name", read_only=True)
    period = serializers.CharField(read_only=True, help_text='e.g. "Q3 2018/19".')
    status = serializers.ChoiceField(
        choices=MeasureResult.Status.choices, read_only=True, help_text="Computed from value, target and polarity."
    )

    class Meta:
        model = MeasureResult
        fields = [
            "id",
            "measure",
            "measure_name",
            "year",
            "quarter",
            "period",
            "value",
            "target",
            "status",
            "commentary",
            "entered_by",
            "entered_at",
        ]
        read_only_fields = ["entered_by", "entered_at"]
        # One result per measure and quarter: the service replaces the existing one.
        validators: list = []
