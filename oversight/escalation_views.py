"""Pages of escalation ('Maximising Support, Minimising Risk'): an escalation with its stage history, decisions and
actions; an officer's request for support; the stages and triggers (administrators). Thin: check permission, call a
service or selector, render. The escalation list itself is ``oversight.views.escalation``."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.forms import NOT_SAVED, save_through_service
from commissioning.permissions import permission_required

from . import escalation as rules
from .escalation_forms import (
    ActionCompleteForm,
    ActionForm,
    EscalationCloseForm,
    EscalationDecisionForm,
    EscalationMoveForm,
    EscalationRequestForm,
    EscalationStageForm,
    EscalationTriggerForm,
    stage_initial,
    trigger_initial,
)
from .models import Escalation, EscalationAction, EscalationStage, EscalationTrigger

FORM_TEMPLATE = "form_page.html"


def _escalation(request, pk: int) -> Escalation:
    try:
        return rules.escalation_detail(user=request.user, pk=pk)
    except Escalation.DoesNotExist as missing:
        raise Http404("No such escalation.") from missing


def _form_page(request, *, title: str, form, back_url: str, caption: str = "", crumbs=None):
    return render(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "title": title,
            "caption": caption,
            "back_url": back_url,
            "breadcrumbs": [("Escalation", reverse("oversight:escalation")), *(crumbs or []), (title, None)],
        },
    )


def _escalation_form_page(request, escalation: Escalation, *, title: str, form):
    return _form_page(
        request,
        title=title,
        form=form,
        caption=str(escalation.provider),
        back_url=escalation.get_absolute_url(),
        crumbs=[(str(escalation.provider), escalation.get_absolute_url())],
    )


@require_GET
@permission_required("oversight.view_escalation")
def escalation_detail(request, pk: int):
    escalation = _escalation(request, pk)
    return render(
        request,
        "oversight/escalation/detail.html",
        {
            "escalation": escalation,
            "breadcrumbs": [("Escalation", reverse("oversight:escalation")), (str(escalation.provider), None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalation")
def escalation_new(request):
    form = EscalationRequestForm(request.POST or None, user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_open(by=request.user, **form.cleaned_data),
        success="Escalation opened: the stage's people have been told.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved.get_absolute_url())
    return _form_page(
        request, title="Ask for support (open an escalation)", form=form, back_url=reverse("oversight:escalation")
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalation")
def escalation_move(request, pk: int):
    escalation = _escalation(request, pk)
    form = EscalationMoveForm(request.POST or None, escalation=escalation)
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_move_stage(escalation=escalation, by=request.user, **form.cleaned_data),
        success="Escalation moved: the stage's people have been told.",
    )
    if saved is not NOT_SAVED:
        return redirect(escalation.get_absolute_url())
    return _escalation_form_page(request, escalation, title="Move to another stage", form=form)


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationevent")
def escalation_decision(request, pk: int):
    escalation = _escalation(request, pk)
    form = EscalationDecisionForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_record_decision(escalation=escalation, by=request.user, **form.cleaned_data),
        success="Decision recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect(escalation.get_absolute_url())
    return _escalation_form_page(request, escalation, title="Record a decision", form=form)


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationaction")
def escalation_action_add(request, pk: int):
    escalation = _escalation(request, pk)
    form = ActionForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_action_add(escalation=escalation, by=request.user, **form.cleaned_data),
        success="Action added.",
    )
    if saved is not NOT_SAVED:
        return redirect(escalation.get_absolute_url())
    return _escalation_form_page(request, escalation, title="Add an action", form=form)


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalationaction")
def escalation_action_done(request, pk: int):
    action = get_object_or_404(
        EscalationAction.objects.visible_to(request.user).select_related("escalation__provider", "meeting"), pk=pk
    )
    back = action.escalation.get_absolute_url() if action.escalation_id else action.meeting.get_absolute_url()
    form = ActionCompleteForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_action_complete(action=action, by=request.user, **form.cleaned_data),
        success="Action marked as done.",
    )
    if saved is not NOT_SAVED:
        return redirect(back)
    return _form_page(request, title=f"Mark as done: {action.action[:60]}", form=form, back_url=back)


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalation")
def escalation_close(request, pk: int):
    escalation = _escalation(request, pk)
    form = EscalationCloseForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_close(escalation=escalation, by=request.user, **form.cleaned_data),
        success="Escalation closed.",
    )
    if saved is not NOT_SAVED:
        return redirect(escalation.get_absolute_url())
    return _escalation_form_page(request, escalation, title="Close the escalation", form=form)


# --- Stages and triggers (administrators) --------------------------------------------------------------------


_SETTINGS_CRUMB = ("Stages and triggers", "oversight:escalation_config")


def _config_page(request, *, title: str, form):
    return _form_page(
        request,
        title=title,
        form=form,
        back_url=reverse("oversight:escalation_config"),
        crumbs=[(_SETTINGS_CRUMB[0], reverse(_SETTINGS_CRUMB[1]))],
    )


@require_GET
@permission_required("oversight.change_escalationstage", "oversight.change_escalationtrigger")
def escalation_config(request):
    return render(
        request,
        "oversight/escalation/config.html",
        {
            "stages": EscalationStage.objects.prefetch_related("notify_users").order_by("level", "pk"),
            "triggers": EscalationTrigger.objects.select_related("stage").order_by("stage__level", "kind", "pk"),
            "breadcrumbs": [("Escalation", reverse("oversight:escalation")), (_SETTINGS_CRUMB[0], None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationstage")
def escalation_stage_add(request):
    form = EscalationStageForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_stage_save(by=request.user, **form.cleaned_data),
        success="Stage added.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:escalation_config")
    return _config_page(request, title="Add a stage", form=form)


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalationstage")
def escalation_stage_edit(request, pk: int):
    stage = get_object_or_404(EscalationStage, pk=pk)
    form = EscalationStageForm(request.POST or None, initial=stage_initial(stage))
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_stage_save(by=request.user, stage=stage, **form.cleaned_data),
        success="Stage saved.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:escalation_config")
    return _config_page(request, title=f"Change stage: {stage.name}", form=form)


def _trigger_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["months"] = data.get("months") or 3
    return data


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationtrigger")
def escalation_trigger_add(request):
    form = EscalationTriggerForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_trigger_save(by=request.user, **_trigger_data(form)),
        success="Trigger added.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:escalation_config")
    return _config_page(request, title="Add a trigger", form=form)


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalationtrigger")
def escalation_trigger_edit(request, pk: int):
    trigger = get_object_or_404(EscalationTrigger.objects.select_related("stage"), pk=pk)
    form = EscalationTriggerForm(request.POST or None, initial=trigger_initial(trigger))
    saved = save_through_service(
        request,
        form,
        lambda: rules.escalation_trigger_save(by=request.user, trigger=trigger, **_trigger_data(form)),
        success="Trigger saved.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:escalation_config")
    return _config_page(request, title=f"Change trigger: {trigger}", form=form)
