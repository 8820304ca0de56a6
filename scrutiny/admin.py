from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Committee, Meeting, PackAppendix, ScrutinyConclusion, ScrutinyPack


@admin.register(Committee)
class CommitteeAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    filter_horizontal = ["members"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["committee", "date", "venue"]
    list_filter = ["committee"]


@admin.register(ScrutinyConclusion)
class ScrutinyConclusionAdmin(SimpleHistoryAdmin):
    list_display = ["strategy", "meeting"]
    list_select_related = ["strategy", "meeting__committee"]


class PackAppendixInline(admin.TabularInline):
    model = PackAppendix
    extra = 0


@admin.register(ScrutinyPack)
class ScrutinyPackAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "status", "render_status", "page_count", "generated_at"]
    list_filter = ["status", "render_status"]
    readonly_fields = ["render_status", "render_error", "checksum", "page_count", "generated_at", "file"]
    inlines = [PackAppendixInline]
