"""API of performance measures and their quarterly results."""

from django.core.exceptions import ValidationError
from rest_framework import exceptions

from commissioning.api import ResourceViewSet, may_edit_for_directorate
from commissioning.periods import FinancialQuarter

from . import services
from .models import Measure, MeasureResult
from .serializers import MeasureResultSerializer, MeasureSerializer

_FOREIGN = "You may change only your own directorate's measures."


class MeasureViewSet(ResourceViewSet):
    serializer_class = MeasureSerializer
    filterset_fields = ["strategy", "outcome", "framework", "is_active"]
    ordering_fields = ["order", "name"]
    queryset = Measure.objects.select_related("strategy").order_by("strategy__name", "order", "pk")

    def may_write(self, user, obj) -> bool:
        return may_edit_for_directorate(user, obj.strategy.directorate_id)

    def do_create(self, data):
        strategy = data.pop("strategy")
        if not may_edit_for_directorate(self.request.user, strategy.directorate_id):
            raise exceptions.PermissionDenied(_FOREIGN)
        return services.measure_create(strategy=strategy, by=self.request.user, **data)

    def do_update(self, instance, data):
        if data.pop("strategy", instance.strategy) != instance.strategy:
            raise ValidationError({"strategy": "A measure cannot move to another strategy."})
        return services.measure_update(measure=instance, by=self.request.user, **data)


class MeasureResultViewSet(ResourceViewSet):
    serializer_class = MeasureResultSerializer
    filterset_fields = ["measure", "measure__strategy", "year", "quarter"]
    ordering_fields = ["year", "quarter"]
    queryset = MeasureResult.objects.select_related("measure__strategy").order_by("measure_id", "year", "quarter")

    def _save(self, *, measure, year, quarter, data, current=None):
        entry = services.ResultEntry(
            measure=measure,
            value=data.get("value", getattr(current, "value", None)),
            target=data.get("target", getattr(current, "target", None)),
            commentary=data.get("commentary", getattr(current, "commentary", "")),
        )
        try:
            saved = services.results_save(period=FinancialQuarter(year, quarter), entries=[entry], by=self.request.user)
        except services.ResultsInvalid as error:
            raise ValidationError(error.errors[measure.pk]) from None
        if not saved:
            raise ValidationError({"value": "Enter a value, a target or a commentary."})
        return saved[0]

    def do_create(self, data):
        return self._save(measure=data["measure"], year=data["year"], quarter=data["quarter"], data=data)

    def do_update(self, instance, data):
        for field in ("measure", "year", "quarter"):
            if field in data and data[field] != getattr(instance, field):
                raise ValidationError({field: "A result cannot move to another measure or quarter."})
        return self._save(
            measure=instance.measure, year=instance.year, quarter=instance.quarter, data=data, current=instance
        )


ROUTES = [
    ("measures", MeasureViewSet, "measure"),
    ("measure-results", MeasureResultViewSet, "measureresult"),
]
