"""Admin of the contract register and pooled budgets.

Contracts are added and changed on the register's pages, changes recorded there and decisions too, so
the admin shows them only. Pooled budgets have no page of their own: the admin adds and changes them
through ``contracts.services`` (which check the right, through the strategy's or the contract's
directorate, and the rules). Nothing is deleted here: no service deletes.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commissioning.admin import ReadOnlyAdmin, ReadOnlyRights
from providers.admin import ServiceAdmin

from . import services
from .models import Contract, ContractChange, PooledBudget, ProcurementProject


class ContractChangeInline(ReadOnlyRights, admin.TabularInline):
    model = ContractChange
    extra = 0
    fields = readonly_fields = (
        "kind",
        "effective_on",
        "description",
        "value_change",
        "extension_months",
        "from_provider",
        "to_provider",
        "approved_by",
        "change_notice_required",
        "change_notice_id",
    )


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Contracts are kept on the register's pages (contracts:edit, change_add, decision, termination)."""

    list_display = [
        "reference",
        "title",
        "lead_provider",
        "category",
        "contract_type",
        "end_date",
        "maximum_end_date",
        "annual_value",
        "status",
        "regime",
    ]
    list_filter = [
        "directorate",
        "category",
        "contract_type",
        "status",
        "regime",
        "performance",
        "politically_sensitive",
    ]
    search_fields = ["reference", "title", "lead_provider__name"]
    list_select_related = ["lead_provider"]
    inlines = [ContractChangeInline]


@admin.register(PooledBudget)
class PooledBudgetAdmin(ServiceAdmin):
    list_display = ["name", "arrangement_type", "partner", "total_value", "partner_contribution"]
    list_filter = ["arrangement_type"]
    raw_id_fields = ["strategy", "contract"]

    def create(self, request, fields):
        return services.pooled_budget_create(by=request.user, **fields)

    def update(self, request, obj, fields):
        return services.pooled_budget_update(budget=obj, by=request.user, **fields)


@admin.register(ProcurementProject)
class ProcurementProjectAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Procurement projects are kept on the work plan's pages (contracts:procurement_project_edit and -stage),
    whose services check the stage moves and dates; the admin shows them and their history."""

    list_display = [
        "reference",
        "title",
        "directorate",
        "stage",
        "route",
        "estimated_annual_value",
        "whole_life_value",
        "planned_start",
        "completed_on",
    ]
    list_filter = ["directorate", "stage", "route", "decision_route"]
    search_fields = ["reference", "title", "service_area"]
    list_select_related = ["directorate"]
