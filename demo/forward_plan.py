"""The forward plan of key decisions in the demo: seed 000's key decision I017457 (the Executive, 4 June 2019),
published with more than 28 clear days' notice and linked to its decision record, and four Adult Care decisions
of the months after it: one on ordinary notice, one under the general exception with its reasons, one exempt
contract award (Schedule 12A, paragraph 3) and one Executive Councillor decision.

Every entry is written through the scrutiny services on the day it was first published (``seed.on``), so the plan
"as at" a day shows what it said then; a second run finds each entry by its reference and writes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from commissioning.models import User
from contracts.models import ProcurementProject
from scrutiny import services as scrutiny_services
from scrutiny.models import Decision, ExemptParagraph, ForwardPlanEntry
from strategies.models import CommissioningStrategy

from .seed import DECISION_DATE, DECISION_REFERENCE, on

CONTACT = "Tom Ashworth, Scrutiny Officer: democratic.services@lincolnshire.example, 01522 000000"
ADULT_CARE_COUNCILLOR = "Executive Councillor for Adult Care, Health and Children's Services"
REPRESENTATIONS = (
    "Write to the contact officer, or to the Adults and Community Wellbeing Scrutiny Committee, at least a week "
    "before the date of decision."
)

# Each entry: its fields, the strategies (by name) it concerns, and the contracts (by reference) whose
# procurement projects it carries, if the demo has them.
FORWARD_PLAN: list[dict[str, Any]] = [
    {
        "data": {
            "reference": DECISION_REFERENCE,
            "title": "Commissioning Strategies",
            "description": "To approve the content of the commissioning strategies for Specialist Adult Services, "
            "Safeguarding Adults, Carers, Adult Frailty and Long Term Conditions, Community Wellbeing and Public "
            "Protection, each as its highlight report sets it out.",
            "decision_maker": "Executive",
            "key_decision": True,
            "decision_due": DECISION_DATE,
            "first_published": date(2019, 4, 26),
            "documents": "Report on the Commissioning Strategies, with the six highlight reports as Appendix A.",
            "consultation": "The strategies went to their subject scrutiny committees (5 September 2018, "
            "10 October 2018, 12 March 2019) and the Overview and Scrutiny Management Board considers the report "
            "on 30 May 2019. " + REPRESENTATIONS,
            "contact_officer": CONTACT,
        },
        "strategies": [
            "Specialist Adult Services",
            "Safeguarding Adults",
            "Carers",
            "Adult Frailty and Long Term Conditions",
            "Community Wellbeing",
            "Public Protection",
        ],
        "replacing": [],
        "council_wide": True,
    },
    {
        "data": {
            "reference": "I017520",
            "title": "Re-procurement of Community Supported Living for adults with a learning disability",
            "description": "To approve the re-procurement of community supported living through an open "
            "procedure, with new contracts from April 2020.",
            "decision_maker": ADULT_CARE_COUNCILLOR,
            "key_decision": True,
            "decision_due": date(2019, 7, 29),
            "first_published": date(2019, 6, 10),
            "documents": "Report on the re-procurement, with the market engagement summary.",
            "consultation": "Engagement with people who use the service, their families and providers, March to "
            "May 2019. " + REPRESENTATIONS,
            "contact_officer": CONTACT,
        },
        "strategies": ["Specialist Adult Services"],
        "replacing": ["ACCW-0002"],
    },
    {
        "data": {
            "reference": "I017531",
            "title": "Interim homecare arrangements in the East Lindsey zone",
            "description": "To award interim homecare contracts for the East Lindsey zone after the lead "
            "provider gave notice to end its contract.",
            "decision_maker": ADULT_CARE_COUNCILLOR,
            "key_decision": True,
            "decision_due": date(2019, 6, 25),
            "first_published": date(2019, 6, 14),
            "notice_route": "general_exception",
            "urgency_reasons": "The lead provider gave three months' notice on 12 June 2019. Care for about 400 "
            "people must continue without a break, and the next Executive Councillor decision session after 28 "
            "clear days' notice would leave too little time to mobilise new providers before the contract ends.",
            "chair_informed_on": date(2019, 6, 14),
            "documents": "Report on the interim arrangements.",
            "consultation": REPRESENTATIONS,
            "contact_officer": CONTACT,
        },
        "strategies": ["Adult Frailty and Long Term Conditions"],
        "replacing": ["ACCW-0010"],
    },
    {
        "data": {
            "reference": "I017544",
            "title": "Award of the Integrated Community Equipment Service contract",
            "description": "To award the contract for the Integrated Community Equipment Service, jointly "
            "commissioned with the NHS, after the tender's evaluation.",
            "decision_maker": "Executive",
            "key_decision": True,
            "decision_due": date(2019, 9, 3),
            "first_published": date(2019, 7, 1),
            "exempt": True,
            "exempt_paragraph": ExemptParagraph.FINANCIAL,
            "documents": "Report on the award (open), with the tender evaluation and prices as an exempt "
            "appendix (Schedule 12A, paragraph 3: the financial and business affairs of the bidders).",
            "consultation": "Joint commissioning with the Lincolnshire Clinical Commissioning Groups. "
            + REPRESENTATIONS,
            "contact_officer": CONTACT,
        },
        "strategies": ["Community Wellbeing"],
        "replacing": ["PH-0008"],
    },
    {
        "data": {
            "reference": "I017550",
            "title": "Re-commissioning of the Lincolnshire Carers Service",
            "description": "To approve the model for the Lincolnshire Carers Service from April 2020 and its "
            "procurement.",
            "decision_maker": ADULT_CARE_COUNCILLOR,
            "key_decision": True,
            "decision_due": date(2019, 10, 8),
            "first_published": date(2019, 7, 15),
            "documents": "Report on the carers service model, with the carers' engagement findings.",
            "consultation": "Carers' engagement events across the county in the summer of 2019. " + REPRESENTATIONS,
            "contact_officer": CONTACT,
        },
        "strategies": ["Carers"],
        "replacing": ["ACCW-0007"],
    },
]


def _author(users: dict[str, User], *, council_wide: bool) -> User:
    """Democratic Services (the administrator) publish council-wide entries; Adult Care's commissioner its own."""
    return users["admin"] if council_wide else users["commissioner"]


def build_forward_plan(users: dict[str, User]) -> dict[str, ForwardPlanEntry]:
    """The demo's forward plan entries by reference, each added (if missing) on the day it was first published,
    and I017457 linked to its decision record once the Executive has decided (demo.seed's ``_decided``)."""
    entries: dict[str, ForwardPlanEntry] = {}
    for item in FORWARD_PLAN:
        data = dict(item["data"])
        council_wide = item.get("council_wide", False)
        author = _author(users, council_wide=council_wide)
        entry = ForwardPlanEntry.objects.filter(reference=data["reference"]).first()
        if entry is None:
            if not council_wide:
                data["directorate"] = author.directorate
            strategies = list(CommissioningStrategy.objects.filter(name__in=item["strategies"]).order_by("name"))
            projects = list(
                ProcurementProject.objects.filter(replaces__reference__in=item["replacing"]).distinct().order_by("pk")
            )
            with on(data["first_published"]):
                entry = scrutiny_services.forward_plan_entry_create(
                    by=author, data=data, strategies=strategies, projects=projects
                )
        entries[entry.reference] = entry
    entries[DECISION_REFERENCE] = _link_decision(entries[DECISION_REFERENCE], users["admin"])
    return entries


def _link_decision(entry: ForwardPlanEntry, admin: User) -> ForwardPlanEntry:
    """Link I017457's decision record once there is one (its status follows the Executive's outcome)."""
    decision = Decision.objects.filter(reference=DECISION_REFERENCE).first()
    if decision is None or entry.decision_id is not None:
        return entry
    with on(decision.decided_on or DECISION_DATE, 18):
        return scrutiny_services.forward_plan_entry_link_decision(entry=entry, by=admin, decision=decision)
