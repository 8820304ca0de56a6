"""Admin of what officers record about providers (visits, concerns, sanctions, action plans): shown only.
Each is recorded, closed, lifted, completed or escalated on the oversight pages, through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commissioning.admin import ReadOnlyAdmin, ReadOnlyRights

from .models import ActionPlan, Concern, EscalationStep, PlanAction, Sanction, Visit


class OfficerRecordAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_select_related = ["provider"]
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


class _ShownInline(ReadOnlyRights, admin.TabularInline):
    extra = 0


class PlanActionInline(_ShownInline):
    model = PlanAction


class EscalationStepInline(_ShownInline):
    model = EscalationStep


@admin.register(ActionPlan)
class ActionPlanAdmin(OfficerRecordAdmin):
    list_display = ["title", "provider", "agreed_on", "status"]
    list_filter = ["status"]
    inlines = [PlanActionInline, EscalationStepInline]
