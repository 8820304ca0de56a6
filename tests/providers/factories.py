"""Extra provider factories for these tests (the shared ones are in tests/factories.py)."""

from providers.models import RiskLevel
from tests.factories import RiskAssessmentFactory


class MediumRiskAssessmentFactory(RiskAssessmentFactory):
    score = 9
    calculated_level = RiskLevel.MEDIUM
