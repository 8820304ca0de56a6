"""Reads of what contract officers log about providers: the lists of visits, concerns, sanctions and
action plans, and the escalation list.

Selectors return QuerySets with their related rows fetched, so the pages run a fixed number of queries.

The escalation rule ('Maximising Support, Minimising Risk'): a provider rated medium or high risk
whose action plan is not complete three months (the action-plan trigger's months) after it was agreed goes
on the escalation list, with the escalation steps taken so far. It is one of the escalation triggers
(oversight.escalation), which the daily sweep turns into escalations.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from providers.models import RiskAssessment, RiskLevel

from .models import ActionPlan, Concern, EscalationStep, EscalationTrigger, PlanAction, Sanction, Visit

ESCALATION_AFTER_MONTHS = 3
ESCALATION_RISK_LEVELS = (RiskLevel.MEDIUM, RiskLevel.HIGH)


def visit_list(*, user, date_from: date | None = None, date_to: date | None = None, kind: str = "") -> QuerySet[Visit]:
    """The visits ``user`` may see, latest first, optionally between two dates (inclusive) and of one kind."""
    queryset = Visit.objects.visible_to(user).select_related("provider", "location", "officer", "contract")
    if date_from:
        queryset = queryset.filter(visited_on__gte=date_from)
    if date_to:
        queryset = queryset.filter(visited_on__lte=date_to)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-visited_on", "-pk")


def concern_list(
    *, user, date_from: date | None = None, date_to: date | None = None, kind: str = "", status: str = ""
) -> QuerySet[Concern]:
    """The concerns ``user`` may see, latest raised first, optionally raised between two dates, of one type,
    open or closed."""
    queryset = Concern.objects.visible_to(user).select_related("provider", "location", "contract", "recorded_by")
    if date_from:
        queryset = queryset.filter(raised_on__gte=date_from)
    if date_to:
        queryset = queryset.filter(raised_on__lte=date_to)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-raised_on", "-pk")


def sanction_list(*, user, in_force_on: date | None = None, kind: str = "") -> QuerySet[Sanction]:
    """The sanctions ``user`` may see, latest first; ``in_force_on`` keeps those started and not lifted by
    that date."""
    queryset = Sanction.objects.visible_to(user).select_related("provider", "location", "contract", "issued_by")
    if in_force_on:
        queryset = queryset.filter(issued_on__lte=in_force_on).filter(
            Q(lifted_on__isnull=True) | Q(lifted_on__gt=in_force_on)
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-issued_on", "-pk")


def _with_provider_risk(queryset: QuerySet[ActionPlan], *, on: date) -> QuerySet[ActionPlan]:
    """``provider_risk_level``: the provider's risk on ``on`` (the one definition, ``risk_level_on``)."""
    return queryset.annotate(provider_risk_level=RiskAssessment.objects.level_on(on, provider=OuterRef("provider_id")))


def action_plan_list(*, user, status: str = "", today: date | None = None) -> QuerySet[ActionPlan]:
    """The action plans ``user`` may see, latest agreed first, with actions, escalation steps and the
    provider's current risk."""
    queryset = ActionPlan.objects.visible_to(user).select_related("provider", "location", "contract")
    if status:
        queryset = queryset.filter(status=status)
    return (
        _with_provider_risk(queryset, on=today or timezone.localdate())
        .prefetch_related(
            Prefetch("actions", queryset=PlanAction.objects.order_by("due_on", "pk")),
            Prefetch("escalation_steps", queryset=EscalationStep.objects.select_related("taken_by")),
        )
        .order_by("-agreed_on", "-pk")
    )


def escalation_months() -> int:
    """The months of the active action-plan trigger (the 3-month rule is one escalation trigger, set by
    administrators: oversight.escalation), else ``ESCALATION_AFTER_MONTHS``."""
    months = (
        EscalationTrigger.objects.filter(kind=EscalationTrigger.Kind.ACTION_PLAN_OVERDUE, active=True)
        .values_list("months", flat=True)
        .first()
    )
    return months or ESCALATION_AFTER_MONTHS


def action_plans_needing_escalation(
    *, user, today: date | None = None, months: int | None = None
) -> QuerySet[ActionPlan]:
    """Open plans agreed ``months`` (the action-plan trigger's, ``escalation_months()``; three if not given) or
    more ago whose provider is currently medium or high risk.

    A plan agreed on 1 July is due for escalation from 1 October if it is still not complete.
    """
    today = today or timezone.localdate()
    cutoff = today - relativedelta(months=months or ESCALATION_AFTER_MONTHS)
    return (
        action_plan_list(user=user, status=ActionPlan.Status.OPEN, today=today)
        .filter(Q(provider_risk_level__in=ESCALATION_RISK_LEVELS), agreed_on__lte=cutoff)
        .order_by("agreed_on", "pk")
    )
