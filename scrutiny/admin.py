"""The Django admin of scrutiny: writes go through the services, like every page.

A pack's workflow and rendering fields (status, publication, render status, file, checksum, page count,
progress) are never typed in here; a published pack is wholly read-only (the members have it); packs are
started from the meeting page, which chooses their appendices. Conclusions are recorded, never rewritten.
Nothing is deleted here, and history versions are for reading (the admin's "revert" would write around the
services).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.admin import ReadOnlyAdmin, ReadOnlyRights
from strategies.admin import ReadOnlyHistoryAdmin, formset_saved

from . import services
from .models import (
    AgendaItem,
    Committee,
    Decision,
    ForwardPlanEntry,
    Meeting,
    PackAppendix,
    PackSupplement,
    RecommendationAction,
    ScrutinyConclusion,
    ScrutinyPack,
    ScrutinyRecommendation,
    ScrutinyStage,
    SupplementItem,
)


def _changed(form, fields) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in fields}


def _refused(error: ValidationError) -> PermissionDenied:
    return PermissionDenied(" ".join(error.messages))


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "kind"]
    fields = ("name", "kind", "members")
    filter_horizontal = ["members"]

    def save_model(self, request, obj, form, change):
        data = _changed(form, services.COMMITTEE_FIELDS)
        members = list(form.cleaned_data["members"])
        try:
            if change:
                saved = services.committee_update(committee=obj, by=request.user, data=data, members=members)
            else:
                saved = services.committee_create(by=request.user, data=data, members=members)
        except ValidationError as error:
            raise _refused(error) from error
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset_saved(formset)  # the members were set by the service


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyHistoryAdmin):
    list_display = ["committee", "date", "venue"]
    list_filter = ["committee"]
    fields = tuple(services.MEETING_FIELDS)

    def save_model(self, request, obj, form, change):
        data = _changed(form, services.MEETING_FIELDS)
        try:
            if change:
                saved = services.meeting_update(meeting=obj, by=request.user, data=data)
            else:
                saved = services.meeting_create(by=request.user, data=data)
        except ValidationError as error:
            raise _refused(error) from error
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(ScrutinyConclusion)
class ScrutinyConclusionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["strategy", "meeting"]
    list_select_related = ["strategy", "meeting__committee"]
    fields = ("meeting", "strategy", "text", "recorded_by")
    readonly_fields = ("recorded_by",)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False  # as the minutes record them: recorded, never rewritten
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            saved = services.conclusion_record(
                meeting=form.cleaned_data["meeting"],
                strategy=form.cleaned_data["strategy"],
                text=form.cleaned_data["text"],
                by=request.user,
            )
        except ValidationError as error:
            raise _refused(error) from error
        obj.pk = saved.pk
        obj._state.adding = False


class PackAppendixInline(admin.TabularInline):
    """The appendices are chosen on the pack's page (services.pack_update); here they are listed."""

    model = PackAppendix
    extra = 0
    can_delete = False
    fields = readonly_fields = ("order", "strategy")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScrutinyPack)
class ScrutinyPackAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "meeting", "status", "render_status", "page_count", "generated_at"]
    list_filter = ["status", "render_status"]
    WORKFLOW_FIELDS = [
        "meeting",
        "status",
        "published_at",
        "render_status",
        "render_error",
        "progress_done",
        "progress_total",
        "file",
        "checksum",
        "page_count",
        "generated_at",
    ]
    fields = (*services.COVER_FIELDS, *WORKFLOW_FIELDS)
    readonly_fields = tuple(WORKFLOW_FIELDS)
    inlines = [PackAppendixInline]

    def has_add_permission(self, request):
        return False  # a pack is started from its meeting's page, where its appendices are chosen

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False  # published: the members have it as it is
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            services.pack_update(pack=obj, by=request.user, cover=_changed(form, services.COVER_FIELDS))
        except ValidationError as error:
            raise _refused(error) from error

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset_saved(formset)  # the appendices change through services.pack_update only


# Agenda items and supplements are kept on the meeting's and the pack's pages (through the services, which keep
# the numbering and the published supplements fixed): listed here to read, never added, changed or deleted.


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyRights, ReadOnlyHistoryAdmin):
    list_display = ["meeting", "number", "title", "strategy", "late", "supplement"]
    list_select_related = ["meeting__committee", "strategy", "supplement__pack"]
    list_filter = ["late"]
    fields = ("meeting", "number", "title", "description", "strategy", "decision", "late", "supplement")
    readonly_fields = fields


class SupplementItemInline(ReadOnlyRights, admin.TabularInline):
    model = SupplementItem
    extra = 0
    can_delete = False
    fields = readonly_fields = ("order", "strategy")


@admin.register(PackSupplement)
class PackSupplementAdmin(ReadOnlyAdmin):
    list_display = ["pack", "number", "status", "render_status", "first_page", "page_count", "published_at"]
    list_select_related = ["pack"]
    list_filter = ["status"]
    fields = (
        "pack",
        "number",
        "reason_for_urgency",
        "status",
        "render_status",
        "render_error",
        "file",
        "checksum",
        "first_page",
        "page_count",
        "generated_at",
        "published_at",
        "published_by",
        "sha256",
    )
    readonly_fields = fields
    inlines = [SupplementItemInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyHistoryAdmin):
    """Decision records, written through services.decision_create and decision_update (the rules: a reference of
    its own, a decision date once decided, reports of its strategies) like the pages and the API."""

    list_display = ["reference", "subject", "decision_maker", "report_date", "key_decision", "outcome"]
    list_filter = ["outcome", "key_decision"]
    search_fields = ["reference", "subject"]
    fields = (*services.DECISION_FIELDS, "strategies", "reports")
    filter_horizontal = ["strategies", "reports"]

    def save_model(self, request, obj, form, change):
        data = _changed(form, services.DECISION_FIELDS)
        links = {
            "strategies": list(form.cleaned_data.get("strategies") or []),
            "reports": list(form.cleaned_data.get("reports") or []),
        }
        try:
            if change:
                saved = services.decision_update(decision=obj, by=request.user, data=data, **links)
            else:
                saved = services.decision_create(by=request.user, data=data, **links)
        except ValidationError as error:
            raise _refused(error) from error
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset_saved(formset)  # the strategies and reports were set by the service


# --- Two-stage scrutiny and recommendations ---
# Stages, recommendations and their actions are written on the report's and the recommendation's pages (through
# the services, which keep the stages in order and the response rules): listed here to read.


@admin.register(ScrutinyStage)
class ScrutinyStageAdmin(ReadOnlyRights, ReadOnlyHistoryAdmin):
    list_display = ["report", "step", "meeting", "concluded_on"]
    list_select_related = ["report__strategy", "meeting__committee"]
    list_filter = ["step"]
    fields = ("report", "step", "meeting", "conclusion", "concluded_on", "recorded_by")
    readonly_fields = fields


class RecommendationActionInline(ReadOnlyRights, admin.TabularInline):
    model = RecommendationAction
    extra = 0
    can_delete = False
    fields = readonly_fields = ("description", "owner", "due_date", "progress", "completed_on")


@admin.register(ScrutinyRecommendation)
class ScrutinyRecommendationAdmin(ReadOnlyRights, ReadOnlyHistoryAdmin):
    list_display = ["committee", "meeting", "number", "addressed_to", "response_due", "response", "status"]
    list_select_related = ["committee", "meeting__committee"]
    list_filter = ["status", "response", "committee"]
    search_fields = ["text"]
    fields = (
        *services.RECOMMENDATION_FIELDS,
        "response_due",
        "response",
        "response_reasons",
        "responded_by",
        "responded_on",
        "status",
        "closed_on",
        "closing_note",
        "overdue_notified_on",
    )
    readonly_fields = fields
    inlines = [RecommendationActionInline]


# --- Forward plan ----------------------------------------------------------------------------------------


@admin.register(ForwardPlanEntry)
class ForwardPlanEntryAdmin(ReadOnlyHistoryAdmin):
    """Forward plan entries, written through services.forward_plan_entry_create and forward_plan_entry_update (the
    notice rule: 28 clear days, or the general exception or special urgency with their reasons) like the pages and
    the API. The status and the decision record move on the entry's page (deferred, withdrawn, decided)."""

    list_display = ["reference", "title", "decision_maker", "decision_due", "key_decision", "notice_route", "status"]
    list_filter = ["status", "notice_route", "key_decision", "exempt"]
    search_fields = ["reference", "title"]
    date_hierarchy = "decision_due"
    fields = (*services.FORWARD_PLAN_FIELDS, "contracts", "projects", "strategies", "status", "decision")
    readonly_fields = ("status", "decision")
    raw_id_fields = ["contracts", "projects"]
    filter_horizontal = ["strategies"]

    def save_model(self, request, obj, form, change):
        data = _changed(form, services.FORWARD_PLAN_FIELDS)
        links = {name: list(form.cleaned_data.get(name) or []) for name in ("contracts", "projects", "strategies")}
        try:
            if change:
                saved = services.forward_plan_entry_update(entry=obj, by=request.user, data=data, **links)
            else:
                data = {
                    name: form.cleaned_data[name] for name in services.FORWARD_PLAN_FIELDS if name in form.cleaned_data
                }
                saved = services.forward_plan_entry_create(by=request.user, data=data, **links)
        except ValidationError as error:
            raise _refused(error) from error
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset_saved(formset)  # the links were set by the service
