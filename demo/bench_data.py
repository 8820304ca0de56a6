"""A large generated data set for ``make bench``: strategies, providers, contracts and visits by the thousand.

The counts are totals for the whole database, demo data included, so the same command grows a data set
(1,000 contracts, then 10,000) and a second run with the same counts adds nothing. Rows are made with
bulk_create from a fixed random seed: no history rows, no signals, a few minutes at most on PostgreSQL.
Generated rows carry markers (contract references BEN-, Companies House numbers BN, CQC location IDs 1-B)
so numbering carries on from where an earlier run stopped.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from commissioning.models import Directorate, User
from commissioning.periods import current_quarter
from contracts.models import Contract
from oversight.models import Concern, Visit
from performance.models import Measure, MeasureResult
from providers.models import CqcRating, CqcRatingValue, Location, Provider, RiskAssessment, RiskMethod
from providers.risk import MATRIX_2017, score_with
from strategies.models import (
    CommissioningIntention,
    CommissioningStrategy,
    CycleStage,
    HighlightReport,
    Outcome,
    ReportEvent,
    StrategicTheme,
    StrategyRisk,
)

BATCH = 2000
CONTRACT_PREFIX = "BEN-"
PROVIDER_NUMBER_PREFIX = "BN"
LOCATION_ID_PREFIX = "1-B"
STRATEGY_SUFFIX = "bench"
IMPORT_PREFIX = "IMP-"

DEFAULT_COUNTS = {"contracts": 10_000, "providers": 2_000, "visits": 50_000, "strategies": 200}

# Themes and places in the council's vocabulary (see the seed reports).
THEMES = [
    ("ACCW", "Older people's residential care"),
    ("ACCW", "Homecare"),
    ("ACCW", "Community supported living"),
    ("ACCW", "Day opportunities"),
    ("ACCW", "Carers support"),
    ("ACCW", "Reablement"),
    ("ACCW", "Mental health recovery"),
    ("ACCW", "Learning disability short breaks"),
    ("CS", "Children's residential placements"),
    ("CS", "Short breaks for disabled children"),
    ("PH", "Sexual health"),
    ("PH", "Substance misuse"),
    ("PH", "Healthy lifestyles"),
    ("PH", "Stop smoking"),
    ("PP", "Domestic abuse"),
    ("PP", "Trading standards"),
    ("COM", "Housing related support"),
]
PLACES = [
    "Lincoln",
    "Boston",
    "East Lindsey",
    "West Lindsey",
    "North Kesteven",
    "South Kesteven",
    "South Holland",
    "County-wide",
]
TOWNS = ["Lincoln", "Boston", "Louth", "Skegness", "Gainsborough", "Sleaford", "Grantham", "Stamford", "Spalding"]
COMPANY_WORDS = ["Wolds", "Fen", "Trent", "Witham", "Lindum", "Haven", "Meadow", "Cedar", "Willow", "Oak", "Beacon"]
COMPANY_ENDINGS = ["Care Ltd", "Healthcare Ltd", "Support Services CIC", "Care Homes Ltd", "Home Care Ltd", "Trust"]
SETTINGS = [
    Location.SettingType.CARE_HOME,
    Location.SettingType.CARE_HOME_NURSING,
    Location.SettingType.HOMECARE,
    Location.SettingType.SUPPORTED_LIVING,
    Location.SettingType.DAY_SERVICE,
]
RATINGS = [CqcRatingValue.GOOD] * 6 + [CqcRatingValue.REQUIRES_IMPROVEMENT] * 2 + [CqcRatingValue.OUTSTANDING]
RATINGS += [CqcRatingValue.INADEQUATE]
FINDINGS = [
    "Care plans up to date; residents positive about staff.",
    "Medication records checked; minor recording gaps discussed.",
    "Activities programme improved since last visit.",
    "Staffing levels met the dependency tool on the day.",
    "Follow-up of concerns raised; actions in progress.",
]
CONCERN_SUMMARIES = {
    Concern.Kind.POOR_PRACTICE: "Missed calls reported by a family member.",
    Concern.Kind.SAFEGUARDING: "Unexplained bruising recorded; section 42 enquiry opened.",
    Concern.Kind.SERIOUS_INCIDENT: "Fall resulting in hospital admission.",
    Concern.Kind.COMPLAINT: "Complaint about the cost of extras.",
}


@dataclass
class BenchResult:
    added: dict[str, int]
    totals: dict[str, int]
    import_file: Path | None = None


def scaled(counts: dict[str, int], scale: float) -> dict[str, int]:
    """The counts multiplied by ``scale``, at least one of each."""
    return {name: max(1, math.ceil(value * scale)) for name, value in counts.items()}


def _batched(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


class Generator:
    def __init__(self, *, seed: int, today: date | None = None):
        self.seed = seed
        self.today = today or timezone.localdate()
        self.added = {"strategies": 0, "providers": 0, "locations": 0, "contracts": 0, "visits": 0, "concerns": 0}

    def rng(self, part: str, offset: int) -> random.Random:
        # One stream per part and starting point, so growing 1,000 -> 10,000 is repeatable.
        return random.Random(f"{self.seed}:{part}:{offset}")  # noqa: S311 - generated test data

    def directorates(self) -> dict[str, Directorate]:
        found = {d.code.upper(): d for d in Directorate.objects.all()}
        if not found:
            from demo.people import build_directorates

            found = {code.upper(): d for code, d in build_directorates().items()}
        return found

    # --- strategies with outcomes, measures, results and highlight reports -----------------------------------
    def strategies(self, target: int) -> None:
        existing = CommissioningStrategy.objects.count()
        need = target - existing
        if need <= 0:
            return
        directorates = self.directorates()
        fallback = next(iter(directorates.values()))
        already = CommissioningStrategy.objects.filter(name__endswith=f"({STRATEGY_SUFFIX})").count()
        rng = self.rng("strategies", already)
        strategies = []
        for n in range(already + 1, already + need + 1):
            code, theme = THEMES[n % len(THEMES)]
            place = PLACES[(n // len(THEMES)) % len(PLACES)]
            strategies.append(
                CommissioningStrategy(
                    name=f"{theme} – {place} {n:04d} ({STRATEGY_SUFFIX})",
                    directorate=directorates.get(code, fallback),
                    purpose=f"The purpose of this commissioning strategy is to secure {theme.lower()} in {place} "
                    "that meets assessed need within the budget available.",
                    sponsor="Executive Director – Adult Care and Community Wellbeing",
                    lead_officer="Head of Commissioning",
                    stage_analyse=rng.random() < 0.3,
                    stage_plan=rng.random() < 0.4,
                    stage_do=True,
                    stage_review=rng.random() < 0.5,
                    summary=f"{theme} for adults in {place}: market position, quality and value for money.",
                    needs_established="Joint Strategic Needs Assessment, engagement with people who use services.",
                    period_start=date(2024, 4, 1),
                    period_end=date(2029, 3, 31),
                )
            )
        _batched(CommissioningStrategy, strategies)
        self.added["strategies"] += len(strategies)
        outcomes = self._strategy_parts(strategies, rng)
        now = current_quarter(self.today)
        quarters = [now]
        for _ in range(7):
            quarters.append(quarters[-1].previous())
        self._measures_and_results(strategies, outcomes, quarters, rng)
        self._highlight_reports(strategies, quarters, rng)

    def _strategy_parts(self, strategies: list, rng: random.Random) -> list:
        """Three outcomes, two intentions and a risk for each new strategy; returns the outcomes."""
        outcomes, intentions, risks = [], [], []
        # Intentions sit under a theme of their plan and on the cycle's phases (migration 0003's defaults).
        themes = {
            t.strategy_id: t
            for t in _batched(
                StrategicTheme, [StrategicTheme(strategy=s, name="Market shaping", order=1) for s in strategies]
            )
        }
        phases = {stage.name: stage for stage in CycleStage.objects.filter(parent__isnull=True)}
        for s in strategies:
            for i in range(3):
                outcomes.append(
                    Outcome(strategy=s, order=i + 1, title=f"Outcome {i + 1}: people live independently for longer")
                )
            for i in range(2):
                intentions.append(
                    CommissioningIntention(
                        strategy=s,
                        order=i + 1,
                        theme=themes[s.pk],
                        intention="Re-procure the service on an outcome-based specification.",
                        current_stage=phases["Plan"],
                        expected_stage=phases["Do"],
                        activity="Market engagement events and a tender in the next financial year.",
                    )
                )
            risks.append(
                StrategyRisk(
                    strategy=s,
                    order=1,
                    cause="Because providers find it hard to recruit care staff,",
                    event="there is a risk that capacity falls short of demand,",
                    effect="leading to delayed hospital discharges.",
                    rating=rng.choice(["low", "medium", "high"]),
                    mitigation="Workforce programme with providers; fee review.",
                )
            )
        _batched(Outcome, outcomes)
        _batched(CommissioningIntention, intentions)
        _batched(StrategyRisk, risks)
        return outcomes

    def _measures_and_results(self, strategies: list, outcomes: list, quarters: list, rng: random.Random) -> None:
        """Five measures a strategy, with results for the seven quarters before the current one."""
        measures = []
        outcome_of: dict[int, list[Outcome]] = {}
        for o in outcomes:
            outcome_of.setdefault(o.strategy_id, []).append(o)
        for s in strategies:
            for i in range(5):
                lower = i % 3 == 2
                measures.append(
                    Measure(
                        strategy=s,
                        outcome=outcome_of[s.pk][i % 3],
                        name=f"Measure {i + 1}: {'delayed transfers of care' if lower else 'people satisfied'}",
                        unit=Measure.Unit.PERCENTAGE if not lower else Measure.Unit.RATE_PER_100K,
                        polarity=Measure.Polarity.LOWER_IS_BETTER if lower else Measure.Polarity.HIGHER_IS_BETTER,
                        is_targeted=i != 4,
                        framework=Measure.Framework.ASCOF if i < 2 else Measure.Framework.LOCAL,
                        framework_code="ASCOF 1A" if i < 2 else "",
                        data_source="Adult social care client records",
                        order=i + 1,
                    )
                )
        _batched(Measure, measures)
        results = []
        for m in measures:
            for q in quarters[1:]:  # the current quarter's results are not in yet
                target = Decimal(rng.randint(50, 90))
                value = (target + Decimal(rng.randint(-15, 15))).quantize(Decimal("0.1"))
                results.append(
                    MeasureResult(
                        measure=m,
                        year=q.year,
                        quarter=q.quarter,
                        value=value,
                        target=target if m.is_targeted else None,
                        commentary="On track." if rng.random() < 0.7 else "Below target: recovery plan agreed.",
                    )
                )
        _batched(MeasureResult, results)

    def _highlight_reports(self, strategies: list, quarters: list, rng: random.Random) -> None:
        """Reports for the last four quarters: the current one a draft, the others submitted."""
        reports = []
        for s in strategies:
            for age, q in enumerate(quarters[:4]):
                reports.append(
                    HighlightReport(
                        strategy=s,
                        year=q.year,
                        quarter=q.quarter,
                        report_date=q.start + timedelta(days=40) if q.start + timedelta(days=40) <= q.end else q.end,
                        status=HighlightReport.Status.DRAFT if age == 0 else HighlightReport.Status.SUBMITTED,
                        summary=s.summary,
                        needs_established=s.needs_established,
                        outcomes_text="See the outcomes and measures below.",
                        completed_by="Head of Commissioning",
                        rag=rng.choice(["green", "green", "amber"]),
                        rag_comment="Recruitment pressures in homecare; mitigation in place.",
                    )
                )
        _batched(HighlightReport, reports)
        _batched(
            ReportEvent, [ReportEvent(report=r, kind=ReportEvent.Kind.CREATED, to_status=r.status) for r in reports]
        )

    # --- providers with locations, CQC ratings and risk assessments ---------------------------------------------
    def providers(self, target: int) -> None:
        need = target - Provider.objects.count()
        if need <= 0:
            return
        already = Provider.objects.filter(companies_house_number__startswith=PROVIDER_NUMBER_PREFIX).count()
        loc_already = Location.objects.filter(cqc_location_id__startswith=LOCATION_ID_PREFIX).count()
        rng = self.rng("providers", already)
        providers = []
        for n in range(already + 1, already + need + 1):
            town = rng.choice(TOWNS)
            providers.append(
                Provider(
                    name=f"{rng.choice(COMPANY_WORDS)} {town} {rng.choice(COMPANY_ENDINGS)} {n}",
                    companies_house_number=f"{PROVIDER_NUMBER_PREFIX}{n:06d}",
                    cqc_provider_id=f"1-A{n:08d}",
                    is_sme=rng.random() < 0.7,
                    is_vcse=rng.random() < 0.15,
                    address=f"{n} High Street, {town}",
                    postcode="LN1 1AA",
                    contact_email=f"contracts{n}@provider.example",
                )
            )
        _batched(Provider, providers)
        self.added["providers"] += len(providers)

        locations = []
        seq = loc_already
        for p in providers:
            for _ in range(rng.choice([1, 1, 2, 3])):
                seq += 1
                setting = rng.choice(SETTINGS)
                care_home = setting in (Location.SettingType.CARE_HOME, Location.SettingType.CARE_HOME_NURSING)
                locations.append(
                    Location(
                        provider=p,
                        name=f"{rng.choice(COMPANY_WORDS)} House {seq}",
                        cqc_location_id=f"{LOCATION_ID_PREFIX}{seq:08d}",
                        setting_type=setting,
                        is_care_home=care_home,
                        beds=rng.randint(12, 80) if care_home else None,
                        district=rng.choice(PLACES[:-1]),
                        zone=rng.choice(TOWNS),
                        in_county=rng.random() < 0.8,
                        postcode="LN2 2BB",
                    )
                )
        _batched(Location, locations)
        self.added["locations"] += len(locations)

        ratings = []
        for loc in locations:
            published = _day(rng, date(2022, 1, 1), self.today - timedelta(days=400))
            for later in range(rng.choice([1, 2])):
                overall = rng.choice(RATINGS)
                ratings.append(
                    CqcRating(
                        location=loc,
                        published_on=published + timedelta(days=380 * later),
                        overall=overall,
                        safe=overall,
                        effective=CqcRatingValue.GOOD,
                        caring=CqcRatingValue.GOOD,
                        responsive=overall,
                        well_led=overall,
                    )
                )
        _batched(CqcRating, ratings)

        officers = list(User.objects.filter(groups__name__icontains="officer").values_list("pk", flat=True)[:20])
        assessments = []
        methods = self._risk_methods()
        for p in providers:
            for k in range(rng.choice([1, 2])):
                assessed_on = self.today - timedelta(days=90 * (k + 1) + rng.randint(0, 60))
                method = next(m for m in methods if m.effective_from <= assessed_on)
                factors = {
                    f["code"]: rng.choice([a["score"] for a in f["answers"]] + [f["answers"][0]["score"]] * 3)
                    for f in method.factors
                }
                score, level = score_with(method, factors)
                assessments.append(
                    RiskAssessment(
                        provider=p,
                        method=method,
                        assessed_on=assessed_on,
                        assessed_by_id=rng.choice(officers) if officers else None,
                        factors=factors,
                        score=score,
                        calculated_level=level,
                        level=level,
                        rationale="Routine quarterly scoring by the risk method.",
                    )
                )
        _batched(RiskAssessment, assessments)

    def _risk_methods(self) -> list[RiskMethod]:
        """The risk methods, latest in force first; version 1 (the providers migration's) added on a bare
        database (bench data is generated straight into the tables, as its other rows are)."""
        if not RiskMethod.objects.exists():
            RiskMethod.objects.create(
                version=MATRIX_2017["version"],
                name=MATRIX_2017["name"],
                effective_from=date.fromisoformat(MATRIX_2017["effective_from"]),
                factors=MATRIX_2017["factors"],
                thresholds=MATRIX_2017["thresholds"],
                notes=MATRIX_2017["notes"],
            )
        return list(RiskMethod.objects.order_by("-effective_from", "-version"))

    # --- contracts -----------------------------------------------------------------------------------------------
    def contracts(self, target: int) -> None:
        need = target - Contract.objects.count()
        if need <= 0:
            return
        already = Contract.objects.filter(reference__startswith=CONTRACT_PREFIX).count()
        rng = self.rng("contracts", already)
        strategies = list(CommissioningStrategy.objects.values_list("pk", "directorate_id"))
        provider_ids = list(Provider.objects.order_by("pk").values_list("pk", flat=True))
        # A few large providers hold many contracts, as in the real market: the provider page's busy case.
        busy = provider_ids[-20:] if len(provider_ids) > 40 else provider_ids[:1]
        first_location: dict[int, int] = {}
        for provider_id, location_id in Location.objects.order_by("-pk").values_list("provider_id", "pk"):
            first_location[provider_id] = location_id  # the last one seen has the lowest pk
        contracts, links = [], []
        categories = [c for c, _ in Contract.Category.choices]
        types = [t for t, _ in Contract.ContractType.choices if t != Contract.ContractType.IN_HOUSE]
        for n in range(already + 1, already + need + 1):
            strategy_id, directorate_id = rng.choice(strategies)
            provider_id = rng.choice(busy) if rng.random() < 0.1 else rng.choice(provider_ids)
            start = _day(rng, date(2017, 4, 1), date(2026, 4, 1))
            end = start + relativedelta(years=rng.choice([1, 2, 3, 5])) - timedelta(days=1)
            extensions = rng.choice([[], [12], [12, 12], [24]])
            annual = Decimal(int(math.exp(rng.uniform(math.log(5_000), math.log(2_500_000)))))
            status = Contract.Status.LIVE if end >= self.today else Contract.Status.EXPIRED
            contract = Contract(
                reference=f"{CONTRACT_PREFIX}{n:06d}",
                title=f"{rng.choice(THEMES)[1]} service {n}",
                directorate_id=directorate_id,
                strategy_id=strategy_id,
                lead_provider_id=provider_id,
                category=rng.choice(categories),
                contract_type=rng.choice(types),
                procurement_route="Open procedure",
                start_date=start,
                end_date=end,
                extension_months=extensions,
                review_date=start + relativedelta(years=1),
                review_note="Annual review",
                annual_value=annual,
                total_value=annual * ((end - start).days // 365 + 1),
                politically_sensitive=rng.random() < 0.02,
                has_kpis=rng.random() < 0.8,
                status=status,
            )
            contract.maximum_end_date = contract.compute_maximum_end_date()
            contracts.append(contract)
            if provider_id in first_location and rng.random() < 0.5:
                links.append((contract, first_location[provider_id]))
        _batched(Contract, contracts)
        through = Contract.locations.through
        _batched(through, [through(contract_id=c.pk, location_id=loc) for c, loc in links])
        self.added["contracts"] += len(contracts)

    # --- visits and concerns -------------------------------------------------------------------------------------
    def visits(self, target: int) -> None:
        need = target - Visit.objects.count()
        if need <= 0:
            return
        rng = self.rng("visits", Visit.objects.count())
        locations = list(Location.objects.values_list("pk", "provider_id"))
        contract_of: dict[int, list[int]] = {}
        for pk, provider_id in Contract.objects.filter(lead_provider__isnull=False).values_list(
            "pk", "lead_provider_id"
        ):
            contract_of.setdefault(provider_id, []).append(pk)
        officers = list(User.objects.filter(groups__name__icontains="officer").values_list("pk", flat=True)[:20])
        start = self.today - relativedelta(years=3)
        visits, concerns = [], []
        for _ in range(need):
            location_id, provider_id = rng.choice(locations)
            contracts = contract_of.get(provider_id)
            draw = rng.random()
            visits.append(
                Visit(
                    provider_id=provider_id,
                    location_id=location_id,
                    contract_id=rng.choice(contracts) if contracts else None,
                    visited_on=_day(rng, start, self.today),
                    kind="planned" if draw < 0.62 else "unannounced" if draw < 0.85 else "reactive",
                    officer_id=rng.choice(officers) if officers else None,
                    findings=rng.choice(FINDINGS),
                    environment=rng.choice(["good", "good", "adequate", "poor"]),
                    complaints_feedback=rng.choice(["none", "low", "low", "medium"]),
                )
            )
            if rng.random() < 0.12:
                kind = rng.choice(list(CONCERN_SUMMARIES))
                raised = _day(rng, start, self.today)
                closed = rng.random() < 0.8
                concerns.append(
                    Concern(
                        provider_id=provider_id,
                        location_id=location_id,
                        contract_id=visits[-1].contract_id,
                        kind=kind,
                        raised_on=raised,
                        severity=rng.choice(["low", "medium", "medium", "high"]),
                        status="closed" if closed else "open",
                        closed_on=min(raised + timedelta(days=rng.randint(5, 60)), self.today) if closed else None,
                        summary=CONCERN_SUMMARIES[kind],
                        outcome="Addressed through the provider's action plan." if closed else "",
                    )
                )
        _batched(Visit, visits)
        _batched(Concern, concerns)
        self.added["visits"] += len(visits)
        self.added["concerns"] += len(concerns)


def totals() -> dict[str, int]:
    return {
        "strategies": CommissioningStrategy.objects.count(),
        "providers": Provider.objects.count(),
        "locations": Location.objects.count(),
        "contracts": Contract.objects.count(),
        "visits": Visit.objects.count(),
        "concerns": Concern.objects.count(),
    }


def build(
    *, contracts: int, providers: int, visits: int, strategies: int, seed: int = 2026, today: date | None = None
) -> BenchResult:
    """Top the database up to the given totals (demo data counts towards them); a repeat run adds nothing."""
    generator = Generator(seed=seed, today=today)
    with transaction.atomic():
        generator.strategies(strategies)
        generator.providers(providers)
        generator.contracts(contracts)
        generator.visits(visits)
    return BenchResult(added=generator.added, totals=totals())


def write_import_file(path: Path, *, rows: int, seed: int = 2026) -> Path:
    """A contract register file of ``rows`` new contracts (references IMP-), in the columns the importer reads,
    naming strategies, directorates and providers already on the system."""
    from contracts.imports import HEADERS

    rng = random.Random(f"{seed}:import")  # noqa: S311 - generated test data
    strategies = list(
        CommissioningStrategy.objects.select_related("directorate").values_list("name", "directorate__code")
    )
    providers = list(
        Provider.objects.filter(companies_house_number__startswith=PROVIDER_NUMBER_PREFIX).values_list(
            "name", "companies_house_number"
        )
    ) or list(Provider.objects.exclude(companies_house_number="").values_list("name", "companies_house_number"))
    if not strategies or not providers:
        raise ValueError("Build the bench data first: the import file names its strategies and providers.")
    categories = [label for _, label in Contract.Category.choices]
    types = [label for _, label in Contract.ContractType.choices]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADERS)
        writer.writeheader()
        for n in range(1, rows + 1):
            strategy, directorate = rng.choice(strategies)
            provider, number = rng.choice(providers)
            start = _day(rng, date(2019, 4, 1), date(2026, 4, 1))
            end = start + relativedelta(years=3) - timedelta(days=1)
            annual = rng.randint(5_000, 2_000_000)
            writer.writerow(
                {
                    "Reference": f"{IMPORT_PREFIX}{n:05d}",
                    "Service contracted": f"{rng.choice(THEMES)[1]} lot {n}",
                    "Directorate": directorate,
                    "Strategy": strategy,
                    "Provider": provider,
                    "Companies House number": number,
                    "Provider summary": "",
                    "Category": rng.choice(categories),
                    "Type": rng.choice(types),
                    "Procurement route": "Open procedure",
                    "Start date": f"{start:%d/%m/%Y}",
                    "End date": f"{end:%d/%m/%Y}",
                    "Extension options": rng.choice(["", "12", "12+12"]),
                    "Extensions used": "0",
                    "Review date": "",
                    "Annual value": str(annual),
                    "Total value": str(annual * 3),
                    "Status": "Live",
                    "Performance": "Good",
                    "Contract KPIs": "Y",
                    "Politically sensitive": "N",
                    "Payment terms": "Arrears",
                    "Performance driven / independent": "Independent",
                    "Volume sensitive": "No",
                    "Corrective measures": "",
                    "Description": "",
                }
            )
    return path
