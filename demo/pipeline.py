"""The commercial team's procurement work plan for Adult Care and Community Wellbeing (seed 001, sections 1.3,
3.1, 3.2 and 8.0): 77 projects whose figures for 2018/19 are the annual report's.

- 24 delivered in 2018/19, with an annual value of £138m and a full contract value of £360m (the residential
  framework, £320m, the two home care zones re-procured early, the buildings based day care framework, shared
  lives, NHS Health Checks and the rest of the 2018/19 work plan);
- 18 LIVE and ongoing on 31 March 2019, with an annual value of £49m (Integrated Lifestyle Support and the
  Disabled Facilities Grant framework among them, both delivered in 2019/20);
- 35 planned for 2019/20, with an estimated annual value of £58m (the home care re-procurement, ICES, housing
  related support and the other reviews of section 8.0, and the rest invented in the same vein).

Each project is added on the day its procurement started and moved through its stages on the days they happened
(``on``), through the services, as the first demo user allowed to keep Adult Care's work plan. A second run finds
each project by its reference and changes nothing that is already there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from commissioning import permissions
from commissioning.models import Directorate, User
from contracts import services as contract_services
from contracts.models import Contract, ProcurementProject

from .seed import on

Stage = ProcurementProject.Stage
Route = ProcurementProject.Route

# The day the 2019/20 work plan was agreed: the planned projects go on the plan then.
WORK_PLAN_AGREED = date(2019, 3, 1)
COMPETITIVE_PATH: list[str] = [
    Stage.PRE_MARKET,
    Stage.TENDER,
    Stage.EVALUATION,
    Stage.AWARD,
    Stage.MOBILISATION,
    Stage.LIVE,
]
NO_TENDER_ROUTES = (Route.DIRECT_AWARD, Route.GRANT, Route.IN_HOUSE)
LEADS = ["officer.shaw", "officer.hughes", "officer.lee", "officer.patel", "officer.ward", "officer"]


@dataclass(frozen=True)
class Row:
    reference: str
    title: str
    service_area: str
    route: str
    annual: int
    whole_life: int
    start: date
    stage: str  # where the project is now
    notice: date | None = None  # expected tender notice
    go_live: date | None = None
    completed: date | None = None  # delivered (or abandoned) on
    replaces: tuple[str, ...] = ()
    cpv: str = ""
    description: str = ""
    decision_route: str = ProcurementProject.DecisionRoute.OFFICER
    # The stages passed on the way (a competitive route's, up to ``stage``, unless given).
    path: tuple[str, ...] = field(default=())


D, R = Stage.DELIVERED, Route
EXEC = ProcurementProject.DecisionRoute.EXECUTIVE
EXEC_CLLR = ProcurementProject.DecisionRoute.EXECUTIVE_COUNCILLOR

# fmt: off
# --- Delivered in 2018/19: 24 projects, annual value £138,000,000, full contract value £360,000,000 -------------
DELIVERED = [
    Row("PP1819-01", "Implementation of the new residential framework", "Residential care (OP/PD and SS)", R.FRAMEWORK,
        108_000_000, 320_000_000, date(2018, 1, 8), D, notice=date(2018, 2, 1), go_live=date(2018, 4, 1),
        completed=date(2018, 6, 29), replaces=("ACCW-0011",), cpv="85311100-3", decision_route=EXEC,
        description="New agreements with all 275 residential and nursing homes, and a new pricing model for "
        "learning disability residential services; fixed third party top-up fees for three years."),
    Row("PP1819-02", "Homecare re-procurement: Zone 9 Grantham", "Home care (OP/PD)", R.OPEN, 4_100_000, 8_200_000,
        date(2018, 1, 15), D, notice=date(2018, 3, 5), go_live=date(2018, 10, 1), completed=date(2018, 9, 28),
        cpv="85312000-9", decision_route=EXEC_CLLR,
        description="Re-procured early after persistent concerns about quality; awarded to Fosse Healthcare."),
    Row("PP1819-03", "Homecare re-procurement: Zone 12 Stamford and Bourne", "Home care (OP/PD)", R.OPEN,
        3_900_000, 7_800_000, date(2018, 1, 15), D, notice=date(2018, 3, 5), go_live=date(2018, 10, 1),
        completed=date(2018, 9, 28), cpv="85312000-9", decision_route=EXEC_CLLR,
        description="Re-procured early after persistent concerns about quality; awarded to Atlas Homecare."),
    Row("PP1819-04", "Buildings based day care framework", "Day care (OP and LD)", R.FRAMEWORK, 3_000_000, 6_000_000,
        date(2018, 4, 3), D, notice=date(2018, 6, 4), go_live=date(2018, 11, 15), completed=date(2018, 11, 15),
        replaces=("ACCW-0004",), cpv="85312100-0",
        description="A framework of qualified providers with one specification and transparent pricing, in place "
        "of spot contracts on different terms."),
    Row("PP1819-05", "NHS Health Checks", "Public Health", R.OPEN, 684_000, 2_052_000, date(2018, 4, 9), D,
        notice=date(2018, 5, 14), go_live=date(2019, 1, 1), completed=date(2018, 12, 14), cpv="85121100-4",
        description="Two rounds of tendering to keep GP practice coverage across the county."),
    Row("PP1819-06", "Shared Lives", "Specialist Services", R.OPEN, 700_000, 2_100_000, date(2018, 4, 16), D,
        notice=date(2018, 7, 2), go_live=date(2019, 2, 1), completed=date(2019, 1, 31), cpv="85311000-2",
        description="One countywide provider, with a new payment mechanism and performance management."),
    Row("PP1819-07", "Emergency Hormonal Contraception", "Public Health", R.OPEN, 180_000, 540_000,
        date(2018, 7, 2), D, notice=date(2018, 10, 1), go_live=date(2019, 4, 1), completed=date(2019, 3, 15),
        cpv="85140000-2"),
    Row("PP1819-08", "Long Acting Reversible Contraceptives (LARC)", "Public Health", R.OPEN, 820_000, 2_460_000,
        date(2018, 7, 2), D, notice=date(2018, 10, 1), go_live=date(2019, 4, 1), completed=date(2019, 3, 15),
        cpv="85140000-2"),
    Row("PP1819-09", "Adult Care assessment bank work", "Adult Care OP/PD", R.DIRECT_AWARD, 150_000, 150_000,
        date(2018, 5, 1), D, completed=date(2018, 6, 15),
        description="A bank of assessment hours operational teams draw down when they need them."),
    Row("PP1819-10", "Discharge to assess beds", "Adult Frailty and Long Term Conditions", R.DIRECT_AWARD,
        1_150_000, 575_000, date(2018, 9, 3), D, go_live=date(2018, 11, 1), completed=date(2018, 10, 31),
        description="Winter step up and step down beds."),
    Row("PP1819-11", "Learning disability block beds", "Specialist Services", R.OPEN, 2_100_000, 2_100_000,
        date(2018, 5, 8), D, notice=date(2018, 6, 11), go_live=date(2018, 10, 1), completed=date(2018, 9, 21),
        cpv="85311100-3"),
    Row("PP1819-12", "Local Healthwatch", "Public Health", R.GRANT, 450_000, 450_000, date(2018, 10, 1), D,
        completed=date(2019, 3, 29), description="Grant agreement for the local Healthwatch service."),
    Row("PP1819-13", "Pause pilot, Gainsborough", "Public Health", R.DIRECT_AWARD, 180_000, 360_000,
        date(2018, 8, 1), D, completed=date(2018, 10, 19)),
    Row("PP1819-14", "WellFamily pilot, Gainsborough", "Public Health", R.DIRECT_AWARD, 120_000, 240_000,
        date(2018, 8, 1), D, completed=date(2018, 11, 2)),
    Row("PP1819-15", "Seasonal influenza vaccination for community care staff", "Public Health", R.DIRECT_AWARD,
        90_000, 90_000, date(2018, 8, 20), D, completed=date(2018, 9, 28)),
    Row("PP1819-16", "Specialist Tailored Employment Partnership (STEP)", "Specialist Services", R.OPEN, 400_000,
        1_200_000, date(2018, 6, 4), D, notice=date(2018, 8, 6), go_live=date(2019, 1, 7), completed=date(2018, 12, 20),
        cpv="85312500-4"),
    Row("PP1819-17", "Community supported living open select list: annual re-opening", "Specialist Services",
        R.DYNAMIC_MARKET, 1_500_000, 1_500_000, date(2018, 9, 3), D, notice=date(2018, 10, 1),
        completed=date(2019, 1, 11), cpv="85311000-2"),
    Row("PP1819-18", "Transitional care and reablement beds", "Adult Frailty and Long Term Conditions",
        R.DIRECT_AWARD, 3_000_000, 1_500_000, date(2018, 8, 1), D, completed=date(2018, 9, 30),
        replaces=("ACCW-0012",), description="A six-month extension of the beds commissioned jointly with LCHS."),
    Row("PP1819-19", "The Avenue software support", "Public Health", R.DIRECT_AWARD, 40_000, 40_000,
        date(2018, 11, 1), D, completed=date(2018, 12, 3), description="A one-year extension to move into Mosaic."),
    Row("PP1819-20", "Crisis housing", "Public Health", R.DIRECT_AWARD, 600_000, 600_000, date(2018, 6, 1), D,
        completed=date(2018, 7, 31), description="Contract extension while housing related support is reviewed."),
    Row("PP1819-21", "Involvement", "Specialist Services", R.DIRECT_AWARD, 200_000, 400_000, date(2018, 9, 3), D,
        completed=date(2018, 12, 14), description="The Involvement Service incorporated into the Advocacy Service."),
    Row("PP1819-22", "Extra care: interim care and support, Lincoln", "Adult Care OP/PD", R.DIRECT_AWARD, 850_000,
        425_000, date(2018, 10, 1), D, completed=date(2018, 11, 30)),
    Row("PP1819-23", "Housing related support accommodation", "Public Health", R.DIRECT_AWARD, 4_986_000, 818_000,
        date(2019, 1, 7), D, completed=date(2019, 2, 28), replaces=("PH-0004",),
        description="A short extension, with the review and planning for any re-procurement."),
    Row("PP1819-24", "Pre-paid accounts and associated services", "Adult Care OP/PD", R.FRAMEWORK, 800_000, 400_000,
        date(2018, 9, 3), D, notice=date(2018, 10, 1), completed=date(2018, 12, 7), cpv="66110000-4"),
]

# --- LIVE and ongoing on 31 March 2019: 18 projects, annual value £49,000,000 -----------------------------------
ONGOING = [
    Row("PP1819-25", "Integrated Lifestyle Support (ILS)", "Public Health", R.OPEN, 2_750_000, 13_750_000,
        date(2018, 9, 3), D, notice=date(2019, 1, 14), go_live=date(2019, 7, 1), completed=date(2019, 6, 14),
        replaces=("PH-0006",), cpv="85323000-9", decision_route=EXEC_CLLR,
        description="Physical activity, weight, smoking and drinking within safe limits, for people aged 40-74 at "
        "risk after an NHS Health Check; includes £500k a year from the CCGs."),
    Row("PP1819-26", "Disabled Facilities Grant countywide framework", "Adult Care OP/PD", R.FRAMEWORK, 6_000_000,
        24_000_000, date(2018, 7, 2), D, notice=date(2018, 11, 5), go_live=date(2019, 6, 1),
        completed=date(2019, 5, 20), cpv="45211000-2",
        description="Adaptation works the seven district councils award directly from an approved list."),
    Row("PP1819-27", "Domestic abuse floating support and IDVA", "Public Health", R.OPEN, 1_100_000, 3_300_000,
        date(2018, 10, 1), Stage.TENDER, notice=date(2019, 2, 4), go_live=date(2019, 10, 1), cpv="85312400-3"),
    Row("PP1819-28", "Carers support service", "Carers", R.OPEN, 2_400_000, 12_000_000, date(2019, 1, 7),
        Stage.PRE_MARKET, notice=date(2019, 6, 3), go_live=date(2020, 4, 1), replaces=("ACCW-0007",),
        cpv="85312000-9", decision_route=EXEC),
    Row("PP1819-29", "Dementia family support service", "Adult Care OP/PD", R.OPEN, 900_000, 2_700_000,
        date(2019, 1, 7), Stage.PRE_MARKET, notice=date(2019, 5, 6), go_live=date(2020, 1, 1),
        replaces=("ACCW-0014",), cpv="85312000-9"),
    Row("PP1819-30", "Learning disability short breaks and emergency placements", "Specialist Services", R.OPEN,
        3_200_000, 9_600_000, date(2019, 2, 4), Stage.PRE_MARKET, notice=date(2019, 7, 1), cpv="85311000-2"),
    Row("PP1819-31", "Lincolnshire sensory service", "Adult Care OP/PD", R.OPEN, 650_000, 1_950_000,
        date(2019, 1, 14), Stage.PRE_MARKET, notice=date(2019, 6, 3), replaces=("ACCW-0013",), cpv="85312000-9"),
    Row("PP1819-32", "NHS Health Check audits", "Public Health", R.DIRECT_AWARD, 60_000, 60_000, date(2019, 2, 4),
        Stage.PRE_MARKET),
    Row("PP1819-33", "Prescribing Medicines Optimisation Service (PMOS)", "Public Health", R.OPEN, 350_000, 700_000,
        date(2018, 11, 5), Stage.TENDER, notice=date(2019, 3, 4), go_live=date(2019, 6, 1), cpv="85149000-5"),
    Row("PP1819-34", "Community supported living framework review", "Specialist Services", R.FRAMEWORK, 26_290_000,
        105_160_000, date(2018, 10, 1), Stage.PRE_MARKET, notice=date(2019, 9, 2), go_live=date(2020, 4, 1),
        replaces=("ACCW-0002",), cpv="85311000-2", decision_route=EXEC,
        description="Review, preparation and strategic planning ahead of the framework's re-procurement in 2020."),
    Row("PP1819-35", "Community supported living mini tenders and brokerage", "Specialist Services",
        R.DYNAMIC_MARKET, 1_500_000, 1_500_000, date(2018, 4, 2), Stage.LIVE, notice=date(2018, 4, 2),
        go_live=date(2018, 6, 1), cpv="85311000-2"),
    Row("PP1819-36", "Library of information and services", "Adult Care OP/PD, SS and Public Health", R.OPEN,
        300_000, 900_000, date(2018, 9, 3), Stage.EVALUATION, notice=date(2018, 12, 3), cpv="72413000-8"),
    Row("PP1819-37", "Telecare implementation", "Public Health", R.OPEN, 1_000_000, 4_000_000, date(2018, 4, 2),
        Stage.MOBILISATION, notice=date(2018, 5, 7), go_live=date(2019, 6, 1), cpv="85323000-9"),
    Row("PP1819-38", "Housing development for extra care", "Adult Care OP/PD and SS", R.OPEN, 1_200_000, 6_000_000,
        date(2018, 11, 5), Stage.PRE_MARKET, cpv="70110000-0"),
    Row("PP1819-39", "Housing development of supported living", "Adult Care OP/PD and SS", R.OPEN, 800_000,
        4_000_000, date(2018, 11, 5), Stage.PRE_MARKET, cpv="70110000-0"),
    Row("PP1819-40", "Individual Service Fund (ISF) pilot", "Adult Care OP/PD and SS", R.DIRECT_AWARD, 500_000,
        500_000, date(2018, 10, 1), Stage.MOBILISATION, path=(Stage.AWARD, Stage.MOBILISATION)),
    Row("PP1819-41", "Residential market review", "Adult Care OP/PD and SAS", R.NOT_DECIDED, 0, 0,
        date(2019, 1, 7), Stage.PRE_MARKET),
    Row("PP1819-42", "Lead provider and subcontractor model review", "Internal", R.NOT_DECIDED, 0, 0,
        date(2018, 12, 3), Stage.PRE_MARKET),
]

# --- Planned for 2019/20: 35 projects, estimated annual value £58,000,000 ---------------------------------------
P = Stage.PLANNED
PLANNED = [
    Row("PP1920-01", "Homecare re-procurement (2020)", "Home care (OP/PD)", R.OPEN, 18_305_000, 91_525_000,
        date(2019, 8, 1), P, notice=date(2019, 10, 1), go_live=date(2020, 10, 1), replaces=("ACCW-0010",),
        cpv="85312000-9", decision_route=EXEC,
        description="The full home care re-procurement, the current contracts ending on 30 September 2020."),
    Row("PP1920-02", "Home based reablement", "Adult Frailty and Long Term Conditions", R.OPEN, 3_500_000,
        17_500_000, date(2019, 7, 1), P, notice=date(2019, 10, 1), go_live=date(2020, 10, 1),
        replaces=("ACCW-0009",), cpv="85312000-9", decision_route=EXEC),
    Row("PP1920-03", "Housing related support and crisis housing", "Public Health", R.OPEN, 3_100_000, 15_500_000,
        date(2019, 6, 3), P, notice=date(2019, 11, 4), go_live=date(2020, 7, 1), replaces=("PH-0004",),
        cpv="85311000-2", decision_route=EXEC),
    Row("PP1920-04", "Integrated Community Equipment Services (ICES)", "Adult Care OP/PD", R.OPEN, 4_500_000,
        31_500_000, date(2019, 9, 2), P, notice=date(2019, 10, 1), go_live=date(2021, 4, 1), replaces=("PH-0008",),
        cpv="33190000-8", decision_route=EXEC),
    Row("PP1920-05", "Direct payments support service", "Adult Care OP/PD", R.OPEN, 800_000, 4_000_000,
        date(2019, 10, 1), P, notice=date(2019, 12, 2), go_live=date(2020, 6, 1), cpv="85312000-9"),
    Row("PP1920-06", "Transitional care beds", "Adult Frailty and Long Term Conditions", R.OPEN, 3_000_000,
        9_000_000, date(2019, 11, 4), P, notice=date(2020, 1, 6), go_live=date(2020, 10, 1), replaces=("ACCW-0012",),
        cpv="85311100-3"),
    Row("PP1920-07", "Domestic abuse outreach services", "Public Protection", R.OPEN, 650_000, 1_950_000,
        date(2019, 7, 1), P, notice=date(2019, 9, 2), replaces=("PP-0002",), cpv="85312400-3"),
    Row("PP1920-08", "Independent domestic violence advisers", "Public Protection", R.OPEN, 450_000, 1_350_000,
        date(2019, 7, 1), P, notice=date(2019, 9, 2), replaces=("PP-0003",), cpv="85312400-3"),
    Row("PP1920-09", "Wellbeing service", "Public Health", R.OPEN, 4_200_000, 21_000_000, date(2019, 10, 1), P,
        notice=date(2020, 2, 3), go_live=date(2021, 4, 1), replaces=("PH-0002",), cpv="85323000-9",
        decision_route=EXEC),
    Row("PP1920-10", "Integrated sexual health service review", "Public Health", R.OPEN, 2_900_000, 14_500_000,
        date(2020, 1, 6), P, notice=date(2020, 6, 1), replaces=("PH-0003",), cpv="85140000-2"),
    Row("PP1920-11", "Community alcohol and drug treatment review", "Public Health", R.OPEN, 3_800_000, 19_000_000,
        date(2020, 2, 3), P, notice=date(2020, 10, 5), replaces=("PH-0001",), cpv="85323000-9"),
    Row("PP1920-12", "Advocacy services (Care Act and IMHA)", "Specialist Services", R.OPEN, 900_000, 2_700_000,
        date(2019, 5, 7), P, notice=date(2019, 7, 1), cpv="85312300-2"),
    Row("PP1920-13", "Best interest assessors bank (DoLS)", "Safeguarding Adults", R.DIRECT_AWARD, 600_000,
        600_000, date(2019, 4, 1), P, replaces=("ACCW-0006",)),
    Row("PP1920-14", "Care and wellbeing hub", "Adult Care OP/PD", R.OPEN, 400_000, 1_200_000, date(2019, 9, 2), P,
        replaces=("ACCW-0008",)),
    Row("PP1920-15", "Falls prevention service", "Public Health", R.OPEN, 250_000, 750_000, date(2019, 6, 3), P,
        replaces=("PH-0009",)),
    Row("PP1920-16", "Extra care care and support: Lincoln scheme", "Adult Care OP/PD", R.OPEN, 700_000, 2_100_000,
        date(2019, 10, 1), P, notice=date(2020, 1, 6), cpv="85312000-9"),
    Row("PP1920-17", "Extra care care and support: East Lindsey scheme", "Adult Care OP/PD", R.OPEN, 600_000,
        1_800_000, date(2019, 10, 1), P, notice=date(2020, 1, 6), cpv="85312000-9"),
    Row("PP1920-18", "Supported living care and support: Lincoln scheme", "Specialist Services", R.OPEN, 500_000,
        1_500_000, date(2019, 11, 4), P),
    Row("PP1920-19", "Supported living care and support: East Lindsey scheme", "Specialist Services", R.OPEN,
        450_000, 1_350_000, date(2019, 11, 4), P),
    Row("PP1920-20", "Day opportunities: rural transport", "Adult Care OP/PD", R.OPEN, 300_000, 900_000,
        date(2019, 6, 3), P),
    Row("PP1920-21", "Carers' breaks", "Carers", R.GRANT, 350_000, 700_000, date(2019, 5, 7), P),
    Row("PP1920-22", "Stroke survivors community support", "Adult Frailty and Long Term Conditions", R.GRANT,
        150_000, 450_000, date(2019, 7, 1), P),
    Row("PP1920-23", "Home from hospital service", "Adult Frailty and Long Term Conditions", R.OPEN, 400_000,
        1_200_000, date(2019, 8, 1), P),
    Row("PP1920-24", "Night-time home care pilot", "Home care (OP/PD)", R.DIRECT_AWARD, 350_000, 350_000,
        date(2019, 9, 2), P),
    Row("PP1920-25", "Mental health supported accommodation", "Specialist Services", R.OPEN, 1_100_000, 5_500_000,
        date(2019, 12, 2), P, notice=date(2020, 3, 2), cpv="85311000-2"),
    Row("PP1920-26", "Autism day services", "Specialist Services", R.OPEN, 500_000, 1_500_000, date(2019, 9, 2), P),
    Row("PP1920-27", "Assistive technology equipment supply framework", "Public Health", R.FRAMEWORK, 800_000,
        3_200_000, date(2019, 7, 1), P, notice=date(2019, 9, 2), cpv="33196200-2"),
    Row("PP1920-28", "Dementia nursing block beds", "Adult Care OP/PD", R.OPEN, 1_800_000, 5_400_000,
        date(2019, 6, 3), P, notice=date(2019, 8, 5), cpv="85311100-3"),
    Row("PP1920-29", "Learning disability out of county residential framework", "Specialist Services",
        R.FRAMEWORK, 1_500_000, 6_000_000, date(2019, 10, 1), P, notice=date(2020, 4, 6), cpv="85311100-3"),
    Row("PP1920-30", "Employment support for people with mental health conditions", "Specialist Services",
        R.GRANT, 250_000, 750_000, date(2019, 8, 1), P),
    Row("PP1920-31", "Social prescribing and community connectors", "Public Health", R.OPEN, 300_000, 900_000,
        date(2019, 11, 4), P),
    Row("PP1920-32", "Young carers support", "Carers", R.GRANT, 200_000, 600_000, date(2019, 9, 2), P),
    Row("PP1920-33", "Interpretation and translation for Adult Care", "Adult Care OP/PD", R.FRAMEWORK, 120_000,
        360_000, date(2019, 5, 7), P),
    Row("PP1920-34", "Brokerage and care sourcing system", "Adult Care OP/PD", R.OPEN, 180_000, 540_000,
        date(2019, 12, 2), P),
    Row("PP1920-35", "Seasonal influenza vaccination 2019/20", "Public Health", R.DIRECT_AWARD, 95_000, 95_000,
        date(2019, 8, 1), P),
]

# fmt: on

ROWS = DELIVERED + ONGOING + PLANNED


def _path(row: Row) -> list[str]:
    """The stages the project passed on its way to where it is now."""
    if row.path:
        return list(row.path)
    if row.stage == Stage.PLANNED:
        return []
    if row.route in NO_TENDER_ROUTES:
        return [Stage.AWARD, Stage.DELIVERED] if row.stage == Stage.DELIVERED else [Stage.PRE_MARKET]
    if row.stage == Stage.DELIVERED:
        return [Stage.PRE_MARKET, Stage.TENDER, Stage.EVALUATION, Stage.AWARD, Stage.DELIVERED]
    return COMPETITIVE_PATH[: COMPETITIVE_PATH.index(Stage(row.stage)) + 1]


def _moves(row: Row) -> list[tuple[str, date]]:
    """Each stage with the day the project reached it: pre-market engagement on its start, the tender on its
    tender notice, the rest spread evenly up to the day it closed (or the end of February 2019 for one still
    under way at the year end)."""
    stages = _path(row)
    closes = row.completed or date(2019, 2, 28)
    moves = []
    steps = [s for s in stages if s not in (Stage.PRE_MARKET, Stage.TENDER, Stage.DELIVERED)]
    first = row.notice or row.start
    gap = max((closes - first).days, 1) // (len(steps) + 1)
    spread = {stage: first + timedelta(days=gap * (n + 1)) for n, stage in enumerate(steps)}
    for stage in stages:
        if stage == Stage.PRE_MARKET:
            moves.append((stage, row.start))
        elif stage == Stage.TENDER:
            moves.append((stage, row.notice or row.start))
        elif stage == Stage.DELIVERED:
            assert row.completed is not None, f"{row.reference} is delivered without a date"
            moves.append((stage, row.completed))
        else:
            moves.append((stage, spread[stage]))
    return moves


def _writer(users: dict[str, User], directorate: Directorate) -> User:
    """The first demo user allowed to keep the directorate's work plan (a contract officer, else the admin)."""
    for name in ("officer", "admin"):
        if permissions.may(
            users[name], "contracts.add_procurementproject", ProcurementProject(directorate=directorate)
        ):
            return users[name]
    raise LookupError("No demo user may keep the procurement work plan.")


def _fields(row: Row, directorate: Directorate, lead: User | None, contracts: dict[str, Contract]) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "title": row.title,
        "description": row.description,
        "service_area": row.service_area,
        "directorate": directorate,
        "route": row.route,
        "estimated_annual_value": Decimal(row.annual),
        "whole_life_value": Decimal(row.whole_life),
        "planned_start": row.start,
        "tender_notice_date": row.notice,
        "go_live_date": row.go_live,
        "lead_officer": lead,
        "decision_route": row.decision_route,
        "cpv_code": row.cpv,
        "replaces": [contracts[ref] for ref in row.replaces if ref in contracts],
    }


def build_pipeline(
    users: dict[str, User], directorates: dict[str, Directorate], contracts: dict[str, Contract]
) -> dict[str, ProcurementProject]:
    """Adult Care and Community Wellbeing's procurement projects by reference (seed 001's work plan), each added
    on the day it started and moved through its stages on the days they happened; an existing project is left as
    it is. ``contracts`` are the key contracts by reference (those a project replaces are linked)."""
    directorate = directorates["ACCW"]
    by = _writer(users, directorate)
    existing = {p.reference: p for p in ProcurementProject.objects.filter(reference__in=[r.reference for r in ROWS])}
    projects: dict[str, ProcurementProject] = {}
    for number, row in enumerate(ROWS):
        if row.reference in existing:
            projects[row.reference] = existing[row.reference]
            continue
        lead = users.get(LEADS[number % len(LEADS)])
        fields = _fields(row, directorate, lead, contracts)
        added_on = WORK_PLAN_AGREED if row.stage == Stage.PLANNED else row.start
        with on(added_on):
            project = contract_services.procurement_project_create(by=by, **fields)
        for stage, day in _moves(row):
            with on(day):
                project = contract_services.procurement_project_move(
                    project=project, by=by, stage=stage, completed_on=day if stage == Stage.DELIVERED else None
                )
        projects[row.reference] = project
    return projects
