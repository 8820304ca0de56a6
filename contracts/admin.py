from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ActionPlan,
    Concern,
    Contract,
    ContractChange,
    EscalationStep,
    PlanAction,
    PooledBudget,
    Sanction,
    Visit,
)


class ContractChangeInline(admin.TabularInline):
    model = ContractChange
    extra = 0
    raw_id_fields = ["from_provider", "to_provider", "recorded_by"]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "lead_provider",
        "category",
        "contract_type",
        "end_date",
        "annual_value",
        "status",
    ]
    list_filter = ["directorate", "category", "contract_type", "status", "performance", "politically_sensitive"]
    search_fields = ["reference", "title", "lead_provider__name"]
    list_select_related = ["lead_provider"]
    raw_id_fields = ["lead_provider", "other_providers", "locations", "strategy"]
    inlines = [ContractChangeInline]


@admin.register(PooledBudget)
class PooledBudgetAdmin(SimpleHistoryAdmin):
    list_display = ["name", "arrangement_type", "partner", "total_value", "partner_contribution"]
    list_filter = ["arrangement_type"]


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
