"""API shapes of measures and their quarterly results: an input and an output serializer per endpoint.

Inputs check shape only (types, lengths, choices, that a referenced record exists); the rules live in
performance/services.py, which the viewsets call with the input's validated data. Outputs are what a GET
shows. Achievement is computed, never sent.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .models import FIRST_YEAR, LAST_YEAR, Measure, MeasureResult
from .services import MEASURE_FIELDS

# --- Measures ----------------------------------------------------------------------------------------------------


class MeasureSerializer(serializers.ModelSerializer):
    """Output: a measure as read."""

    strategy_name = serializers.CharField(source="strategy.name", read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "strategy", "strategy_name", *MEASURE_FIELDS]
        read_only_fields = fields


class MeasureInputSerializer(serializers.ModelSerializer):
    """Input of POST /measures/: a new measure of a strategy."""

    class Meta:
        model = Measure
        fields = ["strategy", *MEASURE_FIELDS]


class MeasureUpdateInputSerializer(serializers.ModelSerializer):
    """Input of PUT and PATCH /measures/{id}/. A measure stays with its strategy: ``strategy``, if sent (PUT
    asks for it, as a GET shows it), must be the one it has."""

    class Meta:
        model = Measure
        fields = ["strategy", *MEASURE_FIELDS]

    def validate_strategy(self, strategy: Any) -> Any:
        if self.instance is not None and strategy.pk != self.instance.strategy_id:
            raise serializers.ValidationError("A measure cannot move to another strategy.")
        return strategy


# --- Results -----------------------------------------------------------------------------------------------------


class MeasureResultSerializer(serializers.ModelSerializer):
    """Output: a measure's value and target for one quarter."""

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
        read_only_fields = fields


class _ResultFigures(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True, required=False)
    target = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True, required=False)
    commentary = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)


class MeasureResultInputSerializer(_ResultFigures):
    """Input of POST /measure-results/: a measure's result for one quarter. Sending a quarter that is stored
    already replaces it."""

    measure = serializers.PrimaryKeyRelatedField(queryset=Measure.objects.all())
    year = serializers.IntegerField(
        min_value=FIRST_YEAR, max_value=LAST_YEAR, help_text="Year the financial year starts: 2018 is 2018/19."
    )
    quarter = serializers.IntegerField(min_value=1, max_value=4)


class MeasureResultUpdateInputSerializer(MeasureResultInputSerializer):
    """Input of PUT and PATCH /measure-results/{id}/: correct the value, target or commentary. A result
    stays with its measure and quarter: those, if sent (PUT asks for them, as a GET shows them), must be the
    ones it has."""

    def validate(self, attrs: dict) -> dict:
        result = self.instance
        if result is not None:
            stored = {"measure": result.measure, "year": result.year, "quarter": result.quarter}
            moved = [name for name, value in stored.items() if name in attrs and attrs[name] != value]
            if moved:
                raise serializers.ValidationError(
                    dict.fromkeys(moved, "A result cannot move to another measure or quarter.")
                )
        return attrs
