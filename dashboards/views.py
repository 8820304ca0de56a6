"""Read-model pages across the apps. Thin: check permission, call a selector, render."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from commissioning import roles
from commissioning.permissions import permission_required
from contracts.selectors import my_contracts, needs_decision_counts, running_past_end_for
from oversight.alerts import open_alerts_for
from oversight.notices import notices_due
from oversight.performance import assessments_overdue
from performance.selectors import quarter_picker, selected_period
from performance.views import bad_quarter

from . import selectors


@require_GET
@permission_required("performance.view_measure")
def council(request):
    """The council dashboard for the quarter asked for (?quarter=2018-Q3), else the latest with any result.
    What the reader sees beyond performance is the core's answer (``selectors.Audience``)."""
    try:
        period = selected_period(request.GET.get("quarter", ""))
    except ValueError as error:
        return bad_quarter(request, message=str(error), title="Council dashboard")
    context = selectors.dashboard_context_cached(period=period, audience=selectors.Audience.of(request.user))
    context["quarter_choices"] = quarter_picker(selected=period)
    context["breadcrumbs"] = [("Performance dashboard", None)]
    return render(request, "dashboards/council.html", context)


MY_CONTRACTS_SHOWN = 20
HOME_LIST_SHOWN = 5


@require_GET
def home(request):
    """Each role's starting points. Contract officers and administrators also see the contracts they manage or
    back up (those running past their end first), how many contracts are running past their end, their alerts
    to acknowledge, and the performance assessments overdue and notices awaiting publication."""
    user = request.user
    sections = []
    if user.has_role(roles.COMMISSIONER, roles.ADMINISTRATOR):
        sections.append("commissioner")
    if user.has_role(roles.CONTRACT_OFFICER, roles.ADMINISTRATOR):
        sections.append("contract_officer")
    if user.has_role(roles.SCRUTINY_MEMBER, roles.ADMINISTRATOR):
        sections.append("scrutiny_member")
    if user.has_role(roles.ADMINISTRATOR):
        sections.append("administrator")
    context: dict = {"sections": sections}
    if "contract_officer" in sections:
        today = timezone.localdate()
        mine_all = my_contracts(user=user, today=today)
        mine = list(mine_all[:MY_CONTRACTS_SHOWN])
        for contract in mine:
            if contract.maximum_end_date < today:
                contract.running_past_for = running_past_end_for(end=contract.maximum_end_date, today=today)
        context["my_contracts"] = mine
        context["my_contracts_count"] = len(mine) if len(mine) < MY_CONTRACTS_SHOWN else mine_all.count()
        context["running_past_end_count"] = needs_decision_counts(today=today, user=user).past_end
        # What needs the officer now: alerts to acknowledge, assessments overdue, notices awaiting publication.
        alerts = open_alerts_for(user=user)
        context["open_alerts"] = list(alerts[:HOME_LIST_SHOWN])
        context["open_alerts_count"] = (
            len(context["open_alerts"]) if len(context["open_alerts"]) < HOME_LIST_SHOWN else alerts.count()
        )
        overdue = assessments_overdue(user=user, today=today)
        context["assessments_overdue"] = overdue[:HOME_LIST_SHOWN]
        context["assessments_overdue_count"] = len(overdue)
        due = notices_due(user=user, today=today)
        context["notices_due"] = due[:HOME_LIST_SHOWN]
        context["notices_due_count"] = len(due)
        from oversight.returns import returns_due_for

        outstanding = list(returns_due_for(user=user, today=today))
        for ret in outstanding:
            ret.late = ret.due_on < today
        context["returns_overdue"] = [r for r in outstanding if r.late]
        context["returns_due"] = [r for r in outstanding if not r.late]
        context["returns_shown"] = outstanding[:HOME_LIST_SHOWN]
        # Open escalations (all the officer may see) and the officer's own escalation and meeting actions due.
        from oversight.escalation import ACTIONS_DUE_WITHIN_DAYS, actions_due_for, escalation_list

        context["open_escalations_count"] = escalation_list(user=user, status="open").count()
        actions_due = actions_due_for(user=user, today=today)
        context["escalation_actions_due"] = list(actions_due[:HOME_LIST_SHOWN])
        context["escalation_actions_due_count"] = (
            len(context["escalation_actions_due"])
            if len(context["escalation_actions_due"]) < HOME_LIST_SHOWN
            else actions_due.count()
        )
        context["escalation_actions_within_days"] = ACTIONS_DUE_WITHIN_DAYS
        # Open safeguarding concerns with a section 42 enquiry under way at the officer's providers (each row
        # shown is a read of a safeguarding record, recorded).
        from oversight.safeguarding import audit_concern_reads, open_enquiries_for

        enquiries = open_enquiries_for(user=user)
        context["open_enquiries"] = list(enquiries[:HOME_LIST_SHOWN])
        context["open_enquiries_count"] = (
            len(context["open_enquiries"]) if len(context["open_enquiries"]) < HOME_LIST_SHOWN else enquiries.count()
        )
        audit_concern_reads(user=user, concerns=context["open_enquiries"], via="page")
    return render(request, "commissioning/home.html", context)
