"""Issue 14's demo: the register today, and one service re-procured under the Procurement Act 2023.

The demo clock rule (issue 15): the seed's facts keep their dates as history, and its contracts end as their
terms say. So, after the seed and the volume are built:

- every contract the seed procured is under the Public Contracts Regulations 2015 (``regime`` set explicitly,
  with its estimated value over the whole term, options included: ``estimated_value``), so its page says the
  Act's duties do not apply and why (``contracts.duties``);
- the key services continue through successor contracts (``predecessor``): most through the 2020s contracts
  the volume already holds (``SUCCESSORS``); the Care and Wellbeing Hub was extended past its end with a
  change record and who approved it, then re-procured under the Act (``ACT_CONTRACT``);
- every live contract whose latest possible end date has passed is ended on its end date, through the service
  that records it (``contract_record_decision(decision=ENDED)``), on that day, as its manager would have;
- three successors run on past their end by a few months, counted from the day ``load_demo`` runs, so "needs a
  decision" has its most urgent rows (``RUNNING_PAST_END``);
- every live contract has a named contract manager and a backup (``demo.managers``).

The Act contract is a customer contact service (not a light-touch service: care itself mostly is, and carries
none of the KPI duties), valued over £5 million: four KPIs set and frozen at award, a result a month from its
start to last month (rated by the service's suggestion, two overridden with a reason, each with the month's
return attached as evidence), the annual assessment of each contract year ended, and its contract
performance notice (UK9) drafted by the contract manager, approved and published by the backup.

A second run writes nothing: each step finds what it made (references, KPI names, periods) and leaves it.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commissioning import documents
from commissioning.achievement import Polarity
from commissioning.models import User
from contracts import services as contract_services
from contracts.models import Contract, ContractChange
from oversight import notices, performance
from oversight.models import ContractKpi, ContractPerformanceNotice, KpiResult, PerformanceAssessment
from providers.models import Provider

from .managers import ACT_MANAGERS, manager_names
from .seed import _first_allowed, on
from .terms import estimated_value

REGIME = Contract.Regime.PCR_2015

# Seed key contract -> the 2020s contract (built by demo.volume) that continues the service.
SUCCESSORS = {
    "ACCW-0002": "CUR-0003",  # LD community supported living -> community supported living framework (2021)
    "ACCW-0005": "CUR-0024",  # LPFT section 75 -> mental health section 75 agreement (2021)
    "ACCW-0007": "CUR-0007",  # Lincolnshire carers service
    "ACCW-0009": "CUR-0002",  # home based reablement
    "ACCW-0010": "CUR-0001",  # community support homecare -> home care countywide (2021)
    "ACCW-0011": "CUR-0005",  # residential care contracts -> residential and nursing framework (2024)
    "ACCW-0013": "CUR-0008",  # sensory impairment services
    "ACCW-0014": "CUR-0006",  # dementia family support service
    "PH-0001": "CUR-0011",  # community alcohol and drug treatment
    "PH-0002": "CUR-0014",  # wellbeing service
    "PH-0003": "CUR-0010",  # integrated sexual health service
    "PH-0004": "CUR-0013",  # housing related support
    "PH-0008": "CUR-0012",  # integrated community equipment service
    "PP-0002": "CUR-0020",  # domestic abuse outreach
    "PP-0006": "CUR-0019",  # appropriate adult service
    "PP-0010": "CUR-0022",  # mortuary, post mortem and body removal
}

# Successors whose end is dated from the day ``load_demo`` runs: three still live past their end, by this many
# months before the month it runs in, so "needs a decision" has its most urgent rows, and two ending soon:
# (reference, predecessor, title, lead provider name, start, annual value, months past its end).
RUNNING_PAST_END = [
    (
        "PH-0105",
        "PH-0005",
        "Domestic abuse floating support services (2021)",
        "Nottingham Community Housing Association",
        date(2021, 4, 1),
        Decimal("700000"),
        2,
    ),
    ("PH-0106", "PH-0006", "Stop smoking service (2022)", "North 51 Ltd", date(2022, 1, 1), Decimal("1150000"), 3),
    (
        "ACCW-0106",
        "ACCW-0006",
        "Best interest assessments (Deprivation of Liberty Safeguards) (2021)",
        "Lincolnshire Partnership NHS Foundation Trust",
        date(2021, 4, 1),
        Decimal("900000"),
        5,
    ),
    # And two that end in the coming year (a negative count: months still to run), with no options left.
    (
        "ACCW-0112",
        "ACCW-0012",
        "Step up and step down beds with LCHS (2022)",
        "Lincolnshire Community Health Services NHS Trust",
        date(2022, 4, 1),
        Decimal("3400000"),
        -8,
    ),
    (
        "ACCW-0104",
        "ACCW-0004",
        "LD day opportunities (2021)",
        "Lincolnshire Independent Living Partnership",
        date(2021, 11, 15),
        Decimal("3300000"),
        -10,
    ),
]


HUB = "ACCW-0008"  # Care and Wellbeing Hub at the Customer Service Centre (Serco), 2015-2022
# Recorded the day after its end (it had no options left), taking effect on its last day.
HUB_EXTENDED_ON = date(2022, 4, 1)
HUB_EXTENSION_EFFECTIVE = date(2022, 3, 31)
HUB_EXTENSION_MONTHS = 42  # to 30 September 2025, while the service was re-procured under the Act
ACT_AWARDED = date(2025, 9, 1)
ACT_START = date(2025, 10, 1)
ACT_CONTRACT = {
    "reference": "ACCW-0108",
    "title": "Care and Wellbeing Hub: adult care customer contact service (2025)",
    "description": "The first point of contact for adult care and wellbeing: telephone, web chat and e-mail "
    "enquiries, information and advice, and referrals to the council's adult care teams. Re-procured under "
    "the Procurement Act 2023 by the competitive flexible procedure (tender notice March 2025).",
    "category": Contract.Category.STRATEGIC,
    "contract_type": Contract.ContractType.BLOCK,
    "procurement_route": "Competitive flexible procedure (Procurement Act 2023)",
    "regime": Contract.Regime.PROCUREMENT_ACT_2023,
    "supply_type": Contract.Supply.SERVICES,
    "start_date": ACT_START,
    "end_date": date(2030, 9, 30),
    "extension_months": [12, 12],
    "annual_value": Decimal("1450000"),
    "total_value": Decimal("7250000"),
    "estimated_value": Decimal("10150000"),
    "notice_period_months": 6,
    "review_date": date(2027, 10, 1),
    "review_note": "Annual review",
    "has_kpis": True,
    "payment_terms": Contract.PaymentTerms.ARREARS,
    "payment_frequency": Contract.PaymentFrequency.MONTHLY,
    "payment_basis": Contract.PaymentBasis.BOTH,
    "service_credit_percentage": Decimal("5.00"),
    "corrective_measures": "Service credits of up to 5 % of the monthly charge for KPIs below target.",
    "status": Contract.Status.LIVE,
}

# name, description, measure, unit, target, polarity, tolerance, source; then the months' values are drawn
# around ``typical`` (spread ``spread``), rounded to one decimal place.
ACT_KPIS = [
    (
        "Calls answered within 60 seconds",
        "Calls to the adult care line answered by an adviser within 60 seconds of joining the queue.",
        "Calls answered within 60 seconds as a percentage of calls offered, from the telephony system",
        "%",
        Decimal("90"),
        Polarity.HIGHER_IS_BETTER,
        Decimal("5"),
        ContractKpi.Source.SUPPLIER_RETURN,
        (Decimal("91"), 3),
    ),
    (
        "Enquiries resolved at first contact",
        "Enquiries answered with information and advice, or a completed referral, without a call back.",
        "Enquiries resolved at first contact as a percentage of enquiries closed in the month",
        "%",
        Decimal("75"),
        Polarity.HIGHER_IS_BETTER,
        Decimal("5"),
        ContractKpi.Source.SUPPLIER_RETURN,
        (Decimal("76"), 3),
    ),
    (
        "Abandoned calls",
        "Callers who hang up before an adviser answers.",
        "Calls abandoned after 10 seconds in the queue as a percentage of calls offered",
        "%",
        Decimal("5"),
        Polarity.LOWER_IS_BETTER,
        Decimal("2"),
        ContractKpi.Source.SUPPLIER_RETURN,
        (Decimal("4.5"), 1),
    ),
    (
        "Safeguarding concerns passed on the same working day",
        "Safeguarding concerns raised by callers passed to the council's safeguarding hub the same working day.",
        "Concerns passed on the same working day as a percentage of safeguarding concerns raised, from the "
        "council's case management system",
        "%",
        Decimal("100"),
        Polarity.HIGHER_IS_BETTER,
        Decimal("2"),
        ContractKpi.Source.COUNCIL_DATA,
        (Decimal("99.5"), 1),
    ),
]
# Results rated other than the suggestion: (KPI name, months after the start, value, rating, reason).
OVERRIDES = [
    (
        "Abandoned calls",
        3,
        Decimal("11.8"),
        "other",
        "A national telephony network outage on 14 and 15 January closed the lines for a day and a half; the "
        "supplier switched callers to web chat within the hour, as the business continuity plan requires. "
        "Agreed at the monthly review as outside the supplier's control.",
    ),
    (
        "Enquiries resolved at first contact",
        0,
        Decimal("66.0"),
        "approaching_target",
        "The first month of the service, with the new case management interface live from day one; the "
        "mobilisation plan allowed a lower rate in month one and the supplier met the plan's 65 %.",
    ),
]


def _month_end(day: date) -> date:
    return date(day.year, day.month, 1) + relativedelta(months=1) - timedelta(days=1)


def _allowed(users: dict[str, User], names: Iterable[str], perm: str, obj) -> User:
    return _first_allowed([users[name] for name in names], perm, obj)


# --- Successors, endings, managers -------------------------------------------------------------------------


def _record_successors(users: dict[str, User], contracts: dict[str, Contract]) -> None:
    """Each seed service continued by its 2020s contract: the re-procurement decision, naming the successor,
    six months before the seed contract's term ended."""
    for reference, successor_reference in SUCCESSORS.items():
        contract = contracts[reference]
        successor = Contract.objects.get(reference=successor_reference)
        if successor.predecessor_id is not None or contract.status != Contract.Status.LIVE:
            continue
        decided_on = max(contract.start_date, min(contract.end_date, successor.start_date) - relativedelta(months=6))
        by = _allowed(users, ("admin",), "contracts.change_contract", contract)
        with on(decided_on):
            contract_services.contract_record_decision(
                contract=contract,
                by=by,
                decision=Contract.Reprocurement.REPROCURE,
                decided_on=decided_on,
                successor=successor,
            )


def _running_past_end(users: dict[str, User], contracts: dict[str, Contract], today: date) -> list[str]:
    """The successors dated from today (``RUNNING_PAST_END``): no options left, no decision yet."""
    references = []
    admin = users["admin"]
    for reference, predecessor_reference, title, provider_name, start, annual, months_past in RUNNING_PAST_END:
        references.append(reference)
        if Contract.objects.filter(reference=reference).exists():
            continue
        predecessor = contracts[predecessor_reference]
        end = _month_end(date(today.year, today.month, 1) - relativedelta(months=months_past))
        values = {
            "reference": reference,
            "title": title,
            "directorate": predecessor.directorate,
            "strategy": predecessor.strategy,
            "lead_provider": Provider.objects.get(name=provider_name),
            "category": predecessor.category,
            "contract_type": Contract.ContractType.BLOCK,
            "regime": REGIME,
            "start_date": start,
            "end_date": end,
            "annual_value": annual,
            "total_value": estimated_value(annual=annual, start=start, end=end, extension_months=[]),
            "estimated_value": estimated_value(annual=annual, start=start, end=end, extension_months=[]),
            "has_kpis": True,
            "predecessor": predecessor,
            "status": Contract.Status.LIVE,
        }
        with on(start - timedelta(days=30)):
            contract_services.contract_create(by=admin, **values)  # type: ignore[arg-type]
        if predecessor.status == Contract.Status.LIVE:
            with on(min(predecessor.end_date, start) - timedelta(days=90)):
                contract_services.contract_record_decision(
                    contract=predecessor,
                    by=admin,
                    decision=Contract.Reprocurement.REPROCURE,
                    decided_on=min(predecessor.end_date, start) - timedelta(days=90),
                )
    return references


def _end_past_contracts(users: dict[str, User], today: date, keep: Iterable[str]) -> None:
    """Every live contract whose latest possible end date has passed ends on its end date, as its terms say,
    recorded on that day. Grouped by day, so the clock moves once a day."""
    admin = users["admin"]
    due = (
        Contract.objects.filter(status=Contract.Status.LIVE, maximum_end_date__lt=today)
        .exclude(reference__in=list(keep))
        .order_by("end_date", "reference")
    )
    by_day: dict[date, list[Contract]] = {}
    for contract in due:
        by_day.setdefault(contract.end_date, []).append(contract)
    for day, ending in by_day.items():
        with on(day, 17):
            for contract in ending:
                contract_services.contract_record_decision(
                    contract=contract,
                    by=admin,
                    decision=contract_services.ENDED,
                    decided_on=day,
                    reason="The contract ended on its end date, as its terms say.",
                )


def _set_managers(users: dict[str, User]) -> None:
    """A named contract manager and a backup on every live contract."""
    admin = users["admin"]
    live = Contract.objects.filter(status=Contract.Status.LIVE).select_related("directorate", "strategy")
    for contract in live:
        if contract.reference == ACT_CONTRACT["reference"]:
            manager, backup = ACT_MANAGERS
        else:
            manager, backup = manager_names(
                directorate_code=contract.directorate.code,
                strategy_name=contract.strategy.name if contract.strategy is not None else "",
            )
        manager_user, backup_user = users[manager], users[backup]
        if (contract.contract_manager_id, contract.backup_manager_id) == (manager_user.pk, backup_user.pk):
            continue
        contract_services.contract_update(
            contract=contract, by=admin, contract_manager=manager_user, backup_manager=backup_user
        )


# --- The Care and Wellbeing Hub, extended then re-procured under the Act ------------------------------------


def _hub_extended(users: dict[str, User], contracts: dict[str, Contract]) -> Contract:
    """The hub ran past its end in April 2022: extended by 42 months with a change record, approved by the
    Head of Commissioning, while the service was re-procured; it ended on 30 September 2025."""
    hub = contracts[HUB]
    if hub.changes.filter(kind=ContractChange.Kind.EXTENSION).exists() or hub.status != Contract.Status.LIVE:
        return hub
    admin = users["admin"]
    with on(HUB_EXTENDED_ON):
        contract_services.contract_record_change(
            contract=hub,
            by=admin,
            kind=ContractChange.Kind.EXTENSION,
            effective_on=HUB_EXTENSION_EFFECTIVE,
            description="Extended by 42 months, to 30 September 2025, on the same terms while the service is "
            "re-procured (Executive Councillor decision, March 2022).",
            value_change=hub.annual_value * HUB_EXTENSION_MONTHS / 12,
            extension_months=HUB_EXTENSION_MONTHS,
            approved_by=users["lead.frailty"],
        )
    decided_on = date(2024, 11, 5)
    with on(decided_on):
        contract_services.contract_record_decision(
            contract=hub, by=admin, decision=Contract.Reprocurement.REPROCURE, decided_on=decided_on
        )
    hub.refresh_from_db()
    return hub


def _act_contract(users: dict[str, User], hub: Contract) -> Contract:
    existing = Contract.objects.filter(reference=ACT_CONTRACT["reference"]).first()
    if existing is not None:
        return existing
    manager, backup = (users[name] for name in ACT_MANAGERS)
    values = {
        **ACT_CONTRACT,
        "directorate": hub.directorate,
        "strategy": hub.strategy,
        "lead_provider": hub.lead_provider,
        "contract_manager": manager,
        "backup_manager": backup,
        "predecessor": hub,
    }
    by = _allowed(users, (ACT_MANAGERS[0], "admin"), "contracts.add_contract", Contract(directorate=hub.directorate))
    with on(ACT_AWARDED):
        return contract_services.contract_create(by=by, **values)  # type: ignore[arg-type]


def _kpis(users: dict[str, User], contract: Contract) -> list[ContractKpi]:
    """Four KPIs set at award and frozen on the contract's first day."""
    manager = users[ACT_MANAGERS[0]]
    stored = {kpi.name: kpi for kpi in ContractKpi.objects.filter(contract=contract, retired_on__isnull=True)}
    with on(ACT_AWARDED, 11):
        for name, description, measure, unit, target, polarity, tolerance, source, _draw in ACT_KPIS:
            if name in stored:
                continue
            stored[name] = performance.kpi_create(
                by=manager,
                contract=contract,
                name=name,
                description=description,
                measure=measure,
                unit=unit,
                target=target,
                polarity=polarity,
                tolerance=tolerance,
                source=source,
                owner=manager,
            )
    if any(not kpi.is_frozen for kpi in stored.values()):
        with on(ACT_START, 9):
            performance.kpis_freeze(contract=contract, by=manager, on=ACT_START)
    return list(ContractKpi.objects.filter(contract=contract, retired_on__isnull=True).order_by("position"))


def _monthly_return(contract: Contract, period: performance.Period, rows: list[tuple[ContractKpi, Decimal]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Contract", "Supplier", "Period start", "Period end", "KPI", "Unit", "Target", "Result"])
    for kpi, value in rows:
        writer.writerow(
            [
                contract.reference,
                contract.lead_provider.name if contract.lead_provider else "",
                period.start.isoformat(),
                period.end.isoformat(),
                kpi.name,
                kpi.unit,
                format(kpi.target.normalize(), "f"),
                format(value, "f"),
            ]
        )
    return out.getvalue().encode()


def _results(users: dict[str, User], contract: Contract, kpis: list[ContractKpi], today: date) -> None:
    """A result a month for every KPI from the start to last month, recorded the day after the month ends with
    the month's return attached as evidence."""
    manager = users[ACT_MANAGERS[0]]
    rng = random.Random(2025)  # noqa: S311 - demo data, fixed seed
    draws = {name: draw for name, *_rest, draw in ACT_KPIS}
    overrides = {(name, months): (value, rating, reason) for name, months, value, rating, reason in OVERRIDES}
    recorded = set(KpiResult.objects.filter(kpi__in=kpis).values_list("kpi_id", "period_start"))
    periods = performance.reporting_periods(ContractKpi.Frequency.MONTHLY, start=contract.start_date, end=today)
    periods = [period for period in periods if period.end < today]
    for months, period in enumerate(periods):
        values = []
        for kpi in kpis:
            typical, spread = draws[kpi.name]
            drawn = (typical + Decimal(rng.uniform(-spread, spread))).quantize(Decimal("0.1"))
            values.append((kpi, min(drawn, Decimal("100"))))
        if all((kpi.pk, period.start) in recorded for kpi in kpis):
            continue
        recorded_on = min(period.end + timedelta(days=1), today)
        evidence = _monthly_return(contract, period, values)
        with on(recorded_on, 9):
            for kpi, value in values:
                if (kpi.pk, period.start) in recorded:
                    continue
                value, rating, reason = overrides.get((kpi.name, months), (value, "", ""))
                result = performance.kpi_result_record(
                    by=manager,
                    kpi=kpi,
                    period_start=period.start,
                    period_end=period.end,
                    value=value,
                    rating=rating or None,
                    override_reason=reason,
                )
                documents.attach_document(
                    to=result,
                    file=SimpleUploadedFile(
                        f"{contract.reference}-monthly-return-{period.start:%Y-%m}.csv", evidence, "text/csv"
                    ),
                    title=f"Supplier's monthly return, {period.start:%B %Y}",
                    by=manager,
                )


def _summary(contract: Contract, start: date, end: date) -> str:
    """The assessment's summary, from the year's ratings: how many months each KPI was rated Good."""
    lines = []
    for kpi in ContractKpi.objects.filter(contract=contract, retired_on__isnull=True).order_by("position"):
        ratings = list(
            KpiResult.objects.filter(kpi=kpi, period_start__gte=start, period_end__lte=end).values_list(
                "rating", flat=True
            )
        )
        good = ratings.count("good")
        lines.append(f"{kpi.name}: Good in {good} of {len(ratings)} months.")
    return (
        "Assessed at the annual contract review with the supplier against the four KPIs set at award. "
        + " ".join(lines)
        + " Months below target were discussed at the monthly reviews; no service credits beyond those the "
        "contract provides were needed."
    )


def _assessments_and_notices(users: dict[str, User], contract: Contract, today: date) -> None:
    """The annual assessment of each contract year ended (completed the day after its last month's results),
    and its notice: drafted by the manager the next day, approved a week later and published the day after by
    the backup."""
    manager, backup = (users[name] for name in ACT_MANAGERS)
    year_start = contract.start_date
    while True:
        year_end = year_start + relativedelta(years=1) - timedelta(days=1)
        assessed_on = year_end + timedelta(days=1)
        published_on = assessed_on + timedelta(days=8)
        if published_on > today:
            return
        assessment = PerformanceAssessment.objects.filter(
            contract=contract, kind=PerformanceAssessment.Kind.ANNUAL, period_start=year_start
        ).first()
        if assessment is None:
            with on(assessed_on, 10):
                assessment = performance.performance_assessment_start(
                    by=manager,
                    contract=contract,
                    kind=PerformanceAssessment.Kind.ANNUAL,
                    period_start=year_start,
                    period_end=year_end,
                )
        if assessment.status == PerformanceAssessment.Status.DUE:
            with on(assessed_on, 15):
                assessment = performance.performance_assessment_complete(
                    by=manager,
                    assessment=assessment,
                    assessed_on=assessed_on,
                    summary=_summary(contract, year_start, year_end),
                )
        notice = ContractPerformanceNotice.objects.filter(assessment=assessment).first()
        if notice is None:
            with on(assessed_on + timedelta(days=1), 10):
                notice = notices.performance_notice_create(by=manager, assessment=assessment)
        if notice.status == ContractPerformanceNotice.Status.DRAFT:
            with on(assessed_on + timedelta(days=7), 11):
                notice = notices.performance_notice_approve(by=backup, notice=notice)
        if notice.status == ContractPerformanceNotice.Status.APPROVED:
            with on(published_on, 9):
                notices.performance_notice_publish(by=backup, notice=notice)
        year_start = year_end + timedelta(days=1)


def build_procurement_act(users: dict[str, User], contracts: dict[str, Contract]) -> None:
    """Issue 14's demo (the module docstring), after the seed and the volume."""
    today = timezone.localdate()
    _record_successors(users, contracts)
    hub = _hub_extended(users, contracts)
    keep = _running_past_end(users, contracts, today)
    _end_past_contracts(users, today, keep)
    hub.refresh_from_db()
    act = _act_contract(users, hub)
    _set_managers(users)
    kpis = _kpis(users, act)
    _results(users, act, kpis, today)
    _assessments_and_notices(users, act, today)
