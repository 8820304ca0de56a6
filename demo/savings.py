"""Seed 004: commissioning savings by directorate and year, as Leeds reported them to its Strategy and Resources
Scrutiny Board (January 2017): the budgeted savings of 2016/17 with their variation, and the 2017/18 proposals in
the Integrated Business Plan (IBP). Figures are the seed's, in thousands of pounds:

    Directorate              Budget saving 16/17   16/17 variation   Budget saving 17/18 (IBP)
    Adult Social Care               6,100               1,306                 5,000
    Children's Services             1,800                 200                 1,326
    Environment & Housing              78                  35                   350
    Public Health                   3,010                (143)                2,880
    Total                          10,988               1,398                 9,556

A variation is budgeted less achieved (a shortfall; Public Health's is negative: it saved more), so each 2016/17
saving records achieved = budget - variation; the 2017/18 ones are proposals, nothing achieved yet.

Adult Social Care's 2016/17 figure is two savings: one renegotiates the LPFT Section 75 agreement (ACCW-0005),
whose provider also holds a Children's Services contract (CAMHS, added here): the seed's check that a saving does
not destabilise a provider other directorates use. Written through the services as the administrator; a second
run finds each saving by its reference and writes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from commissioning.models import Directorate, User
from contracts import services as contract_services
from contracts.models import Contract
from strategies import services
from strategies.models import Saving

from .seed import SET_UP, on
from .util import upsert

K = Decimal("1000")
ENVIRONMENT = ("EH", "Environment and Housing", "Director of Environment and Housing")
SHARED_CONTRACT = "ACCW-0005"  # LPFT Section 75 Agreement (demo.contract_data)
CAMHS = "CS-0901"
# The CAMHS service carries on through its re-procured successor (the demo clock: no seed contract stays live
# after its end), so LPFT still holds a live Children's Services contract beside the Section 75 agreement.
CAMHS_SUCCESSOR = "CS-0902"
LPFT_SAVING = 600 * K

# reference, directorate code, year, proposal, budgeted, variation (None: a proposal), reasons
SAVINGS = [
    (
        "ASC-1617-01",
        "ACCW",
        2016,
        "Re-commissioning, de-commissioning and negotiated savings with providers",
        6100 * K - LPFT_SAVING,
        1306 * K,
        "Home care and residential care fees had to rise to secure quality and better terms for staff, "
        "so part of the saving was not made.",
    ),
    (
        "ASC-1617-02",
        "ACCW",
        2016,
        "Renegotiate the LPFT Section 75 agreement",
        LPFT_SAVING,
        Decimal("0"),
        "",
    ),
    (
        "CS-1617-01",
        "CS",
        2016,
        "Contract savings across children's commissioned services",
        1800 * K,
        200 * K,
        "Part of the saving depended on placements that could not be moved safely within the year.",
    ),
    (
        "EH-1617-01",
        "EH",
        2016,
        "Housing related support contract savings",
        78 * K,
        35 * K,
        "The remodelled services started later than planned.",
    ),
    (
        "PH-1617-01",
        "PH",
        2016,
        "Public health contract savings through re-commissioning",
        3010 * K,
        -143 * K,
        "Re-commissioned services cost less than budgeted.",
    ),
    ("ASC-1718-01", "ACCW", 2017, "IBP 2017/18: adult social care commissioning savings", 5000 * K, None, ""),
    ("CS-1718-01", "CS", 2017, "IBP 2017/18: children's services commissioning savings", 1326 * K, None, ""),
    ("EH-1718-01", "EH", 2017, "IBP 2017/18: environment and housing commissioning savings", 350 * K, None, ""),
    ("PH-1718-01", "PH", 2017, "IBP 2017/18: public health commissioning savings", 2880 * K, None, ""),
]


def _camhs(shared: Contract, directorates: dict[str, Directorate], admin: User) -> Contract:
    """Children's Services' CAMHS contract with the same provider as the shared Section 75 agreement."""
    existing = Contract.objects.filter(reference=CAMHS).first()
    if existing is not None:
        return existing
    with on(SET_UP):
        return contract_services.contract_create(
            by=admin,
            reference=CAMHS,
            title="Child and Adolescent Mental Health Services (CAMHS) community service",
            directorate=directorates["CS"],
            lead_provider=shared.lead_provider,
            category=Contract.Category.COMMUNITY,
            contract_type=Contract.ContractType.BLOCK,
            start_date=date(2016, 4, 1),
            end_date=date(2019, 3, 31),
            annual_value=Decimal("2900000"),
            total_value=Decimal("8700000"),
            regime=Contract.Regime.PCR_2015,
            estimated_value=Decimal("8700000"),
            status=Contract.Status.LIVE,
        )


def _camhs_successor(camhs: Contract, admin: User) -> Contract:
    """The CAMHS community service re-procured from April 2019 for eight years, with the same provider."""
    existing = Contract.objects.filter(reference=CAMHS_SUCCESSOR).first()
    if existing is not None:
        return existing
    with on(SET_UP):
        return contract_services.contract_create(
            by=admin,
            reference=CAMHS_SUCCESSOR,
            title="Child and Adolescent Mental Health Services (CAMHS) community service (2019)",
            directorate=camhs.directorate,
            lead_provider=camhs.lead_provider,
            predecessor=camhs,
            category=Contract.Category.COMMUNITY,
            contract_type=Contract.ContractType.BLOCK,
            start_date=date(2019, 4, 1),
            end_date=date(2027, 3, 31),
            annual_value=Decimal("3000000"),
            total_value=Decimal("24000000"),
            regime=Contract.Regime.PCR_2015,
            estimated_value=Decimal("24000000"),
            status=Contract.Status.LIVE,
        )


def build_savings(
    users: dict[str, User], directorates: dict[str, Directorate], contracts: dict[str, Contract]
) -> list[Saving]:
    """Seed 004's savings table, and the shared-provider case. Adds ``EH`` (Environment and Housing) to
    ``directorates``. Returns the savings in the table's order."""
    code, name, director = ENVIRONMENT
    directorates[code] = upsert(Directorate, {"code": code}, {"name": name, "executive_director": director})
    admin = users["admin"]
    shared = contracts[SHARED_CONTRACT]
    _camhs_successor(_camhs(shared, directorates, admin), admin)
    saved = []
    for reference, directorate_code, year, title, budgeted, variation, reasons in SAVINGS:
        saving = Saving.objects.filter(reference=reference).first()
        if saving is None:
            achieved = None if variation is None else budgeted - variation
            data = {
                "reference": reference,
                "directorate": directorates[directorate_code],
                "year": year,
                "title": title,
                "budgeted": budgeted,
                "achieved": achieved,
                "reasons": reasons,
                "status": Saving.Status.PROPOSED if achieved is None else Saving.Status.ACHIEVED,
            }
            if reference == "ASC-1617-02":
                data["contracts"] = [shared]
                data["strategy"] = shared.strategy
            with on(date(2017, 1, 16)):  # the report to the Strategy and Resources Scrutiny Board
                saving = services.saving_create(by=admin, data=data)
        saved.append(saving)
    return saved
