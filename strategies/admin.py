from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CommissioningIntention, CommissioningStrategy, HighlightReport, Outcome, ReportEvent, StrategyRisk


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0


class IntentionInline(admin.StackedInline):
    model = CommissioningIntention
    extra = 0


class RiskInline(admin.StackedInline):
    model = StrategyRisk
    extra = 0


@admin.register(CommissioningStrategy)
class CommissioningStrategyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "directorate", "sponsor", "commissioning_lead"]
    list_filter = ["directorate"]
    search_fields = ["name"]
    inlines = [OutcomeInline, IntentionInline, RiskInline]


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    readonly_fields = ["kind", "from_status", "to_status", "by", "at", "reason"]


@admin.register(HighlightReport)
class HighlightReportAdmin(SimpleHistoryAdmin):
    list_display = ["strategy", "year", "quarter", "status", "rag", "version"]
    list_filter = ["status", "rag", "year", "quarter"]
    list_select_related = ["strategy"]
    readonly_fields = ["version", "approved_snapshot"]
    inlines = [ReportEventInline]
