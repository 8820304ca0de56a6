"""Demo escalation governance (seed 001's 'Maximising Support, Minimising Risk' and Contract Management Governance,
seed 002's monthly contracts causing concern review), made through ``oversight.escalation`` and
``oversight.governance`` only.

* **The ladder**: contract officer → peer support (a Senior Contract Officer) → senior intervention (the strategic
  lead, the provider's owner or corporate body) → the Contract Management Governance group, which may take it to
  the Executive. **The triggers** the seed names: an action plan not complete in three months while the provider is
  medium or high risk, an officer's request for support; and the issue's: risk rising to High, a suspension, a
  serious incident.
* **A handful of escalations** over the demo clock's 13 months (``demo.clock``): moved up the ladder, with
  decisions, actions (some done, one due this week for the demo officer) and two closed. The daily sweep (the
  beat) opens those the triggers see; the escalation page lists them until it does.
* **Two Contract Management Governance meetings** (one with agreed minutes, the latest a draft) and **two contracts
  causing concern reviews** (the last two months), each with minutes, decisions and actions.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from commissioning import permissions
from commissioning.models import User
from contracts.models import Contract
from oversight import escalation, governance
from oversight.models import Escalation, EscalationAction, EscalationStage, EscalationTrigger, GovernanceMeeting

from .clock import load_day, recent_start

Kind = EscalationTrigger.Kind

STAGES = [
    (
        "Contract officer",
        "The contract officer works with the provider on its action plan and monitors progress.",
        "The provider's registered manager; the contract manager and backup.",
    ),
    (
        "Peer support",
        "A Senior Contract Officer joins the contract officer: a joint visit, a review of the action plan and of the "
        "support the provider needs.",
        "Senior Contract Officer for the service area.",
    ),
    (
        "Senior intervention",
        "The strategic lead meets the provider's owner or corporate body; sanctions (suspending admissions, a "
        "default notice) are considered.",
        "Strategic Lead for the service area; the Commercial Development Team representative.",
    ),
    (
        "Contract Management Governance",
        "The Contract Management Governance group (fortnightly) reviews the provider's status and risk and decides "
        "on action; the Executive is told where the market is at risk.",
        "Chair – Strategic Commercial & Procurement Manager; the Strategic Leads; Business Support (minutes).",
    ),
]

# (trigger kind, stage index, description)
TRIGGERS = [
    (Kind.ACTION_PLAN_OVERDUE, 1, "Medium or high risk provider with an action plan not complete within 3 months."),
    (Kind.OFFICER_REQUEST, 1, "A Contract Officer or Senior Contract Officer needs additional support or advice."),
    (Kind.SERIOUS_INCIDENT, 1, "A serious incident, or a high or critical concern, at the provider."),
    (Kind.RISK_HIGH, 2, "The provider's risk rises to High."),
    (Kind.SUSPENSION, 2, "New admissions suspended."),
]

# The escalations of the year: (months after the window's start, trigger kind, reason, stages reached, closed?)
ESCALATIONS = [
    (
        0,
        Kind.OFFICER_REQUEST,
        "The registered manager is trying to improve the service but is hampered by the owner.",
        3,
        True,
    ),
    (2, Kind.ACTION_PLAN_OVERDUE, "Medication action plan not complete after three months.", 2, True),
    (5, Kind.OFFICER_REQUEST, "Staffing shortfalls at night; the officer asks for peer support.", 2, False),
    (8, Kind.SERIOUS_INCIDENT, "Serious incident reported; the provider's own review is overdue.", 3, False),
    (10, Kind.OFFICER_REQUEST, "Repeated late monitoring returns and missed contract meetings.", 1, False),
    (12, Kind.SUSPENSION, "Admissions suspended after a safeguarding enquiry; improvement plan agreed.", 4, False),
]


def _acting(officer: User, admin: User, perm: str, obj) -> User:
    """The demo officer where their directorate allows, else the administrator (council-wide)."""
    return officer if permissions.may(officer, perm, obj) else admin


def _stages(admin: User, officer: User, lead: User) -> list[EscalationStage]:
    made = []
    for level, (name, description, told) in enumerate(STAGES, start=1):
        existing = EscalationStage.objects.filter(level=level).first()
        notify = {2: [officer], 3: [officer, lead], 4: [admin, lead]}.get(level, [])
        made.append(
            escalation.escalation_stage_save(
                by=admin,
                stage=existing,
                name=name,
                level=level,
                description=description,
                who_must_be_told=told,
                notify_users=notify,
            )
        )
    return made


def _triggers(admin: User, stages: list[EscalationStage]) -> dict[str, EscalationTrigger]:
    made: dict[str, EscalationTrigger] = {}
    for kind, stage_index, description in TRIGGERS:
        existing = EscalationTrigger.objects.filter(kind=kind).first()
        made[kind] = escalation.escalation_trigger_save(
            by=admin, trigger=existing, kind=kind, stage=stages[stage_index], months=3, description=description
        )
    return made


def _contracts(officer: User) -> list[Contract]:
    """Live contracts with a provider and a manager: the demo officer's first."""
    live = Contract.objects.filter(status=Contract.Status.LIVE, lead_provider__isnull=False).select_related(
        "lead_provider", "contract_manager"
    )
    mine = list(live.filter(contract_manager=officer).order_by("reference")[:3])
    others = list(live.exclude(contract_manager=officer).exclude(contract_manager=None).order_by("reference")[:10])
    return (mine + others)[: len(ESCALATIONS)]


def _escalations(
    *,
    officer: User,
    admin: User,
    stages: list[EscalationStage],
    triggers: dict[str, EscalationTrigger],
    today: date,
) -> None:
    start = recent_start(today)
    for (months, kind, reason, reached, closed), contract in zip(ESCALATIONS, _contracts(officer), strict=False):
        opened_on = min(start + relativedelta(months=months, days=6), today - timedelta(days=3))
        provider = contract.lead_provider
        assert provider is not None  # _contracts keeps those with a lead provider
        check = Escalation(provider=provider, contract=contract)
        by = _acting(officer, admin, "oversight.change_escalation", check)
        trigger = triggers[kind]
        item = escalation.escalation_open(
            provider=provider,
            contract=contract,
            reason=reason,
            by=by,
            opened_on=opened_on,
            trigger=trigger,
        )
        day = opened_on
        for stage in stages[trigger.stage.level : reached]:
            day = min(day + timedelta(days=21), today)
            escalation.escalation_move_stage(
                escalation=item, stage=stage, note="Not enough progress at the stage below.", by=by, moved_on=day
            )
        escalation.escalation_record_decision(
            escalation=item,
            decision="Weekly monitoring visits until the action plan is complete.",
            by=by,
            decided_on=min(opened_on + timedelta(days=7), today),
        )
        visit = escalation.escalation_action_add(
            escalation=item,
            action="Joint visit with the Senior Contract Officer and review of the action plan.",
            owner=officer,
            due_on=min(opened_on + timedelta(days=28), today + timedelta(days=3)),
            by=by,
        )
        if closed or visit.due_on < today:
            escalation.escalation_action_complete(action=visit, done_on=min(visit.due_on, today), by=by)
        if closed:
            escalation.escalation_close(
                escalation=item,
                outcome="Action plan completed; the provider is back to routine contract management.",
                by=by,
                closed_on=min(day + timedelta(days=45), today),
            )
        elif visit.done_on is not None:
            # Still open: a follow-up due this week, so the demo officer's home page shows it.
            escalation.escalation_action_add(
                escalation=item,
                action="Check the provider's evidence against each outstanding action.",
                owner=officer,
                due_on=today + timedelta(days=3),
                by=by,
            )


def _minutes(
    meeting: GovernanceMeeting, *, officer: User, admin: User, text: str, decision: str, agree: bool, today: date
) -> None:
    governance.governance_meeting_record_minutes(meeting=meeting, minutes=text, by=officer)
    for item in meeting.items.order_by("position")[:3]:
        governance.governance_item_record(
            item=item, discussion="Progress reviewed against the plan.", decision=decision, by=officer
        )
    first = meeting.items.filter(escalation__status=Escalation.Status.OPEN).select_related("escalation").first()
    on = first.escalation if first else None
    by = _acting(officer, admin, "oversight.add_escalationaction", EscalationAction(escalation=on, meeting=meeting))
    governance.governance_action_add(
        meeting=meeting,
        action="Report progress to the next meeting.",
        owner=officer,
        due_on=meeting.held_on + timedelta(days=14),
        escalation=on,
        by=by,
    )
    if agree:
        governance.governance_meeting_agree(
            meeting=meeting, by=officer, agreed_on=min(meeting.held_on + timedelta(days=14), today)
        )


def _meetings(*, officer: User, admin: User, today: date) -> None:
    attendees = (
        "Strategic Commercial & Procurement Manager (chair); Strategic Leads for Community Based, Residential Based, "
        "and Clinical and Community Prevention Services; Commercial Development Team; Business Support (minutes)"
    )
    for weeks, agree in ((6, True), (2, False)):
        held_on = today - timedelta(weeks=weeks)
        if GovernanceMeeting.objects.filter(kind=GovernanceMeeting.Kind.GOVERNANCE, held_on=held_on).exists():
            continue
        meeting = governance.governance_meeting_create(
            kind=GovernanceMeeting.Kind.GOVERNANCE,
            held_on=held_on,
            chair="Strategic Commercial & Procurement Manager",
            attendees=attendees,
            by=officer,
        )
        _minutes(
            meeting,
            officer=officer,
            admin=admin,
            text="The group cross-examined provider status and risk against contract management activity and "
            "market demand, and agreed the actions below.",
            decision="Continue at the current stage; review at the next meeting.",
            agree=agree,
            today=today,
        )
    this_month = today.replace(day=1)
    for back, agree in ((2, True), (1, False)):
        month = this_month - relativedelta(months=back)
        held_on = min(month + relativedelta(months=1, days=9), today)
        if GovernanceMeeting.objects.filter(kind=GovernanceMeeting.Kind.CAUSING_CONCERN, month=month).exists():
            continue
        meeting = governance.governance_meeting_create(
            kind=GovernanceMeeting.Kind.CAUSING_CONCERN,
            held_on=held_on,
            month=month,
            chair="Head of Commissioning",
            attendees="Commissioning management team",
            by=officer,
        )
        _minutes(
            meeting,
            officer=officer,
            admin=admin,
            text="The commissioning management team reviewed the month's contracts causing concern; improvement "
            "actions were added for the providers and the list goes to the Assistant Director.",
            decision="Improvement actions added for the provider.",
            agree=agree,
            today=today,
        )


def build_escalation(users: dict[str, User]) -> None:
    """The ladder, the triggers, the year's escalations and meetings. The daily sweep is left to the beat: the
    escalation page lists the situations it will open (the demo's recent concerns and sanctions come later in
    ``load``, so a sweep here would see some on a reload and not on a first load)."""
    today = load_day()
    admin, officer = users["admin"], users["officer"]
    lead = users.get("lead.frailty") or admin
    stages = _stages(admin, officer, lead)
    triggers = _triggers(admin, stages)
    if not Escalation.objects.filter(situation_key="").exists():
        _escalations(officer=officer, admin=admin, stages=stages, triggers=triggers, today=today)
    _meetings(officer=officer, admin=admin, today=today)
