from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contract, ContractChange, PooledBudget


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
