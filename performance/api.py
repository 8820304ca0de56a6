"""API of performance measures and their quarterly results.

Each write reads its input serializer (shape), calls one service (permission, rules, audit) and answers with
the output serializer, as a GET would. An edit of a record another directorate owns is refused before its
input is read, as the page refuses before showing its form; the service asks the same question again.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from commissioning.api import ServiceViewSet

from . import services
from .filters import MeasureFilter, MeasureResultFilter
from .models import Measure, MeasureResult, recordable_quarter
from .permissions import CHANGE_MEASURE, CHANGE_RESULT
from .serializers import (
    MeasureInputSerializer,
    MeasureResultInputSerializer,
    MeasureResultSerializer,
    MeasureResultUpdateInputSerializer,
    MeasureSerializer,
    MeasureUpdateInputSerializer,
)


@extend_schema_view(
    create=extend_schema(request=MeasureInputSerializer, responses={201: MeasureSerializer}),
    update=extend_schema(request=MeasureUpdateInputSerializer, responses={200: MeasureSerializer}),
    partial_update=extend_schema(request=MeasureUpdateInputSerializer, responses={200: MeasureSerializer}),
)
class MeasureViewSet(ServiceViewSet):
    """Performance measures of commissioning strategies. Commissioners add and change the measures of their
    own directorate's strategies; administrators those of any. Status is never sent: it is computed for each
    result."""

    serializer_class = MeasureSerializer
    input_serializer_class = MeasureInputSerializer
    update_serializer_class = MeasureUpdateInputSerializer
    change_permission = CHANGE_MEASURE
    filterset_class = MeasureFilter
    ordering_fields = ["order", "name"]
    queryset = Measure.objects.select_related("strategy").order_by("strategy__name", "order", "pk")

    def do_create(self, data):
        return services.measure_create(by=self.request.user, **data)

    def do_update(self, instance, data):
        data.pop("strategy", None)  # the input serializer checked it is the measure's own
        return services.measure_update(measure=instance, by=self.request.user, **data)


@extend_schema_view(
    create=extend_schema(request=MeasureResultInputSerializer, responses={201: MeasureResultSerializer}),
    update=extend_schema(request=MeasureResultUpdateInputSerializer, responses={200: MeasureResultSerializer}),
    partial_update=extend_schema(request=MeasureResultUpdateInputSerializer, responses={200: MeasureResultSerializer}),
)
class MeasureResultViewSet(ServiceViewSet):
    """A measure's value and target for one quarter. Commissioners and contract officers enter the results of
    their own directorate's measures (administrators, and officers of no directorate, any). Posting a quarter
    that is stored already replaces it; the status is computed from value, target and polarity."""

    serializer_class = MeasureResultSerializer
    input_serializer_class = MeasureResultInputSerializer
    update_serializer_class = MeasureResultUpdateInputSerializer
    change_permission = CHANGE_RESULT
    filterset_class = MeasureResultFilter
    ordering_fields = ["year", "quarter"]
    queryset = MeasureResult.objects.select_related("measure__strategy").order_by("measure_id", "year", "quarter")

    def do_create(self, data):
        period = recordable_quarter(data.pop("year"), data.pop("quarter"))  # in range: the input checked it
        return services.result_save(measure=data.pop("measure"), period=period, by=self.request.user, **data)

    def do_update(self, instance, data):
        for name in ("measure", "year", "quarter"):
            data.pop(name, None)  # the input serializer checked they are the result's own
        return services.result_update(result=instance, by=self.request.user, **data)


ROUTES = [
    ("measures", MeasureViewSet, "measure"),
    ("measure-results", MeasureResultViewSet, "measureresult"),
]
