"""Pages for what officers log: visits, concerns, sanctions, action plans, the escalation list, and the
annual contract-management statistics.

Thin: check permission, call a service or selector, render.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning.forms import NOT_SAVED, add_service_errors, save_through_service
from commissioning.listing import page_of, querystring_without
from commissioning.periods import financial_year_choices, financial_year_of
from commissioning.permissions import permission_required
from providers.models import Provider

from . import safeguarding, selectors, services
from .forms import (
    ActionPlanForm,
    ConcernCloseForm,
    ConcernFilterForm,
    ConcernForm,
    EscalationStepForm,
    PlanActionCompleteForm,
    PlanActionForm,
    ProviderChoiceForm,
    SanctionForm,
    SanctionLiftForm,
    StatisticsPeriodForm,
    VisitFilterForm,
    VisitForm,
)
from .models import ActionPlan, Concern, PlanAction, Sanction
from .statistics import EARLIEST_YEAR, latest_year, period_statistics, statistics_period

FORM_TEMPLATE = "form_page.html"


def _provider_from_query(request) -> Provider | None:
    value = request.GET.get("provider", "")
    if not value.isdigit():
        return None
    return Provider.objects.visible_to(request.user).filter(pk=int(value)).first()


def _choose_provider(request, *, title: str):
    form = ProviderChoiceForm(request.GET or None, user=request.user)
    if request.GET.get("provider"):
        form.is_valid()  # shows "select a valid choice" for an unknown provider
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "title": title, "breadcrumbs": [(title, None)]},
    )


def _provider_form_page(request, *, provider: Provider, title: str, form, back_url: str):
    return render(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "title": title,
            "page_title": f"{title} – {provider.name}",
            "caption": provider.name,
            "back_url": back_url,
            "breadcrumbs": [
                ("Providers", reverse("providers:list")),
                (provider.name, provider.get_absolute_url()),
                (title, None),
            ],
        },
    )


def _for_provider(fields: tuple[str, ...], form) -> dict:
    return {name: form.cleaned_data[name] for name in fields}


def _record_for_provider(
    request, *, title: str, form_class, service, fields: tuple[str, ...], done: str, **form_kwargs
):
    """The one "record something about a provider" page: pick the provider, fill the form, call the service
    (whose refusals go onto the form), then back to the provider."""
    provider = _provider_from_query(request)
    if provider is None:
        return _choose_provider(request, title=title)
    form = form_class(request.POST or None, provider=provider, contract=request.GET.get("contract"), **form_kwargs)
    saved = save_through_service(
        request,
        form,
        lambda: service(provider=provider, by=request.user, **_for_provider(fields, form)),
        success=done,
    )
    if saved is not NOT_SAVED:
        return redirect(provider)
    return _provider_form_page(request, provider=provider, title=title, form=form, back_url=provider.get_absolute_url())


# --- Visits ------------------------------------------------------------------------------------------------


@require_GET
@permission_required("oversight.view_visit")
def visit_list(request):
    form = VisitFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {"date_from": form.cleaned_data["from"], "date_to": form.cleaned_data["to"]}
        filters["kind"] = form.cleaned_data["kind"]
    filters["user"] = request.user
    return render(
        request,
        "oversight/visit_list.html",
        {
            "filter_form": form,
            "page_obj": page_of(request, selectors.visit_list(**filters)),
            "querystring": querystring_without(request),
            "breadcrumbs": [("Visits", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_visit")
def visit_add(request):
    return _record_for_provider(
        request,
        title="Record a visit",
        form_class=VisitForm,
        service=services.visit_record,
        fields=(
            "visited_on",
            "kind",
            "officer",
            "location",
            "contract",
            "findings",
            "environment",
            "complaints_feedback",
            "follow_up_actions",
        ),
        done="Visit recorded.",
        user=request.user,
    )


# --- Concerns ----------------------------------------------------------------------------------------------


@require_GET
@permission_required("oversight.view_concern")
def concern_list(request):
    form = ConcernFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "date_from": form.cleaned_data["from"],
            "date_to": form.cleaned_data["to"],
            "kind": form.cleaned_data["kind"],
            "status": form.cleaned_data["status"],
        }
    filters["user"] = request.user
    page = page_of(request, selectors.concern_list(**filters))
    # The safeguarding concerns and serious incidents shown are recorded as read.
    safeguarding.audit_concern_reads(user=request.user, concerns=page.object_list, via="page")
    return render(
        request,
        "oversight/concern_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "querystring": querystring_without(request),
            "breadcrumbs": [("Concerns", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_concern")
def concern_add(request):
    return _record_for_provider(
        request,
        title="Record a concern",
        form_class=ConcernForm,
        service=services.concern_record,
        fields=("kind", "raised_on", "severity", "summary", "location", "contract", "sensitive"),
        done="Concern recorded.",
    )


@require_POST
@permission_required("oversight.change_concern")
def concern_sensitive(request, pk: int):
    """Flag a concern sensitive, or lift the flag (``services.concern_mark_sensitive`` says who may)."""
    concern = get_object_or_404(Concern.objects.visible_to(request.user), pk=pk)
    sensitive = request.POST.get("sensitive") == "true"
    services.concern_mark_sensitive(concern=concern, sensitive=sensitive, by=request.user)
    if not Concern.objects.visible_to(request.user).filter(pk=pk).exists():
        # Flagging it took it out of the flagger's own reach (not the recorder, not the provider's officer).
        messages.success(request, "Flagged sensitive: need to know only. You are not among those who may read it now.")
        return redirect("oversight:concerns")
    messages.success(request, "Flagged sensitive: need to know only." if sensitive else "Sensitive flag lifted.")
    return redirect(concern)


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_concern")
def concern_close(request, pk: int):
    concern = get_object_or_404(Concern.objects.visible_to(request.user).select_related("provider"), pk=pk)
    form = ConcernCloseForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: services.concern_close(concern=concern, by=request.user, **form.cleaned_data),
        success="Concern closed.",
    )
    if saved is not NOT_SAVED:
        return redirect(concern.provider)
    return _provider_form_page(
        request,
        provider=concern.provider,
        title=f"Close {concern.get_kind_display().lower()} raised {concern.raised_on:%d/%m/%Y}",
        form=form,
        back_url=concern.provider.get_absolute_url(),
    )


# --- Sanctions ---------------------------------------------------------------------------------------------


@require_GET
@permission_required("oversight.view_sanction")
def sanction_list(request):
    in_force = request.GET.get("in_force") == "1"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Sanction.Kind.values else ""
    queryset = selectors.sanction_list(
        user=request.user, in_force_on=timezone.localdate() if in_force else None, kind=kind
    )
    return render(
        request,
        "oversight/sanction_list.html",
        {
            "page_obj": page_of(request, queryset),
            "in_force": in_force,
            "kind": kind,
            "kinds": Sanction.Kind.choices,
            "querystring": querystring_without(request),
            "breadcrumbs": [("Sanctions", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_sanction")
def sanction_add(request):
    return _record_for_provider(
        request,
        title="Record a sanction",
        form_class=SanctionForm,
        service=services.sanction_record,
        fields=("kind", "issued_on", "lifted_on", "amount", "reason", "location", "contract"),
        done="Sanction recorded.",
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_sanction")
def sanction_lift(request, pk: int):
    sanction = get_object_or_404(Sanction.objects.visible_to(request.user).select_related("provider"), pk=pk)
    form = SanctionLiftForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: services.sanction_lift(sanction=sanction, by=request.user, **form.cleaned_data),
        success=f"{sanction.get_kind_display()} lifted.",
    )
    if saved is not NOT_SAVED:
        return redirect(sanction.provider)
    return _provider_form_page(
        request,
        provider=sanction.provider,
        title=f"Lift {sanction.get_kind_display().lower()} from {sanction.issued_on:%d/%m/%Y}",
        form=form,
        back_url=sanction.provider.get_absolute_url(),
    )


# --- Action plans and escalation ----------------------------------------------------------------------------


@require_GET
@permission_required("oversight.view_actionplan")
def action_plan_list(request):
    status = request.GET.get("status", "")
    status = status if status in ActionPlan.Status.values else ""
    return render(
        request,
        "oversight/action_plan_list.html",
        {
            "page_obj": page_of(request, selectors.action_plan_list(user=request.user, status=status)),
            "status": status,
            "statuses": ActionPlan.Status.choices,
            "querystring": querystring_without(request),
            "breadcrumbs": [("Action plans", None)],
        },
    )


@require_GET
@permission_required("oversight.view_actionplan")
def action_plan_detail(request, pk: int):
    plan = get_object_or_404(selectors.action_plan_list(user=request.user), pk=pk)
    return render(
        request,
        "oversight/action_plan_detail.html",
        {
            "plan": plan,
            "breadcrumbs": [
                ("Providers", reverse("providers:list")),
                (plan.provider.name, plan.provider.get_absolute_url()),
                (plan.title, None),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_actionplan")
def action_plan_add(request):
    provider = _provider_from_query(request)
    if provider is None:
        return _choose_provider(request, title="Add an action plan")
    form = ActionPlanForm(request.POST or None, provider=provider, contract=request.GET.get("contract"))
    saved = save_through_service(
        request,
        form,
        lambda: services.action_plan_create(
            provider=provider,
            by=request.user,
            actions=form.actions,
            **_for_provider(("title", "agreed_on", "location", "contract"), form),
        ),
        success=lambda saved: "Action saved saved.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:action_plan", pk=saved.pk)
    return _provider_form_page(
        request, provider=provider, title="Add an action plan", form=form, back_url=provider.get_absolute_url()
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_planaction")
def action_add(request, pk: int):
    plan = get_object_or_404(ActionPlan.objects.visible_to(request.user).select_related("provider"), pk=pk)
    form = PlanActionForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: services.plan_action_add(plan=plan, by=request.user, **form.cleaned_data),
        success="Action added.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:action_plan", pk=plan.pk)
    return _provider_form_page(
        request,
        provider=plan.provider,
        title=f"Add an action to '{plan.title}'",
        form=form,
        back_url=reverse("oversight:action_plan", args=[plan.pk]),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_planaction")
def action_complete(request, pk: int):
    action = get_object_or_404(PlanAction.objects.visible_to(request.user).select_related("plan__provider"), pk=pk)
    form = PlanActionCompleteForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: services.plan_action_complete(action=action, by=request.user, **form.cleaned_data),
        success="Action marked as done.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:action_plan", pk=action.plan_id)
    return _provider_form_page(
        request,
        provider=action.plan.provider,
        title=f"Mark as done: {action.description[:60]}",
        form=form,
        back_url=reverse("oversight:action_plan", args=[action.plan_id]),
    )


@require_GET
@permission_required("oversight.view_actionplan")
def escalation(request):
    """Open escalations by stage, the situations the triggers see (arisen within the sweep's look-back) that the
    next daily sweep will escalate, and the action plans the 3-month rule (the action-plan trigger) puts on the
    list."""
    from . import escalation as escalation_rules

    today = timezone.localdate()
    triggers = escalation_rules.active_triggers()
    months = next(
        (t.months for t in triggers if t.kind == t.Kind.ACTION_PLAN_OVERDUE), selectors.ESCALATION_AFTER_MONTHS
    )
    open_escalations = list(escalation_rules.escalation_list(user=request.user, status="open"))
    by_stage: dict = {}
    for row in open_escalations:
        by_stage.setdefault(row.stage, []).append(row)
    return render(
        request,
        "oversight/escalation.html",
        {
            "plans": selectors.action_plans_needing_escalation(user=request.user, today=today, months=months),
            "months": months,
            "lookback": escalation_rules.lookback_days(),
            "by_stage": list(by_stage.items()),
            "open_count": len(open_escalations),
            "situations": escalation_rules.trigger_situations(
                today=today, lookback=escalation_rules.lookback_days(), new_only=True, triggers=triggers
            )
            if request.user.has_perm("oversight.view_escalation")
            else [],
            "breadcrumbs": [("Escalation", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationstep")
def escalation_step_add(request, pk: int):
    plan = get_object_or_404(ActionPlan.objects.visible_to(request.user).select_related("provider"), pk=pk)
    form = EscalationStepForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: services.escalation_step_record(plan=plan, by=request.user, **form.cleaned_data),
        success="Escalation step recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:escalation")
    return _provider_form_page(
        request,
        provider=plan.provider,
        title=f"Record an escalation step for '{plan.title}'",
        form=form,
        back_url=reverse("oversight:escalation"),
    )


# --- Annual contract-management statistics ---------------------------------------------------------------


@require_GET
@permission_required("contracts.view_contract")
def statistics(request):
    today = timezone.localdate()
    this_year = financial_year_of(today)
    years = list(range(this_year, this_year - 8, -1))
    chosen = request.GET.get("year", "")
    if chosen.isdigit() and EARLIEST_YEAR <= int(chosen) <= latest_year(today) and int(chosen) not in years:
        years = sorted([*years, int(chosen)], reverse=True)
    form = StatisticsPeriodForm(
        request.GET or None, initial={"period": "year", "year": this_year}, year_choices=financial_year_choices(years)
    )
    period = None
    if not form.is_bound:
        period = statistics_period(today=today)
    elif form.is_valid():
        data = form.cleaned_data
        try:
            period = statistics_period(
                kind=data["period"], year=data["year"], start=data["from"], end=data["to"], today=today
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "oversight/statistics.html",
        {
            "form": form,
            "period": period,
            "stats": period_statistics(period=period, user=request.user) if period else None,
            "breadcrumbs": [("Contracts", reverse("contracts:list")), ("Annual statistics", None)],
        },
        status=200 if period else 400,
    )
