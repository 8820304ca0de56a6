"""Pages of escalation ('Maximising Support, Minimising Risk'): an escalation with its stage history, decisions and
actions; an officer's request for support; the stages and triggers (administrators). Thin: check permission, call a
service or selector, render. The escalation list itself is ``oversight.views.escalation``."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.forms import service_form_page
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


def _escalation(request, pk: int) -> Escalation:
    try:
        return rules.escalation_detail(user=request.user, pk=pk)
    except Escalation.DoesNotExist as missing:
        raise Http404("No such escalation.") from missing


def _form_context(*, title: str, back_url: str, caption: str = "", crumbs=None) -> dict:
    return {
        "title": title,
        "caption": caption,
        "back_url": back_url,
        "breadcrumbs": [("Escalation", reverse("oversight:escalation")), *(crumbs or []), (title, None)],
    }


def _escalation_context(escalation: Escalation, *, title: str) -> dict:
    return _form_context(
        title=title,
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
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_open(by=request.user, **form.cleaned_data),
        success="Escalation opened: the stage's people have been told.",
        context=_form_context(title="Ask for support (open an escalation)", back_url=reverse("oversight:escalation")),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalation")
def escalation_move(request, pk: int):
    escalation = _escalation(request, pk)
    form = EscalationMoveForm(request.POST or None, escalation=escalation)
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_move_stage(escalation=escalation, by=request.user, **form.cleaned_data),
        success="Escalation moved: the stage's people have been told.",
        redirect_to=lambda saved: escalation,
        context=_escalation_context(escalation, title="Move to another stage"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationevent")
def escalation_decision(request, pk: int):
    escalation = _escalation(request, pk)
    form = EscalationDecisionForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_record_decision(escalation=escalation, by=request.user, **form.cleaned_data),
        success="Decision recorded.",
        redirect_to=lambda saved: escalation,
        context=_escalation_context(escalation, title="Record a decision"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationaction")
def escalation_action_add(request, pk: int):
    escalation = _escalation(request, pk)
    form = ActionForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_action_add(escalation=escalation, by=request.user, **form.cleaned_data),
        success="Action added.",
        redirect_to=lambda saved: escalation,
        context=_escalation_context(escalation, title="Add an action"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalationaction")
def escalation_action_done(request, pk: int):
    action = get_object_or_404(
        EscalationAction.objects.visible_to(request.user).select_related("escalation__provider", "meeting"), pk=pk
    )
    back = action.escalation.get_absolute_url() if action.escalation_id else action.meeting.get_absolute_url()
    form = ActionCompleteForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_action_complete(action=action, by=request.user, **form.cleaned_data),
        success="Action marked as done.",
        redirect_to=lambda saved: back,
        context=_form_context(title=f"Mark as done: {action.action[:60]}", back_url=back),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalation")
def escalation_close(request, pk: int):
    escalation = _escalation(request, pk)
    form = EscalationCloseForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_close(escalation=escalation, by=request.user, **form.cleaned_data),
        success="Escalation closed.",
        redirect_to=lambda saved: escalation,
        context=_escalation_context(escalation, title="Close the escalation"),
    )


# --- Stages and triggers (administrators) --------------------------------------------------------------------


_SETTINGS_CRUMB = ("Stages and triggers", "oversight:escalation_config")


def _config_context(*, title: str) -> dict:
    return _form_context(
        title=title,
        back_url=reverse("oversight:escalation_config"),
        crumbs=[(_SETTINGS_CRUMB[0], reverse(_SETTINGS_CRUMB[1]))],
    )


def _to_config(saved) -> str:
    return "oversight:escalation_config"


@require_GET
@permission_required("oversight.change_escalationstage", "oversight.change_escalationtrigger")
def escalation_config(request):
    stages, triggers = rules.ladder()
    return render(
        request,
        "oversight/escalation/config.html",
        {
            "stages": stages,
            "triggers": triggers,
            "breadcrumbs": [("Escalation", reverse("oversight:escalation")), (_SETTINGS_CRUMB[0], None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationstage")
def escalation_stage_add(request):
    form = EscalationStageForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_stage_save(by=request.user, **form.cleaned_data),
        success="Stage added.",
        redirect_to=_to_config,
        context=_config_context(title="Add a stage"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalationstage")
def escalation_stage_edit(request, pk: int):
    stage = get_object_or_404(EscalationStage, pk=pk)
    form = EscalationStageForm(request.POST or None, initial=stage_initial(stage))
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_stage_save(by=request.user, stage=stage, **form.cleaned_data),
        success="Stage saved.",
        redirect_to=_to_config,
        context=_config_context(title=f"Change stage: {stage.name}"),
    )


def _trigger_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["months"] = data.get("months") or 3
    return data


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationtrigger")
def escalation_trigger_add(request):
    form = EscalationTriggerForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_trigger_save(by=request.user, **_trigger_data(form)),
        success="Trigger added.",
        redirect_to=_to_config,
        context=_config_context(title="Add a trigger"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_escalationtrigger")
def escalation_trigger_edit(request, pk: int):
    trigger = get_object_or_404(EscalationTrigger.objects.select_related("stage"), pk=pk)
    form = EscalationTriggerForm(request.POST or None, initial=trigger_initial(trigger))
    return service_form_page(
        request,
        form,
        lambda: rules.escalation_trigger_save(by=request.user, trigger=trigger, **_trigger_data(form)),
        success="Trigger saved.",
        redirect_to=_to_config,
        context=_config_context(title=f"Change trigger: {trigger}"),
    )
