"""Alerts on contracts: the statutory and end-date alerts that always reach a contract's manager and backup, their
escalation to the team lead, and users' own alerts on a contract or a saved register search.

**Statutory and end-date alerts** (``ContractAlert.statutory``) cannot be switched off: no rule or setting turns
them off, only the lead times can be changed (``CONTRACT_ALERT_LEAD_DAYS``, from the environment). The daily
sweep (``contract_alerts_sweep``, the Celery beat's 06:15 task) raises, for every live contract:

- its **end date**, 180, 90 and 30 days before;
- its **notice date** (the end date less ``notice_period_months``), 30 days before and on the day;
- its **review date**, 30 days before;
- its **latest possible end date** (every extension option taken), 365 and 180 days before, when it has an
  extension option left (otherwise the end-date alerts already say it);
- **running past its end** (still live after its end date): once, then a reminder each month;
- **no contract manager** (neither a manager nor a backup): once a month until one is named;
- the **performance assessment** and **contract performance notice** due dates that
  ``oversight.performance.assessment_alerts_due`` and ``oversight.notices.notice_alerts_due`` return.

Each lead time fires once (``ContractAlert.key`` is unique and names the contract, the date and the lead time).
A sweep that missed days sends only the latest threshold passed, never three at once. The alert goes to the
contract's manager and backup; a contract with neither goes to its strategy's commissioning lead, or, with no
strategy lead, to every administrator (and the "no contract manager" alert says so).

**Escalation**: a statutory alert not acknowledged within ``ALERT_ESCALATION_DAYS`` (5 unless set) is escalated
once to the team lead: the contract's strategy's commissioning lead (directorates name no head in this app), or,
when there is none or the lead was told already (they are the manager), every administrator (``escalated_to``
then stays empty). Acknowledged alerts never escalate. The manager, the backup, whoever was told or escalated to,
and administrators may acknowledge; no one else.

**Users' own alerts** (``ContractAlertRule``, ``statutory=False``): an officer's own lead time on one of a
contract's dates, on one contract or on every contract a saved register search finds (evaluated with the
register's own filter, ``contracts.filters.ContractFilter``, as the rule's user sees the register). Each fires
once per rule, contract and date, to the rule's user alone, and is seen by them alone.

Every notification goes through ``commissioning.notifications.notify`` with a generic subject ("A contract you
manage ends in 90 days") and a link to the contract's alerts page, which says which contract and why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms.utils import pretty_name
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from commissioning import permissions, roles
from commissioning.models import User
from commissioning.notifications import notify
from contracts.models import Contract

from .models import ContractAlert, ContractAlertRule

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

Kind = ContractAlert.Kind
DateKind = ContractAlertRule.DateKind

# Days before each date that its alerts go; settings.CONTRACT_ALERT_LEAD_DAYS (from the environment) overrides.
DEFAULT_LEAD_DAYS: dict[str, tuple[int, ...]] = {
    Kind.END_DATE: (180, 90, 30),
    Kind.NOTICE_DATE: (30, 0),
    Kind.REVIEW_DATE: (30,),
    Kind.MAXIMUM_END_DATE: (365, 180),
}
DEFAULT_ESCALATION_DAYS = 5
MAX_RULE_LEAD_DAYS = 730
SAVED_SEARCH_MAX_LENGTH = ContractAlertRule._meta.get_field("saved_search").max_length or 500
# Register parameters that page or sort a search but do not choose its contracts.
_NOT_SEARCH_TERMS = ("page", "page_size", "sort")

ALERT_NOTIFICATION_KIND = "oversight.contract_alert"
ESCALATION_NOTIFICATION_KIND = "oversight.contract_alert_escalated"
RULE_NOTIFICATION_KIND = "oversight.contract_alert_own"

# The date each kind is about, in words, for the subjects.
_WHAT: dict[str, str] = {
    Kind.END_DATE: "ends",
    Kind.NOTICE_DATE: "reaches its notice date",
    Kind.REVIEW_DATE: "is due for review",
    Kind.MAXIMUM_END_DATE: "reaches its latest possible end date",
}


class AlertAlreadyAcknowledged(Exception):
    """An alert is acknowledged once: a second acknowledgement is refused, naming the first."""


# --- Settings -------------------------------------------------------------------------------------------------


def lead_days(kind: str) -> tuple[int, ...]:
    """The lead times of one date kind, longest first (``CONTRACT_ALERT_LEAD_DAYS`` or the defaults above). A
    setting with no usable lead time keeps the defaults: statutory alerts cannot be switched off."""
    configured = getattr(settings, "CONTRACT_ALERT_LEAD_DAYS", None) or {}
    days = {int(d) for d in configured.get(kind) or () if int(d) >= 0}
    return tuple(sorted(days or DEFAULT_LEAD_DAYS[kind], reverse=True))


def escalation_days() -> int:
    """Days a statutory alert may wait unacknowledged before it is escalated (``ALERT_ESCALATION_DAYS``)."""
    return int(getattr(settings, "ALERT_ESCALATION_DAYS", DEFAULT_ESCALATION_DAYS))


# --- Dates and who is told ------------------------------------------------------------------------------------


def contract_dates(contract: Contract) -> dict[str, date | None]:
    """A contract's dates that alerts are about, by kind (None: the contract has no such date)."""
    notice = None
    if contract.notice_period_months:
        notice = contract.end_date - relativedelta(months=contract.notice_period_months)
    return {
        Kind.END_DATE: contract.end_date,
        Kind.NOTICE_DATE: notice,
        Kind.REVIEW_DATE: contract.review_date,
        Kind.MAXIMUM_END_DATE: contract.maximum_end_date,
    }


def threshold_reached(*, due_on: date, leads: Iterable[int], today: date) -> int | None:
    """The lead time (days) whose alert is due today for a date: the shortest one already reached while the date
    is still ahead or today. None when the date has passed or no lead time is reached yet."""
    if due_on < today:
        return None
    reached = [lead for lead in leads if due_on - timedelta(days=lead) <= today]
    return min(reached) if reached else None


def _active(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def administrators() -> list[User]:
    """Active administrators, the last resort of every alert."""
    return list(User.objects.filter(is_active=True, groups__name=roles.ADMINISTRATOR).distinct().order_by("pk"))


def strategy_lead(contract: Contract) -> User | None:
    """The commissioning lead of the contract's strategy, if any and active."""
    strategy = contract.strategy if contract.strategy_id else None
    lead = getattr(strategy, "commissioning_lead", None)
    return lead if lead is not None and lead.is_active else None


def managers(contract: Contract) -> list[User]:
    """The contract's manager and backup (active ones)."""
    return _active([contract.contract_manager, contract.backup_manager])


def alert_recipients(contract: Contract) -> list[User]:
    """Who a statutory alert goes to: manager and backup; with neither, the strategy's commissioning lead;
    with no strategy lead either, every administrator."""
    people = managers(contract)
    if people:
        return people
    lead = strategy_lead(contract)
    return [lead] if lead is not None else administrators()


def _subject(*, kind: str, due_on: date, today: date, managed: bool) -> str:
    who = "A contract you manage" if managed else "A contract with no contract manager"
    if kind == Kind.PAST_END:
        return f"{who} is running past its end date"
    if kind == Kind.NO_MANAGER:
        return "A live contract has no contract manager or backup: please name one"
    if kind == Kind.ASSESSMENT_DUE:
        return f"{who} needs a performance assessment"
    if kind == Kind.NOTICE_DUE:
        return f"{who} needs a contract performance notice"
    days = (due_on - today).days
    when = "today" if days <= 0 else "tomorrow" if days == 1 else f"in {days} days"
    return f"{who} {_WHAT.get(kind, 'has a date')} {when}"


def _alerts_link(contract: Contract) -> str:
    return reverse("oversight:contract_alerts", args=[contract.pk])


# --- Writes ---------------------------------------------------------------------------------------------------


def raise_alert(
    *,
    contract: Contract,
    kind: str,
    due_on: date,
    key: str,
    today: date | None = None,
    rule: ContractAlertRule | None = None,
) -> ContractAlert | None:
    """Record the alert named by ``key`` once and tell its recipients; None if it was raised before.

    A statutory alert (no ``rule``) goes to ``alert_recipients``; a user's own (``rule``) to the rule's user only.
    """
    today = today or timezone.localdate()
    if ContractAlert.objects.filter(key=key).exists():
        return None
    if rule is not None:
        recipients = _active([rule.user])
        subject = f"Your own alert: a contract {_WHAT.get(kind, 'has a date')} " + (
            "today" if due_on <= today else f"in {(due_on - today).days} days"
        )
        notification_kind = RULE_NOTIFICATION_KIND
    else:
        recipients = alert_recipients(contract)
        subject = _subject(kind=kind, due_on=due_on, today=today, managed=bool(managers(contract)))
        notification_kind = ALERT_NOTIFICATION_KIND
    try:
        with transaction.atomic():
            alert = ContractAlert.objects.create(
                contract=contract, kind=kind, statutory=rule is None, rule=rule, due_on=due_on, key=key
            )
            alert.recipients.set(recipients)
            notify(
                recipients=recipients,
                kind=notification_kind,
                subject=subject,
                link=_alerts_link(contract),
                dedupe_key=f"contract-alert:{alert.pk}",
            )
    except IntegrityError:  # a concurrent sweep raised it first
        return None
    logger.info("Contract alert %s (%s) raised on contract %s", alert.pk, key, contract.pk)
    return alert


def may_acknowledge(user: Any, alert: ContractAlert) -> bool:
    """A statutory alert: the contract's manager or backup, whoever the alert was sent or escalated to, and
    administrators, if their role may change alerts (``oversight.change_contractalert``: acknowledging is changing
    it; contract officers and administrators, whichever directorate the contract sits in). A user's own alert:
    its user and administrators. Never councillors."""
    if not permissions.is_officer(user):
        return False
    if permissions.has_role(user, roles.ADMINISTRATOR):
        return True
    if not alert.statutory:
        return alert.rule is not None and alert.rule.user_id == user.pk
    if not user.has_perm("oversight.change_contractalert"):
        return False
    contract = alert.contract
    if user.pk in (contract.contract_manager_id, contract.backup_manager_id, alert.escalated_to_id):
        return True
    return any(recipient.pk == user.pk for recipient in alert.recipients.all())  # prefetched on list pages


@transaction.atomic
def alert_acknowledge(*, alert: ContractAlert, by: User) -> ContractAlert:
    """Record that ``by`` has seen the alert and is acting on it: it leaves their open alerts and never escalates.
    Refused (PermissionDenied) for anyone ``may_acknowledge`` refuses; acknowledged once."""
    alert = ContractAlert.objects.select_for_update(of=("self",)).select_related("contract", "rule").get(pk=alert.pk)
    if not may_acknowledge(by, alert):
        raise PermissionDenied(
            "Only the contract's manager, its backup or an administrator may acknowledge this alert."
        )
    if alert.acknowledged_at is not None:
        raise AlertAlreadyAcknowledged(
            f"This alert was already acknowledged by {alert.acknowledged_by or 'a former user'} "
            f"on {timezone.localtime(alert.acknowledged_at):%d/%m/%Y at %H:%M}."
        )
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    logger.info("Contract alert %s acknowledged by user %s", alert.pk, by.pk)
    return alert


def escalate_overdue(*, today: date) -> int:
    """Escalate, once, every statutory alert raised ``escalation_days()`` or more before ``today`` and still not
    acknowledged. Returns how many were escalated."""
    cutoff = today - timedelta(days=escalation_days())
    overdue = (
        ContractAlert.objects.filter(
            statutory=True, acknowledged_at__isnull=True, escalated_at__isnull=True, created_at__date__lte=cutoff
        )
        .select_related("contract__strategy__commissioning_lead")
        .prefetch_related("recipients")
        .order_by("pk")
    )
    escalated = 0
    for alert in overdue:
        lead = strategy_lead(alert.contract)
        told = {user.pk for user in alert.recipients.all()}
        escalate_to = lead if lead is not None and lead.pk not in told else None
        recipients = [escalate_to] if escalate_to is not None else administrators()
        with transaction.atomic():
            # Claimed by a conditional update, so a concurrent or repeated sweep escalates nothing twice.
            claimed = ContractAlert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(
                escalated_at=timezone.now(), escalated_to=escalate_to, updated_at=timezone.now()
            )
            if not claimed:
                continue
            notify(
                recipients=recipients,
                kind=ESCALATION_NOTIFICATION_KIND,
                subject=f"A contract alert has not been acknowledged in {escalation_days()} days: please follow it up",
                link=_alerts_link(alert.contract),
                dedupe_key=f"contract-alert-escalated:{alert.pk}",
            )
        escalated += 1
    return escalated


@dataclass(frozen=True)
class DueAlert:
    contract: Contract
    kind: str
    due_on: date
    key: str


def date_alerts_due(*, contract: Contract, today: date) -> list[DueAlert]:
    """The statutory date alerts due today for one contract (raised or not)."""
    due: list[DueAlert] = []
    for kind, day in contract_dates(contract).items():
        if day is None:
            continue
        if kind == Kind.MAXIMUM_END_DATE and day == contract.end_date:
            continue  # no extension option left: the end-date alerts say it
        lead = threshold_reached(due_on=day, leads=lead_days(kind), today=today)
        if lead is not None:
            due.append(DueAlert(contract, kind, day, f"{kind}:{contract.pk}:{day.isoformat()}:{lead}"))
    if contract.end_date < today:
        due.append(
            DueAlert(
                contract, Kind.PAST_END, contract.end_date, f"past_end:{contract.pk}:{contract.end_date}:{today:%Y-%m}"
            )
        )
    if not managers(contract):
        due.append(DueAlert(contract, Kind.NO_MANAGER, today, f"no_manager:{contract.pk}:{today:%Y-%m}"))
    return due


def _other_apps_alerts_due(today: date) -> list[tuple[Contract, str, date, str]]:
    """The assessment alerts (oversight.performance) and notice alerts (oversight.notices) due today, each
    ``(contract, kind, due_on, key)``: those modules hold the rules of when an assessment or a notice is due."""
    from .notices import notice_alerts_due
    from .performance import assessment_alerts_due

    return [*assessment_alerts_due(today=today), *notice_alerts_due(today=today)]


def _live_contracts() -> QuerySet[Contract]:
    return Contract.objects.filter(status=Contract.Status.LIVE).select_related(
        "contract_manager", "backup_manager", "strategy__commissioning_lead"
    )


def rule_alerts_due(*, rule: ContractAlertRule, today: date) -> list[DueAlert]:
    """A user's own rule's alerts due today: one per contract it watches whose date is within its lead time."""
    due = []
    for contract in rule_contracts(rule=rule):
        day = contract_dates(contract).get(rule.date_kind)
        if day is None or threshold_reached(due_on=day, leads=[rule.lead_days], today=today) is None:
            continue
        due.append(DueAlert(contract, rule.date_kind, day, f"rule:{rule.pk}:{contract.pk}:{rule.date_kind}:{day}"))
    return due


def contract_alerts_sweep(*, today: date | None = None) -> int:
    """The daily sweep: raise every statutory date alert due on a live contract, the assessment and notice alerts
    other oversight modules name, every user's own alert due, and escalate unacknowledged statutory alerts.
    Run twice the same day, it sends nothing new. Returns how many alerts were raised plus how many escalated."""
    today = today or timezone.localdate()
    due: list[DueAlert] = []
    for contract in _live_contracts():
        due += date_alerts_due(contract=contract, today=today)
    due += [DueAlert(*found) for found in _other_apps_alerts_due(today)]
    raised_before = set(ContractAlert.objects.filter(key__in=[d.key for d in due]).values_list("key", flat=True))
    raised = 0
    for item in due:
        if item.key in raised_before:
            continue
        if raise_alert(contract=item.contract, kind=item.kind, due_on=item.due_on, key=item.key, today=today):
            raised += 1
    for rule in ContractAlertRule.objects.filter(user__is_active=True).select_related("user", "contract"):
        for item in rule_alerts_due(rule=rule, today=today):
            if raise_alert(
                contract=item.contract, kind=item.kind, due_on=item.due_on, key=item.key, today=today, rule=rule
            ):
                raised += 1
    escalated = escalate_overdue(today=today)
    logger.info("Contract alerts sweep of %s: %s raised, %s escalated", today, raised, escalated)
    return raised + escalated


# --- Users' own rules -----------------------------------------------------------------------------------------


def _register_filter(query: str, user: User):
    from contracts.filters import ContractFilter
    from contracts.selectors import contract_register

    return ContractFilter(QueryDict(query), queryset=contract_register(user=user), request=SimpleNamespace(user=user))


def normalise_saved_search(text: str) -> str:
    """The register search's query string from what was pasted (the register's address, or its query string),
    without paging or sorting."""
    text = (text or "").strip()
    if "?" in text:
        text = text.split("?", 1)[1]
    elif "://" in text or text.startswith("/"):
        text = urlsplit(text).query
    params = QueryDict(text, mutable=True)
    for name in _NOT_SEARCH_TERMS:
        params.pop(name, None)
    for name in list(params):
        if not any(value.strip() for value in params.getlist(name)):
            params.pop(name)
    return params.urlencode()


def check_saved_search(query: str, *, user: User) -> None:
    """ValidationError on ``saved_search`` unless the register's filter reads every term of the search."""
    if not query:
        raise ValidationError(
            {"saved_search": "Enter a register search: filter the register, then copy its address here."}
        )
    if len(query) > SAVED_SEARCH_MAX_LENGTH:
        raise ValidationError(
            {"saved_search": f"The register search must be {SAVED_SEARCH_MAX_LENGTH} characters or fewer."}
        )
    filterset = _register_filter(query, user)
    unknown = sorted(set(QueryDict(query)) - set(filterset.form.fields))
    if unknown:
        raise ValidationError({"saved_search": f"The register has no filter called {', '.join(unknown)}."})
    if not filterset.form.is_valid():
        problems = "; ".join(
            f"{filterset.form.fields[name].label or pretty_name(name)}: {' '.join(messages)}"
            for name, messages in filterset.form.errors.items()
            if name in filterset.form.fields
        )
        raise ValidationError({"saved_search": f"The register cannot use this search ({problems})."})


def rule_contracts(*, rule: ContractAlertRule) -> QuerySet[Contract]:
    """The contracts a rule watches, as its user sees the register: its contract, or what its search finds (none
    for a search the register no longer reads)."""
    user = rule.user
    if rule.contract_id is not None:
        return Contract.objects.visible_to(user).filter(pk=rule.contract_id)
    filterset = _register_filter(rule.saved_search, user)
    if not filterset.form.is_valid():
        logger.warning("Alert rule %s: its register search is no longer valid", rule.pk)
        return Contract.objects.none()
    return filterset.qs


@transaction.atomic
def alert_rule_create(
    *,
    user: User,
    date_kind: str,
    lead_days: int,
    contract: Contract | None = None,
    saved_search: str = "",
    name: str = "",
) -> ContractAlertRule:
    """Add a user's own alert: on one contract or a saved register search, ``lead_days`` before a date of
    ``date_kind``. Any officer may keep their own; councillors none."""
    if not permissions.is_officer(user):
        raise PermissionDenied("Only council officers may set alerts on contracts.")
    saved_search = normalise_saved_search(saved_search) if saved_search else ""
    if contract is None and not saved_search:
        raise ValidationError({"contract": "Choose a contract, or enter a register search"})
    if contract is not None and saved_search:
        raise ValidationError({"saved_search": "Choose a contract or enter a register search, not both"})
    if contract is not None and not Contract.objects.visible_to(user).filter(pk=contract.pk).exists():
        raise PermissionDenied("You may not see that contract.")
    if saved_search:
        check_saved_search(saved_search, user=user)
    if date_kind not in DateKind.values:
        raise ValidationError({"date_kind": "Choose which date the alert is about"})
    if not 0 <= int(lead_days) <= MAX_RULE_LEAD_DAYS:
        raise ValidationError({"lead_days": f"Enter a number of days from 0 to {MAX_RULE_LEAD_DAYS}"})
    name = (name or "").strip()
    max_name = ContractAlertRule._meta.get_field("name").max_length or 120
    if len(name) > max_name:
        raise ValidationError({"name": f"The name must be {max_name} characters or fewer"})
    return ContractAlertRule.objects.create(
        user=user, contract=contract, saved_search=saved_search, date_kind=date_kind, lead_days=lead_days, name=name
    )


@transaction.atomic
def alert_rule_delete(*, rule: ContractAlertRule, by: User) -> None:
    """Delete one of ``by``'s own alert rules (the alerts it raised go with it)."""
    if rule.user_id != by.pk:
        raise PermissionDenied("You may delete only your own alerts.")
    rule.delete()


# --- Reads ----------------------------------------------------------------------------------------------------


def contract_alerts(
    *, user: Any, contract: Contract | None = None, acknowledged: bool | None = None
) -> QuerySet[ContractAlert]:
    """Alerts ``user`` may see, newest first: officers see every statutory alert, and their own alerts (an
    administrator sees everyone's). Optionally one contract's, or only those (not) acknowledged."""
    alerts = ContractAlert.objects.visible_to(user)
    if not permissions.has_role(user, roles.ADMINISTRATOR):
        alerts = alerts.filter(Q(statutory=True) | Q(rule__user=user.pk))
    if contract is not None:
        alerts = alerts.filter(contract=contract)
    if acknowledged is not None:
        alerts = alerts.filter(acknowledged_at__isnull=not acknowledged)
    return alerts.select_related("contract", "rule", "acknowledged_by", "escalated_to").order_by("-created_at", "-pk")


def open_alerts_for(*, user: Any) -> QuerySet[ContractAlert]:
    """Alerts still to acknowledge that are ``user``'s to act on (the home page's list): statutory alerts on
    contracts they manage or back up, or that were sent or escalated to them, and their own alerts."""
    if not permissions.is_officer(user):
        return ContractAlert.objects.none()
    told = ContractAlert.recipients.through.objects.filter(contractalert_id=OuterRef("pk"), user_id=user.pk)
    mine = Q(statutory=True) & (
        Q(contract__contract_manager=user.pk)
        | Q(contract__backup_manager=user.pk)
        | Q(escalated_to=user.pk)
        | Exists(told)
    )
    return (
        ContractAlert.objects.visible_to(user)
        .filter(acknowledged_at__isnull=True)
        .filter(mine | Q(rule__user=user.pk))
        .select_related("contract", "rule", "escalated_to")
        .order_by("due_on", "pk")
    )


def alert_rules_of(*, user: Any) -> QuerySet[ContractAlertRule]:
    """The user's own alert rules."""
    if not getattr(user, "is_authenticated", False):
        return ContractAlertRule.objects.none()
    return ContractAlertRule.objects.filter(user=user.pk).select_related("contract").order_by("pk")
