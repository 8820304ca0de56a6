from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Measure, MeasureResult


class MeasureResultInline(admin.TabularInline):
    model = MeasureResult
    extra = 0
    fields = ["year", "quarter", "value", "target", "commentary"]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "strategy", "unit", "polarity", "is_targeted", "framework_code"]
    list_filter = ["strategy", "framework", "is_targeted", "unit"]
    search_fields = ["name", "framework_code"]
    list_select_related = ["strategy"]
    inlines = [MeasureResultInline]


@admin.register(MeasureResult)
class MeasureResultAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "year", "quarter", "value", "target"]
    list_filter = ["year", "quarter"]
    list_select_related = ["measure"]
