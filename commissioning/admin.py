from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Directorate, User


@admin.register(Directorate)
class DirectorateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "executive_director"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "job_title", "directorate", "is_active"]
    list_filter = ["groups", "directorate", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (("Council", {"fields": ("job_title", "directorate", "phone")}),)
