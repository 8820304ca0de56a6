"""The Django admin of strategies and highlight reports: writes go through the services, like every page.

Workflow-governed fields (a report's status, version, board, scrutiny and Executive records, the approved
snapshot) are never typed in here: they change only through the workflow moves. A report that has left draft
is read-only here (the services allow edits to drafts only; an approved report is frozen), its timeline is
read-only, and nothing is deleted here (no service deletes a strategy, a part of one or a report).
History versions are for reading: the admin's "revert" would write around the services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    CommissioningIntention,
    CommissioningStrategy,
    CycleStage,
    HighlightReport,
    Outcome,
    ReportEvent,
    Saving,
    StrategyRisk,
)
from .selectors import EDITABLE_FIELDS

# part model -> (fields, create service, update service, the update service's keyword for the part)
PART_SERVICES = {
    Outcome: (services.OUTCOME_FIELDS, services.outcome_create, services.outcome_update, "outcome"),
    CommissioningIntention: (
        services.INTENTION_FIELDS,
        services.intention_create,
        services.intention_update,
        "intention",
    ),
    StrategyRisk: (services.RISK_FIELDS, services.risk_create, services.risk_update, "risk"),
}


def _changed(form, fields) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in fields}


def formset_saved(formset, *, new=(), changed=()) -> None:
    """What the admin's change message reads of a formset that the services saved (formset.save() was not run)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = list(new), list(changed), []


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History to read, never to revert from, and no deletes."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False


class PartInline(admin.StackedInline):
    extra = 0
    can_delete = False


class OutcomeInline(PartInline):
    model = Outcome
    fields = tuple(services.OUTCOME_FIELDS)


class IntentionInline(PartInline):
    model = CommissioningIntention
    fields = tuple(services.INTENTION_FIELDS)


class RiskInline(PartInline):
    model = StrategyRisk
    fields = tuple(services.RISK_FIELDS)


class StrategyAdminForm(forms.ModelForm):
    """The admin's form shows the service's rules next to the fields, before anything is saved."""

    class Meta:
        model = CommissioningStrategy
        fields = services.STRATEGY_FIELDS

    def _post_clean(self):
        super()._post_clean()
        for name, message in services.strategy_rule_errors(self.instance).items():
            self.add_error(name, message)


@admin.register(CommissioningStrategy)
class CommissioningStrategyAdmin(ReadOnlyHistoryAdmin):
    form = StrategyAdminForm
    list_display = ["name", "directorate", "sponsor", "commissioning_lead"]
    list_filter = ["directorate"]
    search_fields = ["name"]
    fields = tuple(services.STRATEGY_FIELDS)
    inlines = [OutcomeInline, IntentionInline, RiskInline]

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = services.strategy_update(
                    strategy=obj, by=request.user, data=_changed(form, services.STRATEGY_FIELDS)
                )
            else:
                saved = services.strategy_create(by=request.user, data=_changed(form, services.STRATEGY_FIELDS))
        except ValidationError as error:
            # The form has already been accepted: show the service's refusal rather than a half-saved record.
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk = saved.pk
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        fields, create, update, keyword = PART_SERVICES[formset.model]
        new, changed = [], []
        for part_form in formset.forms:
            if not part_form.has_changed():
                continue
            data = _changed(part_form, fields)
            if part_form.instance.pk is None:
                new.append(create(strategy=form.instance, by=request.user, data=data))
            else:
                saved = update(**{keyword: part_form.instance}, by=request.user, data=data)
                changed.append((saved, list(data)))
        formset_saved(formset, new=new, changed=changed)


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kind", "from_status", "to_status", "by", "at", "reason")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HighlightReport)
class HighlightReportAdmin(ReadOnlyHistoryAdmin):
    """A draft's sections are edited through services.highlight_report_update; everything else is read-only.
    Reports are started from the strategy page (highlight_report_start_next), not here."""

    list_display = ["strategy", "year", "quarter", "status", "rag", "version"]
    list_filter = ["status", "rag", "year", "quarter"]
    list_select_related = ["strategy"]
    WORKFLOW_FIELDS = [
        "strategy",
        "year",
        "quarter",
        "status",
        "version",
        "board_comments",
        "scrutiny_meeting",
        "decision_reference",
        "decision_date",
        "approved_snapshot",
    ]
    fields = (*WORKFLOW_FIELDS, *EDITABLE_FIELDS)
    readonly_fields = tuple(WORKFLOW_FIELDS)
    inlines = [ReportEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != HighlightReport.Status.DRAFT:
            return False  # with the board, scrutiny or the Executive, or approved and frozen
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        stored = HighlightReport.objects.get(pk=obj.pk)
        try:
            services.highlight_report_update(
                report=stored,
                by=request.user,
                data=_changed(form, EDITABLE_FIELDS),
                expected_version=stored.version,
            )
        except (ValidationError, services.TransitionNotAllowed, services.StaleEdit) as error:
            raise PermissionDenied(str(error)) from error

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset_saved(formset)  # the timeline is written by the workflow services only


# --- The commissioning cycle and savings (written through their services) ----------------------------


class CycleStageAdminForm(forms.ModelForm):
    """Shows the service's rules next to the fields before anything is saved."""

    class Meta:
        model = CycleStage
        fields = services.CYCLE_STAGE_FIELDS

    def _post_clean(self):
        super()._post_clean()
        for name, message in services.cycle_stage_rule_errors(self.instance).items():
            self.add_error(name, message)


@admin.register(CycleStage)
class CycleStageAdmin(ReadOnlyHistoryAdmin):
    """The council's commissioning cycle: an administrator adds phases and finer stages, renames, reorders and
    deactivates them (services.cycle_stage_create / cycle_stage_update). Stages are never deleted here: the
    intentions at a stage keep it."""

    form = CycleStageAdminForm
    list_display = ["__str__", "order", "active"]
    list_filter = ["active", "parent"]
    list_select_related = ["parent"]
    fields = tuple(services.CYCLE_STAGE_FIELDS)

    def save_model(self, request, obj, form, change):
        data = _changed(form, services.CYCLE_STAGE_FIELDS)
        try:
            if change:
                saved = services.cycle_stage_update(stage=CycleStage.objects.get(pk=obj.pk), by=request.user, data=data)
            else:
                saved = services.cycle_stage_create(by=request.user, data=data)
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk = saved.pk
        obj._state.adding = False


class SavingAdminForm(forms.ModelForm):
    class Meta:
        model = Saving
        fields = [*services.SAVING_FIELDS, *services.SAVING_LINKS]

    def _post_clean(self):
        super()._post_clean()
        contracts = list(self.cleaned_data.get("contracts") or [])
        for name, message in services.saving_rule_errors(self.instance, contracts=contracts).items():
            if name in self.fields:
                self.add_error(name, message)


@admin.register(Saving)
class SavingAdmin(ReadOnlyHistoryAdmin):
    """Savings, written through services.saving_create / saving_update (the directorate and reasons rules)."""

    form = SavingAdminForm
    list_display = ["reference", "title", "directorate", "year", "status", "budgeted", "achieved"]
    list_filter = ["directorate", "year", "status"]
    list_select_related = ["directorate"]
    search_fields = ["reference", "title"]
    autocomplete_fields = ["contracts"]
    fields = (*services.SAVING_FIELDS, *services.SAVING_LINKS)

    def save_model(self, request, obj, form, change):
        data = _changed(form, [*services.SAVING_FIELDS, *services.SAVING_LINKS])
        try:
            if change:
                saved = services.saving_update(saving=Saving.objects.get(pk=obj.pk), by=request.user, data=data)
            else:
                saved = services.saving_create(by=request.user, data=data)
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the contracts were set by the service
