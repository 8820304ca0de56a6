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
from strategies.models import CommissioningIntention, CommissioningStrategy, HighlightReport, Outcome, StrategyRisk


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


class IntentionFactory(DjangoModelFactory):
    class Meta:
        model = CommissioningIntention

    strategy = factory.SubFactory(StrategyFactory)
    theme = "Prevention"
    intention = "Develop community capacity."
    current_position = "plan"
    expected_position = "do"


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
