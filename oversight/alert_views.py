"""Pages of contract alerts: "My alerts" (open alerts to acknowledge, my own alert rules), a contract's alerts,
acknowledging an alert and adding or deleting one's own alert. Thin: the rules live in oversight.alerts."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning.forms import service_form_page
from commissioning.permissions import permission_required
from contracts.models import Contract

from . import alerts
from .alert_forms import AlertRuleForm
from .models import ContractAlert


@require_GET
@permission_required("oversight.view_contractalert")
def my_alerts(request):
    """The officer's open alerts (those theirs to act on) and their own alert rules."""
    open_alerts = list(alerts.open_alerts_for(user=request.user).prefetch_related("recipients"))
    return render(
        request,
        "oversight/alerts/my_alerts.html",
        {
            "open_alerts": open_alerts,
            # A commissioner told as a strategy's lead sees the alert but may not acknowledge it.
            "acknowledgeable": {a.pk for a in open_alerts if alerts.may_acknowledge(request.user, a)},
            "rules": alerts.alert_rules_of(user=request.user),
            "escalation_days": alerts.escalation_days(),
            "breadcrumbs": [("My alerts", None)],
        },
    )


@require_GET
@permission_required("oversight.view_contractalert")
def contract_alerts(request, pk: int):
    """Every alert raised on one contract that the user may see, open ones first, with acknowledge buttons."""
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related("contract_manager", "backup_manager"), pk=pk
    )
    found = list(alerts.contract_alerts(user=request.user, contract=contract).prefetch_related("recipients"))
    found.sort(key=lambda a: a.acknowledged_at is not None)
    return render(
        request,
        "oversight/alerts/contract_alerts.html",
        {
            "contract": contract,
            "alerts": found,
            "acknowledgeable": {
                a.pk for a in found if a.acknowledged_at is None and alerts.may_acknowledge(request.user, a)
            },
            "breadcrumbs": [
                ("Contracts", reverse("contracts:list")),
                (contract.reference, contract.get_absolute_url()),
                ("Alerts", None),
            ],
        },
    )


@require_POST
@permission_required("oversight.view_contractalert")
def alert_acknowledge(request, pk: int):
    """Acknowledge one alert, then back to the contract's alerts (``back=contract``) or to My alerts."""
    alert = get_object_or_404(alerts.contract_alerts(user=request.user), pk=pk)
    try:
        alerts.alert_acknowledge(alert=alert, by=request.user)
    except alerts.AlertAlreadyAcknowledged as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Acknowledged the {alert.get_kind_display().lower()} alert on {alert.contract.reference}."
        )
    if request.POST.get("back") == "contract":
        return redirect("oversight:contract_alerts", pk=alert.contract_id)
    return redirect("oversight:alerts")


@require_http_methods(["GET", "POST"])
@permission_required("oversight.view_contractalert")
def alert_rule_add(request):
    """Add one's own alert on a contract (``?contract=<id>`` chooses it) or on a register search
    (``?saved_search=<query string>`` fills it in)."""
    initial = {"date_kind": ContractAlert.Kind.END_DATE}
    contract_id = request.GET.get("contract", "")
    if contract_id.isdigit():
        initial["contract"] = int(contract_id)
    if request.GET.get("saved_search"):
        initial["saved_search"] = request.GET["saved_search"]
    form = AlertRuleForm(request.POST if request.method == "POST" else None, user=request.user, initial=initial)
    return service_form_page(
        request,
        form,
        lambda: alerts.alert_rule_create(user=request.user, **form.cleaned_data),
        success=lambda rule: f"Alert added: {rule}.",
        redirect_to=lambda saved: "oversight:alerts",
        context={
            "title": "Add an alert",
            "back_url": reverse("oversight:alerts"),
            "breadcrumbs": [("My alerts", reverse("oversight:alerts")), ("Add an alert", None)],
        },
    )


@require_POST
@permission_required("oversight.view_contractalert")
def alert_rule_delete(request, pk: int):
    """Delete one of the user's own alerts (someone else's is not found)."""
    rule = alerts.alert_rules_of(user=request.user).filter(pk=pk).first()
    if rule is None:
        raise Http404("No such alert")
    alerts.alert_rule_delete(rule=rule, by=request.user)
    messages.success(request, f"Alert deleted: {rule}.")
    return redirect("oversight:alerts")
