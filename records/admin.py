"""Records and data protection in the Django admin: read only, every write goes through the services."""

from django.contrib import admin

from commissioning.admin import ReadOnlyAdmin

from .models import DisposalRecord, LegalHold, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(ReadOnlyAdmin):
    list_display = ["record_type", "period_years", "trigger", "action", "active", "updated_at"]
    list_filter = ["action", "trigger", "active"]


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = ["label", "app_label", "model", "object_id", "placed_by", "placed_on", "released_on"]
    list_filter = ["app_label", "model", "released_on"]
    search_fields = ["label", "reason"]
    list_select_related = ["placed_by", "released_by"]


@admin.register(DisposalRecord)
class DisposalRecordAdmin(ReadOnlyAdmin):
    list_display = ["label", "record_type", "object_id", "action", "applied_by", "applied_at"]
    list_filter = ["record_type", "action"]
    search_fields = ["label"]
    list_select_related = ["applied_by"]
    date_hierarchy = "applied_at"


# subject access searches and redactions, read only (they are the audit).
from .models import Redaction, SubjectAccessSearch  # noqa: E402


@admin.register(SubjectAccessSearch)
class SubjectAccessSearchAdmin(admin.ModelAdmin):
    list_display = ("reference", "searched_at", "by", "result_count", "truncated")
    readonly_fields = ("by", "searched_at", "terms", "reference", "reason", "result_count", "truncated")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Redaction)
class RedactionAdmin(admin.ModelAdmin):
    list_display = ("redacted_at", "by", "app_label", "model", "object_id", "field", "replacements")
    readonly_fields = (
        *("by", "redacted_at", "search", "reason", "app_label", "model", "object_id", "field"),
        *("replacement", "replacements"),
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
