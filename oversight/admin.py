"""Admin for what officers record about providers (visits, concerns, sanctions, action plans)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionPlan, Concern, EscalationStep, PlanAction, Sanction, Visit


class OfficerRecordAdmin(SimpleHistoryAdmin):
    list_select_related = ["provider"]
    raw_id_fields = ["provider", "location", "contract"]
    search_fields = ["provider__name"]


@admin.register(Visit)
class VisitAdmin(OfficerRecordAdmin):
    list_display = ["visited_on", "provider", "kind", "officer"]
    list_filter = ["kind"]


@admin.register(Concern)
class ConcernAdmin(OfficerRecordAdmin):
    list_display = ["raised_on", "provider", "kind", "severity", "status"]
    list_filter = ["kind", "severity", "status"]


@admin.register(Sanction)
class SanctionAdmin(OfficerRecordAdmin):
    list_display = ["issued_on", "provider", "kind", "lifted_on"]
    list_filter = ["kind"]


class PlanActionInline(admin.TabularInline):
    model = PlanAction
    extra = 0


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(OfficerRecordAdmin):
    list_display = ["title", "provider", "agreed_on", "status"]
    list_filter = ["status"]
    inlines = [PlanActionInline, EscalationStepInline]
