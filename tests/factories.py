"""factory-boy factories for every domain model. Subclasses per state where tests need one."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from commissioning.models import Directorate, User
from contracts.models import Contract, ContractChange, PooledBudget
from oversight.models import ActionPlan, Concern, EscalationStep, PlanAction, Sanction, Visit
from performance.models import Measure, MeasureResult
from providers.models import CqcRating, Location, Provider, RiskAssessment, RiskLevel
from scrutiny.models import Committee, Meeting, PackAppendix, ScrutinyConclusion, ScrutinyPack
from scrutiny.services import response_due_for
from strategies.models import (
    CommissioningIntention,
    CommissioningStrategy,
    CycleStage,
    HighlightReport,
    Outcome,
    Saving,
    StrategicTheme,
    StrategyRisk,
    ThemeStatement,
)
from tests.providers.risk_factories import method_v1


class DirectorateFactory(DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Directorate {n}")
    code = factory.Sequence(lambda n: f"dir{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = "Officer"
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example")
    password = factory.django.Password("correct-horse-battery-staple")


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Care Provider {n} Ltd")
    companies_house_number = factory.Sequence(lambda n: f"{n:08d}")
    cqc_provider_id = factory.Sequence(lambda n: f"1-{100000000 + n}")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Willow House {n}")
    cqc_location_id = factory.Sequence(lambda n: f"1-{500000000 + n}")
    setting_type = Location.SettingType.CARE_HOME
    is_care_home = True
    beds = 40
    district = "Lincoln"


class CqcRatingFactory(DjangoModelFactory):
    class Meta:
        model = CqcRating

    location = factory.SubFactory(LocationFactory)
    published_on = datetime.date(2018, 6, 1)
    overall = "good"
    safe = "good"
    effective = "good"
    caring = "good"
    responsive = "good"
    well_led = "good"


class RiskAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    provider = factory.SubFactory(ProviderFactory)
    # Every assessment has its risk method: version 1, the one the providers migration records.
    method = factory.LazyFunction(method_v1)
    assessed_on = datetime.date(2018, 4, 1)
    factors = factory.LazyFunction(dict)
    score = 0
    calculated_level = RiskLevel.LOW
    level = factory.SelfAttribute("calculated_level")


class HighRiskAssessmentFactory(RiskAssessmentFactory):
    score = 14
    calculated_level = RiskLevel.HIGH


class StrategyFactory(DjangoModelFactory):
    class Meta:
        model = CommissioningStrategy

    name = factory.Sequence(lambda n: f"Commissioning strategy {n}")
    directorate = factory.SubFactory(DirectorateFactory)
    purpose = "The purpose of this commissioning strategy is to improve wellbeing."
    sponsor = "Executive Director of Adult Care and Community Wellbeing"
    commissioning_lead = factory.SubFactory(UserFactory)
    stage_do = True
    summary = "A summary."
    needs_established = "JSNA."


class OutcomeFactory(DjangoModelFactory):
    class Meta:
        model = Outcome

    strategy = factory.SubFactory(StrategyFactory)
    order = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Outcome {n}")


def cycle_phase(name: str) -> CycleStage:
    """A phase of the default cycle (Analyse, Plan, Do, Review), as migration 0003 of strategies creates it."""
    return CycleStage.objects.get(parent__isnull=True, name=name)


class CycleStageFactory(DjangoModelFactory):
    """A finer stage within a phase (Plan by default)."""

    class Meta:
        model = CycleStage

    name = factory.Sequence(lambda n: f"Finer stage {n}")
    order = factory.Sequence(int)
    parent = factory.LazyFunction(lambda: cycle_phase("Plan"))


class StrategicThemeFactory(DjangoModelFactory):
    class Meta:
        model = StrategicTheme
        django_get_or_create = ("strategy", "name")

    strategy = factory.SubFactory(StrategyFactory)
    name = "Prevention"
    order = 1


class ThemeStatementFactory(DjangoModelFactory):
    class Meta:
        model = ThemeStatement

    theme = factory.SubFactory(StrategicThemeFactory)
    order = factory.Sequence(int)
    text = "I have the information and support I need in order to remain as independent as possible."


class IntentionFactory(DjangoModelFactory):
    """An intention under a theme of its own strategy (``theme__name="…"`` names it), from Plan to Do."""

    class Meta:
        model = CommissioningIntention

    strategy = factory.SubFactory(StrategyFactory)
    theme = factory.SubFactory(StrategicThemeFactory, strategy=factory.SelfAttribute("..strategy"))
    intention = "Develop community capacity."
    current_stage = factory.LazyFunction(lambda: cycle_phase("Plan"))
    expected_stage = factory.LazyFunction(lambda: cycle_phase("Do"))


class SavingFactory(DjangoModelFactory):
    """A saving agreed for 2016/17, nothing achieved recorded yet."""

    class Meta:
        model = Saving
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"SAV-{n:04d}")
    directorate = factory.SubFactory(DirectorateFactory)
    year = 2016
    title = "Re-commission day services"
    budgeted = Decimal("100000.00")
    status = Saving.Status.AGREED

    @factory.post_generation
    def contracts(self, create, extracted, **kwargs):
        if create and extracted:
            self.contracts.set(extracted)


class AchievedSavingFactory(SavingFactory):
    achieved = Decimal("100000.00")
    status = Saving.Status.ACHIEVED


class StrategyRiskFactory(DjangoModelFactory):
    class Meta:
        model = StrategyRisk

    strategy = factory.SubFactory(StrategyFactory)
    cause = "Rising demand"
    event = "Market cannot supply enough placements"
    effect = "People wait longer for care"


class HighlightReportFactory(DjangoModelFactory):
    class Meta:
        model = HighlightReport

    strategy = factory.SubFactory(StrategyFactory)
    year = 2018
    quarter = 3
    report_date = datetime.date(2018, 12, 5)
    summary = "Summary of the quarter."
    needs_established = "JSNA."
    outcomes_text = "Outcomes."
    completed_by = "Commissioning manager"
    rag = HighlightReport.Rag.GREEN


class SubmittedHighlightReportFactory(HighlightReportFactory):
    status = HighlightReport.Status.SUBMITTED


class ApprovedHighlightReportFactory(HighlightReportFactory):
    status = HighlightReport.Status.APPROVED
    decision_reference = "I017457"
    decision_date = datetime.date(2019, 6, 4)


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    reference = factory.Sequence(lambda n: f"CON-{n:05d}")
    title = factory.Sequence(lambda n: f"Homecare lot {n}")
    directorate = factory.SubFactory(DirectorateFactory)
    lead_provider = factory.SubFactory(ProviderFactory)
    category = Contract.Category.COMMUNITY
    contract_type = Contract.ContractType.BLOCK
    start_date = datetime.date(2016, 4, 1)
    end_date = datetime.date(2019, 3, 31)
    annual_value = Decimal("250000.00")
    total_value = Decimal("750000.00")


class KeyContractFactory(ContractFactory):
    annual_value = Decimal("1500000.00")
    total_value = Decimal("4500000.00")


class ContractChangeFactory(DjangoModelFactory):
    class Meta:
        model = ContractChange

    contract = factory.SubFactory(ContractFactory)
    kind = ContractChange.Kind.VARIATION
    effective_on = datetime.date(2018, 10, 1)
    description = "Variation to add pharmacy-based carers' support."


class PooledBudgetFactory(DjangoModelFactory):
    class Meta:
        model = PooledBudget

    name = factory.Sequence(lambda n: f"Pooled budget {n}")
    strategy = factory.SubFactory(StrategyFactory)
    arrangement_type = PooledBudget.ArrangementType.SECTION_75
    partner = "Lincolnshire Clinical Commissioning Groups"
    total_value = Decimal("1000000.00")
    partner_contribution = Decimal("400000.00")


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = Visit

    provider = factory.SubFactory(ProviderFactory)
    visited_on = datetime.date(2018, 9, 12)
    kind = Visit.Kind.PLANNED
    findings = "Residents well cared for."


class ConcernFactory(DjangoModelFactory):
    class Meta:
        model = Concern

    provider = factory.SubFactory(ProviderFactory)
    kind = Concern.Kind.POOR_PRACTICE
    raised_on = datetime.date(2018, 9, 1)
    summary = "Medication records incomplete."


class SanctionFactory(DjangoModelFactory):
    class Meta:
        model = Sanction

    provider = factory.SubFactory(ProviderFactory)
    kind = Sanction.Kind.DEFAULT_NOTICE
    issued_on = datetime.date(2018, 10, 1)
    reason = "Repeated failure to meet staffing levels."


class ActionPlanFactory(DjangoModelFactory):
    class Meta:
        model = ActionPlan

    provider = factory.SubFactory(ProviderFactory)
    title = "Improvement plan"
    agreed_on = datetime.date(2018, 7, 1)


class PlanActionFactory(DjangoModelFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(ActionPlanFactory)
    description = "Update care plans."
    owner = "Registered manager"
    due_on = datetime.date(2018, 8, 1)


class EscalationStepFactory(DjangoModelFactory):
    class Meta:
        model = EscalationStep

    plan = factory.SubFactory(ActionPlanFactory)
    step = EscalationStep.Step.REMINDER
    taken_on = datetime.date(2018, 10, 1)


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    strategy = factory.SubFactory(StrategyFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = Measure.Unit.PERCENTAGE
    polarity = Measure.Polarity.HIGHER_IS_BETTER
    is_targeted = True


class MeasureResultFactory(DjangoModelFactory):
    class Meta:
        model = MeasureResult

    measure = factory.SubFactory(MeasureFactory)
    year = 2018
    quarter = 3
    value = Decimal("80")
    target = Decimal("75")


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ["name"]

    name = "Adults and Community Wellbeing Scrutiny Committee"


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    committee = factory.SubFactory(CommitteeFactory)
    date = datetime.date(2018, 9, 5)


class ScrutinyConclusionFactory(DjangoModelFactory):
    class Meta:
        model = ScrutinyConclusion

    strategy = factory.SubFactory(StrategyFactory)
    meeting = factory.SubFactory(MeetingFactory)
    text = "The Committee stressed the importance of annual health checks."


class ScrutinyPackFactory(DjangoModelFactory):
    class Meta:
        model = ScrutinyPack

    meeting = factory.SubFactory(MeetingFactory)
    title = "Commissioning Strategies"
    report_to = "Overview and Scrutiny Management Board"
    report_date = datetime.date(2019, 5, 30)
    subject = "Commissioning Strategies"


class PublishedScrutinyPackFactory(ScrutinyPackFactory):
    status = ScrutinyPack.Status.PUBLISHED


class PackAppendixFactory(DjangoModelFactory):
    class Meta:
        model = PackAppendix

    pack = factory.SubFactory(ScrutinyPackFactory)
    strategy = factory.SubFactory(StrategyFactory)
    order = factory.Sequence(int)


# --- Two-stage scrutiny and recommendations ---


class BoardReviewedHighlightReportFactory(HighlightReportFactory):
    """Past the officers' board: ready to go to scrutiny."""

    status = HighlightReport.Status.BOARD_REVIEWED
    board_comments = "The Commissioning and Commercial Board noted the report."


class ManagementBoardFactory(CommitteeFactory):
    name = "Overview and Scrutiny Management Board"
    kind = Committee.Kind.MANAGEMENT_BOARD


class ExecutiveFactory(CommitteeFactory):
    name = "Executive"
    kind = Committee.Kind.EXECUTIVE


class ScrutinyRecommendationFactory(DjangoModelFactory):
    """A recommendation reported to the Executive (its response due date as the service works it out)."""

    class Meta:
        model = "scrutiny.ScrutinyRecommendation"

    committee = factory.SubFactory(CommitteeFactory)
    meeting = factory.SubFactory(MeetingFactory, committee=factory.SelfAttribute("..committee"))
    number = factory.Sequence(lambda n: n + 1)
    text = "The Committee recommended wider community engagement on changes to provision."
    addressed_to = "Executive"
    strategy = factory.SubFactory(StrategyFactory)
    reported_on = datetime.date(2018, 10, 2)
    response_due = factory.LazyAttribute(lambda r: response_due_for(r.reported_on) if r.reported_on else None)


# --- Forward plan ----------------------------------------------------------------------------------------


class ForwardPlanEntryFactory(DjangoModelFactory):
    """A key decision on the plan with 28 clear days' notice: published 1 May 2019 for the Executive of 30 May."""

    class Meta:
        model = "scrutiny.ForwardPlanEntry"

    reference = factory.Sequence(lambda n: f"I02{n:04d}")
    title = factory.Sequence(lambda n: f"Re-procurement of homecare lot {n}")
    decision_maker = "Executive"
    key_decision = True
    decision_due = datetime.date(2019, 5, 30)
    first_published = datetime.date(2019, 5, 1)
    contact_officer = "Democratic Services, 01522 000000"


class GeneralExceptionForwardPlanEntryFactory(ForwardPlanEntryFactory):
    """A key decision on 10 clear days' notice under the general exception, the chair told 9 clear days before."""

    first_published = datetime.date(2019, 5, 19)
    notice_route = "general_exception"
    urgency_reasons = "The provider gave notice to end the contract; a new provider must be in place by July."
    chair_informed_on = datetime.date(2019, 5, 20)


# --- Procurement work plan -----------------------------------------------------------------------------------


class ProcurementProjectFactory(DjangoModelFactory):
    """A project at planning on the 2019/20 work plan."""

    class Meta:
        model = "contracts.ProcurementProject"

    reference = factory.Sequence(lambda n: f"PP-{n:05d}")
    title = factory.Sequence(lambda n: f"Re-procurement of day opportunities lot {n}")
    directorate = factory.SubFactory(DirectorateFactory)
    stage = "planned"
    route = "open"
    estimated_annual_value = Decimal("1000000.00")
    whole_life_value = Decimal("3000000.00")
    planned_start = datetime.date(2019, 6, 1)


class TenderProcurementProjectFactory(ProcurementProjectFactory):
    """Out to tender since a 2018/19 start."""

    stage = "tender"
    planned_start = datetime.date(2018, 9, 1)
    tender_notice_date = datetime.date(2018, 10, 1)


class DeliveredProcurementProjectFactory(ProcurementProjectFactory):
    """Delivered in 2018/19."""

    stage = "delivered"
    planned_start = datetime.date(2018, 4, 1)
    completed_on = datetime.date(2018, 11, 15)


class ContractAlertRuleFactory(DjangoModelFactory):
    """A user's own alert on one contract, 60 days before its end date."""

    class Meta:
        model = "oversight.ContractAlertRule"

    user = factory.SubFactory(UserFactory)
    contract = factory.SubFactory(ContractFactory)
    date_kind = "end_date"
    lead_days = 60


class ContractAlertFactory(DjangoModelFactory):
    """A statutory end-date alert, open (not acknowledged, not escalated)."""

    class Meta:
        model = "oversight.ContractAlert"

    contract = factory.SubFactory(ContractFactory)
    kind = "end_date"
    statutory = True
    due_on = factory.LazyAttribute(lambda alert: alert.contract.end_date)
    key = factory.Sequence(lambda n: f"factory-alert:{n}")


# Contract performance notices (UK9) and breaches (section 71(5)): a contract under the Procurement Act 2023 over
# £5 million (the KPI duty applies), its KPIs, results, a completed assessment, notices in each state, breaches.


class ActContractFactory(ContractFactory):
    """A contract the KPI duty applies to: under the Act, £6m estimated, live 2025 to 2030."""

    regime = Contract.Regime.PROCUREMENT_ACT_2023
    estimated_value = Decimal("6000000.00")
    total_value = Decimal("6000000.00")
    annual_value = Decimal("1200000.00")
    start_date = datetime.date(2025, 4, 1)
    end_date = datetime.date(2030, 3, 31)
    status = Contract.Status.LIVE


class NoticeKpiResultFactory(DjangoModelFactory):
    """A rated result for the financial year 2025/26 (evidence is attached by the test that needs it)."""

    class Meta:
        model = "oversight.KpiResult"

    kpi = factory.SubFactory("tests.factories.NoticeKpiFactory")
    period_start = datetime.date(2025, 4, 1)
    period_end = datetime.date(2026, 3, 31)
    value = Decimal("96")
    suggested_rating = "good"
    rating = "good"


class CompletedAssessmentFactory(DjangoModelFactory):
    """The annual assessment of 2025/26, completed on 15 April 2026."""

    class Meta:
        model = "oversight.PerformanceAssessment"

    contract = factory.SubFactory(ActContractFactory)
    kind = "annual"
    period_start = datetime.date(2025, 4, 1)
    period_end = datetime.date(2026, 3, 31)
    due_on = datetime.date(2026, 4, 30)
    status = "complete"
    assessed_on = datetime.date(2026, 4, 15)
    summary = "Good overall; visit punctuality met its target."


class ContractPerformanceNoticeFactory(DjangoModelFactory):
    """A draft notice of a completed assessment, due 30 days after it."""

    class Meta:
        model = "oversight.ContractPerformanceNotice"

    assessment = factory.SubFactory(CompletedAssessmentFactory)
    contract = factory.SelfAttribute("assessment.contract")
    kind = "assessment"
    period_start = factory.SelfAttribute("assessment.period_start")
    period_end = factory.SelfAttribute("assessment.period_end")
    due_on = datetime.date(2026, 5, 15)


class PublishedNoticeFactory(ContractPerformanceNoticeFactory):
    status = "published"
    approved_at = factory.LazyFunction(lambda: datetime.datetime(2026, 5, 1, 10, 0, tzinfo=datetime.UTC))
    published_at = factory.LazyFunction(lambda: datetime.datetime(2026, 5, 2, 10, 0, tzinfo=datetime.UTC))
    content = factory.LazyAttribute(
        lambda notice: {
            "noticeType": "UK9",
            "contract": {"reference": notice.contract.reference, "title": notice.contract.title},
            "period": {"startDate": "2025-04-01", "endDate": "2026-03-31"},
            "kpis": [],
        }
    )


class ContractBreachFactory(DjangoModelFactory):
    """A breach that led to damages (needs a section 71(5) notice)."""

    class Meta:
        model = "oversight.ContractBreach"

    contract = factory.SubFactory(ActContractFactory)
    kind = "breach"
    what_happened = "Visits missed across the northern zone for a fortnight."
    occurred_on = datetime.date(2026, 1, 10)
    consequence = "damages"
    consequence_on = datetime.date(2026, 2, 1)
    damages_amount = Decimal("25000.00")


# Contract KPIs, results and assessments (oversight.performance), on helper C's ActContractFactory.


class ContractKpiFactory(DjangoModelFactory):
    """A monthly KPI not yet frozen: 95 %, higher is better, tolerance 2."""

    class Meta:
        model = "oversight.ContractKpi"

    contract = factory.SubFactory(ActContractFactory)
    name = factory.Sequence(lambda n: f"Calls answered within 20 seconds {n}")
    measure = "Share of calls answered within 20 seconds"
    unit = "%"
    target = Decimal("95")
    tolerance: Decimal | None = Decimal("2")
    frequency = "monthly"
    source = "supplier_return"
    position = factory.Sequence(lambda n: n)


class FrozenContractKpiFactory(ContractKpiFactory):
    frozen_on = datetime.date(2025, 4, 1)


class NoticeKpiFactory(FrozenContractKpiFactory):
    """A frozen annual KPI with no tolerance, reported once a financial year (the notices' tests)."""

    name = factory.Sequence(lambda n: f"Visits on time {n}")
    measure = "Visits started within 15 minutes of the planned time"
    tolerance = None
    frequency = "annually"


class KpiResultFactory(DjangoModelFactory):
    """A Good result for April 2025."""

    class Meta:
        model = "oversight.KpiResult"

    kpi = factory.SubFactory(FrozenContractKpiFactory)
    period_start = datetime.date(2025, 4, 1)
    period_end = datetime.date(2025, 4, 30)
    value = Decimal("96")
    suggested_rating = "good"
    rating = "good"


class DueAssessmentFactory(DjangoModelFactory):
    """The annual assessment of 2025/26, started and not yet complete."""

    class Meta:
        model = "oversight.PerformanceAssessment"

    contract = factory.SubFactory(ActContractFactory)
    kind = "annual"
    period_start = datetime.date(2025, 4, 1)
    period_end = datetime.date(2026, 3, 31)
    due_on = datetime.date(2026, 4, 1)
