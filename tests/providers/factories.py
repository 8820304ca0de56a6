"""Extra factories for these tests (the shared ones are in tests/factories.py)."""

import factory
from django.contrib.auth.models import Group

from commissioning import roles
from providers.models import RiskLevel
from tests.factories import RiskAssessmentFactory, UserFactory


class MediumRiskAssessmentFactory(RiskAssessmentFactory):
    score = 9
    calculated_level = RiskLevel.MEDIUM


class OfficerFactory(UserFactory):
    """A council-wide contract officer: records oversight, assesses risk, keeps the register."""

    username = factory.Sequence(lambda n: f"officer{n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=extracted or roles.CONTRACT_OFFICER))


class CommissionerFactory(OfficerFactory):
    """A commissioner: reads providers and oversight records, records none of them."""

    username = factory.Sequence(lambda n: f"commissioner{n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=roles.COMMISSIONER))
