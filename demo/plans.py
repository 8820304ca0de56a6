"""Seed 003: Somerset's three-year commissioning plan for adult social care (2014/15 to 2016/17), as a directorate
of its own. Six strategic themes, each with its "I" statements (the national TLAP outcomes the plan quotes) and a
selection of its commissioning intentions, each placed on the cycle from its existing position to its expected
progress, with what drives it (the Care Bill, the Better Care Fund, the TEASC self-assessment).

Somerset's cycle names finer stages than the council's four phases; they are added under those phases (Analysis
under Analyse; Design and Prepare under Plan; Implement and Manage under Do; Evaluate under Review). The plan's
wording is summarised, not copied. Everything is written through the strategies services as the administrator;
a second run finds each record by its natural key and writes nothing.
"""

from __future__ import annotations

from datetime import date

from commissioning.models import Directorate, User
from strategies import services
from strategies.models import CommissioningStrategy, CycleStage

from .seed import SET_UP, on
from .util import upsert

DIRECTORATE = ("SASC", "Somerset Adult Social Care", "Director of Adult Social Services (Somerset)")
PLAN_NAME = "Somerset adult social care commissioning plan 2014/15 to 2016/17"

# phase -> finer stages in order: (name, description)
FINER_STAGES = {
    "Analyse": [("Analysis", "Understand needs, current services and the evidence.")],
    "Plan": [
        ("Design", "Design the service model and specification."),
        ("Prepare", "Prepare to buy: business case, procurement plan, decisions."),
    ],
    "Do": [
        ("Implement", "Put the new arrangements in place."),
        ("Manage", "Manage the contracts and the market."),
    ],
    "Review": [("Evaluate", "Evaluate the impact against the outcomes.")],
}

# theme, description, "I" statements, intentions: (intention, driver, existing, expected, activity)
# Stages are (phase, finer stage) pairs; the seed's "Design and Prepare" reads existing Design, expected Prepare.
DESIGN, PREPARE, ANALYSIS = ("Plan", "Design"), ("Plan", "Prepare"), ("Analyse", "Analysis")
IMPLEMENT, MANAGE, EVALUATE = ("Do", "Implement"), ("Do", "Manage"), ("Review", "Evaluate")
THEMES = [
    (
        "Prevention",
        "Prevent or delay the need for formal care: better information and advice, volunteering and community "
        "groups, self-help tools, support for carers and more telecare.",
        [
            "I have access to easy-to-understand information about care and support which is consistent, accurate, "
            "accessible and up to date.",
            "I have the information and support I need in order to remain as independent as possible.",
            "I feel valued for the contribution that I can make to my community.",
        ],
        [
            (
                "Make information and advice easier to reach, including online",
                "Care Bill, TEASC recommendation",
                DESIGN,
                PREPARE,
                "Specify a web portal and e-market place, joined up with health, ready for April 2015.",
            ),
            (
                "Commission self-help and self-assessment tools",
                "Care Bill",
                ANALYSIS,
                ANALYSIS,
                "Develop self-help tools and a supported self-assessment system.",
            ),
            (
                "Re-commission the aligned home improvement agency and community equipment contracts",
                "TEASC recommendation",
                DESIGN,
                PREPARE,
                "New specification with stakeholders, then tender; telecare and retail models at its heart.",
            ),
        ],
    ),
    (
        "Recovery",
        "Help people recover after illness or crisis: reablement with health commissioners, intermediate care and "
        "rapid response, and Better Care Fund plans that cut hospital and care home admissions.",
        [
            "When I initially need health or social care, I am enabled to achieve as full a recovery as possible "
            "and any crises are managed in a way which maximises my chances of staying at home.",
        ],
        [
            (
                "Commission reablement in line with the best services nationally",
                "Better Care Fund, Care Bill, TEASC recommendation",
                DESIGN,
                PREPARE,
                "Set up a reablement board, approve a new specification and monitor delivery more closely.",
            ),
            (
                "Commission a 24/7 crisis response service",
                "",
                ANALYSIS,
                ANALYSIS,
                "Needs analysis and a business case with health partners, then a specification.",
            ),
            (
                "Establish seven-day working",
                "Better Care Fund",
                ANALYSIS,
                ANALYSIS,
                "Work through the end-to-end review where it affects recovery.",
            ),
        ],
    ),
    (
        "Long Term Support",
        "More choice and control for people who need ongoing support: personal budgets and direct payments for "
        "everyone with long-term needs, a more diverse market and individual service funds.",
        [
            "I am in control of planning my care and support.",
            "I can decide the kind of support I need and when, where and how to receive it.",
            "My support is coordinated, co-operative and works well together.",
        ],
        [
            (
                "A whole-system approach to personal budgets and direct payments",
                "Care Bill",
                DESIGN,
                PREPARE,
                "A personalisation plan with clear targets, performance managed.",
            ),
            (
                "Commission personal budget and direct payment infrastructure organisations",
                "Care Bill",
                ANALYSIS,
                IMPLEMENT,
                "Procurement plans for advocacy, direct payments support and brokerage.",
            ),
            (
                "Broaden the range of home care providers to extend choice",
                "",
                IMPLEMENT,
                IMPLEMENT,
                "Dynamic purchasing and framework agreements; develop micro-providers.",
            ),
            (
                "Move from block contracts to more flexible ways of buying",
                "",
                MANAGE,
                MANAGE,
                "Review every block contract and propose frameworks or spot purchase where they meet the aims.",
            ),
            (
                "Reduce residential and nursing care placements against revised targets",
                "Better Care Fund, TEASC recommendation",
                PREPARE,
                PREPARE,
                "Set stretch targets for fewer placements.",
            ),
        ],
    ),
    (
        "Business Processes",
        "A lean, efficient operating model that helps meet the savings targets: simpler assessment and personal "
        "budget processes, better information systems and data, and a review of unit costs.",
        [
            "I have considerate support delivered by competent people.",
            "I am supported by people who help me to make links in my local community.",
        ],
        [
            (
                "Commission efficient operational processes under the new operating model",
                "Care Bill, TEASC recommendation",
                DESIGN,
                PREPARE,
                "Outcome-focused support plans and proportionate, fast assessment and allocation processes.",
            ),
            (
                "Commission trusted assessor arrangements",
                "Care Bill",
                ANALYSIS,
                DESIGN,
                "Agree target areas, then a specification and proportionate arrangements.",
            ),
            (
                "Review unit costs across services against comparator averages",
                "TEASC recommendation",
                ANALYSIS,
                ANALYSIS,
                "Reduce the unit costs of commissioned and in-house services where they are high.",
            ),
        ],
    ),
    (
        "Partnerships",
        "Joined-up solutions with health and other partners: the Better Care Fund integration plan, new "
        "arrangements for the learning disability provider service and integrated equipment and adaptations.",
        [
            "I have considerate support delivered by competent people.",
            "I am supported by people who help me to make links in my local community.",
        ],
        [
            (
                "Develop the Better Care Fund integration plan",
                "Better Care Fund, TEASC recommendation",
                DESIGN,
                DESIGN,
                "Weekly meetings with the CCG until the final submission in April 2014.",
            ),
            (
                "Re-commission the learning disability service for a more diverse market",
                "",
                DESIGN,
                PREPARE,
                "Decide the future of the service, then funding agreements within the pooled budget.",
            ),
            (
                "Implement the refreshed dementia strategy's priorities",
                "",
                IMPLEMENT,
                IMPLEMENT,
                "A multi-agency group rolls out dementia friendly communities.",
            ),
            (
                "Co-ordinate domestic homicide reviews for the Community Safety Partnership",
                "",
                PREPARE,
                MANAGE,
                "Plan the commissioning of independently chaired reviews.",
            ),
        ],
    ),
    (
        "Contributions",
        "People's own resources and communities: co-production, peer support, timebanks and volunteering, a local "
        "engagement strategy with partners, and a fairer charging and contributions policy.",
        [
            "My support is coordinated, co-operative and works well together and I know who to contact to get "
            "things changed.",
            "I feel safe, I can live the life I want and I am supported to manage any risks.",
            "I have systems in place so that I can get help at an early stage to avoid a crisis.",
        ],
        [
            (
                "Increase income from charges for sitting, day services and disability related expenditure",
                "Care Bill",
                IMPLEMENT,
                IMPLEMENT,
                "Consult, report to the Cabinet and implement its decision.",
            ),
            (
                "Develop a fairer contributions policy",
                "TEASC recommendation",
                ANALYSIS,
                DESIGN,
                "Review the current policy with the Care Bill in mind.",
            ),
            (
                "Introduce co-production with user-led organisations, peer support and timebanks",
                "",
                ANALYSIS,
                ANALYSIS,
                "Engage user groups in arrangements for co-production.",
            ),
        ],
    ),
]


def _finer_stages(admin: User) -> dict[tuple[str, str], CycleStage]:
    """Somerset's finer stages under the council's phases (added once)."""
    stages: dict[tuple[str, str], CycleStage] = {}
    for phase_name, finer in FINER_STAGES.items():
        phase = CycleStage.objects.get(parent__isnull=True, name=phase_name)
        for order, (name, description) in enumerate(finer, start=1):
            stage = CycleStage.objects.filter(parent=phase, name=name).first()
            if stage is None:
                with on(SET_UP):
                    stage = services.cycle_stage_create(
                        by=admin,
                        data={
                            "name": name,
                            "order": order,
                            "parent": phase,
                            "description": description,
                            "active": True,
                        },
                    )
            stages[(phase_name, name)] = stage
    return stages


def _plan(directorate: Directorate, admin: User) -> CommissioningStrategy:
    plan = CommissioningStrategy.objects.filter(name=PLAN_NAME).first()
    if plan is not None:
        return plan
    with on(SET_UP):
        return services.strategy_create(
            by=admin,
            data={
                "name": PLAN_NAME,
                "directorate": directorate,
                "purpose": "The purpose of this commissioning plan is to set out Somerset's commissioning intentions "
                "for adult social care for 2014/15 to 2016/17, by strategic theme, and where each stands on the "
                "commissioning cycle.",
                "sponsor": DIRECTORATE[2],
                "lead_officer": "Lead Commissioner, Adult Social Care",
                "stage_plan": True,
                "stage_do": True,
                "summary": "Moving from assessing needs and buying services directly to self-directed support, "
                "shaped by the TEASC self-assessment, the Care Bill and the Better Care Fund; MTFP savings "
                "initiatives are highlighted in the plan.",
                "needs_established": "A supported self-assessment against the national TEASC programme.",
                "period_start": date(2014, 4, 1),
                "period_end": date(2017, 3, 31),
            },
        )


def build_somerset_plan(users: dict[str, User], directorates: dict[str, Directorate]) -> CommissioningStrategy:
    """Somerset's plan as the directorate ``SASC`` (added to ``directorates``): finer cycle stages, six themes with
    their "I" statements and intentions. Returns the plan (a strategy)."""
    code, name, director = DIRECTORATE
    directorates[code] = upsert(Directorate, {"code": code}, {"name": name, "executive_director": director})
    admin = users["admin"]
    stages = _finer_stages(admin)
    plan = _plan(directorates[code], admin)
    stored = {intention.order: intention for intention in plan.intentions.all()}
    order = 0
    with on(SET_UP):
        for theme_order, (theme_name, description, statements, intentions) in enumerate(THEMES, start=1):
            theme = plan.themes.filter(name=theme_name).first() or services.theme_create(
                strategy=plan, by=admin, data={"name": theme_name, "order": theme_order, "description": description}
            )
            have = {statement.order for statement in theme.statements.all()}
            for statement_order, text in enumerate(statements, start=1):
                if statement_order not in have:
                    services.statement_create(theme=theme, by=admin, data={"text": text, "order": statement_order})
            for text, driver, existing, expected, activity in intentions:
                order += 1
                if order in stored:
                    continue
                services.intention_create(
                    strategy=plan,
                    by=admin,
                    data={
                        "order": order,
                        "theme": theme,
                        "intention": text,
                        "driver": driver,
                        "current_stage": stages[existing],
                        "expected_stage": stages[expected],
                        "activity": activity,
                    },
                )
    return plan
