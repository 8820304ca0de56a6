"""The demo's provider failures, market indicators and quality framework, made only through the oversight services
(``oversight.market``, ``oversight.quality``).

- Seed 001's **Allied Healthcare failure**: Nestor Primecare Services (Allied Healthcare) went into administration;
  its Home Based Reablement Service (ACCW-0009) was novated to Alderson Libertas and 270 service users and 230
  staff transferred on 14 December 2018. Its exit is ``demo.risk``'s (helper A's), so closing the case records
  nothing more about the provider.
- Seed 001's **two home closures** of 2018, 41 residents moved: one home failed for financial reasons under a
  Company Voluntary Arrangement (23 residents moved in four days), the other closed when its provider went into
  administration (18 residents). The two in-county homes are the ones whose residential contracts ended in 2018
  (``demo.volume``'s ``closed_homes``); each closes through ``providers.services.location_record_status``.
- Cases for three of the other providers ``demo.risk`` records as leaving the market in 2018/19 (never calling
  ``provider_record_exit`` on anyone else: the risk figures are its).
- Seed 004's **market oversight**: hard-to-replace and sustainability readings, recent (``demo.clock``'s window).
- Seed 004's **quality framework** for care homes with the enhanced rate on the top tier; care homes assessed in
  2018/19 and again in the recent window (history kept), one withdrawal of the enhanced rate and its reinstatement.

The figures the seeds do not give (the other leavers' counts, the enhanced rate's amount, which homes are on which
tier) are illustrative. Idempotent: a second run finds the Allied case and leaves everything as it is.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from commissioning.models import User
from contracts.models import Contract
from oversight import market, quality
from oversight.models import MarketIndicator, ProviderFailureCase, QualityFramework, QualityTier, Rag
from providers.models import Location, Provider

from .clock import load_day, recent_start

Kind = ProviderFailureCase.Kind
Indicator = MarketIndicator.Kind

NESTOR = "Nestor Primecare Services Ltd"
LIBERTAS = "Alderson Libertas Ltd"
FRAMEWORK_NAME = "Care Home Quality Framework"

# (provider, kind, announced, service users affected and moved, staff transferred, summary, lessons): three of the
# providers demo.risk records leaving the market in 2018/19. Their cases close on the day they left.
OTHER_LEAVERS = [
    (
        "Fenland Homecare Partnership Ltd",
        Kind.EXIT,
        date(2018, 3, 9),
        34,
        21,
        "The provider gave notice that it was leaving the Lincolnshire home care market. Its service users moved to "
        "the zone's prime provider; most of its care workers transferred with them.",
        "Six weeks' notice was enough only because the prime provider had capacity: keep a view of each zone's "
        "spare capacity.",
    ),
    (
        "Witham Valley Supported Living Ltd",
        Kind.HANDBACK,
        date(2018, 3, 23),
        9,
        12,
        "The provider handed back its supported living contract; the tenancies stayed and a new provider took over "
        "the support.",
        "Separate housing and support made the handback smooth: tenants did not have to move.",
    ),
    (
        "Bain Support Services Ltd",
        Kind.EXIT,
        date(2018, 12, 3),
        14,
        8,
        "The provider closed its community support service and left the market.",
        "",
    ),
]


def _closed_homes() -> list[Location]:
    """The two in-county care homes whose residential framework contracts ended in 2018 (demo.volume)."""
    return list(
        Location.objects.filter(
            in_county=True,
            is_care_home=True,
            contracts__reference__startswith="RES-",
            contracts__status=Contract.Status.TERMINATED,
        )
        .select_related("provider")
        .distinct()
        .order_by("pk")[:2]
    )


def _home_closures(officer: User) -> None:
    homes = _closed_homes()
    if len(homes) < 2:
        return
    rows = [
        (
            homes[0],
            23,
            4,
            "The home's provider failed for financial reasons: under a Company Voluntary Arrangement it failed to pay "
            "staff for two weeks. The team arranged for staff to be paid so they kept working while alternative "
            "placements were found for all 23 residents in four days, with operational teams and health colleagues.",
            "A collaborative plan of communication and support kept staff working. The Best Practice Guide for "
            "potential, planned and unplanned home closures (November 2018, with the CCGs' Chief Nurses) now sets "
            "out the joint approach.",
        ),
        (
            homes[1],
            18,
            42,
            "The home's provider went into administration with two care homes at risk of closure. Working with the "
            "administrators it was clear one home had to close to stabilise the business; its 18 residents moved to "
            "new homes with minimal disruption.",
            "Early contact with the administrators gave time to plan each resident's move.",
        ),
    ]
    for home, residents, notice_days, summary, lessons in rows:
        contract = home.contracts.filter(reference__startswith="RES-").order_by("end_date").first()
        ended = contract.end_date if contract is not None else date(2018, 10, 31)
        case = market.failure_case_open(
            by=officer,
            provider=home.provider,
            kind=Kind.CLOSURE,
            location=home,
            contract=contract,
            announced_on=ended - timedelta(days=notice_days),
            summary=summary,
            service_users_affected=residents,
        )
        market.failure_case_close(by=officer, case=case, ended_on=ended, service_users_moved=residents, lessons=lessons)


def _allied(officer: User, nestor: Provider, libertas: Provider) -> None:
    contract = Contract.objects.filter(reference="ACCW-0009").first()
    case = market.failure_case_open(
        by=officer,
        provider=nestor,
        kind=Kind.ADMINISTRATION,
        contract=contract,
        announced_on=date(2018, 11, 5),
        summary="At the beginning of November the team faced the imminent financial failure of Allied Healthcare, "
        "the provider of the countywide Home Based Reablement Service. With Allied nationally and regionally and "
        "Legal Services Lincolnshire, contingencies were developed; at the end of November the contract was "
        "novated to Alderson Libertas (Libertas), a local provider rated Good. After negotiations with Allied's "
        "legal team and administrators, 270 service users and 230 staff transferred on 14 December 2018.",
        service_users_affected=270,
        staff_transferred=230,
        novation=True,
        novated_to=libertas,
    )
    market.failure_case_close(
        by=officer,
        case=case,
        ended_on=date(2018, 12, 14),
        service_users_moved=270,
        lessons="Continuity of care for people relying on a critical out-of-hospital service came first; a local "
        "provider already delivering in the county made novation possible within six weeks.",
    )


def _other_leavers(officer: User) -> None:
    leavers = {p.name: p for p in Provider.objects.filter(name__in=[row[0] for row in OTHER_LEAVERS])}
    for name, kind, announced, people, staff, summary, lessons in OTHER_LEAVERS:
        provider = leavers.get(name)
        if provider is None or provider.exited_on is None or announced > provider.exited_on:
            continue
        case = market.failure_case_open(
            by=officer,
            provider=provider,
            kind=kind,
            announced_on=announced,
            summary=summary,
            service_users_affected=people,
            staff_transferred=staff,
        )
        market.failure_case_close(
            by=officer, case=case, ended_on=provider.exited_on, service_users_moved=people, lessons=lessons
        )


def _indicators(officer: User, libertas: Provider, rng: random.Random) -> None:
    today, start = load_day(), recent_start()
    span = (today - start).days

    def day() -> date:
        return start + timedelta(days=rng.randint(0, span))

    market.market_indicator_record(
        by=officer,
        provider=libertas,
        kind=Indicator.HARD_TO_REPLACE,
        level=Rag.RED,
        recorded_on=today - timedelta(days=20),
        service_area="Home based reablement; prime provider of home care in Louth and Gainsborough",
        note="The county's reablement provider since the Allied Healthcare novation, and prime provider in two "
        "home care zones: no other provider could take on the service at short notice.",
    )
    market.market_indicator_record(
        by=officer,
        provider=libertas,
        kind=Indicator.WORKFORCE,
        level=Rag.AMBER,
        recorded_on=today - timedelta(days=20),
        note="Recruitment of care workers in the coastal zone behind plan.",
    )
    active = list(
        Provider.objects.filter(exited_on__isnull=True, locations__is_care_home=True, locations__in_county=True)
        .exclude(pk=libertas.pk)
        .distinct()
        .order_by("pk")[:400]
    )
    if not active:
        return
    chosen = rng.sample(active, min(len(active), 30))
    notes = {
        Indicator.OCCUPANCY: "Occupancy below 75% for three months running.",
        Indicator.FINANCIAL_VIABILITY: "Late paying suppliers; accounts filed late with Companies House.",
        Indicator.WORKFORCE: "Reliance on agency nurses above a third of shifts.",
        Indicator.FEE_PRESSURE: "Asking for an uplift above the framework rate to stay in the market.",
        Indicator.MARKET_EXIT_RISK: "Owners have told the council they are considering selling the home.",
    }
    for i, provider in enumerate(chosen):
        if i < 5:
            market.market_indicator_record(
                by=officer,
                provider=provider,
                kind=Indicator.HARD_TO_REPLACE,
                level=Rag.AMBER if i % 2 else Rag.RED,
                recorded_on=day(),
                service_area="Nursing care",
                note="The only nursing home within reach in its district." if i % 2 == 0 else "",
            )
        kind = rng.choice(list(notes))
        level = Rag.RED if i % 6 == 0 else (Rag.AMBER if i % 3 == 0 else Rag.GREEN)
        market.market_indicator_record(
            by=officer,
            provider=provider,
            kind=kind,
            level=level,
            recorded_on=day(),
            service_area="Residential and nursing care",
            note=notes[kind] if level != Rag.GREEN else "",
        )


def _quality(admin: User, officer: User, rng: random.Random) -> None:
    if QualityFramework.objects.filter(name=FRAMEWORK_NAME).exists():
        return
    framework = quality.quality_framework_create(
        by=admin,
        name=FRAMEWORK_NAME,
        service_area="Residential and nursing care homes",
        starts_on=date(2018, 4, 1),
        description="Part of the residential framework's service specification: what the council expects of a care "
        "home. Contract officers assess homes against it; the enhanced rate is paid to homes at the top tier and "
        "stopped if monitoring finds a fall in standards, until improvements are evidenced (seed 004).",
    )
    top = quality.quality_tier_create(
        by=admin,
        framework=framework,
        rank=1,
        name="Enhanced quality",
        criteria="Meets every standard of the framework and the enhanced standards: activities and wellbeing, "
        "dementia care, staff training and retention, and good or outstanding CQC ratings.",
        enhanced_rate=Decimal("25.00"),
        enhanced_rate_unit=QualityTier.RateUnit.PER_WEEK,
    )
    standard = quality.quality_tier_create(
        by=admin,
        framework=framework,
        rank=2,
        name="Meets the standard",
        criteria="Meets the framework's standards.",
    )
    below = quality.quality_tier_create(
        by=admin,
        framework=framework,
        rank=3,
        name="Improvement required",
        criteria="Falls short of one or more standards: an improvement plan is agreed.",
    )
    homes = list(
        Location.objects.filter(
            in_county=True, is_care_home=True, status=Location.Status.OPEN, provider__exited_on__isnull=True
        )
        .select_related("provider")
        .order_by("pk")
    )
    if not homes:
        return
    chosen = rng.sample(homes, min(len(homes), 40))
    today, start = load_day(), recent_start()
    span = (today - start).days
    recent = []
    for i, home in enumerate(chosen):
        first_tier = top if i % 3 == 0 else (standard if i % 5 else below)
        quality.quality_tier_award(
            by=officer,
            framework=framework,
            provider=home.provider,
            location=home,
            tier=first_tier,
            assessed_on=date(2018, 6, 1) + timedelta(days=rng.randint(0, 270)),
        )
        if i % 2 == 0:
            continue  # not yet reassessed: its 2018/19 tier stands
        tier = top if i % 3 != 2 else standard
        recent.append(
            quality.quality_tier_award(
                by=officer,
                framework=framework,
                provider=home.provider,
                location=home,
                tier=tier,
                assessed_on=start + timedelta(days=rng.randint(0, max(span - 120, 1))),
                valid_until=today + timedelta(days=365),
            )
        )
    on_top = [award for award in recent if award.tier_id == top.pk]
    if len(on_top) >= 2:
        withdrawn, reinstated = on_top[0], on_top[1]
        quality.quality_tier_withdraw(
            by=officer,
            award=withdrawn,
            withdrawn_on=min(today, withdrawn.assessed_on + timedelta(days=60)),
            reason="An unannounced visit found medicines not administered as prescribed and care plans out of "
            "date: the enhanced rate stops until improvements are evidenced.",
        )
        first_withdrawal = min(today, reinstated.assessed_on + timedelta(days=30))
        quality.quality_tier_withdraw(
            by=officer,
            award=reinstated,
            withdrawn_on=first_withdrawal,
            reason="Staffing fell below the levels the enhanced standards require.",
        )
        quality.quality_tier_reinstate(
            by=officer, award=reinstated, reinstated_on=min(today, first_withdrawal + timedelta(days=56))
        )


def build_market(users: dict[str, User]) -> None:
    """Seed 001's provider failure and home closures, seed 004's market indicators and quality framework."""
    nestor = Provider.objects.filter(name=NESTOR).first()
    libertas = Provider.objects.filter(name=LIBERTAS).first()
    if nestor is None or libertas is None or ProviderFailureCase.objects.filter(provider=nestor).exists():
        return
    adult_care = users.get("adultcare.begum") or users["officer"]
    officer, admin = users["officer"], users["admin"]
    rng = random.Random(15)  # noqa: S311 - demo data
    _allied(adult_care, nestor, libertas)
    _home_closures(adult_care)
    _other_leavers(officer)
    _indicators(officer, libertas, rng)
    _quality(admin, officer, rng)
