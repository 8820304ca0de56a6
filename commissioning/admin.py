from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .documents import remove_document
from .models import Directorate, Document, Notification, User


@admin.register(Directorate)
class DirectorateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "executive_director"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "job_title", "directorate", "is_active"]
    list_filter = ["groups", "directorate", "is_active"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Council", {"fields": ("job_title", "directorate", "phone")}))


class ReadOnlyRights:
    """Records written only by their service: the admin (or an inline) shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyRights, admin.ModelAdmin):
    """Records written only by their service: the admin shows them and changes nothing."""


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["subject", "dedupe_key", "recipient__username", "recipient__last_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Documents are attached on the record's page; removing one goes through remove_document (the action
    below), which checks the right to change the record and deletes the stored file too."""

    list_display = ["title", "original_filename", "content_type", "object_id", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type", "mime_type"]
    search_fields = ["title", "original_filename", "sha256"]
    list_select_related = ["content_type", "uploaded_by"]
    exclude = ["file"]  # downloads go through the permission-checked view, not a /media/ link
    actions = ["remove_documents"]

    def has_remove_permission(self, request):
        return request.user.has_perm("commissioning.delete_document")

    @admin.action(description="Remove selected documents (and their files)", permissions=["remove"])
    def remove_documents(self, request, queryset):
        removed = refused = 0
        for document in queryset.select_related("content_type"):
            try:
                remove_document(document=document, by=request.user)
            except PermissionDenied:
                refused += 1
            else:
                removed += 1
        if removed:
            self.message_user(request, f"{removed} document(s) removed.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{refused} document(s) not removed: you may not change the records they belong to.",
                messages.ERROR,
            )


from . import sso_admin  # noqa: E402, F401  (directory group mappings)
