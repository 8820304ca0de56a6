"""Safeguarding in the demo: two safeguarding leads, a weekly duty rota over the demo clock's window, section 42
enquiries on a sample of the safeguarding concerns (history and recent ones), and the alerts of the recent
high-severity ones. All through oversight.safeguarding's services; loading again adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db.models import Q

from commissioning import roles
from commissioning.models import User
from contracts.models import Contract
from oversight import safeguarding, services
from oversight.models import Concern, EnquiryOutcome, SafeguardingDutyLead
from providers.models import Provider

from . import clock
from .people import Passwords, _user

# username, first, last, job title: contract officers who are members of the Safeguarding lead group, council-wide.
LEADS = [
    ("safeguarding.lead", "Fiona", "Carrick", "Safeguarding Adults Lead – Quality and Safeguarding"),
    ("safeguarding.deputy", "Omar", "Siddiqui", "Deputy Safeguarding Adults Lead – Quality and Safeguarding"),
]
ROTA_WEEKS_AHEAD = 8
# One safeguarding concern in SAMPLE_EVERY has a section 42 enquiry recorded (the others are dealt with short of
# an enquiry); the officer's own providers' open concerns, and those raised in the window, all have one.
SAMPLE_EVERY = 3
OUTCOMES = [
    EnquiryOutcome.RISK_ACTION,
    EnquiryOutcome.RISK_ACTION,
    EnquiryOutcome.NO_RISK_NO_ACTION,
    EnquiryOutcome.RISK_NO_ACTION,
    EnquiryOutcome.INCONCLUSIVE_ACTION,
    EnquiryOutcome.NO_RISK_ACTION,
    EnquiryOutcome.CEASED,
    EnquiryOutcome.INCONCLUSIVE_NO_ACTION,
]


def build_safeguarding(users: dict[str, User], raw_password: str) -> None:
    leads = _leads(users, raw_password)
    today = clock.load_day()
    _rota(leads, admin=users["admin"], today=today)
    _officers_concerns(officer=users["officer"], today=today)
    _enquiries(by=leads[0], officer=users["officer"], today=today)
    # The recent high-severity safeguarding concerns and serious incidents, now that the managers, leads and rota
    # are in place: told at once (each once only, however often the demo is loaded).
    recent = Concern.objects.filter(
        kind__in=(Concern.Kind.SAFEGUARDING, Concern.Kind.SERIOUS_INCIDENT), raised_on__lte=today
    ).order_by("raised_on", "pk")
    safeguarding.alert_on_record_many(list(recent.filter(status=Concern.Status.OPEN)), by=None, today=today)


def _leads(users: dict[str, User], raw_password: str) -> list[User]:
    password = Passwords(raw_password)
    group = Group.objects.get(name=roles.SAFEGUARDING_LEAD)
    leads = []
    for username, first, last, title in LEADS:
        user = _user(username, first, last, title, None, roles.CONTRACT_OFFICER, password)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        users[username] = user
        leads.append(user)
    return leads


def _rota(leads: list[User], *, admin: User, today: date) -> None:
    """Weekly duties, Monday to Sunday, the two leads in turn, from the window's first week to some weeks ahead."""
    start = clock.recent_start(today)
    start -= timedelta(days=start.weekday())
    end = today + timedelta(weeks=ROTA_WEEKS_AHEAD)
    taken = list(SafeguardingDutyLead.objects.values_list("starts_on", "ends_on"))
    week = 0
    while start <= end:
        last = start + timedelta(days=6)
        if not any(first <= last and start <= until for first, until in taken):
            safeguarding.duty_lead_add(user=leads[week % len(leads)], starts_on=start, ends_on=last, by=admin)
        start, week = start + timedelta(days=7), week + 1


def _officers_providers(officer: User) -> set[int]:
    managed = Contract.objects.filter(status=Contract.Status.LIVE).filter(
        Q(contract_manager=officer) | Q(backup_manager=officer)
    )
    ids = set(managed.exclude(lead_provider=None).values_list("lead_provider_id", flat=True))
    ids |= set(
        Contract.other_providers.through.objects.filter(contract__in=managed).values_list("provider_id", flat=True)
    )
    return ids


# The officer's own providers' recent safeguarding work (days before the load day): kind, severity, raised, the
# enquiry's start, and the day it was closed with its enquiry's outcome (None: still open).
OFFICERS_CONCERNS: list[list[tuple[str, str, int, int | None, int | None, str]]] = [
    [
        ("safeguarding", "high", 20, 18, None, "Allegation of neglect: a care plan not followed overnight."),
        ("serious_incident", "medium", 3, None, None, "Fall in a communal lounge; hospital admission."),
    ],
    [
        ("safeguarding", "critical", 40, 38, None, "Allegation of financial abuse by a member of staff."),
        ("safeguarding", "high", 120, 117, 60, "Medication given to the wrong resident."),
    ],
]


def _officers_concerns(*, officer: User, today: date) -> None:
    """Safeguarding concerns at two of the providers whose live contracts the demo officer manages or backs up,
    recorded by the officer (so their home page and the alerts have something to show). Once only."""
    providers = sorted(_officers_providers(officer))[: len(OFFICERS_CONCERNS)]
    for provider_id, rows in zip(providers, OFFICERS_CONCERNS, strict=False):
        provider = Provider.objects.get(pk=provider_id)
        if Concern.objects.filter(provider=provider, recorded_by=officer, summary=rows[0][5]).exists():
            continue
        for kind, severity, raised_ago, started_ago, closed_ago, summary in rows:
            raised = today - timedelta(days=raised_ago)
            concern = services.concern_record(
                provider=provider, kind=kind, raised_on=raised, summary=summary, severity=severity, by=officer
            )
            if started_ago is not None:
                concern = safeguarding.concern_enquiry_record(
                    concern=concern,
                    s42_reference=f"S42-{raised:%Y}-{concern.pk:05d}",
                    s42_started_on=today - timedelta(days=started_ago),
                    by=officer,
                )
            if closed_ago is not None:
                closed = today - timedelta(days=closed_ago)
                safeguarding.concern_enquiry_conclude(
                    concern=concern, s42_outcome=EnquiryOutcome.RISK_ACTION, s42_concluded_on=closed, by=officer
                )
                services.concern_close(
                    concern=concern, closed_on=closed, outcome="Enquiry concluded; actions agreed.", by=officer
                )


def _enquiries(*, by: User, officer: User, today: date) -> None:
    """Section 42 enquiries on one safeguarding concern in SAMPLE_EVERY, and on every recent one at the officer's
    providers: recorded a day or two after the concern was raised, concluded when the concern was closed."""
    window = clock.recent_start(today)
    officers = _officers_providers(officer)
    concerns = Concern.objects.filter(kind=Concern.Kind.SAFEGUARDING).order_by("raised_on", "pk")
    for position, concern in enumerate(list(concerns)):
        if concern.s42_reference:
            continue
        at_officers = concern.provider_id in officers and (
            concern.status == Concern.Status.OPEN or concern.raised_on >= window
        )
        if position % SAMPLE_EVERY and not at_officers:
            continue
        started = min(concern.raised_on + timedelta(days=1 + position % 2), today)
        concern = safeguarding.concern_enquiry_record(
            concern=concern,
            s42_reference=f"S42-{concern.raised_on:%Y}-{concern.pk:05d}",
            s42_started_on=started,
            by=by,
        )
        if concern.status == Concern.Status.CLOSED and concern.closed_on is not None:
            safeguarding.concern_enquiry_conclude(
                concern=concern,
                s42_outcome=OUTCOMES[position % len(OUTCOMES)],
                s42_concluded_on=max(concern.closed_on, started),
                by=by,
            )
