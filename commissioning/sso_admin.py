"""The directory group mapping in the Django admin: administrators say which directory group (Entra ID object
ID) or app role gives which role and directorate. Imported from commissioning/admin.py."""

from django.contrib import admin

from .models import DirectoryGroupMapping, SsoIdentity


@admin.register(DirectoryGroupMapping)
class DirectoryGroupMappingAdmin(admin.ModelAdmin):
    list_display = ["claim_value", "description", "role", "directorate"]
    list_filter = ["role", "directorate"]
    search_fields = ["claim_value", "description"]


@admin.register(SsoIdentity)
class SsoIdentityAdmin(admin.ModelAdmin):
    """Who signs in with which directory account; made at sign-in only, removable to unlink an account."""

    list_display = ["user", "issuer", "subject", "first_signed_in_at", "last_signed_in_at"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["user", "issuer", "subject", "first_signed_in_at", "last_signed_in_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
