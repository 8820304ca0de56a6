"""Measures and results in the admin: to read and to trace (history), not to write.

Every write of a measure or a result goes through performance/services.py, which checks the directorate
and the council's rules and records who did it; the admin's own save would skip all three. Administrators
add and change measures and enter results on the performance pages (they act for the whole council there)
or through the API.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commissioning.admin import ReadOnlyRights

from .models import Measure, MeasureResult


class MeasureResultInline(ReadOnlyRights, admin.TabularInline):
    model = MeasureResult
    extra = 0
    fields = ["year", "quarter", "value", "target", "commentary", "entered_by", "entered_at"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyRights, SimpleHistoryAdmin):
    list_display = ["name", "strategy", "unit", "polarity", "is_targeted", "framework_code"]
    list_filter = ["strategy", "framework", "is_targeted", "unit"]
    search_fields = ["name", "framework_code"]
    list_select_related = ["strategy"]
    inlines = [MeasureResultInline]


@admin.register(MeasureResult)
class MeasureResultAdmin(ReadOnlyRights, SimpleHistoryAdmin):
    list_display = ["measure", "year", "quarter", "value", "target", "entered_by", "entered_at"]
    list_filter = ["year", "quarter"]
    list_select_related = ["measure", "entered_by"]
